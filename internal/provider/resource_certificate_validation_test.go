package provider

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
)

const validationAddr = "ssl_certificate_validation.test"

// newTestEnvWithService is newTestEnv with the backend's service settings (review
// policy, validation mode) set.
func newTestEnvWithService(t *testing.T, settings backend.ServiceSettings) *testEnv {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance tests run only with %s set", resource.EnvTfAcc)
	}
	fake := clock.NewFake(time.Now().Truncate(time.Second))
	b, err := backend.Open(context.Background(), backend.Settings{DataDir: t.TempDir(), Clock: fake, Service: settings})
	if err != nil {
		t.Fatalf("opening the test backend: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	c, err := client.New(client.Config{Handler: b.Handler()})
	if err != nil {
		t.Fatalf("creating the test client: %v", err)
	}
	env := &testEnv{
		t: t, backend: b, clock: fake, client: c,
		factories: map[string]func() (tfprotov6.ProviderServer, error){
			"ssl": providerserver.NewProtocol6WithError(NewWithBackend("test", b)()),
		},
	}
	if os.Getenv(envAccRemote) != "" {
		env.providerBlock = env.serveRemote()
	}
	return env
}

// orderOutOfBand places an ECC DV order through the client, as ssl_certificate would.
func (e *testEnv) orderOutOfBand(name, domain, method string) *wire.Certificate {
	e.t.Helper()
	cert, err := e.client.OrderCertificate(context.Background(), wire.OrderRequest{
		Name: name, Domain: domain, Brand: "TrustAsia", CertificateType: "DV",
		KeyAlgorithm: "ECC", KeySize: 256, ValidationMethod: method,
	})
	if err != nil {
		e.t.Fatalf("ordering %s: %v", domain, err)
	}
	return cert
}

// certificateCount is the number of certificates in the backend.
func (e *testEnv) certificateCount() int {
	e.t.Helper()
	list, err := e.client.ListCertificates(context.Background(), wire.ListFilter{})
	if err != nil {
		e.t.Fatalf("listing certificates: %v", err)
	}
	return len(list)
}

func validationConfig(certificateID, timeout string) string {
	return fmt.Sprintf(`
resource "ssl_certificate_validation" "test" {
  certificate_id = %[1]q

  timeouts {
    create = %[2]q
  }
}
`, certificateID, timeout)
}

// pemCertificate checks that a state value is one PEM certificate for domain (or,
// with domain "", any certificate).
func pemCertificate(domain string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		block, rest := pem.Decode([]byte(v))
		if block == nil || block.Type != "CERTIFICATE" {
			return errors.New("not a PEM certificate")
		}
		if strings.TrimSpace(string(rest)) != "" {
			return errors.New("more than one PEM block")
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return err
		}
		if domain != "" {
			return c.VerifyHostname(domain)
		}
		return nil
	})
}

// pemBlocks checks that a state value holds n PEM certificates.
func pemBlocks(n int) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		got := 0
		for rest := []byte(v); ; got++ {
			var block *pem.Block
			if block, rest = pem.Decode(rest); block == nil {
				break
			}
			if _, err := x509.ParseCertificate(block.Bytes); err != nil {
				return err
			}
		}
		if got != n {
			return fmt.Errorf("%d PEM certificates, want %d", got, n)
		}
		return nil
	})
}

func validationIssuedChecks(domain string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(validationAddr, tfjsonpath.New("status"), knownvalue.StringExact("issued")),
		statecheck.ExpectKnownValue(validationAddr, tfjsonpath.New("certificate_pem"), pemCertificate(domain)),
		statecheck.ExpectKnownValue(validationAddr, tfjsonpath.New("ca_chain_pem"), pemBlocks(2)),
		statecheck.ExpectKnownValue(validationAddr, tfjsonpath.New("full_chain_pem"), pemBlocks(3)),
	}
}

// TestAccCertificateValidation_manualReview: under review_policy = manual the waiter
// times out naming the review command, the next apply after approval succeeds, the
// order is never placed twice, and the resource imports.
func TestAccCertificateValidation_manualReview(t *testing.T) {
	env := newTestEnvWithService(t, backend.ServiceSettings{ReviewPolicy: "manual", Validation: "auto"})
	order := env.orderOutOfBand("review", "review.example.test", "DNS")
	if order.Status != "pending_review" {
		t.Fatalf("the order is %s, want pending_review", order.Status)
	}
	config := env.config(validationConfig(order.ID, "3s"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: summary("is still pending_review after 3s (timeouts.create). The issuance waits for the reviewer"),
			},
			{
				Config:      config,
				ExpectError: summary("terraform-provider-ssl review approve " + order.ID),
			},
			{
				PreConfig: func() {
					if _, err := env.backend.Service.Review(context.Background(), order.ID, true, ""); err != nil {
						t.Fatalf("approving: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(validationAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: append(validationIssuedChecks("review.example.test"),
					statecheck.ExpectKnownValue(validationAddr, tfjsonpath.New("id"), knownvalue.StringExact(order.ID))),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// A new timeout is recorded in place; the PEMs stay known in the plan.
				Config: env.config(validationConfig(order.ID, "5m")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(validationAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(validationAddr, tfjsonpath.New("certificate_pem"), pemCertificate("review.example.test")),
					},
				},
				ConfigStateChecks: validationIssuedChecks("review.example.test"),
			},
			{
				ResourceName:            validationAddr,
				ImportState:             true,
				ImportStateId:           order.ID,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
	if n := env.certificateCount(); n != 1 {
		t.Errorf("the backend holds %d certificates, want exactly the one order", n)
	}
}

// TestAccCertificateValidation_importPending: a waiter imported while its order is
// pending is kept as it is by refresh, and the next apply replaces it, which waits.
func TestAccCertificateValidation_importPending(t *testing.T) {
	env := newTestEnvWithService(t, backend.ServiceSettings{ReviewPolicy: "manual", Validation: "auto"})
	order := env.orderOutOfBand("import-pending", "import-pending.example.test", "DNS")
	config := env.config(validationConfig(order.ID, "3s"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:             config,
				ResourceName:       validationAddr,
				ImportState:        true,
				ImportStateId:      order.ID,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["status"] != "pending_review" ||
						states[0].Attributes["certificate_id"] != order.ID {
						return fmt.Errorf("imported %+v, want one pending_review waiter for %s", states, order.ID)
					}
					return nil
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(validationAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ExpectError: summary("waits for the reviewer"),
			},
			{
				PreConfig: func() {
					if _, err := env.backend.Service.Review(context.Background(), order.ID, true, ""); err != nil {
						t.Fatalf("approving: %v", err)
					}
				},
				Config:            config,
				ConfigStateChecks: validationIssuedChecks("import-pending.example.test"),
			},
		},
	})
}

// validationFileServer serves the validation file of one record only once enabled.
type validationFileServer struct {
	mu      sync.Mutex
	enabled bool
	path    string
	content string
	host    string
}

func (s *validationFileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.enabled || r.URL.Path != s.path || r.Host != s.host {
		http.NotFound(w, r)
		return
	}
	_, _ = fmt.Fprintln(w, s.content)
}

func (s *validationFileServer) enable(rec wire.ValidationRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enabled, s.path, s.content, s.host = true, rec.Path, rec.Content, rec.Domain
}

// TestAccCertificateValidation_httpValidation: with validation = http the waiter times
// out naming the file to publish; once the web server serves it, the next apply issues.
func TestAccCertificateValidation_httpValidation(t *testing.T) {
	files := &validationFileServer{}
	srv := httptest.NewServer(files)
	t.Cleanup(srv.Close)
	env := newTestEnvWithService(t, backend.ServiceSettings{
		ReviewPolicy: "auto", Validation: "http",
		HTTPAddr: strings.TrimPrefix(srv.URL, "http://"),
	})
	order := env.orderOutOfBand("file", "file.example.test", "FILE")
	if order.Status != "pending_validation" || order.Order == nil || len(order.Order.ValidationRecords) != 1 {
		t.Fatalf("the order is %s with %+v, want pending_validation with one record", order.Status, order.Order)
	}
	rec := order.Order.ValidationRecords[0]
	config := env.config(validationConfig(order.ID, "3s"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: summary(fmt.Sprintf("waits for domain validation: publish file %s with content %s", rec.URL, rec.Content)),
			},
			{
				PreConfig: func() { files.enable(rec) },
				Config:    config,
				ConfigStateChecks: append(validationIssuedChecks("file.example.test"),
					statecheck.ExpectKnownValue(validationAddr, tfjsonpath.New("certificate_id"), knownvalue.StringExact(order.ID))),
			},
			{
				ResourceName:            validationAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
	if n := env.certificateCount(); n != 1 {
		t.Errorf("the backend holds %d certificates, want exactly the one order", n)
	}
}

// TestAccCertificateValidation_errors covers the error paths: an unknown id, an
// uploaded certificate, a rejected order (fails at once, not at the timeout), and a
// malformed timeout.
func TestAccCertificateValidation_errors(t *testing.T) {
	env := newTestEnvWithService(t, backend.ServiceSettings{ReviewPolicy: "manual", Validation: "auto"})
	rejected := env.orderOutOfBand("rejected", "rejected.example.test", "DNS")
	if _, err := env.backend.Service.Review(context.Background(), rejected.ID, false, "the organisation could not be verified"); err != nil {
		t.Fatalf("rejecting: %v", err)
	}
	leaf := newLeaf(t, "uploaded.example.test")
	uploaded, err := env.client.UploadCertificate(context.Background(), wire.UploadRequest{
		Name: "uploaded", CertificatePEM: leaf.FullChainPEM(), PrivateKeyPEM: leaf.KeyPEM(t, ""),
	})
	if err != nil {
		t.Fatalf("uploading: %v", err)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:      env.config(validationConfig("cert-doesnotexist", "3s")),
				ExpectError: summary("Certificate Not Found"),
			},
			{
				Config:      env.config(validationConfig(uploaded.ID, "3s")),
				ExpectError: summary("Not an Ordered Certificate"),
			},
			{
				// A generous timeout: the ended order must fail at once.
				Config: env.config(validationConfig(rejected.ID, "10m")),
				ExpectError: summary(fmt.Sprintf("Certificate %s is review_failed and will not be issued. "+
					"The order was rejected by the reviewer: the organisation could not be verified.", rejected.ID)),
			},
			{
				Config:      env.config(validationConfig(rejected.ID, "soon")),
				ExpectError: summary(`must be a duration such as "30s", "45m" or "2h"`),
			},
		},
	})
}

// TestAccCertificateValidation_drift: a refresh shows what became of the certificate
// (expired), and a certificate deleted behind Terraform's back leaves the state, so
// the next plan waits again.
func TestAccCertificateValidation_drift(t *testing.T) {
	env := newTestEnvWithService(t, backend.ServiceSettings{ReviewPolicy: "auto", Validation: "auto"})
	order := env.orderOutOfBand("drift", "drift.example.test", "DNS")
	if order.Status != "issued" {
		t.Fatalf("the order is %s, want issued at once", order.Status)
	}
	config := env.config(`
resource "ssl_certificate_validation" "test" {
  certificate_id = "` + order.ID + `"
}
`)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: validationIssuedChecks("drift.example.test"),
			},
			{
				PreConfig: func() { env.clock.Advance(400 * 24 * time.Hour) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(validationAddr, tfjsonpath.New("status"), knownvalue.StringExact("expired")),
					statecheck.ExpectKnownValue(validationAddr, tfjsonpath.New("certificate_pem"), pemCertificate("drift.example.test")),
				},
			},
			{
				PreConfig: func() {
					if err := env.client.DeleteCertificate(context.Background(), order.ID); err != nil {
						t.Fatalf("deleting out of band: %v", err)
					}
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccCertificateValidation_twoStep runs the documented pattern: ssl_certificate
// orders with DNS validation under manual review, ssl_certificate_validation waits.
func TestAccCertificateValidation_twoStep(t *testing.T) {
	env := newTestEnvWithService(t, backend.ServiceSettings{ReviewPolicy: "manual", Validation: "auto"})
	if !validationProviderHas("ssl_certificate") {
		t.Skip("the ssl_certificate resource is not registered in this build")
	}
	config := func(timeout string) string {
		return env.config(fmt.Sprintf(`
resource "ssl_certificate" "test" {
  name              = "two-step"
  domain            = "two-step.example.test"
  brand             = "TrustAsia"
  certificate_type  = "DV"
  key_algorithm     = "ECC"
  key_size          = 256
  validation_method = "DNS"
}

resource "ssl_certificate_validation" "test" {
  certificate_id = ssl_certificate.test.id

  timeouts {
    create = %[1]q
  }
}
`, timeout))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:      config("3s"),
				ExpectError: summary("waits for the reviewer"),
			},
			{
				PreConfig: func() {
					id := env.certificateID("two-step")
					if _, err := env.backend.Service.Review(context.Background(), id, true, ""); err != nil {
						t.Fatalf("approving: %v", err)
					}
				},
				Config: config("3s"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("ssl_certificate.test", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(validationAddr, plancheck.ResourceActionCreate),
					},
				},
				ConfigStateChecks: validationIssuedChecks("two-step.example.test"),
			},
			{
				// A new timeout is recorded in place; nothing else changes, and the
				// order was placed once.
				PreConfig: func() {
					if n := env.certificateCount(); n != 1 {
						t.Errorf("the backend holds %d certificates, want exactly the one order", n)
					}
				},
				Config: config("5m"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("ssl_certificate.test", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(validationAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(validationAddr, tfjsonpath.New("certificate_pem"), knownvalue.NotNull()),
					},
				},
			},
		},
	})
}

// validationProviderHas tells whether the provider registers a resource type.
func validationProviderHas(typeName string) bool {
	p := New("test")()
	for _, f := range p.Resources(context.Background()) {
		var resp fwresource.MetadataResponse
		f().Metadata(context.Background(), fwresource.MetadataRequest{ProviderTypeName: "ssl"}, &resp)
		if resp.TypeName == typeName {
			return true
		}
	}
	return false
}
