package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
	"github.com/sslkit/terraform-provider-ssl/internal/server"
)

// pendingOrder places an order under review_policy = manual in a new data dir and
// returns the dir and the order's id; the backend is closed again, as it would be
// between a terraform run and the reviewer's command.
func pendingOrder(t *testing.T, domain string) (dir, id string) {
	t.Helper()
	dir = t.TempDir()
	ctx := context.Background()
	b, err := backend.Open(ctx, backend.Settings{DataDir: dir, Service: backend.ServiceSettings{ReviewPolicy: "manual"}})
	if err != nil {
		t.Fatalf("opening the backend: %v", err)
	}
	defer b.Close()
	c, err := client.New(client.Config{Handler: b.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := c.OrderCertificate(ctx, wire.OrderRequest{Name: domain, Domain: domain, Brand: "TrustAsia",
		CertificateType: "DV", KeyAlgorithm: "ECC", KeySize: 256, ValidationMethod: "DNS"})
	if err != nil {
		t.Fatalf("ordering: %v", err)
	}
	if cert.Status != "pending_review" {
		t.Fatalf("the order is %s, want pending_review", cert.Status)
	}
	return dir, cert.ID
}

// certificateIn reads a certificate from the backend in dir.
func certificateIn(t *testing.T, dir, id string) *wire.Certificate {
	t.Helper()
	ctx := context.Background()
	b, err := backend.Open(ctx, backend.Settings{DataDir: dir})
	if err != nil {
		t.Fatalf("opening the backend: %v", err)
	}
	defer b.Close()
	c, err := client.New(client.Config{Handler: b.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := c.GetCertificate(ctx, id)
	if err != nil {
		t.Fatalf("reading %s: %v", id, err)
	}
	return cert
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

type result struct {
	code           int
	stdout, stderr string
}

func run(env func(string) string, args ...string) result {
	var out, errb bytes.Buffer
	code := Review(context.Background(), args, &out, &errb, env)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (r result) expect(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d (stdout %q, stderr %q)", r.code, code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, stdout) {
		t.Errorf("stdout %q does not contain %q", r.stdout, stdout)
	}
	if !strings.Contains(r.stderr, stderr) {
		t.Errorf("stderr %q does not contain %q", r.stderr, stderr)
	}
}

func TestReview(t *testing.T) {
	t.Parallel()
	noEnv := env(nil)

	t.Run("approve", func(t *testing.T) {
		t.Parallel()
		dir, id := pendingOrder(t, "approve.example.test")
		run(noEnv, "approve", id, "--data-dir", dir).
			expect(t, ExitOK, "Approved certificate "+id+" (approve.example.test): status issued", "")
		if c := certificateIn(t, dir, id); c.Status != "issued" || c.CertificatePEM == "" {
			t.Errorf("after approval the certificate is %s with PEM %q", c.Status, c.CertificatePEM)
		}
		// Nothing waits any more: a second decision is an error, not a usage error.
		run(noEnv, "reject", id, "--data-dir", dir).expect(t, ExitError, "", "Nothing To Review")
	})

	t.Run("reject with reason, flags first", func(t *testing.T) {
		t.Parallel()
		dir, id := pendingOrder(t, "reject.example.test")
		run(noEnv, "--data-dir", dir, "--reason", "domain owner unknown", "reject", id).
			expect(t, ExitOK, "Rejected certificate "+id+" (reject.example.test): status review_failed", "")
		c := certificateIn(t, dir, id)
		if c.Status != "review_failed" || c.Order == nil || !strings.Contains(c.Order.Pending, "domain owner unknown") {
			t.Errorf("after rejection the certificate is %s with %+v", c.Status, c.Order)
		}
	})

	t.Run("environment twin, and the flag beats it", func(t *testing.T) {
		t.Parallel()
		dir, id := pendingOrder(t, "env.example.test")
		empty := t.TempDir()
		run(env(map[string]string{EnvDataDir: empty}), "approve", id).
			expect(t, ExitError, "", "certificate "+id+" was not found in the data dir "+empty)
		run(env(map[string]string{EnvDataDir: empty}), "approve", id, "--data-dir", dir).
			expect(t, ExitOK, "status issued", "")
	})

	t.Run("remote", func(t *testing.T) {
		t.Parallel()
		dir, id := pendingOrder(t, "remote.example.test")
		b, err := backend.Open(context.Background(), backend.Settings{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		const admin, scoped = "review-admin-token-0123456789", "review-web-token-0123456789"
		tokens, err := server.ParseTokens(admin + " admin\n" + scoped + " projects=default\n")
		if err != nil {
			t.Fatal(err)
		}
		srv := server.New(b, server.Config{Listen: "127.0.0.1:0", Tokens: tokens, EvaluateEvery: -1})
		if err := srv.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer srv.Shutdown(context.Background())
		endpoint := "http://" + srv.Addr()

		// --endpoint selects the remote backend over SSL_DATA_DIR; the token comes from SSL_TOKEN.
		vars := map[string]string{EnvDataDir: t.TempDir(), EnvToken: scoped}
		run(env(vars), "approve", id, "--endpoint", endpoint).expect(t, ExitError, "", "Admin Token Required")
		run(env(vars), "approve", id, "--endpoint", endpoint, "--token", "wrong-token-0123456789abcdef").
			expect(t, ExitError, "", "Token Refused")
		vars[EnvToken] = admin
		run(env(vars), "approve", id, "--endpoint", endpoint).expect(t, ExitOK, "status issued", "")
		run(env(vars), "approve", "cert-unknown", "--endpoint", endpoint).
			expect(t, ExitError, "", "certificate cert-unknown was not found in the server at "+endpoint)
	})

	t.Run("unopenable data dir", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, []byte("not a dir"), 0o600); err != nil {
			t.Fatal(err)
		}
		run(noEnv, "approve", "cert-x", "--data-dir", file).expect(t, ExitError, "", "opening the certificate backend in the data dir "+file)
	})
}

func TestReview_usage(t *testing.T) {
	t.Parallel()
	noEnv := env(nil)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		stderr string
	}{
		{name: "error/no arguments", stderr: "say approve or reject"},
		{name: "error/bad decision", args: []string{"maybe", "cert-x"}, stderr: `approve or reject, not "maybe"`},
		{name: "error/missing id", args: []string{"approve"}, stderr: "certificate id is missing"},
		{name: "error/extra argument", args: []string{"approve", "cert-x", "cert-y"}, stderr: "unexpected arguments after the certificate id: cert-y"},
		{name: "error/unknown flag", args: []string{"approve", "cert-x", "--force"}, stderr: "flag provided but not defined: -force"},
		{name: "error/flag without value", args: []string{"approve", "cert-x", "--reason"}, stderr: "flag needs an argument: -reason"},
		{name: "error/two backends", args: []string{"approve", "cert-x", "--data-dir", "/tmp/a", "--endpoint", "https://x.test"}, stderr: "--data-dir and --endpoint choose different backends"},
		{name: "error/empty data dir", args: []string{"approve", "cert-x", "--data-dir", ""}, stderr: "--data-dir is empty"},
		{name: "error/token without endpoint", args: []string{"approve", "cert-x", "--token", "t0123456789abcdef"}, stderr: "--token is for a remote backend"},
		{name: "error/endpoint without token", args: []string{"approve", "cert-x", "--endpoint", "https://x.test"}, stderr: "needs an admin token"},
		{name: "error/endpoint from env without token", env: map[string]string{EnvEndpoint: "https://x.test"}, args: []string{"approve", "cert-x"}, stderr: "needs an admin token"},
		{name: "error/bad endpoint", args: []string{"approve", "cert-x", "--endpoint", "ftp://x.test", "--token", "t0123456789abcdef"}, stderr: `the endpoint "ftp://x.test" is not an http(s) URL`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := run(env(tc.env), tc.args...)
			r.expect(t, ExitUsage, "", tc.stderr)
			if !strings.Contains(r.stderr, "Usage: terraform-provider-ssl review") {
				t.Errorf("stderr does not show the usage: %q", r.stderr)
			}
		})
	}

	t.Run("help", func(t *testing.T) {
		t.Parallel()
		run(noEnv, "--help").expect(t, ExitOK, "Usage: terraform-provider-ssl review approve|reject CERTIFICATE_ID", "")
	})
}
