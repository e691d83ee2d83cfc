package ca

import (
	"crypto"
	"crypto/x509"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"
	"golang.org/x/crypto/ocsp"
)

// issueTestLeaf issues a DV leaf for www.example.com on h.
func issueTestLeaf(t *testing.T, h *Hierarchy, keyName string) *Leaf {
	t.Helper()
	size := map[string]int{AlgorithmRSA: 2048, AlgorithmECC: 256, AlgorithmSM2: 256}[h.Algorithm()]
	nb, na := leafValidity()
	leaf, err := h.Issue(LeafRequest{PublicKey: testKey(t, h.Algorithm(), size, keyName).Public(), CommonName: "www.example.com",
		NotBefore: nb, NotAfter: na, PublicURL: testPublicURL})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return leaf
}

func TestCRL(t *testing.T) {
	for _, p := range [][2]string{{BrandTrustAsia, AlgorithmRSA}, {BrandGlobalSign, AlgorithmECC}, {BrandDNSPod, AlgorithmSM2}} {
		h := testHierarchy(t, p[0], p[1])
		t.Run("ok/"+strings.ToLower(p[1])+" crl lists the revoked serial and its signature checks", func(t *testing.T) {
			revokedLeaf := issueTestLeaf(t, h, "a")
			goodLeaf := issueTestLeaf(t, h, "a")
			revokedAt := testNow.Add(time.Minute)
			der, err := h.CRL([]RevokedEntry{
				{Serial: revokedLeaf.SerialNumber, RevokedAt: revokedAt, Reason: ReasonKeyCompromise},
				{Serial: big.NewInt(77), RevokedAt: revokedAt, Reason: ReasonUnspecified},
			}, testNow.Add(2*time.Minute), testNow.Add(26*time.Hour), big.NewInt(42))
			if err != nil {
				t.Fatalf("CRL: %v", err)
			}
			crl, err := smx509.ParseRevocationList(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := crl.CheckSignatureFrom(h.Intermediate()); err != nil {
				t.Fatalf("CRL signature: %v", err)
			}
			if err := crl.CheckSignatureFrom(h.Root()); err == nil {
				t.Fatal("intermediate CRL verifies under the root")
			}
			if crl.Number.Int64() != 42 || !crl.NextUpdate.Equal(testNow.Add(26*time.Hour)) {
				t.Errorf("number %v nextUpdate %v", crl.Number, crl.NextUpdate)
			}
			got := map[string]int{}
			for _, e := range crl.RevokedCertificateEntries {
				got[e.SerialNumber.String()] = e.ReasonCode
				if !e.RevocationTime.Equal(revokedAt) {
					t.Errorf("revocation time %v", e.RevocationTime)
				}
			}
			if r, ok := got[revokedLeaf.SerialNumber.String()]; !ok || r != ReasonKeyCompromise {
				t.Errorf("revoked serial missing or reason %d: %v", r, got)
			}
			if _, ok := got[goodLeaf.SerialNumber.String()]; ok {
				t.Error("good serial listed")
			}
			if h.Algorithm() != AlgorithmSM2 {
				// crypto/x509 agrees.
				std, err := x509.ParseRevocationList(der)
				if err != nil {
					t.Fatal(err)
				}
				if err := std.CheckSignatureFrom(mustX509(t, h.Intermediate().Raw)); err != nil {
					t.Fatalf("x509 CRL signature: %v", err)
				}
			}
			if !strings.HasPrefix(CRLPEM(der), "-----BEGIN X509 CRL-----") {
				t.Error("CRLPEM")
			}
		})
		t.Run("ok/"+strings.ToLower(p[1])+" root crl is empty and signed by the root", func(t *testing.T) {
			der, err := h.RootCRL(nil, testNow, testNow.Add(7*24*time.Hour), big.NewInt(1))
			if err != nil {
				t.Fatal(err)
			}
			crl, err := smx509.ParseRevocationList(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := crl.CheckSignatureFrom(h.Root()); err != nil || len(crl.RevokedCertificateEntries) != 0 {
				t.Fatalf("root CRL: %v, %d entries", err, len(crl.RevokedCertificateEntries))
			}
		})
	}
	h := testHierarchy(t, BrandTrustAsia, AlgorithmRSA)
	bad := []struct {
		name    string
		revoked []RevokedEntry
		next    time.Time
		number  *big.Int
		want    string
	}{
		{"err/no number", nil, testNow.Add(time.Hour), nil, "CRL number"},
		{"err/nextUpdate not after now", nil, testNow, big.NewInt(1), "nextUpdate"},
		{"err/reason 7", []RevokedEntry{{Serial: big.NewInt(5), RevokedAt: testNow, Reason: 7}}, testNow.Add(time.Hour), big.NewInt(1), "reason"},
		{"err/no serial", []RevokedEntry{{RevokedAt: testNow}}, testNow.Add(time.Hour), big.NewInt(1), "serial"},
		{"err/no revocation time", []RevokedEntry{{Serial: big.NewInt(5)}}, testNow.Add(time.Hour), big.NewInt(1), "revocation time"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.CRL(tc.revoked, testNow, tc.next, tc.number)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("CRL error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseReason(t *testing.T) {
	for in, want := range map[string]int{"keyCompromise": 1, "KEY_COMPROMISE": 1, "superseded": 4, "cessation-of-operation": 5, "0": 0, "aACompromise": 10} {
		if got, err := ParseReason(in); err != nil || got != want {
			t.Errorf("ParseReason(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"7", "bored", ""} {
		if _, err := ParseReason(in); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("ParseReason(%q) error = %v", in, err)
		}
	}
	if ReasonName(ReasonSuperseded) != "superseded" || ReasonName(7) != "" {
		t.Error("ReasonName")
	}
}

// ocspRequestFor builds an OCSP request for leaf from h's intermediate, with hash.
func ocspRequestFor(t *testing.T, h *Hierarchy, leaf *Leaf, hash crypto.Hash) []byte {
	t.Helper()
	if h.Algorithm() != AlgorithmSM2 {
		req, err := ocsp.CreateRequest(mustX509(t, leaf.DER), mustX509(t, h.Intermediate().Raw), &ocsp.RequestOptions{Hash: hash})
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	// crypto/x509 cannot parse SM2 certificates: build the CertID by hand.
	nameHash, keyHash, err := issuerHashes(h.Intermediate().RawSubject, h.Intermediate().RawSubjectPublicKeyInfo, hash)
	if err != nil {
		t.Fatal(err)
	}
	req, err := (&ocsp.Request{HashAlgorithm: hash, IssuerNameHash: nameHash, IssuerKeyHash: keyHash, SerialNumber: leaf.SerialNumber}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// parseOCSP parses a response and checks its signature by h's intermediate.
func parseOCSP(t *testing.T, h *Hierarchy, der []byte) *ocsp.Response {
	t.Helper()
	if h.Algorithm() != AlgorithmSM2 {
		resp, err := ocsp.ParseResponse(der, mustX509(t, h.Intermediate().Raw))
		if err != nil {
			t.Fatalf("ocsp.ParseResponse: %v", err)
		}
		return resp
	}
	resp, err := ocsp.ParseResponse(der, nil)
	if err != nil {
		t.Fatalf("ocsp.ParseResponse: %v", err)
	}
	if err := h.Intermediate().CheckSignature(smx509.SM2WithSM3, resp.TBSResponseData, resp.Signature); err != nil {
		t.Fatalf("SM2 OCSP signature: %v", err)
	}
	if !resp.ProducedAt.Equal(testNow) {
		t.Errorf("producedAt = %v, want %v", resp.ProducedAt, testNow)
	}
	return resp
}

func TestOCSP(t *testing.T) {
	for _, p := range [][2]string{{BrandSecureSite, AlgorithmRSA}, {BrandGeoTrust, AlgorithmECC}, {BrandWoTrus, AlgorithmSM2}} {
		h := testHierarchy(t, p[0], p[1])
		leaf := issueTestLeaf(t, h, "a")
		revokedAt := testNow.Add(-time.Hour)
		statuses := map[string]CertStatus{}
		lookup := func(serial *big.Int) (CertStatus, error) {
			if st, ok := statuses[serial.String()]; ok {
				return st, nil
			}
			return CertStatus{Status: OCSPUnknown}, nil
		}
		alg := strings.ToLower(p[1])
		steps := []struct {
			name   string
			set    *CertStatus
			hash   crypto.Hash
			status int
		}{
			{"ok/" + alg + " unknown serial", nil, crypto.SHA1, ocsp.Unknown},
			{"ok/" + alg + " good", &CertStatus{Status: OCSPGood}, crypto.SHA1, ocsp.Good},
			{"ok/" + alg + " good with sha256 cert id", nil, crypto.SHA256, ocsp.Good},
			{"ok/" + alg + " revoked after revocation", &CertStatus{Status: OCSPRevoked, RevokedAt: revokedAt, Reason: ReasonSuperseded}, crypto.SHA1, ocsp.Revoked},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				if s.set != nil {
					statuses[leaf.SerialNumber.String()] = *s.set
				}
				der, err := h.OCSPResponse(ocspRequestFor(t, h, leaf, s.hash), lookup, testNow)
				if err != nil {
					t.Fatalf("OCSPResponse: %v", err)
				}
				resp := parseOCSP(t, h, der)
				if resp.Status != s.status || resp.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
					t.Fatalf("status %d serial %x; want %d %x", resp.Status, resp.SerialNumber, s.status, leaf.SerialNumber)
				}
				if !resp.ThisUpdate.Equal(testNow) || !resp.NextUpdate.Equal(testNow.Add(OCSPValidity)) {
					t.Errorf("thisUpdate %v nextUpdate %v", resp.ThisUpdate, resp.NextUpdate)
				}
				if resp.IssuerHash != s.hash {
					t.Errorf("issuer hash %v", resp.IssuerHash)
				}
				if s.status == ocsp.Revoked && (!resp.RevokedAt.Equal(revokedAt) || resp.RevocationReason != ReasonSuperseded) {
					t.Errorf("revokedAt %v reason %d", resp.RevokedAt, resp.RevocationReason)
				}
			})
		}
	}

	h := testHierarchy(t, BrandSecureSite, AlgorithmRSA)
	other := testHierarchy(t, BrandGeoTrust, AlgorithmRSA)
	leaf := issueTestLeaf(t, h, "a")
	good := func(*big.Int) (CertStatus, error) { return CertStatus{Status: OCSPGood}, nil }
	t.Run("ok/malformed request gets malformedRequest", func(t *testing.T) {
		der, err := h.OCSPResponse([]byte("garbage"), good, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ocsp.ParseResponse(der, nil); !errors.As(err, new(ocsp.ResponseError)) || err.(ocsp.ResponseError).Status != ocsp.Malformed {
			t.Fatalf("response error = %v", err)
		}
	})
	t.Run("ok/request about another issuer gets unauthorized", func(t *testing.T) {
		der, err := other.OCSPResponse(ocspRequestFor(t, h, leaf, crypto.SHA1), good, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ocsp.ParseResponse(der, nil); !errors.As(err, new(ocsp.ResponseError)) || err.(ocsp.ResponseError).Status != ocsp.Unauthorized {
			t.Fatalf("response error = %v", err)
		}
	})
	t.Run("err/revoked without revocation time", func(t *testing.T) {
		_, err := h.OCSPResponse(ocspRequestFor(t, h, leaf, crypto.SHA1), func(*big.Int) (CertStatus, error) { return CertStatus{Status: OCSPRevoked}, nil }, testNow)
		if !errors.Is(err, ErrInvalidRequest) {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("err/status lookup fails", func(t *testing.T) {
		boom := errors.New("store down")
		_, err := h.OCSPResponse(ocspRequestFor(t, h, leaf, crypto.SHA1), func(*big.Int) (CertStatus, error) { return CertStatus{}, boom }, testNow)
		if !errors.Is(err, boom) {
			t.Fatalf("error = %v", err)
		}
	})
}
