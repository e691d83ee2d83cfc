package certstest

import (
	"crypto"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/emmansun/gmsm/smx509"
)

// OpenSSLSM2 is an SM2 root and leaf made by the openssl CLI, which signs with the
// empty distinguishing ID (OpenSSL 3.0 and later).
type OpenSSLSM2 struct {
	RootPEM    string // the self-signed root
	LeafPEM    string // the leaf, issued by the root
	LeafKeyPEM string // the leaf's PKCS#8 key
}

// OpenSSLPath returns the openssl CLI to use, or "" when there is none.
func OpenSSLPath() string {
	if p := os.Getenv("OPENSSL"); p != "" {
		return p
	}
	if p, err := exec.LookPath("openssl"); err == nil {
		return p
	}
	return ""
}

// NewOpenSSLSM2 makes an SM2 root and leaf with the openssl CLI. It skips the test
// when openssl is missing or cannot make SM2 certificates.
func NewOpenSSLSM2(t testing.TB, domain string) *OpenSSLSM2 {
	t.Helper()
	bin := OpenSSLPath()
	if bin == "" {
		t.Skip("certstest: no openssl CLI on PATH")
	}
	dir := t.TempDir()
	f := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(f("ext.cnf"), []byte("subjectAltName=DNS:"+domain+"\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	steps := [][]string{
		{"genpkey", "-algorithm", "SM2", "-out", f("ca.key")},
		{"req", "-x509", "-new", "-key", f("ca.key"), "-sm3", "-subj", "/O=certstest/CN=certstest OpenSSL SM2 Root", "-days", "3650",
			"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", f("ca.pem")},
		{"genpkey", "-algorithm", "SM2", "-out", f("leaf.key")},
		{"req", "-new", "-key", f("leaf.key"), "-sm3", "-subj", "/O=certstest/CN=" + domain, "-out", f("leaf.csr")},
		{"x509", "-req", "-in", f("leaf.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-sm3", "-days", "90",
			"-set_serial", "4242", "-extfile", f("ext.cnf"), "-out", f("leaf.pem")},
	}
	for _, args := range steps {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("certstest: openssl %s failed (no SM2 support?): %v\n%s", args[0], err, out)
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(f(name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return &OpenSSLSM2{RootPEM: read("ca.pem"), LeafPEM: read("leaf.pem"), LeafKeyPEM: read("leaf.key")}
}

// CSRPEM returns a certificate signing request for cn made with key.
func CSRPEM(t testing.TB, key crypto.Signer, cn string) string {
	t.Helper()
	tmpl := &smx509.CertificateRequest{DNSNames: []string{cn}}
	tmpl.Subject.CommonName = cn
	der, err := smx509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatalf("certstest: create CSR: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}
