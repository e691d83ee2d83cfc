package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*deploymentsDataSource)(nil)

// NewDeploymentsDataSource is the ssl_deployments data source: deployment records of
// resource hosting that match some filters, in one query.
func NewDeploymentsDataSource() datasource.DataSource {
	return &deploymentsDataSource{}
}

type deploymentsDataSource struct {
	client *client.Client
}

func (d *deploymentsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deployments"
}

func (d *deploymentsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	for name, a := range deploymentAttributes {
		if a.typ.Equal(types.Int64Type) {
			attrs[name] = schema.Int64Attribute{MarkdownDescription: a.description, Computed: true}
		} else {
			attrs[name] = schema.StringAttribute{MarkdownDescription: a.description, Computed: true}
		}
	}
	attrs["hosting_id"] = schema.StringAttribute{MarkdownDescription: "Id of the hosting that made the deployment.", Computed: true}

	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the deployment records of resource hosting that match every filter given — " +
			"with no filter, every deployment the caller may see — newest first, in one query. Each binding, " +
			"move and new certificate version (renewal, reissue, rotation) deployed to a platform resource leaves " +
			"a record, so this is the history of what each resource served.",
		Attributes: map[string]schema.Attribute{
			"certificate_id": filterString("Only deployments of this certificate."),
			"hosting_id":     filterString("Only deployments made by this hosting (`ssl_resource_hosting.<name>.id`)."),
			"type": schema.StringAttribute{
				MarkdownDescription: "Only deployments to resources of this type, such as `CLB` or `CDN`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(hostingResourceTypes...)},
			},
			"instance_id": filterString("Only deployments to the resource with this instance id."),
			"limit": schema.Int64Attribute{
				MarkdownDescription: "At most this many deployments, the newest. All when left out.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"deployments": schema.ListNestedAttribute{
				MarkdownDescription: "The matching deployments, newest first.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: attrs},
			},
		},
	}
}

func (d *deploymentsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Data Source", &resp.Diagnostics); ok {
		d.client = c
	}
}

func (d *deploymentsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readDataSource(ctx, req, resp, func(state *deploymentsDataSourceModel) bool {
		f := client.DeploymentFilter{
			CertificateID: state.CertificateID.ValueString(),
			HostingID:     state.HostingID.ValueString(),
			Type:          state.Type.ValueString(),
			InstanceID:    state.InstanceID.ValueString(),
			Limit:         int(state.Limit.ValueInt64()),
		}
		tflog.Debug(ctx, "Listing deployments", map[string]any{
			"certificate_id": f.CertificateID, "hosting_id": f.HostingID, "type": f.Type, "instance_id": f.InstanceID, "limit": f.Limit,
		})
		list, err := d.client.ListDeployments(ctx, f)
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to List Deployments", err,
				rootFields("certificate_id", "hosting_id", "type", "instance_id", "limit"))
			return false
		}
		state.Deployments = deploymentList(list, true, &resp.Diagnostics)
		return true
	})
}

type deploymentsDataSourceModel struct {
	CertificateID types.String `tfsdk:"certificate_id"`
	HostingID     types.String `tfsdk:"hosting_id"`
	Type          types.String `tfsdk:"type"`
	InstanceID    types.String `tfsdk:"instance_id"`
	Limit         types.Int64  `tfsdk:"limit"`
	Deployments   types.List   `tfsdk:"deployments"`
}
