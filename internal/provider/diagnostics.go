package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

// fieldPaths maps a backend field name (equal to an attribute name) to the
// attribute to blame; ok is false when the field is not one of the caller's.
type fieldPaths func(field string) (p path.Path, ok bool)

// rootFields blames the attribute of the same name when it is one of names.
func rootFields(names ...string) fieldPaths {
	return func(field string) (path.Path, bool) {
		for _, n := range names {
			if n == field {
				return path.Root(field), true
			}
		}
		return path.Empty(), false
	}
}

// addBackendError turns an error of the client into diagnostics: each problem of a
// backend error on its attribute, an unreachable backend as such, anything else
// under summary.
func addBackendError(diags *diag.Diagnostics, summary string, err error, fields fieldPaths) {
	var unreachable *client.UnreachableError
	if errors.As(err, &unreachable) {
		diags.AddError("Certificate Backend Unreachable",
			fmt.Sprintf("%s. Check the provider's endpoint and the network, then run Terraform again.", err))
		return
	}
	apiErr, ok := client.AsAPIError(err)
	if !ok {
		diags.AddError(summary, fmt.Sprintf("%s: %s.", summary, err))
		return
	}
	if len(apiErr.Problems) > 0 {
		for _, p := range apiErr.Problems {
			addProblem(diags, fields, p.Field, orDefault(p.Summary, orDefault(apiErr.Summary, summary)), p.Message, false)
		}
		return
	}
	addProblem(diags, fields, apiErr.Field, orDefault(apiErr.Summary, summary), apiErr.Message, false)
}

// addWarnings turns a certificate's non-fatal findings into warning diagnostics.
func addWarnings(diags *diag.Diagnostics, fields fieldPaths, warnings []wire.Problem) {
	for _, w := range warnings {
		addProblem(diags, fields, w.Field, w.Summary, w.Message, true)
	}
}

// addCertsProblems turns the plan-time findings of internal/certs into diagnostics.
// With errorsOnly the warnings are left to the apply, where the backend gives them.
func addCertsProblems(diags *diag.Diagnostics, fields fieldPaths, problems []certs.Problem, errorsOnly bool) {
	for _, p := range problems {
		if p.Severity == certs.Warning && errorsOnly {
			continue
		}
		addProblem(diags, fields, p.Field, p.Summary, p.Message, p.Severity == certs.Warning)
	}
}

func addProblem(diags *diag.Diagnostics, fields fieldPaths, field, summary, message string, warning bool) {
	if summary == "" {
		summary = "Certificate Backend Error"
	}
	if p, ok := fields(field); ok && field != "" {
		if warning {
			diags.AddAttributeWarning(p, summary, message)
		} else {
			diags.AddAttributeError(p, summary, message)
		}
		return
	}
	if warning {
		diags.AddWarning(summary, message)
	} else {
		diags.AddError(summary, message)
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// formatTime renders a backend time as RFC 3339 (UTC); the zero time is null.
func formatTime(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// stringOrNull is null for "".
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func stringList(ctx context.Context, diags *diag.Diagnostics, values []string) types.List {
	if values == nil {
		values = []string{}
	}
	l, d := types.ListValueFrom(ctx, types.StringType, values)
	diags.Append(d...)
	return l
}

func stringMap(ctx context.Context, diags *diag.Diagnostics, values map[string]string) types.Map {
	if values == nil {
		values = map[string]string{}
	}
	m, d := types.MapValueFrom(ctx, types.StringType, values)
	diags.Append(d...)
	return m
}

// mapToGo converts a known map of strings; null and unknown give nil.
func mapToGo(ctx context.Context, diags *diag.Diagnostics, m types.Map) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}
