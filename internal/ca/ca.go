// Package ca implements the bundled backend's issuing authorities: per brand and key
// algorithm a private root and an intermediate (DESIGN.md, "The CA, honestly"), leaf
// issuance with the DV/OV/EV profiles, SM2 signature + encryption pairs, and revocation
// through signed CRLs and OCSP responses (rule R3).
//
// The package is pure and storage-agnostic: it hands out PEM/DER values and private
// keys for the caller to persist (and seal), and rebuilds authorities from those values
// with LoadHierarchy. It never reads the clock: every time is a parameter.
package ca

import (
	"errors"
	"fmt"
	"strings"
)

// Brands as the provider and the service name them (DESIGN.md, ssl_certificate.brand).
const (
	BrandSecureSite = "SecureSite"
	BrandGeoTrust   = "GeoTrust"
	BrandTrustAsia  = "TrustAsia"
	BrandGlobalSign = "GlobalSign"
	BrandWoTrus     = "WoTrus"
	BrandDNSPod     = "DNSPod"
)

// Key algorithms as the provider and the service name them (same spelling as package certs).
const (
	AlgorithmRSA = "RSA"
	AlgorithmECC = "ECC"
	AlgorithmSM2 = "SM2"
)

// Validation levels of a leaf; each maps to its CA/Browser Forum policy OID.
const (
	LevelDV = "DV"
	LevelOV = "OV"
	LevelEV = "EV"
)

// CAOrganization is the subject's O of every CA this package makes, so no root can be
// mistaken for the public CA whose brand it carries.
const CAOrganization = "terraform-provider-ssl private CA"

// nameSuffix ends every CA common name.
const nameSuffix = " — ssl private CA"

// ErrInvalidRequest is wrapped by every error caused by the caller's input (unknown
// brand, unsupported algorithm, bad domain, missing organization field, …), so the
// service can tell a user mistake from an internal failure with errors.Is.
var ErrInvalidRequest = errors.New("invalid request")

// invalidf returns an error that wraps ErrInvalidRequest.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("ca: %w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
}

var brands = []string{BrandSecureSite, BrandGeoTrust, BrandTrustAsia, BrandGlobalSign, BrandWoTrus, BrandDNSPod}

// Brands returns every brand, in catalogue order.
func Brands() []string { return append([]string(nil), brands...) }

// Algorithms returns the key algorithms a brand issues: RSA and ECC for all, SM2 also
// for DNSPod and WoTrus. An unknown brand has none.
func Algorithms(brand string) []string {
	b, ok := canonicalBrand(brand)
	if !ok {
		return nil
	}
	if b == BrandDNSPod || b == BrandWoTrus {
		return []string{AlgorithmRSA, AlgorithmECC, AlgorithmSM2}
	}
	return []string{AlgorithmRSA, AlgorithmECC}
}

// Supports reports whether brand issues certificates with key algorithm alg.
func Supports(brand, alg string) bool {
	_, _, err := canonical(brand, alg)
	return err == nil
}

// canonicalBrand matches a brand case-insensitively and returns its canonical spelling.
func canonicalBrand(brand string) (string, bool) {
	for _, b := range brands {
		if strings.EqualFold(b, strings.TrimSpace(brand)) {
			return b, true
		}
	}
	return "", false
}

// canonical checks a brand and algorithm and returns their canonical spellings.
func canonical(brand, alg string) (string, string, error) {
	b, ok := canonicalBrand(brand)
	if !ok {
		return "", "", invalidf("unknown brand %q (want one of %s)", brand, strings.Join(brands, ", "))
	}
	a := strings.ToUpper(strings.TrimSpace(alg))
	switch a {
	case AlgorithmRSA, AlgorithmECC:
	case AlgorithmSM2:
		if b != BrandDNSPod && b != BrandWoTrus {
			return "", "", invalidf("brand %s does not issue SM2 certificates (only DNSPod and WoTrus do)", b)
		}
	default:
		return "", "", invalidf("unknown key algorithm %q (want RSA, ECC or SM2)", alg)
	}
	return b, a, nil
}

// ID returns the stable id of the issuing CA of a brand and algorithm, as used in URLs:
// lower-case "brand-alg", e.g. "trustasia-rsa", "dnspod-sm2".
func ID(brand, alg string) (string, error) {
	b, a, err := canonical(brand, alg)
	if err != nil {
		return "", err
	}
	return strings.ToLower(b + "-" + a), nil
}

// ParseID splits a CA id made by ID back into its canonical brand and algorithm.
func ParseID(id string) (brand, alg string, err error) {
	b, a, ok := strings.Cut(id, "-")
	if !ok {
		return "", "", invalidf("malformed CA id %q (want brand-algorithm, e.g. trustasia-rsa)", id)
	}
	return canonical(b, a)
}

// RootCommonName is the subject CN of a brand's root, e.g.
// "TrustAsia RSA Root — ssl private CA".
func RootCommonName(brand, alg string) string {
	return brand + " " + alg + " Root" + nameSuffix
}

// IntermediateCommonName is the subject CN of a brand's issuing intermediate, e.g.
// "TrustAsia RSA DV/OV/EV Intermediate — ssl private CA".
func IntermediateCommonName(brand, alg string) string {
	return brand + " " + alg + " DV/OV/EV Intermediate" + nameSuffix
}

// URL paths under the backend's public_url; the API serves them (DESIGN.md).
const (
	// PathCRL is the CRL distribution point of an issuing CA ({id} from ID): DER CRL.
	PathCRL = "/v1/ca/{id}/crl"
	// PathOCSP is the OCSP responder of an issuing CA: POST body or GET path (RFC 6960 A.1).
	PathOCSP = "/v1/ca/{id}/ocsp"
	// PathIssuer is the AIA caIssuers location: the intermediate, DER.
	PathIssuer = "/v1/ca/{id}/issuer.crt"
)

// CRLURL returns the CRL distribution point URL of CA id under publicURL.
func CRLURL(publicURL, id string) string { return joinURL(publicURL, PathCRL, id) }

// OCSPURL returns the OCSP responder URL of CA id under publicURL.
func OCSPURL(publicURL, id string) string { return joinURL(publicURL, PathOCSP, id) }

// IssuerURL returns the caIssuers URL (the intermediate, DER) of CA id under publicURL.
func IssuerURL(publicURL, id string) string { return joinURL(publicURL, PathIssuer, id) }

// joinURL puts path (with {id} replaced) under base.
func joinURL(base, path, id string) string {
	return strings.TrimRight(base, "/") + strings.Replace(path, "{id}", id, 1)
}
