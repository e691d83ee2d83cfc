package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"
)

// certContext names, for messages, the certificate a field holds.
type certContext struct {
	field    string // the field's name for Problems
	noun     string // "certificate", "encryption certificate"
	keyField string // where a private key pasted here belongs
}

// problem makes an error Problem about a certificate field.
func (cc certContext) problem(code, summary, format string, args ...any) Problem {
	return Problem{Field: cc.field, Severity: Error, Code: code, Summary: summary, Message: fmt.Sprintf(format, args...)}
}

// parseCertificates decodes and parses every certificate of a field, in the order
// given; identical copies are dropped. Problems are errors only.
func parseCertificates(text string, cc certContext) ([]*smx509.Certificate, []Problem) {
	norm := normalizePEM(text)
	if norm == "" {
		return nil, []Problem{cc.problem(CodeEmpty, "Certificate Empty",
			"The %s is empty. Give the certificate in PEM form: it starts with -----BEGIN CERTIFICATE-----.", cc.noun)}
	}
	d := decodePEM(norm)
	if len(d.blocks) == 0 {
		if d.undecodable > 0 {
			return nil, []Problem{cc.problem(CodeMalformed, "Certificate Not Decodable",
				"The %s has a -----BEGIN line, but no PEM block decodes: the -----END line may be missing or the base64 body damaged. Paste the whole certificate file again.", cc.noun)}
		}
		switch classifyNotPEM(text) {
		case notPEMDER:
			return nil, []Problem{cc.problem(CodeNotPEM, "Certificate Not PEM",
				"The %s looks like DER-encoded binary, not PEM text. Convert it with openssl x509 -inform der -in cert.der -out cert.pem and use cert.pem.", cc.noun)}
		case notPEMBase64:
			return nil, []Problem{cc.problem(CodeNotPEM, "Certificate Not PEM",
				"The %s looks like base64 without its PEM lines. Give the whole certificate file, including the -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines.", cc.noun)}
		}
		return nil, []Problem{cc.problem(CodeNotPEM, "Certificate Not PEM",
			"The %s is not PEM: no -----BEGIN CERTIFICATE----- line was found. Give the certificate file (often .pem or .crt) that starts with that line.", cc.noun)}
	}

	var ps []Problem
	var certs []*smx509.Certificate
	seenType := map[string]bool{}
	total := 0
	for _, b := range d.blocks {
		if b.Type == "CERTIFICATE" || b.Type == "X509 CERTIFICATE" {
			total++
		}
	}
	n := 0
	for _, b := range d.blocks {
		switch {
		case b.Type == "CERTIFICATE" || b.Type == "X509 CERTIFICATE":
			n++
			c, err := smx509.ParseCertificate(b.Bytes)
			if err != nil {
				ps = append(ps, cc.problem(CodeMalformed, "Certificate Malformed",
					"Certificate %d of %d in %s does not parse (%s). Download the certificate again from its issuer.", n, total, cc.field, strings.TrimPrefix(err.Error(), "x509: ")))
				continue
			}
			if !containsCert(certs, c) {
				certs = append(certs, c)
			}
		case seenType[b.Type]:
		case isPrivateKeyType(b.Type):
			seenType[b.Type] = true
			ps = append(ps, cc.problem(CodeNotCertificate, "Private Key Given As Certificate",
				"%s holds a private key (PEM type %q). Private keys belong in %s, which is kept secret; keep only certificates here.", cc.field, b.Type, cc.keyField))
		case strings.Contains(b.Type, "CERTIFICATE REQUEST"):
			seenType[b.Type] = true
			ps = append(ps, cc.problem(CodeNotCertificate, "Certificate Request Given As Certificate",
				"%s holds a certificate signing request (PEM type %q), not a certificate. Submit the request to a CA and give the certificate it issues.", cc.field, b.Type))
		default:
			seenType[b.Type] = true
			ps = append(ps, cc.problem(CodeNotCertificate, "Not A Certificate",
				"%s holds a PEM block of type %q, not a certificate. Give PEM certificates (-----BEGIN CERTIFICATE-----) only.", cc.field, b.Type))
		}
	}
	if d.undecodable > 0 {
		ps = append(ps, cc.problem(CodeMalformed, "Certificate Not Decodable",
			"A PEM block in %s does not decode: an -----END line may be missing or the base64 body damaged. Paste the whole certificate file again.", cc.field))
	}
	if len(certs) > maxCertificates {
		ps = append(ps, cc.problem(CodeMalformed, "Too Many Certificates",
			"%s holds %d certificates; a chain has at most %d. Give the leaf certificate and its issuers only.", cc.field, len(certs), maxCertificates))
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return certs, nil
}

// maxCertificates bounds a bundle: real chains have two to five certificates, and
// linking them costs a signature check per pair of certificates.
const maxCertificates = 16

// containsCert reports whether list holds a certificate with the same DER as c.
func containsCert(list []*smx509.Certificate, c *smx509.Certificate) bool {
	for _, x := range list {
		if bytes.Equal(x.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// chain is one certificate chain found in a field.
type chain struct {
	path       []*smx509.Certificate // the leaf first, then each issuer upward
	complete   bool                  // the top of path is self-signed
	selfSigned bool                  // the leaf is self-signed
	leafKey    keyInfo
}

// leaf returns the chain's leaf certificate.
func (ch *chain) leaf() *smx509.Certificate { return ch.path[0] }

// buildChain orders certs into one chain: it finds the leaf (the certificate that
// signs no other; among several, the one key belongs to, else the one that is not
// a CA), follows verified signatures upward and reports every certificate left
// over. key may be nil. Warnings: an incomplete chain.
func buildChain(certs []*smx509.Certificate, key crypto.Signer, cc certContext) (*chain, []Problem) {
	n := len(certs)
	lv := newLinkVerifier(certs)
	parent := make([]int, n)
	badIssuer := make([]int, n) // a certificate with the issuer's name whose signature failed
	badErr := make([]error, n)
	hasChild := make([]bool, n)
	self := make([]bool, n)
	for i := range certs {
		parent[i], badIssuer[i] = -1, -1
		self[i] = lv.selfSigned(i)
	}
	for i, c := range certs {
		if self[i] {
			continue
		}
		for j, p := range certs {
			if i == j || !bytes.Equal(c.RawIssuer, p.RawSubject) {
				continue
			}
			if err := lv.signedBy(i, j); err != nil {
				if badIssuer[i] < 0 {
					badIssuer[i], badErr[i] = j, explainSignatureError(err)
				}
				continue
			}
			parent[i] = j
			hasChild[j] = true
			break
		}
	}

	leaf := pickLeaf(certs, hasChild, key)
	onPath := make([]bool, n)
	var path []int
	for i := leaf; i >= 0 && !onPath[i]; i = parent[i] {
		onPath[i] = true
		path = append(path, i)
	}
	top := path[len(path)-1]
	leafCert := certs[leaf]

	// When the top of the path names an issuer in the bundle whose signature fails,
	// that issuer and the certificates above it are explained by one message.
	explained := make([]bool, n)
	for j := badIssuer[top]; j >= 0 && !explained[j] && !onPath[j]; j = parent[j] {
		explained[j] = true
	}

	var ps []Problem
	for j, c := range certs {
		if onPath[j] || (explained[j] && j != badIssuer[top]) {
			continue
		}
		if badIssuer[top] == j {
			ps = append(ps, cc.problem(CodeChainBroken, "Certificate Chain Broken",
				"The certificate %q names %q as its issuer, and a certificate with that subject is in %s, but the signature does not verify against it: %s. One of the two is not the certificate it claims to be; download the chain again from the CA.",
				certName(certs[top]), certName(c), cc.field, badErr[top]))
			continue
		}
		if parent[j] < 0 && !hasChild[j] {
			ps = append(ps, cc.problem(CodeChainBroken, "Certificate Chain Broken",
				"The certificate %q in %s neither signs nor is signed by another certificate there, so it is not part of the chain of %q. Remove it, or add the intermediate certificates that link it to the chain.",
				certName(c), cc.field, certName(leafCert)))
			continue
		}
		ps = append(ps, cc.problem(CodeChainBroken, "Certificate Chain Broken",
			"The certificate %q is not part of the chain of %q (the leaf and its issuers): it belongs to another chain. %s must hold one chain only; remove the certificates of other chains.",
			certName(c), certName(leafCert), cc.field))
	}

	ch := &chain{complete: self[top], selfSigned: self[leaf]}
	for _, i := range path {
		ch.path = append(ch.path, certs[i])
	}
	for _, c := range ch.path {
		ki := describePublicKey(c.PublicKey, c.RawSubjectPublicKeyInfo)
		if c == leafCert {
			ch.leafKey = ki
		}
		if ki.unsupported != "" {
			ps = append(ps, cc.problem(CodeUnsupportedAlgo, "Unsupported Key Algorithm",
				"The certificate %q in %s has %s public key. %s", certName(c), cc.field, withArticle(ki.name), ki.unsupported))
		}
	}
	if !ch.complete && !HasErrors(ps) {
		t := certs[top]
		ps = append(ps, Problem{Field: cc.field, Severity: Warning, Code: CodeChainIncomplete, Summary: "Certificate Chain Incomplete",
			Message: fmt.Sprintf("The chain in %s ends at %q, whose issuer %q is not included. Clients that do not already have the missing intermediate and root certificates cannot build the chain; append them after the leaf, each issuer after the certificate it signed.",
				cc.field, certName(t), t.Issuer.String())})
	}
	return ch, ps
}

// pickLeaf chooses the leaf among the certificates that sign no other.
func pickLeaf(certs []*smx509.Certificate, hasChild []bool, key crypto.Signer) int {
	var cands []int
	for i := range certs {
		if !hasChild[i] {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 { // every certificate signs another: a loop of cross-signatures
		for i := range certs {
			cands = append(cands, i)
		}
	}
	if key != nil {
		for _, i := range cands {
			if PublicKeyMatches(certs[i].PublicKey, key) {
				return i
			}
		}
	}
	for _, i := range cands {
		if !certs[i].IsCA {
			return i
		}
	}
	return cands[0]
}

// certName names a certificate in messages by its subject (or serial number).
func certName(c *smx509.Certificate) string {
	if s := c.Subject.String(); s != "" {
		return s
	}
	return "serial " + SerialHex(c.SerialNumber)
}

// withArticle puts "a" or "an" before an algorithm name, as it is spoken.
func withArticle(name string) string {
	if name != "" && strings.ContainsRune("AEFHILMNORSXaeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// isSelfSigned reports whether c is issued by its own subject and its signature
// verifies with its own key.
func isSelfSigned(c *smx509.Certificate) bool {
	if !isSelfIssued(c) {
		return false
	}
	if c.SignatureAlgorithm == smx509.SM2WithSM3 {
		pub, ok := c.PublicKey.(*ecdsa.PublicKey)
		return ok && VerifySM2Signature(pub, c.RawTBSCertificate, c.Signature)
	}
	return c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// isSelfIssued reports whether c names its own subject as its issuer.
func isSelfIssued(c *smx509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject)
}

// checkSignatureFrom verifies that parent signed child, as crypto/x509's
// CheckSignatureFrom does; SM2 signatures are checked with both distinguishing IDs.
func checkSignatureFrom(child, parent *smx509.Certificate) error {
	if child.SignatureAlgorithm != smx509.SM2WithSM3 {
		return child.CheckSignatureFrom(parent)
	}
	if parent.Version == 3 && !parent.BasicConstraintsValid || parent.BasicConstraintsValid && !parent.IsCA {
		return errSM2NotCA
	}
	if parent.KeyUsage != 0 && parent.KeyUsage&smx509.KeyUsageCertSign == 0 {
		return errSM2KeyUsage
	}
	pub, ok := parent.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != sm2.P256() {
		return errors.New("the certificate has an SM2 signature but the issuer's key is not SM2")
	}
	if !VerifySM2Signature(pub, child.RawTBSCertificate, child.Signature) {
		return errors.New("SM2 signature verification failed")
	}
	return nil
}

// explainSignatureError turns a signature check error into words for users.
func explainSignatureError(err error) error {
	var insecure smx509.InsecureAlgorithmError
	var constraint smx509.ConstraintViolationError
	switch {
	case errors.As(err, &insecure):
		return fmt.Errorf("it is signed with %s, which is insecure", smx509.SignatureAlgorithm(insecure))
	case errors.As(err, &constraint):
		return errors.New("the issuer is not allowed to sign certificates (it is not a CA)")
	case errors.Is(err, errSM2NotCA), errors.Is(err, errSM2KeyUsage):
		return err
	}
	return errors.New("the signature was made with another key")
}

// Errors of SM2 signature checks.
var (
	errSM2NotCA    = errors.New("the issuer is not allowed to sign certificates (it is not a CA)")
	errSM2KeyUsage = errors.New("the issuer's key usage does not allow signing certificates")
)

// defaultSM2ID is the usual SM2 distinguishing ID (GM/T 0009).
const defaultSM2ID = "1234567812345678"

// VerifySM2Signature verifies an ASN.1 SM2-with-SM3 signature over msg, first with
// the default distinguishing ID and then with the empty ID that OpenSSL 3.0 uses.
func VerifySM2Signature(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	if sm2.VerifyASN1WithSM2(pub, []byte(defaultSM2ID), msg, sig) {
		return true
	}
	// gmsm replaces an empty uid by the default one, so the empty-ID digest is
	// computed here.
	digest, err := SM2DigestEmptyID(pub, msg)
	return err == nil && sm2.VerifyASN1(pub, digest, sig)
}

// SM2DigestEmptyID returns SM3(Z || msg) where Z is computed with an empty
// distinguishing ID (ENTL = 0), as OpenSSL 3.0 signs by default.
func SM2DigestEmptyID(pub *ecdsa.PublicKey, msg []byte) ([]byte, error) {
	if pub == nil || pub.Curve != sm2.P256() {
		return nil, errors.New("not an SM2 public key")
	}
	ek, err := sm2.PublicKeyToECDH(pub)
	if err != nil {
		return nil, err
	}
	point := ek.Bytes() // 0x04 || X || Y
	params := sm2.P256().Params()
	a := new(big.Int).Sub(params.P, big.NewInt(3))
	h := sm3.New()
	h.Write([]byte{0, 0}) // ENTL: the ID's length in bits
	for _, v := range []*big.Int{a, params.B, params.Gx, params.Gy} {
		h.Write(v.FillBytes(make([]byte, 32)))
	}
	h.Write(point[1:])
	za := h.Sum(nil)
	h.Reset()
	h.Write(za)
	h.Write(msg)
	return h.Sum(nil), nil
}
