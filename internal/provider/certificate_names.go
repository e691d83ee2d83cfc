package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// normalizeDomain is the service's spelling of a DNS name (lower case, no trailing dot),
// for comparing what the user wrote with what the service keeps.
func normalizeDomain(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

// certificateNames is the set of names a certificate covers: the domain and its SANs.
func certificateNames(domain string, sans []string) map[string]bool {
	out := map[string]bool{normalizeDomain(domain): true}
	for _, s := range sans {
		out[normalizeDomain(s)] = true
	}
	return out
}

func sameNames(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for n := range a {
		if !b[n] {
			return false
		}
	}
	return true
}

// domainChanged: another domain, not merely another spelling of it.
func domainChanged(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !known(req.PlanValue) || normalizeDomain(req.PlanValue.ValueString()) != normalizeDomain(req.StateValue.ValueString())
}

// namesChanged: the certificate would cover other names.
func namesChanged(ctx context.Context, req planmodifier.SetRequest, resp *setplanmodifier.RequiresReplaceIfFuncResponse) {
	var planDomain, stateDomain types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("domain"), &planDomain)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("domain"), &stateDomain)...)
	if !known(req.PlanValue) || !known(planDomain) {
		resp.RequiresReplace = true
		return
	}
	resp.RequiresReplace = !sameNames(setNames(ctx, planDomain, req.PlanValue), setNames(ctx, stateDomain, req.StateValue))
}

func setNames(ctx context.Context, domain types.String, sans types.Set) map[string]bool {
	var list []string
	if !sans.IsNull() && !sans.IsUnknown() {
		_ = sans.ElementsAs(ctx, &list, false)
	}
	return certificateNames(domain.ValueString(), list)
}
