package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"

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
