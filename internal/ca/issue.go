package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
)

// CA/Browser Forum reserved policy identifiers (BR 7.1.6.1), one per validation level.
var (
	OIDPolicyDV = mustOID("2.23.140.1.2.1")
	OIDPolicyOV = mustOID("2.23.140.1.2.2")
	OIDPolicyEV = mustOID("2.23.140.1.1")
)

// Subject attribute types of EV certificates (CA/B EV Guidelines 9.2).
var (
	oidBusinessCategory     = asn1OID(2, 5, 4, 15)
	oidJurisdictionLocality = asn1OID(1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 1)
	oidJurisdictionProvince = asn1OID(1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 2)
	oidJurisdictionCountry  = asn1OID(1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3)
)

// Purposes of a leaf. Only SM2 leaves can be encryption certificates (GB/T 38636).
const (
	// PurposeSignature is the default: the TLS server's signing certificate.
	PurposeSignature = "signature"
	// PurposeEncryption is the SM2 encryption certificate of a signature/encryption pair.
	PurposeEncryption = "encryption"
)

// EV business categories (CA/B EV Guidelines 7.1.4.1).
var businessCategories = []string{"Private Organization", "Government Entity", "Business Entity", "Non-Commercial Entity"}

// Organization is the subject information of an OV or EV certificate.
type Organization struct {
	Name          string // O — required for OV and EV
	Country       string // C, ISO 3166-1 alpha-2 — required for OV and EV
	Province      string // ST — Province or Locality required for OV and EV
	Locality      string // L
	StreetAddress string // optional
	PostalCode    string // optional

	// EV only (CA/B EV Guidelines 9.2).
	SerialNumber         string // registration number — required for EV
	BusinessCategory     string // "Private Organization", "Government Entity", "Business Entity" or "Non-Commercial Entity" — required for EV
	JurisdictionCountry  string // jurisdiction of incorporation, alpha-2 — required for EV
	JurisdictionProvince string // optional
	JurisdictionLocality string // optional
}

// LeafRequest asks an intermediate for a server certificate. Exactly one of PublicKey
// and CSRPEM is set; with a CSR only its key is used (after checking its signature):
// the names and organization always come from the request, which the service has
// validated.
type LeafRequest struct {
	// PublicKey is the subject key: *rsa.PublicKey, *ecdsa.PublicKey (NIST curve or the
	// SM2 curve), or the private key itself (*rsa.PrivateKey, *ecdsa.PrivateKey,
	// *sm2.PrivateKey). Its algorithm must be the hierarchy's.
	PublicKey crypto.PublicKey
	// CSRPEM is a PKCS#10 "CERTIFICATE REQUEST" PEM; SM2 CSRs signed with the default or
	// the empty distinguishing ID are both accepted (DESIGN.md).
	CSRPEM string
	// CommonName is the subject CN, normally the domain; "" means DNSNames[0]. It is
	// always put among the SANs.
	CommonName string
	// DNSNames are the SANs; "*.example.com" wildcards are allowed.
	DNSNames []string
	// ValidationLevel is DV, OV or EV; "" means DV.
	ValidationLevel string
	// Organization is required for OV and EV, refused for DV.
	Organization *Organization
	// NotBefore and NotAfter bound the validity; both required and inside the
	// intermediate's validity.
	NotBefore, NotAfter time.Time
	// SerialNumber is the caller's (positive, unique per CA); nil draws a random one.
	SerialNumber *big.Int
	// PublicURL is the backend's public_url; it roots the CRL distribution point, the
	// OCSP responder and caIssuers URLs (CRLURL, OCSPURL, IssuerURL). Required.
	PublicURL string
	// Purpose is PurposeSignature ("" too) or, for SM2, PurposeEncryption.
	Purpose string
}

// Leaf is an issued certificate with its CA chain.
type Leaf struct {
	CertificatePEM string    // the leaf, PEM
	ChainPEM       string    // the intermediate then the root, PEM
	FullChainPEM   string    // CertificatePEM + ChainPEM
	DER            []byte    // the leaf, DER
	SerialNumber   *big.Int  // the leaf's serial
	NotBefore      time.Time // the leaf's notBefore (UTC, whole seconds)
	NotAfter       time.Time // the leaf's notAfter (UTC, whole seconds)
	Purpose        string    // PurposeSignature or PurposeEncryption
	CAID           string    // the issuing CA's id, e.g. "trustasia-rsa"
}

// Issue signs a leaf certificate with the intermediate: serverAuth, the SANs, the key
// usage of the algorithm and purpose (RSA: digitalSignature+keyEncipherment; ECDSA and
// SM2 signature: digitalSignature; SM2 encryption: keyEncipherment+dataEncipherment+
// keyAgreement), the CA/B policy OID of the level, the organization for OV/EV, a CRL
// distribution point and AIA (OCSP, caIssuers) under PublicURL. Errors caused by the
// request wrap ErrInvalidRequest.
func (h *Hierarchy) Issue(req LeafRequest) (*Leaf, error) {
	pub, err := requestPublicKey(req)
	if err != nil {
		return nil, err
	}
	return h.issue(req, pub)
}

// issue signs a leaf for pub.
func (h *Hierarchy) issue(req LeafRequest, pub crypto.PublicKey) (*Leaf, error) {
	alg, err := keyAlgorithm(pub)
	if err != nil {
		return nil, err
	}
	if alg != h.alg {
		return nil, invalidf("a %s key cannot be certified by the %s CA %s (use the %s hierarchy)", alg, h.alg, h.id, alg)
	}
	purpose := strings.ToLower(strings.TrimSpace(req.Purpose))
	var ku smx509.KeyUsage
	switch {
	case purpose == "" || purpose == PurposeSignature:
		purpose = PurposeSignature
		ku = smx509.KeyUsageDigitalSignature
		if alg == AlgorithmRSA {
			ku |= smx509.KeyUsageKeyEncipherment
		}
	case purpose == PurposeEncryption && alg == AlgorithmSM2:
		ku = smx509.KeyUsageKeyEncipherment | smx509.KeyUsageDataEncipherment | smx509.KeyUsageKeyAgreement
	case purpose == PurposeEncryption:
		return nil, invalidf("only SM2 certificates have an encryption purpose")
	default:
		return nil, invalidf("unknown certificate purpose %q (want signature or encryption)", req.Purpose)
	}
	cn, sans, err := normalizeNames(req.CommonName, req.DNSNames)
	if err != nil {
		return nil, err
	}
	level, policy, err := levelPolicy(req.ValidationLevel)
	if err != nil {
		return nil, err
	}
	subject, err := leafSubject(cn, level, req.Organization)
	if err != nil {
		return nil, err
	}
	base, err := checkPublicURL(req.PublicURL)
	if err != nil {
		return nil, err
	}
	notBefore, notAfter := req.NotBefore.UTC().Truncate(time.Second), req.NotAfter.UTC().Truncate(time.Second)
	switch {
	case req.NotBefore.IsZero() || req.NotAfter.IsZero():
		return nil, invalidf("notBefore and notAfter are required")
	case !notAfter.After(notBefore):
		return nil, invalidf("notAfter %s is not after notBefore %s", notAfter.Format(time.RFC3339), notBefore.Format(time.RFC3339))
	case notBefore.Before(h.intermediate.NotBefore) || notAfter.After(h.intermediate.NotAfter):
		return nil, invalidf("validity %s – %s is outside the validity of CA %s (%s – %s)",
			notBefore.Format(time.RFC3339), notAfter.Format(time.RFC3339), h.id,
			h.intermediate.NotBefore.Format(time.RFC3339), h.intermediate.NotAfter.Format(time.RFC3339))
	}
	serial := req.SerialNumber
	if serial == nil {
		if serial, err = RandomSerial(nil); err != nil {
			return nil, err
		}
	} else if serial.Sign() <= 0 || serial.BitLen() > 159 {
		return nil, invalidf("serial number must be positive and at most 20 octets")
	}
	tmpl := &smx509.Certificate{
		SerialNumber:          new(big.Int).Set(serial),
		Subject:               subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              ku,
		ExtKeyUsage:           []smx509.ExtKeyUsage{smx509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  false,
		DNSNames:              sans,
		Policies:              []smx509.OID{policy},
		CRLDistributionPoints: []string{CRLURL(base, h.id)},
		OCSPServer:            []string{OCSPURL(base, h.id)},
		IssuingCertificateURL: []string{IssuerURL(base, h.id)},
	}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, h.intermediate, pub, h.intKey)
	if err != nil {
		return nil, fmt.Errorf("ca: sign leaf for %s: %w", cn, err)
	}
	leafPEM := certPEM(der)
	chain := h.ChainPEM()
	return &Leaf{
		CertificatePEM: leafPEM,
		ChainPEM:       chain,
		FullChainPEM:   leafPEM + chain,
		DER:            der,
		SerialNumber:   new(big.Int).Set(serial),
		NotBefore:      notBefore,
		NotAfter:       notAfter,
		Purpose:        purpose,
		CAID:           h.id,
	}, nil
}

// SM2PairRequest asks an SM2 hierarchy for a signature certificate and an encryption
// certificate for the same names (GB/T 38636 practice).
type SM2PairRequest struct {
	// LeafRequest describes the signature certificate (its Purpose is ignored); the
	// encryption certificate copies its names, level, organization and validity.
	LeafRequest
	// EncryptionPublicKey is the encryption certificate's SM2 key, distinct from the
	// signature key. nil makes IssueSM2Pair generate it, as the CA's key management
	// centre does, and return it in SM2Pair.EncryptionKey.
	EncryptionPublicKey crypto.PublicKey
	// EncryptionSerialNumber is the encryption certificate's serial; nil draws one.
	EncryptionSerialNumber *big.Int
}

// SM2Pair is the result of IssueSM2Pair.
type SM2Pair struct {
	Signature  *Leaf // digitalSignature
	Encryption *Leaf // keyEncipherment, dataEncipherment, keyAgreement
	// EncryptionKey is the generated encryption private key (*sm2.PrivateKey), or nil
	// when the request brought EncryptionPublicKey. Seal it before storing.
	EncryptionKey crypto.Signer
}

// IssueSM2Pair issues an SM2 signature certificate and an SM2 encryption certificate,
// each for its own key. Only SM2 hierarchies (DNSPod, WoTrus) issue pairs.
func (h *Hierarchy) IssueSM2Pair(req SM2PairRequest) (*SM2Pair, error) {
	if h.alg != AlgorithmSM2 {
		return nil, invalidf("CA %s is not an SM2 CA; only SM2 CAs issue signature/encryption pairs", h.id)
	}
	sigPub, err := requestPublicKey(req.LeafRequest)
	if err != nil {
		return nil, err
	}
	out := &SM2Pair{}
	encPub := normalizePublicKey(req.EncryptionPublicKey)
	if encPub == nil {
		key, err := GenerateKey(AlgorithmSM2, 256)
		if err != nil {
			return nil, err
		}
		out.EncryptionKey, encPub = key, key.Public()
	}
	if samePublicKey(sigPub, encPub) {
		return nil, invalidf("the encryption certificate needs its own key, distinct from the signature key")
	}
	sigReq := req.LeafRequest
	sigReq.Purpose = PurposeSignature
	if out.Signature, err = h.issue(sigReq, sigPub); err != nil {
		return nil, err
	}
	encReq := req.LeafRequest
	encReq.CSRPEM, encReq.PublicKey = "", nil
	encReq.Purpose = PurposeEncryption
	encReq.SerialNumber = req.EncryptionSerialNumber
	if encReq.SerialNumber != nil && req.SerialNumber != nil && encReq.SerialNumber.Cmp(req.SerialNumber) == 0 {
		return nil, invalidf("the encryption certificate needs its own serial number")
	}
	if out.Encryption, err = h.issue(encReq, encPub); err != nil {
		return nil, fmt.Errorf("encryption certificate: %w", err)
	}
	return out, nil
}

// requestPublicKey returns the subject key of a request, from PublicKey or a CSR.
func requestPublicKey(req LeafRequest) (crypto.PublicKey, error) {
	switch {
	case req.PublicKey != nil && strings.TrimSpace(req.CSRPEM) != "":
		return nil, invalidf("give either a public key or a CSR, not both")
	case req.PublicKey != nil:
		return normalizePublicKey(req.PublicKey), nil
	case strings.TrimSpace(req.CSRPEM) != "":
		csr, err := ParseCSR(req.CSRPEM)
		if err != nil {
			return nil, err
		}
		return csr.PublicKey, nil
	}
	return nil, invalidf("a public key or a CSR is required")
}

// ParseCSR reads a PKCS#10 CSR PEM and checks its signature; an SM2 CSR may be signed
// with the default distinguishing ID (1234567812345678) or the empty one (OpenSSL 3).
func ParseCSR(pemText string) (*smx509.CertificateRequest, error) {
	rest := []byte(pemText)
	var block *pem.Block
	for {
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, invalidf("csr: no CERTIFICATE REQUEST PEM block found")
		}
		if block.Type == "CERTIFICATE REQUEST" || block.Type == "NEW CERTIFICATE REQUEST" {
			break
		}
	}
	csr, err := smx509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, invalidf("csr: %v", err)
	}
	if err := csr.CheckSignature(); err != nil {
		pub, ok := csr.PublicKey.(*ecdsa.PublicKey)
		if !ok || !sm2.IsSM2PublicKey(pub) || !certs.VerifySM2Signature(pub, csr.RawTBSCertificateRequest, csr.Signature) {
			return nil, invalidf("csr: the signature does not verify: %v", err)
		}
	}
	if _, err := keyAlgorithm(csr.PublicKey); err != nil {
		return nil, fmt.Errorf("csr: %w", err)
	}
	return csr, nil
}

// levelPolicy maps a validation level to its canonical name and policy OID.
func levelPolicy(level string) (string, smx509.OID, error) {
	switch strings.ToUpper(strings.TrimSpace(level)) {
	case "", LevelDV:
		return LevelDV, OIDPolicyDV, nil
	case LevelOV:
		return LevelOV, OIDPolicyOV, nil
	case LevelEV:
		return LevelEV, OIDPolicyEV, nil
	}
	return "", smx509.OID{}, invalidf("unknown validation level %q (want DV, OV or EV)", level)
}

// leafSubject builds the subject of a leaf and checks the organization fields.
func leafSubject(cn, level string, org *Organization) (pkix.Name, error) {
	name := pkix.Name{CommonName: cn}
	if level == LevelDV {
		if org != nil && *org != (Organization{}) {
			return name, invalidf("DV certificates carry no organization; remove it or ask for OV or EV")
		}
		return name, nil
	}
	if org == nil {
		return name, invalidf("%s certificates need the organization (name, country, province or locality)", level)
	}
	o := trimOrganization(*org)
	var missing []string
	if o.Name == "" {
		missing = append(missing, "name")
	}
	if o.Country == "" {
		missing = append(missing, "country")
	}
	if o.Province == "" && o.Locality == "" {
		missing = append(missing, "province or locality")
	}
	if level == LevelEV {
		if o.SerialNumber == "" {
			missing = append(missing, "serial number (registration number)")
		}
		if o.BusinessCategory == "" {
			missing = append(missing, "business category")
		}
		if o.JurisdictionCountry == "" {
			missing = append(missing, "jurisdiction country")
		}
	}
	if len(missing) > 0 {
		return name, invalidf("%s certificates need the organization's %s", level, strings.Join(missing, ", "))
	}
	for _, c := range []struct{ field, v string }{{"country", o.Country}, {"jurisdiction country", o.JurisdictionCountry}} {
		if c.v != "" && !isAlpha2(c.v) {
			return name, invalidf("organization %s %q is not a two-letter ISO 3166-1 code", c.field, c.v)
		}
	}
	name.Organization = []string{o.Name}
	name.Country = []string{strings.ToUpper(o.Country)}
	name.Province = nonEmpty(o.Province)
	name.Locality = nonEmpty(o.Locality)
	name.StreetAddress = nonEmpty(o.StreetAddress)
	name.PostalCode = nonEmpty(o.PostalCode)
	if level != LevelEV {
		return name, nil
	}
	category := ""
	for _, c := range businessCategories {
		if strings.EqualFold(c, o.BusinessCategory) {
			category = c
		}
	}
	if category == "" {
		return name, invalidf("EV business category %q is not one of %s", o.BusinessCategory, strings.Join(businessCategories, ", "))
	}
	name.SerialNumber = o.SerialNumber
	name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oidBusinessCategory, Value: category})
	for _, j := range []struct {
		oid asn1.ObjectIdentifier
		v   string
	}{
		{oidJurisdictionCountry, strings.ToUpper(o.JurisdictionCountry)},
		{oidJurisdictionProvince, o.JurisdictionProvince},
		{oidJurisdictionLocality, o.JurisdictionLocality},
	} {
		if j.v != "" {
			name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: j.oid, Value: j.v})
		}
	}
	return name, nil
}

// trimOrganization trims the spaces around every field.
func trimOrganization(o Organization) Organization {
	for _, f := range []*string{&o.Name, &o.Country, &o.Province, &o.Locality, &o.StreetAddress, &o.PostalCode,
		&o.SerialNumber, &o.BusinessCategory, &o.JurisdictionCountry, &o.JurisdictionProvince, &o.JurisdictionLocality} {
		*f = strings.TrimSpace(*f)
	}
	return o
}

// nonEmpty returns []string{s}, or nil for "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// isAlpha2 reports whether s is two ASCII letters.
func isAlpha2(s string) bool {
	return len(s) == 2 && isLetter(s[0]) && isLetter(s[1])
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// normalizeNames checks the domain names, lower-cases them and returns the CN and
// the SANs (CN first, no duplicates).
func normalizeNames(cn string, dnsNames []string) (string, []string, error) {
	var sans []string
	seen := map[string]bool{}
	add := func(raw string) error {
		n, err := NormalizeDNSName(raw)
		if err != nil {
			return err
		}
		if !seen[n] {
			seen[n] = true
			sans = append(sans, n)
		}
		return nil
	}
	if strings.TrimSpace(cn) == "" {
		if len(dnsNames) == 0 {
			return "", nil, invalidf("a domain (common name or DNS names) is required")
		}
		cn = dnsNames[0]
	}
	if err := add(cn); err != nil {
		return "", nil, err
	}
	cn = sans[0]
	if len(cn) > 64 {
		return "", nil, invalidf("domain %q is longer than the 64 characters a common name may have", cn)
	}
	for _, n := range dnsNames {
		if err := add(n); err != nil {
			return "", nil, err
		}
	}
	return cn, sans, nil
}

// NormalizeDNSName checks a DNS name for a certificate and returns it lower-cased
// without a trailing dot: LDH labels of 1–63 characters (IDNs in their xn-- form), at
// least two labels, and "*" only as the whole left-most label of a name with at least
// two more labels. IP addresses are refused.
func NormalizeDNSName(name string) (string, error) {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	if n == "" {
		return "", invalidf("empty domain name")
	}
	if len(n) > 253 {
		return "", invalidf("domain %q is longer than 253 characters", name)
	}
	labels := strings.Split(n, ".")
	if len(labels) < 2 {
		return "", invalidf("domain %q needs at least two labels (e.g. example.com)", name)
	}
	allNumeric := true
	for i, l := range labels {
		if l == "*" && i == 0 {
			if len(labels) < 3 {
				return "", invalidf("wildcard %q must cover a registered domain, e.g. *.example.com", name)
			}
			continue
		}
		if l == "" || len(l) > 63 {
			return "", invalidf("domain %q has an empty or over-long label", name)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", invalidf("domain %q has a label that starts or ends with a hyphen", name)
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z':
				allNumeric = false
			case c == '-':
				allNumeric = false
			case c == '*':
				return "", invalidf("domain %q: a wildcard must be the whole left-most label (*.example.com)", name)
			default:
				return "", invalidf("domain %q has the character %q; use letters, digits and hyphens (IDNs as xn--)", name, c)
			}
		}
	}
	if allNumeric {
		return "", invalidf("%q looks like an IP address; only domain names are certified", name)
	}
	return n, nil
}

// checkPublicURL checks the backend's public URL and returns it without a trailing slash.
func checkPublicURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalidf("the backend public URL is required: it roots the CRL and OCSP URLs")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", invalidf("the backend public URL %q must be an absolute http(s) URL without query", s)
	}
	return strings.TrimRight(s, "/"), nil
}
