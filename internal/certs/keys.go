package certs

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// RSA key sizes the service accepts.
const (
	minRSABits = 2048
	maxRSABits = 4096
)

// keyInfo describes a public key: its family as the service names it, its size, a
// human name for messages and, when the service does not take it, why.
type keyInfo struct {
	algorithm   string // AlgorithmRSA | AlgorithmECC | AlgorithmSM2; "" when unsupported
	size        int
	name        string // e.g. "RSA 2048-bit", "ECDSA P-256", "SM2", "Ed25519"
	unsupported string // "" when supported; else a sentence saying why not
}

// describePublicKey names a public key and says whether the service takes it.
// spki is the DER SubjectPublicKeyInfo, used to name algorithms that the parser
// leaves without a Go type (pub == nil); it may be nil.
func describePublicKey(pub any, spki []byte) keyInfo {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		ki := keyInfo{algorithm: AlgorithmRSA, size: bits, name: fmt.Sprintf("RSA %d-bit", bits)}
		if bits < minRSABits || bits > maxRSABits {
			ki.algorithm = ""
			ki.unsupported = fmt.Sprintf("%s keys are not supported: RSA keys must have %d to %d bits.", ki.name, minRSABits, maxRSABits)
		}
		return ki
	case *ecdsa.PublicKey:
		return describeCurve(k.Curve)
	case ed25519.PublicKey:
		return unsupportedKey("Ed25519")
	case *ecdh.PublicKey:
		if k.Curve() == ecdh.X25519() {
			return unsupportedKey("X25519")
		}
		return unsupportedKey("ECDH")
	}
	return unsupportedKey(algorithmNameFromSPKI(spki))
}

// describeCurve names an elliptic curve key.
func describeCurve(c elliptic.Curve) keyInfo {
	switch c {
	case sm2.P256():
		return keyInfo{algorithm: AlgorithmSM2, size: 256, name: "SM2"}
	case elliptic.P256():
		return keyInfo{algorithm: AlgorithmECC, size: 256, name: "ECDSA P-256"}
	case elliptic.P384():
		return keyInfo{algorithm: AlgorithmECC, size: 384, name: "ECDSA P-384"}
	case elliptic.P521():
		return keyInfo{algorithm: AlgorithmECC, size: 521, name: "ECDSA P-521"}
	}
	name := "ECDSA on an unknown curve"
	if c != nil && c.Params() != nil && c.Params().Name != "" {
		name = "ECDSA " + c.Params().Name
	}
	return unsupportedKey(name)
}

// unsupportedKey describes a key algorithm the service does not take.
func unsupportedKey(name string) keyInfo {
	return keyInfo{name: name, unsupported: fmt.Sprintf(
		"%s keys are not supported. Use RSA (2048 to 4096 bits), ECDSA (P-256, P-384 or P-521) or, with standard = \"sm2\", SM2.", name)}
}

// Algorithm identifiers of keys the service refuses, to name them.
var unsupportedAlgorithmOIDs = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}, "DSA"},
	{asn1.ObjectIdentifier{1, 3, 101, 110}, "X25519"},
	{asn1.ObjectIdentifier{1, 3, 101, 111}, "X448"},
	{asn1.ObjectIdentifier{1, 3, 101, 112}, "Ed25519"},
	{asn1.ObjectIdentifier{1, 3, 101, 113}, "Ed448"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}, "RSA-PSS"},
	{asn1.ObjectIdentifier{1, 2, 840, 10046, 2, 1}, "Diffie-Hellman"},
}

// algorithmName names an algorithm identifier.
func algorithmName(oid asn1.ObjectIdentifier) string {
	for _, a := range unsupportedAlgorithmOIDs {
		if a.oid.Equal(oid) {
			return a.name
		}
	}
	if len(oid) == 0 {
		return "an unknown algorithm"
	}
	return "algorithm " + oid.String()
}

// algorithmNameFromSPKI names the algorithm of a DER SubjectPublicKeyInfo.
func algorithmNameFromSPKI(spki []byte) string {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return algorithmName(nil)
	}
	return algorithmName(info.Algorithm.Algorithm)
}

// pkcs8Algorithm returns the algorithm identifier of a DER PKCS#8 private key;
// ok is false when der is not PKCS#8.
func pkcs8Algorithm(der []byte) (oid asn1.ObjectIdentifier, ok bool) {
	var p struct {
		Version    int
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}
	if _, err := asn1.Unmarshal(der, &p); err != nil {
		return nil, false
	}
	return p.Algo.Algorithm, true
}

// Key algorithm identifiers the service supports: rsaEncryption, id-ecPublicKey, SM2.
var supportedKeyOIDs = []asn1.ObjectIdentifier{
	{1, 2, 840, 113549, 1, 1, 1},
	{1, 2, 840, 10045, 2, 1},
	{1, 2, 156, 10197, 1, 301},
}

// supportedKeyOID reports whether oid names a supported key algorithm.
func supportedKeyOID(oid asn1.ObjectIdentifier) bool {
	for _, o := range supportedKeyOIDs {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}

// PublicKeyMatches reports whether key is the private half of pub.
func PublicKeyMatches(pub crypto.PublicKey, key crypto.Signer) bool {
	if pub == nil || key == nil {
		return false
	}
	kp, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && kp.Equal(pub)
}

// ParsePrivateKey parses one unencrypted PEM private key — PKCS#1 "RSA PRIVATE
// KEY", SEC1 "EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY" — of an algorithm the service
// supports (RSA, ECDSA, SM2). SM2 keys come back as *sm2.PrivateKey.
func ParsePrivateKey(pemText string) (crypto.Signer, error) {
	if blank(pemText) {
		return nil, errors.New("no private key was given")
	}
	key, p := parseKey(pemText, keyContext{field: "the PEM text", noun: "private key", certField: "the certificate field"})
	if p != nil {
		return nil, errors.New(p.Message)
	}
	return key, nil
}

// keyContext names, for messages, the key a field holds and where its certificate goes.
type keyContext struct {
	field     string // the field's name for Problems
	noun      string // "private key", "encryption private key"
	certField string // where a certificate pasted here belongs
}

// keyProblem makes a Problem about a key field.
func (kc keyContext) problem(code, summary, format string, args ...any) *Problem {
	return &Problem{Field: kc.field, Severity: Error, Code: code, Summary: summary, Message: fmt.Sprintf(format, args...)}
}

// parseKey parses a non-empty key field. It returns the key, or the one Problem
// that stops it being used. Messages name PEM types, never key bytes.
func parseKey(text string, kc keyContext) (crypto.Signer, *Problem) {
	norm := normalizePEM(text)
	d := decodePEM(norm)
	if len(d.blocks) == 0 {
		if d.undecodable > 0 {
			return nil, kc.problem(CodeMalformed, "Private Key Not Decodable",
				"The %s has a -----BEGIN line, but no PEM block decodes: the -----END line may be missing or the base64 body damaged. Paste the whole key file again.", kc.noun)
		}
		switch classifyNotPEM(text) {
		case notPEMDER:
			return nil, kc.problem(CodeNotPEM, "Private Key Not PEM",
				"The %s looks like DER-encoded binary, not PEM text. Convert it with openssl pkey -inform der -in key.der -out key.pem and use key.pem.", kc.noun)
		case notPEMBase64:
			return nil, kc.problem(CodeNotPEM, "Private Key Not PEM",
				"The %s looks like base64 without its PEM lines. Give the whole key file, including the -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY----- lines (or their RSA / EC forms).", kc.noun)
		}
		return nil, kc.problem(CodeNotPEM, "Private Key Not PEM",
			"The %s is not PEM: no -----BEGIN line was found. Give the key file, which starts with -----BEGIN PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----.", kc.noun)
	}

	var keys []*pem.Block
	var others []string
	sawCert, sawParams := false, false
	for _, b := range d.blocks {
		switch {
		case isEncryptedPEM(b):
			how := "it is a PKCS#8 ENCRYPTED PRIVATE KEY"
			if b.Type != "ENCRYPTED PRIVATE KEY" {
				how = "its PEM block has a Proc-Type: 4,ENCRYPTED header"
			}
			return nil, kc.problem(CodeKeyEncrypted, "Private Key Encrypted",
				"The %s is encrypted (%s). The service needs the key without a passphrase: decrypt it first, e.g. openssl pkey -in key.pem -out plain.pem, and use plain.pem.", kc.noun, how)
		case b.Type == "EC PARAMETERS":
			// openssl ecparam -genkey writes the curve before the key; the key says it too.
			sawParams = true
		case isPrivateKeyType(b.Type):
			keys = append(keys, b)
		case b.Type == "CERTIFICATE":
			sawCert = true
		default:
			others = append(others, b.Type)
		}
	}
	if len(keys) == 0 {
		if sawCert {
			return nil, kc.problem(CodeNotPrivateKey, "Certificate Given As Private Key",
				"%s holds a certificate (PEM type \"CERTIFICATE\"), not a private key. Put the certificate in %s and the matching private key here.", kc.field, kc.certField)
		}
		if len(others) == 0 && sawParams {
			return nil, kc.problem(CodeNotPrivateKey, "Not A Private Key",
				"%s holds only EC parameters (PEM type \"EC PARAMETERS\"), not the private key. Give the whole key file, including its -----BEGIN EC PRIVATE KEY----- block.", kc.field)
		}
		t := others[0]
		switch {
		case strings.HasSuffix(t, "PUBLIC KEY"):
			return nil, kc.problem(CodeNotPrivateKey, "Public Key Given As Private Key",
				"%s holds a public key (PEM type %q). Give the private key instead: the one the certificate request was generated with.", kc.field, t)
		case strings.Contains(t, "CERTIFICATE REQUEST"):
			return nil, kc.problem(CodeNotPrivateKey, "Certificate Request Given As Private Key",
				"%s holds a certificate signing request (PEM type %q). Give the private key the request was generated with.", kc.field, t)
		}
		return nil, kc.problem(CodeNotPrivateKey, "Not A Private Key",
			"%s holds a PEM block of type %q, not a private key. Give a PEM private key: PKCS#8 \"PRIVATE KEY\", PKCS#1 \"RSA PRIVATE KEY\" or SEC1 \"EC PRIVATE KEY\".", kc.field, t)
	}
	if len(keys) > 1 {
		return nil, kc.problem(CodeMalformed, "Several Private Keys",
			"%s holds %d private keys. Give exactly one: the key of the certificate.", kc.field, len(keys))
	}
	if d.undecodable > 0 {
		return nil, kc.problem(CodeMalformed, "Private Key Not Decodable",
			"A PEM block in %s does not decode: an -----END line may be missing or the base64 body damaged. Paste the whole key file again.", kc.field)
	}

	b := keys[0]
	switch b.Type {
	case "DSA PRIVATE KEY":
		return nil, kc.problem(CodeUnsupportedAlgo, "Unsupported Key Algorithm", "%s", unsupportedKey("DSA").unsupported)
	case "OPENSSH PRIVATE KEY":
		return nil, kc.problem(CodeNotPrivateKey, "OpenSSH Key Format",
			"The %s is in the OpenSSH format, which certificates do not use. Convert it to PKCS#8 with ssh-keygen -p -m PKCS8 -f KEYFILE, or give the key the certificate was issued for.", kc.noun)
	}
	raw, err := parseKeyDER(b.Type, b.Bytes)
	if err != nil {
		if oid, ok := pkcs8Algorithm(b.Bytes); ok && !supportedKeyOID(oid) {
			return nil, kc.problem(CodeUnsupportedAlgo, "Unsupported Key Algorithm", "%s", unsupportedKey(algorithmName(oid)).unsupported)
		}
		return nil, kc.problem(CodeMalformed, "Private Key Malformed",
			"The %s (PEM type %q) does not parse as a PKCS#1, SEC1 or PKCS#8 private key. Export the key again, e.g. with openssl pkey -in key.pem -out fixed.pem.", kc.noun, b.Type)
	}
	if ek, ok := raw.(*ecdsa.PrivateKey); ok && ek.Curve == sm2.P256() {
		if sk, err := new(sm2.PrivateKey).FromECPrivateKey(ek); err == nil {
			raw = sk
		}
	}
	signer, ok := raw.(crypto.Signer)
	if !ok {
		name := "this algorithm"
		if pk, ok := raw.(interface{ Public() crypto.PublicKey }); ok {
			name = describePublicKey(pk.Public(), nil).name
		}
		return nil, kc.problem(CodeUnsupportedAlgo, "Unsupported Key Algorithm", "%s", unsupportedKey(name).unsupported)
	}
	if ki := describePublicKey(signer.Public(), nil); ki.unsupported != "" {
		return nil, kc.problem(CodeUnsupportedAlgo, "Unsupported Key Algorithm", "%s", ki.unsupported)
	}
	return signer, nil
}

// parseKeyDER parses key DER, trying first the format its PEM type names and then
// the others (keys are often labelled wrongly).
func parseKeyDER(typ string, der []byte) (any, error) {
	pkcs1 := func(d []byte) (any, error) { return smx509.ParsePKCS1PrivateKey(d) }
	sec1 := smx509.ParseTypedECPrivateKey
	pkcs8 := smx509.ParsePKCS8PrivateKey
	order := []func([]byte) (any, error){pkcs8, pkcs1, sec1}
	switch typ {
	case "RSA PRIVATE KEY":
		order = []func([]byte) (any, error){pkcs1, pkcs8, sec1}
	case "EC PRIVATE KEY", "SM2 PRIVATE KEY":
		order = []func([]byte) (any, error){sec1, pkcs8, pkcs1}
	}
	var first error
	for _, parse := range order {
		k, err := parse(der)
		if err == nil {
			return k, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}
