package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

// certificatesDataConfig uploads www (expires in 10 days, env=prod), wild
// (*.example.test, 60 days, env=dev) and other (project "other", 200 days), and
// queries them with one ssl_certificates per filter.
func certificatesDataConfig(t *testing.T, www, wild, other *certstest.Leaf) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "www" {
  name            = "ds-www"
  certificate_pem = %[1]q
  private_key_pem = %[2]q
  tags = {
    env = "prod"
  }
}

resource "ssl_certificate_upload" "wild" {
  name            = "ds-wild"
  certificate_pem = %[3]q
  private_key_pem = %[4]q
  tags = {
    env = "dev"
  }
}

resource "ssl_certificate_upload" "other" {
  name            = "ds-other"
  project         = "other"
  certificate_pem = %[5]q
  private_key_pem = %[6]q
}

data "ssl_certificates" "all" {
  depends_on = [ssl_certificate_upload.www, ssl_certificate_upload.wild, ssl_certificate_upload.other]
}

data "ssl_certificates" "api" {
  domain     = "api.example.test"
  depends_on = [ssl_certificate_upload.www, ssl_certificate_upload.wild, ssl_certificate_upload.other]
}

data "ssl_certificates" "www" {
  domain     = "www.example.test"
  depends_on = [ssl_certificate_upload.www, ssl_certificate_upload.wild, ssl_certificate_upload.other]
}

data "ssl_certificates" "prod" {
  tags = {
    env = "prod"
  }
  depends_on = [ssl_certificate_upload.www, ssl_certificate_upload.wild, ssl_certificate_upload.other]
}

data "ssl_certificates" "expiring" {
  expiring_within_days = 30
  depends_on           = [ssl_certificate_upload.www, ssl_certificate_upload.wild, ssl_certificate_upload.other]
}

data "ssl_certificates" "expired" {
  status     = "expired"
  depends_on = [ssl_certificate_upload.www, ssl_certificate_upload.wild, ssl_certificate_upload.other]
}

data "ssl_certificates" "other_project" {
  project    = "other"
  depends_on = [ssl_certificate_upload.www, ssl_certificate_upload.wild, ssl_certificate_upload.other]
}

data "ssl_certificates" "name" {
  name       = "ds-w"
  source     = "uploaded"
  depends_on = [ssl_certificate_upload.www, ssl_certificate_upload.wild, ssl_certificate_upload.other]
}

data "ssl_certificates" "issued" {
  source     = "issued"
  depends_on = [ssl_certificate_upload.www, ssl_certificate_upload.wild, ssl_certificate_upload.other]
}
`, www.FullChainPEM(), www.KeyPEM(t, ""), wild.FullChainPEM(), wild.KeyPEM(t, ""), other.FullChainPEM(), other.KeyPEM(t, ""))
}

// names checks that a data source lists exactly the certificates with these names,
// in any order.
func names(addr string, names ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, 0, len(names))
	for _, n := range names {
		checks = append(checks, knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(n)}))
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("certificates"), knownvalue.SetExact(checks))
}

func TestAccCertificatesDataSource(t *testing.T) {
	env := newTestEnv(t)
	now := env.clock.Now()
	inter := certstest.NewCA(t, certstest.ECC).Intermediate(t, certstest.CAOptions{})
	day := 24 * time.Hour
	www := inter.Leaf(t, certstest.LeafOptions{CommonName: "www.example.test", NotBefore: now.Add(-day), NotAfter: now.Add(10 * day)})
	wild := inter.Leaf(t, certstest.LeafOptions{CommonName: "*.example.test", DNSNames: []string{"*.example.test", "example.test"},
		NotBefore: now.Add(-day), NotAfter: now.Add(60 * day)})
	other := inter.Leaf(t, certstest.LeafOptions{CommonName: "other.test", NotBefore: now.Add(-day), NotAfter: now.Add(200 * day)})
	config := env.config(certificatesDataConfig(t, www, wild, other))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "ssl_certificates" "bad" {
  source = "bought"
}
`),
				ExpectError: summary("Invalid Attribute Value Match"),
			},
			{
				Config: env.config(`
data "ssl_certificates" "bad" {
  expiring_within_days = -1
}
`),
				ExpectError: summary("Invalid Attribute Value"),
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					names("data.ssl_certificates.all", "ds-www", "ds-wild", "ds-other"),
					names("data.ssl_certificates.api", "ds-wild"),
					names("data.ssl_certificates.www", "ds-www", "ds-wild"),
					names("data.ssl_certificates.prod", "ds-www"),
					names("data.ssl_certificates.expiring", "ds-www"),
					names("data.ssl_certificates.expired"),
					names("data.ssl_certificates.other_project", "ds-other"),
					names("data.ssl_certificates.name", "ds-www", "ds-wild"),
					names("data.ssl_certificates.issued"),
					statecheck.ExpectKnownValue("data.ssl_certificates.api", tfjsonpath.New("certificates"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":            knownvalue.NotNull(),
							"name":          knownvalue.StringExact("ds-wild"),
							"project":       knownvalue.StringExact("default"),
							"source":        knownvalue.StringExact("uploaded"),
							"status":        knownvalue.StringExact("issued"),
							"status_code":   knownvalue.Int64Exact(1),
							"domain":        knownvalue.StringExact("*.example.test"),
							"issuer":        knownvalue.StringExact(inter.Cert.Subject.String()),
							"serial_number": knownvalue.StringExact(certs.SerialHex(wild.Cert.SerialNumber)),
							"subject_alternative_names": knownvalue.ListExact([]knownvalue.Check{
								knownvalue.StringExact("*.example.test"), knownvalue.StringExact("example.test"),
							}),
							"not_before":         knownvalue.StringExact(wild.Cert.NotBefore.UTC().Format(time.RFC3339)),
							"not_after":          knownvalue.StringExact(wild.Cert.NotAfter.UTC().Format(time.RFC3339)),
							"fingerprint_sha256": knownvalue.StringExact(certs.FingerprintSHA256(wild.Cert.Raw)),
							"key_algorithm":      knownvalue.StringExact("ECC"),
							"chain_complete":     knownvalue.Bool(true),
							"tags":               knownvalue.MapExact(map[string]knownvalue.Check{"env": knownvalue.StringExact("dev")}),
							"version":            knownvalue.Int64Exact(1),
						}),
					})),
				},
			},
			// 40 days later www has expired and wild expires within 30 days.
			{
				PreConfig: func() { env.clock.Advance(40 * day) },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					names("data.ssl_certificates.expiring", "ds-wild"),
					names("data.ssl_certificates.expired", "ds-www"),
					statecheck.ExpectKnownValue("ssl_certificate_upload.www", tfjsonpath.New("status"), knownvalue.StringExact("expired")),
				},
			},
		},
	})
}
