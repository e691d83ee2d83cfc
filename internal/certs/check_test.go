package certs_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

// want is one expected Problem.
type want struct {
	field    string
	code     string
	severity certs.Severity
}

func errorOn(field, code string) want { return want{field, code, certs.Error} }
func warnOn(field, code string) want  { return want{field, code, certs.Warning} }

const (
	fCert    = certs.FieldCertificatePEM
	fKey     = certs.FieldPrivateKeyPEM
	fEncCert = certs.FieldEncryptionCertificatePEM
	fEncKey  = certs.FieldEncryptionPrivateKeyPEM
	fStd     = certs.FieldStandard
)

// fixtures is the material the upload cases use.
type fixtures struct {
	rsaRoot, rsaInter     *certstest.CA
	rsaLeaf               *certstest.Leaf // rsaRoot → rsaInter → rsaLeaf
	eccLeaf, ecc384Leaf   *certstest.Leaf // ECC root → intermediate → leaf
	otherRoot             *certstest.CA   // unrelated to the RSA chain
	otherLeaf             *certstest.Leaf // issued by otherRoot
	siblingLeaf           *certstest.Leaf // another leaf of rsaInter
	impostorLeaf          *certstest.Leaf // issued by a CA with rsaInter's name but another key
	selfSigned            *certstest.Leaf
	sm2Root               *certstest.CA
	sm2Sign, sm2Enc       *certstest.Leaf // separate keys
	sm2SignOne, sm2EncOne *certstest.Leaf // one key for both (U3)
	sm2EmptyID            *certstest.Leaf // root, intermediate and leaf signed with the empty ID
	ed25519Leaf           *certstest.Leaf
	rsa1024Leaf           *certstest.Leaf
	p224Leaf              *certstest.Leaf
	expired, notYetValid  *certstest.Leaf
	caOnly                *certstest.CA
}

func newFixtures(t *testing.T) *fixtures {
	t.Helper()
	f := &fixtures{}
	f.rsaRoot = certstest.NewCA(t, certstest.RSA)
	f.rsaInter = f.rsaRoot.Intermediate(t, certstest.CAOptions{})
	f.rsaLeaf = f.rsaInter.Leaf(t, certstest.LeafOptions{CommonName: "www.example.test", DNSNames: []string{"example.test", "www.example.test", "api.example.test"}})
	f.siblingLeaf = f.rsaInter.Leaf(t, certstest.LeafOptions{})
	eccInter := certstest.NewCA(t, certstest.ECC).Intermediate(t, certstest.CAOptions{})
	f.eccLeaf = eccInter.Leaf(t, certstest.LeafOptions{})
	f.ecc384Leaf = eccInter.Leaf(t, certstest.LeafOptions{Alg: certstest.ECC384})
	f.otherRoot = certstest.NewCAWith(t, certstest.CAOptions{Alg: certstest.ECC, CommonName: "Unrelated Root CA"})
	f.otherLeaf = f.otherRoot.Leaf(t, certstest.LeafOptions{})
	impostor := certstest.NewCAWith(t, certstest.CAOptions{Alg: certstest.ECC, CommonName: f.rsaInter.Cert.Subject.CommonName})
	f.impostorLeaf = impostor.Leaf(t, certstest.LeafOptions{})
	f.selfSigned = certstest.SelfSigned(t, certstest.LeafOptions{Alg: certstest.ECC})

	f.sm2Root = certstest.NewCA(t, certstest.SM2)
	sm2Inter := f.sm2Root.Intermediate(t, certstest.CAOptions{})
	f.sm2Sign, f.sm2Enc = sm2Inter.SM2Pair(t, certstest.LeafOptions{}, false)
	f.sm2SignOne, f.sm2EncOne = sm2Inter.SM2Pair(t, certstest.LeafOptions{}, true)
	emptyRoot := certstest.NewCAWith(t, certstest.CAOptions{Alg: certstest.SM2, EmptySM2ID: true})
	f.sm2EmptyID = emptyRoot.Intermediate(t, certstest.CAOptions{EmptySM2ID: true}).Leaf(t, certstest.LeafOptions{EmptySM2ID: true})

	f.ed25519Leaf = f.rsaInter.Leaf(t, certstest.LeafOptions{Alg: certstest.Ed25519})
	f.rsa1024Leaf = f.rsaInter.Leaf(t, certstest.LeafOptions{Alg: certstest.RSA1024})
	f.p224Leaf = f.otherRoot.Leaf(t, certstest.LeafOptions{Alg: certstest.ECC224})
	f.expired = f.rsaInter.Leaf(t, certstest.LeafOptions{NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().AddDate(0, 0, -1)})
	f.notYetValid = f.rsaInter.Leaf(t, certstest.LeafOptions{NotBefore: time.Now().AddDate(0, 0, 2), NotAfter: time.Now().AddDate(0, 3, 0)})
	f.caOnly = certstest.NewCA(t, certstest.ECC)
	return f
}

func TestCheckUpload(t *testing.T) {
	t.Parallel()
	f := newFixtures(t)
	now := time.Now()
	rsaKey := f.rsaLeaf.KeyPEM(t, certstest.PKCS1)
	rsaChain := f.rsaLeaf.ChainPEMs() // leaf, intermediate, root

	type tc struct {
		name  string
		in    certs.UploadInput
		want  []want
		check func(t *testing.T, b *certs.Bundle, ps []certs.Problem)
	}
	cases := []tc{
		{
			name: "ok/rsa chain in order, PKCS#1 key",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: rsaKey},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) {
				wantChain(t, b, rsaChain)
				if !b.ChainComplete || b.SelfSigned {
					t.Errorf("ChainComplete, SelfSigned = %v, %v; want true, false", b.ChainComplete, b.SelfSigned)
				}
				if b.KeyAlgorithm != certs.AlgorithmRSA || b.KeySize != 2048 {
					t.Errorf("key = %s %d; want RSA 2048", b.KeyAlgorithm, b.KeySize)
				}
			},
		},
		{
			name:  "ok/chain out of order",
			in:    certs.UploadInput{CertificatePEM: certstest.Concat(certstest.Pick(rsaChain, 2, 0, 1)...), PrivateKeyPEM: rsaKey},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) { wantChain(t, b, rsaChain) },
		},
		{
			name:  "ok/chain upside down",
			in:    certs.UploadInput{CertificatePEM: certstest.Concat(certstest.Pick(rsaChain, 2, 1, 0)...), PrivateKeyPEM: rsaKey},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) { wantChain(t, b, rsaChain) },
		},
		{
			name: "ok/the same certificate twice",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(append(rsaChain, rsaChain[1])...), PrivateKeyPEM: rsaKey},
		},
		{
			name: "ok/rsa key PKCS#8",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: f.rsaLeaf.KeyPEM(t, certstest.PKCS8)},
		},
		{
			name: "ok/ecdsa chain, SEC1 key",
			in:   certs.UploadInput{CertificatePEM: f.eccLeaf.FullChainPEM(), PrivateKeyPEM: f.eccLeaf.KeyPEM(t, certstest.SEC1)},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) {
				if b.KeyAlgorithm != certs.AlgorithmECC || b.KeySize != 256 {
					t.Errorf("key = %s %d; want ECC 256", b.KeyAlgorithm, b.KeySize)
				}
			},
		},
		{
			name: "ok/ecdsa P-384 leaf, PKCS#8 key",
			in:   certs.UploadInput{CertificatePEM: f.ecc384Leaf.FullChainPEM(), PrivateKeyPEM: f.ecc384Leaf.KeyPEM(t, certstest.PKCS8)},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) {
				if b.KeyAlgorithm != certs.AlgorithmECC || b.KeySize != 384 {
					t.Errorf("key = %s %d; want ECC 384", b.KeyAlgorithm, b.KeySize)
				}
			},
		},
		{
			name: "ok/key labelled with the wrong PEM type",
			in: certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(),
				PrivateKeyPEM: strings.ReplaceAll(f.rsaLeaf.KeyPEM(t, certstest.PKCS8), "PRIVATE KEY", "RSA PRIVATE KEY")},
		},
		{
			name: "ok/CRLF, indentation and text between blocks",
			in: certs.UploadInput{
				Standard:       "international",
				CertificatePEM: "\r\n  " + crlfIndent("subject=CN = www.example.test\n"+rsaChain[0]+"issuer=…\n"+rsaChain[1]+"\n\n"+rsaChain[2]) + "\r\n\t ",
				PrivateKeyPEM:  "\n" + crlfIndent(rsaKey) + "  \n",
			},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) {
				wantChain(t, b, rsaChain)
				if strings.Contains(b.FullChainPEM, "\r") {
					t.Error("FullChainPEM keeps CR line endings")
				}
			},
		},
		{
			name: "ok/lone self-signed certificate",
			in:   certs.UploadInput{CertificatePEM: f.selfSigned.CertPEM, PrivateKeyPEM: f.selfSigned.KeyPEM(t, certstest.SEC1)},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) {
				if !b.SelfSigned || !b.ChainComplete || b.CAChainPEM != "" {
					t.Errorf("SelfSigned, ChainComplete, CAChainPEM = %v, %v, %q; want true, true, empty", b.SelfSigned, b.ChainComplete, b.CAChainPEM)
				}
			},
		},
		{
			name: "ok/keys unknown at plan time",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), KeysUnknown: true},
		},
		{
			name: "ok/CA certificate needs no key",
			in:   certs.UploadInput{CertificatePEM: f.caOnly.CertPEM},
		},
		{
			name: "warning/root missing (leaf and intermediate only)",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(rsaChain[:2]...), PrivateKeyPEM: rsaKey},
			want: []want{warnOn(fCert, certs.CodeChainIncomplete)},
			check: func(t *testing.T, b *certs.Bundle, ps []certs.Problem) {
				wantChain(t, b, rsaChain[:2])
				if b.ChainComplete {
					t.Error("ChainComplete = true; want false")
				}
				wantMessage(t, ps, certs.CodeChainIncomplete, f.rsaRoot.Cert.Subject.CommonName)
			},
		},
		{
			name: "warning/leaf alone, intermediate and root missing",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.CertPEM, PrivateKeyPEM: rsaKey},
			want: []want{warnOn(fCert, certs.CodeChainIncomplete)},
			check: func(t *testing.T, b *certs.Bundle, ps []certs.Problem) {
				if b.ChainComplete || b.SelfSigned {
					t.Error("ChainComplete or SelfSigned = true; want false")
				}
				wantMessage(t, ps, certs.CodeChainIncomplete, f.rsaInter.Cert.Subject.CommonName)
			},
		},
		{
			name: "warning/expired leaf uploads",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(f.expired.ChainPEMs()...), PrivateKeyPEM: f.expired.KeyPEM(t, "")},
			want: []want{warnOn(fCert, certs.CodeExpired)},
		},
		{
			name: "warning/leaf not yet valid",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(f.notYetValid.ChainPEMs()...), PrivateKeyPEM: f.notYetValid.KeyPEM(t, "")},
			want: []want{warnOn(fCert, certs.CodeNotYetValid)},
		},

		// certificate_pem
		{
			name: "error/certificate empty",
			in:   certs.UploadInput{CertificatePEM: " \r\n\t", PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeEmpty)},
		},
		{
			name: "error/certificate is random text",
			in:   certs.UploadInput{CertificatePEM: "hello, this is my certificate", PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeNotPEM)},
		},
		{
			name: "error/certificate as DER bytes",
			in:   certs.UploadInput{CertificatePEM: string(certstest.DER(t, f.rsaLeaf.CertPEM)), PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeNotPEM)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeNotPEM, "DER", "openssl x509 -inform der")
			},
		},
		{
			name: "error/certificate as base64 without PEM lines",
			in:   certs.UploadInput{CertificatePEM: pemBody(f.rsaLeaf.CertPEM), PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeNotPEM)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeNotPEM, "base64")
			},
		},
		{
			name: "error/private key in certificate field",
			in:   certs.UploadInput{CertificatePEM: rsaKey, PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeNotCertificate)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeNotCertificate, `"RSA PRIVATE KEY"`, "private_key_pem")
			},
		},
		{
			name: "error/certificate and key in one file",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(f.rsaLeaf.FullChainPEM(), rsaKey), PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeNotCertificate)},
		},
		{
			name: "error/CSR in certificate field",
			in:   certs.UploadInput{CertificatePEM: certstest.CSRPEM(t, f.rsaLeaf.Key, "www.example.test"), PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeNotCertificate)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeNotCertificate, "CERTIFICATE REQUEST")
			},
		},
		{
			name: "error/certificate does not parse",
			in:   certs.UploadInput{CertificatePEM: "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHHIG1b3hzNMA0GCSqGSIb3DQEBCwUA\n-----END CERTIFICATE-----\n", PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeMalformed)},
		},
		{
			name: "error/certificate PEM cut off",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.CertPEM[:len(f.rsaLeaf.CertPEM)-30], PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeMalformed)},
		},
		{
			name: "error/last block of the chain damaged",
			in:   certs.UploadInput{CertificatePEM: rsaChain[0] + rsaChain[1] + rsaChain[2][:len(rsaChain[2])-30], PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeMalformed)},
		},

		// the chain
		{
			name: "error/too many certificates",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(leavesOf(t, f.otherRoot, 17)...), KeysUnknown: true},
			want: []want{errorOn(fCert, certs.CodeMalformed)},
		},
		{
			name: "error/unrelated certificate breaks the chain, named by subject",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(append(rsaChain, f.otherRoot.CertPEM)...), PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeChainBroken)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeChainBroken, "Unrelated Root CA", "neither signs nor is signed")
			},
		},
		{
			name: "error/unrelated CA first, keys unknown: the non-CA is the leaf",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(append([]string{f.otherRoot.CertPEM}, rsaChain...)...), KeysUnknown: true},
			want: []want{errorOn(fCert, certs.CodeChainBroken)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeChainBroken, "Unrelated Root CA", "chain of \"CN=www.example.test")
			},
		},
		{
			name: "error/root without its intermediate breaks the chain",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(rsaChain[0], rsaChain[2]), PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeChainBroken)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeChainBroken, f.rsaRoot.Cert.Subject.CommonName)
			},
		},
		{
			name: "error/two leaves in one bundle, the key picks the leaf",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(append([]string{f.siblingLeaf.CertPEM}, rsaChain...)...), PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fCert, certs.CodeChainBroken)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeChainBroken, fmt.Sprintf("The certificate %q is not part of the chain of %q",
					f.siblingLeaf.Cert.Subject.String(), f.rsaLeaf.Cert.Subject.String()), "belongs to another chain")
			},
		},
		{
			name: "error/issuer name matches but signature does not verify",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(f.impostorLeaf.CertPEM, rsaChain[1], rsaChain[2]), PrivateKeyPEM: f.impostorLeaf.KeyPEM(t, "")},
			want: []want{errorOn(fCert, certs.CodeChainBroken)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeChainBroken, "does not verify", f.impostorLeaf.Cert.Subject.CommonName)
			},
		},

		// private_key_pem
		{
			name: "error/key missing",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM()},
			want: []want{errorOn(fKey, certs.CodeKeyMissing)},
		},
		{
			name: "error/key does not match certificate (U4)",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: certstest.KeyPEM(t, certstest.UniqueKey(t, certstest.RSA), "")},
			want: []want{errorOn(fKey, certs.CodeKeyMismatch)},
		},
		{
			name: "error/key of another algorithm",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: f.eccLeaf.KeyPEM(t, certstest.SEC1)},
			want: []want{errorOn(fKey, certs.CodeKeyMismatch)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeKeyMismatch, "ECDSA P-256", "RSA 2048-bit")
			},
		},
		{
			name: "error/key of the intermediate",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: certstest.KeyPEM(t, f.rsaInter.Key, certstest.PKCS1)},
			want: []want{errorOn(fKey, certs.CodeKeyMismatch)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeKeyMismatch, f.rsaInter.Cert.Subject.CommonName)
			},
		},
		{
			name: "error/key encrypted, PKCS#8",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: certstest.EncryptedKeyPEM(t, f.rsaLeaf.Key, "s3cret")},
			want: []want{errorOn(fKey, certs.CodeKeyEncrypted)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeKeyEncrypted, "openssl pkey -in key.pem -out plain.pem")
			},
		},
		{
			name: "error/key encrypted, legacy Proc-Type header",
			in:   certs.UploadInput{CertificatePEM: f.eccLeaf.FullChainPEM(), PrivateKeyPEM: certstest.LegacyEncryptedKeyPEM(t, f.eccLeaf.Key, "s3cret")},
			want: []want{errorOn(fKey, certs.CodeKeyEncrypted)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeKeyEncrypted, "Proc-Type")
			},
		},
		{
			name: "error/certificate in key field",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: f.rsaLeaf.CertPEM},
			want: []want{errorOn(fKey, certs.CodeNotPrivateKey)},
		},
		{
			name: "error/public key in key field",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: certstest.PublicKeyPEM(t, f.rsaLeaf.Key)},
			want: []want{errorOn(fKey, certs.CodeNotPrivateKey)},
		},
		{
			name: "error/key is random text",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: "my key is in the vault"},
			want: []want{errorOn(fKey, certs.CodeNotPEM)},
		},
		{
			name: "error/key as DER bytes",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: string(certstest.DER(t, rsaKey))},
			want: []want{errorOn(fKey, certs.CodeNotPEM)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeNotPEM, "openssl pkey -inform der")
			},
		},
		{
			name: "error/key does not parse",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: "-----BEGIN PRIVATE KEY-----\nMIIBkTCB+wIJAKHHIG1b3hzNMA0GCSqGSIb3DQEBCwUA\n-----END PRIVATE KEY-----\n"},
			want: []want{errorOn(fKey, certs.CodeMalformed)},
		},

		// algorithms
		{
			name: "error/Ed25519 certificate refused, naming Ed25519",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(f.ed25519Leaf.ChainPEMs()...), PrivateKeyPEM: f.ed25519Leaf.KeyPEM(t, "")},
			want: []want{errorOn(fCert, certs.CodeUnsupportedAlgo), errorOn(fKey, certs.CodeUnsupportedAlgo)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeUnsupportedAlgo, "Ed25519")
			},
		},
		{
			name: "error/Ed25519 key refused, naming Ed25519",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: certstest.KeyPEM(t, certstest.UniqueKey(t, certstest.Ed25519), "")},
			want: []want{errorOn(fKey, certs.CodeUnsupportedAlgo)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeUnsupportedAlgo, "Ed25519")
			},
		},
		{
			name: "error/X25519 key refused, naming X25519",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: certstest.X25519KeyPEM(t)},
			want: []want{errorOn(fKey, certs.CodeUnsupportedAlgo)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeUnsupportedAlgo, "X25519")
			},
		},
		{
			name: "error/DSA key refused, naming DSA",
			in:   certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: "-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n"},
			want: []want{errorOn(fKey, certs.CodeUnsupportedAlgo)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeUnsupportedAlgo, "DSA")
			},
		},
		{
			name: "error/RSA 1024 refused, naming the size",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(f.rsa1024Leaf.ChainPEMs()...), PrivateKeyPEM: f.rsa1024Leaf.KeyPEM(t, certstest.PKCS1)},
			want: []want{errorOn(fCert, certs.CodeUnsupportedAlgo), errorOn(fKey, certs.CodeUnsupportedAlgo)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeUnsupportedAlgo, "1024")
			},
		},
		{
			name: "error/P-224 refused, naming the curve",
			in:   certs.UploadInput{CertificatePEM: certstest.Concat(f.p224Leaf.ChainPEMs()...), PrivateKeyPEM: f.p224Leaf.KeyPEM(t, certstest.SEC1)},
			want: []want{errorOn(fCert, certs.CodeUnsupportedAlgo), errorOn(fKey, certs.CodeUnsupportedAlgo)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeUnsupportedAlgo, "P-224")
			},
		},

		// the standard
		{
			name: "error/unknown standard",
			in:   certs.UploadInput{Standard: "gm", CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: rsaKey},
			want: []want{errorOn(fStd, certs.CodeUnknownStandard)},
		},
		{
			name: "error/SM2 material with standard international",
			in: certs.UploadInput{Standard: certs.StandardInternational, CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Sign.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.sm2Enc.CertPEM, EncryptionPrivateKeyPEM: f.sm2Enc.KeyPEM(t, certstest.SEC1)},
			want: []want{errorOn(fStd, certs.CodeWrongStandard)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeWrongStandard, `standard = "sm2"`)
			},
		},
		{
			name: "error/SM2 material with standard unset",
			in:   certs.UploadInput{CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Sign.KeyPEM(t, certstest.SEC1)},
			want: []want{errorOn(fStd, certs.CodeWrongStandard)},
		},
		{
			name: "error/RSA material with standard sm2",
			in:   certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: rsaKey, EncryptionCertificatePEM: f.rsaLeaf.CertPEM},
			want: []want{errorOn(fStd, certs.CodeWrongStandard)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeWrongStandard, "RSA", `standard = "international"`)
			},
		},
		{
			name: "error/encryption fields with standard international",
			in: certs.UploadInput{CertificatePEM: f.rsaLeaf.FullChainPEM(), PrivateKeyPEM: rsaKey,
				EncryptionCertificatePEM: f.rsaLeaf.CertPEM, EncryptionPrivateKeyPEM: rsaKey},
			want: []want{errorOn(fEncCert, certs.CodeUnexpectedField), errorOn(fEncKey, certs.CodeUnexpectedField)},
		},

		// SM2 (U3)
		{
			name: "ok/sm2 pair with two keys, SEC1",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Sign.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.sm2Enc.CertPEM, EncryptionPrivateKeyPEM: f.sm2Enc.KeyPEM(t, certstest.SEC1)},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) {
				wantChain(t, b, f.sm2Sign.ChainPEMs())
				if b.KeyAlgorithm != certs.AlgorithmSM2 || b.KeySize != 256 || !b.ChainComplete {
					t.Errorf("key, complete = %s %d %v; want SM2 256 true", b.KeyAlgorithm, b.KeySize, b.ChainComplete)
				}
			},
		},
		{
			name: "ok/sm2 pair with two keys, PKCS#8, chain out of order",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: certstest.Concat(certstest.Pick(f.sm2Sign.ChainPEMs(), 1, 2, 0)...),
				PrivateKeyPEM:            f.sm2Sign.KeyPEM(t, certstest.PKCS8),
				EncryptionCertificatePEM: certstest.Concat(f.sm2Enc.ChainPEMs()...), EncryptionPrivateKeyPEM: f.sm2Enc.KeyPEM(t, certstest.PKCS8)},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) { wantChain(t, b, f.sm2Sign.ChainPEMs()) },
		},
		{
			name: "ok/sm2 one key serves both (U3)",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2SignOne.FullChainPEM(), PrivateKeyPEM: f.sm2SignOne.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.sm2EncOne.CertPEM},
		},
		{
			name: "ok/sm2 keys unknown at plan time",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2Sign.FullChainPEM(), EncryptionCertificatePEM: f.sm2Enc.CertPEM,
				KeysUnknown: true},
		},
		{
			name: "ok/sm2 chain signed with the empty distinguishing ID",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2EmptyID.FullChainPEM(), PrivateKeyPEM: f.sm2EmptyID.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.sm2EmptyID.CertPEM},
			check: func(t *testing.T, b *certs.Bundle, _ []certs.Problem) {
				wantChain(t, b, f.sm2EmptyID.ChainPEMs())
				if !b.ChainComplete {
					t.Error("ChainComplete = false; want true")
				}
			},
		},
		{
			name: "error/sm2 encryption certificate missing",
			in:   certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Sign.KeyPEM(t, certstest.SEC1)},
			want: []want{errorOn(fEncCert, certs.CodeEncryptionMissing)},
		},
		{
			name: "error/sm2 encryption key does not match encryption certificate",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Sign.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.sm2Enc.CertPEM, EncryptionPrivateKeyPEM: certstest.KeyPEM(t, certstest.UniqueKey(t, certstest.SM2), certstest.SEC1)},
			want: []want{errorOn(fEncKey, certs.CodeKeyMismatch)},
		},
		{
			name: "error/sm2 signature key cannot serve the encryption certificate",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Sign.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.sm2Enc.CertPEM},
			want: []want{errorOn(fEncKey, certs.CodeKeyMismatch)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeKeyMismatch, "encryption_private_key_pem")
			},
		},
		{
			name: "error/sm2 signature key does not match",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Enc.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.sm2Enc.CertPEM, EncryptionPrivateKeyPEM: f.sm2Enc.KeyPEM(t, certstest.SEC1)},
			want: []want{errorOn(fKey, certs.CodeKeyMismatch)},
		},
		{
			name: "error/sm2 encryption certificate is RSA",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Sign.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.rsaLeaf.CertPEM, EncryptionPrivateKeyPEM: rsaKey},
			want: []want{errorOn(fEncCert, certs.CodeWrongStandard)},
		},
		{
			name: "error/sm2 encryption key encrypted",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Sign.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.sm2Enc.CertPEM, EncryptionPrivateKeyPEM: certstest.EncryptedKeyPEM(t, f.sm2Enc.Key, "pw")},
			want: []want{errorOn(fEncKey, certs.CodeKeyEncrypted)},
		},
		{
			name: "error/sm2 private key in encryption certificate field",
			in: certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: f.sm2Sign.FullChainPEM(), PrivateKeyPEM: f.sm2Sign.KeyPEM(t, certstest.SEC1),
				EncryptionCertificatePEM: f.sm2Enc.KeyPEM(t, certstest.SEC1)},
			want: []want{errorOn(fEncCert, certs.CodeNotCertificate)},
			check: func(t *testing.T, _ *certs.Bundle, ps []certs.Problem) {
				wantMessage(t, ps, certs.CodeNotCertificate, "encryption_private_key_pem")
			},
		},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, ps := certs.CheckUpload(c.in, now)
			t.Log("\n" + dump(ps))
			wantProblems(t, ps, c.want)
			wantNoKeyMaterial(t, ps, c.in.CertificatePEM, c.in.PrivateKeyPEM, c.in.EncryptionCertificatePEM, c.in.EncryptionPrivateKeyPEM)
			if certs.HasErrors(ps) != (b == nil) {
				t.Fatalf("HasErrors = %v but Bundle = %v; a Bundle comes exactly when there is no error", certs.HasErrors(ps), b)
			}
			wantOK := strings.HasPrefix(c.name, "ok/") || strings.HasPrefix(c.name, "warning/")
			if wantOK != (b != nil) {
				t.Fatalf("Bundle = %v; case %q wants one: %v", b, c.name, wantOK)
			}
			if c.check != nil {
				c.check(t, b, ps)
			}
		})
	}
}

// wantProblems fails unless ps holds exactly the wanted (field, code, severity)
// triples and every Problem is well formed.
func wantProblems(t *testing.T, ps []certs.Problem, wants []want) {
	t.Helper()
	var got, exp []string
	for _, p := range ps {
		got = append(got, fmt.Sprintf("%s %s %s", p.Severity, p.Field, p.Code))
		if p.Summary == "" || p.Message == "" || p.Code == "" || p.Field == "" {
			t.Errorf("incomplete problem %+v", p)
		}
		for _, w := range strings.Fields(p.Summary) {
			if r := w[0]; r >= 'a' && r <= 'z' {
				t.Errorf("summary %q is not Title Case", p.Summary)
			}
		}
		if !strings.HasSuffix(p.Message, ".") {
			t.Errorf("message %q is not whole sentences", p.Message)
		}
	}
	for _, w := range wants {
		exp = append(exp, fmt.Sprintf("%s %s %s", w.severity, w.field, w.code))
	}
	slices.Sort(got)
	slices.Sort(exp)
	if !slices.Equal(got, exp) {
		t.Fatalf("problems = %q; want %q\n%s", got, exp, dump(ps))
	}
}

// wantNoKeyMaterial fails when a message repeats any base64 line of the inputs.
func wantNoKeyMaterial(t *testing.T, ps []certs.Problem, inputs ...string) {
	t.Helper()
	for _, in := range inputs {
		for l := range strings.SplitSeq(strings.ReplaceAll(in, "\r", ""), "\n") {
			l = strings.TrimSpace(l)
			if len(l) < 16 || strings.HasPrefix(l, "-----") || strings.Contains(l, ":") {
				continue
			}
			for _, p := range ps {
				if strings.Contains(p.Message, l) || strings.Contains(p.Summary, l) {
					t.Errorf("problem %s repeats input material %q", p.Code, l)
				}
			}
		}
	}
	for _, p := range ps {
		if strings.Contains(p.Message, "-----BEGIN") && !strings.Contains(p.Message, "-----BEGIN CERTIFICATE-----") &&
			!strings.Contains(p.Message, "-----BEGIN PRIVATE KEY-----") && !strings.Contains(p.Message, "-----BEGIN line") {
			t.Errorf("problem %s quotes a PEM block: %q", p.Code, p.Message)
		}
	}
}

// wantMessage fails unless the Problem with code mentions every part.
func wantMessage(t *testing.T, ps []certs.Problem, code string, parts ...string) {
	t.Helper()
	for _, p := range ps {
		if p.Code != code {
			continue
		}
		for _, part := range parts {
			if !strings.Contains(p.Message, part) {
				t.Errorf("%s message %q does not mention %q", code, p.Message, part)
			}
		}
		return
	}
	t.Errorf("no %s problem in\n%s", code, dump(ps))
}

// wantChain fails unless the Bundle's chain is pems in that order, leaf first.
func wantChain(t *testing.T, b *certs.Bundle, pems []string) {
	t.Helper()
	if b == nil {
		t.Fatal("no Bundle")
	}
	if b.LeafPEM != pems[0] {
		t.Errorf("LeafPEM is not the leaf")
	}
	if b.FullChainPEM != strings.Join(pems, "") {
		t.Errorf("FullChainPEM is not leaf first then issuer upward")
	}
	if b.CAChainPEM != strings.Join(pems[1:], "") {
		t.Errorf("CAChainPEM is not the chain without the leaf")
	}
}

// leavesOf returns the PEM of n new leaves of ca.
func leavesOf(t *testing.T, ca *certstest.CA, n int) []string {
	var pems []string
	for range n {
		pems = append(pems, ca.Leaf(t, certstest.LeafOptions{}).CertPEM)
	}
	return pems
}

// crlfIndent gives s Windows line endings and indents every line.
func crlfIndent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\r\n")
}

// pemBody returns the base64 body of a PEM block without its BEGIN/END lines.
func pemBody(s string) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func dump(ps []certs.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestBundleValues(t *testing.T) {
	t.Parallel()
	now := time.Now()
	ca := certstest.NewCA(t, certstest.ECC)
	cases := []struct {
		name       string
		opts       certstest.LeafOptions
		wantDomain string
		wantSANs   []string
	}{
		{"ok/CN is a SAN, put first", certstest.LeafOptions{CommonName: "b.example.test", DNSNames: []string{"a.example.test", "b.example.test"}},
			"b.example.test", []string{"b.example.test", "a.example.test"}},
		{"ok/CN not among the SANs, still first", certstest.LeafOptions{CommonName: "cn.example.test", DNSNames: []string{"a.example.test"}},
			"cn.example.test", []string{"cn.example.test", "a.example.test"}},
		{"ok/no CN, the first SAN is the domain", certstest.LeafOptions{CommonName: "-", DNSNames: []string{"x.example.test", "*.example.test"}},
			"x.example.test", []string{"x.example.test", "*.example.test"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			leaf := ca.Leaf(t, c.opts)
			b, ps := certs.CheckUpload(certs.UploadInput{CertificatePEM: leaf.FullChainPEM(), PrivateKeyPEM: leaf.KeyPEM(t, "")}, now)
			if b == nil {
				t.Fatalf("no bundle:\n%s", dump(ps))
			}
			if b.Domain != c.wantDomain || !slices.Equal(b.SANs, c.wantSANs) {
				t.Errorf("Domain, SANs = %q, %q; want %q, %q", b.Domain, b.SANs, c.wantDomain, c.wantSANs)
			}
			sum := sha256.Sum256(leaf.Cert.Raw)
			if b.FingerprintSHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("FingerprintSHA256 = %s", b.FingerprintSHA256)
			}
			if want := hex.EncodeToString(leaf.Cert.SerialNumber.Bytes()); b.SerialNumber != want {
				t.Errorf("SerialNumber = %s; want %s", b.SerialNumber, want)
			}
			if b.Issuer != ca.Cert.Subject.String() || b.Subject != leaf.Cert.Subject.String() {
				t.Errorf("Issuer, Subject = %q, %q", b.Issuer, b.Subject)
			}
			if !b.NotAfter.Equal(leaf.Cert.NotAfter) || b.NotAfter.Location() != time.UTC || b.NotBefore.Location() != time.UTC {
				t.Errorf("NotBefore, NotAfter = %v, %v; want UTC %v", b.NotBefore, b.NotAfter, leaf.Cert.NotAfter)
			}
		})
	}
}

func TestCertificateInfo(t *testing.T) {
	t.Parallel()
	now := time.Now()
	root := certstest.NewCA(t, certstest.RSA)
	leaf := root.Intermediate(t, certstest.CAOptions{}).Leaf(t, certstest.LeafOptions{})
	chain := leaf.ChainPEMs()
	cases := []struct {
		name   string
		pem    string
		want   []want
		chain  []string
		expect func(t *testing.T, b *certs.Bundle)
	}{
		{name: "ok/chain out of order", pem: certstest.Concat(certstest.Pick(chain, 1, 2, 0)...), chain: chain},
		{name: "ok/leaf alone warns", pem: leaf.CertPEM, chain: chain[:1], want: []want{warnOn(fCert, certs.CodeChainIncomplete)}},
		{name: "error/empty", pem: "", want: []want{errorOn(fCert, certs.CodeEmpty)}},
		{name: "error/key given to certificate_info", pem: leaf.KeyPEM(t, certstest.PKCS8), want: []want{errorOn(fCert, certs.CodeNotCertificate)}},
		{name: "error/broken chain", pem: certstest.Concat(chain[0], chain[2]), want: []want{errorOn(fCert, certs.CodeChainBroken)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, ps := certs.CertificateInfo(c.pem, now)
			wantProblems(t, ps, c.want)
			wantNoKeyMaterial(t, ps, c.pem)
			if strings.HasPrefix(c.name, "ok/") {
				wantChain(t, b, c.chain)
				if b.KeyAlgorithm != certs.AlgorithmRSA {
					t.Errorf("KeyAlgorithm = %q", b.KeyAlgorithm)
				}
			} else if b != nil {
				t.Error("Bundle despite an error")
			}
		})
	}
}
