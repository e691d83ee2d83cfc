package provider

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// caPEMCertificate checks that a value is one PEM CA certificate whose subject names
// the brand (and, with selfSigned, that it is a root).
func caPEMCertificate(brand string, selfSigned bool) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		block, rest := pem.Decode([]byte(v))
		if block == nil || block.Type != "CERTIFICATE" || strings.TrimSpace(string(rest)) != "" {
			return errors.New("not exactly one PEM certificate")
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return err
		}
		if !c.IsCA {
			return fmt.Errorf("%s is not a CA", c.Subject)
		}
		if !strings.Contains(c.Subject.String(), brand) {
			return fmt.Errorf("subject %s does not name %s", c.Subject, brand)
		}
		if selfSigned != (c.CheckSignatureFrom(c) == nil) {
			return fmt.Errorf("%s: self-signed is %t, want %t", c.Subject, !selfSigned, selfSigned)
		}
		return nil
	})
}

// caPEMCRL checks that a value is a PEM CRL.
func caPEMCRL() knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		block, _ := pem.Decode([]byte(v))
		if block == nil || block.Type != "X509 CRL" {
			return errors.New("not a PEM CRL")
		}
		crl, err := x509.ParseRevocationList(block.Bytes)
		if err != nil {
			return err
		}
		if !crl.NextUpdate.After(crl.ThisUpdate) {
			return fmt.Errorf("next update %s is not after this update %s", crl.NextUpdate, crl.ThisUpdate)
		}
		return nil
	})
}

func TestAccCACertificatesDataSource(t *testing.T) {
	env := newTestEnv(t)
	// The TrustAsia ECC root, read once the second step has created it.
	var rootPEM string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "ssl_ca_certificates" "bad" {
  brand         = "TrustAsia"
  key_algorithm = "SM2"
}
`),
				ExpectError: summary("No Such Authority"),
			},
			{
				Config: env.config(`
data "ssl_ca_certificates" "bad" {
  key_algorithm = "DSA"
}
`),
				ExpectError: summary("Invalid Attribute Value Match"),
			},
			{
				// Nothing has been issued: no authority exists yet.
				Config: env.config(`data "ssl_ca_certificates" "all" {}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.ssl_ca_certificates.all", tfjsonpath.New("authorities"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue("data.ssl_ca_certificates.all", tfjsonpath.New("trust_bundle_pem"), knownvalue.StringExact("")),
				},
			},
			{
				Config: env.config(`
data "ssl_ca_certificates" "trustasia_ecc" {
  brand         = "TrustAsia"
  key_algorithm = "ECC"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.ssl_ca_certificates.trustasia_ecc", tfjsonpath.New("authorities"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":               knownvalue.NotNull(),
							"brand":            knownvalue.StringExact("TrustAsia"),
							"key_algorithm":    knownvalue.StringExact("ECC"),
							"root_pem":         caPEMCertificate("TrustAsia", true),
							"intermediate_pem": caPEMCertificate("TrustAsia", false),
							"crl_pem":          caPEMCRL(),
							"crl_url":          knownvalue.StringRegexp(regexp.MustCompile(`^http://127\.0\.0\.1:8443/v1/ca/[^/]+/crl$`)),
							"ocsp_url":         knownvalue.StringRegexp(regexp.MustCompile(`^http://127\.0\.0\.1:8443/v1/ca/[^/]+/ocsp$`)),
						})})),
					statecheck.ExpectKnownValue("data.ssl_ca_certificates.trustasia_ecc", tfjsonpath.New("trust_bundle_pem"),
						caPEMCertificate("TrustAsia", true)),
				},
			},
			{
				// Once created, the authorities are listed without a filter, and the
				// trust bundle holds every root; the intermediate chains to it.
				PreConfig: func() {
					list, err := env.client.Authorities(context.Background(), "TrustAsia", "ECC")
					if err != nil || len(list) != 1 {
						t.Fatalf("reading the TrustAsia ECC authority: %v (%d)", err, len(list))
					}
					rootPEM = list[0].RootPEM
					roots := x509.NewCertPool()
					roots.AppendCertsFromPEM([]byte(list[0].RootPEM))
					block, _ := pem.Decode([]byte(list[0].IntermediatePEM))
					inter, err := x509.ParseCertificate(block.Bytes)
					if err != nil {
						t.Fatalf("parsing the intermediate: %v", err)
					}
					if _, err := inter.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
						t.Errorf("the intermediate does not chain to the root: %v", err)
					}
				},
				Config: env.config(`
data "ssl_ca_certificates" "all" {}

data "ssl_ca_certificates" "wotrus" {
  brand = "WoTrus"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.ssl_ca_certificates.wotrus", tfjsonpath.New("authorities"), knownvalue.ListSizeExact(3)),
					// The WoTrus read may run before or after the unfiltered one.
					statecheck.ExpectKnownValue("data.ssl_ca_certificates.all", tfjsonpath.New("trust_bundle_pem"),
						knownvalue.StringFunc(func(v string) error {
							if !strings.Contains(v, strings.TrimSpace(rootPEM)) {
								return errors.New("the TrustAsia ECC root is missing")
							}
							n := strings.Count(v, "-----BEGIN CERTIFICATE-----")
							if n != 1 && n != 4 {
								return fmt.Errorf("%d roots, want 1 (TrustAsia ECC) or 4 (with WoTrus)", n)
							}
							return nil
						})),
				},
			},
		},
	})
}
