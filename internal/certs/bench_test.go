package certs_test

// Upload validation beside its floor (issue 7): BenchmarkCheckUpload/<kind>/check is
// certs.CheckUpload (rules U2–U4: parse, order the chain, verify each link's
// signature, match the key, check the standard); /parse is the floor, parsing alone —
// every PEM block decoded and every certificate and key parsed (the keys too, since the
// check parses them), nothing checked. The floor does not normalise the PEM text,
// build a Bundle or re-encode the chain as CheckUpload does; those are part of the
// measured overhead, not of the floor.
//
// /check runs in the steady state of a process: CheckUpload keeps the links between CA
// certificates it has verified (intermediate ← root, the root's self-signature) in a
// small cache keyed on the full DER of both certificates (linkcache.go), so after the
// first iteration each check verifies only the leaf's signature, as an upload of a new
// certificate under a known CA does (a leaf's link is never cached, so repeating the
// same bundle here does not make it cheaper). /check-cold empties that cache before
// every check: the first upload under CAs the process has not seen. /leaf-verify is
// that one verification alone (the leaf's signature under its issuer's key), which
// every new upload must pay, since its leaf has never been verified before; it is why
// /check cannot come within 1.5× of /parse for ECDSA and SM2 bundles, whose single
// verification costs about as much as parsing the whole bundle.
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
		b.Run(tc.name+"/check-cold", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				certs.ResetLinkCache()
				if bundle, _ := certs.CheckUpload(tc.in, now); bundle == nil {
					b.Fatal("refused")
				}
			}
		})
		b.Run(tc.name+"/leaf-verify", func(b *testing.B) {
			chain := benchChain(b, tc.in.CertificatePEM)
			b.ReportAllocs()
			for b.Loop() {
				if err := chain[0].CheckSignatureFrom(chain[1]); err != nil {
					b.Fatal(err)
				}
			}
		})
		// Not a floor of the targets: parsing plus every verification of the bundle
		// (each link's signature, the root's self-signature, the key pair) — what a
		// check that remembers nothing of earlier uploads must do; compare
		// /check-cold, to see how much of CheckUpload is the checks' own overhead.
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
	chain := benchChain(b, chainPEM)
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

// benchChain parses every certificate of chainPEM, in order.
func benchChain(b *testing.B, chainPEM string) []*smx509.Certificate {
	var chain []*smx509.Certificate
	rest := []byte(chainPEM)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return chain
		}
		c, err := smx509.ParseCertificate(block.Bytes)
		if err != nil {
			b.Fatal(err)
		}
		chain = append(chain, c)
	}
}
