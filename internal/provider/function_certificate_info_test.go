package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

func certificateInfoConfig(pem string) string {
	return fmt.Sprintf(`
output "info" {
  value = provider::ssl::certificate_info(%[1]q)
}
`, pem)
}

func TestAccCertificateInfoFunction(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "info.example.test", "alt.example.test")
	sm2 := certstest.NewCA(t, certstest.SM2).Leaf(t, certstest.LeafOptions{CommonName: "sm2-info.example.test"})
	rsa := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "rsa.example.test", Alg: certstest.RSA3072})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				// The chain out of order: the leaf is still found.
				Config: env.config(certificateInfoConfig(certstest.Concat(certstest.Pick(leaf.ChainPEMs(), 1, 2, 0)...))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("info", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"domain": knownvalue.StringExact("info.example.test"),
						"subject_alternative_names": knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("info.example.test"), knownvalue.StringExact("alt.example.test"),
						}),
						"issuer":             knownvalue.StringExact(leaf.Cert.Issuer.String()),
						"subject":            knownvalue.StringExact(leaf.Cert.Subject.String()),
						"serial_number":      knownvalue.StringExact(certs.SerialHex(leaf.Cert.SerialNumber)),
						"not_before":         knownvalue.StringExact(leaf.Cert.NotBefore.UTC().Format(time.RFC3339)),
						"not_after":          knownvalue.StringExact(leaf.Cert.NotAfter.UTC().Format(time.RFC3339)),
						"fingerprint_sha256": knownvalue.StringExact(certs.FingerprintSHA256(leaf.Cert.Raw)),
						"key_algorithm":      knownvalue.StringExact("ECC"),
						"key_size":           knownvalue.Int64Exact(256),
						"chain_complete":     knownvalue.Bool(true),
					})),
				},
			},
			{
				Config: env.config(certificateInfoConfig(sm2.CertPEM)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("info", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"domain":         knownvalue.StringExact("sm2-info.example.test"),
						"key_algorithm":  knownvalue.StringExact("SM2"),
						"key_size":       knownvalue.Int64Exact(256),
						"chain_complete": knownvalue.Bool(false),
					})),
				},
			},
			{
				Config: env.config(certificateInfoConfig(rsa.CertPEM)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("info", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"key_algorithm":  knownvalue.StringExact("RSA"),
						"key_size":       knownvalue.Int64Exact(3072),
						"chain_complete": knownvalue.Bool(true),
					})),
				},
			},
			{
				Config:      env.config(certificateInfoConfig("not a certificate")),
				ExpectError: regexp.MustCompile(`(?s)certificate_info.*not\s+PEM`),
			},
			{
				Config:      env.config(certificateInfoConfig(leaf.KeyPEM(t, ""))),
				ExpectError: regexp.MustCompile(`(?s)holds\s+a\s+private\s+key`),
			},
		},
	})
}
