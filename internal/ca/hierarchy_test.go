package ca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

func TestCatalogue(t *testing.T) {
	if got := len(allPairs()); got != 14 {
		t.Fatalf("brand × algorithm pairs = %d, want 14 (6 × RSA/ECC + DNSPod/WoTrus SM2)", got)
	}
	tests := []struct {
		name, brand, alg, wantID string
		wantErr                  bool
	}{
		{"ok/trustasia rsa", "TrustAsia", "RSA", "trustasia-rsa", false},
		{"ok/case-insensitive", "trustasia", "ecc", "trustasia-ecc", false},
		{"ok/dnspod sm2", "DNSPod", "SM2", "dnspod-sm2", false},
		{"ok/wotrus sm2", "WoTrus", "sm2", "wotrus-sm2", false},
		{"err/globalsign sm2", "GlobalSign", "SM2", "", true},
		{"err/unknown brand", "Let's Encrypt", "RSA", "", true},
		{"err/unknown algorithm", "GeoTrust", "DSA", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := ID(tc.brand, tc.alg)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidRequest) {
					t.Fatalf("ID() error = %v, want ErrInvalidRequest", err)
				}
				if Supports(tc.brand, tc.alg) {
					t.Fatal("Supports() = true")
				}
				return
			}
			if err != nil || id != tc.wantID {
				t.Fatalf("ID() = %q, %v; want %q", id, err, tc.wantID)
			}
			b, a, err := ParseID(id)
			if err != nil || !strings.EqualFold(b, tc.brand) || !strings.EqualFold(a, tc.alg) {
				t.Fatalf("ParseID(%q) = %q, %q, %v", id, b, a, err)
			}
		})
	}
	if got := OCSPURL("https://x.test/", "trustasia-rsa"); got != "https://x.test/v1/ca/trustasia-rsa/ocsp" {
		t.Errorf("OCSPURL = %q", got)
	}
	if got := CRLURL("https://x.test", "dnspod-sm2"); got != "https://x.test/v1/ca/dnspod-sm2/crl" {
		t.Errorf("CRLURL = %q", got)
	}
}

func TestHierarchies(t *testing.T) {
	for _, p := range allPairs() {
		brand, alg := p[0], p[1]
		t.Run("ok/"+strings.ToLower(brand+" "+alg)+" creates and reloads identically", func(t *testing.T) {
			t.Parallel()
			h := testHierarchy(t, brand, alg)
			wantID, _ := ID(brand, alg)
			if h.Brand() != brand || h.Algorithm() != alg || h.ID() != wantID {
				t.Fatalf("identity = %s %s %s", h.Brand(), h.Algorithm(), h.ID())
			}
			root, inter := h.Root(), h.Intermediate()
			// Honest names (DESIGN.md, "The CA, honestly").
			if want := brand + " " + alg + " Root — ssl private CA"; root.Subject.CommonName != want {
				t.Errorf("root CN = %q, want %q", root.Subject.CommonName, want)
			}
			if !strings.HasPrefix(inter.Subject.CommonName, brand+" "+alg+" ") || !strings.HasSuffix(inter.Subject.CommonName, "— ssl private CA") {
				t.Errorf("intermediate CN = %q", inter.Subject.CommonName)
			}
			for _, c := range []*smx509.Certificate{root, inter} {
				if len(c.Subject.Organization) != 1 || c.Subject.Organization[0] != CAOrganization {
					t.Errorf("%q: O = %v", c.Subject.CommonName, c.Subject.Organization)
				}
				if !c.IsCA || !c.BasicConstraintsValid {
					t.Errorf("%q is not a CA", c.Subject.CommonName)
				}
			}
			if root.NotAfter.Sub(root.NotBefore) != RootValidity || inter.NotAfter.Sub(inter.NotBefore) != IntermediateValidity {
				t.Errorf("validity root %v, intermediate %v", root.NotAfter.Sub(root.NotBefore), inter.NotAfter.Sub(inter.NotBefore))
			}
			if inter.MaxPathLen != 0 || !inter.MaxPathLenZero {
				t.Errorf("intermediate path length = %d (zero %v)", inter.MaxPathLen, inter.MaxPathLenZero)
			}
			if err := inter.CheckSignatureFrom(root); err != nil {
				t.Errorf("intermediate not signed by root: %v", err)
			}
			checkCAKey(t, alg, root.PublicKey, true)
			checkCAKey(t, alg, inter.PublicKey, false)
			if alg == AlgorithmSM2 && root.SignatureAlgorithm != smx509.SM2WithSM3 {
				t.Errorf("SM2 root signature algorithm = %v", root.SignatureAlgorithm)
			}
			if alg != AlgorithmSM2 {
				// crypto/x509 reads the RSA and ECC CAs too.
				mustX509(t, root.Raw)
				mustX509(t, inter.Raw)
			}
			if !strings.Contains(h.RootKeyPEM(), "BEGIN PRIVATE KEY") || !strings.Contains(h.IntermediateKeyPEM(), "BEGIN PRIVATE KEY") {
				t.Error("CA keys are not PKCS#8 PEM")
			}

			for i := 0; i < 2; i++ {
				re, err := LoadHierarchy(h.RootPEM(), h.RootKeyPEM(), h.IntermediatePEM(), h.IntermediateKeyPEM())
				if err != nil {
					t.Fatalf("LoadHierarchy: %v", err)
				}
				if re.ID() != h.ID() || re.Brand() != brand || re.Algorithm() != alg ||
					re.RootPEM() != h.RootPEM() || re.IntermediatePEM() != h.IntermediatePEM() ||
					re.RootKeyPEM() != h.RootKeyPEM() || re.IntermediateKeyPEM() != h.IntermediateKeyPEM() ||
					re.ChainPEM() != h.ChainPEM() {
					t.Fatal("reloaded hierarchy differs from the stored values")
				}
			}
		})
	}
}

// checkCAKey checks the key type and size of a CA.
func checkCAKey(t *testing.T, alg string, pub any, root bool) {
	t.Helper()
	switch alg {
	case AlgorithmRSA:
		k, ok := pub.(*rsa.PublicKey)
		want := 2048
		if root {
			want = 3072
		}
		if !ok || k.N.BitLen() != want {
			t.Errorf("RSA CA key = %T, want RSA %d", pub, want)
		}
	case AlgorithmECC:
		k, ok := pub.(*ecdsa.PublicKey)
		want := elliptic.P256()
		if root {
			want = elliptic.P384()
		}
		if !ok || k.Curve != want {
			t.Errorf("ECC CA key = %T, want %s", pub, want.Params().Name)
		}
	case AlgorithmSM2:
		if !sm2.IsSM2PublicKey(pub) {
			t.Errorf("SM2 CA key = %T", pub)
		}
	}
}

func TestNewHierarchyRefuses(t *testing.T) {
	tests := []struct{ name, brand, alg, want string }{
		{"err/sm2 for trustasia", BrandTrustAsia, AlgorithmSM2, "does not issue SM2"},
		{"err/unknown brand", "DigiCert", AlgorithmRSA, "unknown brand"},
		{"err/unknown algorithm", BrandDNSPod, "Ed25519", "unknown key algorithm"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewHierarchy(tc.brand, tc.alg, testNow, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("NewHierarchy error = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := NewHierarchy(BrandDNSPod, AlgorithmSM2, time.Time{}, nil); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("zero time: %v", err)
	}
}

func TestLoadHierarchyRefuses(t *testing.T) {
	ta := testHierarchy(t, BrandTrustAsia, AlgorithmRSA)
	gt := testHierarchy(t, BrandGeoTrust, AlgorithmRSA)
	sm := testHierarchy(t, BrandDNSPod, AlgorithmSM2)
	leafKey := testKey(t, AlgorithmRSA, 2048, "a")
	nb, na := leafValidity()
	leaf, err := ta.Issue(LeafRequest{PublicKey: leafKey.Public(), CommonName: "www.example.com", NotBefore: nb, NotAfter: na, PublicURL: testPublicURL})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                   string
		root, rootKey, in, inK string
		want                   string
	}{
		{"err/garbage root", "not pem", ta.RootKeyPEM(), ta.IntermediatePEM(), ta.IntermediateKeyPEM(), "no CERTIFICATE"},
		{"err/intermediate of another brand", ta.RootPEM(), ta.RootKeyPEM(), gt.IntermediatePEM(), gt.IntermediateKeyPEM(), "does not belong"},
		{"err/root key of another brand", ta.RootPEM(), gt.RootKeyPEM(), ta.IntermediatePEM(), ta.IntermediateKeyPEM(), "root key does not match"},
		{"err/intermediate key swapped", ta.RootPEM(), ta.RootKeyPEM(), ta.IntermediatePEM(), ta.RootKeyPEM(), "intermediate key does not match"},
		{"err/leaf as root", leaf.CertificatePEM, ta.RootKeyPEM(), ta.IntermediatePEM(), ta.IntermediateKeyPEM(), "is not a terraform-provider-ssl private CA root"},
		{"err/two certificates as root", ta.ChainPEM(), ta.RootKeyPEM(), ta.IntermediatePEM(), ta.IntermediateKeyPEM(), "more than one"},
		{"err/sm2 root with rsa intermediate", sm.RootPEM(), sm.RootKeyPEM(), ta.IntermediatePEM(), ta.IntermediateKeyPEM(), "does not belong"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadHierarchy(tc.root, tc.rootKey, tc.in, tc.inK)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadHierarchy error = %v, want %q", err, tc.want)
			}
		})
	}
}
