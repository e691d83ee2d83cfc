package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

// renewalDue: the service said on refresh that the renewal window is open, and the
// plan keeps the window that opened it (a changed renew_before_days is judged by the
// service on the next refresh). Only an issued or expired certificate renews.
func (m certificateResourceModel) renewalDue(state certificateResourceModel) bool {
	status := state.Status.ValueString()
	return state.ReadyForRenewal.ValueBool() && (status == "issued" || status == "expired") &&
		!state.RenewBeforeDays.IsNull() && m.RenewBeforeDays.Equal(state.RenewBeforeDays)
}

// renews tells whether this plan (made by ModifyPlan) renews the certificate.
func (m certificateResourceModel) renews(state certificateResourceModel) bool {
	return state.ReadyForRenewal.ValueBool() && !m.ReadyForRenewal.IsUnknown() && !m.ReadyForRenewal.ValueBool() &&
		m.NotAfter.IsUnknown()
}

// unknownRenewal marks unknown exactly what a renewal changes: the new version's
// certificate, key, serial, fingerprint and validity, the version and the status.
// The issuing CA stays (same brand and algorithm); the validation records change
// only when validation is not automatic. The window closes with the new version.
func (m *certificateResourceModel) unknownRenewal() {
	m.Status, m.StatusCode = types.StringUnknown(), types.Int64Unknown()
	m.SerialNumber, m.FingerprintSHA256 = types.StringUnknown(), types.StringUnknown()
	m.NotBefore, m.NotAfter = types.StringUnknown(), types.StringUnknown()
	m.Version = types.Int64Unknown()
	m.CertificatePEM, m.FullChainPEM = types.StringUnknown(), types.StringUnknown()
	m.PrivateKeyPEM = types.StringUnknown()
	if !known(m.KeyAlgorithm) || m.KeyAlgorithm.ValueString() == certificateKeySM2 {
		m.EncryptionCertificatePEM, m.EncryptionPrivateKeyPEM = types.StringUnknown(), types.StringUnknown()
	}
	if v := m.ValidationMethod.ValueString(); !known(m.ValidationMethod) || !strings.HasSuffix(v, "_AUTO") {
		m.ValidationRecords = types.ListUnknown(certificateValidationRecordType)
	}
	m.ReadyForRenewal = types.BoolValue(false)
}

// renewBlocker says why the service would refuse to renew the certificate in place,
// or "". reissue: the same apply reissues first, so the key the renewal starts from
// is the planned one.
func (r *certificateResource) renewBlocker(ctx context.Context, plan, state certificateResourceModel, reissue bool, diags *diag.Diagnostics) string {
	csr := !plan.CSRPEM.IsNull()
	password := !plan.PrivateKeyPassword.IsNull() || !plan.PrivateKeyPasswordWOVersion.IsNull()
	if !reissue && r.client != nil && !csr && !password {
		// What Terraform may not know, e.g. after an import: the service's own record.
		cert, err := r.client.GetCertificate(ctx, state.ID.ValueString())
		if err != nil {
			addBackendError(diags, "Unable to Read Certificate", err, rootFields())
			return "the certificate could not be read"
		}
		if cert.Order != nil {
			csr, password = cert.Order.CSRProvided, cert.Order.HasPassword
		}
	}
	switch {
	case csr:
		return "it was issued for your own CSR (csr_pem), and the service cannot make a new key for it. Replace it: a " +
			"new ssl_certificate with a new CSR and renews_certificate_id = this certificate's id takes over the " +
			"resources that hosting binds (rule H2)."
	case password:
		return "its private key has a password, which the service never keeps (rule I6). Remove private_key_password " +
			"(or private_key_password_wo and its version) — a reissue without a password — and the next plan renews it; " +
			"or replace it with a new certificate."
	}
	return ""
}

// renewalReason is the plan's warning for a renewal: why and what it does.
func renewalReason(state certificateResourceModel) string {
	id, days := state.ID.ValueString(), state.RenewBeforeDays.ValueInt64()
	why := fmt.Sprintf("its renewal window opened: not_after (%s) minus renew_before_days (%d days)", state.NotAfter.ValueString(), days)
	if notAfter, err := time.Parse(time.RFC3339, state.NotAfter.ValueString()); err == nil {
		why += fmt.Sprintf(" is %s", notAfter.AddDate(0, 0, -int(days)).UTC().Format(time.RFC3339))
	}
	if state.Status.ValueString() == "expired" {
		why = fmt.Sprintf("it expired at %s and renew_before_days (%d days) asks for renewal", state.NotAfter.ValueString(), days)
	}
	return fmt.Sprintf("Certificate %s is due for renewal: %s, and the service says ready_for_renewal = true. Terraform "+
		"renews it in place: the same id, a new version with a new key, serial number and validity_days of validity. "+
		"The resources that hosting binds get the new version in the same step (rule H1); the current certificate "+
		"keeps serving until its successor is issued and stays valid until it expires.", id, why)
}

// renew renews certificate id in place. When the renewal waits (validation or
// review that is not automatic), the validation is checked once more and a warning
// says what it waits for; version is the version before the renewal.
func (r *certificateResource) renew(ctx context.Context, id string, version int64, diags *diag.Diagnostics) (*wire.Certificate, error) {
	tflog.Info(ctx, "Renewing certificate", map[string]any{"id": id, "version": version})
	cert, err := r.client.RenewCertificate(ctx, id)
	if err != nil {
		return nil, err
	}
	if int64(cert.Version) > version {
		return cert, nil
	}
	if advanced, err := r.client.AdvanceCertificate(ctx, id); err == nil {
		cert = advanced
	} else {
		tflog.Warn(ctx, "Checking on the pending renewal failed", map[string]any{"id": id, "error": err.Error()})
	}
	if int64(cert.Version) <= version {
		diags.AddWarning("Renewal Pending",
			fmt.Sprintf("The renewal of certificate %s waits: %s The current certificate keeps serving, on the resources "+
				"that hosting binds too, until the renewal is issued. Until then the service keeps ready_for_renewal = "+
				"true, so each plan shows the renewal again and each apply checks on it; nothing is ordered twice.",
				id, pendingText(cert)))
	}
	return cert, nil
}

// privateKeys is the private state of a resource, as Read and Update get it.
type privateKeys interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// ignoreClearedVersion is the version recorded under privateIgnoreCleared, or 0.
func ignoreClearedVersion(ctx context.Context, private privateKeys, diags *diag.Diagnostics) int {
	b, d := private.GetKey(ctx, privateIgnoreCleared)
	diags.Append(d...)
	var v int
	if b == nil || json.Unmarshal(b, &v) != nil {
		return 0
	}
	return v
}

// readIgnore is the ignore_expiration_notifications that Read shows (rule N1). A new
// version clears the ignore in the service; while the configuration keeps true and
// the service refuses to set it again for that version (it does not expire within
// 30 days), the state keeps true and private state records the version. Once the
// service would accept it, Read shows false, and the next plan sets it again.
func (r *certificateResource) readIgnore(ctx context.Context, state certificateResourceModel, cert *wire.Certificate, private privateKeys, diags *diag.Diagnostics) bool {
	cleared := ignoreClearedVersion(ctx, private, diags)
	if cert.IgnoreExpirationNotifications || !state.IgnoreExpirationNotifications.ValueBool() {
		if cleared != 0 {
			diags.Append(private.SetKey(ctx, privateIgnoreCleared, nil)...)
		}
		return cert.IgnoreExpirationNotifications
	}
	// The state says true and the service false: a new version made outside this
	// resource's applies (a pending renewal or reissue completed), or the one recorded.
	before := state.Version
	newVersion := known(before) && !before.IsNull() && before.ValueInt64() >= 1 && int64(cert.Version) > before.ValueInt64()
	if cleared != cert.Version && !newVersion {
		return false // un-ignored outside Terraform
	}
	if r.client == nil || cert.NotAfter.IsZero() {
		return true
	}
	err := r.client.CheckIgnore(ctx, cert.NotAfter.UTC())
	switch {
	case err == nil:
		tflog.Info(ctx, "The service now accepts ignore_expiration_notifications for the current version again (N1)",
			map[string]any{"id": cert.ID, "version": cert.Version})
		diags.Append(private.SetKey(ctx, privateIgnoreCleared, nil)...)
		return false
	case isRefusal(err) && cleared != cert.Version:
		v, _ := json.Marshal(cert.Version)
		diags.Append(private.SetKey(ctx, privateIgnoreCleared, v)...)
	}
	return true
}

// setIgnoreAgain sets ignore_expiration_notifications again on a new version, which
// cleared it (N1). A refusal (the version does not expire within 30 days) is no
// error: private state records the version, so the state keeps the configuration's
// true. Another failure is returned.
func setIgnoreAgain(ctx context.Context, c *client.Client, id string, version int, private privateKeys, diags *diag.Diagnostics) (*wire.Certificate, error) {
	ignore := true
	updated, err := c.UpdateCertificate(ctx, id, wire.UpdateRequest{IgnoreExpirationNotifications: &ignore})
	switch {
	case err == nil:
		diags.Append(private.SetKey(ctx, privateIgnoreCleared, nil)...)
		return updated, nil
	case isRefusal(err):
		tflog.Info(ctx, "The new version cleared ignore_expiration_notifications and the service does not allow it again yet (N1)",
			map[string]any{"id": id, "version": version, "reason": err.Error()})
		v, _ := json.Marshal(version)
		diags.Append(private.SetKey(ctx, privateIgnoreCleared, v)...)
		return nil, nil
	}
	return nil, err
}

// hostingMoved tells whether a successor's hosting note says the resources of the
// certificate it renews moved to it (H2).
func hostingMoved(note string) bool { return strings.Contains(note, "moved to this certificate") }

// reportHostingNote surfaces what became of the renewed certificate's resources (H2):
// a warning when they stayed, an info log when they moved.
func reportHostingNote(ctx context.Context, cert *wire.Certificate, diags *diag.Diagnostics) {
	if cert.Order == nil || cert.Order.HostingNote == "" {
		return
	}
	note := cert.Order.HostingNote
	if hostingMoved(note) {
		tflog.Info(ctx, "Hosted resources moved to the renewing certificate (H2)", map[string]any{
			"id": cert.ID, "renews_certificate_id": cert.Order.RenewsCertificateID, "note": note})
		return
	}
	diags.AddAttributeWarning(path.Root("renews_certificate_id"), "Hosted Resources Not Moved", note)
}
