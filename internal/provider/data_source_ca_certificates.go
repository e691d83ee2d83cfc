package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*caCertificatesDataSource)(nil)

// NewCACertificatesDataSource is the ssl_ca_certificates data source: the bundled
// CA's roots, intermediates, CRLs and OCSP URLs, for trust stores.
func NewCACertificatesDataSource() datasource.DataSource {
	return &caCertificatesDataSource{}
}

type caCertificatesDataSource struct {
	client *client.Client
}

func (d *caCertificatesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ca_certificates"
}

func (d *caCertificatesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The issuing authorities of the bundled CA — per brand and key algorithm a root and an " +
			"intermediate — with their CRLs and OCSP URLs, so that clients can be given a trust store for the " +
			"certificates `ssl_certificate` issues. These are the backend's own private CAs named after the brand, " +
			"never the public CA of that name.\n\n" +
			"The authorities of a brand and algorithm are created on first use. Setting `brand` and/or " +
			"`key_algorithm` creates the ones asked for when they do not exist yet; without either, the list holds " +
			"the authorities created so far. CRLs are signed afresh on each read with a short next update, so " +
			"`crl_pem` may differ between reads.",
		Attributes: map[string]schema.Attribute{
			"brand": schema.StringAttribute{
				MarkdownDescription: "Only the authorities of this brand: `SecureSite`, `GeoTrust`, `TrustAsia`, " +
					"`GlobalSign`, `WoTrus` or `DNSPod`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(catalogueBrands...)},
			},
			"key_algorithm": schema.StringAttribute{
				MarkdownDescription: "Only the authorities of this key algorithm: `RSA`, `ECC` or `SM2` (SM2 for the " +
					"brands that issue it: `WoTrus`, `DNSPod`).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(catalogueKeyAlgorithms...)},
			},
			"authorities": schema.ListNestedAttribute{
				MarkdownDescription: "The matching authorities, ordered by id.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":               dataComputedString("Id of the issuing CA."),
						"brand":            dataComputedString("Brand."),
						"key_algorithm":    dataComputedString("`RSA`, `ECC` or `SM2`."),
						"root_pem":         dataComputedString("Self-signed root certificate in PEM: the trust anchor."),
						"intermediate_pem": dataComputedString("Intermediate (issuing) CA certificate in PEM, signed by the root."),
						"crl_pem":          dataComputedString("Current CRL of the intermediate in PEM, freshly signed."),
						"crl_url":          dataComputedString("URL of the CRL (DER), as issued certificates name it."),
						"ocsp_url":         dataComputedString("URL of the OCSP responder, as issued certificates name it."),
					},
				},
			},
			"trust_bundle_pem": schema.StringAttribute{
				MarkdownDescription: "Every root certificate of `authorities`, concatenated in PEM: a trust store for " +
					"clients of the certificates these CAs issue. Empty when there is no authority.",
				Computed: true,
			},
		},
	}
}

func (d *caCertificatesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Data Source", &resp.Diagnostics); ok {
		d.client = c
	}
}

func (d *caCertificatesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readDataSource(ctx, req, resp, func(state *caCertificatesDataSourceModel) bool {
		brand, alg := state.Brand.ValueString(), state.KeyAlgorithm.ValueString()
		list, err := d.client.Authorities(ctx, brand, alg)
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to Read CA Certificates", err, rootFields("brand", "key_algorithm"))
			return false
		}
		if len(list) == 0 && brand != "" && alg != "" {
			resp.Diagnostics.AddAttributeError(path.Root("key_algorithm"), "No Such Authority",
				fmt.Sprintf("%s issues no %s certificates, so it has no %s authority. Choose a key algorithm the brand "+
					"issues (see the key_algorithms of the ssl_products data source), or leave key_algorithm out.", brand, alg, alg))
			return false
		}

		var bundle strings.Builder
		seen := map[string]bool{}
		state.Authorities = make([]caCertificatesItemModel, 0, len(list))
		for _, a := range list {
			state.Authorities = append(state.Authorities, caCertificatesItemModel{
				ID:              types.StringValue(a.ID),
				Brand:           types.StringValue(a.Brand),
				KeyAlgorithm:    types.StringValue(a.KeyAlgorithm),
				RootPEM:         types.StringValue(a.RootPEM),
				IntermediatePEM: types.StringValue(a.IntermediatePEM),
				CRLPEM:          types.StringValue(a.CRLPEM),
				CRLURL:          types.StringValue(a.CRLURL),
				OCSPURL:         types.StringValue(a.OCSPURL),
			})
			root := strings.TrimSpace(a.RootPEM)
			if root == "" || seen[root] {
				continue
			}
			seen[root] = true
			bundle.WriteString(root)
			bundle.WriteString("\n")
		}
		state.TrustBundlePEM = types.StringValue(bundle.String())
		tflog.Debug(ctx, "Read the CA certificates", map[string]any{"brand": brand, "key_algorithm": alg, "count": len(list)})
		return true
	})
}

type caCertificatesDataSourceModel struct {
	Brand          types.String              `tfsdk:"brand"`
	KeyAlgorithm   types.String              `tfsdk:"key_algorithm"`
	Authorities    []caCertificatesItemModel `tfsdk:"authorities"`
	TrustBundlePEM types.String              `tfsdk:"trust_bundle_pem"`
}

type caCertificatesItemModel struct {
	ID              types.String `tfsdk:"id"`
	Brand           types.String `tfsdk:"brand"`
	KeyAlgorithm    types.String `tfsdk:"key_algorithm"`
	RootPEM         types.String `tfsdk:"root_pem"`
	IntermediatePEM types.String `tfsdk:"intermediate_pem"`
	CRLPEM          types.String `tfsdk:"crl_pem"`
	CRLURL          types.String `tfsdk:"crl_url"`
	OCSPURL         types.String `tfsdk:"ocsp_url"`
}
