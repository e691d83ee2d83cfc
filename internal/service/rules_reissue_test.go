package service_test

// Service tests for the reissue rules I1–I7 of RULES.md, with the fake clock on both
// sides of the 30-day, 3-day and 13-month boundaries.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

func TestReissueExpiryWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	tests := []struct {
		name         string
		beforeExpiry time.Duration // when the reissue is asked, before not_after (negative: after)
		summary      string        // "" = allowed
	}{
		{name: "ok/reissue 31 days before expiry (I1)", beforeExpiry: 31 * day},
		{name: "ok/reissue 30 days and 1 minute before expiry (I1)", beforeExpiry: 30*day + time.Minute},
		{name: "error/reissue exactly 30 days before expiry (I1)", beforeExpiry: 30 * day, summary: "Certificate Expires Too Soon"},
		{name: "error/reissue within 30 days of expiry (I1)", beforeExpiry: 30*day - time.Minute, summary: "Certificate Expires Too Soon"},
		{name: "error/reissue 1 day before expiry (I1)", beforeExpiry: day, summary: "Certificate Expires Too Soon"},
		{name: "error/reissue of an expired certificate (I1)", beforeExpiry: -time.Minute, summary: "Certificate Not Issued"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.set(t0)
			c := e.issue(dv("www.example.com"))
			e.set(c.NotAfter.Add(-tc.beforeExpiry))
			checkErr := e.svc.CheckReissue(e.ctx, c.ID, service.ReissueInput{})
			r, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{})
			if tc.summary == "" {
				wantNoErr(t, checkErr)
				wantNoErr(t, err)
				wantStatus(t, r, service.StatusIssued)
				if r.SerialNumber == c.SerialNumber {
					t.Fatal("reissue kept the serial")
				}
				return
			}
			for _, err := range []error{checkErr, err} {
				wantErr(t, err, service.CodeReissueRefused, "rule I1")
				if se := err.(*service.Error); se.Summary != tc.summary {
					t.Fatalf("summary %q, want %q", se.Summary, tc.summary)
				}
			}
			if got := e.get(c.ID); got.SerialNumber != c.SerialNumber || got.Version != 1 {
				t.Fatal("a refused reissue changed the certificate")
			}
		})
	}
}

func TestReissueRefusedStates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{review: service.ReviewManual})
	t.Run("error/reissue of a pending order (I1)", func(t *testing.T) {
		c := e.order(dv("pending.example.com"))
		_, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{})
		wantErr(t, err, service.CodeReissueRefused, "rule I1")
	})
	t.Run("error/reissue of a revoked certificate (I1)", func(t *testing.T) {
		c := e.issue(dv("revoked.example.com"))
		e.revoke(c.ID, service.RevokeInput{})
		_, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{})
		wantErr(t, err, service.CodeReissueRefused, "rule I1")
	})
	t.Run("error/reissue of an uploaded certificate", func(t *testing.T) {
		up := upload(t, e)
		_, err := e.svc.Reissue(e.ctx, "", up.ID, service.ReissueInput{})
		wantErr(t, err, service.CodeWrongCertificateOp, "")
		wantErr(t, e.svc.CheckReissue(e.ctx, up.ID, service.ReissueInput{}), service.CodeWrongCertificateOp, "")
	})
}

func TestReissueFreeDVOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	free := e.issue(freeDV("free.example.com"))
	paid := e.issue(dv("paid.example.com"))
	e.advance(5 * day)
	t.Run("ok/first reissue of a free DV (I2)", func(t *testing.T) {
		r := e.reissue(free.ID, service.ReissueInput{})
		if r.Order.ReissueCount != 1 {
			t.Fatalf("reissue_count %d", r.Order.ReissueCount)
		}
	})
	t.Run("error/second reissue of a free DV (I2)", func(t *testing.T) {
		wantErr(t, e.svc.CheckReissue(e.ctx, free.ID, service.ReissueInput{}), service.CodeReissueRefused, "rule I2")
		_, err := e.svc.Reissue(e.ctx, "", free.ID, service.ReissueInput{})
		wantErr(t, err, service.CodeReissueRefused, "rule I2")
	})
	t.Run("ok/a paid DV can be reissued again (I2)", func(t *testing.T) {
		e.reissue(paid.ID, service.ReissueInput{})
		r := e.reissue(paid.ID, service.ReissueInput{})
		if r.Order.ReissueCount != 2 {
			t.Fatalf("reissue_count %d", r.Order.ReissueCount)
		}
	})
	t.Run("error/free DV reissue takes no CSR (I6)", func(t *testing.T) {
		other := e.issue(freeDV("free2.example.com"))
		csr := certstest.CSRPEM(t, certstest.NewKey(t, certstest.ECC), "free2.example.com")
		_, err := e.svc.Reissue(e.ctx, "", other.ID, service.ReissueInput{CSRPEM: csr})
		wantErr(t, err, service.CodeInvalidArgument, "rule I6")
	})
}

// TestReissueOnePerPrimaryDomain covers I3 and I4 with the two ways a reissue waits:
// an OV of another brand waits for the CA's out-of-band check (manual review, I7), a
// free DV for file validation.
func TestReissueOnePerPrimaryDomain(t *testing.T) {
	t.Parallel()
	setups := []struct {
		name  string
		opts  envOpts
		order func(domain string) service.OrderInput
	}{
		{name: "OV waiting for review", opts: envOpts{review: service.ReviewManual},
			order: func(d string) service.OrderInput { return ov(ca.BrandGeoTrust, d) }},
		{name: "free DV waiting for file validation", opts: envOpts{validation: service.ValidationHTTP},
			order: func(d string) service.OrderInput {
				return with(freeDV(d), func(in *service.OrderInput) { in.ValidationMethod = service.MethodFile })
			}},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s.opts)
			a := e.issue(s.order("a.example.com"))
			b := e.issue(s.order("b.example.com"))
			apex := e.issue(s.order("example.com"))
			other := e.issue(s.order("a.example.org"))
			e.advance(day)

			r := e.reissue(a.ID, service.ReissueInput{})
			wantStatus(t, r, service.StatusReissuing)
			if r.StatusCode != 11 || r.SerialNumber != a.SerialNumber {
				t.Fatalf("reissuing: code %d serial %s", r.StatusCode, r.SerialNumber)
			}
			t.Run("error/reissue of a certificate being reissued (I4)", func(t *testing.T) {
				wantErr(t, e.svc.CheckReissue(e.ctx, a.ID, service.ReissueInput{}), service.CodeReissueRefused, "rule I4")
				_, err := e.svc.Reissue(e.ctx, "", a.ID, service.ReissueInput{})
				wantErr(t, err, service.CodeReissueRefused, "rule I4")
			})
			t.Run("error/another subdomain of the primary domain while one reissues (I3)", func(t *testing.T) {
				_, err := e.svc.Reissue(e.ctx, "", b.ID, service.ReissueInput{})
				wantErr(t, err, service.CodeReissueRefused, "rule I3")
				wantStatus(t, e.get(b.ID), service.StatusIssued)
			})
			t.Run("error/the primary domain itself while a subdomain reissues (I3)", func(t *testing.T) {
				_, err := e.svc.Reissue(e.ctx, "", apex.ID, service.ReissueInput{})
				wantErr(t, err, service.CodeReissueRefused, "rule I3")
			})
			t.Run("ok/another primary domain reissues meanwhile (I3)", func(t *testing.T) {
				o := e.settle(e.reissue(other.ID, service.ReissueInput{}))
				wantStatus(t, o, service.StatusIssued)
			})
			t.Run("ok/once the reissue completes the others can reissue (I3, I4)", func(t *testing.T) {
				done := e.settle(e.get(a.ID))
				wantStatus(t, done, service.StatusIssued)
				if done.SerialNumber == a.SerialNumber || done.Order.ReissueCount != 1 {
					t.Fatalf("completed reissue: serial %s count %d", done.SerialNumber, done.Order.ReissueCount)
				}
				wantStatus(t, e.settle(e.reissue(b.ID, service.ReissueInput{})), service.StatusIssued)
			})
		})
	}
}

func TestReissueKeepsValidity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	c := e.issue(dv("www.example.com"))
	e.advance(40 * day)
	r := e.reissue(c.ID, service.ReissueInput{Reason: "key rotation"})
	t.Run("ok/same not_after, new serial, key and not_before (I5)", func(t *testing.T) {
		wantStatus(t, r, service.StatusIssued)
		if !r.NotAfter.Equal(c.NotAfter) {
			t.Fatalf("not_after %s, original %s", r.NotAfter, c.NotAfter)
		}
		if r.SerialNumber == c.SerialNumber || r.FingerprintSHA256 == c.FingerprintSHA256 {
			t.Fatal("serial or fingerprint unchanged")
		}
		if !r.NotBefore.Equal(e.now()) || r.Version != 2 || r.Order.ReissueCount != 1 {
			t.Fatalf("not_before %s version %d count %d", r.NotBefore, r.Version, r.Order.ReissueCount)
		}
		if parsePEMCert(t, r.LeafPEM).PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(parsePEMCert(t, c.LeafPEM).PublicKey) {
			t.Fatal("reissue kept the key")
		}
	})
	t.Run("ok/the superseded serial is revoked as superseded, the new one is good (I5)", func(t *testing.T) {
		issuer := parsePEMCert(t, r.CAChainPEM)
		id := caID(t, r)
		crl := e.crl(id, issuer)
		if reason, ok := crl[hexNoPad(c.SerialNumber)]; !ok || reason != ca.ReasonSuperseded {
			t.Fatalf("old serial on CRL: %v (reason %d)", ok, reason)
		}
		if _, ok := crl[hexNoPad(r.SerialNumber)]; ok {
			t.Fatal("new serial on the CRL")
		}
		if got := e.ocspStatus(id, c.LeafPEM, issuer); got != ocsp.Revoked {
			t.Fatalf("OCSP of the old serial: %d", got)
		}
		if got := e.ocspStatus(id, r.LeafPEM, issuer); got != ocsp.Good {
			t.Fatalf("OCSP of the new serial: %d", got)
		}
	})
}

func TestReissueKeyInputs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	t.Run("ok/order with a password gives an encrypted PKCS#8 key (I6)", func(t *testing.T) {
		c := e.issue(with(dv("pw.example.com"), func(in *service.OrderInput) { in.Password = "s3cret" }))
		wantKey(t, e, c.ID, "s3cret")
		if _, err := ca.ParsePrivateKeyPEM(e.getKeys(c.ID).PrivateKeyPEM, "wrong"); err == nil {
			t.Fatal("the key opens with a wrong password")
		}
		wantPassword(t, e, c.ID, "s3cret", "other", "")
		if !c.Order.HasPassword {
			t.Fatal("has_password false")
		}
	})
	t.Run("ok/order without a password: only the empty password matches (I6)", func(t *testing.T) {
		c := e.issue(dv("nopw.example.com"))
		wantKey(t, e, c.ID, "")
		wantPassword(t, e, c.ID, "", "s3cret")
	})
	t.Run("ok/reissue with a new password replaces the old one (I6)", func(t *testing.T) {
		c := e.issue(with(dv("pw2.example.com"), func(in *service.OrderInput) { in.Password = "old-pass" }))
		e.advance(day)
		e.reissue(c.ID, service.ReissueInput{Password: "new-pass"})
		wantKey(t, e, c.ID, "new-pass")
		wantPassword(t, e, c.ID, "new-pass", "old-pass", "")
	})
	t.Run("ok/reissue without a password gives a plain key (I6)", func(t *testing.T) {
		c := e.issue(with(dv("pw3.example.com"), func(in *service.OrderInput) { in.Password = "old-pass" }))
		e.advance(day)
		r := e.reissue(c.ID, service.ReissueInput{})
		if r.Order.HasPassword {
			t.Fatal("has_password after a reissue without one")
		}
		wantKey(t, e, c.ID, "")
		wantPassword(t, e, c.ID, "", "old-pass")
	})
	t.Run("ok/SM2 password protects both keys (I6)", func(t *testing.T) {
		c := e.issue(with(dv("sm2.example.com"), func(in *service.OrderInput) {
			in.Brand, in.KeyAlgorithm, in.Password = ca.BrandDNSPod, ca.AlgorithmSM2, "sm2-pass"
		}))
		k := e.getKeys(c.ID)
		for _, pemText := range []string{k.PrivateKeyPEM, k.EncryptionPrivateKeyPEM} {
			if !strings.Contains(pemText, "ENCRYPTED PRIVATE KEY") {
				t.Fatalf("SM2 key not encrypted: %.40q", pemText)
			}
			if _, err := ca.ParsePrivateKeyPEM(pemText, "sm2-pass"); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("ok/reissue with a new key size (I6)", func(t *testing.T) {
		c := e.issue(dv("size.example.com"))
		r := e.reissue(c.ID, service.ReissueInput{KeyAlgorithm: ca.AlgorithmECC, KeySize: 384})
		pub, ok := parsePEMCert(t, r.LeafPEM).PublicKey.(*ecdsa.PublicKey)
		if r.KeySize != 384 || !ok || pub.Curve != elliptic.P384() {
			t.Fatalf("key size %d, key %T", r.KeySize, parsePEMCert(t, r.LeafPEM).PublicKey)
		}
		wantKey(t, e, c.ID, "")
	})
	t.Run("ok/reissue with a pasted CSR returns no key (I6)", func(t *testing.T) {
		c := e.issue(dv("csr.example.com"))
		key := certstest.NewKey(t, certstest.ECC384)
		r := e.reissue(c.ID, service.ReissueInput{CSRPEM: certstest.CSRPEM(t, key, "csr.example.com")})
		if r.KeySize != 384 || e.getKeys(c.ID).PrivateKeyPEM != "" {
			t.Fatalf("key size %d, key returned %v", r.KeySize, e.getKeys(c.ID).PrivateKeyPEM != "")
		}
		if !parsePEMCert(t, r.LeafPEM).PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
			t.Fatal("certificate not for the CSR's key")
		}
	})
	t.Run("error/reissue with a CSR and a password (I6)", func(t *testing.T) {
		c := e.issue(dv("csrpw.example.com"))
		csr := certstest.CSRPEM(t, certstest.NewKey(t, certstest.ECC), "csrpw.example.com")
		_, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{CSRPEM: csr, Password: "x"})
		wantErr(t, err, service.CodeInvalidArgument, "")
		if err.(*service.Error).Field != "private_key_password" {
			t.Fatalf("field %s", err.(*service.Error).Field)
		}
	})
	t.Run("error/reissue with a key size the algorithm lacks (I6)", func(t *testing.T) {
		c := e.issue(dv("badsize.example.com"))
		_, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{KeyAlgorithm: ca.AlgorithmECC, KeySize: 521})
		wantErr(t, err, service.CodeInvalidArgument, "")
	})
	t.Run("error/reissue with SM2 from a brand without SM2 (I6)", func(t *testing.T) {
		c := e.issue(dv("nosm2.example.com"))
		_, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{KeyAlgorithm: ca.AlgorithmSM2})
		wantErr(t, err, service.CodeInvalidArgument, "")
	})
	t.Run("error/reissue moving an international certificate to SM2 (I6)", func(t *testing.T) {
		c := e.issue(with(dv("std.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandDNSPod }))
		_, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{KeyAlgorithm: ca.AlgorithmSM2})
		wantErr(t, err, service.CodeInvalidArgument, "")
		if err.(*service.Error).Summary != "Standard Cannot Change" {
			t.Fatalf("summary %q", err.(*service.Error).Summary)
		}
	})
	t.Run("ok/idempotent retry of a reissue returns the first result", func(t *testing.T) {
		c := e.issue(dv("idem.example.com"))
		a, err := e.svc.Reissue(e.ctx, "re-1", c.ID, service.ReissueInput{})
		wantNoErr(t, err)
		b, err := e.svc.Reissue(e.ctx, "re-1", c.ID, service.ReissueInput{})
		wantNoErr(t, err)
		if a.SerialNumber != b.SerialNumber || b.Order.ReissueCount != 1 {
			t.Fatalf("retry reissued again: %s/%s count %d", a.SerialNumber, b.SerialNumber, b.Order.ReissueCount)
		}
	})
}

func TestReissueWithPasswordAfterManualReview(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{review: service.ReviewManual})
	c := e.order(with(dv("www.example.com"), func(in *service.OrderInput) { in.Password = "kept-till-issue" }))
	wantStatus(t, c, service.StatusPendingReview)
	e.advance(day)
	wantStatus(t, e.settle(c), service.StatusIssued)
	wantKey(t, e, c.ID, "kept-till-issue")
	wantPassword(t, e, c.ID, "kept-till-issue", "")
}

// wantKey checks that the private key of id is encrypted PKCS#8 under password (plain
// PKCS#8 when password is "") and belongs to the certificate.
func wantKey(t *testing.T, e *env, id, password string) {
	t.Helper()
	c := e.getKeys(id)
	block := "-----BEGIN PRIVATE KEY-----"
	if password != "" {
		block = "-----BEGIN ENCRYPTED PRIVATE KEY-----"
	}
	if !strings.HasPrefix(c.PrivateKeyPEM, block) {
		t.Fatalf("key PEM starts %.40q, want %s", c.PrivateKeyPEM, block)
	}
	key, err := ca.ParsePrivateKeyPEM(c.PrivateKeyPEM, password)
	if err != nil {
		t.Fatal(err)
	}
	pub := parsePEMCert(t, c.LeafPEM).PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !pub.Equal(key.Public()) {
		t.Fatal("the key does not match the certificate")
	}
}

// wantPassword checks CheckPassword: right is accepted, every wrong one refused.
func wantPassword(t *testing.T, e *env, id, right string, wrong ...string) {
	t.Helper()
	ok, err := e.svc.CheckPassword(e.ctx, id, right)
	wantNoErr(t, err)
	if !ok {
		t.Fatalf("CheckPassword(%q) = false", right)
	}
	for _, w := range wrong {
		ok, err := e.svc.CheckPassword(e.ctx, id, w)
		wantNoErr(t, err)
		if ok {
			t.Fatalf("CheckPassword(%q) = true", w)
		}
	}
}

// TestReissueDomainValidation is I7 under validation = http: when a reissue has to
// validate the domain again, and when it does not.
func TestReissueDomainValidation(t *testing.T) {
	t.Parallel()
	file := func(in service.OrderInput) service.OrderInput {
		in.ValidationMethod = service.MethodFile
		return in
	}
	csrKey := certstest.NewKey(t, certstest.ECC)
	origCSR := certstest.CSRPEM(t, csrKey, "csr.example.com")
	newCSR := certstest.CSRPEM(t, certstest.UniqueKey(t, certstest.ECC), "csr.example.com")
	tests := []struct {
		name     string
		review   string
		in       service.OrderInput
		approve  time.Duration // manual review: approve the order this long after validation
		at       func(issued, ordered time.Time) time.Time
		reissue  service.ReissueInput
		validate string // "" = reissued at once; else the method of the records asked for
	}{
		{name: "ok/no validation 3 days minus a minute after the original issue (I7)",
			in: file(ov(ca.BrandSecureSite, "ov1.example.com")),
			at: func(iss, _ time.Time) time.Time { return iss.Add(3*day - time.Minute) }},
		{name: "ok/validation required 3 days plus a minute after the original issue (I7)",
			in: file(ov(ca.BrandSecureSite, "ov2.example.com")),
			at: func(iss, _ time.Time) time.Time { return iss.Add(3*day + time.Minute) }, validate: service.MethodFile},
		{name: "ok/no validation when the CSR is unchanged (I7)",
			in: file(with(ov(ca.BrandSecureSite, "csr.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm, in.CSRPEM = "", origCSR })),
			at: func(iss, _ time.Time) time.Time { return iss.Add(10 * day) }, reissue: service.ReissueInput{CSRPEM: origCSR}},
		{name: "ok/validation required when the CSR changes (I7)",
			in: file(with(ov(ca.BrandSecureSite, "csr.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm, in.CSRPEM = "", origCSR })),
			at: func(iss, _ time.Time) time.Time { return iss.Add(10 * day) }, reissue: service.ReissueInput{CSRPEM: newCSR}, validate: service.MethodFile},
		{name: "ok/validation required for a new key instead of the original CSR (I7)",
			in: file(with(ov(ca.BrandSecureSite, "csr.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm, in.CSRPEM = "", origCSR })),
			at: func(iss, _ time.Time) time.Time { return iss.Add(10 * day) }, validate: service.MethodFile},
		{name: "ok/no validation for a paid DV validated 10 days ago (I7)",
			in: file(dv("dv1.example.com")),
			at: func(iss, _ time.Time) time.Time { return iss.Add(10 * day) }},
		{name: "ok/no validation for a paid DV validated 13 months minus an hour ago (I7)",
			review: service.ReviewManual, approve: 100 * day, in: file(dv("dv2.example.com")),
			at: func(_, validated time.Time) time.Time { return validated.AddDate(0, 13, 0).Add(-time.Hour) }},
		{name: "ok/validation required for a paid DV validated 13 months plus an hour ago (I7)",
			review: service.ReviewManual, approve: 100 * day, in: file(dv("dv3.example.com")),
			at:       func(_, validated time.Time) time.Time { return validated.AddDate(0, 13, 0).Add(time.Hour) },
			validate: service.MethodFile},
		{name: "ok/free DV validates by file like the original, even within 3 days (I7)",
			in: file(freeDV("free1.example.com")),
			at: func(iss, _ time.Time) time.Time { return iss.Add(time.Hour) }, validate: service.MethodFile},
		{name: "ok/free DV validates by DNS like the original (I7)",
			in: with(freeDV("free2.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodDNS }),
			at: func(iss, _ time.Time) time.Time { return iss.Add(10 * day) }, validate: service.MethodDNS},
		{name: "ok/free DV validated automatically like the original (I7)",
			in: with(freeDV("free3.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodFileAuto }),
			at: func(iss, _ time.Time) time.Time { return iss.Add(10 * day) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{validation: service.ValidationHTTP, review: tc.review})
			ordered := e.now()
			c := e.order(tc.in)
			if c.Status == service.StatusPendingValidation {
				e.publish(c)
				var err error
				c, err = e.svc.Advance(e.ctx, c.ID)
				wantNoErr(t, err)
			}
			if tc.approve > 0 {
				wantStatus(t, c, service.StatusPendingReview)
				e.advance(tc.approve)
				c = e.settle(c)
			}
			wantStatus(t, c, service.StatusIssued)
			e.set(tc.at(c.NotBefore, ordered))
			r := e.reissue(c.ID, tc.reissue)
			if tc.validate == "" {
				wantStatus(t, r, service.StatusIssued)
				if r.SerialNumber == c.SerialNumber || !r.NotAfter.Equal(c.NotAfter) {
					t.Fatalf("reissue: serial %s→%s not_after %s→%s", c.SerialNumber, r.SerialNumber, c.NotAfter, r.NotAfter)
				}
				return
			}
			wantStatus(t, r, service.StatusReissuing)
			recs := r.Order.ValidationRecords
			if len(recs) != 1 || recs[0].Method != tc.validate || recs[0].Domain != tc.in.Domain {
				t.Fatalf("validation records %+v, want one %s record for %s", recs, tc.validate, tc.in.Domain)
			}
			r, err := e.svc.Advance(e.ctx, r.ID)
			wantNoErr(t, err)
			wantStatus(t, r, service.StatusReissuing)
			if !strings.Contains(r.Order.Pending, recs[0].Content) {
				t.Fatalf("pending text %q names no file", r.Order.Pending)
			}
			e.publish(r)
			r, err = e.svc.Advance(e.ctx, r.ID)
			wantNoErr(t, err)
			wantStatus(t, r, service.StatusIssued)
			if r.SerialNumber == c.SerialNumber || !r.NotAfter.Equal(c.NotAfter) || r.Order.ReissueCount != 1 {
				t.Fatalf("validated reissue: serial %s count %d not_after %s", r.SerialNumber, r.Order.ReissueCount, r.NotAfter)
			}
		})
	}
}
