package service_test

// Service tests for the order rules of RULES.md (products M2, organization, validity,
// validation, review, idempotency). Reissue (I), revocation (R), deletion (D) and
// reminders (M) have their own files; rules_helpers_test.go builds the environments.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

func TestCheckOrderProductRules(t *testing.T) {
	t.Parallel()
	eccCSR := certstest.CSRPEM(t, certstest.NewKey(t, certstest.ECC), "www.example.com")
	tests := []struct {
		name    string
		in      service.OrderInput
		field   string // "" = accepted
		summary string
		cite    string // text the message must contain
	}{
		{name: "ok/TrustAsia DV with an ECC key (M2)", in: dv("www.example.com")},
		{name: "ok/every catalogue product can be checked (M2)", in: ov(ca.BrandGlobalSign, "www.example.com")},
		{name: "error/unknown brand", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.Brand = "LetsEncrypt" }),
			field: "brand", summary: "Unknown Brand"},
		{name: "error/GeoTrust sells no DV (M2)", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandGeoTrust }),
			field: "certificate_type", summary: "Product Not Sold", cite: "rule M2"},
		{name: "error/WoTrus sells no free DV (M2)", in: with(freeDV("www.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandWoTrus }),
			field: "certificate_type", summary: "Product Not Sold", cite: "rule M2"},
		{name: "error/TrustAsia sells no OV Pro (M2)", in: with(ov(ca.BrandTrustAsia, "www.example.com"), func(in *service.OrderInput) { in.CertificateType = service.TypeOVPro }),
			field: "certificate_type", summary: "Product Not Sold"},
		{name: "ok/SecureSite OV Pro (M2)", in: with(ov(ca.BrandSecureSite, "www.example.com"), func(in *service.OrderInput) { in.CertificateType = service.TypeOVPro })},
		{name: "error/SM2 from TrustAsia (SM2 only DNSPod and WoTrus)", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm = ca.AlgorithmSM2 }),
			field: "key_algorithm", summary: "Unsupported Key Algorithm"},
		{name: "error/SM2 from SecureSite OV (SM2 only DNSPod and WoTrus)", in: with(ov(ca.BrandSecureSite, "www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm = ca.AlgorithmSM2 }),
			field: "key_algorithm", summary: "Unsupported Key Algorithm"},
		{name: "ok/SM2 from DNSPod DV", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.Brand, in.KeyAlgorithm = ca.BrandDNSPod, ca.AlgorithmSM2 })},
		{name: "ok/SM2 from WoTrus OV", in: with(ov(ca.BrandWoTrus, "www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm = ca.AlgorithmSM2 })},
		{name: "error/unknown key algorithm", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm = "DSA" }),
			field: "key_algorithm", summary: "Unsupported Key Algorithm"},
		{name: "ok/RSA defaults to 2048", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm = ca.AlgorithmRSA })},
		{name: "ok/RSA 3072", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm, in.KeySize = ca.AlgorithmRSA, 3072 })},
		{name: "ok/RSA 4096", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm, in.KeySize = ca.AlgorithmRSA, 4096 })},
		{name: "error/RSA 1024", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm, in.KeySize = ca.AlgorithmRSA, 1024 }),
			field: "key_size", summary: "Unsupported Key Size"},
		{name: "ok/ECC 384", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeySize = 384 })},
		{name: "error/ECC 521", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeySize = 521 }),
			field: "key_size", summary: "Unsupported Key Size"},
		{name: "error/SM2 384", in: with(dv("www.example.com"), func(in *service.OrderInput) {
			in.Brand, in.KeyAlgorithm, in.KeySize = ca.BrandDNSPod, ca.AlgorithmSM2, 384
		}),
			field: "key_size", summary: "Unsupported Key Size"},
		{name: "error/wildcard on free DV", in: freeDV("*.example.com"),
			field: "domain", summary: "Wildcard Not Allowed"},
		{name: "error/SANs on free DV", in: with(freeDV("www.example.com"), func(in *service.OrderInput) { in.SANs = []string{"api.example.com"} }),
			field: "subject_alternative_names", summary: "Single-Domain Product"},
		{name: "ok/free DV repeating its domain as a SAN", in: with(freeDV("www.example.com"), func(in *service.OrderInput) { in.SANs = []string{"WWW.example.com."} })},
		{name: "ok/wildcard and SANs on paid DV", in: with(dv("*.example.com"), func(in *service.OrderInput) { in.SANs = []string{"example.com", "api.example.org"} })},
		{name: "error/file validation of a wildcard", in: with(dv("*.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodFile }),
			field: "validation_method", summary: "File Validation Of Wildcard"},
		{name: "error/unknown validation method", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.ValidationMethod = "EMAIL" }),
			field: "validation_method", summary: "Unknown Validation Method"},
		{name: "error/one-label domain", in: dv("localhost"), field: "domain", summary: "Invalid Domain"},
		{name: "error/IP address as domain", in: dv("192.0.2.1"), field: "domain", summary: "Invalid Domain"},
		{name: "error/invalid SAN", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.SANs = []string{"bad_name.example.com"} }),
			field: "subject_alternative_names", summary: "Invalid Domain"},
		{name: "ok/validity_days 1", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.ValidityDays = 1 })},
		{name: "ok/validity_days 365 on a paid product", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.ValidityDays = 365 })},
		{name: "error/validity_days 366 on a paid product", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.ValidityDays = 366 }),
			field: "validity_days", summary: "Validity Out Of Range"},
		{name: "error/validity_days negative", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.ValidityDays = -1 }),
			field: "validity_days", summary: "Validity Out Of Range"},
		{name: "ok/validity_days 90 on free DV", in: with(freeDV("www.example.com"), func(in *service.OrderInput) { in.ValidityDays = 90 })},
		{name: "error/validity_days 91 on free DV", in: with(freeDV("www.example.com"), func(in *service.OrderInput) { in.ValidityDays = 91 }),
			field: "validity_days", summary: "Validity Out Of Range"},
		{name: "ok/CSR brings its key", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm, in.CSRPEM = "", eccCSR })},
		{name: "error/CSR key differs from key_algorithm", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm, in.CSRPEM = ca.AlgorithmRSA, eccCSR }),
			field: "key_algorithm", summary: "Key Algorithm Differs From CSR"},
		{name: "error/CSR that is not a CSR", in: with(dv("www.example.com"), func(in *service.OrderInput) {
			in.CSRPEM = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"
		}),
			field: "csr_pem", summary: "Invalid CSR"},
		{name: "error/password with a CSR (I6)", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.CSRPEM, in.Password = eccCSR, "s3cret" }),
			field: "private_key_password", summary: "Password Without Key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, service.CheckOrder(tc.in), tc.field, tc.summary, tc.cite)
		})
	}
}

func TestCheckOrderOrganization(t *testing.T) {
	t.Parallel()
	edit := func(in service.OrderInput, f func(o *service.Organization)) service.OrderInput {
		o := *in.Organization
		f(&o)
		in.Organization = &o
		return in
	}
	tests := []struct {
		name    string
		in      service.OrderInput
		field   string
		summary string
		cite    string
	}{
		{name: "ok/OV with name, country and province", in: ov(ca.BrandSecureSite, "www.example.com")},
		{name: "ok/OV with locality only", in: edit(ov(ca.BrandSecureSite, "www.example.com"), func(o *service.Organization) { o.Province = "" })},
		{name: "error/OV without organization", in: with(ov(ca.BrandSecureSite, "www.example.com"), func(in *service.OrderInput) { in.Organization = nil }),
			field: "organization", summary: "Organization Required"},
		{name: "error/OV_PRO without organization", in: with(ov(ca.BrandSecureSite, "www.example.com"), func(in *service.OrderInput) { in.CertificateType, in.Organization = service.TypeOVPro, nil }),
			field: "organization", summary: "Organization Required"},
		{name: "error/OV without name", in: edit(ov(ca.BrandSecureSite, "www.example.com"), func(o *service.Organization) { o.Name = "  " }),
			field: "organization", summary: "Organization Incomplete", cite: "name"},
		{name: "error/OV with a country that is not two letters", in: edit(ov(ca.BrandSecureSite, "www.example.com"), func(o *service.Organization) { o.Country = "China" }),
			field: "organization", summary: "Organization Incomplete", cite: "country"},
		{name: "error/OV with a two-character country that is not letters", in: edit(ov(ca.BrandSecureSite, "www.example.com"), func(o *service.Organization) { o.Country = "C1" }),
			field: "organization", summary: "Organization Incomplete", cite: "country"},
		{name: "error/OV without province and locality", in: edit(ov(ca.BrandSecureSite, "www.example.com"), func(o *service.Organization) { o.Province, o.Locality = "", "" }),
			field: "organization", summary: "Organization Incomplete", cite: "province or locality"},
		{name: "ok/EV with registration number, business category and jurisdiction", in: ev(ca.BrandGeoTrust, "www.example.com")},
		{name: "error/EV without organization", in: with(ev(ca.BrandGeoTrust, "www.example.com"), func(in *service.OrderInput) { in.Organization = nil }),
			field: "organization", summary: "Organization Required", cite: "registration_number"},
		{name: "error/EV without registration number", in: edit(ev(ca.BrandGeoTrust, "www.example.com"), func(o *service.Organization) { o.RegistrationNumber = "" }),
			field: "organization", summary: "Organization Incomplete", cite: "registration_number"},
		{name: "error/EV without business category", in: edit(ev(ca.BrandGeoTrust, "www.example.com"), func(o *service.Organization) { o.BusinessCategory = "" }),
			field: "organization", summary: "Organization Incomplete", cite: "business_category"},
		{name: "error/EV with a business category outside the CA/B Forum list", in: edit(ev(ca.BrandGeoTrust, "www.example.com"), func(o *service.Organization) { o.BusinessCategory = "Startup" }),
			field: "organization", summary: "Organization Incomplete", cite: "business_category"},
		{name: "ok/EV business category in any case", in: edit(ev(ca.BrandGeoTrust, "www.example.com"), func(o *service.Organization) { o.BusinessCategory = "government entity" })},
		{name: "error/EV without jurisdiction country", in: edit(ev(ca.BrandGeoTrust, "www.example.com"), func(o *service.Organization) { o.JurisdictionCountry = "" }),
			field: "organization", summary: "Organization Incomplete", cite: "jurisdiction_country"},
		{name: "ok/OV needs no EV fields", in: edit(ov(ca.BrandGeoTrust, "www.example.com"), func(o *service.Organization) { o.BusinessCategory = "" })},
		{name: "error/organization on DV", in: with(dv("www.example.com"), func(in *service.OrderInput) { in.Organization = org() }),
			field: "organization", summary: "Organization Not Used"},
		{name: "error/organization on free DV", in: with(freeDV("www.example.com"), func(in *service.OrderInput) { in.Organization = org() }),
			field: "organization", summary: "Organization Not Used"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, service.CheckOrder(tc.in), tc.field, tc.summary, tc.cite)
		})
	}
}

func checkProblems(t *testing.T, ps []certs.Problem, field, summary, cite string) {
	t.Helper()
	if field == "" {
		if len(ps) > 0 {
			t.Fatalf("refused: %+v", ps)
		}
		return
	}
	for _, p := range ps {
		if p.Field == field && p.Summary == summary && strings.Contains(p.Message, cite) {
			return
		}
	}
	t.Fatalf("want a problem on %s %q citing %q, got %+v", field, summary, cite, ps)
}

func TestOrderIssuesAtOnceUnderAutomaticReviewAndValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	tests := []struct {
		name     string
		in       service.OrderInput
		validity time.Duration
		check    func(t *testing.T, leaf *x509.Certificate)
	}{
		{name: "ok/paid DV defaults to one year", in: dv("www.example.com"), validity: 365 * day},
		{name: "ok/free DV defaults to 90 days", in: freeDV("free.example.com"), validity: 90 * day},
		{name: "ok/short-lived certificate of 7 days (validity_days)", in: with(dv("short.example.com"), func(in *service.OrderInput) { in.ValidityDays = 7 }), validity: 7 * day},
		{name: "ok/OV carries the organization in the subject", in: ov(ca.BrandSecureSite, "ov.example.com"), validity: 365 * day,
			check: func(t *testing.T, leaf *x509.Certificate) {
				if got := leaf.Subject.Organization; len(got) != 1 || got[0] != "Example Ltd" {
					t.Fatalf("subject O = %q", got)
				}
			}},
		{name: "ok/EV carries the business category", in: ev(ca.BrandGlobalSign, "ev.example.com"), validity: 365 * day,
			check: func(t *testing.T, leaf *x509.Certificate) {
				oid := asn1.ObjectIdentifier{2, 5, 4, 15}
				for _, n := range leaf.Subject.Names {
					if n.Type.Equal(oid) && n.Value == "Private Organization" {
						return
					}
				}
				t.Fatalf("no businessCategory in %v", leaf.Subject)
			}},
		{name: "ok/wildcard with SANs on paid DV", in: with(dv("*.wild.example.com"), func(in *service.OrderInput) { in.SANs = []string{"wild.example.com"} }), validity: 365 * day,
			check: func(t *testing.T, leaf *x509.Certificate) {
				if len(leaf.DNSNames) != 2 {
					t.Fatalf("DNS names %q", leaf.DNSNames)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.order(tc.in)
			wantStatus(t, c, service.StatusIssued)
			if c.StatusCode != 1 || c.SerialNumber == "" || c.Version != 1 || c.Source != service.SourceIssued {
				t.Fatalf("issued record: code %d serial %q version %d source %s", c.StatusCode, c.SerialNumber, c.Version, c.Source)
			}
			if !c.NotBefore.Equal(e.now()) || c.NotAfter.Sub(c.NotBefore) != tc.validity {
				t.Fatalf("validity %s – %s, want %s from %s", c.NotBefore, c.NotAfter, tc.validity, e.now())
			}
			leaf := parsePEMCert(t, c.LeafPEM)
			if k := e.getKeys(c.ID).PrivateKeyPEM; !strings.Contains(k, "BEGIN PRIVATE KEY") {
				t.Fatalf("no private key: %q", k)
			}
			if tc.check != nil {
				tc.check(t, leaf)
			}
		})
	}
}

func TestOrderRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	t.Run("error/product rule refused with every problem", func(t *testing.T) {
		_, err := e.svc.Order(e.ctx, "", with(freeDV("*.example.com"), func(in *service.OrderInput) { in.ValidityDays = 120 }))
		wantErr(t, err, service.CodeInvalidOrder, "")
		var se *service.Error
		_ = asServiceError(err, &se)
		if len(se.Problems) != 2 {
			t.Fatalf("problems %+v", se.Problems)
		}
	})
	t.Run("error/name required", func(t *testing.T) {
		_, err := e.svc.Order(e.ctx, "", with(dv("www.example.com"), func(in *service.OrderInput) { in.Name = " " }))
		wantErr(t, err, service.CodeInvalidArgument, "")
	})
	t.Run("error/refused order leaves no record", func(t *testing.T) {
		list, err := e.svc.List(e.ctx, service.Filter{})
		wantNoErr(t, err)
		if len(list) != 0 {
			t.Fatalf("records: %d", len(list))
		}
	})
}

func asServiceError(err error, target **service.Error) bool {
	se, ok := err.(*service.Error)
	if ok {
		*target = se
	}
	return ok
}

func TestOrderIdempotentRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		review string
	}{
		{name: "ok/retry of an issued order returns the same id", review: service.ReviewAuto},
		{name: "ok/retry of a pending order returns the same id", review: service.ReviewManual},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOpts{review: tc.review})
			in := dv("www.example.com")
			a, err := e.svc.Order(e.ctx, "key-1", in)
			wantNoErr(t, err)
			e.advance(time.Minute)
			b, err := e.svc.Order(e.ctx, "key-1", in)
			wantNoErr(t, err)
			if a.ID != b.ID || a.SerialNumber != b.SerialNumber {
				t.Fatalf("retry gave %s/%s, first %s/%s", b.ID, b.SerialNumber, a.ID, a.SerialNumber)
			}
			list, err := e.svc.List(e.ctx, service.Filter{})
			wantNoErr(t, err)
			if len(list) != 1 {
				t.Fatalf("%d records after a retry", len(list))
			}
			_, err = e.svc.Order(e.ctx, "key-1", dv("other.example.com"))
			wantErr(t, err, service.CodeIdempotencyReused, "")
			c, err := e.svc.Order(e.ctx, "key-2", in)
			wantNoErr(t, err)
			if c.ID == a.ID {
				t.Fatal("a new key made no new order")
			}
		})
	}
}

func TestManualReview(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{review: service.ReviewManual})
	t.Run("ok/order waits in pending_review, approval issues it", func(t *testing.T) {
		c := e.order(ov(ca.BrandSecureSite, "a.example.com"))
		wantStatus(t, c, service.StatusPendingReview)
		if c.StatusCode != 0 || c.SerialNumber != "" || !strings.Contains(c.Order.Pending, "review approve") {
			t.Fatalf("pending order: code %d serial %q pending %q", c.StatusCode, c.SerialNumber, c.Order.Pending)
		}
		if k := e.getKeys(c.ID); k.PrivateKeyPEM != "" || k.LeafPEM != "" {
			t.Fatal("a pending order has a key or certificate")
		}
		a, err := e.svc.Advance(e.ctx, c.ID)
		wantNoErr(t, err)
		wantStatus(t, a, service.StatusPendingReview)
		e.advance(2 * day)
		c, err = e.svc.Review(e.ctx, c.ID, true, "")
		wantNoErr(t, err)
		wantStatus(t, c, service.StatusIssued)
		if !c.NotBefore.Equal(e.now()) || c.NotAfter.Sub(c.NotBefore) != 365*day {
			t.Fatalf("validity counts from approval: %s – %s", c.NotBefore, c.NotAfter)
		}
		_, err = e.svc.Review(e.ctx, c.ID, true, "")
		wantErr(t, err, service.CodeNothingToReview, "")
	})
	t.Run("ok/rejection ends in review_failed with the reason", func(t *testing.T) {
		c := e.order(dv("b.example.com"))
		wantStatus(t, c, service.StatusPendingReview)
		c, err := e.svc.Review(e.ctx, c.ID, false, "domain owner unknown")
		wantNoErr(t, err)
		wantStatus(t, c, service.StatusReviewFailed)
		if c.StatusCode != 2 || !strings.Contains(c.Order.Pending, "domain owner unknown") {
			t.Fatalf("review_failed: code %d note %q", c.StatusCode, c.Order.Pending)
		}
		_, err = e.svc.Review(e.ctx, c.ID, true, "")
		wantErr(t, err, service.CodeNothingToReview, "")
	})
	t.Run("error/review of an uploaded certificate", func(t *testing.T) {
		up := upload(t, e)
		_, err := e.svc.Review(e.ctx, up.ID, true, "")
		wantErr(t, err, service.CodeWrongCertificateOp, "")
	})
}

func TestValidationHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{validation: service.ValidationHTTP})
	t.Run("ok/pending_validation until every file is served", func(t *testing.T) {
		in := with(dv("www.example.com"), func(in *service.OrderInput) {
			in.ValidationMethod, in.SANs = service.MethodFile, []string{"api.example.com"}
		})
		c := e.order(in)
		wantStatus(t, c, service.StatusPendingValidation)
		recs := c.Order.ValidationRecords
		if len(recs) != 2 {
			t.Fatalf("records %+v", recs)
		}
		for _, r := range recs {
			if r.Method != service.MethodFile || r.Path != "/.well-known/pki-validation/fileauth.txt" ||
				r.URL != "http://"+r.Domain+r.Path || r.Content == "" {
				t.Fatalf("file record %+v", r)
			}
		}
		c, err := e.svc.Advance(e.ctx, c.ID)
		wantNoErr(t, err)
		wantStatus(t, c, service.StatusPendingValidation)
		if !strings.Contains(c.Order.Pending, recs[0].Content) {
			t.Fatalf("pending text names no file: %q", c.Order.Pending)
		}
		e.web.put(recs[0].Domain, recs[0].Path, recs[0].Content)
		e.web.put(recs[1].Domain, recs[1].Path, "wrong content")
		c, err = e.svc.Advance(e.ctx, c.ID)
		wantNoErr(t, err)
		wantStatus(t, c, service.StatusPendingValidation)
		e.web.put(recs[1].Domain, recs[1].Path, recs[1].Content)
		e.advance(time.Hour)
		c, err = e.svc.Advance(e.ctx, c.ID)
		wantNoErr(t, err)
		wantStatus(t, c, service.StatusIssued)
		// The records stay after issue: configurations that published them keep
		// referring to them.
		if len(c.Order.ValidationRecords) != 2 || !c.NotBefore.Equal(e.now()) {
			t.Fatalf("issued: records %+v not_before %s", c.Order.ValidationRecords, c.NotBefore)
		}
	})
	t.Run("ok/*_AUTO method issues at once", func(t *testing.T) {
		for _, m := range []string{service.MethodDNSAuto, service.MethodFileAuto} {
			c := e.order(with(dv("auto.example.com"), func(in *service.OrderInput) { in.ValidationMethod = m }))
			wantStatus(t, c, service.StatusIssued)
		}
	})
	t.Run("ok/advance of an issued certificate changes nothing", func(t *testing.T) {
		c := e.order(with(dv("idle.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodFileAuto }))
		a, err := e.svc.Advance(e.ctx, c.ID)
		wantNoErr(t, err)
		if a.SerialNumber != c.SerialNumber || a.Status != c.Status {
			t.Fatalf("advance changed an issued certificate")
		}
	})
}

func TestValidationHTTPThenManualReview(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{validation: service.ValidationHTTP, review: service.ReviewManual})
	c := e.order(with(ov(ca.BrandGeoTrust, "www.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodFile }))
	wantStatus(t, c, service.StatusPendingValidation)
	e.publish(c)
	c, err := e.svc.Advance(e.ctx, c.ID)
	wantNoErr(t, err)
	wantStatus(t, c, service.StatusPendingReview)
	c, err = e.svc.Review(e.ctx, c.ID, true, "")
	wantNoErr(t, err)
	wantStatus(t, c, service.StatusIssued)
}

func TestValidationDNS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{validation: service.ValidationDNS})
	in := with(dv("*.example.com"), func(in *service.OrderInput) {
		in.ValidationMethod, in.SANs = service.MethodDNS, []string{"example.com"}
	})
	c := e.order(in)
	wantStatus(t, c, service.StatusPendingValidation)
	recs := c.Order.ValidationRecords
	if len(recs) != 1 || recs[0].Type != "TXT" || recs[0].Name != "_dnsauth.example.com" || recs[0].Value == "" {
		t.Fatalf("a wildcard and its base share one TXT record: %+v", recs)
	}
	c, err := e.svc.Advance(e.ctx, c.ID)
	wantNoErr(t, err)
	wantStatus(t, c, service.StatusPendingValidation)
	e.dns.put(recs[0].Name, "something else")
	c, err = e.svc.Advance(e.ctx, c.ID)
	wantNoErr(t, err)
	wantStatus(t, c, service.StatusPendingValidation)
	e.dns.put(recs[0].Name, recs[0].Value)
	c, err = e.svc.Advance(e.ctx, c.ID)
	wantNoErr(t, err)
	wantStatus(t, c, service.StatusIssued)
}

// upload hosts a self-signed ECC certificate valid around the environment's clock.
func upload(t *testing.T, e *env) *service.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := certstest.SelfSigned(t, certstest.LeafOptions{Alg: certstest.ECC, Key: key, CommonName: "uploaded.example.com",
		NotBefore: e.now().Add(-time.Hour), NotAfter: e.now().Add(200 * day)})
	c, _, err := e.svc.Upload(e.ctx, "", service.UploadInput{Name: "uploaded",
		Material: certs.UploadInput{CertificatePEM: leaf.CertPEM, PrivateKeyPEM: leaf.KeyPEM(t, certstest.PKCS8)}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
