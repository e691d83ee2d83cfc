package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// certificateDurationPattern accepts what time.ParseDuration accepts (without a sign).
var certificateDurationPattern = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`)

// certificateTimeoutsBlock is the timeouts block of ssl_certificate, shaped like
// terraform-plugin-framework-timeouts' block: create and delete durations.
func certificateTimeoutsBlock() schema.SingleNestedBlock {
	duration := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc,
			Optional:            true,
			Validators: []validator.String{stringvalidator.RegexMatches(certificateDurationPattern,
				`must be a duration such as "30s", "20m" or "2h"`)},
		}
	}
	return schema.SingleNestedBlock{
		MarkdownDescription: "How long Terraform waits for the service.",
		Attributes: map[string]schema.Attribute{
			"create": duration("How long create may take to place the order and, when nothing outside is awaited, " +
				"issue the certificate, as a duration such as `\"20m\"`. Default `\"20m\"`."),
			"delete": duration("How long destroy waits until a submitted revocation is approved before it deletes " +
				"the certificate, as a duration such as `\"20m\"` or `\"2h\"`. Default `\"20m\"`."),
		},
	}
}

type certificateTimeoutsModel struct {
	Create types.String `tfsdk:"create"`
	Delete types.String `tfsdk:"delete"`
}

// certificateTimeout reads timeouts.<name> from the block, or def when it is unset.
func certificateTimeout(ctx context.Context, block types.Object, name string, def time.Duration, diags *diag.Diagnostics) time.Duration {
	if block.IsNull() || block.IsUnknown() {
		return def
	}
	var t certificateTimeoutsModel
	diags.Append(block.As(ctx, &t, basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true})...)
	v := t.Create
	if name == "delete" {
		v = t.Delete
	}
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("timeouts").AtName(name), "Invalid Timeout",
			fmt.Sprintf("timeouts.%s %q is not a duration: %s. Set it to a duration such as \"20m\" or \"2h\".", name, v.ValueString(), err))
		return def
	}
	return d
}
