package provider

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
)

// envAccRemote switches the acceptance suite to remote mode: each test serves its
// backend over HTTPS on loopback and points the provider block at it, so the same
// tests run the remote code path (and the fake clock still applies).
const envAccRemote = "SSL_ACC_REMOTE"

// testEnv is one test's backend, its fake clock, a client for out-of-band changes
// and the provider factories that use that backend.
type testEnv struct {
	t         *testing.T
	backend   *backend.Backend
	clock     *clock.Fake
	client    *client.Client
	factories map[string]func() (tfprotov6.ProviderServer, error)
	// providerBlock is prepended to every configuration: empty in embedded mode,
	// endpoint, token and CA in remote mode.
	providerBlock string
}

// newTestEnv opens a backend in a temporary data dir with a fake clock set to the
// wall clock (test fixtures are dated from it).
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance tests run only with %s set", resource.EnvTfAcc)
	}
	fake := clock.NewFake(time.Now().Truncate(time.Second))
	b, err := backend.Open(context.Background(), backend.Settings{DataDir: t.TempDir(), Clock: fake})
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

// serveRemote serves the backend over HTTPS on loopback and returns the provider
// block that points at it.
func (e *testEnv) serveRemote() string {
	srv := httptest.NewTLSServer(e.backend.Handler())
	e.t.Cleanup(srv.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	return fmt.Sprintf(`
provider "ssl" {
  endpoint           = %[1]q
  token              = "acceptance-test-token-0123456789"
  ca_certificate_pem = %[2]q
}
`, srv.URL, caPEM)
}

// config prepends the provider block to a configuration.
func (e *testEnv) config(hcl string) string {
	return e.providerBlock + hcl
}

// certificateID returns the id of the only certificate named name, failing the test
// otherwise.
func (e *testEnv) certificateID(name string) string {
	e.t.Helper()
	list, err := e.client.ListCertificates(context.Background(), wire.ListFilter{NameExact: name})
	if err != nil {
		e.t.Fatalf("listing certificates named %q: %v", name, err)
	}
	if len(list) != 1 {
		e.t.Fatalf("%d certificates are named %q, want 1", len(list), name)
	}
	return list[0].ID
}

// summary matches a diagnostic summary in Terraform's output, whose lines wrap
// between words.
func summary(s string) *regexp.Regexp {
	return regexp.MustCompile(strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`))
}

func TestAccProvider_invalidEndpoint(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"ssl": providerserver.NewProtocol6WithError(New("test")()),
		},
		Steps: []resource.TestStep{
			{
				Config: `
provider "ssl" {
  endpoint = "ftp://certs.example.test"
  token    = "acceptance-test-token-0123456789"
}

data "ssl_certificates" "all" {}
`,
				ExpectError: summary("Invalid Endpoint"),
			},
			{
				Config: `
provider "ssl" {
  endpoint = "https://certs.example.test:8443"
}

data "ssl_certificates" "all" {}
`,
				ExpectError: summary("Missing Token"),
			},
			{
				Config: `
provider "ssl" {
  endpoint           = "https://certs.example.test:8443"
  token              = "acceptance-test-token-0123456789"
  ca_certificate_pem = "not a certificate"
}

data "ssl_certificates" "all" {}
`,
				ExpectError: summary("Invalid CA Certificate"),
			},
			{
				Config: `
provider "ssl" {
  review_policy = "sometimes"
}

data "ssl_certificates" "all" {}
`,
				ExpectError: regexp.MustCompile(`review_policy`),
			},
		},
	})
}

// TestAccProvider_remote runs a certificate through a real HTTPS connection to the
// backend, trusting its private CA through ca_certificate_pem.
func TestAccProvider_remote(t *testing.T) {
	env := newTestEnv(t)
	block := env.serveRemote()
	leaf := newLeaf(t, "remote.example.test")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:            block + uploadConfig("remote", leaf.FullChainPEM(), leaf.KeyPEM(t, "")),
				ConfigStateChecks: uploadChecks("remote.example.test", leaf),
			},
		},
	})
}

func TestAccProvider_embeddedSettings(t *testing.T) {
	leaf := newLeaf(t, "settings.example.test")
	upload := uploadConfig("settings", leaf.FullChainPEM(), leaf.KeyPEM(t, ""))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"ssl": providerserver.NewProtocol6WithError(New("test")()),
		},
		Steps: []resource.TestStep{
			{
				Config: `
provider "ssl" {
  database_url = "mysql://db.example.test/certs"
}
` + upload,
				ExpectError: regexp.MustCompile(`(?s)Unable to Open Certificate Backend.*PostgreSQL`),
			},
			{
				Config: fmt.Sprintf(`
provider "ssl" {
  data_dir = %[1]q
}
`, "/proc/ssl-provider-test") + upload,
				ExpectError: summary("Unable to Open Certificate Backend"),
			},
		},
	})
}

// TestAccProvider_environment checks the environment twins and that the block
// beats them. It sets environment variables, so it does not run in parallel.
func TestAccProvider_environment(t *testing.T) {
	leaf := newLeaf(t, "env.example.test")
	upload := uploadConfig("env", leaf.FullChainPEM(), leaf.KeyPEM(t, ""))
	blockDir, envDir := t.TempDir(), t.TempDir()
	t.Setenv(envDataDir, envDir)
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"ssl": providerserver.NewProtocol6WithError(New("test")()),
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { t.Setenv(envMaxRetries, "many") },
				Config:      `provider "ssl" {}` + upload,
				ExpectError: summary("Invalid Max Retries"),
			},
			{
				PreConfig:   func() { t.Setenv(envMaxRetries, "2"); t.Setenv(envReviewPolicy, "sometimes") },
				Config:      `provider "ssl" {}` + upload,
				ExpectError: summary("Invalid Review Policy"),
			},
			{
				PreConfig: func() { t.Setenv(envReviewPolicy, "auto") },
				Config: fmt.Sprintf(`
provider "ssl" {
  data_dir = %[1]q
}
`, blockDir) + upload,
				ConfigStateChecks: uploadChecks("env.example.test", leaf),
			},
		},
	})
	if _, err := os.Stat(filepath.Join(blockDir, backend.DatabaseFile)); err != nil {
		t.Errorf("the data_dir of the provider block was not used: %v", err)
	}
	if _, err := os.Stat(filepath.Join(envDir, backend.DatabaseFile)); err == nil {
		t.Errorf("%s was used although the provider block sets data_dir", envDataDir)
	}
}
