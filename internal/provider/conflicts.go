package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// conflicting refuses a configuration that sets both root attributes a and b, as
// resourcevalidator.Conflicting does (same diagnostic). It looks the two values up in
// the raw configuration instead of matching path expressions over the whole schema,
// which the framework does by walking every attribute and costs a resource of this
// provider's size a large share of each validation call (tools/bench/RESULTS.md).
// Unknown values are not judged until they are known.
func conflicting(a, b string) resource.ConfigValidator {
	return rootConflict{a, b}
}

type rootConflict struct{ a, b string }

func (c rootConflict) Description(context.Context) string {
	return fmt.Sprintf("These attributes cannot be configured together: [%s,%s]", c.a, c.b)
}

func (c rootConflict) MarkdownDescription(ctx context.Context) string { return c.Description(ctx) }

func (c rootConflict) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	raw := req.Config.Raw
	if raw.IsNull() || !raw.IsKnown() {
		return
	}
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		return
	}
	if isSet(attrs[c.a]) && isSet(attrs[c.b]) {
		resp.Diagnostics.AddAttributeError(path.Root(c.a), "Invalid Attribute Combination", c.Description(ctx))
	}
}

// isSet reports whether a configured value is known and not null (a missing attribute's
// zero Value is neither).
func isSet(v tftypes.Value) bool {
	return v.Type() != nil && v.IsKnown() && !v.IsNull()
}
