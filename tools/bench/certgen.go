package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// writeUploadMaterial writes, for i < n, chain-<i>.pem (an ECDSA P-256 leaf for
// u<i>.upload.example.com, then its intermediate and root: a complete chain) and
// key-<i>.pem (the leaf's PKCS#8 key) into dir: what ssl_certificate_upload hosts.
// Every leaf has its own key. Generated at run time; nothing is checked in.
func writeUploadMaterial(dir string, n int) error {
	now := time.Now().Add(-time.Hour).Truncate(time.Second)
	rootKey, rootCert, rootPEM, err := makeCA("bench upload root", now, nil, nil)
	if err != nil {
		return err
	}
	intKey, intCert, intPEM, err := makeCA("bench upload intermediate", now, rootCert, rootKey)
	if err != nil {
		return err
	}
	for i := range n {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		host := fmt.Sprintf("u%d.upload.example.com", i)
		tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
			NotBefore: now, NotAfter: now.Add(365 * 24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, intCert, &key.PublicKey, intKey)
		if err != nil {
			return err
		}
		kder, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return err
		}
		chain := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})) + intPEM + rootPEM
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("chain-%d.pem", i)), []byte(chain), 0o600); err != nil {
			return err
		}
		kp := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("key-%d.pem", i)), kp, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// makeCA makes a CA certificate signed by parent (self-signed when parent is nil).
func makeCA(cn string, now time.Time, parent *x509.Certificate, parentKey crypto.Signer) (crypto.Signer, *x509.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, "", err
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: cn, Organization: []string{"tools/bench"}},
		NotBefore: now, NotAfter: now.Add(5 * 365 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, "", err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, "", err
	}
	return key, cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n.Add(n, big.NewInt(1))
}
