package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var (
	_ resource.ResourceWithConfigure        = (*certificateResource)(nil)
	_ resource.ResourceWithImportState      = (*certificateResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*certificateResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*certificateResource)(nil)
	_ resource.ResourceWithConfigValidators = (*certificateResource)(nil)
)

// NewCertificateResource is the ssl_certificate resource: a certificate issued by the
// bundled CA, with reissue on key change, renewal in place once the service opens the
// renewal window, and revoke before destroy (rules M, R, D, I, H1, N1).
func NewCertificateResource() resource.Resource {
	return &certificateResource{}
}

type certificateResource struct {
	client *client.Client
}

const (
	certificateDefaultCreateTimeout = 20 * time.Minute
	certificateDefaultDeleteTimeout = 20 * time.Minute
	certificateRevokePollMin        = 200 * time.Millisecond
	certificateRevokePollMax        = 5 * time.Second
	certificateReissueReason        = "key material changed in the Terraform configuration"
)

var (
	certificateBrands            = []string{"SecureSite", "GeoTrust", "TrustAsia", "GlobalSign", "WoTrus", "DNSPod"}
	certificateTypes             = []string{"DV", "OV", "OV_PRO", "EV", "EV_PRO", "FREE_DV"}
	certificateValidationMethods = []string{"DNS", "FILE", "DNS_AUTO", "FILE_AUTO"}
	// RFC 5280 reason names a subscriber may give; certificateHold and removeFromCRL
	// are not revocations that end a certificate, so they are not offered.
	certificateRevocationReasons = []string{"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
		"superseded", "cessationOfOperation", "privilegeWithdrawn", "aACompromise"}
)

func (r *certificateResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_certificate"
}

func (r *certificateResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	optionalOrg := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Optional: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Issues a certificate from the backend's private CA of the chosen `brand` and " +
			"`certificate_type`, following the certificate service's order life cycle (rules M, R, D and I).\n\n" +
			"**Issuance in one or two steps.** When no outside action is needed (a `*_AUTO` `validation_method` or the " +
			"backend's `validation = auto`, and `review_policy = auto`) the certificate is issued during create. " +
			"Otherwise create succeeds with a pending `status` and the `validation_records` to publish; add an " +
			"`ssl_certificate_validation` resource to wait until the certificate is issued.\n\n" +
			"**Reissue on key change.** A change of `key_algorithm`, `key_size`, `csr_pem`, `private_key_password` or " +
			"`private_key_password_wo_version` reissues the certificate in place: the same `id`, a new `serial_number` " +
			"and key, the same `not_after` (rule I5) and `reissue_count` one more. The superseded certificate is " +
			"revoked by the CA with reason `superseded`: its serial appears on the CRL and OCSP answers `revoked` for " +
			"it, so install the new certificate wherever the old one was. A reissue is refused at plan time when the " +
			"certificate expires within 30 days (I1: renew it instead), when a free DV certificate was already " +
			"reissued once (I2) and while a reissue is in progress (I4).\n\n" +
			"**Renewal.** With `renew_before_days`, the service opens the certificate's renewal window that many days " +
			"before `not_after`, by its own clock; every refresh shows it as `ready_for_renewal`. Once it is `true`, the " +
			"plan shows an in-place update that renews the certificate, with a warning that gives the reason: the same " +
			"`id`, a new `version` with a new key, `serial_number`, `not_before` and `not_after` (`validity_days` from " +
			"the renewal). The resources that `ssl_resource_hosting` binds get the new version in the same step (rule H1); " +
			"the previous certificate is not revoked and keeps serving until its successor is issued. An expired " +
			"certificate with `renew_before_days` is renewed in place rather than replaced. When validation or review " +
			"is not automatic the renewal waits (apply warns with what it waits for) and the current certificate stays; " +
			"until it is issued each plan shows the renewal again and each apply checks on it, without ordering twice. " +
			"A certificate issued for a `csr_pem`, or with a private key password, cannot be renewed in place (the plan " +
			"warns and says what to do). To renew into a new record instead, create a new `ssl_certificate` with " +
			"`renews_certificate_id`.\n\n" +
			"**Replacement.** A change of `domain`, `subject_alternative_names`, `brand`, `certificate_type`, " +
			"`validation_method`, `organization`, `validity_days` or `renews_certificate_id` orders a new certificate. " +
			"A certificate that was revoked or expired, or whose order was cancelled or rejected, outside Terraform is " +
			"replaced by the next plan, with a warning that says why.\n\n" +
			"**Revoke before destroy.** Destroying an issued certificate revokes it (`revocation_reason`, and the letter " +
			"`revocation_letter_path` where rule R7 asks for one), waits until the revocation is approved (within " +
			"`timeouts.delete`) and then deletes it. A pending order is cancelled, then deleted; an expired, revoked or " +
			"cancelled certificate is deleted at once. Refusals (R4: it expires within 30 days; R6: issued before " +
			"2020-03-25; a missing or wrong letter) show in the destroy plan. `revoke_on_destroy = false` removes the " +
			"resource from Terraform and leaves the certificate in the service. Add `lifecycle { create_before_destroy " +
			"= true }` to every certificate that resource hosting binds, so that its replacement exists before it is " +
			"revoked.\n\n" +
			"**Import** by id. The service never returns a private key password or a CSR: after import, a configured " +
			"`private_key_password` or `csr_pem` shows once as an in-place update that only records it in the state — " +
			"the password is checked against the service's verifier (a wrong one is an error), the CSR against the " +
			"certificate's public key — and nothing is reissued. The write-only `private_key_password_wo` never shows " +
			"in a plan; setting `private_key_password_wo_version` after import is likewise only recorded, after the " +
			"same password check.",
		Attributes: map[string]schema.Attribute{
			"id":      idAttribute("Stable id of the certificate record; it survives reissues."),
			"name":    nameAttribute("Name of the certificate. Need not be unique. Changes in place."),
			"project": projectAttribute("Project the certificate belongs to. Defaults to `\"default\"`. Changes in place."),
			"tags":    tagsAttribute("Tags (key/value) of the certificate. Keys cannot be empty. Changes in place."),
			"ignore_expiration_notifications": ignoreNotificationsAttribute(
				"Ignore the expiry notifications of this certificate (rule N1). Only a certificate " +
					"that expires within 30 days can be ignored: turning it on earlier is a plan-time error that gives the " +
					"date from which it can be. A new version (reissue or renewal) clears it in the service; a " +
					"configuration that keeps `true` shows no change and no error, and it is set again as soon as the " +
					"service accepts it for the new version (a plan then shows it turning `true`). Defaults to `false`. " +
					"Changes in place."),
			"domain": schema.StringAttribute{
				MarkdownDescription: "The domain the certificate is for (its common name), e.g. `www.example.com` or, " +
					"where the product allows, `*.example.com`. Kept as written; the service compares names in lower " +
					"case without a trailing dot, so a change of spelling alone is recorded in place. Another domain " +
					"replaces the certificate.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(domainChanged,
					"A new domain orders a new certificate.", "A new domain orders a new certificate.")},
			},
			"subject_alternative_names": schema.SetAttribute{
				MarkdownDescription: "Further DNS names of the certificate (paid products only; wildcards where the " +
					"product allows). `domain` need not be repeated. A change of the names covered replaces the " +
					"certificate.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplaceIf(namesChanged,
					"Other names order a new certificate.", "Other names order a new certificate.")},
			},
			"brand": schema.StringAttribute{
				MarkdownDescription: "Brand of the issuing CA: `SecureSite`, `GeoTrust`, `TrustAsia`, `GlobalSign`, " +
					"`WoTrus` or `DNSPod` (the backend's own private CAs named after the brand). Changing it replaces " +
					"the certificate.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf(certificateBrands...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"certificate_type": schema.StringAttribute{
				MarkdownDescription: "`DV`, `OV`, `OV_PRO`, `EV`, `EV_PRO` or `FREE_DV`; not every brand sells every " +
					"type (rule M2, see the `ssl_products` data source). OV and EV need `organization`. Changing it " +
					"replaces the certificate.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf(certificateTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"key_algorithm": schema.StringAttribute{
				MarkdownDescription: "`RSA` (the default), `ECC` or `SM2` (DNSPod and WoTrus; gives a signature and an " +
					"encryption certificate). With `csr_pem` it defaults to the CSR's algorithm. Changing it reissues " +
					"the certificate in place; a reissue cannot move between SM2 and RSA/ECC.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.OneOf(certificateKeyRSA, certificateKeyECC, certificateKeySM2)},
			},
			"key_size": schema.Int64Attribute{
				MarkdownDescription: "Key size in bits: RSA 2048 (default), 3072 or 4096; ECC 256 (default) or 384; SM2 256. " +
					"With `csr_pem` it defaults to the CSR's. Changing it reissues the certificate in place.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.OneOf(256, 384, 2048, 3072, 4096)},
			},
			"csr_pem": schema.StringAttribute{
				MarkdownDescription: "A PEM certificate signing request whose key the certificate is issued for: the " +
					"private key never reaches the service, and `private_key_pem` stays empty. A CSR with another key " +
					"reissues the certificate in place; one with the current certificate's key is only recorded.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"private_key_password": schema.StringAttribute{
				MarkdownDescription: "Password that encrypts `private_key_pem` (PKCS #8). The service keeps only a " +
					"verifier and never returns it (rule I6); a certificate with a password cannot be deployed to " +
					"platform resources. Stored in state; `private_key_password_wo` keeps it out. Changing it reissues " +
					"the certificate in place. After import it is checked and only recorded.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"private_key_password_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only alternative to `private_key_password` (Terraform 1.11 and later): sent " +
					"to the service, never stored in plan or state. Terraform cannot see a change of it: change " +
					"`private_key_password_wo_version` to reissue with the new password.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"private_key_password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `private_key_password_wo`. Changing it from one number to another " +
					"reissues the certificate with the write-only password. Setting it where it was unset (for " +
					"example after `terraform import`) checks the password against the service and only records it " +
					"when it is the key's password already.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("private_key_password_wo"))},
			},
			"validation_method": schema.StringAttribute{
				MarkdownDescription: "How domain control is validated: `DNS` (the default; a TXT record), `FILE` (a " +
					"file on the web server), or `DNS_AUTO` / `FILE_AUTO` (validated at once). Changing it replaces " +
					"the certificate.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString("DNS"),
				Validators:    []validator.String{stringvalidator.OneOf(certificateValidationMethods...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"organization": schema.SingleNestedAttribute{
				MarkdownDescription: "The organisation named in an OV or EV certificate (required there, refused for " +
					"DV). EV also needs `registration_number`, `business_category` and `jurisdiction_country`. " +
					"Changing it replaces the certificate.",
				Optional:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{
						MarkdownDescription: "Legal name of the organisation.",
						Required:            true,
					},
					"division": optionalOrg("Organisational unit."),
					"country": schema.StringAttribute{
						MarkdownDescription: "Country, two letters (ISO 3166), e.g. `CN`.",
						Required:            true,
					},
					"province":             optionalOrg("Province or state (this or `locality` is required)."),
					"locality":             optionalOrg("City (this or `province` is required)."),
					"address":              optionalOrg("Street address."),
					"postal_code":          optionalOrg("Postal code."),
					"contact_name":         optionalOrg("Name of the contact the CA verifies the order with."),
					"contact_email":        optionalOrg("Email of the contact."),
					"contact_phone":        optionalOrg("Phone number of the contact."),
					"registration_number":  optionalOrg("EV: the company's registration number (subject serialNumber)."),
					"business_category":    optionalOrg("EV: e.g. `Private Organization`."),
					"jurisdiction_country": optionalOrg("EV: country of incorporation, two letters."),
				},
			},
			"validity_days": schema.Int64Attribute{
				MarkdownDescription: "Validity in days, within the product's limit. Defaults to the product's: 365 for " +
					"paid products, 90 for `FREE_DV`. Setting another value replaces the certificate; removing it " +
					"keeps the current certificate.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown(),
					int64planmodifier.RequiresReplaceIfConfigured()},
			},
			"renew_before_days": schema.Int64Attribute{
				MarkdownDescription: "How many days before `not_after` the certificate is due for renewal; must be less " +
					"than `validity_days`. Kept by the service, which sets `ready_for_renewal` once the window opens; the " +
					"next plan then renews the certificate in place (see **Renewal** above). Changes in place; a new value " +
					"is judged by the service from the next refresh on.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"renews_certificate_id": schema.StringAttribute{
				MarkdownDescription: "Id of an older certificate that this one renews (the service's \"old " +
					"certificate id\"): once this one is issued, resources that hosting binds to the old one move to " +
					"it when domain type, certificate type and brand are equal (rule H2). Setting another id replaces " +
					"the certificate; removing it keeps the current one.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIfConfigured()},
			},
			"send_reminder": schema.BoolAttribute{
				MarkdownDescription: "Send the CA a review reminder for a pending paid order (rules M1–M4). The " +
					"reminder opens 24 h after submission for DV, 72 h for OV and 96 h for EV (`reminder_available_at`): " +
					"before that, apply warns and a later apply sends it (while the order is pending and no reminder " +
					"was sent, each plan shows an in-place update for it). Refused at plan time for products without " +
					"reminders (WoTrus, DNSPod SM2). Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"revoke_on_destroy": schema.BoolAttribute{
				MarkdownDescription: "Revoke an issued certificate before deleting it on destroy (rules D2, R). With " +
					"`false`, destroy only removes the resource from Terraform and leaves the certificate — valid — in " +
					"the service, with a warning. Defaults to `true`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"revocation_reason": schema.StringAttribute{
				MarkdownDescription: "RFC 5280 reason given when destroy revokes the certificate: `unspecified` (the " +
					"default), `keyCompromise`, `cACompromise`, `affiliationChanged`, `superseded`, " +
					"`cessationOfOperation`, `privilegeWithdrawn` or `aACompromise`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString("unspecified"),
				Validators: []validator.String{stringvalidator.OneOf(certificateRevocationReasons...)},
			},
			"revocation_letter_path": schema.StringAttribute{
				MarkdownDescription: "Path of the signed letter a revocation needs (rule R7): OV/EV of brands other " +
					"than WoTrus take a confirmation letter (JPG, PNG or PDF) unless `*_AUTO` validation is set up; " +
					"DNSPod SM2 OV/EV an application file (JPG, GIF or PDF); at most 1.4 MB. Checked by content at plan " +
					"time and sent when destroy revokes. Not kept by the service, so not read back after import.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"status": computedString("Status of the certificate in the service: `pending_validation`, `pending_review`, " +
				"`issued`, `reissuing`, `revoking`, `revoked`, `expired`, `review_failed`, `cancelled`, …"),
			"status_code": schema.Int64Attribute{
				MarkdownDescription: "Status as the service numbers it (0 pending review, 1 issued, 2 review failed, " +
					"3 expired, 7 cancelled, 9 revoking, 10 revoked, 11 reissuing, …).",
				Computed: true,
			},
			"serial_number": computedString("Serial number of the current certificate, lowercase hex."),
			"not_before":    computedString("Start of validity of the current certificate (RFC 3339)."),
			"not_after": computedString("End of validity (RFC 3339); a reissue keeps it (rule I5), a renewal moves it " +
				"to `validity_days` after the renewal."),
			"fingerprint_sha256": computedString("SHA-256 fingerprint of the current certificate (hex)."),
			"version": schema.Int64Attribute{
				MarkdownDescription: "Number of the current version of the record: 1 after the first issue, one more " +
					"after each reissue and each renewal; 0 while the order is pending.",
				Computed: true,
			},
			"issuer":          computedString("Distinguished name of the issuing (intermediate) CA."),
			"certificate_pem": computedString("The certificate (leaf) in PEM; for SM2 the signature certificate."),
			"ca_chain_pem":    computedString("The CA certificates above the leaf, intermediate first, root last."),
			"full_chain_pem":  computedString("The leaf followed by `ca_chain_pem`."),
			"private_key_pem": schema.StringAttribute{
				MarkdownDescription: "The private key the service generated, PKCS #8 PEM — encrypted (`ENCRYPTED PRIVATE " +
					"KEY`) when a password is set. Empty with `csr_pem`. Once a revocation is submitted the service no " +
					"longer hands it out (rule R2) and the state keeps the last one.",
				Computed:  true,
				Sensitive: true,
			},
			"encryption_certificate_pem": computedString("SM2 only: the encryption certificate in PEM."),
			"encryption_private_key_pem": schema.StringAttribute{
				MarkdownDescription: "SM2 only: the key of the encryption certificate (encrypted like `private_key_pem`).",
				Computed:            true,
				Sensitive:           true,
			},
			"validation_records": schema.ListNestedAttribute{
				MarkdownDescription: "What to publish for a pending domain validation: a DNS TXT record (`name`, " +
					"`type`, `value`) or a file (`url`, `path`, `content`) per domain. Empty once validated.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"domain":  computedString("Domain the record proves control of."),
						"method":  computedString("`DNS` or `FILE`."),
						"name":    computedString("DNS: name of the TXT record."),
						"type":    computedString("DNS: record type (`TXT`)."),
						"value":   computedString("DNS: value of the record."),
						"url":     computedString("FILE: URL the file is fetched from."),
						"path":    computedString("FILE: path of the file on the web server."),
						"content": computedString("FILE: content of the file."),
					},
				},
			},
			"reissue_count": schema.Int64Attribute{
				MarkdownDescription: "How many times the certificate was reissued.",
				Computed:            true,
			},
			"ready_for_renewal": schema.BoolAttribute{
				MarkdownDescription: "Whether the renewal window (`renew_before_days` before `not_after`) is open, as the " +
					"service says on refresh by its clock. While it is `true` the plan renews the certificate in place and " +
					"plans `false`.",
				Computed: true,
			},
			"reminder_available_at": computedString("When a review reminder can be sent for the pending order " +
				"(RFC 3339, rule M4); empty for products without reminders and once nothing is pending."),
			"reminder_sent_at": computedString("When a review reminder was sent (RFC 3339)."),
		},
		Blocks: map[string]schema.Block{
			"timeouts": certificateTimeoutsBlock(),
		},
	}
}

func (r *certificateResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Resource", &resp.Diagnostics); ok {
		r.client = c
	}
}

func (r *certificateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config certificateResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout := certificateTimeout(ctx, plan.Timeouts, "create", certificateDefaultCreateTimeout, &resp.Diagnostics)
	in := plan.orderRequest(ctx, config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	tflog.Debug(ctx, "Ordering certificate", map[string]any{
		"name": in.Name, "domain": in.Domain, "brand": in.Brand, "certificate_type": in.CertificateType,
		"key_algorithm": in.KeyAlgorithm, "csr": in.CSRPEM != "", "password": in.PrivateKeyPassword != "",
	})
	cert, err := r.client.OrderCertificate(ctx, in)
	if err != nil {
		addBackendError(&resp.Diagnostics, "Unable to Order Certificate", err, config.fields())
		return
	}
	// The order exists from here on: keep its id whatever happens next.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), cert.ID)...)
	plan.ID = types.StringValue(cert.ID)

	reportHostingNote(ctx, cert, &resp.Diagnostics)
	if certificatePending(cert.Status) {
		resp.Diagnostics.AddWarning("Certificate Order Pending",
			fmt.Sprintf("Certificate %s was ordered and is %s. %s Add an ssl_certificate_validation resource with "+
				"certificate_id = this certificate's id to wait until it is issued.", cert.ID, cert.Status, pendingText(cert)))
		if plan.SendReminder.ValueBool() {
			if sent := r.sendReminder(ctx, cert, &resp.Diagnostics); sent != nil {
				cert = sent
			}
		}
	}

	if full, err := r.client.GetCertificate(ctx, cert.ID); err == nil {
		cert = full
	} else {
		addBackendError(&resp.Diagnostics, "Unable to Read Certificate", err, rootFields())
	}
	plan.mergeAnswer(ctx, &resp.Diagnostics, cert)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *certificateResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state certificateResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cert, err := r.client.GetCertificate(ctx, state.ID.ValueString())
	if !readFound(ctx, resp, err, "Certificate no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()},
		"Unable to Read Certificate", rootFields()) {
		return
	}
	if cert.Source != "issued" || cert.Order == nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Not An Issued Certificate",
			fmt.Sprintf("Certificate %s was uploaded, not issued by the service's CA. Manage it with an "+
				"ssl_certificate_upload resource instead.", cert.ID))
		return
	}

	state.ID = types.StringValue(cert.ID)
	state.Name = types.StringValue(cert.Name)
	state.Project = types.StringValue(cert.Project)
	state.Tags = stringMap(ctx, &resp.Diagnostics, cert.Tags)
	state.IgnoreExpirationNotifications = types.BoolValue(r.readIgnore(ctx, state, cert, resp.Private, &resp.Diagnostics))
	// The configured spelling of the names is kept while it covers the same names.
	var sans []string
	if !state.SubjectAlternativeNames.IsNull() && !state.SubjectAlternativeNames.IsUnknown() {
		resp.Diagnostics.Append(state.SubjectAlternativeNames.ElementsAs(ctx, &sans, false)...)
	}
	if state.Domain.IsNull() || normalizeDomain(state.Domain.ValueString()) != normalizeDomain(cert.Domain) {
		state.Domain = types.StringValue(cert.Domain)
	}
	if !sameNames(certificateNames(state.Domain.ValueString(), sans), certificateNames(cert.Domain, cert.SubjectAlternativeNames)) {
		var extra []string
		for _, n := range cert.SubjectAlternativeNames {
			if normalizeDomain(n) != normalizeDomain(cert.Domain) {
				extra = append(extra, n)
			}
		}
		if len(extra) == 0 {
			state.SubjectAlternativeNames = types.SetNull(types.StringType)
		} else {
			s, d := types.SetValueFrom(ctx, types.StringType, extra)
			resp.Diagnostics.Append(d...)
			state.SubjectAlternativeNames = s
		}
	}
	// While a reissue waits (I7 validation or review) the current version keeps its
	// key; the state keeps the key the reissue asked for.
	if cert.Status != "reissuing" || state.KeyAlgorithm.IsNull() || state.KeySize.IsNull() {
		state.KeyAlgorithm = stringOrNull(cert.KeyAlgorithm)
		state.KeySize = types.Int64Value(int64(cert.KeySize))
	}
	state.Organization = organizationValue(ctx, &resp.Diagnostics, cert.Order.Organization)
	state.setOrder(cert)
	// Settings that live only in Terraform get their defaults after an import.
	if state.SendReminder.IsNull() {
		state.SendReminder = types.BoolValue(false)
	}
	if state.RevokeOnDestroy.IsNull() {
		state.RevokeOnDestroy = types.BoolValue(true)
	}
	if state.RevocationReason.IsNull() {
		state.RevocationReason = types.StringValue("unspecified")
	}
	state.setComputed(ctx, &resp.Diagnostics, cert)
	// R2: once a revocation is submitted the service no longer hands the key out;
	// the state keeps the last one.
	if cert.PrivateKeyPEM != "" || !certificateRevocationSubmitted(cert.Status) || cert.Order.CSRProvided {
		state.PrivateKeyPEM = stringOrNull(cert.PrivateKeyPEM)
		state.EncryptionPrivateKeyPEM = stringOrNull(cert.EncryptionPrivateKeyPEM)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *certificateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config certificateResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	fields := config.fields()
	// saved is what the state holds should a later call fail.
	saved := state
	// newVersion is the record once this apply made a new version of it (a reissue or
	// a renewal that completed); version is the current version's number.
	var newVersion *wire.Certificate
	version := state.Version.ValueInt64()
	fail := func() {
		if newVersion != nil {
			// The new version's key belongs with its certificate.
			if full, err := r.client.GetCertificate(ctx, id); err == nil {
				saved.PrivateKeyPEM = stringOrNull(full.PrivateKeyPEM)
				saved.EncryptionPrivateKeyPEM = stringOrNull(full.EncryptionPrivateKeyPEM)
			}
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, saved)...)
	}

	if plan.reissues() {
		in := plan.reissueRequest(config)
		tflog.Info(ctx, "Reissuing certificate", map[string]any{
			"id": id, "key_algorithm": in.KeyAlgorithm, "key_size": in.KeySize, "csr": in.CSRPEM != "", "password": in.PrivateKeyPassword != "",
		})
		cert, err := r.client.ReissueCertificate(ctx, id, in)
		if err != nil {
			addCertificateError(&resp.Diagnostics, "Unable to Reissue Certificate", err, fields, plan.reissueTrigger(state))
			return
		}
		if certificatePending(cert.Status) || cert.Status == "reissuing" {
			resp.Diagnostics.AddWarning("Reissue Pending",
				fmt.Sprintf("The reissue of certificate %s waits: %s The current certificate stays valid until it "+
					"completes; an ssl_certificate_validation resource can wait for it.", id, pendingText(cert)))
		}
		saved.KeyAlgorithm, saved.KeySize, saved.CSRPEM = plan.KeyAlgorithm, plan.KeySize, plan.CSRPEM
		saved.PrivateKeyPassword, saved.PrivateKeyPasswordWOVersion = plan.PrivateKeyPassword, plan.PrivateKeyPasswordWOVersion
		saved.setComputed(ctx, &resp.Diagnostics, cert)
		if int64(cert.Version) > version {
			newVersion, version = cert, int64(cert.Version)
		}
	} else if plan.passwordTouched(state) {
		// Only recorded: the password is the key's already (checked at plan time).
		ok, err := r.client.CheckPassword(ctx, id, config.password().ValueString())
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to Check Private Key Password", err, fields)
			return
		}
		if !ok {
			resp.Diagnostics.AddAttributeError(config.passwordPath(), "Private Key Password Does Not Match",
				fmt.Sprintf("The configured password is not the one certificate %s's private key was issued with. Set "+
					"the key's current password; to change it, change it in a later apply, which reissues the certificate.", id))
			return
		}
	}

	if plan.renews(state) {
		if saved.Status.ValueString() == "reissuing" {
			resp.Diagnostics.AddAttributeWarning(path.Root("renew_before_days"), "Renewal Deferred",
				fmt.Sprintf("Certificate %s is renewed only with nothing pending, and its reissue waits. The renewal "+
					"follows in a later apply, once the reissue completes.", id))
		} else {
			cert, err := r.renew(ctx, id, version, &resp.Diagnostics)
			if err != nil {
				addCertificateError(&resp.Diagnostics, "Unable to Renew Certificate", err, fields, path.Root("renew_before_days"))
				fail()
				return
			}
			saved.setComputed(ctx, &resp.Diagnostics, cert)
			if int64(cert.Version) > version {
				newVersion = cert
			}
		}
	}

	var upd wire.UpdateRequest
	changed := false
	if !plan.Name.Equal(state.Name) {
		upd.Name, changed = plan.Name.ValueStringPointer(), true
	}
	if !plan.Project.Equal(state.Project) {
		upd.Project, changed = plan.Project.ValueStringPointer(), true
	}
	if !plan.Tags.Equal(state.Tags) {
		tags := mapToGo(ctx, &resp.Diagnostics, plan.Tags)
		if tags == nil {
			tags = map[string]string{}
		}
		upd.Tags, changed = &tags, true
	}
	// A new version clears the ignore in the service (N1); a configuration that keeps
	// (or turns) it true sets it again below, where a refusal is not an error.
	ignore := plan.IgnoreExpirationNotifications.ValueBool()
	ignoreNow := state.IgnoreExpirationNotifications.ValueBool()
	if newVersion != nil {
		ignoreNow = newVersion.IgnoreExpirationNotifications
	}
	reassertIgnore := newVersion != nil && ignore && !ignoreNow
	if ignore != ignoreNow && !reassertIgnore {
		upd.IgnoreExpirationNotifications, changed = plan.IgnoreExpirationNotifications.ValueBoolPointer(), true
	}
	if !plan.RenewBeforeDays.Equal(state.RenewBeforeDays) {
		days := int(plan.RenewBeforeDays.ValueInt64()) // null: 0, no renewal window
		upd.RenewBeforeDays, changed = &days, true
	}
	if resp.Diagnostics.HasError() {
		fail()
		return
	}
	if changed {
		tflog.Debug(ctx, "Updating certificate metadata", map[string]any{"id": id})
		if _, err := r.client.UpdateCertificate(ctx, id, upd); err != nil {
			addBackendError(&resp.Diagnostics, "Unable to Update Certificate", err, fields)
			fail()
			return
		}
	}
	if reassertIgnore {
		if _, err := setIgnoreAgain(ctx, r.client, id, newVersion.Version, resp.Private, &resp.Diagnostics); err != nil {
			addBackendError(&resp.Diagnostics, "Unable to Update Certificate", err, fields)
			saved.Name, saved.Project, saved.Tags, saved.RenewBeforeDays = plan.Name, plan.Project, plan.Tags, plan.RenewBeforeDays
			fail()
			return
		}
	} else if !ignore || upd.IgnoreExpirationNotifications != nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateIgnoreCleared, nil)...)
	}

	cert, err := r.client.GetCertificate(ctx, id)
	if err != nil {
		addBackendError(&resp.Diagnostics, "Unable to Read Certificate", err, rootFields())
		fail()
		return
	}
	if plan.ReminderSentAt.IsUnknown() && certificatePending(cert.Status) {
		if sent := r.sendReminder(ctx, cert, &resp.Diagnostics); sent != nil {
			cert.Order = sent.Order
		}
	}

	plan.mergeAnswer(ctx, &resp.Diagnostics, cert)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *certificateResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state certificateResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	if !state.RevokeOnDestroy.ValueBool() {
		resp.Diagnostics.AddWarning("Certificate Left In The Service",
			fmt.Sprintf("revoke_on_destroy is false: certificate %s was removed from Terraform but stays in the "+
				"service, still valid until it expires. Revoke or delete it there when it is no longer needed.", id))
		return
	}
	timeout := certificateTimeout(ctx, state.Timeouts, "delete", certificateDefaultDeleteTimeout, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cert, err := r.client.GetCertificate(ctx, id)
	if client.IsNotFound(err) {
		return
	}
	if err != nil {
		addBackendError(&resp.Diagnostics, "Unable to Read Certificate", err, rootFields())
		return
	}
	switch {
	case certificatePending(cert.Status):
		// D3: an order under application is cancelled before it is deleted.
		tflog.Info(ctx, "Cancelling pending certificate order", map[string]any{"id": id, "status": cert.Status})
		if _, err := r.client.CancelCertificate(ctx, id); err != nil {
			if client.IsNotFound(err) {
				return
			}
			addBackendError(&resp.Diagnostics, "Unable to Cancel Certificate Order", err, rootFields())
			return
		}
	case cert.Status == "issued" || cert.Status == "reissuing":
		// D2: an issued certificate that has not expired is revoked first.
		in := wire.RevokeRequest{Reason: state.RevocationReason.ValueString()}
		if p := state.RevocationLetterPath; !p.IsNull() && p.ValueString() != "" {
			letter, problem := readLetter(p.ValueString(), nil)
			if problem != nil {
				resp.Diagnostics.AddAttributeError(path.Root("revocation_letter_path"), problem.summary, problem.detail)
				return
			}
			in.Letter, in.LetterName = letter, filepath.Base(p.ValueString())
		}
		tflog.Info(ctx, "Revoking certificate before deleting it", map[string]any{"id": id, "reason": in.Reason})
		if _, err := r.client.RevokeCertificate(ctx, id, in); err != nil {
			if client.IsNotFound(err) {
				return
			}
			addCertificateError(&resp.Diagnostics, "Certificate Cannot Be Revoked", err, state.fields(), path.Root("revoke_on_destroy"))
			return
		}
		fallthrough
	case cert.Status == "revoking":
		if !r.waitRevoked(ctx, id, timeout, &resp.Diagnostics) {
			return
		}
	}
	tflog.Info(ctx, "Deleting certificate", map[string]any{"id": id})
	addDeleteError(&resp.Diagnostics, "Unable to Delete Certificate", r.client.DeleteCertificate(ctx, id), rootFields())
}

// waitRevoked polls a submitted revocation (re-checking its domain validation, R7)
// until the certificate is revoked; false with an error otherwise.
func (r *certificateResource) waitRevoked(ctx context.Context, id string, timeout time.Duration, diags *diag.Diagnostics) bool {
	wait := certificateRevokePollMin
	for {
		cert, err := r.client.AdvanceCertificate(ctx, id)
		switch {
		case client.IsNotFound(err):
			return true
		case err != nil && ctx.Err() == nil:
			addBackendError(diags, "Unable to Check Revocation", err, rootFields())
			return false
		case err == nil && cert.Status == "revoked":
			return true
		case err == nil && cert.Status != "revoking":
			diags.AddError("Revocation Failed",
				fmt.Sprintf("The revocation of certificate %s did not complete; the certificate is %s again. %s "+
					"Run terraform destroy again to submit a new revocation, or set revoke_on_destroy = false to leave "+
					"the certificate in the service.", id, cert.Status, pendingText(cert)))
			return false
		}
		if ctx.Err() == nil {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
		if ctx.Err() != nil {
			detail := ""
			if cert != nil {
				detail = " " + pendingText(cert)
			}
			diags.AddError("Certificate Not Revoked Yet",
				fmt.Sprintf("Certificate %s was submitted for revocation but is not revoked after %s (timeouts.delete).%s "+
					"A submitted revocation cannot be withdrawn (rule R2) and keeps going: once it is approved, run "+
					"terraform destroy again and the certificate is deleted; raise timeouts.delete to wait longer.", id, timeout, detail))
			return false
		}
		wait = min(wait*2, certificateRevokePollMax)
	}
}

func (r *certificateResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// ModifyPlan resolves the defaults that depend on other values, runs the service's
// checks at plan time (order, reissue, revocation), and marks unknown exactly what
// the planned operation changes.
func (r *certificateResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		r.planDestroy(ctx, req, resp)
		return
	}
	var plan, config certificateResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.resolveKey(config)

	if req.State.Raw.IsNull() {
		product := r.product(ctx, plan, &resp.Diagnostics)
		if plan.ValidityDays.IsUnknown() && product != nil {
			plan.ValidityDays = types.Int64Value(int64(product.DefaultValidity))
		}
		checkPlannedLetter(plan, product, &resp.Diagnostics)
		r.checkOrder(ctx, plan, config, "", &resp.Diagnostics)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
		return
	}

	var state certificateResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// renewBlocker asks the service at most once why a due renewal cannot be made.
	var blocker *string
	renewBlocker := func(reissue bool) string {
		if blocker == nil {
			why := r.renewBlocker(ctx, plan, state, reissue, &resp.Diagnostics)
			blocker = &why
		}
		return *blocker
	}
	// An expired certificate whose renewal window the configuration sets is renewed in
	// place rather than replaced: it keeps its id and the resources hosting binds.
	renewExpired := state.Status.ValueString() == "expired" && plan.renewalDue(state) && !plan.replaces(state) &&
		!plan.keyChangesFrom(state) && !plan.passwordTouched(state) && renewBlocker(false) == ""
	if why := certificateEnded(state.Status.ValueString()); why != "" && !renewExpired {
		resp.Diagnostics.AddAttributeWarning(path.Root("status"), "Certificate Will Be Replaced",
			fmt.Sprintf("Certificate %s %s, so it can no longer serve. Terraform plans to replace it: the old "+
				"record is deleted and a new certificate is ordered with this configuration.", state.ID.ValueString(), why))
		plan.unknownVersion()
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
		return
	}
	checkRenewWindow(plan, config, &resp.Diagnostics)
	if !plan.RevocationLetterPath.Equal(state.RevocationLetterPath) || !plan.RevokeOnDestroy.Equal(state.RevokeOnDestroy) {
		checkPlannedLetter(plan, r.product(ctx, plan, &resp.Diagnostics), &resp.Diagnostics)
	}

	if plan.replaces(state) {
		// The new certificate is planned as a create next; the old one is destroyed
		// with its current settings, so its revocation is checked now.
		if state.RevokeOnDestroy.ValueBool() && certificateRevocable(state.Status.ValueString()) {
			r.checkRevoke(ctx, state, &resp.Diagnostics)
		}
		return
	}

	action := r.planPassword(ctx, plan, state, config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	reissue := plan.keyChangesFrom(state) || action == passwordReissue
	if reissue && r.client != nil && known(plan.KeyAlgorithm) && known(plan.KeySize) && known(config.password()) && known(plan.CSRPEM) {
		if err := r.client.CheckReissue(ctx, state.ID.ValueString(), plan.reissueRequest(config)); err != nil {
			addCertificateError(&resp.Diagnostics, "Certificate Cannot Be Reissued", err, config.fields(), plan.reissueTrigger(state))
		}
	}
	plan.copyVersion(state)
	if reissue {
		plan.unknownReissue(state)
	}
	// Renewal (STYLE 5): Read set ready_for_renewal from the service's clock; here it
	// becomes the planned action, in place.
	if plan.renewalDue(state) {
		if why := renewBlocker(reissue); why != "" {
			resp.Diagnostics.AddAttributeWarning(path.Root("renew_before_days"), "Certificate Not Renewed",
				fmt.Sprintf("The renewal window of certificate %s is open, but it cannot be renewed in place: %s", state.ID.ValueString(), why))
		} else {
			plan.unknownRenewal()
			resp.Diagnostics.AddAttributeWarning(path.Root("renew_before_days"), "Certificate Will Be Renewed", renewalReason(state))
		}
	}
	// A pending order whose reminder the configuration asks for and that was not sent.
	if plan.SendReminder.ValueBool() && certificatePending(state.Status.ValueString()) &&
		state.ReminderSentAt.IsNull() && !state.ReminderAvailableAt.IsNull() {
		plan.ReminderSentAt = types.StringUnknown()
	}
	if plan.SendReminder.ValueBool() && !state.SendReminder.ValueBool() {
		r.checkOrder(ctx, plan, config, "send_reminder", &resp.Diagnostics)
	}
	if plan.IgnoreExpirationNotifications.ValueBool() && !state.IgnoreExpirationNotifications.ValueBool() {
		r.checkIgnore(ctx, state, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

func (r *certificateResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		conflicting("private_key_password", "private_key_password_wo"),
		conflicting("csr_pem", "private_key_password"),
		conflicting("csr_pem", "private_key_password_wo"),
	}
}

func (r *certificateResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config certificateResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known(config.KeyAlgorithm) && !config.KeyAlgorithm.IsNull() && known(config.KeySize) && !config.KeySize.IsNull() {
		alg, size := config.KeyAlgorithm.ValueString(), config.KeySize.ValueInt64()
		if sizes, ok := certificateKeySizes[alg]; ok && !slices.Contains(sizes, size) {
			resp.Diagnostics.AddAttributeError(path.Root("key_size"), "Unsupported Key Size",
				fmt.Sprintf("%s keys come in sizes %v, not %d. Set key_size to one of those, or leave it out for %d.",
					alg, sizes, size, sizes[0]))
		}
	}
	checkRenewWindow(config, config, &resp.Diagnostics)
}

// planDestroy runs the revocation checks of a destroy at plan time (R1, R4, R6, R7).
func (r *certificateResource) planDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state certificateResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || r.client == nil {
		return
	}
	if !state.RevokeOnDestroy.ValueBool() {
		resp.Diagnostics.AddAttributeWarning(path.Root("revoke_on_destroy"), "Certificate Will Stay In The Service",
			fmt.Sprintf("revoke_on_destroy is false: destroying removes certificate %s from Terraform only; it stays "+
				"in the service, valid until it expires.", state.ID.ValueString()))
		return
	}
	if certificateRevocable(state.Status.ValueString()) {
		r.checkRevoke(ctx, state, &resp.Diagnostics)
	}
}

// checkRevoke asks the service whether the revocation that destroy submits would be
// accepted, with the letter's bytes.
func (r *certificateResource) checkRevoke(ctx context.Context, state certificateResourceModel, diags *diag.Diagnostics) {
	if r.client == nil {
		return
	}
	in := wire.RevokeRequest{Reason: state.RevocationReason.ValueString()}
	var problem *letterProblem
	if p := state.RevocationLetterPath; !p.IsNull() && !p.IsUnknown() {
		in.Letter, problem = readLetter(p.ValueString(), nil)
		in.LetterName = filepath.Base(p.ValueString())
	}
	err := r.client.CheckRevoke(ctx, state.ID.ValueString(), in)
	if err == nil || client.IsNotFound(err) {
		return
	}
	if apiErr, ok := client.AsAPIError(err); ok && problem != nil && apiErr.Field == "revocation_letter_path" {
		diags.AddAttributeError(path.Root("revocation_letter_path"), problem.summary, problem.detail)
		return
	}
	addCertificateError(diags, "Certificate Cannot Be Revoked", err, state.fields(), path.Root("revoke_on_destroy"))
}

// checkIgnore applies rule N1 at plan time when ignore_expiration_notifications turns
// true, to the current version's expiry: only a certificate that expires soon can
// have its expiry notifications ignored. Keeping true is never checked (a new
// version that cleared it is set again in Update, where a refusal is not an error).
func (r *certificateResource) checkIgnore(ctx context.Context, state certificateResourceModel, diags *diag.Diagnostics) {
	notAfter, err := time.Parse(time.RFC3339, state.NotAfter.ValueString())
	if r.client == nil || err != nil {
		return
	}
	checkIgnoreAt(ctx, r.client, notAfter, diags)
}

// checkOrder runs the service's order rules on the planned values (M2, M3, OV/EV
// organisation, key, names, validity); with only set, just the problems of that field.
func (r *certificateResource) checkOrder(ctx context.Context, plan, config certificateResourceModel, only string, diags *diag.Diagnostics) {
	if r.client == nil || !plan.orderKnown(config) {
		return
	}
	var d diag.Diagnostics
	in := plan.orderRequest(ctx, config, &d)
	if d.HasError() {
		return
	}
	problems, err := r.client.CheckOrder(ctx, in)
	if err != nil {
		addBackendError(diags, "Unable to Check Certificate Order", err, config.fields())
		return
	}
	for _, p := range problems {
		if only == "" || p.Field == only {
			addProblem(diags, config.fields(), p.Field, p.Summary, p.Message, false)
		}
	}
}

// product looks the planned brand and type up in the catalogue; nil when unknown.
func (r *certificateResource) product(ctx context.Context, plan certificateResourceModel, diags *diag.Diagnostics) *wire.Product {
	if r.client == nil || !known(plan.Brand) || !known(plan.CertificateType) {
		return nil
	}
	products, err := r.client.Products(ctx)
	if err != nil {
		addBackendError(diags, "Unable to Read Product Catalogue", err, rootFields())
		return nil
	}
	for i := range products {
		if products[i].Brand == plan.Brand.ValueString() && products[i].CertificateType == plan.CertificateType.ValueString() {
			return &products[i]
		}
	}
	return nil
}

// passwordAction is what a change of the password attributes does.
type passwordAction int

const (
	passwordUnchanged passwordAction = iota
	passwordRecorded                 // the configured password is the key's already
	passwordReissue                  // a new password: the key is made again
)

// planPassword decides what a change of private_key_password or its write-only
// version does. The service keeps only a verifier (I6): a configured password that
// is the key's already (e.g. after import) is only recorded; a password Terraform
// never knew must be given right before it can be changed.
func (r *certificateResource) planPassword(ctx context.Context, plan, state, config certificateResourceModel, diags *diag.Diagnostics) passwordAction {
	if !plan.passwordTouched(state) {
		return passwordUnchanged
	}
	if !state.PrivateKeyPasswordWOVersion.IsNull() && !plan.PrivateKeyPasswordWOVersion.IsNull() {
		return passwordReissue // a new write-only version: a new password
	}
	pw := config.password()
	if !known(pw) || !known(plan.PrivateKeyPasswordWOVersion) || r.client == nil {
		return passwordReissue
	}
	id := state.ID.ValueString()
	matches, err := r.client.CheckPassword(ctx, id, pw.ValueString())
	if err != nil {
		addBackendError(diags, "Unable to Check Private Key Password", err, config.fields())
		return passwordUnchanged
	}
	if matches {
		return passwordRecorded
	}
	if state.PrivateKeyPassword.IsNull() && state.PrivateKeyPasswordWOVersion.IsNull() {
		unprotected, err := r.client.CheckPassword(ctx, id, "")
		if err != nil {
			addBackendError(diags, "Unable to Check Private Key Password", err, config.fields())
			return passwordUnchanged
		}
		if !unprotected {
			diags.AddAttributeError(config.passwordPath(), "Private Key Password Does Not Match",
				fmt.Sprintf("Certificate %s's private key is protected by a password that Terraform does not know (for "+
					"example after terraform import), and the configured one is not it. Set it to the password the key "+
					"was issued with; to change the password, change it in a later apply, which reissues the certificate.", id))
			return passwordUnchanged
		}
	}
	return passwordReissue
}

// checkRenewWindow: renew_before_days must be less than validity_days.
func checkRenewWindow(plan, config certificateResourceModel, diags *diag.Diagnostics) {
	renew, validity := plan.RenewBeforeDays, plan.ValidityDays
	if !known(renew) || renew.IsNull() || !known(validity) || validity.IsNull() {
		return
	}
	if renew.ValueInt64() >= validity.ValueInt64() {
		origin := "the product's default validity"
		if !config.ValidityDays.IsNull() {
			origin = "validity_days"
		}
		diags.AddAttributeError(path.Root("renew_before_days"), "Renewal Window Too Long",
			fmt.Sprintf("renew_before_days (%d) must be less than %s (%d days): the certificate would be due for "+
				"renewal as soon as it is issued. Lower renew_before_days.", renew.ValueInt64(), origin, validity.ValueInt64()))
	}
}

// checkPlannedLetter checks the configured revocation letter at plan time: it exists,
// is at most 1.4 MB and of a type the product's revocation takes (R7).
func checkPlannedLetter(plan certificateResourceModel, product *wire.Product, diags *diag.Diagnostics) {
	p := plan.RevocationLetterPath
	if !known(p) || p.IsNull() {
		return
	}
	var allowed []string
	if product != nil && known(plan.KeyAlgorithm) {
		allowed = product.RevocationLetterTypes[plan.KeyAlgorithm.ValueString()]
	}
	if _, problem := readLetter(p.ValueString(), allowed); problem != nil {
		diags.AddAttributeError(path.Root("revocation_letter_path"), problem.summary, problem.detail)
	}
}

// addCertificateError is addBackendError for a refusal that names no field: it is
// blamed on fallback, the attribute whose change asked for the refused operation.
func addCertificateError(diags *diag.Diagnostics, summary string, err error, fields fieldPaths, fallback path.Path) {
	apiErr, ok := client.AsAPIError(err)
	if ok && apiErr.Field == "" && len(apiErr.Problems) == 0 && isRefusal(err) {
		diags.AddAttributeError(fallback, orDefault(apiErr.Summary, summary), apiErr.Message)
		return
	}
	addBackendError(diags, summary, err, fields)
}

// sendReminder sends a review reminder for a pending order (M1–M4); a refusal, such
// as a reminder that does not open yet, is a warning that says when to try again.
func (r *certificateResource) sendReminder(ctx context.Context, cert *wire.Certificate, diags *diag.Diagnostics) *wire.Certificate {
	sent, err := r.client.SendReminder(ctx, cert.ID)
	if err == nil {
		return sent
	}
	if !isRefusal(err) {
		addBackendError(diags, "Unable to Send Review Reminder", err, rootFields())
		return nil
	}
	detail := err.Error()
	if apiErr, ok := client.AsAPIError(err); ok {
		detail = apiErr.Message
	}
	when := ""
	if cert.Order != nil && cert.Order.ReminderAvailableAt != nil {
		when = fmt.Sprintf(" The reminder opens at %s; run terraform apply after that to send it.",
			cert.Order.ReminderAvailableAt.UTC().Format(time.RFC3339))
	}
	diags.AddAttributeWarning(path.Root("send_reminder"), "Review Reminder Not Sent", detail+when)
	return nil
}

// certificatePending tells whether an order is under application (rule D3).
func certificatePending(status string) bool {
	switch status {
	case "pending_validation", "pending_review", "dns_record_added", "enterprise_materials_pending",
		"confirmation_letter_pending", "free_materials_pending":
		return true
	}
	return false
}

// certificateRevocable tells whether destroy would submit a revocation.
func certificateRevocable(status string) bool { return status == "issued" || status == "reissuing" }

func certificateRevocationSubmitted(status string) bool {
	return status == "revoking" || status == "revoked"
}

// certificateEnded says why a certificate in status can no longer serve, or "".
func certificateEnded(status string) string {
	switch status {
	case "revoked":
		return "was revoked"
	case "expired":
		return "has expired"
	case "cancelled":
		return "is an order that was cancelled"
	case "review_failed":
		return "is an order the CA's review rejected"
	}
	return ""
}

// pendingText is the service's sentence on what an order waits for.
func pendingText(c *wire.Certificate) string {
	if c == nil || c.Order == nil {
		return ""
	}
	return strings.ReplaceAll(strings.TrimSpace(c.Order.Pending), "<id>", c.ID)
}

type certificateResourceModel struct {
	ID                            types.String `tfsdk:"id"`
	Name                          types.String `tfsdk:"name"`
	Project                       types.String `tfsdk:"project"`
	Tags                          types.Map    `tfsdk:"tags"`
	IgnoreExpirationNotifications types.Bool   `tfsdk:"ignore_expiration_notifications"`
	Domain                        types.String `tfsdk:"domain"`
	SubjectAlternativeNames       types.Set    `tfsdk:"subject_alternative_names"`
	Brand                         types.String `tfsdk:"brand"`
	CertificateType               types.String `tfsdk:"certificate_type"`
	KeyAlgorithm                  types.String `tfsdk:"key_algorithm"`
	KeySize                       types.Int64  `tfsdk:"key_size"`
	CSRPEM                        types.String `tfsdk:"csr_pem"`
	PrivateKeyPassword            types.String `tfsdk:"private_key_password"`
	PrivateKeyPasswordWO          types.String `tfsdk:"private_key_password_wo"`
	PrivateKeyPasswordWOVersion   types.Int64  `tfsdk:"private_key_password_wo_version"`
	ValidationMethod              types.String `tfsdk:"validation_method"`
	Organization                  types.Object `tfsdk:"organization"`
	ValidityDays                  types.Int64  `tfsdk:"validity_days"`
	RenewBeforeDays               types.Int64  `tfsdk:"renew_before_days"`
	RenewsCertificateID           types.String `tfsdk:"renews_certificate_id"`
	SendReminder                  types.Bool   `tfsdk:"send_reminder"`
	RevokeOnDestroy               types.Bool   `tfsdk:"revoke_on_destroy"`
	RevocationReason              types.String `tfsdk:"revocation_reason"`
	RevocationLetterPath          types.String `tfsdk:"revocation_letter_path"`
	Timeouts                      types.Object `tfsdk:"timeouts"`
	Status                        types.String `tfsdk:"status"`
	StatusCode                    types.Int64  `tfsdk:"status_code"`
	SerialNumber                  types.String `tfsdk:"serial_number"`
	NotBefore                     types.String `tfsdk:"not_before"`
	NotAfter                      types.String `tfsdk:"not_after"`
	FingerprintSHA256             types.String `tfsdk:"fingerprint_sha256"`
	Version                       types.Int64  `tfsdk:"version"`
	Issuer                        types.String `tfsdk:"issuer"`
	CertificatePEM                types.String `tfsdk:"certificate_pem"`
	CAChainPEM                    types.String `tfsdk:"ca_chain_pem"`
	FullChainPEM                  types.String `tfsdk:"full_chain_pem"`
	PrivateKeyPEM                 types.String `tfsdk:"private_key_pem"`
	EncryptionCertificatePEM      types.String `tfsdk:"encryption_certificate_pem"`
	EncryptionPrivateKeyPEM       types.String `tfsdk:"encryption_private_key_pem"`
	ValidationRecords             types.List   `tfsdk:"validation_records"`
	ReissueCount                  types.Int64  `tfsdk:"reissue_count"`
	ReadyForRenewal               types.Bool   `tfsdk:"ready_for_renewal"`
	ReminderAvailableAt           types.String `tfsdk:"reminder_available_at"`
	ReminderSentAt                types.String `tfsdk:"reminder_sent_at"`
}

type certificateOrganizationModel struct {
	Name                types.String `tfsdk:"name"`
	Division            types.String `tfsdk:"division"`
	Country             types.String `tfsdk:"country"`
	Province            types.String `tfsdk:"province"`
	Locality            types.String `tfsdk:"locality"`
	Address             types.String `tfsdk:"address"`
	PostalCode          types.String `tfsdk:"postal_code"`
	ContactName         types.String `tfsdk:"contact_name"`
	ContactEmail        types.String `tfsdk:"contact_email"`
	ContactPhone        types.String `tfsdk:"contact_phone"`
	RegistrationNumber  types.String `tfsdk:"registration_number"`
	BusinessCategory    types.String `tfsdk:"business_category"`
	JurisdictionCountry types.String `tfsdk:"jurisdiction_country"`
}

var certificateOrganizationAttrTypes = map[string]attr.Type{
	"name": types.StringType, "division": types.StringType, "country": types.StringType,
	"province": types.StringType, "locality": types.StringType, "address": types.StringType,
	"postal_code": types.StringType, "contact_name": types.StringType, "contact_email": types.StringType,
	"contact_phone": types.StringType, "registration_number": types.StringType,
	"business_category": types.StringType, "jurisdiction_country": types.StringType,
}

var certificateValidationRecordType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"domain": types.StringType, "method": types.StringType, "name": types.StringType, "type": types.StringType,
	"value": types.StringType, "url": types.StringType, "path": types.StringType, "content": types.StringType,
}}

func organizationValue(ctx context.Context, diags *diag.Diagnostics, o *wire.Organization) types.Object {
	if o == nil {
		return types.ObjectNull(certificateOrganizationAttrTypes)
	}
	v, d := types.ObjectValueFrom(ctx, certificateOrganizationAttrTypes, certificateOrganizationModel{
		Name: types.StringValue(o.Name), Division: stringOrNull(o.Division), Country: types.StringValue(o.Country),
		Province: stringOrNull(o.Province), Locality: stringOrNull(o.Locality), Address: stringOrNull(o.Address),
		PostalCode: stringOrNull(o.PostalCode), ContactName: stringOrNull(o.ContactName),
		ContactEmail: stringOrNull(o.ContactEmail), ContactPhone: stringOrNull(o.ContactPhone),
		RegistrationNumber: stringOrNull(o.RegistrationNumber), BusinessCategory: stringOrNull(o.BusinessCategory),
		JurisdictionCountry: stringOrNull(o.JurisdictionCountry),
	})
	diags.Append(d...)
	return v
}

func (m certificateResourceModel) organization(ctx context.Context, diags *diag.Diagnostics) *wire.Organization {
	if m.Organization.IsNull() || m.Organization.IsUnknown() {
		return nil
	}
	var o certificateOrganizationModel
	diags.Append(m.Organization.As(ctx, &o, basetypes.ObjectAsOptions{})...)
	return &wire.Organization{
		Name: o.Name.ValueString(), Division: o.Division.ValueString(), Country: o.Country.ValueString(),
		Province: o.Province.ValueString(), Locality: o.Locality.ValueString(), Address: o.Address.ValueString(),
		PostalCode: o.PostalCode.ValueString(), ContactName: o.ContactName.ValueString(),
		ContactEmail: o.ContactEmail.ValueString(), ContactPhone: o.ContactPhone.ValueString(),
		RegistrationNumber: o.RegistrationNumber.ValueString(), BusinessCategory: o.BusinessCategory.ValueString(),
		JurisdictionCountry: o.JurisdictionCountry.ValueString(),
	}
}

// password is the configured private key password, from whichever attribute gives it.
func (m certificateResourceModel) password() types.String {
	if !m.PrivateKeyPasswordWO.IsNull() {
		return m.PrivateKeyPasswordWO
	}
	return m.PrivateKeyPassword
}

func (m certificateResourceModel) passwordPath() path.Path {
	if !m.PrivateKeyPasswordWO.IsNull() {
		return path.Root("private_key_password_wo")
	}
	return path.Root("private_key_password")
}

// fields blames the attribute the configuration used for a backend field.
func (m certificateResourceModel) fields() fieldPaths {
	root := rootFields("name", "project", "tags", "ignore_expiration_notifications", "domain",
		"subject_alternative_names", "brand", "certificate_type", "key_algorithm", "key_size", "csr_pem",
		"validation_method", "organization", "validity_days", "renews_certificate_id", "send_reminder",
		"revocation_reason", "revocation_letter_path")
	return func(field string) (path.Path, bool) {
		if field == "private_key_password" {
			return m.passwordPath(), true
		}
		return root(field)
	}
}

// resolveKey fills the key algorithm and size the configuration leaves out: the
// CSR's, else RSA and the algorithm's default size.
func (m *certificateResourceModel) resolveKey(config certificateResourceModel) {
	m.KeyAlgorithm, m.KeySize = config.KeyAlgorithm, config.KeySize
	if !m.CSRPEM.IsNull() {
		if !known(m.CSRPEM) {
			if m.KeyAlgorithm.IsNull() {
				m.KeyAlgorithm = types.StringUnknown()
			}
			if m.KeySize.IsNull() {
				m.KeySize = types.Int64Unknown()
			}
			return
		}
		if k, err := parseCSRKey(m.CSRPEM.ValueString()); err == nil {
			if m.KeyAlgorithm.IsNull() {
				m.KeyAlgorithm = types.StringValue(k.algorithm)
			}
			if m.KeySize.IsNull() {
				m.KeySize = types.Int64Value(k.size)
			}
		} else {
			// The service names the problem (Invalid CSR) at plan time.
			if m.KeyAlgorithm.IsNull() {
				m.KeyAlgorithm = types.StringUnknown()
			}
			if m.KeySize.IsNull() {
				m.KeySize = types.Int64Unknown()
			}
		}
		return
	}
	if m.KeyAlgorithm.IsNull() {
		m.KeyAlgorithm = types.StringValue(certificateKeyRSA)
	}
	if m.KeySize.IsNull() {
		if !known(m.KeyAlgorithm) {
			m.KeySize = types.Int64Unknown()
		} else if sizes, ok := certificateKeySizes[m.KeyAlgorithm.ValueString()]; ok {
			m.KeySize = types.Int64Value(sizes[0])
		}
	}
}

// orderKnown tells whether every value an order check needs is known.
func (m certificateResourceModel) orderKnown(config certificateResourceModel) bool {
	for _, v := range []attr.Value{m.Name, m.Project, m.Tags, m.Domain, m.SubjectAlternativeNames, m.Brand,
		m.CertificateType, m.KeyAlgorithm, m.KeySize, m.CSRPEM, config.password(), m.ValidationMethod,
		m.ValidityDays, m.RenewBeforeDays, m.SendReminder, m.IgnoreExpirationNotifications} {
		if v.IsUnknown() {
			return false
		}
	}
	return m.Organization.IsNull() || objectKnown(m.Organization)
}

func (m certificateResourceModel) orderRequest(ctx context.Context, config certificateResourceModel, diags *diag.Diagnostics) wire.OrderRequest {
	var sans []string
	if !m.SubjectAlternativeNames.IsNull() && !m.SubjectAlternativeNames.IsUnknown() {
		diags.Append(m.SubjectAlternativeNames.ElementsAs(ctx, &sans, false)...)
	}
	in := wire.OrderRequest{
		Name:                          m.Name.ValueString(),
		Project:                       m.Project.ValueString(),
		Tags:                          mapToGo(ctx, diags, m.Tags),
		Domain:                        m.Domain.ValueString(),
		SubjectAlternativeNames:       sans,
		Brand:                         m.Brand.ValueString(),
		CertificateType:               m.CertificateType.ValueString(),
		CSRPEM:                        m.CSRPEM.ValueString(),
		PrivateKeyPassword:            config.password().ValueString(),
		ValidationMethod:              m.ValidationMethod.ValueString(),
		Organization:                  m.organization(ctx, diags),
		ValidityDays:                  int(m.ValidityDays.ValueInt64()),
		RenewsCertificateID:           m.RenewsCertificateID.ValueString(),
		IgnoreExpirationNotifications: m.IgnoreExpirationNotifications.ValueBool(),
		SendReminder:                  m.SendReminder.ValueBool(),
		RenewBeforeDays:               int(m.RenewBeforeDays.ValueInt64()),
	}
	if m.CSRPEM.IsNull() || !config.KeyAlgorithm.IsNull() {
		in.KeyAlgorithm = m.KeyAlgorithm.ValueString()
	}
	if m.CSRPEM.IsNull() || !config.KeySize.IsNull() {
		in.KeySize = int(m.KeySize.ValueInt64())
	}
	return in
}

func (m certificateResourceModel) reissueRequest(config certificateResourceModel) wire.ReissueRequest {
	in := wire.ReissueRequest{
		CSRPEM:             m.CSRPEM.ValueString(),
		PrivateKeyPassword: config.password().ValueString(),
		Reason:             certificateReissueReason,
	}
	if m.CSRPEM.IsNull() {
		in.KeyAlgorithm, in.KeySize = m.KeyAlgorithm.ValueString(), int(m.KeySize.ValueInt64())
	}
	return in
}

// replaces tells whether going from state to this plan orders a new certificate (the
// attribute plan modifiers' RequiresReplace, seen from ModifyPlan).
func (m certificateResourceModel) replaces(state certificateResourceModel) bool {
	var planSANs, stateSANs []string
	if !known(m.SubjectAlternativeNames) || !known(m.Domain) || !objectKnown(m.Organization) {
		return true
	}
	if !m.SubjectAlternativeNames.IsNull() {
		_ = m.SubjectAlternativeNames.ElementsAs(context.Background(), &planSANs, false)
	}
	if !state.SubjectAlternativeNames.IsNull() {
		_ = state.SubjectAlternativeNames.ElementsAs(context.Background(), &stateSANs, false)
	}
	return !m.Brand.Equal(state.Brand) || !m.CertificateType.Equal(state.CertificateType) ||
		!m.ValidationMethod.Equal(state.ValidationMethod) || !m.Organization.Equal(state.Organization) ||
		!m.ValidityDays.Equal(state.ValidityDays) || !m.RenewsCertificateID.Equal(state.RenewsCertificateID) ||
		normalizeDomain(m.Domain.ValueString()) != normalizeDomain(state.Domain.ValueString()) ||
		!sameNames(certificateNames(m.Domain.ValueString(), planSANs), certificateNames(state.Domain.ValueString(), stateSANs))
}

// keyChangesFrom tells whether the planned key differs from the current one. A CSR
// that carries the current certificate's key changes nothing and is only recorded.
func (m certificateResourceModel) keyChangesFrom(state certificateResourceModel) bool {
	if !m.KeyAlgorithm.Equal(state.KeyAlgorithm) || !m.KeySize.Equal(state.KeySize) {
		return true
	}
	if m.CSRPEM.Equal(state.CSRPEM) {
		return false
	}
	if !known(m.CSRPEM) {
		return true
	}
	if m.CSRPEM.IsNull() {
		return true // back to a key the service makes
	}
	return !csrMatchesCertificate(m.CSRPEM.ValueString(), state.CertificatePEM.ValueString())
}

// passwordTouched: the plain password or the write-only version changes.
func (m certificateResourceModel) passwordTouched(state certificateResourceModel) bool {
	return !m.PrivateKeyPassword.Equal(state.PrivateKeyPassword) ||
		!m.PrivateKeyPasswordWOVersion.Equal(state.PrivateKeyPasswordWOVersion)
}

// reissues tells whether this plan (made by ModifyPlan) reissues the certificate.
func (m certificateResourceModel) reissues() bool { return m.ReissueCount.IsUnknown() }

// reissueTrigger is the attribute whose change asks for the reissue.
func (m certificateResourceModel) reissueTrigger(state certificateResourceModel) path.Path {
	switch {
	case !m.CSRPEM.Equal(state.CSRPEM):
		return path.Root("csr_pem")
	case !m.KeyAlgorithm.Equal(state.KeyAlgorithm):
		return path.Root("key_algorithm")
	case !m.KeySize.Equal(state.KeySize):
		return path.Root("key_size")
	case !m.PrivateKeyPasswordWOVersion.Equal(state.PrivateKeyPasswordWOVersion):
		return path.Root("private_key_password_wo_version")
	}
	return path.Root("private_key_password")
}

// setOrder copies what the service keeps of the order into the configured
// attributes that the service decides (defaults) or that an import needs.
func (m *certificateResourceModel) setOrder(c *wire.Certificate) {
	if c.Order == nil {
		return
	}
	m.Brand = types.StringValue(c.Order.Brand)
	m.CertificateType = types.StringValue(c.Order.CertificateType)
	m.ValidationMethod = types.StringValue(c.Order.ValidationMethod)
	m.ValidityDays = types.Int64Value(int64(c.Order.ValidityDays))
	m.RenewsCertificateID = stringOrNull(c.Order.RenewsCertificateID)
	m.RenewBeforeDays = types.Int64Null()
	if c.Order.RenewBeforeDays > 0 {
		m.RenewBeforeDays = types.Int64Value(int64(c.Order.RenewBeforeDays))
	}
}

// setComputed copies the current version's values from the backend's answer; the
// private keys are left to the caller (rule R2, CSR).
func (m *certificateResourceModel) setComputed(ctx context.Context, diags *diag.Diagnostics, c *wire.Certificate) {
	m.Status = types.StringValue(c.Status)
	m.StatusCode = types.Int64Value(int64(c.StatusCode))
	m.SerialNumber = stringOrNull(c.SerialNumber)
	m.NotBefore = formatTime(c.NotBefore)
	m.NotAfter = formatTime(c.NotAfter)
	m.FingerprintSHA256 = stringOrNull(c.FingerprintSHA256)
	m.Version = types.Int64Value(int64(c.Version))
	m.Issuer = stringOrNull(c.Issuer)
	m.CertificatePEM = stringOrNull(orDefault(c.LeafPEM, c.CertificatePEM))
	m.CAChainPEM = stringOrNull(c.CAChainPEM)
	m.FullChainPEM = stringOrNull(c.FullChainPEM)
	m.EncryptionCertificatePEM = stringOrNull(c.EncryptionCertificatePEM)
	m.ReadyForRenewal = types.BoolValue(false)
	var records []attr.Value
	m.ReissueCount = types.Int64Value(0)
	m.ReminderAvailableAt, m.ReminderSentAt = types.StringNull(), types.StringNull()
	if o := c.Order; o != nil {
		m.ReissueCount = types.Int64Value(int64(o.ReissueCount))
		m.ReadyForRenewal = types.BoolValue(o.ReadyForRenewal)
		m.ReminderAvailableAt = formatTimePtr(o.ReminderAvailableAt)
		m.ReminderSentAt = formatTimePtr(o.ReminderSentAt)
		for _, vr := range o.ValidationRecords {
			v, d := types.ObjectValue(certificateValidationRecordType.AttrTypes, map[string]attr.Value{
				"domain": stringOrNull(vr.Domain), "method": stringOrNull(vr.Method), "name": stringOrNull(vr.Name),
				"type": stringOrNull(vr.Type), "value": stringOrNull(vr.Value), "url": stringOrNull(vr.URL),
				"path": stringOrNull(vr.Path), "content": stringOrNull(vr.Content),
			})
			diags.Append(d...)
			records = append(records, v)
		}
	}
	l, d := types.ListValue(certificateValidationRecordType, records)
	if records == nil {
		l, d = types.ListValue(certificateValidationRecordType, []attr.Value{})
	}
	diags.Append(d...)
	m.ValidationRecords = l
}

// mergeAnswer fills the values this plan left unknown from cert, the backend's
// answer after the apply, private keys included.
func (m *certificateResourceModel) mergeAnswer(ctx context.Context, diags *diag.Diagnostics, cert *wire.Certificate) {
	var fresh certificateResourceModel
	fresh.setComputed(ctx, diags, cert)
	fresh.PrivateKeyPEM = stringOrNull(cert.PrivateKeyPEM)
	fresh.EncryptionPrivateKeyPEM = stringOrNull(cert.EncryptionPrivateKeyPEM)
	fresh.setOrder(cert)
	m.mergeUnknown(fresh)
}

// mergeUnknown fills the values this plan left unknown from fresh, the backend's
// answer after the apply; known planned values stay as planned.
func (m *certificateResourceModel) mergeUnknown(fresh certificateResourceModel) {
	m.KeyAlgorithm, m.KeySize = pick(m.KeyAlgorithm, fresh.KeyAlgorithm), pick(m.KeySize, fresh.KeySize)
	m.ValidationMethod, m.ValidityDays = pick(m.ValidationMethod, fresh.ValidationMethod), pick(m.ValidityDays, fresh.ValidityDays)
	m.RenewsCertificateID = pick(m.RenewsCertificateID, fresh.RenewsCertificateID)
	m.Status, m.StatusCode = pick(m.Status, fresh.Status), pick(m.StatusCode, fresh.StatusCode)
	m.SerialNumber, m.NotBefore, m.NotAfter = pick(m.SerialNumber, fresh.SerialNumber), pick(m.NotBefore, fresh.NotBefore), pick(m.NotAfter, fresh.NotAfter)
	m.FingerprintSHA256, m.Version, m.Issuer = pick(m.FingerprintSHA256, fresh.FingerprintSHA256), pick(m.Version, fresh.Version), pick(m.Issuer, fresh.Issuer)
	m.CertificatePEM, m.CAChainPEM, m.FullChainPEM = pick(m.CertificatePEM, fresh.CertificatePEM), pick(m.CAChainPEM, fresh.CAChainPEM), pick(m.FullChainPEM, fresh.FullChainPEM)
	m.PrivateKeyPEM, m.EncryptionCertificatePEM = pick(m.PrivateKeyPEM, fresh.PrivateKeyPEM), pick(m.EncryptionCertificatePEM, fresh.EncryptionCertificatePEM)
	m.EncryptionPrivateKeyPEM, m.ValidationRecords = pick(m.EncryptionPrivateKeyPEM, fresh.EncryptionPrivateKeyPEM), pick(m.ValidationRecords, fresh.ValidationRecords)
	m.ReissueCount, m.ReadyForRenewal = pick(m.ReissueCount, fresh.ReissueCount), pick(m.ReadyForRenewal, fresh.ReadyForRenewal)
	m.ReminderAvailableAt, m.ReminderSentAt = pick(m.ReminderAvailableAt, fresh.ReminderAvailableAt), pick(m.ReminderSentAt, fresh.ReminderSentAt)
}

// copyVersion keeps the current version's values of state in a plan.
func (m *certificateResourceModel) copyVersion(state certificateResourceModel) {
	m.Status, m.StatusCode = state.Status, state.StatusCode
	m.SerialNumber, m.NotBefore, m.NotAfter = state.SerialNumber, state.NotBefore, state.NotAfter
	m.FingerprintSHA256, m.Version, m.Issuer = state.FingerprintSHA256, state.Version, state.Issuer
	m.CertificatePEM, m.CAChainPEM, m.FullChainPEM = state.CertificatePEM, state.CAChainPEM, state.FullChainPEM
	m.PrivateKeyPEM, m.EncryptionCertificatePEM, m.EncryptionPrivateKeyPEM = state.PrivateKeyPEM, state.EncryptionCertificatePEM, state.EncryptionPrivateKeyPEM
	m.ValidationRecords, m.ReissueCount, m.ReadyForRenewal = state.ValidationRecords, state.ReissueCount, state.ReadyForRenewal
	m.ReminderAvailableAt, m.ReminderSentAt = state.ReminderAvailableAt, state.ReminderSentAt
}

// unknownReissue marks unknown exactly what a reissue changes: the new version's
// certificate and key, its serial, fingerprint and start, the counters and the
// status. not_after stays (I5); the issuing CA changes only with the algorithm.
func (m *certificateResourceModel) unknownReissue(state certificateResourceModel) {
	m.Status, m.StatusCode = types.StringUnknown(), types.Int64Unknown()
	m.SerialNumber, m.NotBefore, m.FingerprintSHA256 = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	m.Version, m.ReissueCount = types.Int64Unknown(), types.Int64Unknown()
	m.CertificatePEM, m.FullChainPEM = types.StringUnknown(), types.StringUnknown()
	m.ValidationRecords = types.ListUnknown(certificateValidationRecordType)
	m.PrivateKeyPEM = types.StringUnknown()
	if !m.CSRPEM.IsNull() && known(m.CSRPEM) {
		m.PrivateKeyPEM = types.StringNull()
	}
	if !m.KeyAlgorithm.Equal(state.KeyAlgorithm) {
		m.Issuer, m.CAChainPEM = types.StringUnknown(), types.StringUnknown()
	}
	if !known(m.KeyAlgorithm) || m.KeyAlgorithm.ValueString() == certificateKeySM2 {
		m.EncryptionCertificatePEM, m.EncryptionPrivateKeyPEM = types.StringUnknown(), types.StringUnknown()
	}
}

// unknownVersion marks every value of the current version unknown (a replacement).
func (m *certificateResourceModel) unknownVersion() {
	m.ID = types.StringUnknown()
	m.unknownReissue(certificateResourceModel{KeyAlgorithm: types.StringUnknown()})
	m.NotAfter, m.Issuer, m.CAChainPEM = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	m.EncryptionCertificatePEM, m.EncryptionPrivateKeyPEM = types.StringUnknown(), types.StringUnknown()
	m.PrivateKeyPEM, m.ReadyForRenewal = types.StringUnknown(), types.BoolUnknown()
	m.ReminderAvailableAt, m.ReminderSentAt = types.StringUnknown(), types.StringUnknown()
}
