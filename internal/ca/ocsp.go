package ca

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"golang.org/x/crypto/ocsp"
)

// OCSPValidity is how long an OCSP response is fresh: nextUpdate = now + OCSPValidity.
const OCSPValidity = time.Hour

// OCSPStatus is a certificate's status as the OCSP responder reports it.
type OCSPStatus int

// OCSP statuses (RFC 6960 4.2.1).
const (
	OCSPGood OCSPStatus = iota
	OCSPRevoked
	OCSPUnknown
)

// CertStatus is what the caller's store knows about one serial of this CA.
type CertStatus struct {
	Status    OCSPStatus
	RevokedAt time.Time // OCSPRevoked only
	Reason    int       // OCSPRevoked only; RFC 5280 code
}

// StatusFunc looks a serial of this CA up in the caller's store. A serial the CA never
// issued is OCSPUnknown.
type StatusFunc func(serial *big.Int) (CertStatus, error)

// OCSPResponse answers a DER OCSP request (RFC 6960) about a leaf of the intermediate,
// signed by the intermediate itself (no delegated responder), valid from now for
// OCSPValidity. A request that cannot be parsed gets the malformedRequest response and
// one about another issuer the unauthorized response, both with a nil error, as an
// OCSP responder answers them; err is non-nil only when status or signing fails.
// Nonces are not echoed. RSA and ECC responses come from golang.org/x/crypto/ocsp,
// whose producedAt is the wall clock truncated to the minute; SM2 responses
// (SM2-with-SM3, default distinguishing ID) are encoded here with producedAt = now.
func (h *Hierarchy) OCSPResponse(reqDER []byte, status StatusFunc, now time.Time) ([]byte, error) {
	req, err := ocsp.ParseRequest(reqDER)
	if err != nil {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	if !h.isIssuerOf(req) {
		return ocsp.UnauthorizedErrorResponse, nil
	}
	if req.SerialNumber == nil || req.SerialNumber.Sign() <= 0 {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	st, err := status(new(big.Int).Set(req.SerialNumber))
	if err != nil {
		return nil, fmt.Errorf("ca: OCSP status of serial %x: %w", req.SerialNumber, err)
	}
	thisUpdate := now.UTC().Truncate(time.Second)
	tmpl := ocsp.Response{
		SerialNumber: req.SerialNumber,
		ThisUpdate:   thisUpdate,
		NextUpdate:   thisUpdate.Add(OCSPValidity),
		IssuerHash:   req.HashAlgorithm,
	}
	switch st.Status {
	case OCSPGood:
		tmpl.Status = ocsp.Good
	case OCSPRevoked:
		if _, ok := reasonNames[st.Reason]; !ok {
			return nil, invalidf("revocation reason %d is not an RFC 5280 reason code", st.Reason)
		}
		if st.RevokedAt.IsZero() {
			return nil, invalidf("revoked serial %x has no revocation time", req.SerialNumber)
		}
		tmpl.Status = ocsp.Revoked
		tmpl.RevokedAt = st.RevokedAt.UTC().Truncate(time.Second)
		tmpl.RevocationReason = st.Reason
	case OCSPUnknown:
		tmpl.Status = ocsp.Unknown
	default:
		return nil, fmt.Errorf("ca: unknown OCSP status %d", st.Status)
	}
	if h.alg == AlgorithmSM2 {
		return h.sm2OCSPResponse(tmpl, thisUpdate)
	}
	resp, err := ocsp.CreateResponse(h.intX509, h.intX509, tmpl, h.intKey)
	if err != nil {
		return nil, fmt.Errorf("ca: sign OCSP response: %w", err)
	}
	return resp, nil
}

// isIssuerOf reports whether an OCSP request names this hierarchy's intermediate.
func (h *Hierarchy) isIssuerOf(req *ocsp.Request) bool {
	if !req.HashAlgorithm.Available() {
		return false
	}
	nameHash, keyHash, err := issuerHashes(h.intermediate.RawSubject, h.intermediate.RawSubjectPublicKeyInfo, req.HashAlgorithm)
	if err != nil {
		return false
	}
	return bytes.Equal(nameHash, req.IssuerNameHash) && bytes.Equal(keyHash, req.IssuerKeyHash)
}

// issuerHashes returns the CertID hashes (RFC 6960 4.1.1) of an issuer.
func issuerHashes(rawSubject, rawSPKI []byte, hash crypto.Hash) (nameHash, keyHash []byte, err error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(rawSPKI, &spki); err != nil {
		return nil, nil, err
	}
	h := hash.New()
	h.Write(rawSubject)
	nameHash = h.Sum(nil)
	h.Reset()
	h.Write(spki.PublicKey.RightAlign())
	return nameHash, h.Sum(nil), nil
}

// OCSP ASN.1 structures (RFC 6960 4.2.1), as golang.org/x/crypto/ocsp encodes them.
type (
	ocspCertID struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		NameHash      []byte
		IssuerKeyHash []byte
		SerialNumber  *big.Int
	}
	ocspResponseASN1 struct {
		Status   asn1.Enumerated
		Response ocspResponseBytes `asn1:"explicit,tag:0,optional"`
	}
	ocspResponseBytes struct {
		ResponseType asn1.ObjectIdentifier
		Response     []byte
	}
	ocspBasicResponse struct {
		TBSResponseData    asn1.RawValue
		SignatureAlgorithm pkix.AlgorithmIdentifier
		Signature          asn1.BitString
	}
	ocspResponseData struct {
		Version        int `asn1:"optional,default:0,explicit,tag:0"`
		RawResponderID asn1.RawValue
		ProducedAt     time.Time `asn1:"generalized"`
		Responses      []ocspSingleResponse
	}
	ocspSingleResponse struct {
		CertID     ocspCertID
		Good       asn1.Flag       `asn1:"tag:0,optional"`
		Revoked    ocspRevokedInfo `asn1:"tag:1,optional"`
		Unknown    asn1.Flag       `asn1:"tag:2,optional"`
		ThisUpdate time.Time       `asn1:"generalized"`
		NextUpdate time.Time       `asn1:"generalized,explicit,tag:0,optional"`
	}
	ocspRevokedInfo struct {
		RevocationTime time.Time       `asn1:"generalized"`
		Reason         asn1.Enumerated `asn1:"explicit,tag:0,optional"`
	}
)

var (
	oidOCSPBasic           = asn1OID(1, 3, 6, 1, 5, 5, 7, 48, 1, 1)
	oidSignatureSM2WithSM3 = asn1OID(1, 2, 156, 10197, 1, 501)
	ocspHashOIDs           = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   asn1OID(1, 3, 14, 3, 2, 26),
		crypto.SHA256: asn1OID(2, 16, 840, 1, 101, 3, 4, 2, 1),
		crypto.SHA384: asn1OID(2, 16, 840, 1, 101, 3, 4, 2, 2),
		crypto.SHA512: asn1OID(2, 16, 840, 1, 101, 3, 4, 2, 3),
	}
)

// sm2OCSPResponse encodes and signs (SM2-with-SM3) a basic OCSP response, because
// golang.org/x/crypto/ocsp only signs with RSA and NIST-curve ECDSA keys.
func (h *Hierarchy) sm2OCSPResponse(t ocsp.Response, producedAt time.Time) ([]byte, error) {
	hashOID, ok := ocspHashOIDs[t.IssuerHash]
	if !ok {
		return nil, fmt.Errorf("ca: unsupported OCSP issuer hash %v", t.IssuerHash)
	}
	nameHash, keyHash, err := issuerHashes(h.intermediate.RawSubject, h.intermediate.RawSubjectPublicKeyInfo, t.IssuerHash)
	if err != nil {
		return nil, err
	}
	single := ocspSingleResponse{
		CertID: ocspCertID{
			HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: hashOID, Parameters: asn1.NullRawValue},
			NameHash:      nameHash,
			IssuerKeyHash: keyHash,
			SerialNumber:  t.SerialNumber,
		},
		ThisUpdate: t.ThisUpdate.UTC(),
		NextUpdate: t.NextUpdate.UTC(),
	}
	switch t.Status {
	case ocsp.Good:
		single.Good = true
	case ocsp.Unknown:
		single.Unknown = true
	case ocsp.Revoked:
		single.Revoked = ocspRevokedInfo{RevocationTime: t.RevokedAt.UTC(), Reason: asn1.Enumerated(t.RevocationReason)}
	}
	tbs, err := asn1.Marshal(ocspResponseData{
		RawResponderID: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: h.intermediate.RawSubject},
		ProducedAt:     producedAt.UTC(),
		Responses:      []ocspSingleResponse{single},
	})
	if err != nil {
		return nil, fmt.Errorf("ca: encode OCSP response: %w", err)
	}
	sig, err := h.intKey.Sign(rand.Reader, tbs, sm2.DefaultSM2SignerOpts)
	if err != nil {
		return nil, fmt.Errorf("ca: sign OCSP response: %w", err)
	}
	basic, err := asn1.Marshal(ocspBasicResponse{
		TBSResponseData:    asn1.RawValue{FullBytes: tbs},
		SignatureAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidSignatureSM2WithSM3},
		Signature:          asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
	if err != nil {
		return nil, fmt.Errorf("ca: encode OCSP response: %w", err)
	}
	return asn1.Marshal(ocspResponseASN1{
		Status:   asn1.Enumerated(ocsp.Success),
		Response: ocspResponseBytes{ResponseType: oidOCSPBasic, Response: basic},
	})
}
