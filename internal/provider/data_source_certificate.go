package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var (
	_ datasource.DataSourceWithConfigure        = (*certificateDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*certificateDataSource)(nil)
)

// NewCertificateDataSource is the ssl_certificate data source: one certificate, by
// id or by name.
func NewCertificateDataSource() datasource.DataSource {
	return &certificateDataSource{}
}

type certificateDataSource struct {
	client *client.Client
}

func (d *certificateDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_certificate"
}

func (d *certificateDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one certificate of the service — uploaded or issued — by `id`, or by " +
			"`name` (an error when no certificate or several have that name). Private keys are never returned.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Id of the certificate. Exactly one of `id` and `name` must be set.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Exact name of the certificate. Exactly one of `id` and `name` must be set; " +
					"names need not be unique, and several matches are an error that lists their ids.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"project": schema.StringAttribute{
				MarkdownDescription: "Project to look in. With `name`, only this project is searched (default: " +
					"every project the caller may see); with `id`, the certificate must belong to it.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"source":   dataComputedString("`uploaded` (hosted third-party certificate) or `issued` (by the bundled CA)."),
			"standard": dataComputedString("`international` or `sm2`."),
			"status":   dataComputedString("Status name in the service, such as `issued`, `pending_validation` or `expired`."),
			"status_code": schema.Int64Attribute{
				MarkdownDescription: "Status as the service numbers it (0 pending review, 1 issued, 3 expired, …).",
				Computed:            true,
			},
			"tags": schema.MapAttribute{
				MarkdownDescription: "Tags of the certificate.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"ignore_expiration_notifications": schema.BoolAttribute{
				MarkdownDescription: "Whether the certificate's expiry notifications are ignored (N1).",
				Computed:            true,
			},
			"domain": dataComputedString("Primary domain of the certificate."),
			"subject_alternative_names": schema.ListAttribute{
				MarkdownDescription: "Every DNS name of the certificate, `domain` included.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"issuer":             dataComputedString("Distinguished name of the issuer."),
			"serial_number":      dataComputedString("Serial number of the current version, lowercase hex."),
			"not_before":         dataComputedString("Start of validity of the current version (RFC 3339)."),
			"not_after":          dataComputedString("End of validity of the current version (RFC 3339)."),
			"fingerprint_sha256": dataComputedString("SHA-256 fingerprint of the leaf certificate (hex)."),
			"key_algorithm":      dataComputedString("`RSA`, `ECC` or `SM2`."),
			"key_size": schema.Int64Attribute{
				MarkdownDescription: "Key size in bits.",
				Computed:            true,
			},
			"version": schema.Int64Attribute{
				MarkdownDescription: "Number of the current version.",
				Computed:            true,
			},
			"certificate_pem":            dataComputedString("The certificate as uploaded, or the issued leaf."),
			"full_chain_pem":             dataComputedString("The leaf followed by its CA certificates, normalised."),
			"ca_chain_pem":               dataComputedString("The CA certificates of the chain, from the leaf's issuer upwards."),
			"encryption_certificate_pem": dataComputedString("For SM2 certificates, the encryption certificate."),
			"chain_complete": schema.BoolAttribute{
				MarkdownDescription: "Whether the chain ends in a self-signed root.",
				Computed:            true,
			},
		},
	}
}

func (d *certificateDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Data Source", &resp.Diagnostics); ok {
		d.client = c
	}
}

func (d *certificateDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config certificateDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var cert *wire.Certificate
	if !config.ID.IsNull() {
		c, err := d.client.GetCertificate(ctx, config.ID.ValueString())
		if client.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Certificate Not Found",
				fmt.Sprintf("No certificate has the id %q, or it belongs to a project the token may not see. Check the id.", config.ID.ValueString()))
			return
		}
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to Read Certificate", err, rootFields("id"))
			return
		}
		if !config.Project.IsNull() && c.Project != config.Project.ValueString() {
			resp.Diagnostics.AddAttributeError(path.Root("project"), "Certificate In Another Project",
				fmt.Sprintf("Certificate %s belongs to project %q, not %q. Correct project or leave it out.", c.ID, c.Project, config.Project.ValueString()))
			return
		}
		cert = c
	} else {
		f := wire.ListFilter{NameExact: config.Name.ValueString(), Project: config.Project.ValueString()}
		tflog.Debug(ctx, "Looking up certificate by name", map[string]any{"name": f.NameExact, "project": f.Project})
		list, err := d.client.ListCertificates(ctx, f)
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to List Certificates", err, rootFields("name", "project"))
			return
		}
		switch len(list) {
		case 0:
			where := "any project you may see"
			if f.Project != "" {
				where = fmt.Sprintf("project %q", f.Project)
			}
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Certificate Not Found",
				fmt.Sprintf("No certificate is named %q in %s. Check the name, or look it up by id.", f.NameExact, where))
			return
		case 1:
			cert = &list[0]
		default:
			ids := make([]string, len(list))
			for i, c := range list {
				ids[i] = fmt.Sprintf("%s (project %s)", c.ID, c.Project)
			}
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Several Certificates Match",
				fmt.Sprintf("%d certificates are named %q: %s. Look the certificate up by id instead, or narrow the "+
					"search with project.", len(list), f.NameExact, strings.Join(ids, ", ")))
			return
		}
	}

	var state certificateDataSourceModel
	state.set(ctx, &resp.Diagnostics, cert)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (d *certificateDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

type certificateDataSourceModel struct {
	ID                            types.String `tfsdk:"id"`
	Name                          types.String `tfsdk:"name"`
	Project                       types.String `tfsdk:"project"`
	Source                        types.String `tfsdk:"source"`
	Standard                      types.String `tfsdk:"standard"`
	Tags                          types.Map    `tfsdk:"tags"`
	IgnoreExpirationNotifications types.Bool   `tfsdk:"ignore_expiration_notifications"`
	CertificatePEM                types.String `tfsdk:"certificate_pem"`
	EncryptionCertificatePEM      types.String `tfsdk:"encryption_certificate_pem"`
	certificateVersionModel
}

func (m *certificateDataSourceModel) set(ctx context.Context, diags *diag.Diagnostics, c *wire.Certificate) {
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.Project = types.StringValue(c.Project)
	m.Source = types.StringValue(c.Source)
	m.Standard = types.StringValue(c.Standard)
	m.Tags = stringMap(ctx, diags, c.Tags)
	m.IgnoreExpirationNotifications = types.BoolValue(c.IgnoreExpirationNotifications)
	m.CertificatePEM = types.StringValue(c.CertificatePEM)
	m.EncryptionCertificatePEM = stringOrNull(c.EncryptionCertificatePEM)
	m.setVersion(ctx, diags, c)
}
