package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The conflicts of ssl_certificate (csr_pem vs the key password, I6) through its real
// schema: two set values are refused on the first attribute, one set value, nulls and
// values not known yet are not.
func TestConflictingRootAttributes(t *testing.T) {
	ctx := context.Background()
	r := &certificateResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	config := func(set map[string]tftypes.Value) tfsdk.Config {
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		for k, v := range set {
			vals[k] = v
		}
		return tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(typ, vals)}
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	for _, tc := range []struct {
		name    string
		set     map[string]tftypes.Value
		wantErr string
	}{
		{"csr and password", map[string]tftypes.Value{"csr_pem": str("csr"), "private_key_password": str("pw")}, "csr_pem"},
		{"password and write-only password", map[string]tftypes.Value{"private_key_password": str("a"), "private_key_password_wo": str("b")}, "private_key_password"},
		{"csr alone", map[string]tftypes.Value{"csr_pem": str("csr")}, ""},
		{"csr and unknown password", map[string]tftypes.Value{"csr_pem": str("csr"), "private_key_password": unknown}, ""},
		{"nothing", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp resource.ValidateConfigResponse
			for _, v := range r.ConfigValidators(ctx) {
				v.ValidateResource(ctx, resource.ValidateConfigRequest{Config: config(tc.set)}, &resp)
			}
			errs := resp.Diagnostics.Errors()
			if tc.wantErr == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Summary() != "Invalid Attribute Combination" {
				t.Fatalf("errors = %v, want one Invalid Attribute Combination", errs)
			}
			if d, ok := errs[0].(diag.DiagnosticWithPath); !ok || d.Path().String() != tc.wantErr {
				t.Fatalf("error %v is not on %s", errs[0], tc.wantErr)
			}
		})
	}
}
