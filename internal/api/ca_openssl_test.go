package api_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

// Rule R3 end to end, with a client that is not Go: a certificate ordered through the
// API verifies with `openssl verify -crl_check` against the CRL the API serves and
// `openssl ocsp` against the API's responder says good; after a revocation through the
// API both say revoked.
func TestOpenSSLAgainstServedCRLAndOCSP(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl CLI not installed")
	}
	ctx := context.Background()
	// The real clock: openssl checks validity against the wall clock.
	b, err := backend.Open(ctx, backend.Settings{DataDir: t.TempDir(), Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	srv := httptest.NewServer(b.Handler())
	defer srv.Close()
	h := b.Handler()

	rec, body := call(t, h, http.MethodPost, "/v1/certificates/orders", "o-1", wire.OrderRequest{
		Name: "ocsp", Domain: "ocsp.example.com", Brand: "TrustAsia", CertificateType: "DV",
		KeyAlgorithm: "ECC", ValidationMethod: "DNS_AUTO"})
	if rec.Code != http.StatusCreated {
		t.Fatalf("order: %d %s", rec.Code, body)
	}
	var c wire.Certificate
	must(t, json.Unmarshal(body, &c))
	if c.Status != service.StatusIssued {
		t.Fatalf("status %s", c.Status)
	}
	caID := "trustasia-ecc"
	dir := t.TempDir()
	intermediate, root := splitChain(t, c.CAChainPEM)
	write(t, dir, "leaf.pem", c.CertificatePEM)
	write(t, dir, "int.pem", intermediate)
	write(t, dir, "root.pem", root)

	run := func(args ...string) string {
		cmd := exec.Command(openssl, args...)
		cmd.Dir = dir
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	fetchCRL := func() {
		resp, err := http.Get(srv.URL + "/v1/ca/" + caID + "/crl")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		der, _ := io.ReadAll(resp.Body)
		if _, err := x509.ParseRevocationList(der); err != nil {
			t.Fatalf("served CRL does not parse: %v", err)
		}
		write(t, dir, "crl.pem", string(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})))
	}
	verify := func() string {
		return run("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "int.pem", "-CRLfile", "crl.pem", "leaf.pem")
	}
	ocsp := func() string {
		return run("ocsp", "-issuer", "int.pem", "-cert", "leaf.pem", "-CAfile", "root.pem",
			"-url", srv.URL+"/v1/ca/"+caID+"/ocsp", "-no_nonce")
	}

	fetchCRL()
	if out := verify(); !strings.Contains(out, "leaf.pem: OK") {
		t.Fatalf("before revocation, openssl verify: %s", out)
	}
	if out := ocsp(); !strings.Contains(out, "leaf.pem: good") {
		t.Fatalf("before revocation, openssl ocsp: %s", out)
	}

	rec, body = call(t, h, http.MethodPost, "/v1/certificates/"+c.ID+"/revoke", "r-1", wire.RevokeRequest{Reason: "keyCompromise"})
	if rec.Code != http.StatusOK {
		t.Fatalf("revoke: %d %s", rec.Code, body)
	}
	fetchCRL()
	if out := verify(); !strings.Contains(out, "certificate revoked") {
		t.Fatalf("after revocation, openssl verify: %s", out)
	}
	if out := ocsp(); !strings.Contains(out, "leaf.pem: revoked") {
		t.Fatalf("after revocation, openssl ocsp: %s", out)
	}
}

func splitChain(t *testing.T, chain string) (intermediate, root string) {
	t.Helper()
	var blocks []string
	rest := []byte(chain)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks = append(blocks, string(pem.EncodeToMemory(b)))
	}
	if len(blocks) != 2 {
		t.Fatalf("chain has %d certificates, want intermediate + root", len(blocks))
	}
	return blocks[0], blocks[1]
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	must(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
