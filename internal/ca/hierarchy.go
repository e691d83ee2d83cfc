package ca

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

// Validity of the CA certificates made by NewHierarchy.
const (
	RootValidity         = 20 * 365 * 24 * time.Hour
	IntermediateValidity = 10 * 365 * 24 * time.Hour
	// caBackdate moves a new CA's notBefore back a little, so a leaf issued in the same
	// second (or by a slightly slower clock) still nests in the CA's validity.
	caBackdate = time.Hour
)

// oidAnyPolicy is anyPolicy (RFC 5280 4.2.1.4), carried by the intermediates.
var oidAnyPolicy = mustOID("2.5.29.32.0")

// Hierarchy is one brand's issuing authority for one key algorithm: a self-signed root
// and the intermediate that signs leaves, CRLs and OCSP responses. It is immutable and
// safe for concurrent use.
type Hierarchy struct {
	brand, alg, id        string
	rootPEM, intPEM       string
	rootKeyPEM, intKeyPEM string
	root, intermediate    *smx509.Certificate
	rootKey, intKey       crypto.Signer
	// intX509 is the intermediate as crypto/x509 sees it (RSA/ECC only, for OCSP).
	intX509 *x509.Certificate
}

// Key parameters of the CAs per algorithm.
var caKeySizes = map[string][2]int{ // {root, intermediate}
	AlgorithmRSA: {3072, 2048},
	AlgorithmECC: {384, 256},
	AlgorithmSM2: {256, 256},
}

// NewHierarchy makes a brand's root (RSA 3072, ECC P-384 or SM2; valid 20 years) and
// intermediate (RSA 2048, ECC P-256 or SM2; valid 10 years, path length 0), both valid
// from now (less an hour). rand supplies serial numbers and SM2 keys (nil means
// crypto/rand; Go's RSA and ECDSA key generation always use crypto/rand). The caller
// persists the four PEM values and rebuilds the hierarchy with LoadHierarchy.
func NewHierarchy(brand, alg string, now time.Time, rand io.Reader) (*Hierarchy, error) {
	b, a, err := canonical(brand, alg)
	if err != nil {
		return nil, err
	}
	if now.IsZero() {
		return nil, invalidf("the creation time of a CA is required")
	}
	r := randOrDefault(rand)
	sizes := caKeySizes[a]
	rootKey, err := generateKey(r, a, sizes[0])
	if err != nil {
		return nil, err
	}
	intKey, err := generateKey(r, a, sizes[1])
	if err != nil {
		return nil, err
	}
	return newHierarchyWithKeys(b, a, now, r, rootKey, intKey)
}

// newHierarchyWithKeys builds the CA certificates for given keys.
func newHierarchyWithKeys(b, a string, now time.Time, r io.Reader, rootKey, intKey crypto.Signer) (*Hierarchy, error) {
	notBefore := now.UTC().Truncate(time.Second).Add(-caBackdate)
	rootSerial, err := RandomSerial(r)
	if err != nil {
		return nil, err
	}
	rootTmpl := &smx509.Certificate{
		SerialNumber:          rootSerial,
		Subject:               caName(RootCommonName(b, a)),
		NotBefore:             notBefore,
		NotAfter:              notBefore.Add(RootValidity),
		KeyUsage:              smx509.KeyUsageCertSign | smx509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	rootDER, err := smx509.CreateCertificate(r, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, fmt.Errorf("ca: create %s root: %w", b, err)
	}
	root, err := smx509.ParseCertificate(rootDER)
	if err != nil {
		return nil, fmt.Errorf("ca: parse new root: %w", err)
	}
	intSerial, err := RandomSerial(r)
	if err != nil {
		return nil, err
	}
	intTmpl := &smx509.Certificate{
		SerialNumber: intSerial,
		Subject:      caName(IntermediateCommonName(b, a)),
		NotBefore:    notBefore,
		NotAfter:     notBefore.Add(IntermediateValidity),
		// digitalSignature: the intermediate signs OCSP responses itself (RFC 6960 4.2.2.2).
		KeyUsage:              smx509.KeyUsageCertSign | smx509.KeyUsageCRLSign | smx509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []smx509.ExtKeyUsage{smx509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		Policies:              []smx509.OID{oidAnyPolicy},
	}
	intDER, err := smx509.CreateCertificate(r, intTmpl, root, intKey.Public(), rootKey)
	if err != nil {
		return nil, fmt.Errorf("ca: create %s intermediate: %w", b, err)
	}
	rootKeyPEM, err := MarshalPrivateKeyPEM(rootKey, "")
	if err != nil {
		return nil, err
	}
	intKeyPEM, err := MarshalPrivateKeyPEM(intKey, "")
	if err != nil {
		return nil, err
	}
	return LoadHierarchy(certPEM(rootDER), rootKeyPEM, certPEM(intDER), intKeyPEM)
}

// LoadHierarchy rebuilds a hierarchy from the four values NewHierarchy produced (the
// keys decrypted by the caller; PKCS#8, PKCS#1 or SEC1 PEM). It checks that each key
// belongs to its certificate, that the root signed the intermediate and that both are
// this package's CAs, and reads brand and algorithm from the root's name. The same
// values always yield the same hierarchy.
func LoadHierarchy(rootPEM, rootKeyPEM, intPEM, intKeyPEM string) (*Hierarchy, error) {
	root, err := parseOneCert(rootPEM, "root")
	if err != nil {
		return nil, err
	}
	intermediate, err := parseOneCert(intPEM, "intermediate")
	if err != nil {
		return nil, err
	}
	b, a, err := identify(root)
	if err != nil {
		return nil, err
	}
	if intermediate.Subject.CommonName != IntermediateCommonName(b, a) {
		return nil, invalidf("intermediate %q does not belong to root %q", intermediate.Subject.CommonName, root.Subject.CommonName)
	}
	if err := root.CheckSignatureFrom(root); err != nil {
		return nil, invalidf("root is not validly self-signed: %v", err)
	}
	if err := intermediate.CheckSignatureFrom(root); err != nil {
		return nil, invalidf("intermediate is not signed by the root: %v", err)
	}
	rootKey, err := ParsePrivateKeyPEM(rootKeyPEM, "")
	if err != nil {
		return nil, fmt.Errorf("root key: %w", err)
	}
	intKey, err := ParsePrivateKeyPEM(intKeyPEM, "")
	if err != nil {
		return nil, fmt.Errorf("intermediate key: %w", err)
	}
	if !samePublicKey(rootKey.Public(), root.PublicKey) {
		return nil, invalidf("the root key does not match the root certificate")
	}
	if !samePublicKey(intKey.Public(), intermediate.PublicKey) {
		return nil, invalidf("the intermediate key does not match the intermediate certificate")
	}
	id, _ := ID(b, a)
	h := &Hierarchy{
		brand: b, alg: a, id: id,
		rootPEM: certPEM(root.Raw), intPEM: certPEM(intermediate.Raw),
		root: root, intermediate: intermediate,
		rootKey: rootKey, intKey: intKey,
	}
	if h.rootKeyPEM, err = MarshalPrivateKeyPEM(rootKey, ""); err != nil {
		return nil, err
	}
	if h.intKeyPEM, err = MarshalPrivateKeyPEM(intKey, ""); err != nil {
		return nil, err
	}
	if a != AlgorithmSM2 {
		if h.intX509, err = x509.ParseCertificate(intermediate.Raw); err != nil {
			return nil, fmt.Errorf("ca: parse intermediate with crypto/x509: %w", err)
		}
	}
	return h, nil
}

// identify reads brand and algorithm from a root made by this package.
func identify(root *smx509.Certificate) (brand, alg string, err error) {
	if len(root.Subject.Organization) != 1 || root.Subject.Organization[0] != CAOrganization {
		return "", "", invalidf("certificate %q is not a %s root", root.Subject.CommonName, CAOrganization)
	}
	keyAlg, err := keyAlgorithm(root.PublicKey)
	if err != nil {
		return "", "", err
	}
	for _, b := range brands {
		if root.Subject.CommonName == RootCommonName(b, keyAlg) {
			if _, _, err := canonical(b, keyAlg); err != nil {
				return "", "", err
			}
			return b, keyAlg, nil
		}
	}
	return "", "", invalidf("root %q names no known brand and algorithm", root.Subject.CommonName)
}

// Brand returns the hierarchy's canonical brand, e.g. "TrustAsia".
func (h *Hierarchy) Brand() string { return h.brand }

// Algorithm returns the hierarchy's key algorithm: RSA, ECC or SM2.
func (h *Hierarchy) Algorithm() string { return h.alg }

// ID returns the stable CA id used in URLs, e.g. "trustasia-rsa".
func (h *Hierarchy) ID() string { return h.id }

// RootPEM returns the root certificate, PEM.
func (h *Hierarchy) RootPEM() string { return h.rootPEM }

// IntermediatePEM returns the intermediate certificate, PEM.
func (h *Hierarchy) IntermediatePEM() string { return h.intPEM }

// ChainPEM returns the intermediate then the root, PEM: the CA chain of every leaf.
func (h *Hierarchy) ChainPEM() string { return h.intPEM + h.rootPEM }

// RootKeyPEM returns the root's private key as unencrypted PKCS#8 PEM, for the caller to
// seal before storing. Never log it.
func (h *Hierarchy) RootKeyPEM() string { return h.rootKeyPEM }

// IntermediateKeyPEM returns the intermediate's private key as unencrypted PKCS#8 PEM,
// for the caller to seal before storing. Never log it.
func (h *Hierarchy) IntermediateKeyPEM() string { return h.intKeyPEM }

// Root returns the parsed root certificate (do not modify it).
func (h *Hierarchy) Root() *smx509.Certificate { return h.root }

// Intermediate returns the parsed intermediate certificate (do not modify it).
func (h *Hierarchy) Intermediate() *smx509.Certificate { return h.intermediate }

// caName is the subject of a CA of this package.
func caName(cn string) pkix.Name {
	return pkix.Name{CommonName: cn, Organization: []string{CAOrganization}}
}

// certPEM encodes a DER certificate as PEM.
func certPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// parseOneCert reads exactly one certificate from PEM.
func parseOneCert(text, what string) (*smx509.Certificate, error) {
	block, rest := pem.Decode([]byte(text))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, invalidf("%s: no CERTIFICATE PEM block", what)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, invalidf("%s: more than one PEM block", what)
	}
	c, err := smx509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, invalidf("%s: %v", what, err)
	}
	return c, nil
}

// RandomSerial returns a positive random serial number of up to 127 bits (CA/B BR
// 7.1: at least 64 bits of entropy). rand nil means crypto/rand.
func RandomSerial(rand io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	for {
		if _, err := io.ReadFull(randOrDefault(rand), b); err != nil {
			return nil, fmt.Errorf("ca: random serial: %w", err)
		}
		b[0] &= 0x7f
		if n := new(big.Int).SetBytes(b); n.BitLen() > 64 {
			return n, nil
		}
	}
}

// randOrDefault returns r, or crypto/rand when r is nil.
func randOrDefault(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// mustOID parses a dotted OID for package variables.
func mustOID(s string) smx509.OID {
	o, err := smx509.ParseOID(s)
	if err != nil {
		panic(err)
	}
	return o
}

// asn1OID builds an encoding/asn1 OID from its arcs.
func asn1OID(ints ...int) asn1.ObjectIdentifier { return asn1.ObjectIdentifier(ints) }
