package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*productsDataSource)(nil)

// Names the catalogue uses (DESIGN.md, ssl_certificate), for the filters' plan-time checks.
var (
	catalogueBrands           = []string{"SecureSite", "GeoTrust", "TrustAsia", "GlobalSign", "WoTrus", "DNSPod"}
	catalogueCertificateTypes = []string{"DV", "OV", "OV_PRO", "EV", "EV_PRO", "FREE_DV"}
	catalogueKeyAlgorithms    = []string{"RSA", "ECC", "SM2"}
)

// NewProductsDataSource is the ssl_products data source: the brand × certificate type
// catalogue of the bundled CA (rules M2, M3).
func NewProductsDataSource() datasource.DataSource {
	return &productsDataSource{}
}

type productsDataSource struct {
	client *client.Client
}

func (d *productsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_products"
}

func (d *productsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The catalogue of certificates the bundled CA issues: each brand × certificate type with " +
			"its validation level, domain types, key algorithms, validity limits, whether a pending order takes a " +
			"review reminder (rules M2–M4) and the revocation letter it needs (R7). Use it to check a product " +
			"before ordering with `ssl_certificate`.",
		Attributes: map[string]schema.Attribute{
			"brand": schema.StringAttribute{
				MarkdownDescription: "Only products of this brand: `SecureSite`, `GeoTrust`, `TrustAsia`, `GlobalSign`, " +
					"`WoTrus` or `DNSPod`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(catalogueBrands...)},
			},
			"certificate_type": schema.StringAttribute{
				MarkdownDescription: "Only products of this certificate type: `DV`, `OV`, `OV_PRO`, `EV`, `EV_PRO` or `FREE_DV`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(catalogueCertificateTypes...)},
			},
			"products": schema.ListNestedAttribute{
				MarkdownDescription: "The matching products, in catalogue order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"brand": schema.StringAttribute{MarkdownDescription: "Brand.", Computed: true},
						"certificate_type": schema.StringAttribute{
							MarkdownDescription: "Certificate type, the value of `ssl_certificate.certificate_type`.",
							Computed:            true,
						},
						"validation_level": schema.StringAttribute{MarkdownDescription: "`DV`, `OV` or `EV`.", Computed: true},
						"free":             schema.BoolAttribute{MarkdownDescription: "Whether the product is free.", Computed: true},
						"domain_types": schema.ListAttribute{
							MarkdownDescription: "Which names the product covers: `single`, and for paid products also " +
								"`multiple` (subject alternative names) and `wildcard`.",
							ElementType: types.StringType,
							Computed:    true,
						},
						"key_algorithms": schema.ListAttribute{
							MarkdownDescription: "Key algorithms the brand issues: `RSA`, `ECC`, and for some brands `SM2`.",
							ElementType:         types.StringType,
							Computed:            true,
						},
						"max_validity_days": schema.Int64Attribute{
							MarkdownDescription: "Longest `validity_days` the product allows.",
							Computed:            true,
						},
						"default_validity_days": schema.Int64Attribute{
							MarkdownDescription: "Validity when `validity_days` is not set.",
							Computed:            true,
						},
						"review_reminder": schema.BoolAttribute{
							MarkdownDescription: "Whether a pending order of this product can be sent a review reminder " +
								"(`send_reminder`; rules M2, M3).",
							Computed: true,
						},
						"reminder_after_hours": schema.Int64Attribute{
							MarkdownDescription: "Hours after submission when the reminder opens (rule M4: 24 for DV, " +
								"72 for OV, 96 for EV); 0 when the product takes no reminder.",
							Computed: true,
						},
						"revocation_letter_types": schema.MapAttribute{
							MarkdownDescription: "Per key algorithm, the file types (`jpg`, `png`, `gif`, `pdf`) a " +
								"revocation letter (`revocation_letter_path`) may have (rule R7). An algorithm without an " +
								"entry revokes without a letter.",
							ElementType: types.ListType{ElemType: types.StringType},
							Computed:    true,
						},
					},
				},
			},
		},
	}
}

func (d *productsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Data Source", &resp.Diagnostics); ok {
		d.client = c
	}
}

func (d *productsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readDataSource(ctx, req, resp, func(state *productsDataSourceModel) bool {
		list, err := d.client.Products(ctx)
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to Read Products", err, rootFields("brand", "certificate_type"))
			return false
		}
		brand, typ := state.Brand.ValueString(), state.CertificateType.ValueString()
		state.Products = make([]productsItemModel, 0, len(list))
		for _, p := range list {
			if (brand != "" && p.Brand != brand) || (typ != "" && p.CertificateType != typ) {
				continue
			}
			letters := map[string][]string{}
			for alg, exts := range p.RevocationLetterTypes {
				if exts == nil {
					exts = []string{}
				}
				letters[alg] = exts
			}
			letterTypes, diags := types.MapValueFrom(ctx, types.ListType{ElemType: types.StringType}, letters)
			resp.Diagnostics.Append(diags...)
			state.Products = append(state.Products, productsItemModel{
				Brand:                 types.StringValue(p.Brand),
				CertificateType:       types.StringValue(p.CertificateType),
				ValidationLevel:       types.StringValue(p.ValidationLevel),
				Free:                  types.BoolValue(p.Free),
				DomainTypes:           stringList(ctx, &resp.Diagnostics, p.DomainTypes),
				KeyAlgorithms:         stringList(ctx, &resp.Diagnostics, p.KeyAlgorithms),
				MaxValidityDays:       types.Int64Value(int64(p.MaxValidityDays)),
				DefaultValidityDays:   types.Int64Value(int64(p.DefaultValidity)),
				ReviewReminder:        types.BoolValue(p.ReviewReminder),
				ReminderAfterHours:    types.Int64Value(int64(p.ReminderAfterHours)),
				RevocationLetterTypes: letterTypes,
			})
		}
		if resp.Diagnostics.HasError() {
			return false
		}
		tflog.Debug(ctx, "Read the product catalogue", map[string]any{"brand": brand, "certificate_type": typ, "count": len(state.Products)})
		return true
	})
}

type productsDataSourceModel struct {
	Brand           types.String        `tfsdk:"brand"`
	CertificateType types.String        `tfsdk:"certificate_type"`
	Products        []productsItemModel `tfsdk:"products"`
}

type productsItemModel struct {
	Brand                 types.String `tfsdk:"brand"`
	CertificateType       types.String `tfsdk:"certificate_type"`
	ValidationLevel       types.String `tfsdk:"validation_level"`
	Free                  types.Bool   `tfsdk:"free"`
	DomainTypes           types.List   `tfsdk:"domain_types"`
	KeyAlgorithms         types.List   `tfsdk:"key_algorithms"`
	MaxValidityDays       types.Int64  `tfsdk:"max_validity_days"`
	DefaultValidityDays   types.Int64  `tfsdk:"default_validity_days"`
	ReviewReminder        types.Bool   `tfsdk:"review_reminder"`
	ReminderAfterHours    types.Int64  `tfsdk:"reminder_after_hours"`
	RevocationLetterTypes types.Map    `tfsdk:"revocation_letter_types"`
}
