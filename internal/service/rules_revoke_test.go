package service_test

// Service tests for the revocation rules R1–R7 of RULES.md, with the fake clock on
// both sides of the 30-day (R4), 2020-03-25 (R6) and 3-day (R7) boundaries.

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

// Letters by content (R7 checks the content, not the name).
func letter(kind string, size int) []byte {
	magic := map[string][]byte{
		"jpg": {0xFF, 0xD8, 0xFF, 0xE0},
		"png": []byte("\x89PNG\r\n\x1a\n"),
		"gif": []byte("GIF89a"),
		"pdf": []byte("%PDF-1.7\n"),
		"txt": []byte("please revoke"),
	}[kind]
	if size < len(magic) {
		size = len(magic)
	}
	return append(magic, bytes.Repeat([]byte{0}, size-len(magic))...)
}

func TestDetectFileType(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, kind, want string }{
		{"ok/JPEG", "jpg", "jpg"}, {"ok/PNG", "png", "png"}, {"ok/GIF89a", "gif", "gif"},
		{"ok/PDF", "pdf", "pdf"}, {"ok/text is no letter type", "txt", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := service.DetectFileType(letter(tc.kind, 100)); got != tc.want {
				t.Fatalf("DetectFileType = %q, want %q", got, tc.want)
			}
		})
	}
	if got := service.DetectFileType([]byte("GIF87a...")); got != "gif" {
		t.Fatalf("GIF87a: %q", got)
	}
}

func TestCheckLetter(t *testing.T) {
	t.Parallel()
	dnspodSM := []string{"jpg", "gif", "pdf"}
	other := []string{"jpg", "png", "pdf"}
	tests := []struct {
		name    string
		letter  []byte
		types   []string
		summary string // "" = accepted
	}{
		{"ok/DNSPod SM application file as JPG (R7)", letter("jpg", 1000), dnspodSM, ""},
		{"ok/DNSPod SM application file as GIF (R7)", letter("gif", 1000), dnspodSM, ""},
		{"ok/DNSPod SM application file as PDF (R7)", letter("pdf", 1000), dnspodSM, ""},
		{"error/DNSPod SM application file as PNG (R7)", letter("png", 1000), dnspodSM, "Revocation Letter Type Refused"},
		{"ok/confirmation letter as JPG (R7)", letter("jpg", 1000), other, ""},
		{"ok/confirmation letter as PNG (R7)", letter("png", 1000), other, ""},
		{"ok/confirmation letter as PDF (R7)", letter("pdf", 1000), other, ""},
		{"error/confirmation letter as GIF (R7)", letter("gif", 1000), other, "Revocation Letter Type Refused"},
		{"error/letter that is neither image nor PDF (R7)", letter("txt", 1000), other, "Revocation Letter Type Refused"},
		{"error/no letter (R7)", nil, other, "Revocation Letter Required"},
		{"ok/letter of exactly 1.4 MB (R7)", letter("pdf", service.MaxLetterBytes), other, ""},
		{"error/letter one byte over 1.4 MB (R7)", letter("pdf", service.MaxLetterBytes+1), other, "Revocation Letter Too Large"},
		{"error/application file one byte over 1.4 MB (R7)", letter("gif", service.MaxLetterBytes+1), dnspodSM, "Revocation Letter Too Large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := service.CheckLetter(tc.letter, tc.types)
			if tc.summary == "" {
				wantNoErr(t, err)
				return
			}
			wantErr(t, err, service.CodeInvalidArgument, "rule R7")
			if se := err.(*service.Error); se.Summary != tc.summary || se.Field != "revocation_letter_path" {
				t.Fatalf("summary %q field %q, want %q on revocation_letter_path", se.Summary, se.Field, tc.summary)
			}
		})
	}
	if service.MaxLetterBytes != 1_400_000 {
		t.Fatalf("MaxLetterBytes = %d, want 1.4 MB", service.MaxLetterBytes)
	}
}

func TestRevokeUploaded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	up := upload(t, e)
	t.Run("error/revoke an uploaded certificate (R1)", func(t *testing.T) {
		wantErr(t, e.svc.CheckRevoke(e.ctx, up.ID, service.RevokeInput{}), service.CodeWrongCertificateOp, "rule R1")
		_, err := e.svc.Revoke(e.ctx, "", up.ID, service.RevokeInput{Reason: "keyCompromise"})
		wantErr(t, err, service.CodeWrongCertificateOp, "rule R1")
		wantStatus(t, e.get(up.ID), service.StatusIssued)
	})
	t.Run("ok/an uploaded certificate is deleted at any time (D1)", func(t *testing.T) {
		wantNoErr(t, e.svc.Delete(e.ctx, up.ID))
	})
}

func TestRevocationBlocksDownload(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{review: service.ReviewManual})
	tests := []struct {
		name string
		in   service.OrderInput
	}{
		{name: "OV with a confirmation letter", in: ov(ca.BrandSecureSite, "ov.example.com")},
		{name: "DNSPod SM2 OV with both keys", in: with(ov(ca.BrandDNSPod, "sm2.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm = ca.AlgorithmSM2 })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.issue(tc.in)
			if k := e.getKeys(c.ID); k.PrivateKeyPEM == "" {
				t.Fatal("no key before the revocation")
			}
			r := e.revoke(c.ID, service.RevokeInput{Reason: "cessationOfOperation", Letter: letter("pdf", 2000)})
			wantStatus(t, r, service.StatusRevoking)
			if r.StatusCode != 9 {
				t.Fatalf("status code %d", r.StatusCode)
			}
			t.Run("ok/a submitted revocation hides the keys (R2)", func(t *testing.T) {
				k := e.getKeys(c.ID)
				if k.PrivateKeyPEM != "" || k.EncryptionPrivateKeyPEM != "" {
					t.Fatal("keys downloadable while revoking")
				}
			})
			t.Run("error/a submitted revocation cannot be cancelled (R2)", func(t *testing.T) {
				_, err := e.svc.Cancel(e.ctx, "", c.ID)
				wantErr(t, err, service.CodeCancelRefused, "")
				wantStatus(t, e.get(c.ID), service.StatusRevoking)
			})
			t.Run("error/reissue while revoking (R2)", func(t *testing.T) {
				_, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{})
				wantErr(t, err, service.CodeReissueRefused, "")
			})
			t.Run("error/delete while revoking (R8)", func(t *testing.T) {
				wantErr(t, e.svc.Delete(e.ctx, c.ID), service.CodeDeletionRefused, "rule R8")
			})
			t.Run("ok/submitting again changes nothing (R2)", func(t *testing.T) {
				again := e.revoke(c.ID, service.RevokeInput{Reason: "keyCompromise", Letter: letter("pdf", 2000)})
				wantStatus(t, again, service.StatusRevoking)
				if again.Order.RevocationReason != "cessationOfOperation" {
					t.Fatalf("reason %q", again.Order.RevocationReason)
				}
			})
			t.Run("ok/approved: revoked, keys stay hidden (R2)", func(t *testing.T) {
				done, err := e.svc.Review(e.ctx, c.ID, true, "")
				wantNoErr(t, err)
				wantStatus(t, done, service.StatusRevoked)
				if done.StatusCode != 10 {
					t.Fatalf("status code %d", done.StatusCode)
				}
				if k := e.getKeys(c.ID); k.PrivateKeyPEM != "" || k.EncryptionPrivateKeyPEM != "" {
					t.Fatal("keys downloadable after revocation")
				}
			})
		})
	}
}

func TestRevocationOnCRLAndOCSP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	c := e.issue(dv("www.example.com"))
	id, issuer := caID(t, c), parsePEMCert(t, c.CAChainPEM)
	t.Run("ok/good before the revocation (R3)", func(t *testing.T) {
		if _, ok := e.crl(id, issuer)[hexNoPad(c.SerialNumber)]; ok {
			t.Fatal("serial on the CRL before revocation")
		}
		if got := e.ocspStatus(id, c.LeafPEM, issuer); got != ocsp.Good {
			t.Fatalf("OCSP %d", got)
		}
	})
	e.advance(day)
	r := e.revoke(c.ID, service.RevokeInput{Reason: "keyCompromise"})
	t.Run("ok/the CRL lists the serial and OCSP says revoked (R3)", func(t *testing.T) {
		wantStatus(t, r, service.StatusRevoked)
		if r.Order.RevocationReason != "keyCompromise" {
			t.Fatalf("reason %q", r.Order.RevocationReason)
		}
		reason, ok := e.crl(id, issuer)[hexNoPad(c.SerialNumber)]
		if !ok || reason != ca.ReasonKeyCompromise {
			t.Fatalf("CRL entry %v reason %d", ok, reason)
		}
		if got := e.ocspStatus(id, c.LeafPEM, issuer); got != ocsp.Revoked {
			t.Fatalf("OCSP %d", got)
		}
	})
	t.Run("ok/the CRL keeps the serial after the record is deleted (R3, R8)", func(t *testing.T) {
		wantNoErr(t, e.svc.Delete(e.ctx, c.ID))
		if _, ok := e.crl(id, issuer)[hexNoPad(c.SerialNumber)]; !ok {
			t.Fatal("serial left the CRL")
		}
	})
}

func TestRevokeExpiryWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	sm2 := func(in service.OrderInput) service.OrderInput {
		in.Brand, in.KeyAlgorithm = ca.BrandDNSPod, ca.AlgorithmSM2
		return in
	}
	woTrus := func(in service.OrderInput) service.OrderInput {
		in.Brand = ca.BrandWoTrus
		return in
	}
	tests := []struct {
		name         string
		in           service.OrderInput
		beforeExpiry time.Duration
		summary      string // "" = revoked
		cite         string
	}{
		{name: "ok/revoke 31 days before expiry (R4)", in: dv("a.example.com"), beforeExpiry: 31 * day},
		{name: "ok/revoke 30 days and 1 minute before expiry (R4)", in: dv("a.example.com"), beforeExpiry: 30*day + time.Minute},
		{name: "error/revoke exactly 30 days before expiry (R4)", in: dv("a.example.com"), beforeExpiry: 30 * day,
			summary: "Certificate Due For Renewal", cite: "rule R4"},
		{name: "error/revoke within 30 days of expiry (R4)", in: dv("a.example.com"), beforeExpiry: 30*day - time.Minute,
			summary: "Certificate Due For Renewal", cite: "rule R4"},
		{name: "error/OV within 30 days of expiry (R4)", in: ov(ca.BrandGlobalSign, "a.example.com"), beforeExpiry: 10 * day,
			summary: "Certificate Due For Renewal", cite: "rule R4"},
		{name: "ok/DNSPod SM2 31 days before expiry (R4)", in: sm2(dv("a.example.com")), beforeExpiry: 31 * day},
		{name: "error/DNSPod SM2 within 30 days of expiry (R4)", in: sm2(dv("a.example.com")), beforeExpiry: 30*day - time.Minute,
			summary: "Certificate Due For Renewal", cite: "rule R4"},
		{name: "ok/WoTrus within 30 days of expiry (R4)", in: woTrus(dv("a.example.com")), beforeExpiry: 30*day - time.Minute},
		{name: "ok/WoTrus SM2 OV a day before expiry (R4)", in: woTrus(with(ov(ca.BrandWoTrus, "a.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm = ca.AlgorithmSM2 })), beforeExpiry: day},
		{name: "error/revoke an expired certificate (D1)", in: woTrus(dv("a.example.com")), beforeExpiry: -time.Minute,
			summary: "Certificate Expired", cite: "rule D1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.set(t0)
			c := e.issue(tc.in)
			e.set(c.NotAfter.Add(-tc.beforeExpiry))
			checkErr := e.svc.CheckRevoke(e.ctx, c.ID, service.RevokeInput{})
			r, err := e.svc.Revoke(e.ctx, "", c.ID, service.RevokeInput{})
			if tc.summary == "" {
				wantNoErr(t, checkErr)
				wantNoErr(t, err)
				wantStatus(t, r, service.StatusRevoked)
				return
			}
			for _, err := range []error{checkErr, err} {
				wantErr(t, err, service.CodeRevocationRefused, tc.cite)
				if se := err.(*service.Error); se.Summary != tc.summary {
					t.Fatalf("summary %q, want %q", se.Summary, tc.summary)
				}
			}
		})
	}
}

func TestRevokeReissuedRevokesEverySerial(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	c := e.issue(dv("www.example.com"))
	e.advance(5 * day)
	r1 := e.reissue(c.ID, service.ReissueInput{})
	e.advance(5 * day)
	r2 := e.reissue(c.ID, service.ReissueInput{})
	id, issuer := caID(t, c), parsePEMCert(t, c.CAChainPEM)
	if _, ok := e.crl(id, issuer)[hexNoPad(r2.SerialNumber)]; ok {
		t.Fatal("current serial on the CRL before the revocation")
	}
	e.revoke(c.ID, service.RevokeInput{Reason: "affiliationChanged"})
	t.Run("ok/revoking the original revokes every reissue with it (R5)", func(t *testing.T) {
		crl := e.crl(id, issuer)
		for _, v := range []*service.Certificate{c, r1, r2} {
			if _, ok := crl[hexNoPad(v.SerialNumber)]; !ok {
				t.Fatalf("serial %s (version %d) not on the CRL", v.SerialNumber, v.Version)
			}
			if got := e.ocspStatus(id, v.LeafPEM, issuer); got != ocsp.Revoked {
				t.Fatalf("OCSP of version %d: %d", v.Version, got)
			}
		}
		if crl[hexNoPad(r2.SerialNumber)] != ca.ReasonAffiliationChanged {
			t.Fatalf("reason of the current serial %d", crl[hexNoPad(r2.SerialNumber)])
		}
	})
}

func TestRevokeIssuedBefore20200325(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		brand   string
		issued  time.Time
		refused bool
	}{
		{name: "error/issued a second before 2020-03-25 (R6)", brand: ca.BrandTrustAsia, issued: time.Date(2020, 3, 24, 23, 59, 59, 0, time.UTC), refused: true},
		{name: "error/issued on 2020-01-01 (R6)", brand: ca.BrandTrustAsia, issued: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), refused: true},
		{name: "error/WoTrus issued before 2020-03-25 (R6)", brand: ca.BrandWoTrus, issued: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), refused: true},
		{name: "ok/issued at 2020-03-25 00:00 UTC (R6)", brand: ca.BrandTrustAsia, issued: time.Date(2020, 3, 25, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{start: tc.issued})
			c := e.issue(with(dv("www.example.com"), func(in *service.OrderInput) { in.Brand = tc.brand }))
			e.set(time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC))
			checkErr := e.svc.CheckRevoke(e.ctx, c.ID, service.RevokeInput{})
			r, err := e.svc.Revoke(e.ctx, "", c.ID, service.RevokeInput{})
			if !tc.refused {
				wantNoErr(t, checkErr)
				wantNoErr(t, err)
				wantStatus(t, r, service.StatusRevoked)
				return
			}
			wantErr(t, checkErr, service.CodeRevocationRefused, "rule R6")
			wantErr(t, err, service.CodeRevocationRefused, "rule R6")
		})
	}
}

// TestRevocationRoutes is R7 under review_policy = manual: who needs a letter of which
// type, and who waits for the reviewer.
func TestRevocationRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{review: service.ReviewManual})
	sm2 := func(in service.OrderInput) service.OrderInput {
		in.Brand, in.KeyAlgorithm = ca.BrandDNSPod, ca.AlgorithmSM2
		return in
	}
	auto := func(in service.OrderInput) service.OrderInput {
		in.ValidationMethod = service.MethodDNSAuto
		return in
	}
	tests := []struct {
		name    string
		in      service.OrderInput
		letter  []byte
		summary string // "" = accepted
		review  bool   // accepted: waits for the reviewer (else revoked at once)
	}{
		{name: "ok/WoTrus DV: a reason, then manual review (R7)", in: with(dv("w1.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandWoTrus }), review: true},
		{name: "ok/WoTrus OV needs no letter, then manual review (R7)", in: ov(ca.BrandWoTrus, "w2.example.com"), review: true},
		{name: "ok/WoTrus SM2 EV needs no letter, then manual review (R7)", in: with(ev(ca.BrandWoTrus, "w3.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm = ca.AlgorithmSM2 }), review: true},
		{name: "ok/DNSPod SM2 DV: a reason, then manual review (R7)", in: sm2(dv("d1.example.com")), review: true},
		{name: "ok/DNSPod SM2 OV with a JPG application file (R7)", in: sm2(ov(ca.BrandDNSPod, "d2.example.com")), letter: letter("jpg", 5000), review: true},
		{name: "ok/DNSPod SM2 OV with a GIF application file (R7)", in: sm2(ov(ca.BrandDNSPod, "d3.example.com")), letter: letter("gif", 5000), review: true},
		{name: "ok/DNSPod SM2 EV with a PDF application file (R7)", in: sm2(ev(ca.BrandDNSPod, "d4.example.com")), letter: letter("pdf", 5000), review: true},
		{name: "error/DNSPod SM2 OV with a PNG application file (R7)", in: sm2(ov(ca.BrandDNSPod, "d5.example.com")), letter: letter("png", 5000), summary: "Revocation Letter Type Refused"},
		{name: "error/DNSPod SM2 OV without an application file (R7)", in: sm2(ov(ca.BrandDNSPod, "d6.example.com")), summary: "Revocation Letter Required"},
		{name: "error/DNSPod SM2 OV application file over 1.4 MB (R7)", in: sm2(ov(ca.BrandDNSPod, "d7.example.com")), letter: letter("gif", service.MaxLetterBytes+1), summary: "Revocation Letter Too Large"},
		{name: "error/DNSPod SM2 OV with DNS_AUTO still sends its application file (R7)", in: auto(sm2(ov(ca.BrandDNSPod, "d8.example.com"))), summary: "Revocation Letter Required"},
		{name: "ok/other OV with a JPG confirmation letter (R7)", in: ov(ca.BrandSecureSite, "o1.example.com"), letter: letter("jpg", 5000), review: true},
		{name: "ok/other OV with a PNG confirmation letter (R7)", in: ov(ca.BrandGeoTrust, "o2.example.com"), letter: letter("png", 5000), review: true},
		{name: "ok/other EV with a PDF confirmation letter of exactly 1.4 MB (R7)", in: ev(ca.BrandGlobalSign, "o3.example.com"), letter: letter("pdf", service.MaxLetterBytes), review: true},
		{name: "error/other OV with a GIF confirmation letter (R7)", in: ov(ca.BrandTrustAsia, "o4.example.com"), letter: letter("gif", 5000), summary: "Revocation Letter Type Refused"},
		{name: "error/other OV confirmation letter over 1.4 MB (R7)", in: ov(ca.BrandSecureSite, "o5.example.com"), letter: letter("pdf", service.MaxLetterBytes+1), summary: "Revocation Letter Too Large"},
		{name: "error/other OV without a confirmation letter (R7)", in: ov(ca.BrandSecureSite, "o6.example.com"), summary: "Revocation Letter Required"},
		{name: "error/other OV with a text file as letter (R7)", in: ov(ca.BrandSecureSite, "o7.example.com"), letter: letter("txt", 500), summary: "Revocation Letter Type Refused"},
		{name: "ok/other OV with DNS_AUTO needs no letter (R7)", in: auto(ov(ca.BrandSecureSite, "o8.example.com")), review: true},
		{name: "ok/other EV with FILE_AUTO needs no letter (R7)", in: with(ev(ca.BrandGeoTrust, "o9.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodFileAuto }), review: true},
		{name: "ok/DNSPod ECC OV is another OV: DNS_AUTO needs no letter (R7)", in: auto(ov(ca.BrandDNSPod, "o10.example.com")), review: true},
		{name: "ok/DNSPod ECC OV is another OV: a PNG confirmation letter (R7)", in: ov(ca.BrandDNSPod, "o11.example.com"), letter: letter("png", 5000), review: true},
		{name: "ok/other DV with automatic validation is revoked at once, no review (R7)", in: dv("v1.example.com")},
		{name: "ok/DNSPod ECC DV is another DV: revoked at once under validation = auto (R7)", in: with(dv("v2.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandDNSPod })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.issue(tc.in)
			in := service.RevokeInput{Reason: "cessationOfOperation", Letter: tc.letter, LetterName: "letter"}
			checkErr := e.svc.CheckRevoke(e.ctx, c.ID, in)
			r, err := e.svc.Revoke(e.ctx, "", c.ID, in)
			if tc.summary != "" {
				for _, err := range []error{checkErr, err} {
					wantErr(t, err, service.CodeInvalidArgument, "rule R7")
					if se := err.(*service.Error); se.Summary != tc.summary {
						t.Fatalf("summary %q, want %q", se.Summary, tc.summary)
					}
				}
				wantStatus(t, e.get(c.ID), service.StatusIssued)
				return
			}
			wantNoErr(t, checkErr)
			wantNoErr(t, err)
			if !tc.review {
				wantStatus(t, r, service.StatusRevoked)
				return
			}
			wantStatus(t, r, service.StatusRevoking)
			if !strings.Contains(r.Order.Pending, "reviewer") {
				t.Fatalf("pending %q", r.Order.Pending)
			}
			r, err = e.svc.Review(e.ctx, c.ID, true, "")
			wantNoErr(t, err)
			wantStatus(t, r, service.StatusRevoked)
		})
	}
	t.Run("ok/a rejected revocation leaves the certificate issued (R7)", func(t *testing.T) {
		c := e.issue(with(dv("rej.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandWoTrus }))
		e.revoke(c.ID, service.RevokeInput{})
		r, err := e.svc.Review(e.ctx, c.ID, false, "no reason given")
		wantNoErr(t, err)
		wantStatus(t, r, service.StatusIssued)
		if r.SerialNumber != c.SerialNumber || !strings.Contains(r.Order.Pending, "no reason given") {
			t.Fatalf("rejected revocation: %s %q", r.SerialNumber, r.Order.Pending)
		}
		if k := e.getKeys(c.ID); k.PrivateKeyPEM == "" {
			t.Fatal("key hidden after a rejected revocation")
		}
	})
	t.Run("error/unknown revocation reason", func(t *testing.T) {
		c := e.issue(with(dv("reason.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandWoTrus }))
		_, err := e.svc.Revoke(e.ctx, "", c.ID, service.RevokeInput{Reason: "boredom"})
		wantErr(t, err, service.CodeInvalidArgument, "")
	})
}

// TestRevokeDVDomainValidation is R7 for other DV certificates under validation =
// http / dns: validated within 3 days, or the revocation fails.
func TestRevokeDVDomainValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{validation: service.ValidationHTTP})
	file := func(in service.OrderInput) service.OrderInput {
		in.ValidationMethod = service.MethodFile
		return in
	}
	tests := []struct {
		name      string
		in        service.OrderInput
		validated time.Duration // published and advanced this long after submission; 0 = revoked at once
		revoked   bool
	}{
		{name: "ok/file validation 3 days minus a minute after submission revokes (R7)", in: file(dv("a.example.com")), validated: 3*day - time.Minute, revoked: true},
		{name: "ok/validation at once revokes (R7)", in: file(dv("b.example.com")), validated: time.Minute, revoked: true},
		{name: "error/no validation within 3 days: 3 days plus a minute fails the revocation (R7)", in: file(dv("c.example.com")), validated: 3*day + time.Minute},
		{name: "ok/DNS validation within 3 days revokes (R7)", in: with(dv("d.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodDNS }), validated: 2 * day, revoked: true},
		{name: "ok/DNSPod ECC DV validates like another DV (R7)", in: file(with(dv("e.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandDNSPod })), validated: day, revoked: true},
		{name: "ok/free DV validates within 3 days (R7)", in: file(freeDV("f.example.com")), validated: day, revoked: true},
		{name: "ok/DV with DNS_AUTO needs no validation (R7)", in: with(dv("g.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodDNSAuto }), revoked: true},
		{name: "ok/TrustAsia wildcard DV with DNS_AUTO needs no validation (R7)", in: with(dv("*.h.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodDNSAuto }), revoked: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.set(t0)
			c := e.issue(tc.in)
			e.advance(day)
			submitted := e.now()
			r := e.revoke(c.ID, service.RevokeInput{Reason: "superseded"})
			if tc.validated == 0 {
				wantStatus(t, r, service.StatusRevoked)
				return
			}
			wantStatus(t, r, service.StatusRevoking)
			recs := r.Order.ValidationRecords
			if len(recs) != 1 || recs[0].Method != strings.TrimSuffix(tc.in.ValidationMethod, "_AUTO") ||
				!strings.Contains(r.Order.Pending, "rule R7") {
				t.Fatalf("revocation records %+v pending %q", recs, r.Order.Pending)
			}
			if k := e.getKeys(c.ID); k.PrivateKeyPEM != "" {
				t.Fatal("key downloadable while the revocation validates (R2)")
			}
			a, err := e.svc.Advance(e.ctx, c.ID)
			wantNoErr(t, err)
			wantStatus(t, a, service.StatusRevoking)

			e.set(submitted.Add(tc.validated))
			e.publish(r)
			a, err = e.svc.Advance(e.ctx, c.ID)
			wantNoErr(t, err)
			id, issuer := caID(t, c), parsePEMCert(t, c.CAChainPEM)
			_, listed := e.crl(id, issuer)[hexNoPad(c.SerialNumber)]
			if tc.revoked {
				wantStatus(t, a, service.StatusRevoked)
				if !listed {
					t.Fatal("revoked serial not on the CRL")
				}
				return
			}
			wantStatus(t, a, service.StatusIssued)
			if listed || !strings.Contains(a.Order.Pending, "rule R7") {
				t.Fatalf("failed revocation: on CRL %v, note %q", listed, a.Order.Pending)
			}
			if k := e.getKeys(c.ID); k.PrivateKeyPEM == "" {
				t.Fatal("key still hidden after the revocation failed")
			}
			// It can be submitted again, and a validation in time revokes it.
			r = e.revoke(c.ID, service.RevokeInput{})
			wantStatus(t, r, service.StatusRevoking)
			e.publish(r)
			a, err = e.svc.Advance(e.ctx, c.ID)
			wantNoErr(t, err)
			wantStatus(t, a, service.StatusRevoked)
		})
	}
}
