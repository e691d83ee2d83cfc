package ca

import (
	"context"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const opensslPath = "/usr/bin/openssl"

// openssl runs the openssl CLI in dir and returns its combined output and error.
func openssl(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, opensslPath, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// writeFiles writes name → content into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOpenSSL checks rule R3 with a client that is not Go: before a revocation
// `openssl verify -crl_check` says OK and `openssl ocsp` says good; after it, "certificate
// revoked" and revoked. SM2 is left out: OpenSSL 3.0 verifies SM2 chain signatures with
// an empty distinguishing ID, while this CA signs with the standard default ID
// (DESIGN.md), so its chain check fails for reasons unrelated to revocation.
func TestOpenSSL(t *testing.T) {
	if _, err := os.Stat(opensslPath); err != nil {
		t.Skipf("%s is not installed", opensslPath)
	}
	for _, p := range [][2]string{{BrandTrustAsia, AlgorithmRSA}, {BrandSecureSite, AlgorithmECC}} {
		alg := strings.ToLower(p[1])
		t.Run("ok/"+alg+" crl and ocsp say good before and revoked after", func(t *testing.T) {
			h := testHierarchy(t, p[0], p[1])
			leaf := issueTestLeaf(t, h, "a")
			dir := t.TempDir()

			var mu sync.Mutex
			status := CertStatus{Status: OCSPGood}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v1/ca/"+h.ID()+"/ocsp" {
					http.Error(w, "not found", http.StatusNotFound)
					return
				}
				body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				resp, err := h.OCSPResponse(body, func(serial *big.Int) (CertStatus, error) {
					if serial.Cmp(leaf.SerialNumber) != 0 {
						return CertStatus{Status: OCSPUnknown}, nil
					}
					mu.Lock()
					defer mu.Unlock()
					return status, nil
				}, time.Now())
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				w.Header().Set("Content-Type", "application/ocsp-response")
				_, _ = w.Write(resp)
			}))
			defer srv.Close()

			before, err := h.CRL(nil, testNow, testNow.Add(24*time.Hour), big.NewInt(1))
			if err != nil {
				t.Fatal(err)
			}
			writeFiles(t, dir, map[string]string{
				"root.pem": h.RootPEM(), "int.pem": h.IntermediatePEM(), "leaf.pem": leaf.CertificatePEM, "crl.pem": CRLPEM(before),
			})
			verify := []string{"verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "int.pem", "-CRLfile", "crl.pem", "leaf.pem"}
			ocspArgs := []string{"ocsp", "-issuer", "int.pem", "-cert", "leaf.pem", "-CAfile", "root.pem", "-no_nonce",
				"-url", OCSPURL(srv.URL, h.ID())}

			out, err := openssl(t, dir, verify...)
			if err != nil || !strings.Contains(out, "leaf.pem: OK") {
				t.Fatalf("openssl verify before revocation: %v\n%s", err, out)
			}
			out, err = openssl(t, dir, ocspArgs...)
			if err != nil || !strings.Contains(out, "leaf.pem: good") || !strings.Contains(out, "Response verify OK") {
				t.Fatalf("openssl ocsp before revocation: %v\n%s", err, out)
			}

			// Revoke (rule R3): a new CRL and the responder's store agree.
			revokedAt := time.Now().Add(-time.Minute)
			after, err := h.CRL([]RevokedEntry{{Serial: leaf.SerialNumber, RevokedAt: revokedAt, Reason: ReasonKeyCompromise}},
				testNow, testNow.Add(24*time.Hour), big.NewInt(2))
			if err != nil {
				t.Fatal(err)
			}
			writeFiles(t, dir, map[string]string{"crl.pem": CRLPEM(after)})
			mu.Lock()
			status = CertStatus{Status: OCSPRevoked, RevokedAt: revokedAt, Reason: ReasonKeyCompromise}
			mu.Unlock()

			out, err = openssl(t, dir, verify...)
			if err == nil || !strings.Contains(out, "certificate revoked") {
				t.Fatalf("openssl verify after revocation: %v\n%s", err, out)
			}
			out, err = openssl(t, dir, ocspArgs...)
			if err != nil || !strings.Contains(out, "leaf.pem: revoked") || !strings.Contains(out, "Response verify OK") ||
				!strings.Contains(out, "Reason: keyCompromise") {
				t.Fatalf("openssl ocsp after revocation: %v\n%s", err, out)
			}
		})
	}

	t.Run("ok/openssl reads encrypted pkcs8 keys", func(t *testing.T) {
		dir := t.TempDir()
		for _, k := range []struct {
			alg  string
			size int
		}{{AlgorithmRSA, 2048}, {AlgorithmECC, 256}, {AlgorithmSM2, 256}} {
			text, err := MarshalPrivateKeyPEM(testKey(t, k.alg, k.size, "a"), "s3cret pass")
			if err != nil {
				t.Fatal(err)
			}
			name := strings.ToLower(k.alg) + ".key"
			writeFiles(t, dir, map[string]string{name: text})
			out, err := openssl(t, dir, "pkey", "-in", name, "-passin", "pass:s3cret pass", "-noout")
			if err != nil {
				t.Fatalf("openssl pkey %s: %v\n%s", k.alg, err, out)
			}
			if k.alg != AlgorithmSM2 {
				continue // one wrong-password check is enough; each costs a full PBKDF2 run
			}
			if out, err := openssl(t, dir, "pkey", "-in", name, "-passin", "pass:wrong", "-noout"); err == nil {
				t.Fatalf("openssl pkey %s accepted a wrong password\n%s", k.alg, out)
			}
		}
	})
}
