package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// known is true for a null or known value: one that is not unknown.
func known(v attr.Value) bool { return !v.IsUnknown() }

// objectKnown is true for a null object or one whose attributes are all known.
func objectKnown(o types.Object) bool {
	if o.IsUnknown() {
		return false
	}
	for _, v := range o.Attributes() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// pick is planned unless the plan left it unknown.
func pick[T attr.Value](planned, fresh T) T {
	if planned.IsUnknown() {
		return fresh
	}
	return planned
}

func formatTimePtr(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return formatTime(*t)
}
