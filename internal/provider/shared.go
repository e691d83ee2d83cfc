package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

// configuredClient is the backend client the provider handed to a resource or data
// source (kind "Resource" or "Data Source"); ok is false before the provider is
// configured or when the provider data is of another type (an error in diags).
func configuredClient(pd any, kind string, diags *diag.Diagnostics) (c *client.Client, ok bool) {
	if pd == nil {
		return nil, false
	}
	data, ok := pd.(*providerData)
	if !ok {
		diags.AddError("Unexpected "+kind+" Configure Type",
			fmt.Sprintf("Expected *provider.providerData, got %T. Please report this issue to the provider developers.", pd))
		return nil, false
	}
	return data.client, true
}

// readDataSource is the Read of a data source: the configuration into a model M,
// fill (which asks the backend and reports its errors; false stops) and the model
// into state.
func readDataSource[M any](ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse, fill func(*M) bool) {
	var state M
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !fill(&state) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// readFound handles the error of the fetch in a resource's Read: a resource the
// backend no longer has leaves the state (logging gone with logFields), any other
// error is reported under summary. It tells whether Read may go on.
func readFound(ctx context.Context, resp *resource.ReadResponse, err error, gone string, logFields map[string]any,
	summary string, fields fieldPaths) bool {
	if client.IsNotFound(err) {
		tflog.Warn(ctx, gone, logFields)
		resp.State.RemoveResource(ctx)
		return false
	}
	if err != nil {
		addBackendError(&resp.Diagnostics, summary, err, fields)
		return false
	}
	return true
}

// addDeleteError reports the error of a resource's delete; one the backend no
// longer has counts as deleted.
func addDeleteError(diags *diag.Diagnostics, summary string, err error, fields fieldPaths) {
	if err != nil && !client.IsNotFound(err) {
		addBackendError(diags, summary, err, fields)
	}
}
