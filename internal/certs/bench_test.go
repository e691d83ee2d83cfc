package certs_test

// Upload validation beside its floor (issue 7): BenchmarkCheckUpload/<kind>/check is
// certs.CheckUpload (rules U2–U4: parse, order the chain, verify each link's
// signature, match the key, check the standard); /parse is the floor, parsing alone —
// every PEM block decoded and every certificate and key parsed, nothing checked.
// tools/bench runs them (`make bench`, `make bench-smoke`); timings are never asserted.

import (
	"crypto"
	"encoding/pem"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

// benchBundles are the upload bundles: RSA 2048 and ECDSA P-256 chains (leaf,
// intermediate, root) with the leaf's PKCS#8 key, and an SM2 signature chain with
// its encryption certificate and key.
func benchBundles(b *testing.B) []struct {
	name string
	in   certs.UploadInput
} {
	var out []struct {
		name string
		in   certs.UploadInput
	}
	for _, alg := range []string{certstest.RSA, certstest.ECC} {
		root := certstest.NewCA(b, alg)
		leaf := root.Intermediate(b, certstest.CAOptions{}).Leaf(b, certstest.LeafOptions{CommonName: "www.example.com",
			DNSNames: []string{"www.example.com", "example.com"}})
		out = append(out, struct {
			name string
			in   certs.UploadInput
		}{"international-" + alg, certs.UploadInput{Standard: certs.StandardInternational,
			CertificatePEM: leaf.FullChainPEM(), PrivateKeyPEM: leaf.KeyPEM(b, certstest.PKCS8)}})
	}
	root := certstest.NewCA(b, certstest.SM2)
	sign, enc := root.Intermediate(b, certstest.CAOptions{}).SM2Pair(b, certstest.LeafOptions{CommonName: "www.example.cn"}, false)
	out = append(out, struct {
		name string
		in   certs.UploadInput
	}{"sm2", certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: sign.FullChainPEM(),
		PrivateKeyPEM: sign.KeyPEM(b, certstest.PKCS8), EncryptionCertificatePEM: enc.CertPEM,
		EncryptionPrivateKeyPEM: enc.KeyPEM(b, certstest.PKCS8)}})
	return out
}

func BenchmarkCheckUpload(b *testing.B) {
	now := time.Now()
	for _, tc := range benchBundles(b) {
		if bundle, ps := certs.CheckUpload(tc.in, now); bundle == nil || certs.HasErrors(ps) {
			b.Fatalf("%s: refused: %v", tc.name, ps)
		}
		b.Run(tc.name+"/check", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if bundle, _ := certs.CheckUpload(tc.in, now); bundle == nil {
					b.Fatal("refused")
				}
			}
		})
		// Not a floor of the targets: parsing plus the cryptography any correct check
		// must do (each link's signature, the root's self-signature, the key pair),
		// to show how much of CheckUpload is the checks' own overhead.
		b.Run(tc.name+"/parse+verify", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchParseVerify(b, tc.in.CertificatePEM, tc.in.PrivateKeyPEM)
				if tc.in.EncryptionCertificatePEM != "" {
					benchParseVerify(b, tc.in.EncryptionCertificatePEM, tc.in.EncryptionPrivateKeyPEM)
				}
			}
		})
		b.Run(tc.name+"/parse", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, text := range []string{tc.in.CertificatePEM, tc.in.PrivateKeyPEM, tc.in.EncryptionCertificatePEM, tc.in.EncryptionPrivateKeyPEM} {
					benchParse(b, text)
				}
			}
		})
	}
}

// benchParse decodes every PEM block of text and parses each certificate and
// PKCS#8 key: the floor of a validation.
func benchParse(b *testing.B, text string) {
	rest := []byte(text)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return
		}
		var err error
		switch block.Type {
		case "CERTIFICATE":
			_, err = smx509.ParseCertificate(block.Bytes)
		case "PRIVATE KEY":
			_, err = smx509.ParsePKCS8PrivateKey(block.Bytes)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchParseVerify parses a chain (in order, leaf first) and its key, verifies each
// certificate's signature with the next one's key (the last one with its own) and
// checks that the key belongs to the leaf.
func benchParseVerify(b *testing.B, chainPEM, keyPEM string) {
	var chain []*smx509.Certificate
	rest := []byte(chainPEM)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		c, err := smx509.ParseCertificate(block.Bytes)
		if err != nil {
			b.Fatal(err)
		}
		chain = append(chain, c)
	}
	for i, c := range chain {
		parent := c
		if i+1 < len(chain) {
			parent = chain[i+1]
		} else if string(c.RawIssuer) != string(c.RawSubject) {
			break // the encryption certificate alone: its issuer is not in the field
		}
		if err := c.CheckSignatureFrom(parent); err != nil && i+1 < len(chain) {
			b.Fatal(err)
		} else if err != nil {
			if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
				b.Fatal(err)
			}
		}
	}
	block, _ := pem.Decode([]byte(keyPEM))
	key, err := smx509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		b.Fatal(err)
	}
	pub := key.(crypto.Signer).Public().(interface{ Equal(crypto.PublicKey) bool })
	if !pub.Equal(chain[0].PublicKey) {
		b.Fatal("the key does not match the leaf")
	}
}
