package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

const uploadAddr = "ssl_certificate_upload.test"

// newLeaf issues an ECDSA leaf for cn (and sans) from a new root → intermediate.
func newLeaf(t *testing.T, cn string, sans ...string) *certstest.Leaf {
	t.Helper()
	inter := certstest.NewCA(t, certstest.ECC).Intermediate(t, certstest.CAOptions{})
	return inter.Leaf(t, certstest.LeafOptions{CommonName: cn, DNSNames: append([]string{cn}, sans...)})
}

func uploadConfig(name, certPEM, keyPEM string) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name            = %[1]q
  certificate_pem = %[2]q
  private_key_pem = %[3]q
}
`, name, certPEM, keyPEM)
}

func uploadConfigTags(name string, tags map[string]string, certPEM, keyPEM string) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name            = %[1]q
  certificate_pem = %[3]q
  private_key_pem = %[4]q

  tags = %[2]s
}
`, name, hclMap(tags), certPEM, keyPEM)
}

func uploadConfigNoKey(certPEM string) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name            = "no key"
  certificate_pem = %[1]q
}
`, certPEM)
}

func uploadConfigSM2(certPEM, keyPEM, encCertPEM, encKeyPEM string) string {
	encKey := ""
	if encKeyPEM != "" {
		encKey = fmt.Sprintf("encryption_private_key_pem = %q", encKeyPEM)
	}
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name                       = "sm2"
  standard                   = "sm2"
  certificate_pem            = %[1]q
  private_key_pem            = %[2]q
  encryption_certificate_pem = %[3]q
  %[4]s
}
`, certPEM, keyPEM, encCertPEM, encKey)
}

func uploadConfigStandard(standard, certPEM, keyPEM string) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name            = "standard"
  standard        = %[1]q
  certificate_pem = %[2]q
  private_key_pem = %[3]q
}
`, standard, certPEM, keyPEM)
}

func uploadConfigWriteOnly(certPEM, keyPEM string, version int) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name                       = "write-only"
  certificate_pem            = %[1]q
  private_key_pem_wo         = %[2]q
  private_key_pem_wo_version = %[3]d
}
`, certPEM, keyPEM, version)
}

// uploadConfigLateKey gives the key through terraform_data, so that it is unknown
// at plan time and only the backend can check it.
func uploadConfigLateKey(certPEM, keyPEM string) string {
	return fmt.Sprintf(`
resource "terraform_data" "key" {
  input = %[2]q
}

resource "ssl_certificate_upload" "test" {
  name            = "late key"
  certificate_pem = %[1]q
  private_key_pem = terraform_data.key.output
}
`, certPEM, keyPEM)
}

// hclMap renders a map of strings as an HCL object.
func hclMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("{\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "    %q = %q\n", k, m[k])
	}
	b.WriteString("  }")
	return b.String()
}

// hclBinary quotes bytes as an HCL string, one character per byte (Latin-1), as a
// DER file pasted as text arrives.
func hclBinary(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '$' && c != '%' {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, `\u%04x`, c)
		}
	}
	s.WriteByte('"')
	return s.String()
}

// uploadChecks asserts the attributes an upload of leaf (given as certPEM) shows.
func uploadChecks(domain string, leaf *certstest.Leaf) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^\S+$`))),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("domain"), knownvalue.StringExact(domain)),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("serial_number"), knownvalue.StringExact(certs.SerialHex(leaf.Cert.SerialNumber))),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("fingerprint_sha256"), knownvalue.StringExact(certs.FingerprintSHA256(leaf.Cert.Raw))),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("not_before"), knownvalue.StringExact(leaf.Cert.NotBefore.UTC().Format(time.RFC3339))),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("not_after"), knownvalue.StringExact(leaf.Cert.NotAfter.UTC().Format(time.RFC3339))),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("status"), knownvalue.StringExact("issued")),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("status_code"), knownvalue.Int64Exact(1)),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("issuer"), knownvalue.StringExact(leaf.Cert.Issuer.String())),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("full_chain_pem"), knownvalue.StringExact(leaf.FullChainPEM())),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("ca_chain_pem"), knownvalue.StringExact(certstest.Concat(leaf.ChainPEMs()[1:]...))),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("chain_complete"), knownvalue.Bool(true)),
	}
}

func TestAccCertificateUpload_basic(t *testing.T) {
	env := newTestEnv(t)
	leaf1 := newLeaf(t, "www.example.test", "api.example.test")
	leaf2 := leaf1.Issuer.Leaf(t, certstest.LeafOptions{CommonName: "www.example.test", DNSNames: []string{"www.example.test", "api.example.test"}})
	cert1, key1 := leaf1.FullChainPEM(), leaf1.KeyPEM(t, certstest.PKCS8)
	cert2, key2 := leaf2.FullChainPEM(), leaf2.KeyPEM(t, certstest.SEC1)

	sameID := statecheck.CompareValue(compare.ValuesSame())
	newSerial := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(uploadConfigTags("web", map[string]string{"team": "a"}, cert1, key1)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: append(uploadChecks("www.example.test", leaf1),
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					newSerial.AddStateValue(uploadAddr, tfjsonpath.New("serial_number")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("name"), knownvalue.StringExact("web")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("project"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("standard"), knownvalue.StringExact("international")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("ignore_expiration_notifications"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("a")})),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("subject_alternative_names"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("www.example.test"), knownvalue.StringExact("api.example.test")})),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("key_algorithm"), knownvalue.StringExact("ECC")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("key_size"), knownvalue.Int64Exact(256)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("certificate_pem"), knownvalue.StringExact(cert1)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("private_key_pem"), knownvalue.StringExact(key1)),
					statecheck.ExpectSensitiveValue(uploadAddr, tfjsonpath.New("private_key_pem")),
				),
			},
			{
				ResourceName:      uploadAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			// A metadata edit changes nothing else: the version's values stay known.
			{
				Config: env.config(uploadConfigTags("web-renamed", map[string]string{"team": "b", "env": "prod"}, cert1, key1)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("serial_number"), knownvalue.StringExact(certs.SerialHex(leaf1.Cert.SerialNumber))),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("not_after"), knownvalue.StringExact(leaf1.Cert.NotAfter.UTC().Format(time.RFC3339))),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("status"), knownvalue.StringExact("issued")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("name"), knownvalue.StringExact("web-renamed")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("b"), "env": knownvalue.StringExact("prod"),
					})),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
				},
			},
			// A new certificate and key rotate in place: same id, version 2.
			{
				Config: env.config(uploadConfigTags("web-renamed", map[string]string{"team": "b", "env": "prod"}, cert2, key2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
						plancheck.ExpectUnknownValue(uploadAddr, tfjsonpath.New("serial_number")),
						plancheck.ExpectUnknownValue(uploadAddr, tfjsonpath.New("version")),
						plancheck.ExpectUnknownValue(uploadAddr, tfjsonpath.New("not_after")),
						plancheck.ExpectUnknownValue(uploadAddr, tfjsonpath.New("fingerprint_sha256")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: append(uploadChecks("www.example.test", leaf2),
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					newSerial.AddStateValue(uploadAddr, tfjsonpath.New("serial_number")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("certificate_pem"), knownvalue.StringExact(cert2)),
				),
			},
			{
				ResourceName:      uploadAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// TestAccCertificateUpload_bytesKept checks that the configured PEM is kept byte
// for byte (CRLF line endings, chain out of order) while the computed chain is
// normalised.
func TestAccCertificateUpload_bytesKept(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "crlf.example.test")
	chain := leaf.ChainPEMs()
	given := strings.ReplaceAll(certstest.Concat(certstest.Pick(chain, 2, 0, 1)...), "\n", "\r\n")
	key := strings.ReplaceAll(leaf.KeyPEM(t, certstest.SEC1), "\n", "\r\n")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(uploadConfig("crlf", given, key)),
				ConfigStateChecks: append(uploadChecks("crlf.example.test", leaf),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("certificate_pem"), knownvalue.StringExact(given)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("private_key_pem"), knownvalue.StringExact(key)),
				),
			},
			{
				ResourceName:      uploadAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// TestAccCertificateUpload_importPlansNoChanges imports a certificate uploaded
// outside Terraform and plans the same configuration: no changes.
func TestAccCertificateUpload_importPlansNoChanges(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "import.example.test")
	cert, key := leaf.FullChainPEM(), leaf.KeyPEM(t, certstest.PKCS8)
	created, err := env.client.UploadCertificate(context.Background(), wire.UploadRequest{
		Name: "imported", Project: "default", Tags: map[string]string{"team": "a"},
		Standard: "international", CertificatePEM: cert, PrivateKeyPEM: key,
	})
	if err != nil {
		t.Fatalf("uploading: %v", err)
	}
	config := env.config(uploadConfigTags("imported", map[string]string{"team": "a"}, cert, key))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:             config,
				ResourceName:       uploadAddr,
				ImportState:        true,
				ImportStateId:      created.ID,
				ImportStatePersist: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: append(uploadChecks("import.example.test", leaf),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("id"), knownvalue.StringExact(created.ID)),
				),
			},
		},
	})
}

// TestAccCertificateUpload_disappears deletes the certificate behind Terraform's
// back: the next plan creates it again.
func TestAccCertificateUpload_disappears(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "gone.example.test")
	config := env.config(uploadConfig("gone", leaf.FullChainPEM(), leaf.KeyPEM(t, "")))
	newID := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{newID.AddStateValue(uploadAddr, tfjsonpath.New("id"))},
			},
			{
				PreConfig: func() {
					if err := env.client.DeleteCertificate(context.Background(), env.certificateID("gone")); err != nil {
						t.Fatalf("deleting out of band: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
				},
			},
		},
	})
}

// TestAccCertificateUpload_driftName renames the certificate behind Terraform's
// back: refresh sees it and the plan renames it back, in place, with no new version.
func TestAccCertificateUpload_driftName(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "drift.example.test")
	config := env.config(uploadConfigTags("original", map[string]string{"team": "a"}, leaf.FullChainPEM(), leaf.KeyPEM(t, "")))
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(uploadAddr, tfjsonpath.New("id"))},
			},
			{
				PreConfig: func() {
					name, tags := "changed", map[string]string{"team": "b"}
					if _, err := env.client.UpdateCertificate(context.Background(), env.certificateID("original"),
						wire.UpdateRequest{Name: &name, Tags: &tags}); err != nil {
						t.Fatalf("renaming out of band: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("name"), knownvalue.StringExact("original")),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("a")})),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("serial_number"), knownvalue.StringExact(certs.SerialHex(leaf.Cert.SerialNumber))),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("name"), knownvalue.StringExact("original")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
				},
			},
		},
	})
}

// TestAccCertificateUpload_errors covers every refusal of the upload checks
// (rule U4) at plan time, and one refusal by the backend at apply when the key is
// not known at plan time.
func TestAccCertificateUpload_errors(t *testing.T) {
	env := newTestEnv(t)
	inter := certstest.NewCA(t, certstest.ECC).Intermediate(t, certstest.CAOptions{})
	leaf := inter.Leaf(t, certstest.LeafOptions{CommonName: "err.example.test"})
	other := inter.Leaf(t, certstest.LeafOptions{CommonName: "other.example.test"})
	stray := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "stray.example.test", Alg: certstest.ECC})
	ed := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "ed.example.test", Alg: certstest.Ed25519})
	sm2CA := certstest.NewCA(t, certstest.SM2)
	sign, enc := sm2CA.SM2Pair(t, certstest.LeafOptions{}, false)
	_, otherEnc := sm2CA.SM2Pair(t, certstest.LeafOptions{}, false)
	cert, key := leaf.FullChainPEM(), leaf.KeyPEM(t, "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:      env.config(uploadConfig("not pem", "this is not a certificate", key)),
				ExpectError: summary("Certificate Not PEM"),
			},
			{
				Config: env.config(fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name            = "der"
  certificate_pem = %[1]s
  private_key_pem = %[2]q
}
`, hclBinary(leaf.Cert.Raw), key)),
				ExpectError: regexp.MustCompile(`(?s)Certificate Not PEM.*DER-encoded`),
			},
			{
				Config:      env.config(uploadConfigNoKey(cert)),
				ExpectError: summary("Private Key Missing"),
			},
			{
				Config:      env.config(uploadConfig("encrypted", cert, certstest.EncryptedKeyPEM(t, leaf.Key, "secret"))),
				ExpectError: summary("Private Key Encrypted"),
			},
			{
				Config:      env.config(uploadConfig("mismatch", cert, other.KeyPEM(t, ""))),
				ExpectError: summary("Private Key Does Not Match Certificate"),
			},
			{
				Config:      env.config(uploadConfig("broken", certstest.Concat(leaf.CertPEM, stray.CertPEM, inter.CertPEM), key)),
				ExpectError: regexp.MustCompile(`(?s)Certificate Chain Broken.*stray\.example\.test`),
			},
			{
				Config:      env.config(uploadConfig("sm2 as international", sign.FullChainPEM(), sign.KeyPEM(t, ""))),
				ExpectError: summary("Wrong Standard For SM2 Certificate"),
			},
			{
				Config:      env.config(uploadConfigSM2(cert, key, enc.CertPEM, enc.KeyPEM(t, ""))),
				ExpectError: summary("Wrong Standard For International Certificate"),
			},
			{
				Config:      env.config(uploadConfig("ed25519", ed.CertPEM, ed.KeyPEM(t, ""))),
				ExpectError: summary("Unsupported Key Algorithm"),
			},
			{
				Config:      env.config(uploadConfigSM2(sign.FullChainPEM(), sign.KeyPEM(t, ""), enc.CertPEM, otherEnc.KeyPEM(t, ""))),
				ExpectError: regexp.MustCompile(`(?s)Private Key Does Not Match Certificate.*encryption\s+private\s+key`),
			},
			{
				Config:      env.config(uploadConfigSM2(sign.FullChainPEM(), sign.KeyPEM(t, ""), enc.CertPEM, "")),
				ExpectError: summary("Encryption Private Key Missing"),
			},
			{
				Config: env.config(fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name            = "sm2 without encryption certificate"
  standard        = "sm2"
  certificate_pem = %[1]q
  private_key_pem = %[2]q
}
`, sign.FullChainPEM(), sign.KeyPEM(t, ""))),
				ExpectError: summary("Encryption Certificate Required"),
			},
			{
				Config:      env.config(uploadConfigStandard("pkcs12", cert, key)),
				ExpectError: regexp.MustCompile(`standard`),
			},
			{
				Config:      env.config(uploadConfigTags("empty tag key", map[string]string{"": "x"}, cert, key)),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value Length.*tags`),
			},
			// The key is unknown at plan time: the backend refuses at apply.
			{
				Config:      env.config(uploadConfigLateKey(cert, other.KeyPEM(t, ""))),
				ExpectError: summary("Private Key Does Not Match Certificate"),
			},
		},
	})
}

// TestAccCertificateUpload_warnings: an incomplete chain, a lone leaf and an
// expired certificate are accepted (with warnings); a lone self-signed
// certificate is a complete chain.
func TestAccCertificateUpload_warnings(t *testing.T) {
	env := newTestEnv(t)
	now := env.clock.Now()
	inter := certstest.NewCA(t, certstest.ECC).Intermediate(t, certstest.CAOptions{})
	leaf := inter.Leaf(t, certstest.LeafOptions{CommonName: "partial.example.test"})
	expired := inter.Leaf(t, certstest.LeafOptions{CommonName: "expired.example.test",
		NotBefore: now.Add(-400 * 24 * time.Hour), NotAfter: now.Add(-24 * time.Hour)})
	self := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "self.example.test", Alg: certstest.ECC})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(uploadConfig("partial", certstest.Concat(leaf.CertPEM, inter.CertPEM), leaf.KeyPEM(t, ""))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("chain_complete"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("ca_chain_pem"), knownvalue.StringExact(inter.CertPEM)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("status"), knownvalue.StringExact("issued")),
				},
			},
			{
				Config: env.config(uploadConfig("leaf only", leaf.CertPEM, leaf.KeyPEM(t, ""))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("chain_complete"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("ca_chain_pem"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
				},
			},
			{
				Config: env.config(uploadConfig("expired", expired.FullChainPEM(), expired.KeyPEM(t, ""))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("status"), knownvalue.StringExact("expired")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("status_code"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("chain_complete"), knownvalue.Bool(true)),
				},
			},
			{
				Config: env.config(uploadConfig("self-signed", self.CertPEM, self.KeyPEM(t, ""))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("chain_complete"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("issuer"), knownvalue.StringExact(self.Cert.Subject.String())),
				},
			},
		},
	})
}

// TestAccCertificateUpload_sm2 uploads a Chinese SM2 certificate (rule U3) with
// two keys, then rotates to a pair whose one key serves both certificates.
func TestAccCertificateUpload_sm2(t *testing.T) {
	env := newTestEnv(t)
	ca := certstest.NewCA(t, certstest.SM2)
	sign, enc := ca.SM2Pair(t, certstest.LeafOptions{CommonName: "sm2.example.test"}, false)
	sign2, enc2 := ca.SM2Pair(t, certstest.LeafOptions{CommonName: "sm2.example.test"}, true)
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(uploadConfigSM2(sign.FullChainPEM(), sign.KeyPEM(t, certstest.SEC1), enc.CertPEM, enc.KeyPEM(t, certstest.PKCS8))),
				ConfigStateChecks: append(uploadChecks("sm2.example.test", sign),
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("standard"), knownvalue.StringExact("sm2")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("key_algorithm"), knownvalue.StringExact("SM2")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("key_size"), knownvalue.Int64Exact(256)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("encryption_certificate_pem"), knownvalue.StringExact(enc.CertPEM)),
				),
			},
			{
				ResourceName:      uploadAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				Config: env.config(uploadConfigSM2(sign2.FullChainPEM(), sign2.KeyPEM(t, ""), enc2.CertPEM, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: append(uploadChecks("sm2.example.test", sign2),
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("encryption_private_key_pem"), knownvalue.Null()),
				),
			},
			{
				ResourceName:      uploadAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// TestAccCertificateUpload_writeOnly keeps the key out of plan and state; a new
// private_key_pem_wo_version sends it again.
func TestAccCertificateUpload_writeOnly(t *testing.T) {
	env := newTestEnv(t)
	leaf1 := newLeaf(t, "wo.example.test")
	leaf2 := leaf1.Issuer.Leaf(t, certstest.LeafOptions{CommonName: "wo.example.test"})
	key1, key2 := leaf1.KeyPEM(t, ""), leaf2.KeyPEM(t, certstest.SEC1)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	noKeys := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("private_key_pem"), knownvalue.Null()),
		statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("private_key_pem_wo"), knownvalue.Null()),
		stateDoesNotContain(key1),
		stateDoesNotContain(key2),
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: env.config(fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name               = "both keys"
  certificate_pem    = %[1]q
  private_key_pem    = %[2]q
  private_key_pem_wo = %[2]q
}
`, leaf2.FullChainPEM(), key2)),
				ExpectError: summary("Invalid Attribute Combination"),
			},
			{
				Config:      env.config(uploadConfigWriteOnly(leaf1.FullChainPEM(), key2, 1)),
				ExpectError: regexp.MustCompile(`(?s)Private Key Does Not Match Certificate.*private_key_pem_wo`),
			},
			{
				Config: env.config(uploadConfigWriteOnly(leaf1.FullChainPEM(), key1, 1)),
				ConfigStateChecks: append(append(uploadChecks("wo.example.test", leaf1), noKeys...),
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("private_key_pem_wo_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
				),
			},
			{
				Config: env.config(uploadConfigWriteOnly(leaf2.FullChainPEM(), key2, 2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(uploadAddr, tfjsonpath.New("serial_number")),
					},
				},
				ConfigStateChecks: append(append(uploadChecks("wo.example.test", leaf2), noKeys...),
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
				),
			},
			// Only the version changes: the key is sent again and makes a new version.
			{
				Config: env.config(uploadConfigWriteOnly(leaf2.FullChainPEM(), key2, 3)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(uploadAddr, tfjsonpath.New("version")),
					},
				},
				ConfigStateChecks: append(noKeys,
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(3)),
				),
			},
			{
				ResourceName:            uploadAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"private_key_pem_wo_version"},
			},
		},
	})
}

// TestAccCertificateUpload_importWriteOnly imports a certificate whose key was
// given write-only: setting private_key_pem_wo_version afterwards only records it.
func TestAccCertificateUpload_importWriteOnly(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "wo-import.example.test")
	cert, key := leaf.FullChainPEM(), leaf.KeyPEM(t, "")
	created, err := env.client.UploadCertificate(context.Background(), wire.UploadRequest{
		Name: "write-only", Project: "default", Standard: "international",
		CertificatePEM: cert, PrivateKeyPEM: key, PrivateKeyWriteOnly: true,
	})
	if err != nil {
		t.Fatalf("uploading: %v", err)
	}
	config := env.config(uploadConfigWriteOnly(cert, key, 1))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config:             config,
				ResourceName:       uploadAddr,
				ImportState:        true,
				ImportStateId:      created.ID,
				ImportStatePersist: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("serial_number"), knownvalue.StringExact(certs.SerialHex(leaf.Cert.SerialNumber))),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("id"), knownvalue.StringExact(created.ID)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("private_key_pem"), knownvalue.Null()),
					stateDoesNotContain(key),
				},
			},
		},
	})
}

// stateDoesNotContain fails when the state holds secret, or any PEM private key.
// (Lines of an EC key's body may also occur in its certificate, which carries the
// same public key, so the check looks for the whole key and for PEM key headers.)
func stateDoesNotContain(secret string) statecheck.StateCheck {
	return stateSecretCheck{secret: secret}
}

type stateSecretCheck struct{ secret string }

func (c stateSecretCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	secret, _ := json.Marshal(strings.TrimSpace(c.secret))
	switch {
	case strings.Contains(string(raw), strings.Trim(string(secret), `"`)):
		resp.Error = fmt.Errorf("the state contains the private key")
	case strings.Contains(string(raw), "PRIVATE KEY-----"):
		resp.Error = fmt.Errorf("the state contains a PEM private key")
	}
}

func uploadConfigIgnore(certPEM, keyPEM string, ignore bool) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name                            = "ignore"
  certificate_pem                 = %[1]q
  private_key_pem                 = %[2]q
  ignore_expiration_notifications = %[3]t
}
`, certPEM, keyPEM, ignore)
}

// TestAccCertificateUpload_ignoreNotifications turns the ignore on for a
// certificate that expires soon (rule N1), then rotates while the configuration
// keeps it: no error, no lasting diff.
func TestAccCertificateUpload_ignoreNotifications(t *testing.T) {
	env := newTestEnv(t)
	now := env.clock.Now()
	inter := certstest.NewCA(t, certstest.ECC).Intermediate(t, certstest.CAOptions{})
	soon := inter.Leaf(t, certstest.LeafOptions{CommonName: "ignore.example.test", NotBefore: now.Add(-80 * 24 * time.Hour), NotAfter: now.Add(10 * 24 * time.Hour)})
	renewed := inter.Leaf(t, certstest.LeafOptions{CommonName: "ignore.example.test", NotBefore: now.Add(-time.Hour), NotAfter: now.Add(90 * 24 * time.Hour)})
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(uploadConfigIgnore(soon.FullChainPEM(), soon.KeyPEM(t, ""), false)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("ignore_expiration_notifications"), knownvalue.Bool(false)),
				},
			},
			{
				Config: env.config(uploadConfigIgnore(soon.FullChainPEM(), soon.KeyPEM(t, ""), true)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("ignore_expiration_notifications"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
				},
			},
			{
				Config: env.config(uploadConfigIgnore(renewed.FullChainPEM(), renewed.KeyPEM(t, ""), true)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("ignore_expiration_notifications"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
				},
			},
		},
	})
}
