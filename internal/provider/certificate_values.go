package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
)

// known is true for a null or known value: one that is not unknown.
func known(v attr.Value) bool { return !v.IsUnknown() }

// objectKnown is true for a null object or one whose attributes are all known.
func objectKnown(o types.Object) bool {
	if o.IsUnknown() {
		return false
	}
	for _, v := range o.Attributes() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// pick is planned unless the plan left it unknown.
func pick[T attr.Value](planned, fresh T) T {
	if planned.IsUnknown() {
		return fresh
	}
	return planned
}

func formatTimePtr(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return formatTime(*t)
}

// certificateVersionModel holds the values of a certificate's current version that
// ssl_certificate_upload and the ssl_certificate data source show alike.
type certificateVersionModel struct {
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
	KeySize                 types.Int64  `tfsdk:"key_size"`
	Version                 types.Int64  `tfsdk:"version"`
	FullChainPEM            types.String `tfsdk:"full_chain_pem"`
	CAChainPEM              types.String `tfsdk:"ca_chain_pem"`
	ChainComplete           types.Bool   `tfsdk:"chain_complete"`
}

// setVersion copies the current version's values from the backend's answer.
func (m *certificateVersionModel) setVersion(ctx context.Context, diags *diag.Diagnostics, c *wire.Certificate) {
	m.Status = types.StringValue(c.Status)
	m.StatusCode = types.Int64Value(int64(c.StatusCode))
	m.Domain = types.StringValue(c.Domain)
	m.SubjectAlternativeNames = stringList(ctx, diags, c.SubjectAlternativeNames)
	m.Issuer = types.StringValue(c.Issuer)
	m.SerialNumber = types.StringValue(c.SerialNumber)
	m.NotBefore = formatTime(c.NotBefore)
	m.NotAfter = formatTime(c.NotAfter)
	m.FingerprintSHA256 = types.StringValue(c.FingerprintSHA256)
	m.KeyAlgorithm = types.StringValue(c.KeyAlgorithm)
	m.KeySize = types.Int64Value(int64(c.KeySize))
	m.Version = types.Int64Value(int64(c.Version))
	m.FullChainPEM = types.StringValue(c.FullChainPEM)
	m.CAChainPEM = types.StringValue(c.CAChainPEM)
	m.ChainComplete = types.BoolValue(c.ChainComplete)
}

// unknownCertificateVersion has every value of a version unknown: what a plan that
// makes a new version shows.
func unknownCertificateVersion() certificateVersionModel {
	return certificateVersionModel{
		Status: types.StringUnknown(), StatusCode: types.Int64Unknown(),
		Domain: types.StringUnknown(), SubjectAlternativeNames: types.ListUnknown(types.StringType), Issuer: types.StringUnknown(),
		SerialNumber: types.StringUnknown(), NotBefore: types.StringUnknown(), NotAfter: types.StringUnknown(),
		FingerprintSHA256: types.StringUnknown(), KeyAlgorithm: types.StringUnknown(), KeySize: types.Int64Unknown(),
		Version: types.Int64Unknown(), FullChainPEM: types.StringUnknown(), CAChainPEM: types.StringUnknown(), ChainComplete: types.BoolUnknown(),
	}
}
