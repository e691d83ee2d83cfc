package certs_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

func TestParsePrivateKey(t *testing.T) {
	t.Parallel()
	rsaKey := certstest.NewKey(t, certstest.RSA)
	eccKey := certstest.NewKey(t, certstest.ECC)
	sm2Key := certstest.NewKey(t, certstest.SM2)
	cases := []struct {
		name     string
		pem      string
		wantType string // %T of the key; "" when an error is wanted
		wantErr  string // a part of the error
	}{
		{name: "ok/RSA PKCS#1", pem: certstest.KeyPEM(t, rsaKey, certstest.PKCS1), wantType: "*rsa.PrivateKey"},
		{name: "ok/RSA PKCS#8", pem: certstest.KeyPEM(t, rsaKey, certstest.PKCS8), wantType: "*rsa.PrivateKey"},
		{name: "ok/ECDSA SEC1", pem: certstest.KeyPEM(t, eccKey, certstest.SEC1), wantType: "*ecdsa.PrivateKey"},
		{name: "ok/ECDSA SEC1 after EC PARAMETERS", pem: "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + certstest.KeyPEM(t, eccKey, certstest.SEC1), wantType: "*ecdsa.PrivateKey"},
		{name: "ok/ECDSA PKCS#8", pem: certstest.KeyPEM(t, eccKey, certstest.PKCS8), wantType: "*ecdsa.PrivateKey"},
		{name: "ok/SM2 SEC1", pem: certstest.KeyPEM(t, sm2Key, certstest.SEC1), wantType: "*sm2.PrivateKey"},
		{name: "ok/SM2 PKCS#8", pem: certstest.KeyPEM(t, sm2Key, certstest.PKCS8), wantType: "*sm2.PrivateKey"},
		{name: "ok/CRLF", pem: strings.ReplaceAll(certstest.KeyPEM(t, eccKey, certstest.SEC1), "\n", "\r\n"), wantType: "*ecdsa.PrivateKey"},
		{name: "error/empty", pem: "  \n", wantErr: "no private key"},
		{name: "error/encrypted PKCS#8", pem: certstest.EncryptedKeyPEM(t, eccKey, "pw"), wantErr: "encrypted"},
		{name: "error/encrypted legacy", pem: certstest.LegacyEncryptedKeyPEM(t, rsaKey, "pw"), wantErr: "Proc-Type"},
		{name: "error/encrypted legacy, DEK-Info only", pem: strings.Replace(certstest.LegacyEncryptedKeyPEM(t, rsaKey, "pw"), "Proc-Type: 4,ENCRYPTED\n", "", 1), wantErr: "encrypted"},
		{name: "error/Ed25519", pem: certstest.KeyPEM(t, certstest.NewKey(t, certstest.Ed25519), ""), wantErr: "Ed25519"},
		{name: "error/two keys", pem: certstest.Concat(certstest.KeyPEM(t, eccKey, ""), certstest.KeyPEM(t, rsaKey, "")), wantErr: "2 private keys"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			k, err := certs.ParsePrivateKey(c.pem)
			if c.wantType == "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v; want one mentioning %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", k); got != c.wantType {
				t.Errorf("key type = %s; want %s", got, c.wantType)
			}
		})
	}
}

func TestPublicKeyMatches(t *testing.T) {
	t.Parallel()
	a, b := certstest.UniqueKey(t, certstest.SM2), certstest.UniqueKey(t, certstest.SM2)
	if !certs.PublicKeyMatches(a.Public(), a) || certs.PublicKeyMatches(b.Public(), a) || certs.PublicKeyMatches(nil, a) {
		t.Error("PublicKeyMatches is wrong for SM2 keys")
	}
	r := certstest.NewKey(t, certstest.RSA)
	if !certs.PublicKeyMatches(&r.(*rsa.PrivateKey).PublicKey, r) || certs.PublicKeyMatches(r.Public(), a) {
		t.Error("PublicKeyMatches is wrong for RSA keys")
	}
}

func TestNormalizeFingerprint(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"AB:CD:EF:01":   "abcdef01",
		" ab cd\tef01 ": "abcdef01",
		"abcdef01":      "abcdef01",
		"":              "",
	} {
		if got := certs.NormalizeFingerprint(in); got != want {
			t.Errorf("NormalizeFingerprint(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestSM2EmptyID checks the fixture really uses the empty ID (the default-ID check
// alone refuses it) and that VerifySM2Signature accepts both IDs.
func TestSM2EmptyID(t *testing.T) {
	t.Parallel()
	root := certstest.NewCA(t, certstest.SM2)
	for _, c := range []struct {
		name    string
		emptyID bool
	}{{"ok/default ID", false}, {"ok/empty ID", true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			leaf := root.Leaf(t, certstest.LeafOptions{EmptySM2ID: c.emptyID})
			pub := root.Cert.PublicKey.(*ecdsa.PublicKey)
			if got := sm2.VerifyASN1WithSM2(pub, nil, leaf.Cert.RawTBSCertificate, leaf.Cert.Signature); got == c.emptyID {
				t.Fatalf("default-ID verification = %v; the fixture does not use the ID it should", got)
			}
			if !certs.VerifySM2Signature(pub, leaf.Cert.RawTBSCertificate, leaf.Cert.Signature) {
				t.Error("VerifySM2Signature refuses the signature")
			}
			other := certstest.UniqueKey(t, certstest.SM2).Public().(*ecdsa.PublicKey)
			if certs.VerifySM2Signature(other, leaf.Cert.RawTBSCertificate, leaf.Cert.Signature) {
				t.Error("VerifySM2Signature accepts another key")
			}
		})
	}
}

// TestOpenSSLSM2 uploads an SM2 chain made by the openssl CLI, which signs with the
// empty ID; it skips without openssl.
func TestOpenSSLSM2(t *testing.T) {
	t.Parallel()
	o := certstest.NewOpenSSLSM2(t, "openssl-sm2.example.test")
	root, rootPs := certs.CertificateInfo(o.RootPEM, time.Now())
	if root == nil || !root.SelfSigned {
		t.Fatalf("openssl SM2 root refused:\n%s", dump(rootPs))
	}
	b, ps := certs.CheckUpload(certs.UploadInput{
		Standard:                 certs.StandardSM2,
		CertificatePEM:           certstest.Concat(o.RootPEM, o.LeafPEM),
		PrivateKeyPEM:            o.LeafKeyPEM,
		EncryptionCertificatePEM: o.LeafPEM,
	}, time.Now())
	if b == nil || len(ps) > 0 {
		t.Fatalf("openssl SM2 chain refused:\n%s", dump(ps))
	}
	leaf, err := smx509.ParseCertificatePEM([]byte(o.LeafPEM))
	if err != nil {
		t.Fatal(err)
	}
	rootCert, err := smx509.ParseCertificatePEM([]byte(o.RootPEM))
	if err != nil {
		t.Fatal(err)
	}
	if sm2.VerifyASN1WithSM2(rootCert.PublicKey.(*ecdsa.PublicKey), nil, leaf.RawTBSCertificate, leaf.Signature) {
		t.Error("openssl signed with the default ID; this test no longer covers the empty ID")
	}
	if !b.ChainComplete || b.Domain != "openssl-sm2.example.test" || b.KeyAlgorithm != certs.AlgorithmSM2 || b.SerialNumber != "1092" {
		t.Errorf("bundle = %+v", b)
	}
}
