package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

// certificatesFixture uploads three certificates: "alpha" and two named "dup"
// (one of them in project "other").
func certificatesFixture(alpha, dup1, dup2 *certstest.Leaf, t *testing.T) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "alpha" {
  name            = "alpha"
  certificate_pem = %[1]q
  private_key_pem = %[2]q
}

resource "ssl_certificate_upload" "dup1" {
  name            = "dup"
  certificate_pem = %[3]q
  private_key_pem = %[4]q
}

resource "ssl_certificate_upload" "dup2" {
  name            = "dup"
  project         = "other"
  certificate_pem = %[5]q
  private_key_pem = %[6]q
}
`, alpha.FullChainPEM(), alpha.KeyPEM(t, ""), dup1.FullChainPEM(), dup1.KeyPEM(t, ""), dup2.FullChainPEM(), dup2.KeyPEM(t, ""))
}

func TestAccCertificateDataSource(t *testing.T) {
	env := newTestEnv(t)
	inter := certstest.NewCA(t, certstest.ECC).Intermediate(t, certstest.CAOptions{})
	alpha := inter.Leaf(t, certstest.LeafOptions{CommonName: "alpha.example.test"})
	dup1 := inter.Leaf(t, certstest.LeafOptions{CommonName: "dup1.example.test"})
	dup2 := inter.Leaf(t, certstest.LeafOptions{CommonName: "dup2.example.test"})
	resources := env.config(certificatesFixture(alpha, dup1, dup2, t))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{Config: resources},
			{
				Config: resources + `
data "ssl_certificate" "by_name" {
  name = "alpha"
}

data "ssl_certificate" "by_id" {
  id = ssl_certificate_upload.dup2.id
}

data "ssl_certificate" "by_name_in_project" {
  name    = "dup"
  project = "other"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("data.ssl_certificate.by_name", tfjsonpath.New("id"),
						"ssl_certificate_upload.alpha", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.ssl_certificate.by_name", tfjsonpath.New("full_chain_pem"),
						"ssl_certificate_upload.alpha", tfjsonpath.New("full_chain_pem"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_name", tfjsonpath.New("source"), knownvalue.StringExact("uploaded")),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_name", tfjsonpath.New("project"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_name", tfjsonpath.New("domain"), knownvalue.StringExact("alpha.example.test")),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_name", tfjsonpath.New("serial_number"),
						knownvalue.StringExact(certs.SerialHex(alpha.Cert.SerialNumber))),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_name", tfjsonpath.New("certificate_pem"), knownvalue.StringExact(alpha.FullChainPEM())),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_name", tfjsonpath.New("chain_complete"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_name", tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_id", tfjsonpath.New("name"), knownvalue.StringExact("dup")),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_id", tfjsonpath.New("project"), knownvalue.StringExact("other")),
					statecheck.ExpectKnownValue("data.ssl_certificate.by_id", tfjsonpath.New("domain"), knownvalue.StringExact("dup2.example.test")),
					statecheck.CompareValuePairs("data.ssl_certificate.by_name_in_project", tfjsonpath.New("id"),
						"ssl_certificate_upload.dup2", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			{
				Config: resources + `
data "ssl_certificate" "dup" {
  name = "dup"
}
`,
				ExpectError: summary("Several Certificates Match"),
			},
			{
				Config: resources + `
data "ssl_certificate" "none" {
  name = "no such certificate"
}
`,
				ExpectError: summary("Certificate Not Found"),
			},
			{
				Config: resources + `
data "ssl_certificate" "none" {
  id = "cert-doesnotexist"
}
`,
				ExpectError: summary("Certificate Not Found"),
			},
			{
				Config: resources + `
data "ssl_certificate" "both" {
  id   = ssl_certificate_upload.alpha.id
  name = "alpha"
}
`,
				ExpectError: summary("Invalid Attribute Combination"),
			},
			{
				Config: resources + `
data "ssl_certificate" "wrong_project" {
  id      = ssl_certificate_upload.alpha.id
  project = "other"
}
`,
				ExpectError: summary("Certificate In Another Project"),
			},
		},
	})
}
