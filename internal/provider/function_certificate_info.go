package provider

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
)

var _ function.Function = (*certificateInfoFunction)(nil)

// NewCertificateInfoFunction is the certificate_info provider function.
func NewCertificateInfoFunction() function.Function {
	return &certificateInfoFunction{now: time.Now}
}

type certificateInfoFunction struct {
	// now dates only warnings (expired), which a function cannot report; the result
	// does not depend on it.
	now func() time.Time
}

var certificateInfoAttributeTypes = map[string]attr.Type{
	"domain":                    types.StringType,
	"subject_alternative_names": types.ListType{ElemType: types.StringType},
	"issuer":                    types.StringType,
	"subject":                   types.StringType,
	"serial_number":             types.StringType,
	"not_before":                types.StringType,
	"not_after":                 types.StringType,
	"fingerprint_sha256":        types.StringType,
	"key_algorithm":             types.StringType,
	"key_size":                  types.Int64Type,
	"chain_complete":            types.BoolType,
}

func (f *certificateInfoFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "certificate_info"
}

func (f *certificateInfoFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Describe a PEM certificate",
		MarkdownDescription: "Parses a PEM certificate — or a bundle, leaf first or in any order — and returns what it " +
			"says about itself: `domain` (subject CN, else the first DNS name), `subject_alternative_names`, " +
			"`issuer`, `subject`, `serial_number` (hex), `not_before` and `not_after` (RFC 3339), " +
			"`fingerprint_sha256` (hex of the leaf), `key_algorithm` (`RSA`, `ECC`, `SM2`), `key_size` and " +
			"`chain_complete`. International and SM2 certificates are understood. Needs Terraform 1.8 or later.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "pem",
				MarkdownDescription: "The certificate (or chain) in PEM.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: certificateInfoAttributeTypes},
	}
}

func (f *certificateInfoFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var pem string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &pem))
	if resp.Error != nil {
		return
	}

	bundle, problems := certs.CertificateInfo(pem, f.now())
	var msgs []string
	for _, p := range problems {
		if p.Severity == certs.Error {
			msgs = append(msgs, p.Message)
		}
	}
	if len(msgs) > 0 || bundle == nil {
		if len(msgs) == 0 {
			msgs = []string{"The value is not a PEM certificate."}
		}
		resp.Error = function.NewArgumentFuncError(0, strings.Join(msgs, " "))
		return
	}

	sans := bundle.SANs
	if sans == nil {
		sans = []string{}
	}
	result := certificateInfoModel{
		Domain:                  bundle.Domain,
		SubjectAlternativeNames: sans,
		Issuer:                  bundle.Issuer,
		Subject:                 bundle.Subject,
		SerialNumber:            bundle.SerialNumber,
		NotBefore:               bundle.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:                bundle.NotAfter.UTC().Format(time.RFC3339),
		FingerprintSHA256:       bundle.FingerprintSHA256,
		KeyAlgorithm:            bundle.KeyAlgorithm,
		KeySize:                 int64(bundle.KeySize),
		ChainComplete:           bundle.ChainComplete,
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, result))
}

type certificateInfoModel struct {
	Domain                  string   `tfsdk:"domain"`
	SubjectAlternativeNames []string `tfsdk:"subject_alternative_names"`
	Issuer                  string   `tfsdk:"issuer"`
	Subject                 string   `tfsdk:"subject"`
	SerialNumber            string   `tfsdk:"serial_number"`
	NotBefore               string   `tfsdk:"not_before"`
	NotAfter                string   `tfsdk:"not_after"`
	FingerprintSHA256       string   `tfsdk:"fingerprint_sha256"`
	KeyAlgorithm            string   `tfsdk:"key_algorithm"`
	KeySize                 int64    `tfsdk:"key_size"`
	ChainComplete           bool     `tfsdk:"chain_complete"`
}
