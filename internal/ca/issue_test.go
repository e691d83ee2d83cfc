package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
)

var testOrg = &Organization{Name: "Example Widgets Ltd", Country: "cn", Province: "Guangdong", Locality: "Shenzhen"}

var testEVOrg = &Organization{
	Name: "Example Widgets Ltd", Country: "CN", Province: "Guangdong", Locality: "Shenzhen",
	SerialNumber: "91440300MA5XXXXXX", BusinessCategory: "private organization",
	JurisdictionCountry: "CN", JurisdictionProvince: "Guangdong",
}

// csrPEM makes a CSR for key (names in the CSR are ignored by Issue).
func csrPEM(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := smx509.CreateCertificateRequest(rand.Reader, &smx509.CertificateRequest{
		Subject: pkix.Name{CommonName: "ignored.example.org"}, DNSNames: []string{"ignored.example.org"},
	}, key)
	if err != nil {
		t.Fatalf("CreateCertificateRequest: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func TestIssue(t *testing.T) {
	nb, na := leafValidity()
	type check struct {
		policy    smx509.OID
		ku        x509.KeyUsage
		verifyFor []string // names the leaf must verify for
		org       bool
		ev        bool
	}
	tests := []struct {
		name       string
		brand, alg string
		req        func(t *testing.T) LeafRequest
		want       check
	}{
		{"ok/rsa dv leaf verifies", BrandTrustAsia, AlgorithmRSA, func(t *testing.T) LeafRequest {
			return LeafRequest{PublicKey: testKey(t, AlgorithmRSA, 2048, "a").Public(), CommonName: "www.example.com", DNSNames: []string{"api.example.com"}}
		}, check{OIDPolicyDV, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, []string{"www.example.com", "api.example.com"}, false, false}},
		{"ok/ecc dv leaf verifies", BrandSecureSite, AlgorithmECC, func(t *testing.T) LeafRequest {
			return LeafRequest{PublicKey: testKey(t, AlgorithmECC, 256, "a"), CommonName: "WWW.Example.COM."}
		}, check{OIDPolicyDV, x509.KeyUsageDigitalSignature, []string{"www.example.com"}, false, false}},
		{"ok/ecc p-384 wildcard dv leaf verifies", BrandGeoTrust, AlgorithmECC, func(t *testing.T) LeafRequest {
			return LeafRequest{PublicKey: testKey(t, AlgorithmECC, 384, "a").Public(), DNSNames: []string{"*.example.com", "example.com"}}
		}, check{OIDPolicyDV, x509.KeyUsageDigitalSignature, []string{"foo.example.com", "example.com"}, false, false}},
		{"ok/rsa ov leaf carries policy and organization", BrandGlobalSign, AlgorithmRSA, func(t *testing.T) LeafRequest {
			return LeafRequest{PublicKey: testKey(t, AlgorithmRSA, 2048, "a").Public(), CommonName: "shop.example.com", ValidationLevel: "ov", Organization: testOrg}
		}, check{OIDPolicyOV, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, []string{"shop.example.com"}, true, false}},
		{"ok/ecc ev leaf carries policy and ev subject", BrandDNSPod, AlgorithmECC, func(t *testing.T) LeafRequest {
			return LeafRequest{PublicKey: testKey(t, AlgorithmECC, 256, "a").Public(), CommonName: "bank.example.com", ValidationLevel: LevelEV, Organization: testEVOrg}
		}, check{OIDPolicyEV, x509.KeyUsageDigitalSignature, []string{"bank.example.com"}, true, true}},
		{"ok/rsa csr leaf verifies", BrandWoTrus, AlgorithmRSA, func(t *testing.T) LeafRequest {
			return LeafRequest{CSRPEM: csrPEM(t, testKey(t, AlgorithmRSA, 3072, "a")), CommonName: "csr.example.com"}
		}, check{OIDPolicyDV, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, []string{"csr.example.com"}, false, false}},
		{"ok/ecc csr leaf verifies", BrandTrustAsia, AlgorithmECC, func(t *testing.T) LeafRequest {
			return LeafRequest{CSRPEM: csrPEM(t, testKey(t, AlgorithmECC, 256, "a")), DNSNames: []string{"*.csr.example.com"}, SerialNumber: big.NewInt(0x1234567890)}
		}, check{OIDPolicyDV, x509.KeyUsageDigitalSignature, []string{"a.csr.example.com"}, false, false}},
		{"ok/sm2 dv leaf verifies with smx509", BrandDNSPod, AlgorithmSM2, func(t *testing.T) LeafRequest {
			return LeafRequest{PublicKey: testKey(t, AlgorithmSM2, 256, "a").Public(), CommonName: "sm2.example.com"}
		}, check{OIDPolicyDV, x509.KeyUsageDigitalSignature, []string{"sm2.example.com"}, false, false}},
		{"ok/sm2 private key as key", BrandWoTrus, AlgorithmSM2, func(t *testing.T) LeafRequest {
			return LeafRequest{PublicKey: testKey(t, AlgorithmSM2, 256, "a"), CommonName: "sm2.example.com", ValidationLevel: LevelOV, Organization: testOrg}
		}, check{OIDPolicyOV, x509.KeyUsageDigitalSignature, []string{"sm2.example.com"}, true, false}},
		{"ok/sm2 csr leaf verifies", BrandDNSPod, AlgorithmSM2, func(t *testing.T) LeafRequest {
			return LeafRequest{CSRPEM: csrPEM(t, testKey(t, AlgorithmSM2, 256, "a")), CommonName: "*.sm2.example.com"}
		}, check{OIDPolicyDV, x509.KeyUsageDigitalSignature, []string{"x.sm2.example.com"}, false, false}},
		{"ok/sm2 encryption purpose", BrandDNSPod, AlgorithmSM2, func(t *testing.T) LeafRequest {
			return LeafRequest{PublicKey: testKey(t, AlgorithmSM2, 256, "b").Public(), CommonName: "sm2.example.com", Purpose: PurposeEncryption}
		}, check{OIDPolicyDV, x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment | x509.KeyUsageKeyAgreement, []string{"sm2.example.com"}, false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testHierarchy(t, tc.brand, tc.alg)
			req := tc.req(t)
			req.NotBefore, req.NotAfter, req.PublicURL = nb, na, testPublicURL
			leaf, err := h.Issue(req)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if leaf.FullChainPEM != leaf.CertificatePEM+leaf.ChainPEM || leaf.ChainPEM != h.IntermediatePEM()+h.RootPEM() {
				t.Error("chain PEM is not leaf, intermediate, root")
			}
			if req.SerialNumber != nil && leaf.SerialNumber.Cmp(req.SerialNumber) != 0 {
				t.Errorf("serial = %x, want %x", leaf.SerialNumber, req.SerialNumber)
			}
			if leaf.SerialNumber.BitLen() < 64 && req.SerialNumber == nil {
				t.Errorf("random serial %x is short", leaf.SerialNumber)
			}
			c, err := smx509.ParseCertificate(leaf.DER)
			if err != nil {
				t.Fatal(err)
			}
			verifyLeaf(t, h, leaf, tc.want.verifyFor)
			if !c.NotBefore.Equal(nb) || !c.NotAfter.Equal(na) {
				t.Errorf("validity = %v – %v", c.NotBefore, c.NotAfter)
			}
			if x509.KeyUsage(c.KeyUsage) != tc.want.ku {
				t.Errorf("key usage = %b, want %b", c.KeyUsage, tc.want.ku)
			}
			if !slices.Equal(c.ExtKeyUsage, []smx509.ExtKeyUsage{smx509.ExtKeyUsageServerAuth}) {
				t.Errorf("EKU = %v", c.ExtKeyUsage)
			}
			if len(c.Policies) != 1 || !c.Policies[0].Equal(tc.want.policy) {
				t.Errorf("policies = %v, want %v", c.Policies, tc.want.policy)
			}
			if c.IsCA {
				t.Error("leaf is a CA")
			}
			if want := "https://ssl.example.test:8443/v1/ca/" + h.ID() + "/crl"; !slices.Equal(c.CRLDistributionPoints, []string{want}) {
				t.Errorf("CRL DP = %v, want %s", c.CRLDistributionPoints, want)
			}
			if want := "https://ssl.example.test:8443/v1/ca/" + h.ID() + "/ocsp"; !slices.Equal(c.OCSPServer, []string{want}) {
				t.Errorf("OCSP = %v, want %s", c.OCSPServer, want)
			}
			if len(c.IssuingCertificateURL) != 1 {
				t.Errorf("caIssuers = %v", c.IssuingCertificateURL)
			}
			if c.Subject.CommonName != c.DNSNames[0] {
				t.Errorf("CN %q is not the first SAN %v", c.Subject.CommonName, c.DNSNames)
			}
			if tc.want.org {
				if !slices.Equal(c.Subject.Organization, []string{"Example Widgets Ltd"}) || !slices.Equal(c.Subject.Country, []string{"CN"}) ||
					!slices.Equal(c.Subject.Province, []string{"Guangdong"}) || !slices.Equal(c.Subject.Locality, []string{"Shenzhen"}) {
					t.Errorf("OV/EV subject = %v", c.Subject)
				}
			} else if len(c.Subject.Organization) != 0 || len(c.Subject.Country) != 0 {
				t.Errorf("DV subject carries organization: %v", c.Subject)
			}
			if tc.want.ev {
				got := map[string]string{}
				for _, n := range c.Subject.Names {
					got[n.Type.String()] = n.Value.(string)
				}
				for oid, v := range map[string]string{"2.5.4.5": "91440300MA5XXXXXX", "2.5.4.15": "Private Organization",
					"1.3.6.1.4.1.311.60.2.1.3": "CN", "1.3.6.1.4.1.311.60.2.1.2": "Guangdong"} {
					if got[oid] != v {
						t.Errorf("EV subject %s = %q, want %q", oid, got[oid], v)
					}
				}
			}
		})
	}
}

// verifyLeaf verifies a leaf up to its root for each name: with crypto/x509 for RSA/ECC
// (and checks that smx509 agrees), with smx509 for SM2.
func verifyLeaf(t *testing.T, h *Hierarchy, leaf *Leaf, names []string) {
	t.Helper()
	at := leaf.NotBefore.Add(time.Hour)
	for _, name := range names {
		if h.Algorithm() != AlgorithmSM2 {
			roots, inters := x509.NewCertPool(), x509.NewCertPool()
			roots.AddCert(mustX509(t, h.Root().Raw))
			inters.AddCert(mustX509(t, h.Intermediate().Raw))
			chains, err := mustX509(t, leaf.DER).Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, DNSName: name, CurrentTime: at})
			if err != nil {
				t.Fatalf("x509 Verify(%s): %v", name, err)
			}
			if len(chains) != 1 || len(chains[0]) != 3 {
				t.Fatalf("chains = %v", chains)
			}
		}
		roots, inters := smx509.NewCertPool(), smx509.NewCertPool()
		roots.AddCert(h.Root())
		inters.AddCert(h.Intermediate())
		c, err := smx509.ParseCertificate(leaf.DER)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Verify(smx509.VerifyOptions{Roots: roots, Intermediates: inters, DNSName: name, CurrentTime: at}); err != nil {
			t.Fatalf("smx509 Verify(%s): %v", name, err)
		}
	}
	// A name outside the SANs does not verify.
	c, _ := smx509.ParseCertificate(leaf.DER)
	if err := c.VerifyHostname("other.invalid"); err == nil {
		t.Error("leaf verifies for other.invalid")
	}
}

func TestIssueRefuses(t *testing.T) {
	nb, na := leafValidity()
	rsaKey := testKey(t, AlgorithmRSA, 2048, "a").Public()
	eccKey := testKey(t, AlgorithmECC, 256, "a").Public()
	sm2Key := testKey(t, AlgorithmSM2, 256, "a").Public()
	badCSR := func(t *testing.T) string {
		block, _ := pem.Decode([]byte(csrPEM(t, testKey(t, AlgorithmECC, 256, "a"))))
		block.Bytes[len(block.Bytes)-3] ^= 0xff // spoil the signature
		return string(pem.EncodeToMemory(block))
	}
	tests := []struct {
		name, alg string
		mutate    func(t *testing.T, r *LeafRequest)
		want      string
	}{
		{"err/ecc key on rsa ca", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.PublicKey = eccKey }, "cannot be certified by the RSA CA"},
		{"err/sm2 key on ecc ca", AlgorithmECC, func(t *testing.T, r *LeafRequest) { r.PublicKey = sm2Key }, "cannot be certified by the ECC CA"},
		{"err/no key", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.PublicKey = nil }, "public key or a CSR is required"},
		{"err/key and csr", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.CSRPEM = "x" }, "not both"},
		{"err/csr with bad signature", AlgorithmECC, func(t *testing.T, r *LeafRequest) { r.PublicKey, r.CSRPEM = nil, badCSR(t) }, "signature does not verify"},
		{"err/csr not pem", AlgorithmECC, func(t *testing.T, r *LeafRequest) { r.PublicKey, r.CSRPEM = nil, "hello" }, "no CERTIFICATE REQUEST"},
		{"err/no domain", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.CommonName = "" }, "domain"},
		{"err/wildcard in the middle", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.DNSNames = []string{"a.*.example.com"} }, "left-most label"},
		{"err/partial wildcard", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.DNSNames = []string{"w*.example.com"} }, "left-most label"},
		{"err/wildcard on a tld", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.DNSNames = []string{"*.com"} }, "registered domain"},
		{"err/underscore", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.DNSNames = []string{"a_b.example.com"} }, "character"},
		{"err/ip address", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.DNSNames = []string{"10.0.0.1"} }, "IP address"},
		{"err/single label", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.CommonName = "localhost" }, "two labels"},
		{"err/unknown level", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.ValidationLevel = "QV" }, "validation level"},
		{"err/ov without organization", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.ValidationLevel = LevelOV }, "need the organization"},
		{"err/ov without country", AlgorithmRSA, func(t *testing.T, r *LeafRequest) {
			r.ValidationLevel, r.Organization = LevelOV, &Organization{Name: "X", Locality: "Y"}
		}, "country"},
		{"err/ov with a three-letter country", AlgorithmRSA, func(t *testing.T, r *LeafRequest) {
			r.ValidationLevel, r.Organization = LevelOV, &Organization{Name: "X", Locality: "Y", Country: "CHN"}
		}, "two-letter"},
		{"err/ev without business category", AlgorithmRSA, func(t *testing.T, r *LeafRequest) {
			o := *testEVOrg
			o.BusinessCategory = ""
			r.ValidationLevel, r.Organization = LevelEV, &o
		}, "business category"},
		{"err/ev with unknown business category", AlgorithmRSA, func(t *testing.T, r *LeafRequest) {
			o := *testEVOrg
			o.BusinessCategory = "Pirate Ship"
			r.ValidationLevel, r.Organization = LevelEV, &o
		}, "business category"},
		{"err/dv with organization", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.Organization = testOrg }, "DV certificates carry no organization"},
		{"err/no validity", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.NotAfter = time.Time{} }, "required"},
		{"err/notAfter before notBefore", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.NotAfter = r.NotBefore.Add(-time.Second) }, "not after"},
		{"err/validity beyond the intermediate", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.NotAfter = r.NotBefore.Add(11 * 365 * 24 * time.Hour) }, "outside the validity"},
		{"err/before the intermediate", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.NotBefore = r.NotBefore.Add(-48 * time.Hour) }, "outside the validity"},
		{"err/no public url", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.PublicURL = "" }, "public URL is required"},
		{"err/relative public url", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.PublicURL = "ssl.example.test" }, "absolute http(s)"},
		{"err/negative serial", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.SerialNumber = big.NewInt(-5) }, "positive"},
		{"err/encryption purpose on rsa", AlgorithmRSA, func(t *testing.T, r *LeafRequest) { r.Purpose = PurposeEncryption }, "only SM2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			brand := BrandTrustAsia
			if tc.alg == AlgorithmSM2 {
				brand = BrandDNSPod
			}
			h := testHierarchy(t, brand, tc.alg)
			req := LeafRequest{PublicKey: rsaKey, CommonName: "www.example.com", NotBefore: nb, NotAfter: na, PublicURL: testPublicURL}
			if tc.alg == AlgorithmECC {
				req.PublicKey = eccKey
			}
			tc.mutate(t, &req)
			_, err := h.Issue(req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Issue error = %v, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("error %v does not wrap ErrInvalidRequest", err)
			}
		})
	}
}

func TestIssueSM2Pair(t *testing.T) {
	nb, na := leafValidity()
	sigKey := testKey(t, AlgorithmSM2, 256, "a")
	encKey := testKey(t, AlgorithmSM2, 256, "b")
	base := LeafRequest{PublicKey: sigKey.Public(), CommonName: "sm2.example.com", DNSNames: []string{"www.sm2.example.com"},
		NotBefore: nb, NotAfter: na, PublicURL: testPublicURL, SerialNumber: big.NewInt(1001)}
	tests := []struct {
		name    string
		brand   string
		alg     string
		req     SM2PairRequest
		wantErr string
		genKey  bool
	}{
		{"ok/dnspod pair with caller's encryption key", BrandDNSPod, AlgorithmSM2, SM2PairRequest{LeafRequest: base, EncryptionPublicKey: encKey.Public(), EncryptionSerialNumber: big.NewInt(1002)}, "", false},
		{"ok/wotrus pair with generated encryption key", BrandWoTrus, AlgorithmSM2, SM2PairRequest{LeafRequest: base}, "", true},
		{"ok/pair from a csr", BrandDNSPod, AlgorithmSM2, SM2PairRequest{LeafRequest: func() LeafRequest {
			r := base
			r.PublicKey, r.CSRPEM = nil, csrPEM(t, sigKey)
			return r
		}()}, "", true},
		{"err/same key twice", BrandDNSPod, AlgorithmSM2, SM2PairRequest{LeafRequest: base, EncryptionPublicKey: sigKey.Public()}, "its own key", false},
		{"err/same serial twice", BrandDNSPod, AlgorithmSM2, SM2PairRequest{LeafRequest: base, EncryptionPublicKey: encKey.Public(), EncryptionSerialNumber: big.NewInt(1001)}, "its own serial", false},
		{"err/rsa hierarchy", BrandWoTrus, AlgorithmRSA, SM2PairRequest{LeafRequest: base}, "not an SM2 CA", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testHierarchy(t, tc.brand, tc.alg)
			pair, err := h.IssueSM2Pair(tc.req)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalidRequest) {
					t.Fatalf("IssueSM2Pair error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("IssueSM2Pair: %v", err)
			}
			if (pair.EncryptionKey != nil) != tc.genKey {
				t.Fatalf("generated encryption key = %v, want %v", pair.EncryptionKey != nil, tc.genKey)
			}
			sig, _ := smx509.ParseCertificate(pair.Signature.DER)
			enc, _ := smx509.ParseCertificate(pair.Encryption.DER)
			if sig.KeyUsage != smx509.KeyUsageDigitalSignature {
				t.Errorf("signature cert key usage = %b", sig.KeyUsage)
			}
			if enc.KeyUsage != smx509.KeyUsageKeyEncipherment|smx509.KeyUsageDataEncipherment|smx509.KeyUsageKeyAgreement {
				t.Errorf("encryption cert key usage = %b", enc.KeyUsage)
			}
			if pair.Signature.Purpose != PurposeSignature || pair.Encryption.Purpose != PurposeEncryption {
				t.Errorf("purposes = %s, %s", pair.Signature.Purpose, pair.Encryption.Purpose)
			}
			if samePublicKey(sig.PublicKey, enc.PublicKey) || !samePublicKey(sig.PublicKey, sigKey.Public()) {
				t.Error("the pair does not have two distinct keys, the signature key first")
			}
			if pair.EncryptionKey != nil && !samePublicKey(enc.PublicKey, pair.EncryptionKey.Public()) {
				t.Error("generated encryption key does not match the encryption certificate")
			}
			if _, ok := pair.EncryptionKey.(*sm2.PrivateKey); pair.EncryptionKey != nil && !ok {
				t.Errorf("generated encryption key is %T", pair.EncryptionKey)
			}
			if sig.SerialNumber.Cmp(enc.SerialNumber) == 0 {
				t.Error("both certificates have the same serial")
			}
			if !slices.Equal(sig.DNSNames, enc.DNSNames) || !sig.NotAfter.Equal(enc.NotAfter) {
				t.Error("the pair differs in names or validity")
			}
			verifyLeaf(t, h, pair.Signature, []string{"sm2.example.com", "www.sm2.example.com"})
			verifyLeaf(t, h, pair.Encryption, []string{"sm2.example.com"})
		})
	}
}

func TestParseCSRAcceptsEmptySM2ID(t *testing.T) {
	// OpenSSL 3 signs SM2 CSRs with an empty distinguishing ID (DESIGN.md).
	key := testKey(t, AlgorithmSM2, 256, "a").(*sm2.PrivateKey)
	block, _ := pem.Decode([]byte(csrPEM(t, key)))
	var raw struct {
		TBS    asn1.RawValue
		Alg    pkix.AlgorithmIdentifier
		Sig    asn1.BitString
		Extras []asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(block.Bytes, &raw); err != nil {
		t.Fatal(err)
	}
	// gmsm maps an empty ID to the default one, so sign SM3(Z(empty ID) || TBS) by hand.
	sig, err := sm2.SignASN1(rand.Reader, key, mustEmptyIDDigest(t, &key.PublicKey, raw.TBS.FullBytes), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw.Sig = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	der, err := asn1.Marshal(struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}{raw.TBS, raw.Alg, raw.Sig})
	if err != nil {
		t.Fatal(err)
	}
	csrText := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	csr, err := ParseCSR(csrText)
	if err != nil {
		t.Fatalf("ParseCSR(empty-ID SM2 CSR): %v", err)
	}
	if !samePublicKey(csr.PublicKey, key.Public()) {
		t.Fatal("wrong key")
	}
	// And a spoilt one still fails.
	raw.Sig.Bytes[len(raw.Sig.Bytes)-1] ^= 1
	der, _ = asn1.Marshal(struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}{raw.TBS, raw.Alg, raw.Sig})
	if _, err := ParseCSR(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))); err == nil {
		t.Fatal("spoilt SM2 CSR accepted")
	}
}

func mustEmptyIDDigest(t *testing.T, pub *ecdsa.PublicKey, msg []byte) []byte {
	t.Helper()
	d, err := certs.SM2DigestEmptyID(pub, msg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
