package provider

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

const certAddr = "ssl_certificate.test"

// certConfig renders ssl_certificate.test with the required attributes and extra
// attribute lines.
func certConfig(name, domain, brand, typ, extra string) string {
	return fmt.Sprintf(`
resource "ssl_certificate" "test" {
  name             = %[1]q
  domain           = %[2]q
  brand            = %[3]q
  certificate_type = %[4]q
%[5]s
}
`, name, domain, brand, typ, extra)
}

// orgBlock is an organization attribute for OV certificates.
const orgBlock = `
  organization = {
    name     = "Example Ltd"
    country  = "CN"
    province = "Guangdong"
    locality = "Shenzhen"
  }
`

func attrCheck(name string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(certAddr, tfjsonpath.New(name), check)
}

var (
	hexSerial = knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]+$`))
	rfc3339   = knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))
	pemCert   = knownvalue.StringRegexp(regexp.MustCompile(`^-----BEGIN CERTIFICATE-----`))
)

// issuedChecks asserts what an issued certificate shows.
func issuedChecks(alg string, size int64) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		attrCheck("id", knownvalue.StringRegexp(regexp.MustCompile(`^cert-`))),
		attrCheck("status", knownvalue.StringExact("issued")),
		attrCheck("status_code", knownvalue.Int64Exact(1)),
		attrCheck("key_algorithm", knownvalue.StringExact(alg)),
		attrCheck("key_size", knownvalue.Int64Exact(size)),
		attrCheck("serial_number", hexSerial),
		attrCheck("not_before", rfc3339),
		attrCheck("not_after", rfc3339),
		attrCheck("fingerprint_sha256", knownvalue.NotNull()),
		attrCheck("certificate_pem", pemCert),
		attrCheck("ca_chain_pem", pemCert),
		attrCheck("full_chain_pem", pemCert),
		attrCheck("issuer", knownvalue.NotNull()),
		attrCheck("ready_for_renewal", knownvalue.Bool(false)),
		statecheck.ExpectSensitiveValue(certAddr, tfjsonpath.New("private_key_pem")),
	}
}

// captured records a state value for checks after destroy.
type captured struct{ value string }

type captureCheck struct {
	attr string
	into *captured
}

func capture(attr string, into *captured) statecheck.StateCheck {
	return captureCheck{attr: attr, into: into}
}

func (c captureCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == certAddr {
			v, _ := r.AttributeValues[c.attr].(string)
			c.into.value = v
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the state", certAddr)
}

// leafCheck checks certificate_pem with a function of the parsed leaf.
type leafCheck struct {
	check func(*x509.Certificate) error
}

func (c leafCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != certAddr {
			continue
		}
		s, _ := r.AttributeValues["certificate_pem"].(string)
		block, _ := pem.Decode([]byte(s))
		if block == nil {
			resp.Error = fmt.Errorf("certificate_pem holds no PEM")
			return
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			resp.Error = err
			return
		}
		resp.Error = c.check(cert)
		return
	}
	resp.Error = fmt.Errorf("%s is not in the state", certAddr)
}

// revokedSerials returns the serials on the CRLs of brand's alg CA, with their
// reason codes.
func (e *testEnv) revokedSerials(brand, alg string) map[string]int {
	e.t.Helper()
	auths, err := e.client.Authorities(context.Background(), brand, alg)
	if err != nil {
		e.t.Fatalf("reading the authorities: %v", err)
	}
	out := map[string]int{}
	for _, a := range auths {
		if a.Brand != brand || a.KeyAlgorithm != alg {
			continue
		}
		block, _ := pem.Decode([]byte(a.CRLPEM))
		if block == nil {
			e.t.Fatalf("the CRL of %s is not PEM", a.ID)
		}
		crl, err := x509.ParseRevocationList(block.Bytes)
		if err != nil {
			e.t.Fatalf("parsing the CRL of %s: %v", a.ID, err)
		}
		for _, entry := range crl.RevokedCertificateEntries {
			out[certs.SerialHex(entry.SerialNumber)] = entry.ReasonCode
		}
	}
	return out
}

// gone fails unless the certificate no longer exists in the backend.
func (e *testEnv) gone(id string) error {
	_, err := e.client.GetCertificate(context.Background(), id)
	if !client.IsNotFound(err) {
		return fmt.Errorf("certificate %s still exists in the backend (err %v)", id, err)
	}
	return nil
}

func stateID(s *terraform.State) string {
	if r, ok := s.RootModule().Resources[certAddr]; ok {
		return r.Primary.ID
	}
	return ""
}

// writeLetter writes a revocation letter of the given content into a temp file.
func writeLetter(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(p, content, 0o600))
	return p
}

var (
	pdfLetter = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	gifLetter = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00;")
)

// TestAccCertificate_ecc issues a TrustAsia DV ECC certificate, imports it, edits
// its tags (nothing else changes), reissues it on a key change (same id and
// not_after, new serial) and destroys it: both serials end on the CRL, the
// superseded one with reason superseded (RFC 5280 code 4).
func TestAccCertificate_ecc(t *testing.T) {
	env := newTestEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameNotAfter := statecheck.CompareValue(compare.ValuesSame())
	newSerial := statecheck.CompareValue(compare.ValuesDiffer())
	var first, second captured
	config := func(size int, tags string) string {
		return env.config(certConfig("web", "www.example.test", "TrustAsia", "DV", fmt.Sprintf(`
  subject_alternative_names = ["api.example.test"]
  key_algorithm             = "ECC"
  key_size                  = %[1]d
  tags                      = %[2]s
`, size, tags)))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: config(256, `{ team = "a" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("validity_days"), knownvalue.Int64Exact(365)),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("key_size"), knownvalue.Int64Exact(256)),
					},
				},
				ConfigStateChecks: append(issuedChecks("ECC", 256),
					sameID.AddStateValue(certAddr, tfjsonpath.New("id")),
					sameNotAfter.AddStateValue(certAddr, tfjsonpath.New("not_after")),
					newSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number")),
					capture("serial_number", &first),
					attrCheck("version", knownvalue.Int64Exact(1)),
					attrCheck("reissue_count", knownvalue.Int64Exact(0)),
					attrCheck("project", knownvalue.StringExact("default")),
					attrCheck("validation_method", knownvalue.StringExact("DNS")),
					attrCheck("revoke_on_destroy", knownvalue.Bool(true)),
					attrCheck("revocation_reason", knownvalue.StringExact("unspecified")),
					attrCheck("private_key_pem", knownvalue.StringRegexp(regexp.MustCompile(`^-----BEGIN PRIVATE KEY-----`))),
					attrCheck("encryption_certificate_pem", knownvalue.Null()),
					// The records that validated the names stay with the certificate.
					attrCheck("validation_records", knownvalue.ListSizeExact(2)),
					leafCheck{func(c *x509.Certificate) error {
						if got := strings.Join(c.DNSNames, ","); got != "www.example.test,api.example.test" {
							return fmt.Errorf("the leaf covers %s", got)
						}
						if c.NotAfter.Sub(c.NotBefore) != 365*24*time.Hour {
							return fmt.Errorf("the leaf is valid for %s", c.NotAfter.Sub(c.NotBefore))
						}
						return nil
					}},
				),
			},
			{
				ResourceName:      certAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			// A tag edit changes nothing else: every value of the version stays known.
			{
				Config: config(256, `{ team = "b" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("serial_number"), hexSerial),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("status"), knownvalue.StringExact("issued")),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("certificate_pem"), pemCert),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(certAddr, tfjsonpath.New("id")),
					attrCheck("tags", knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("b")})),
					attrCheck("version", knownvalue.Int64Exact(1)),
				},
			},
			// A key change reissues in place: new serial and key, same not_after (I5).
			{
				Config: config(384, `{ team = "b" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("not_after"), rfc3339),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("issuer"), knownvalue.NotNull()),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("ca_chain_pem"), pemCert),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("serial_number")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("fingerprint_sha256")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("certificate_pem")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("private_key_pem")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("reissue_count")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("version")),
					},
				},
				ConfigStateChecks: append(issuedChecks("ECC", 384),
					sameID.AddStateValue(certAddr, tfjsonpath.New("id")),
					sameNotAfter.AddStateValue(certAddr, tfjsonpath.New("not_after")),
					newSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number")),
					capture("serial_number", &second),
					attrCheck("reissue_count", knownvalue.Int64Exact(1)),
					attrCheck("version", knownvalue.Int64Exact(2)),
				),
			},
			{
				ResourceName:      certAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
		CheckDestroy: func(s *terraform.State) error {
			if err := env.gone(stateID(s)); err != nil {
				return err
			}
			crl := env.revokedSerials("TrustAsia", "ECC")
			if reason, ok := crl[first.value]; !ok || reason != 4 {
				return fmt.Errorf("the superseded serial %s is not on the CRL with reason superseded (%v, %d)", first.value, ok, reason)
			}
			if _, ok := crl[second.value]; !ok {
				return fmt.Errorf("the revoked serial %s is not on the CRL", second.value)
			}
			return nil
		},
	})
}

// backendCheck runs a check against the backend as a state check.
type backendCheck func() error

func (c backendCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c()
}

// stateLacks fails when the state holds secret anywhere.
type stateLacks string

func (s stateLacks) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(raw), string(s)) {
		resp.Error = fmt.Errorf("the state contains the secret")
	}
}

// TestAccCertificate_rsaOrganization issues a TrustAsia OV RSA certificate with its
// organisation, refuses a revocation letter of the wrong type at plan time — in an
// update plan and in a destroy plan (rule R7) — and revokes with the letter on
// destroy, with the configured reason.
func TestAccCertificate_rsaOrganization(t *testing.T) {
	env := newTestEnv(t)
	letter := writeLetter(t, "letter.pdf", pdfLetter)
	gif := writeLetter(t, "letter.gif", gifLetter)
	var serial captured
	config := func(letterPath string) string {
		return env.config(certConfig("ov", "shop.example.test", "TrustAsia", "OV", orgBlock+fmt.Sprintf(`
  revocation_reason      = "cessationOfOperation"
  revocation_letter_path = %[1]q
`, letterPath)))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: config(letter),
				ConfigStateChecks: append(issuedChecks("RSA", 2048),
					capture("serial_number", &serial),
					attrCheck("organization", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("Example Ltd"), "country": knownvalue.StringExact("CN"),
						"province": knownvalue.StringExact("Guangdong"), "locality": knownvalue.StringExact("Shenzhen"),
						"division": knownvalue.Null(), "address": knownvalue.Null(), "postal_code": knownvalue.Null(),
						"contact_name": knownvalue.Null(), "contact_email": knownvalue.Null(), "contact_phone": knownvalue.Null(),
						"registration_number": knownvalue.Null(), "business_category": knownvalue.Null(),
						"jurisdiction_country": knownvalue.Null(),
					})),
					leafCheck{func(c *x509.Certificate) error {
						if len(c.Subject.Organization) != 1 || c.Subject.Organization[0] != "Example Ltd" || c.Subject.Country[0] != "CN" {
							return fmt.Errorf("the leaf's subject is %s", c.Subject)
						}
						return nil
					}},
				),
			},
			{
				ResourceName:            certAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"revocation_letter_path", "revocation_reason"},
			},
			// TrustAsia OV takes a JPG, PNG or PDF letter (R7): a GIF is refused at plan time.
			{
				Config:      config(gif),
				ExpectError: summary("Revocation Letter Type Refused"),
			},
			// The letter changed on disk: the destroy plan asks the service, which checks its content.
			{
				PreConfig:   func() { must(t, os.WriteFile(letter, gifLetter, 0o600)) },
				Config:      config(letter),
				Destroy:     true,
				ExpectError: summary("Revocation Letter Type Refused"),
			},
			{
				PreConfig: func() { must(t, os.WriteFile(letter, pdfLetter, 0o600)) },
				Config:    config(letter),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
		CheckDestroy: func(s *terraform.State) error {
			if err := env.gone(stateID(s)); err != nil {
				return err
			}
			if reason, ok := env.revokedSerials("TrustAsia", "RSA")[serial.value]; !ok || reason != 5 {
				return fmt.Errorf("serial %s is not on the CRL with reason cessationOfOperation (%v, %d)", serial.value, ok, reason)
			}
			return nil
		},
	})
}

// TestAccCertificate_sm2 issues a DNSPod SM2 certificate: a signature certificate
// and an encryption certificate, each with its key.
func TestAccCertificate_sm2(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(certConfig("sm2", "sm2.example.test", "DNSPod", "DV", `  key_algorithm = "SM2"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("key_size"), knownvalue.Int64Exact(256)),
					},
				},
				ConfigStateChecks: append(issuedChecks("SM2", 256),
					attrCheck("encryption_certificate_pem", pemCert),
					attrCheck("encryption_private_key_pem", knownvalue.StringRegexp(regexp.MustCompile(`PRIVATE KEY-----`))),
					statecheck.ExpectSensitiveValue(certAddr, tfjsonpath.New("encryption_private_key_pem")),
				),
			},
			{
				ResourceName:      certAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
		CheckDestroy: func(s *terraform.State) error { return env.gone(stateID(s)) },
	})
}

// TestAccCertificate_csr issues for a CSR: the key never reaches the service, the
// algorithm comes from the CSR, and a CSR with another key reissues.
func TestAccCertificate_csr(t *testing.T) {
	env := newTestEnv(t)
	csr1 := certstest.CSRPEM(t, certstest.UniqueKey(t, certstest.ECC), "csr.example.test")
	csr2 := certstest.CSRPEM(t, certstest.UniqueKey(t, certstest.ECC), "csr.example.test")
	newSerial := statecheck.CompareValue(compare.ValuesDiffer())
	config := func(csr string) string {
		return env.config(certConfig("csr", "csr.example.test", "TrustAsia", "DV", fmt.Sprintf(`  csr_pem = %[1]q`, csr)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: config(csr1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("key_algorithm"), knownvalue.StringExact("ECC")),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("key_size"), knownvalue.Int64Exact(256)),
					},
				},
				ConfigStateChecks: append(issuedChecks("ECC", 256),
					newSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number")),
					attrCheck("private_key_pem", knownvalue.Null()),
					attrCheck("csr_pem", knownvalue.StringExact(csr1)),
				),
			},
			{
				ResourceName:            certAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"csr_pem"},
			},
			{
				Config: config(csr2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("serial_number")),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("private_key_pem"), knownvalue.Null()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					newSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number")),
					attrCheck("reissue_count", knownvalue.Int64Exact(1)),
					attrCheck("private_key_pem", knownvalue.Null()),
				},
			},
		},
	})
}

// TestAccCertificate_planTimeErrors covers the refusals the plan shows before
// anything is ordered: the catalogue (M2, M3), the organisation of OV/EV, keys,
// validity, the revocation letter and attributes that cannot be set together.
func TestAccCertificate_planTimeErrors(t *testing.T) {
	env := newTestEnv(t)
	missing := filepath.Join(t.TempDir(), "missing.pdf")
	cases := []struct {
		config string
		err    *regexp.Regexp
	}{
		{certConfig("e", "e.example.test", "Acme", "DV", ""), regexp.MustCompile(`(?s)brand.*value must be one of`)},
		{certConfig("e", "e.example.test", "TrustAsia", "QV", ""), regexp.MustCompile(`(?s)certificate_type.*value must be one of`)},
		{certConfig("e", "e.example.test", "WoTrus", "FREE_DV", ""), summary("Product Not Sold")},
		{certConfig("e", "e.example.test", "TrustAsia", "OV", ""), summary("Organization Required")},
		{certConfig("e", "e.example.test", "TrustAsia", "DV", orgBlock), summary("Organization Not Used")},
		{certConfig("e", "e.example.test", "WoTrus", "DV", `  send_reminder = true`), summary("No Reminders For This Product")},
		{certConfig("e", "e.example.test", "DNSPod", "OV", orgBlock+`  key_algorithm = "SM2"
  send_reminder = true`), summary("No Reminders For This Product")},
		{certConfig("e", "e.example.test", "TrustAsia", "DV", `  key_algorithm = "SM2"`), summary("Unsupported Key Algorithm")},
		{certConfig("e", "e.example.test", "TrustAsia", "DV", `  key_algorithm = "ECC"
  key_size = 2048`), summary("Unsupported Key Size")},
		{certConfig("e", "e.example.test", "SecureSite", "FREE_DV", `  subject_alternative_names = ["f.example.test"]`), summary("Single-Domain Product")},
		{certConfig("e", "e.example.test", "SecureSite", "FREE_DV", `  validity_days = 120`), summary("Validity Out Of Range")},
		{certConfig("e", "e.example.test", "TrustAsia", "DV", `  renew_before_days = 365`), summary("Renewal Window Too Long")},
		{certConfig("e", "e.example.test", "TrustAsia", "DV", `  revocation_reason = "certificateHold"`), regexp.MustCompile(`(?s)revocation_reason.*value must be one of`)},
		{certConfig("e", "e.example.test", "TrustAsia", "OV", orgBlock+fmt.Sprintf(`  revocation_letter_path = %q`, missing)), summary("Revocation Letter Not Found")},
		{certConfig("e", "e.example.test", "TrustAsia", "DV", `  csr_pem = "not a CSR"`), summary("Invalid CSR")},
		// I6: with a CSR the key is never here, so there is no password to set.
		{certConfig("e", "e.example.test", "TrustAsia", "DV", `  csr_pem = "not a CSR"
  private_key_password = "secret"`), regexp.MustCompile(`(?s)Invalid Attribute Combination.*csr_pem,private_key_password`)},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: env.config(c.config), ExpectError: c.err})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: env.factories, Steps: steps})
}

// TestAccCertificate_reissueExpiringSoon moves the clock to 25 days before expiry:
// a key change is refused at plan time (I1), and so is a destroy that would revoke
// (R4); the expiry notifications can now be ignored (N1); with revoke_on_destroy =
// false destroy leaves the certificate in the service. No renew_before_days: with
// one, the plan would renew the certificate (TestAccCertificate_renewal*).
func TestAccCertificate_reissueExpiringSoon(t *testing.T) {
	env := newTestEnv(t)
	var id captured
	config := func(size int, revoke, ignore bool) string {
		return env.config(certConfig("soon", "soon.example.test", "TrustAsia", "DV", fmt.Sprintf(`
  key_algorithm                   = "ECC"
  key_size                        = %[1]d
  revoke_on_destroy               = %[2]t
  ignore_expiration_notifications = %[3]t
`, size, revoke, ignore)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: config(256, true, false),
				ConfigStateChecks: []statecheck.StateCheck{
					capture("id", &id),
					attrCheck("renew_before_days", knownvalue.Null()),
					attrCheck("ready_for_renewal", knownvalue.Bool(false)),
				},
			},
			{
				Config:      config(256, true, true),
				ExpectError: regexp.MustCompile(`(?s)Certificate Does Not Expire Soon.*rule N1`),
			},
			{
				PreConfig: func() { env.clock.Advance(340 * 24 * time.Hour) },
				Config:    config(256, true, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{attrCheck("ready_for_renewal", knownvalue.Bool(false))},
			},
			{
				Config:      config(384, true, false),
				ExpectError: regexp.MustCompile(`(?s)Certificate Expires Too Soon.*Renew it instead`),
			},
			{
				Config:      config(256, true, false),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Certificate Due For Renewal.*revoke_on_destroy = false`),
			},
			// Only the state and the ignore change: no reissue, nothing else planned.
			{
				Config: config(256, false, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("serial_number"), hexSerial),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					},
				},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			c, err := env.client.GetCertificate(context.Background(), id.value)
			if err != nil || c.Status != "issued" {
				return fmt.Errorf("certificate %s should stay issued in the service: %v", id.value, err)
			}
			return nil
		},
	})
}

// TestAccCertificate_freeReissuedOnce reissues a free DV certificate once; a second
// reissue is refused at plan time (I2).
func TestAccCertificate_freeReissuedOnce(t *testing.T) {
	env := newTestEnv(t)
	config := func(alg string) string {
		return env.config(certConfig("free", "free.example.test", "SecureSite", "FREE_DV", fmt.Sprintf(`  key_algorithm = %q`, alg)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: config("ECC"),
				ConfigStateChecks: append(issuedChecks("ECC", 256),
					attrCheck("validity_days", knownvalue.Int64Exact(90))),
			},
			{
				Config: config("RSA"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						// Another algorithm: another issuing CA.
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("issuer")),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("key_size"), knownvalue.Int64Exact(2048)),
					},
				},
				ConfigStateChecks: append(issuedChecks("RSA", 2048), attrCheck("reissue_count", knownvalue.Int64Exact(1))),
			},
			{
				Config:      config("ECC"),
				ExpectError: summary("Free Certificate Already Reissued"),
			},
		},
	})
}

// TestAccCertificate_pendingOrder orders under review_policy = manual: create
// succeeds with a pending status, the review reminder opens 24 h later (M4) and a
// later apply sends it; destroy cancels the order, then deletes it (D3).
func TestAccCertificate_pendingOrder(t *testing.T) {
	env := newTestEnvWithService(t, backend.ServiceSettings{ReviewPolicy: "manual"})
	config := env.config(certConfig("pending", "pending.example.test", "TrustAsia", "DV", `
  key_algorithm = "ECC"
  send_reminder = true
`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("status", knownvalue.StringExact("pending_review")),
					attrCheck("status_code", knownvalue.Int64Exact(0)),
					attrCheck("version", knownvalue.Int64Exact(0)),
					attrCheck("serial_number", knownvalue.Null()),
					attrCheck("certificate_pem", knownvalue.Null()),
					attrCheck("private_key_pem", knownvalue.Null()),
					attrCheck("reminder_available_at", rfc3339),
					attrCheck("reminder_sent_at", knownvalue.Null()),
				},
				// The reminder is not open yet: the next plan offers to send it.
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() { env.clock.Advance(25 * time.Hour) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("reminder_sent_at")),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("status"), knownvalue.StringExact("pending_review")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("reminder_sent_at", rfc3339),
					attrCheck("status", knownvalue.StringExact("pending_review")),
				},
			},
		},
		CheckDestroy: func(s *terraform.State) error { return env.gone(stateID(s)) },
	})
}

// TestAccCertificate_revokeOnDestroyFalse destroys without revoking: the certificate
// stays issued in the service and its serial is not on the CRL.
func TestAccCertificate_revokeOnDestroyFalse(t *testing.T) {
	env := newTestEnv(t)
	var id, serial captured
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(certConfig("kept", "kept.example.test", "TrustAsia", "DV", `
  key_algorithm     = "ECC"
  revoke_on_destroy = false
`)),
				ConfigStateChecks: append(issuedChecks("ECC", 256), capture("id", &id), capture("serial_number", &serial)),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			c, err := env.client.GetCertificate(context.Background(), id.value)
			if err != nil || c.Status != "issued" {
				return fmt.Errorf("certificate %s should stay issued in the service: %v", id.value, err)
			}
			if _, ok := env.revokedSerials("TrustAsia", "ECC")[serial.value]; ok {
				return fmt.Errorf("serial %s is on the CRL", serial.value)
			}
			return nil
		},
	})
}

// TestAccCertificate_revokedOutOfBand revokes the certificate behind Terraform's
// back: refresh shows it revoked and the next plan replaces it.
func TestAccCertificate_revokedOutOfBand(t *testing.T) {
	env := newTestEnv(t)
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	var old captured
	config := env.config(certConfig("oob", "oob.example.test", "TrustAsia", "DV", `  key_algorithm = "ECC"`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{newID.AddStateValue(certAddr, tfjsonpath.New("id")), capture("id", &old)},
			},
			{
				PreConfig: func() {
					if _, err := env.client.RevokeCertificate(context.Background(), old.value, wire.RevokeRequest{Reason: "keyCompromise"}); err != nil {
						t.Fatalf("revoking out of band: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				ConfigStateChecks: append(issuedChecks("ECC", 256),
					newID.AddStateValue(certAddr, tfjsonpath.New("id")),
					backendCheck(func() error { return env.gone(old.value) }),
				),
			},
		},
	})
}

// TestAccCertificate_domainChange: another spelling of the same names is recorded in
// place; another domain replaces the certificate, and the old one is revoked and
// deleted.
func TestAccCertificate_domainChange(t *testing.T) {
	env := newTestEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var old, oldSerial captured
	config := func(domain, sans string) string {
		return env.config(certConfig("names", domain, "TrustAsia", "DV", fmt.Sprintf(`
  key_algorithm             = "ECC"
  subject_alternative_names = %[1]s
`, sans)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: config("a.example.test", `["b.example.test"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(certAddr, tfjsonpath.New("id")),
					capture("id", &old), capture("serial_number", &oldSerial),
				},
			},
			{
				Config: config("A.Example.test.", `["B.example.test", "a.example.test"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("serial_number"), hexSerial),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(certAddr, tfjsonpath.New("id")),
					attrCheck("domain", knownvalue.StringExact("A.Example.test.")),
				},
			},
			{
				Config: config("c.example.test", `["b.example.test"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionReplace),
					},
				},
				ConfigStateChecks: append(issuedChecks("ECC", 256),
					attrCheck("domain", knownvalue.StringExact("c.example.test")),
					backendCheck(func() error { return env.gone(old.value) }),
					backendCheck(func() error {
						if _, ok := env.revokedSerials("TrustAsia", "ECC")[oldSerial.value]; !ok {
							return fmt.Errorf("the replaced certificate's serial %s is not on the CRL", oldSerial.value)
						}
						return nil
					}),
				),
			},
		},
	})
}

// TestAccCertificate_importPlansNoChanges imports an OV certificate ordered outside
// Terraform: the same configuration then plans no changes.
func TestAccCertificate_importPlansNoChanges(t *testing.T) {
	env := newTestEnv(t)
	created, err := env.client.OrderCertificate(context.Background(), wire.OrderRequest{
		Name: "imported", Project: "web", Tags: map[string]string{"team": "a"}, Domain: "import.example.test", RenewBeforeDays: 30,
		SubjectAlternativeNames: []string{"api.import.example.test"}, Brand: "TrustAsia", CertificateType: "OV",
		KeyAlgorithm: "ECC", ValidationMethod: "DNS_AUTO",
		Organization: &wire.Organization{Name: "Example Ltd", Country: "CN", Province: "Guangdong", Locality: "Shenzhen"},
	})
	if err != nil {
		t.Fatalf("ordering: %v", err)
	}
	config := env.config(certConfig("imported", "import.example.test", "TrustAsia", "OV", orgBlock+`
  project                   = "web"
  subject_alternative_names = ["api.import.example.test"]
  key_algorithm             = "ECC"
  validation_method         = "DNS_AUTO"
  renew_before_days         = 30
  tags                      = { team = "a" }
`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:             config,
				ResourceName:       certAddr,
				ImportState:        true,
				ImportStateId:      created.ID,
				ImportStatePersist: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: append(issuedChecks("ECC", 256),
					attrCheck("id", knownvalue.StringExact(created.ID)),
					attrCheck("serial_number", knownvalue.StringExact(created.SerialNumber))),
			},
		},
	})
}

// TestAccCertificate_importWithPassword imports a certificate whose key has a
// password: a wrong password is an error, the right one is only recorded (checked
// against the service's verifier, no reissue), and a new one reissues.
func TestAccCertificate_importWithPassword(t *testing.T) {
	env := newTestEnv(t)
	created, err := env.client.OrderCertificate(context.Background(), wire.OrderRequest{
		Name: "locked", Project: "default", Domain: "locked.example.test", Brand: "TrustAsia", CertificateType: "DV",
		KeyAlgorithm: "ECC", PrivateKeyPassword: "correct horse", ValidationMethod: "DNS",
	})
	if err != nil {
		t.Fatalf("ordering: %v", err)
	}
	config := func(password string) string {
		return env.config(certConfig("locked", "locked.example.test", "TrustAsia", "DV", fmt.Sprintf(`
  key_algorithm        = "ECC"
  private_key_password = %[1]q
`, password)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:             config("correct horse"),
				ResourceName:       certAddr,
				ImportState:        true,
				ImportStateId:      created.ID,
				ImportStatePersist: true,
			},
			{
				Config:      config("battery staple"),
				ExpectError: summary("Private Key Password Does Not Match"),
			},
			{
				Config: config("correct horse"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("serial_number"), knownvalue.StringExact(created.SerialNumber)),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("reissue_count"), knownvalue.Int64Exact(0)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("serial_number", knownvalue.StringExact(created.SerialNumber)),
					attrCheck("private_key_pem", knownvalue.StringRegexp(regexp.MustCompile(`^-----BEGIN ENCRYPTED PRIVATE KEY-----`))),
				},
			},
			{
				Config: config("battery staple"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("serial_number")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("reissue_count", knownvalue.Int64Exact(1)),
					backendCheck(func() error {
						ok, err := env.client.CheckPassword(context.Background(), created.ID, "battery staple")
						if err != nil || !ok {
							return fmt.Errorf("the reissued key's password is not the new one (%v)", err)
						}
						return nil
					}),
				},
			},
		},
	})
}

// TestAccCertificate_writeOnlyPassword keeps the password out of plan and state; a
// new private_key_password_wo_version reissues with the new password.
func TestAccCertificate_writeOnlyPassword(t *testing.T) {
	env := newTestEnv(t)
	var id captured
	config := func(password string, version int) string {
		return env.config(certConfig("wo", "wo.example.test", "TrustAsia", "DV", fmt.Sprintf(`
  key_algorithm                   = "ECC"
  private_key_password_wo         = %[1]q
  private_key_password_wo_version = %[2]d
`, password, version)))
	}
	passwordIs := func(pw string) statecheck.StateCheck {
		return backendCheck(func() error {
			ok, err := env.client.CheckPassword(context.Background(), id.value, pw)
			if err != nil || !ok {
				return fmt.Errorf("the key's password is not %q (%v)", pw, err)
			}
			return nil
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: config("first secret", 1),
				ConfigStateChecks: append(issuedChecks("ECC", 256),
					capture("id", &id),
					attrCheck("private_key_password_wo", knownvalue.Null()),
					attrCheck("private_key_pem", knownvalue.StringRegexp(regexp.MustCompile(`^-----BEGIN ENCRYPTED PRIVATE KEY-----`))),
					stateLacks("first secret"),
					passwordIs("first secret"),
				),
			},
			{
				Config: config("second secret", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("serial_number")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("reissue_count", knownvalue.Int64Exact(1)),
					stateLacks("second secret"),
					passwordIs("second secret"),
				},
			},
			{
				ResourceName:            certAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"private_key_password_wo_version"},
			},
		},
	})
}

// TestAccCertificate_importCSR imports a certificate issued for a CSR: the service
// does not return the CSR, so the configured one is recorded once, in place, without
// a reissue (it carries the certificate's key).
func TestAccCertificate_importCSR(t *testing.T) {
	env := newTestEnv(t)
	csr := certstest.CSRPEM(t, certstest.UniqueKey(t, certstest.ECC), "csr-import.example.test")
	created, err := env.client.OrderCertificate(context.Background(), wire.OrderRequest{
		Name: "csr", Project: "default", Domain: "csr-import.example.test", Brand: "TrustAsia", CertificateType: "DV",
		CSRPEM: csr, ValidationMethod: "DNS",
	})
	if err != nil {
		t.Fatalf("ordering: %v", err)
	}
	config := env.config(certConfig("csr", "csr-import.example.test", "TrustAsia", "DV", fmt.Sprintf(`  csr_pem = %[1]q`, csr)))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:             config,
				ResourceName:       certAddr,
				ImportState:        true,
				ImportStateId:      created.ID,
				ImportStatePersist: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("serial_number"), knownvalue.StringExact(created.SerialNumber)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("serial_number", knownvalue.StringExact(created.SerialNumber)),
					attrCheck("reissue_count", knownvalue.Int64Exact(0)),
					attrCheck("csr_pem", knownvalue.StringExact(csr)),
				},
			},
		},
	})
}

// fileServer stands in for the web servers of the test domains under validation =
// http: while serving, it answers every validation fetch with the content the
// certificate's pending operation waits for, looked up in the backend.
type fileServer struct {
	env     *testEnv
	serving atomic.Bool
}

func (f *fileServer) serve(on bool) { f.serving.Store(on) }

func (f *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !f.serving.Load() {
		http.NotFound(w, r)
		return
	}
	host := strings.Split(r.Host, ":")[0]
	list, err := f.env.client.ListCertificates(r.Context(), wire.ListFilter{Domain: host})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for _, c := range list {
		if c.Order == nil {
			continue
		}
		for _, v := range c.Order.ValidationRecords {
			if v.Method == "FILE" && v.Domain == host && v.Path == r.URL.Path {
				_, _ = fmt.Fprintln(w, v.Content)
				return
			}
		}
	}
	http.NotFound(w, r)
}

// newFileValidationEnv is a test env whose backend validates domains by fetching
// files (validation = http) from a fileServer, initially not serving.
func newFileValidationEnv(t *testing.T) (*testEnv, *fileServer) {
	files := &fileServer{}
	srv := httptest.NewServer(files)
	t.Cleanup(srv.Close)
	env := newTestEnvWithService(t, backend.ServiceSettings{Validation: "http", HTTPAddr: strings.TrimPrefix(srv.URL, "http://")})
	files.env = env
	return env, files
}

// advance has the backend check the certificate's pending validation again.
func (e *testEnv) advance(id string) {
	e.t.Helper()
	if _, err := e.client.AdvanceCertificate(context.Background(), id); err != nil {
		e.t.Fatalf("advancing certificate %s: %v", id, err)
	}
}

// TestAccCertificate_revocationValidation runs a DV certificate through domain
// validation by file (validation = http): the order waits with its validation
// records until the file is served; destroy submits a revocation that waits for
// validation again (R7) and times out after timeouts.delete; once 3 days pass
// without it the revocation fails; served in time, destroy revokes and deletes.
func TestAccCertificate_revocationValidation(t *testing.T) {
	env, files := newFileValidationEnv(t)
	var id, serial captured
	config := func(timeouts string) string {
		return env.config(certConfig("file", "file.example.test", "TrustAsia", "DV", `
  key_algorithm     = "ECC"
  validation_method = "FILE"
`+timeouts))
	}
	short := `
  timeouts {
    delete = "2s"
  }
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: config(""),
				ConfigStateChecks: []statecheck.StateCheck{
					capture("id", &id),
					attrCheck("status", knownvalue.StringExact("pending_validation")),
					attrCheck("validation_records", knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"domain":  knownvalue.StringExact("file.example.test"),
						"method":  knownvalue.StringExact("FILE"),
						"url":     knownvalue.StringExact("http://file.example.test/.well-known/pki-validation/fileauth.txt"),
						"content": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`)),
					})})),
				},
			},
			// The file is served and the order checked again: refresh sees it issued.
			{
				PreConfig:         func() { files.serve(true); env.advance(id.value); files.serve(false) },
				Config:            config(short),
				ConfigStateChecks: append(issuedChecks("ECC", 256), capture("serial_number", &serial)),
			},
			{
				Config:      config(short),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Certificate Not Revoked Yet.*fileauth.txt.*cannot be withdrawn`),
			},
			{
				PreConfig:   func() { env.clock.Advance(4 * 24 * time.Hour) },
				Config:      config(short),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Revocation Failed.*rule R7`),
			},
			{
				Config:      config(short),
				Destroy:     true,
				ExpectError: summary("Certificate Not Revoked Yet"),
			},
			// The revocation's file is served: the final destroy revokes and deletes.
			{
				PreConfig: func() { files.serve(true) },
				Config:    config(short),
			},
		},
		CheckDestroy: func(s *terraform.State) error {
			if err := env.gone(id.value); err != nil {
				return err
			}
			if _, ok := env.revokedSerials("TrustAsia", "ECC")[serial.value]; !ok {
				return fmt.Errorf("serial %s is not on the CRL", serial.value)
			}
			return nil
		},
	})
}

// TestAccCertificate_reissuePending reissues a free DV certificate under file
// validation (a free DV reissue validates again, I7): the reissue waits in
// reissuing with the current certificate still served, the plan stays empty, and
// once the file is served the new version appears on refresh.
func TestAccCertificate_reissuePending(t *testing.T) {
	env, files := newFileValidationEnv(t)
	var id captured
	sameSerial := statecheck.CompareValue(compare.ValuesSame())
	serveAndAdvance := func() { files.serve(true); env.advance(id.value); files.serve(false) }
	config := func(size int) string {
		return env.config(certConfig("free", "free-file.example.test", "SecureSite", "FREE_DV", fmt.Sprintf(`
  key_algorithm     = "ECC"
  key_size          = %[1]d
  validation_method = "FILE"
`, size)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:            config(256),
				ConfigStateChecks: []statecheck.StateCheck{capture("id", &id), attrCheck("status", knownvalue.StringExact("pending_validation"))},
			},
			{
				PreConfig:         serveAndAdvance,
				Config:            config(256),
				ConfigStateChecks: append(issuedChecks("ECC", 256), sameSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number"))),
			},
			{
				Config: config(384),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("status", knownvalue.StringExact("reissuing")),
					attrCheck("key_size", knownvalue.Int64Exact(384)),
					attrCheck("reissue_count", knownvalue.Int64Exact(0)),
					sameSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number")),
				},
			},
			{
				PreConfig: serveAndAdvance,
				Config:    config(384),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: append(issuedChecks("ECC", 384), attrCheck("reissue_count", knownvalue.Int64Exact(1))),
			},
			// Destroy revokes, which validates the domain again (R7): serve the files.
			{
				PreConfig: func() { files.serve(true) },
				Config:    config(384),
			},
		},
		CheckDestroy: func(*terraform.State) error { return env.gone(id.value) },
	})
}
