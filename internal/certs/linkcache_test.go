package certs_test

import (
	"bytes"
	"encoding/pem"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

// TestVerifiedLinkCacheRejectsForgeries uploads a genuine chain, so that its CA links
// are cached, and then forged and tampered chains that reuse its names: every one
// must still be refused (rules U2–U4), because the cache answers only for the exact
// DER of both certificates of a link.
func TestVerifiedLinkCacheRejectsForgeries(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{certstest.RSA, certstest.ECC, certstest.SM2} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			now := time.Now()
			root := certstest.NewCA(t, alg)
			inter := root.Intermediate(t, certstest.CAOptions{})
			leaf, enc := issueLeaf(t, inter)
			// A forger's root and intermediate with the genuine names but other keys,
			// and a leaf with the genuine leaf's name under them.
			fakeRoot := certstest.NewCAWith(t, certstest.CAOptions{Alg: alg, CommonName: root.Cert.Subject.CommonName})
			fakeInter := fakeRoot.Intermediate(t, certstest.CAOptions{CommonName: inter.Cert.Subject.CommonName})
			fakeLeaf, fakeEnc := issueLeaf(t, fakeInter, leaf.Cert.Subject.CommonName)
			if !bytes.Equal(fakeInter.Cert.RawSubject, inter.Cert.RawSubject) || !bytes.Equal(fakeInter.Cert.RawIssuer, inter.Cert.RawIssuer) {
				t.Fatal("the forged intermediate does not reuse the genuine names")
			}

			upload := func(l, e *certstest.Leaf, chain ...string) (*certs.Bundle, []certs.Problem) {
				in := certs.UploadInput{CertificatePEM: certstest.Concat(chain...), PrivateKeyPEM: l.KeyPEM(t, certstest.PKCS8)}
				if e != nil {
					in.Standard = certs.StandardSM2
					in.EncryptionCertificatePEM, in.EncryptionPrivateKeyPEM = e.CertPEM, e.KeyPEM(t, certstest.PKCS8)
				}
				return certs.CheckUpload(in, now)
			}
			for range 2 { // the second time from the cache
				if b, ps := upload(leaf, enc, leaf.CertPEM, inter.CertPEM, root.CertPEM); b == nil || certs.HasErrors(ps) || !b.ChainComplete {
					t.Fatalf("the genuine chain was refused: %s", dump(ps))
				}
			}
			if !certs.LinkCached(inter.Cert.Raw, root.Cert.Raw) || !certs.SelfSignatureCached(root.Cert.Raw) {
				t.Fatal("the genuine chain's CA links were not cached, so this test would not exercise the cache")
			}
			if certs.LinkCached(leaf.Cert.Raw, inter.Cert.Raw) {
				t.Error("the leaf's link was cached: each upload must verify its leaf")
			}

			for _, tc := range []struct {
				name  string
				l, e  *certstest.Leaf
				chain []string
			}{
				{"forged intermediate under the genuine root", fakeLeaf, fakeEnc, []string{fakeLeaf.CertPEM, fakeInter.CertPEM, root.CertPEM}},
				{"genuine intermediate under a forged root", leaf, enc, []string{leaf.CertPEM, inter.CertPEM, fakeRoot.CertPEM}},
				{"forged leaf under the genuine intermediate", fakeLeaf, fakeEnc, []string{fakeLeaf.CertPEM, inter.CertPEM, root.CertPEM}},
				{"intermediate with a tampered signature", leaf, enc, []string{leaf.CertPEM, tamperSignature(t, inter.CertPEM), root.CertPEM}},
				{"intermediate with a tampered name", leaf, enc, []string{leaf.CertPEM, tamperBody(t, inter.CertPEM, "certstest"), root.CertPEM}},
				{"leaf with a tampered signature", leaf, enc, []string{tamperSignature(t, leaf.CertPEM), inter.CertPEM, root.CertPEM}},
				{"leaf with a tampered name", leaf, enc, []string{tamperBody(t, leaf.CertPEM, "example"), inter.CertPEM, root.CertPEM}},
			} {
				b, ps := upload(tc.l, tc.e, tc.chain...)
				if b != nil || !hasCode(ps, certs.FieldCertificatePEM, certs.CodeChainBroken) {
					t.Errorf("%s: want the chain refused as broken, got bundle=%v problems: %s", tc.name, b != nil, dump(ps))
				}
			}
			if certs.LinkCached(fakeInter.Cert.Raw, root.Cert.Raw) {
				t.Error("the forged intermediate's failed link was cached")
			}
			// The genuine chain is still accepted after the forgeries.
			if b, ps := upload(leaf, enc, leaf.CertPEM, inter.CertPEM, root.CertPEM); b == nil || certs.HasErrors(ps) {
				t.Fatalf("the genuine chain was refused after the forgeries: %s", dump(ps))
			}
		})
	}
}

// issueLeaf issues a server certificate (with cn, when given) from ca; for an SM2 CA
// a signature and encryption pair.
func issueLeaf(t *testing.T, ca *certstest.CA, cn ...string) (leaf, enc *certstest.Leaf) {
	t.Helper()
	opts := certstest.LeafOptions{}
	if len(cn) > 0 {
		opts.CommonName = cn[0]
	}
	if ca.Alg == certstest.SM2 {
		return ca.SM2Pair(t, opts, false)
	}
	return ca.Leaf(t, opts), nil
}

// tamperSignature changes the last byte of a certificate's DER, inside its signature.
func tamperSignature(t *testing.T, certPEM string) string {
	t.Helper()
	der := bytes.Clone(certstest.DER(t, certPEM))
	der[len(der)-1] ^= 0x01
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// tamperBody changes one letter of the first occurrence of word in a certificate's
// DER (a name in its signed part), keeping it parseable.
func tamperBody(t *testing.T, certPEM, word string) string {
	t.Helper()
	der := bytes.Clone(certstest.DER(t, certPEM))
	i := bytes.Index(der, []byte(word))
	if i < 0 {
		t.Fatalf("%q is not in the certificate", word)
	}
	der[i+1] ^= 0x20 // flip the letter's case
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// hasCode reports whether ps holds an error with code on field.
func hasCode(ps []certs.Problem, field, code string) bool {
	for _, p := range ps {
		if p.Severity == certs.Error && p.Field == field && p.Code == code {
			return true
		}
	}
	return false
}
