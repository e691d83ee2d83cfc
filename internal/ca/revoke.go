package ca

import (
	"crypto"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

// Revocation reason codes (RFC 5280 5.3.1). 7 is not used.
const (
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonCACompromise         = 2
	ReasonAffiliationChanged   = 3
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
	ReasonCertificateHold      = 6
	ReasonRemoveFromCRL        = 8
	ReasonPrivilegeWithdrawn   = 9
	ReasonAACompromise         = 10
)

var reasonNames = map[int]string{
	ReasonUnspecified:          "unspecified",
	ReasonKeyCompromise:        "keyCompromise",
	ReasonCACompromise:         "cACompromise",
	ReasonAffiliationChanged:   "affiliationChanged",
	ReasonSuperseded:           "superseded",
	ReasonCessationOfOperation: "cessationOfOperation",
	ReasonCertificateHold:      "certificateHold",
	ReasonRemoveFromCRL:        "removeFromCRL",
	ReasonPrivilegeWithdrawn:   "privilegeWithdrawn",
	ReasonAACompromise:         "aACompromise",
}

// ReasonName returns the RFC 5280 name of a reason code ("keyCompromise"), or "" for
// an unknown code.
func ReasonName(code int) string { return reasonNames[code] }

// ParseReason reads a reason name, case- and separator-insensitively ("keyCompromise",
// "key_compromise", "KEY-COMPROMISE"), or its decimal code.
func ParseReason(s string) (int, error) {
	norm := strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	for code, name := range reasonNames {
		if strings.ToLower(name) == norm || fmt.Sprint(code) == norm {
			return code, nil
		}
	}
	return 0, invalidf("unknown revocation reason %q (want an RFC 5280 reason such as keyCompromise, superseded, cessationOfOperation)", s)
}

// RevokedEntry is one revoked certificate on a CRL.
type RevokedEntry struct {
	Serial    *big.Int
	RevokedAt time.Time
	Reason    int // RFC 5280 code; ReasonUnspecified is written as no reasonCode (RFC 5280 5.3.1)
}

// CRL returns the intermediate's CRL (DER, X.509 v2, with cRLNumber and the authority
// key identifier) listing revoked, valid from now until nextUpdate. number must grow
// with every new CRL of this CA (RFC 5280 5.2.3); the caller keeps it.
func (h *Hierarchy) CRL(revoked []RevokedEntry, now, nextUpdate time.Time, number *big.Int) ([]byte, error) {
	return signCRL(h.intermediate, h.intKey, revoked, now, nextUpdate, number)
}

// RootCRL returns the root's CRL (DER) for the intermediates it revoked; normally
// revoked is empty, as this package never revokes an intermediate.
func (h *Hierarchy) RootCRL(revoked []RevokedEntry, now, nextUpdate time.Time, number *big.Int) ([]byte, error) {
	return signCRL(h.root, h.rootKey, revoked, now, nextUpdate, number)
}

// signCRL makes and signs a CRL for issuer.
func signCRL(issuer *smx509.Certificate, key crypto.Signer, revoked []RevokedEntry, now, nextUpdate time.Time, number *big.Int) ([]byte, error) {
	if number == nil || number.Sign() < 0 || number.BitLen() > 159 {
		return nil, invalidf("CRL number must be a non-negative integer of at most 20 octets")
	}
	thisUpdate := now.UTC().Truncate(time.Second)
	next := nextUpdate.UTC().Truncate(time.Second)
	if !next.After(thisUpdate) {
		return nil, invalidf("CRL nextUpdate %s is not after thisUpdate %s", next.Format(time.RFC3339), thisUpdate.Format(time.RFC3339))
	}
	entries := make([]smx509.RevocationListEntry, 0, len(revoked))
	for _, r := range revoked {
		if r.Serial == nil || r.Serial.Sign() <= 0 {
			return nil, invalidf("revoked entry without a positive serial number")
		}
		if _, ok := reasonNames[r.Reason]; !ok {
			return nil, invalidf("revocation reason %d is not an RFC 5280 reason code", r.Reason)
		}
		if r.RevokedAt.IsZero() {
			return nil, invalidf("revoked entry %x has no revocation time", r.Serial)
		}
		entries = append(entries, smx509.RevocationListEntry{
			SerialNumber:   new(big.Int).Set(r.Serial),
			RevocationTime: r.RevokedAt.UTC().Truncate(time.Second),
			ReasonCode:     r.Reason,
		})
	}
	der, err := smx509.CreateRevocationList(rand.Reader, &smx509.RevocationList{
		Number:                    new(big.Int).Set(number),
		ThisUpdate:                thisUpdate,
		NextUpdate:                next,
		RevokedCertificateEntries: entries,
	}, issuer, key)
	if err != nil {
		return nil, fmt.Errorf("ca: sign CRL of %q: %w", issuer.Subject.CommonName, err)
	}
	return der, nil
}

// CRLPEM encodes a DER CRL as an "X509 CRL" PEM block.
func CRLPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}))
}
