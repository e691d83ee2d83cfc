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

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*certificatesDataSource)(nil)

// NewCertificatesDataSource is the ssl_certificates data source: the certificates
// that match some filters, in one query.
func NewCertificatesDataSource() datasource.DataSource {
	return &certificatesDataSource{}
}

type certificatesDataSource struct {
	client *client.Client
}

func (d *certificatesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_certificates"
}

func (d *certificatesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the certificates that match every filter given — with no filter, every " +
			"certificate the caller may see — in one query. Private keys and PEM material are not listed; " +
			"read one certificate with the `ssl_certificate` data source for those.",
		Attributes: map[string]schema.Attribute{
			"name": filterString("Only certificates whose name contains this text."),
			"domain": filterString(
				"Only certificates that cover this domain: by one of their names, or by a " +
					"wildcard name (`*.example.com` covers `www.example.com`)."),
			"status": filterString("Only certificates with this status name, such as `issued` or `expired`."),
			"source": schema.StringAttribute{
				MarkdownDescription: "Only `uploaded` or only `issued` certificates.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf("uploaded", "issued")},
			},
			"project": filterString("Only certificates of this project."),
			"tags": schema.MapAttribute{
				MarkdownDescription: "Only certificates that carry every one of these tags with these values.",
				ElementType:         types.StringType,
				Optional:            true,
			},
			"expiring_within_days": schema.Int64Attribute{
				MarkdownDescription: "Only certificates that have not expired yet and whose current version " +
					"expires within this many days from now.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"certificates": schema.ListNestedAttribute{
				MarkdownDescription: "The matching certificates, ordered as the service lists them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":          dataComputedString("Id of the certificate."),
						"name":        dataComputedString("Name of the certificate."),
						"project":     dataComputedString("Project of the certificate."),
						"source":      dataComputedString("`uploaded` or `issued`."),
						"status":      dataComputedString("Status name in the service."),
						"status_code": schema.Int64Attribute{MarkdownDescription: "Status as the service numbers it.", Computed: true},
						"domain":      dataComputedString("Primary domain."),
						"subject_alternative_names": schema.ListAttribute{
							MarkdownDescription: "Every DNS name of the certificate.",
							ElementType:         types.StringType,
							Computed:            true,
						},
						"issuer":             dataComputedString("Distinguished name of the issuer."),
						"serial_number":      dataComputedString("Serial number of the current version (hex)."),
						"not_before":         dataComputedString("Start of validity (RFC 3339)."),
						"not_after":          dataComputedString("End of validity (RFC 3339)."),
						"fingerprint_sha256": dataComputedString("SHA-256 fingerprint of the leaf (hex)."),
						"key_algorithm":      dataComputedString("`RSA`, `ECC` or `SM2`."),
						"chain_complete": schema.BoolAttribute{
							MarkdownDescription: "Whether the chain ends in a self-signed root.",
							Computed:            true,
						},
						"tags": schema.MapAttribute{
							MarkdownDescription: "Tags of the certificate.",
							ElementType:         types.StringType,
							Computed:            true,
						},
						"version": schema.Int64Attribute{MarkdownDescription: "Number of the current version.", Computed: true},
					},
				},
			},
		},
	}
}

func (d *certificatesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Data Source", &resp.Diagnostics); ok {
		d.client = c
	}
}

func (d *certificatesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readDataSource(ctx, req, resp, func(state *certificatesDataSourceModel) bool {
		f := wire.ListFilter{
			Name:    state.Name.ValueString(),
			Domain:  state.Domain.ValueString(),
			Status:  state.Status.ValueString(),
			Source:  state.Source.ValueString(),
			Project: state.Project.ValueString(),
			Tags:    mapToGo(ctx, &resp.Diagnostics, state.Tags),
		}
		if !state.ExpiringWithinDays.IsNull() {
			days := int(state.ExpiringWithinDays.ValueInt64())
			f.ExpiringWithinDays = &days
		}
		if resp.Diagnostics.HasError() {
			return false
		}
		tflog.Debug(ctx, "Listing certificates", map[string]any{"filter": f.Query().Encode()})
		list, err := d.client.ListCertificates(ctx, f)
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to List Certificates", err,
				rootFields("name", "domain", "status", "source", "project", "tags", "expiring_within_days"))
			return false
		}

		state.Certificates = make([]certificatesItemModel, 0, len(list))
		for _, c := range list {
			state.Certificates = append(state.Certificates, certificatesItemModel{
				ID:                      types.StringValue(c.ID),
				Name:                    types.StringValue(c.Name),
				Project:                 types.StringValue(c.Project),
				Source:                  types.StringValue(c.Source),
				Status:                  types.StringValue(c.Status),
				StatusCode:              types.Int64Value(int64(c.StatusCode)),
				Domain:                  types.StringValue(c.Domain),
				SubjectAlternativeNames: stringList(ctx, &resp.Diagnostics, c.SubjectAlternativeNames),
				Issuer:                  types.StringValue(c.Issuer),
				SerialNumber:            types.StringValue(c.SerialNumber),
				NotBefore:               formatTime(c.NotBefore),
				NotAfter:                formatTime(c.NotAfter),
				FingerprintSHA256:       types.StringValue(c.FingerprintSHA256),
				KeyAlgorithm:            types.StringValue(c.KeyAlgorithm),
				ChainComplete:           types.BoolValue(c.ChainComplete),
				Tags:                    stringMap(ctx, &resp.Diagnostics, c.Tags),
				Version:                 types.Int64Value(int64(c.Version)),
			})
		}
		return true
	})
}

type certificatesDataSourceModel struct {
	Name               types.String            `tfsdk:"name"`
	Domain             types.String            `tfsdk:"domain"`
	Status             types.String            `tfsdk:"status"`
	Source             types.String            `tfsdk:"source"`
	Project            types.String            `tfsdk:"project"`
	Tags               types.Map               `tfsdk:"tags"`
	ExpiringWithinDays types.Int64             `tfsdk:"expiring_within_days"`
	Certificates       []certificatesItemModel `tfsdk:"certificates"`
}

type certificatesItemModel struct {
	ID                      types.String `tfsdk:"id"`
	Name                    types.String `tfsdk:"name"`
	Project                 types.String `tfsdk:"project"`
	Source                  types.String `tfsdk:"source"`
	Status                  types.String `tfsdk:"status"`
	StatusCode              types.Int64  `tfsdk:"status_code"`
	Domain                  types.String `tfsdk:"domain"`
	SubjectAlternativeNames types.List   `tfsdk:"subject_alternative_names"`
	Issuer                  types.String `tfsdk:"issuer"`
	SerialNumber            types.String `tfsdk:"serial_number"`
	NotBefore               types.String `tfsdk:"not_before"`
	NotAfter                types.String `tfsdk:"not_after"`
	FingerprintSHA256       types.String `tfsdk:"fingerprint_sha256"`
	KeyAlgorithm            types.String `tfsdk:"key_algorithm"`
	ChainComplete           types.Bool   `tfsdk:"chain_complete"`
	Tags                    types.Map    `tfsdk:"tags"`
	Version                 types.Int64  `tfsdk:"version"`
}
