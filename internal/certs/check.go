package certs

import (
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"

	"github.com/emmansun/gmsm/smx509"
)

// Contexts of the upload fields, for messages.
var (
	signatureCertContext = certContext{field: FieldCertificatePEM, noun: "certificate", keyField: FieldPrivateKeyPEM}
	signatureKeyContext  = keyContext{field: FieldPrivateKeyPEM, noun: "private key", certField: FieldCertificatePEM}
	encCertContext       = certContext{field: FieldEncryptionCertificatePEM, noun: "encryption certificate", keyField: FieldEncryptionPrivateKeyPEM}
	encKeyContext        = keyContext{field: FieldEncryptionPrivateKeyPEM, noun: "encryption private key", certField: FieldEncryptionCertificatePEM}
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// String formats a Problem for logs and plain errors.
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s: %s", p.Severity, p.Field, p.Summary, p.Message)
}

// HasErrors reports whether any Problem has Severity Error.
func HasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// CheckUpload checks an upload (rules U2–U4) at time now. It returns the Bundle the
// material describes, or nil when any Problem is an Error; warnings (an incomplete
// chain, an expired certificate) come with a Bundle.
func CheckUpload(in UploadInput, now time.Time) (*Bundle, []Problem) {
	var std, certPs, keyPs, encCertPs, encKeyPs []Problem

	standard := in.Standard
	standardKnown := true
	switch standard {
	case "", StandardInternational:
		standard = StandardInternational
	case StandardSM2:
	default:
		standardKnown = false
		std = append(std, Problem{Field: FieldStandard, Severity: Error, Code: CodeUnknownStandard, Summary: "Unknown Standard",
			Message: fmt.Sprintf("The standard %q is not known. Set standard = %q for RSA and ECDSA certificates or %q for Chinese SM2 certificates.", in.Standard, StandardInternational, StandardSM2)})
	}

	// rule U2/U3: the signature (or only) certificate and its key.
	var key crypto.Signer
	keyGiven := !blank(in.PrivateKeyPEM)
	if !in.KeysUnknown && keyGiven {
		var p *Problem
		if key, p = parseKey(in.PrivateKeyPEM, signatureKeyContext); p != nil {
			keyPs = append(keyPs, *p)
		}
	}
	ch, ps := analyzeCertificates(in.CertificatePEM, key, signatureCertContext)
	certPs = append(certPs, ps...)
	if ch != nil {
		certPs = append(certPs, validityProblems(ch.leaf(), now, signatureCertContext)...)
	}
	if !in.KeysUnknown && !keyGiven && (ch == nil || isServerCertificate(ch.leaf())) {
		keyPs = append(keyPs, Problem{Field: FieldPrivateKeyPEM, Severity: Error, Code: CodeKeyMissing, Summary: "Private Key Missing",
			Message: "No private key was given for the certificate. Set private_key_pem (or private_key_pem_wo) to the certificate's private key in PEM form, unencrypted."})
	}
	if key != nil && ch != nil {
		if p := mismatch(ch, key, signatureKeyContext, signatureCertContext); p != nil {
			keyPs = append(keyPs, *p)
		}
	}

	// rules U2, U3: the standard and the material agree.
	materialSM2 := false
	switch {
	case ch != nil && ch.leafKey.algorithm != "":
		materialSM2 = ch.leafKey.algorithm == AlgorithmSM2
	case ch == nil && key != nil:
		materialSM2 = describePublicKey(key.Public(), nil).algorithm == AlgorithmSM2
	}
	materialKnown := (ch != nil && ch.leafKey.algorithm != "") || (ch == nil && key != nil)
	if standardKnown && materialKnown {
		switch {
		case standard == StandardInternational && materialSM2:
			std = append(std, Problem{Field: FieldStandard, Severity: Error, Code: CodeWrongStandard, Summary: "Wrong Standard For SM2 Certificate",
				Message: fmt.Sprintf("The certificate has an SM2 key (Chinese SM standard), but standard is %q. Set standard = %q and give the encryption certificate and key as well (encryption_certificate_pem, encryption_private_key_pem).", StandardInternational, StandardSM2)})
		case standard == StandardSM2 && !materialSM2:
			name := "a non-SM2"
			if ch != nil {
				name = withArticle(ch.leafKey.name)
			}
			std = append(std, Problem{Field: FieldStandard, Severity: Error, Code: CodeWrongStandard, Summary: "Wrong Standard For International Certificate",
				Message: fmt.Sprintf("The certificate has %s key, but standard = %q expects SM2 material. Set standard = %q (or leave it unset) for RSA and ECDSA certificates.", name, StandardSM2, StandardInternational)})
		}
	}

	switch {
	case !standardKnown:
	case standard == StandardInternational:
		if !materialSM2 {
			for _, f := range []struct{ field, value string }{
				{FieldEncryptionCertificatePEM, in.EncryptionCertificatePEM},
				{FieldEncryptionPrivateKeyPEM, in.EncryptionPrivateKeyPEM},
			} {
				if !blank(f.value) {
					p := Problem{Field: f.field, Severity: Error, Code: CodeUnexpectedField, Summary: "Unexpected Encryption Material",
						Message: fmt.Sprintf("%s is only used with standard = %q (Chinese SM2 certificates). Remove it, or set standard = %q if this is an SM2 certificate.", f.field, StandardSM2, StandardSM2)}
					if f.field == FieldEncryptionCertificatePEM {
						encCertPs = append(encCertPs, p)
					} else {
						encKeyPs = append(encKeyPs, p)
					}
				}
			}
		}
	case standard == StandardSM2 && (materialSM2 || !materialKnown):
		encCertPs, encKeyPs = checkEncryptionPair(in, key)
	}

	all := concat(std, certPs, keyPs, encCertPs, encKeyPs)
	if HasErrors(all) || ch == nil {
		return nil, all
	}
	return newBundle(ch), all
}

// checkEncryptionPair checks the SM2 encryption certificate and its key (rule U3);
// sigKey, when not nil, is the signature key that serves both when no encryption
// key is given.
func checkEncryptionPair(in UploadInput, sigKey crypto.Signer) (certPs, keyPs []Problem) {
	if blank(in.EncryptionCertificatePEM) {
		certPs = append(certPs, Problem{Field: FieldEncryptionCertificatePEM, Severity: Error, Code: CodeEncryptionMissing, Summary: "Encryption Certificate Missing",
			Message: fmt.Sprintf("standard = %q needs the encryption certificate as well as the signature certificate (an SM2 certificate comes as a pair). Set encryption_certificate_pem, and encryption_private_key_pem unless the signature key serves both.", StandardSM2)})
		return certPs, nil
	}
	var encKey crypto.Signer
	encKeyGiven := !blank(in.EncryptionPrivateKeyPEM)
	if !in.KeysUnknown && encKeyGiven {
		var p *Problem
		if encKey, p = parseKey(in.EncryptionPrivateKeyPEM, encKeyContext); p != nil {
			keyPs = append(keyPs, *p)
		}
	}
	hint := encKey
	if hint == nil {
		hint = sigKey
	}
	ch, ps := analyzeCertificates(in.EncryptionCertificatePEM, hint, encCertContext)
	for _, p := range ps {
		if p.Severity == Error { // the chain is reported once, on certificate_pem
			certPs = append(certPs, p)
		}
	}
	if ch == nil {
		return certPs, keyPs
	}
	if ch.leafKey.algorithm != "" && ch.leafKey.algorithm != AlgorithmSM2 {
		certPs = append(certPs, Problem{Field: FieldEncryptionCertificatePEM, Severity: Error, Code: CodeWrongStandard, Summary: "Encryption Certificate Not SM2",
			Message: fmt.Sprintf("The encryption certificate %q has %s key; with standard = %q both certificates must be SM2. Give the SM2 encryption certificate issued with the signature certificate.", certName(ch.leaf()), withArticle(ch.leafKey.name), StandardSM2)})
		return certPs, keyPs
	}
	if in.KeysUnknown {
		return certPs, keyPs
	}
	switch {
	case encKey != nil:
		if p := mismatch(ch, encKey, encKeyContext, encCertContext); p != nil {
			keyPs = append(keyPs, *p)
		}
	case !encKeyGiven && sigKey != nil:
		if !PublicKeyMatches(ch.leaf().PublicKey, sigKey) {
			keyPs = append(keyPs, Problem{Field: FieldEncryptionPrivateKeyPEM, Severity: Error, Code: CodeKeyMismatch, Summary: "Encryption Private Key Missing",
				Message: fmt.Sprintf("No encryption private key was given, so the signature key (private_key_pem) must serve both certificates, but it does not belong to the encryption certificate %q. Set encryption_private_key_pem to the encryption certificate's private key.", certName(ch.leaf()))})
		}
	}
	return certPs, keyPs
}

// analyzeCertificates parses a certificate field and orders it into one chain.
// The chain is nil when the field has errors that leave no usable leaf.
func analyzeCertificates(text string, key crypto.Signer, cc certContext) (*chain, []Problem) {
	certs, ps := parseCertificates(text, cc)
	if len(ps) > 0 || len(certs) == 0 {
		return nil, ps
	}
	ch, ps := buildChain(certs, key, cc)
	if HasErrors(ps) {
		return nil, ps
	}
	return ch, ps
}

// mismatch returns a KeyMismatch Problem when key does not belong to the chain's leaf.
func mismatch(ch *chain, key crypto.Signer, kc keyContext, cc certContext) *Problem {
	leaf := ch.leaf()
	if PublicKeyMatches(leaf.PublicKey, key) {
		return nil
	}
	for _, c := range ch.path[1:] {
		if PublicKeyMatches(c.PublicKey, key) {
			return kc.problem(CodeKeyMismatch, "Private Key Does Not Match Certificate",
				"The %s belongs to %q, an issuer in %s, not to the leaf certificate %q. Give the leaf certificate's own private key.", kc.noun, certName(c), cc.field, certName(leaf))
		}
	}
	keyName := describePublicKey(key.Public(), nil).name
	if keyName != ch.leafKey.name {
		return kc.problem(CodeKeyMismatch, "Private Key Does Not Match Certificate",
			"The %s is %s key, but the certificate %q has %s key, so they do not belong together. Give the private key the certificate was issued for.", kc.noun, withArticle(keyName), certName(leaf), withArticle(ch.leafKey.name))
	}
	return kc.problem(CodeKeyMismatch, "Private Key Does Not Match Certificate",
		"The %s does not belong to the certificate %q: its public key differs from the certificate's. Give the private key the certificate was issued for (the one its certificate request was made with).", kc.noun, certName(leaf))
}

// isServerCertificate reports whether a leaf needs its private key: everything
// but a CA certificate without DNS names or the server-authentication usage.
func isServerCertificate(c *smx509.Certificate) bool {
	if !c.IsCA || len(c.DNSNames) > 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == smx509.ExtKeyUsageServerAuth {
			return true
		}
	}
	return false
}

// validityProblems warns about a leaf that has expired or is not valid yet.
func validityProblems(leaf *smx509.Certificate, now time.Time, cc certContext) []Problem {
	switch {
	case now.After(leaf.NotAfter):
		return []Problem{{Field: cc.field, Severity: Warning, Code: CodeExpired, Summary: "Certificate Expired",
			Message: fmt.Sprintf("The certificate %q expired on %s. It can be uploaded, but clients refuse it; renew it and upload the new certificate.", certName(leaf), leaf.NotAfter.UTC().Format(time.RFC3339))}}
	case now.Before(leaf.NotBefore):
		return []Problem{{Field: cc.field, Severity: Warning, Code: CodeNotYetValid, Summary: "Certificate Not Yet Valid",
			Message: fmt.Sprintf("The certificate %q is valid only from %s. It can be uploaded, but clients refuse it until then.", certName(leaf), leaf.NotBefore.UTC().Format(time.RFC3339))}}
	}
	return nil
}

// CertificateInfo parses a certificate (optionally with its chain, in any order)
// without a key, with the same checks as CheckUpload's certificate_pem.
func CertificateInfo(pemText string, now time.Time) (*Bundle, []Problem) {
	ch, ps := analyzeCertificates(pemText, nil, signatureCertContext)
	if ch == nil || HasErrors(ps) {
		return nil, ps
	}
	ps = append(ps, validityProblems(ch.leaf(), now, signatureCertContext)...)
	return newBundle(ch), ps
}

// newBundle describes an accepted chain by its leaf.
func newBundle(ch *chain) *Bundle {
	leaf := ch.leaf()
	b := &Bundle{
		Subject:           leaf.Subject.String(),
		Issuer:            leaf.Issuer.String(),
		SerialNumber:      SerialHex(leaf.SerialNumber),
		NotBefore:         leaf.NotBefore.UTC(),
		NotAfter:          leaf.NotAfter.UTC(),
		FingerprintSHA256: FingerprintSHA256(leaf.Raw),
		KeyAlgorithm:      ch.leafKey.algorithm,
		KeySize:           ch.leafKey.size,
		ChainComplete:     ch.complete,
		SelfSigned:        ch.selfSigned,
	}
	// One buffer for the whole chain: LeafPEM and CAChainPEM are its two parts.
	size := 0
	for _, c := range ch.path {
		size += len(c.Raw)*4/3 + len(c.Raw)/48 + 64
	}
	full := appendPEM(make([]byte, 0, size), "CERTIFICATE", leaf.Raw)
	leafLen := len(full)
	for _, c := range ch.path[1:] {
		full = appendPEM(full, "CERTIFICATE", c.Raw)
	}
	b.FullChainPEM = string(full)
	b.LeafPEM, b.CAChainPEM = b.FullChainPEM[:leafLen], b.FullChainPEM[leafLen:]

	b.Domain = leaf.Subject.CommonName
	if b.Domain == "" && len(leaf.DNSNames) > 0 {
		b.Domain = leaf.DNSNames[0]
	}
	if b.Domain != "" {
		b.SANs = append(b.SANs, b.Domain)
	}
	for _, n := range leaf.DNSNames {
		if !containsFold(b.SANs, n) {
			b.SANs = append(b.SANs, n)
		}
	}
	return b
}

// containsFold reports whether list holds s, ignoring case (DNS names).
func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// concat joins problem lists in order.
func concat(lists ...[]Problem) []Problem {
	var out []Problem
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// FingerprintSHA256 returns the lowercase hex SHA-256 of a certificate's DER.
func FingerprintSHA256(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// SerialHex formats a serial number as lowercase hex with an even number of
// digits, as openssl x509 -serial prints it (lowercased).
func SerialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	if n.Sign() == 0 {
		return "00"
	}
	s := hex.EncodeToString(new(big.Int).Abs(n).Bytes())
	if n.Sign() < 0 {
		return "-" + s
	}
	return s
}

// NormalizeFingerprint lowercases a hex fingerprint and strips colons and white
// space, so "AB:CD:…" and "abcd…" compare equal.
func NormalizeFingerprint(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ':' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}
