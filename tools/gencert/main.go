// Command gencert writes a small demo PKI for the quickstart: a private CA and a
// leaf certificate for one domain (plus its www. name), both ECDSA P-256, the
// leaf valid for 90 days.
//
//	go run ./tools/gencert -out examples/quickstart/.generated -domain demo.internal
//
// It writes cert.pem (the leaf followed by the CA certificate), key.pem (the
// leaf's PKCS #8 private key, mode 0600) and ca.pem (the CA certificate). When
// cert.pem and key.pem already exist and the certificate has not expired it
// leaves them alone, so that running the quickstart again plans no changes.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

func main() {
	out := flag.String("out", ".generated", "directory to write cert.pem, key.pem and ca.pem into")
	domain := flag.String("domain", "demo.internal", "domain of the leaf certificate; www.<domain> is added as a SAN")
	days := flag.Int("days", 90, "validity of the leaf certificate in days")
	force := flag.Bool("force", false, "regenerate even when the files exist")
	flag.Parse()

	if err := run(*out, *domain, *days, *force); err != nil {
		fmt.Fprintln(os.Stderr, "gencert:", err)
		os.Exit(1)
	}
}

func run(out, domain string, days int, force bool) error {
	certPath := filepath.Join(out, "cert.pem")
	keyPath := filepath.Join(out, "key.pem")
	caPath := filepath.Join(out, "ca.pem")

	if !force {
		if ok, why := reusable(certPath, keyPath, domain); ok {
			fmt.Fprintf(os.Stderr, "gencert: keeping %s and %s\n", certPath, keyPath)
			return nil
		} else if why != "" {
			fmt.Fprintf(os.Stderr, "gencert: regenerating: %s\n", why)
		}
	}

	if err := os.MkdirAll(out, 0o700); err != nil {
		return err
	}

	now := time.Now().UTC().Truncate(time.Minute)

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "Quickstart Demo CA", Organization: []string{"terraform-provider-ssl demo"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(0, 0, days+30),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: domain, Organization: []string{"terraform-provider-ssl demo"}},
		DNSNames:     []string{domain, "www." + domain},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(0, 0, days),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		return err
	}

	chain := append(pemBlock("CERTIFICATE", leafDER), pemBlock("CERTIFICATE", caDER)...)
	if err := writeFile(keyPath, pemBlock("PRIVATE KEY", keyDER), 0o600); err != nil {
		return err
	}
	if err := writeFile(caPath, pemBlock("CERTIFICATE", caDER), 0o644); err != nil {
		return err
	}
	if err := writeFile(certPath, chain, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gencert: wrote %s (leaf %s + CA), %s and %s\n", certPath, domain, keyPath, caPath)
	return nil
}

// reusable tells whether the existing files can be kept, and if not, why.
func reusable(certPath, keyPath, domain string) (bool, string) {
	certPEM, err := os.ReadFile(certPath)
	if errors.Is(err, os.ErrNotExist) {
		return false, ""
	} else if err != nil {
		return false, err.Error()
	}
	if _, err := os.Stat(keyPath); err != nil {
		return false, fmt.Sprintf("%s: %v", keyPath, err)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return false, certPath + " holds no certificate"
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return false, fmt.Sprintf("%s: %v", certPath, err)
	}
	if cert.Subject.CommonName != domain {
		return false, fmt.Sprintf("%s is for %q, not %q", certPath, cert.Subject.CommonName, domain)
	}
	if time.Now().After(cert.NotAfter) {
		return false, fmt.Sprintf("%s expired on %s", certPath, cert.NotAfter.Format(time.RFC3339))
	}
	return true, ""
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(1))
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// writeFile writes through a temporary file so that a reader never sees half a file.
func writeFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
