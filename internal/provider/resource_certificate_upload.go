package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var (
	_ resource.ResourceWithConfigure        = (*certificateUploadResource)(nil)
	_ resource.ResourceWithImportState      = (*certificateUploadResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*certificateUploadResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*certificateUploadResource)(nil)
	_ resource.ResourceWithConfigValidators = (*certificateUploadResource)(nil)
)

// NewCertificateUploadResource is the ssl_certificate_upload resource (rules U1–U5).
func NewCertificateUploadResource() resource.Resource {
	return &certificateUploadResource{now: time.Now}
}

type certificateUploadResource struct {
	client *client.Client
	// now only dates the plan-time checks, whose time-dependent findings (expired,
	// not yet valid) are warnings left to the backend.
	now func() time.Time
}

// privateIgnoreCleared records the version whose rotation cleared
// ignore_expiration_notifications in the backend while the configuration kept it
// true and the backend refused to set it again (rule N1).
const privateIgnoreCleared = "ignore_cleared_version"

func (r *certificateUploadResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_certificate_upload"
}

func (r *certificateUploadResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Hosts a third-party certificate — international (RSA, ECDSA) or Chinese SM2 — " +
			"in the certificate service (rules U1–U5). A change of the certificate, a key or the standard " +
			"**rotates** the record in place: the id stays, `version` counts up and hosting deploys the new " +
			"version. Changes of `name`, `project`, `tags` and `ignore_expiration_notifications` touch only " +
			"the record's metadata. Destroying deletes the record at once (U5) unless resource hosting still " +
			"binds it (D4); add `lifecycle { create_before_destroy = true }` to such certificates.",
		Attributes: map[string]schema.Attribute{
			"id":      idAttribute("Stable id of the certificate record; it survives rotations."),
			"name":    nameAttribute("Name of the certificate (U1). Need not be unique."),
			"project": projectAttribute("Project the certificate belongs to. Defaults to `\"default\"`."),
			"tags":    tagsAttribute("Tags (key/value) of the certificate (U1). Keys cannot be empty."),
			"ignore_expiration_notifications": ignoreNotificationsAttribute(
				"Ignore the expiry notifications of this certificate (rule N1: only a " +
					"certificate that expires soon can be ignored). A rotation clears the ignore in the service; " +
					"keeping `true` in the configuration across a rotation sets it again when allowed and is " +
					"never an error. Defaults to `false`."),
			"standard": schema.StringAttribute{
				MarkdownDescription: "`\"international\"` (RSA or ECDSA, rule U2; the default) or `\"sm2\"` (Chinese SM " +
					"certificates, U3, which also need `encryption_certificate_pem`). Changing it rotates the certificate.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(certs.StandardInternational),
				Validators: []validator.String{stringvalidator.OneOf(certs.StandardInternational, certs.StandardSM2)},
			},
			"certificate_pem": schema.StringAttribute{
				MarkdownDescription: "The certificate in PEM, best followed by its intermediate CA certificates " +
					"(the complete chain, U2). Kept in state byte for byte as configured; `full_chain_pem` and " +
					"`ca_chain_pem` hold the normalised chain. For `sm2`, the signature certificate. " +
					"Changing it rotates the certificate (same id, new `version`).",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"private_key_pem": schema.StringAttribute{
				MarkdownDescription: "Private key of the certificate in PEM: PKCS #1 `RSA PRIVATE KEY`, SEC 1 " +
					"`EC PRIVATE KEY` or PKCS #8 `PRIVATE KEY`, unencrypted (U2). For `sm2`, the signature key; " +
					"when `encryption_private_key_pem` is left out this one key serves both pairs (U3). Stored in " +
					"state; use `private_key_pem_wo` to keep it out. Changing it rotates the certificate.",
				Optional:  true,
				Sensitive: true,
			},
			"private_key_pem_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only alternative to `private_key_pem` (Terraform 1.11 and later): sent to " +
					"the service but never stored in plan or state, and the service never returns it. Terraform " +
					"cannot see a change of it: change `private_key_pem_wo_version` to send it again.",
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
			},
			"private_key_pem_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of the write-only keys (`private_key_pem_wo`, " +
					"`encryption_private_key_pem_wo`). Changing it from one number to another sends them again " +
					"and rotates the certificate. Setting it where it was unset (for example after " +
					"`terraform import`) only records it.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("private_key_pem_wo"))},
			},
			"encryption_certificate_pem": schema.StringAttribute{
				MarkdownDescription: "For `sm2` only, and required there: the SM2 encryption certificate in PEM (U3). " +
					"Changing it rotates the certificate.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"encryption_private_key_pem": schema.StringAttribute{
				MarkdownDescription: "For `sm2` only: the key of the encryption certificate, `EC PRIVATE KEY` or " +
					"`PRIVATE KEY` (U3). Leave it out when `private_key_pem` serves both certificates. " +
					"Changing it rotates the certificate.",
				Optional:  true,
				Sensitive: true,
			},
			"encryption_private_key_pem_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only alternative to `encryption_private_key_pem`, used together with " +
					"`private_key_pem_wo` (Terraform 1.11 and later); `private_key_pem_wo_version` sends it again.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("private_key_pem_wo"))},
			},
			"status": computedString("Status name in the service, such as `issued` or `expired`."),
			"status_code": schema.Int64Attribute{
				MarkdownDescription: "Status as the service numbers it (1 issued, 3 expired, …).",
				Computed:            true,
			},
			"domain": computedString("Subject common name of the certificate, else its first DNS name."),
			"subject_alternative_names": schema.ListAttribute{
				MarkdownDescription: "Every DNS name of the certificate, `domain` included.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"issuer":             computedString("Distinguished name of the certificate's issuer."),
			"serial_number":      computedString("Serial number of the current version, lowercase hex."),
			"not_before":         computedString("Start of validity of the current version (RFC 3339)."),
			"not_after":          computedString("End of validity of the current version (RFC 3339)."),
			"fingerprint_sha256": computedString("SHA-256 fingerprint of the leaf certificate (hex)."),
			"key_algorithm":      computedString("Key algorithm of the certificate: `RSA`, `ECC` or `SM2`."),
			"key_size": schema.Int64Attribute{
				MarkdownDescription: "Key size in bits (RSA modulus, or the curve size for ECC and SM2).",
				Computed:            true,
			},
			"version": schema.Int64Attribute{
				MarkdownDescription: "Number of the current version: 1 after the upload, one more after each rotation.",
				Computed:            true,
			},
			"full_chain_pem": computedString("The leaf followed by its CA certificates, ordered and normalised (LF line endings)."),
			"ca_chain_pem":   computedString("The CA certificates that came with the leaf, from its issuer upwards."),
			"chain_complete": schema.BoolAttribute{
				MarkdownDescription: "Whether the chain ends in a self-signed root. An incomplete chain is accepted " +
					"with a warning; clients may not trust the certificate.",
				Computed: true,
			},
		},
	}
}

func (r *certificateUploadResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Resource", &resp.Diagnostics); ok {
		r.client = c
	}
}

func (r *certificateUploadResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config certificateUploadResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	in := wire.UploadRequest{
		Name:                          plan.Name.ValueString(),
		Project:                       plan.Project.ValueString(),
		Tags:                          mapToGo(ctx, &resp.Diagnostics, plan.Tags),
		Standard:                      plan.Standard.ValueString(),
		CertificatePEM:                plan.CertificatePEM.ValueString(),
		PrivateKeyPEM:                 config.privateKey(),
		EncryptionCertificatePEM:      plan.EncryptionCertificatePEM.ValueString(),
		EncryptionPrivateKeyPEM:       config.encryptionPrivateKey(),
		PrivateKeyWriteOnly:           config.keysWriteOnly(),
		IgnoreExpirationNotifications: plan.IgnoreExpirationNotifications.ValueBool(),
	}
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Uploading certificate", map[string]any{
		"name": in.Name, "project": in.Project, "standard": in.Standard, "key_write_only": in.PrivateKeyWriteOnly,
	})
	cert, err := r.client.UploadCertificate(ctx, in)
	if err != nil {
		addBackendError(&resp.Diagnostics, "Unable to Upload Certificate", err, config.fields())
		return
	}
	addWarnings(&resp.Diagnostics, config.fields(), cert.Warnings)

	plan.ID = types.StringValue(cert.ID)
	plan.setVersion(ctx, &resp.Diagnostics, cert)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *certificateUploadResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state certificateUploadResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	cert, err := r.client.GetCertificate(ctx, state.ID.ValueString())
	if !readFound(ctx, resp, err, "Certificate no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()},
		"Unable to Read Certificate", rootFields()) {
		return
	}

	ignore := cert.IgnoreExpirationNotifications
	if !ignore && state.IgnoreExpirationNotifications.ValueBool() {
		cleared, diags := req.Private.GetKey(ctx, privateIgnoreCleared)
		resp.Diagnostics.Append(diags...)
		var v int
		if cleared != nil && json.Unmarshal(cleared, &v) == nil && v == cert.Version {
			ignore = true
		}
	}

	state.ID = types.StringValue(cert.ID)
	state.Name = types.StringValue(cert.Name)
	state.Project = types.StringValue(cert.Project)
	state.Tags = stringMap(ctx, &resp.Diagnostics, cert.Tags)
	state.IgnoreExpirationNotifications = types.BoolValue(ignore)
	state.Standard = types.StringValue(orDefault(cert.Standard, certs.StandardInternational))
	state.CertificatePEM = types.StringValue(cert.CertificatePEM)
	state.EncryptionCertificatePEM = stringOrNull(cert.EncryptionCertificatePEM)
	if cert.PrivateKeyWriteOnly {
		state.PrivateKeyPEM = types.StringNull()
		state.EncryptionPrivateKeyPEM = types.StringNull()
	} else {
		state.PrivateKeyPEM = stringOrNull(cert.PrivateKeyPEM)
		state.EncryptionPrivateKeyPEM = stringOrNull(cert.EncryptionPrivateKeyPEM)
	}
	state.setVersion(ctx, &resp.Diagnostics, cert)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *certificateUploadResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config certificateUploadResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	fields := config.fields()

	// cert is the record as the backend last answered; nil while untouched.
	var cert *wire.Certificate
	// saved is what the state holds should a later call fail.
	saved := state
	ignoreNow := state.IgnoreExpirationNotifications.ValueBool()
	if plan.rotatesFrom(state) {
		in := wire.RotateRequest{
			Standard:                 plan.Standard.ValueString(),
			CertificatePEM:           plan.CertificatePEM.ValueString(),
			PrivateKeyPEM:            config.privateKey(),
			EncryptionCertificatePEM: plan.EncryptionCertificatePEM.ValueString(),
			EncryptionPrivateKeyPEM:  config.encryptionPrivateKey(),
			PrivateKeyWriteOnly:      config.keysWriteOnly(),
		}
		tflog.Debug(ctx, "Rotating certificate", map[string]any{"id": id, "standard": in.Standard, "key_write_only": in.PrivateKeyWriteOnly})
		var err error
		cert, err = r.client.RotateCertificate(ctx, id, in)
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to Rotate Certificate", err, fields)
			return
		}
		addWarnings(&resp.Diagnostics, fields, cert.Warnings)
		ignoreNow = cert.IgnoreExpirationNotifications
		saved.Standard, saved.CertificatePEM = plan.Standard, plan.CertificatePEM
		saved.PrivateKeyPEM, saved.PrivateKeyPEMWOVersion = plan.PrivateKeyPEM, plan.PrivateKeyPEMWOVersion
		saved.EncryptionCertificatePEM, saved.EncryptionPrivateKeyPEM = plan.EncryptionCertificatePEM, plan.EncryptionPrivateKeyPEM
		saved.IgnoreExpirationNotifications = types.BoolValue(ignoreNow)
		saved.setVersion(ctx, &resp.Diagnostics, cert)
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
	// A rotation that cleared the ignore while the configuration keeps it is set
	// again below, where a refusal (N1) is not an error.
	reassertIgnore := cert != nil && plan.IgnoreExpirationNotifications.ValueBool() &&
		state.IgnoreExpirationNotifications.ValueBool() && !ignoreNow
	if plan.IgnoreExpirationNotifications.ValueBool() != ignoreNow && !reassertIgnore {
		upd.IgnoreExpirationNotifications, changed = plan.IgnoreExpirationNotifications.ValueBoolPointer(), true
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if changed {
		tflog.Debug(ctx, "Updating certificate metadata", map[string]any{"id": id})
		updated, err := r.client.UpdateCertificate(ctx, id, upd)
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to Update Certificate", err, fields)
			resp.Diagnostics.Append(resp.State.Set(ctx, saved)...)
			return
		}
		cert = updated
	}
	if reassertIgnore {
		ignore := true
		updated, err := r.client.UpdateCertificate(ctx, id, wire.UpdateRequest{IgnoreExpirationNotifications: &ignore})
		switch {
		case err == nil:
			cert = updated
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateIgnoreCleared, nil)...)
		case isRefusal(err):
			tflog.Info(ctx, "The rotation cleared ignore_expiration_notifications and the service does not allow it again yet (N1)",
				map[string]any{"id": id, "version": cert.Version, "reason": err.Error()})
			v, _ := json.Marshal(cert.Version)
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateIgnoreCleared, v)...)
		default:
			addBackendError(&resp.Diagnostics, "Unable to Update Certificate", err, fields)
			saved.Name, saved.Project, saved.Tags = plan.Name, plan.Project, plan.Tags
			resp.Diagnostics.Append(resp.State.Set(ctx, saved)...)
			return
		}
	}

	if cert != nil {
		plan.setVersion(ctx, &resp.Diagnostics, cert)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *certificateUploadResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state certificateUploadResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Deleting certificate", map[string]any{"id": state.ID.ValueString()})
	addDeleteError(&resp.Diagnostics, "Unable to Delete Certificate", r.client.DeleteCertificate(ctx, state.ID.ValueString()), rootFields())
}

func (r *certificateUploadResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// ModifyPlan keeps the current version's computed values known unless the plan
// rotates, and checks new material at plan time once its values are known.
func (r *certificateUploadResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, config certificateUploadResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		r.checkMaterial(ctx, config, &resp.Diagnostics)
		r.checkIgnore(ctx, plan, nil, &resp.Diagnostics)
		return
	}
	var state certificateUploadResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.checkIgnore(ctx, plan, &state, &resp.Diagnostics)
	if plan.rotatesFrom(state) {
		r.checkMaterial(ctx, config, &resp.Diagnostics)
		plan.unknownVersion()
	} else {
		plan.copyVersion(state)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

func (r *certificateUploadResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		conflicting("private_key_pem", "private_key_pem_wo"),
		conflicting("encryption_private_key_pem", "encryption_private_key_pem_wo"),
		conflicting("private_key_pem_wo", "encryption_private_key_pem"),
	}
}

func (r *certificateUploadResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config certificateUploadResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.checkMaterial(ctx, config, &resp.Diagnostics)
}

// checkMaterial runs the service's upload checks (internal/certs) on the
// configuration when its values are known, so that errors show before apply. The
// warnings (chain incomplete, expired) come from the backend at apply.
func (r *certificateUploadResource) checkMaterial(_ context.Context, config certificateUploadResourceModel, diags *diag.Diagnostics) {
	if config.Standard.IsUnknown() || config.EncryptionCertificatePEM.IsUnknown() {
		return
	}
	std := orDefault(config.Standard.ValueString(), certs.StandardInternational)
	if std == certs.StandardSM2 && config.EncryptionCertificatePEM.IsNull() {
		diags.AddAttributeError(path.Root("encryption_certificate_pem"), "Encryption Certificate Required",
			"An SM2 upload (standard = \"sm2\") needs both the signature and the encryption certificate (rule U3). "+
				"Set encryption_certificate_pem to the SM2 encryption certificate.")
	}
	if config.CertificatePEM.IsUnknown() || config.CertificatePEM.IsNull() {
		return
	}
	key, encKey := config.privateKeyValue(), config.encryptionPrivateKeyValue()
	in := certs.UploadInput{
		Standard:                 std,
		CertificatePEM:           config.CertificatePEM.ValueString(),
		PrivateKeyPEM:            key.ValueString(),
		EncryptionCertificatePEM: config.EncryptionCertificatePEM.ValueString(),
		EncryptionPrivateKeyPEM:  encKey.ValueString(),
		KeysUnknown:              key.IsUnknown() || encKey.IsUnknown(),
	}
	_, problems := certs.CheckUpload(in, r.now())
	var kept []certs.Problem
	for _, p := range problems {
		if p.Code == certs.CodeEncryptionMissing && std == certs.StandardSM2 && config.EncryptionCertificatePEM.IsNull() {
			continue // reported above
		}
		kept = append(kept, p)
	}
	addCertsProblems(diags, config.fields(), kept, true)
}

// checkIgnore applies rule N1 at plan time when ignore_expiration_notifications
// turns true (or is true at creation), to the expiry of the version it will apply
// to: the planned certificate's when the plan uploads or rotates, else the current
// one's. Keeping true is never checked (a rotation that cleared it is re-asserted
// in Update, where a refusal is not an error).
func (r *certificateUploadResource) checkIgnore(ctx context.Context, plan certificateUploadResourceModel, state *certificateUploadResourceModel, diags *diag.Diagnostics) {
	if r.client == nil || !plan.IgnoreExpirationNotifications.ValueBool() ||
		(state != nil && state.IgnoreExpirationNotifications.ValueBool()) {
		return
	}
	var notAfter time.Time
	if state == nil || plan.rotatesFrom(*state) {
		if plan.CertificatePEM.IsUnknown() || plan.CertificatePEM.IsNull() {
			return
		}
		b, _ := certs.CertificateInfo(plan.CertificatePEM.ValueString(), r.now())
		if b == nil {
			return // checkMaterial reports why
		}
		notAfter = b.NotAfter
	} else {
		t, err := time.Parse(time.RFC3339, state.NotAfter.ValueString())
		if err != nil {
			return
		}
		notAfter = t
	}
	checkIgnoreAt(ctx, r.client, notAfter, diags)
}

// checkIgnoreAt asks the service whether a certificate that expires at notAfter may
// have its expiry notifications ignored now (N1) and reports a refusal on
// ignore_expiration_notifications.
func checkIgnoreAt(ctx context.Context, c *client.Client, notAfter time.Time, diags *diag.Diagnostics) {
	err := c.CheckIgnore(ctx, notAfter.UTC())
	if err == nil {
		return
	}
	if apiErr, ok := client.AsAPIError(err); ok && isRefusal(err) {
		diags.AddAttributeError(path.Root("ignore_expiration_notifications"),
			orDefault(apiErr.Summary, "Certificate Does Not Expire Soon"),
			apiErr.Message+" Until then, set ignore_expiration_notifications to false.")
		return
	}
	addBackendError(diags, "Unable to Check Ignore Expiration Notifications", err, rootFields())
}

// isRefusal reports whether the backend refused a request as such (as opposed to
// failing to answer). The service's refusals carry their own codes (such as
// ignore_refused), so the HTTP status decides.
func isRefusal(err error) bool {
	apiErr, ok := client.AsAPIError(err)
	if !ok {
		return false
	}
	switch apiErr.Status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusPreconditionFailed, http.StatusUnprocessableEntity:
		return true
	}
	return apiErr.Code == wire.CodeFailedPrecondition || apiErr.Code == wire.CodeInvalid || apiErr.Code == wire.CodeConflict
}

type certificateUploadResourceModel struct {
	ID                            types.String `tfsdk:"id"`
	Name                          types.String `tfsdk:"name"`
	Project                       types.String `tfsdk:"project"`
	Tags                          types.Map    `tfsdk:"tags"`
	IgnoreExpirationNotifications types.Bool   `tfsdk:"ignore_expiration_notifications"`
	Standard                      types.String `tfsdk:"standard"`
	CertificatePEM                types.String `tfsdk:"certificate_pem"`
	PrivateKeyPEM                 types.String `tfsdk:"private_key_pem"`
	PrivateKeyPEMWO               types.String `tfsdk:"private_key_pem_wo"`
	PrivateKeyPEMWOVersion        types.Int64  `tfsdk:"private_key_pem_wo_version"`
	EncryptionCertificatePEM      types.String `tfsdk:"encryption_certificate_pem"`
	EncryptionPrivateKeyPEM       types.String `tfsdk:"encryption_private_key_pem"`
	EncryptionPrivateKeyPEMWO     types.String `tfsdk:"encryption_private_key_pem_wo"`
	certificateVersionModel
}

// keysWriteOnly tells whether the configuration gives its keys write-only.
func (m certificateUploadResourceModel) keysWriteOnly() bool {
	return !m.PrivateKeyPEMWO.IsNull() || !m.EncryptionPrivateKeyPEMWO.IsNull()
}

func (m certificateUploadResourceModel) privateKeyValue() types.String {
	if !m.PrivateKeyPEMWO.IsNull() {
		return m.PrivateKeyPEMWO
	}
	return m.PrivateKeyPEM
}

func (m certificateUploadResourceModel) encryptionPrivateKeyValue() types.String {
	if !m.EncryptionPrivateKeyPEMWO.IsNull() {
		return m.EncryptionPrivateKeyPEMWO
	}
	return m.EncryptionPrivateKeyPEM
}

// privateKey is the configured key, from whichever attribute gives it.
func (m certificateUploadResourceModel) privateKey() string { return m.privateKeyValue().ValueString() }

func (m certificateUploadResourceModel) encryptionPrivateKey() string {
	return m.encryptionPrivateKeyValue().ValueString()
}

// fields blames the attribute the configuration actually used for a backend field.
func (m certificateUploadResourceModel) fields() fieldPaths {
	root := rootFields("name", "project", "tags", "ignore_expiration_notifications", "standard",
		certs.FieldCertificatePEM, certs.FieldEncryptionCertificatePEM)
	return func(field string) (path.Path, bool) {
		switch field {
		case certs.FieldPrivateKeyPEM:
			if !m.PrivateKeyPEMWO.IsNull() {
				return path.Root("private_key_pem_wo"), true
			}
			return path.Root(field), true
		case certs.FieldEncryptionPrivateKeyPEM:
			if !m.EncryptionPrivateKeyPEMWO.IsNull() {
				return path.Root("encryption_private_key_pem_wo"), true
			}
			if m.EncryptionPrivateKeyPEM.IsNull() {
				// The signature key serves both pairs (U3).
				if !m.PrivateKeyPEMWO.IsNull() {
					return path.Root("private_key_pem_wo"), true
				}
				return path.Root(certs.FieldPrivateKeyPEM), true
			}
			return path.Root(field), true
		}
		return root(field)
	}
}

// rotatesFrom tells whether going from state to this plan makes a new version:
// new certificate or key material, another standard, or a new write-only version.
func (m certificateUploadResourceModel) rotatesFrom(state certificateUploadResourceModel) bool {
	woVersionChanged := !state.PrivateKeyPEMWOVersion.IsNull() && !m.PrivateKeyPEMWOVersion.IsNull() &&
		!m.PrivateKeyPEMWOVersion.Equal(state.PrivateKeyPEMWOVersion)
	return !m.CertificatePEM.Equal(state.CertificatePEM) ||
		!m.PrivateKeyPEM.Equal(state.PrivateKeyPEM) ||
		!m.EncryptionCertificatePEM.Equal(state.EncryptionCertificatePEM) ||
		!m.EncryptionPrivateKeyPEM.Equal(state.EncryptionPrivateKeyPEM) ||
		!m.Standard.Equal(state.Standard) ||
		woVersionChanged
}

// copyVersion keeps the current version's values of state in a plan that makes no
// new version.
func (m *certificateUploadResourceModel) copyVersion(state certificateUploadResourceModel) {
	m.certificateVersionModel = state.certificateVersionModel
}

// unknownVersion marks the values that a new version replaces as unknown.
func (m *certificateUploadResourceModel) unknownVersion() {
	m.certificateVersionModel = unknownCertificateVersion()
}
