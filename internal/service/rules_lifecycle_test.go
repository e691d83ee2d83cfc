package service_test

// Service tests for review reminders (M1–M4, with the 24/72/96-hour boundaries on both
// sides) and deletion (D1–D3, R8).

import (
	"slices"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

func TestProductCatalogue(t *testing.T) {
	t.Parallel()
	// M2's table (– = not sold), M3 (DNSPod SM: never), M4 (hours by level).
	want := map[string]map[string]bool{
		ca.BrandSecureSite: {service.TypeOV: true, service.TypeOVPro: true, service.TypeFreeDV: true, service.TypeEV: true, service.TypeEVPro: true},
		ca.BrandGeoTrust:   {service.TypeOV: true, service.TypeEV: true},
		ca.BrandTrustAsia:  {service.TypeOV: true, service.TypeDV: true, service.TypeEV: true},
		ca.BrandGlobalSign: {service.TypeOV: true, service.TypeEV: true},
		ca.BrandWoTrus:     {service.TypeOV: false, service.TypeDV: false, service.TypeEV: false},
		ca.BrandDNSPod:     {service.TypeOV: false, service.TypeDV: false, service.TypeEV: false},
	}
	hours := map[string]int{service.TypeDV: 24, service.TypeFreeDV: 24, service.TypeOV: 72, service.TypeOVPro: 72, service.TypeEV: 96, service.TypeEVPro: 96}
	got := map[string]map[string]bool{}
	for _, p := range service.Products() {
		if got[p.Brand] == nil {
			got[p.Brand] = map[string]bool{}
		}
		got[p.Brand][p.CertificateType] = p.Reminder
		t.Run("ok/"+p.Brand+" "+p.CertificateType+" (M2, M3, M4)", func(t *testing.T) {
			w, sold := want[p.Brand][p.CertificateType]
			if !sold {
				t.Fatal("not sold according to M2")
			}
			if p.Reminder != w {
				t.Fatalf("reminder %v, want %v", p.Reminder, w)
			}
			if p.Reminder && p.ReminderAfterHours != hours[p.CertificateType] {
				t.Fatalf("reminder after %d h, want %d", p.ReminderAfterHours, hours[p.CertificateType])
			}
			if !p.Reminder && p.ReminderAfterHours != 0 {
				t.Fatalf("reminder hours %d without reminders", p.ReminderAfterHours)
			}
			if p.Free != (p.CertificateType == service.TypeFreeDV) || p.Wildcard == p.Free || p.MultiDomain == p.Free {
				t.Fatalf("free %v wildcard %v multi-domain %v", p.Free, p.Wildcard, p.MultiDomain)
			}
			if hasSM2 := slices.Contains(p.KeyAlgorithms, ca.AlgorithmSM2); hasSM2 != (p.Brand == ca.BrandDNSPod || p.Brand == ca.BrandWoTrus) {
				t.Fatalf("key algorithms %v", p.KeyAlgorithms)
			}
		})
	}
	for brand, types := range want {
		for typ := range types {
			if _, ok := got[brand][typ]; !ok {
				t.Errorf("error/%s %s missing from the catalogue (M2)", brand, typ)
			}
		}
	}
	t.Run("ok/revocation letter types by brand and algorithm (R7)", func(t *testing.T) {
		letters := func(brand, typ, alg string) []string {
			p, ok := service.FindProduct(brand, typ)
			if !ok {
				t.Fatalf("%s %s not found", brand, typ)
			}
			return p.RevocationLetterTypes[alg]
		}
		for _, c := range []struct {
			brand, typ, alg string
			want            []string
		}{
			{ca.BrandDNSPod, service.TypeOV, ca.AlgorithmSM2, []string{"jpg", "gif", "pdf"}},
			{ca.BrandDNSPod, service.TypeEV, ca.AlgorithmSM2, []string{"jpg", "gif", "pdf"}},
			{ca.BrandDNSPod, service.TypeOV, ca.AlgorithmECC, []string{"jpg", "png", "pdf"}},
			{ca.BrandSecureSite, service.TypeEVPro, ca.AlgorithmRSA, []string{"jpg", "png", "pdf"}},
			{ca.BrandDNSPod, service.TypeDV, ca.AlgorithmSM2, nil},
			{ca.BrandWoTrus, service.TypeOV, ca.AlgorithmECC, nil},
			{ca.BrandTrustAsia, service.TypeDV, ca.AlgorithmECC, nil},
		} {
			if got := letters(c.brand, c.typ, c.alg); !slices.Equal(got, c.want) {
				t.Errorf("%s %s %s: %v, want %v", c.brand, c.typ, c.alg, got, c.want)
			}
		}
	})
}

func TestReminders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{review: service.ReviewManual})
	tests := []struct {
		name  string
		in    service.OrderInput
		hours int // 0 = the product takes no reminder
	}{
		{name: "TrustAsia DV opens 24 h after submission (M4)", in: dv("a.example.com"), hours: 24},
		{name: "SecureSite free DV opens 24 h after submission (M2, M4)", in: freeDV("b.example.com"), hours: 24},
		{name: "SecureSite OV opens 72 h after submission (M4)", in: ov(ca.BrandSecureSite, "c.example.com"), hours: 72},
		{name: "SecureSite OV Pro opens 72 h after submission (M4)", in: with(ov(ca.BrandSecureSite, "d.example.com"), func(in *service.OrderInput) { in.CertificateType = service.TypeOVPro }), hours: 72},
		{name: "GeoTrust OV opens 72 h after submission (M4)", in: ov(ca.BrandGeoTrust, "e.example.com"), hours: 72},
		{name: "GlobalSign EV opens 96 h after submission (M4)", in: ev(ca.BrandGlobalSign, "f.example.com"), hours: 96},
		{name: "SecureSite EV Pro opens 96 h after submission (M4)", in: with(ev(ca.BrandSecureSite, "g.example.com"), func(in *service.OrderInput) { in.CertificateType = service.TypeEVPro }), hours: 96},
		{name: "TrustAsia EV opens 96 h after submission (M4)", in: ev(ca.BrandTrustAsia, "h.example.com"), hours: 96},
		{name: "WoTrus DV takes no reminder (M2)", in: with(dv("i.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandWoTrus })},
		{name: "WoTrus OV takes no reminder (M2)", in: ov(ca.BrandWoTrus, "j.example.com")},
		{name: "WoTrus EV takes no reminder (M2)", in: ev(ca.BrandWoTrus, "k.example.com")},
		{name: "DNSPod SM2 DV takes no reminder (M3)", in: with(dv("l.example.com"), func(in *service.OrderInput) { in.Brand, in.KeyAlgorithm = ca.BrandDNSPod, ca.AlgorithmSM2 })},
		{name: "DNSPod SM2 OV takes no reminder (M3)", in: with(ov(ca.BrandDNSPod, "m.example.com"), func(in *service.OrderInput) { in.KeyAlgorithm = ca.AlgorithmSM2 })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			submitted := e.now()
			c := e.order(tc.in)
			wantStatus(t, c, service.StatusPendingReview)
			if tc.hours == 0 {
				if c.Order.ReminderAvailableAt != nil {
					t.Fatalf("reminder_available_at %s for a product without reminders", c.Order.ReminderAvailableAt)
				}
				e.advance(200 * time.Hour)
				_, err := e.svc.SendReminder(e.ctx, "", c.ID)
				wantErr(t, err, service.CodeReminderRefused, "rules M2, M3")
				return
			}
			opens := submitted.Add(time.Duration(tc.hours) * time.Hour)
			if at := c.Order.ReminderAvailableAt; at == nil || !at.Equal(opens) {
				t.Fatalf("reminder_available_at %v, want %s", at, opens)
			}
			t.Run("error/reminder a minute before it opens (M4)", func(t *testing.T) {
				e.set(opens.Add(-time.Minute))
				_, err := e.svc.SendReminder(e.ctx, "", c.ID)
				wantErr(t, err, service.CodeReminderRefused, "rule M4")
				if e.get(c.ID).Order.ReminderSentAt != nil {
					t.Fatal("refused reminder recorded")
				}
			})
			t.Run("ok/reminder when it opens (M4)", func(t *testing.T) {
				e.set(opens)
				r, err := e.svc.SendReminder(e.ctx, "", c.ID)
				wantNoErr(t, err)
				if r.Order.ReminderSentAt == nil || !r.Order.ReminderSentAt.Equal(opens) {
					t.Fatalf("reminder_sent_at %v", r.Order.ReminderSentAt)
				}
				wantStatus(t, r, service.StatusPendingReview)
			})
			t.Run("ok/reminder a minute after it opens (M4)", func(t *testing.T) {
				e.set(opens.Add(time.Minute))
				_, err := e.svc.SendReminder(e.ctx, "", c.ID)
				wantNoErr(t, err)
			})
		})
	}
	t.Run("error/an issued certificate takes no reminder (M1)", func(t *testing.T) {
		c := e.issue(dv("issued.example.com"))
		e.advance(100 * time.Hour)
		if c.Order.ReminderAvailableAt != nil {
			t.Fatal("reminder_available_at on an issued certificate")
		}
		_, err := e.svc.SendReminder(e.ctx, "", c.ID)
		wantErr(t, err, service.CodeReminderRefused, "rule M1")
	})
	t.Run("error/a cancelled order takes no reminder (M1)", func(t *testing.T) {
		c := e.order(dv("cancelled.example.com"))
		_, err := e.svc.Cancel(e.ctx, "", c.ID)
		wantNoErr(t, err)
		e.advance(100 * time.Hour)
		_, err = e.svc.SendReminder(e.ctx, "", c.ID)
		wantErr(t, err, service.CodeReminderRefused, "rule M1")
	})
	t.Run("error/a pending reissue takes no reminder (M1)", func(t *testing.T) {
		c := e.issue(ov(ca.BrandGeoTrust, "reissue.example.org"))
		r := e.reissue(c.ID, service.ReissueInput{})
		wantStatus(t, r, service.StatusReissuing)
		e.advance(100 * time.Hour)
		_, err := e.svc.SendReminder(e.ctx, "", c.ID)
		wantErr(t, err, service.CodeReminderRefused, "rule M1")
	})
	t.Run("error/an uploaded certificate takes no reminder", func(t *testing.T) {
		up := upload(t, e)
		_, err := e.svc.SendReminder(e.ctx, "", up.ID)
		wantErr(t, err, service.CodeWrongCertificateOp, "")
	})
}

func TestRemindersWhileValidating(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{validation: service.ValidationHTTP})
	c := e.order(with(dv("www.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodFile }))
	wantStatus(t, c, service.StatusPendingValidation)
	e.advance(24*time.Hour - time.Second)
	_, err := e.svc.SendReminder(e.ctx, "", c.ID)
	wantErr(t, err, service.CodeReminderRefused, "rule M4")
	e.advance(time.Second)
	_, err = e.svc.SendReminder(e.ctx, "", c.ID)
	wantNoErr(t, err)
}

func TestDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{review: service.ReviewManual, validation: service.ValidationHTTP})
	file := func(in service.OrderInput) service.OrderInput {
		in.ValidationMethod = service.MethodFile
		return in
	}
	tests := []struct {
		name  string
		make  func(t *testing.T) *service.Certificate
		code  string // "" = deleted
		cite  string
		after func(t *testing.T, c *service.Certificate) // then delete again, expecting success
	}{
		{name: "error/issued and unexpired must be revoked first (D2)",
			make: func(t *testing.T) *service.Certificate { return e.issue(file(dv("a.example.com"))) },
			code: service.CodeDeletionRefused, cite: "rule D2",
			after: func(t *testing.T, c *service.Certificate) {
				r := e.settle(e.revoke(c.ID, service.RevokeInput{}))
				wantStatus(t, r, service.StatusRevoked)
			}},
		{name: "error/issued a second before expiry (D2)",
			make: func(t *testing.T) *service.Certificate {
				c := e.issue(file(with(dv("b.example.com"), func(in *service.OrderInput) { in.ValidityDays = 2 })))
				e.set(c.NotAfter.Add(-time.Second))
				return c
			},
			code: service.CodeDeletionRefused, cite: "rule D2",
			after: func(t *testing.T, c *service.Certificate) {
				e.set(c.NotAfter.Add(time.Second))
				wantStatus(t, e.get(c.ID), service.StatusExpired)
			}},
		{name: "ok/expired a second after not_after (D1)",
			make: func(t *testing.T) *service.Certificate {
				c := e.issue(file(with(dv("c.example.com"), func(in *service.OrderInput) { in.ValidityDays = 2 })))
				e.set(c.NotAfter.Add(time.Second))
				if got := e.get(c.ID); got.Status != service.StatusExpired || got.StatusCode != 3 {
					t.Fatalf("status %s code %d", got.Status, got.StatusCode)
				}
				return c
			}},
		{name: "ok/revoked (R8)",
			make: func(t *testing.T) *service.Certificate {
				c := e.issue(file(dv("d.example.com")))
				return e.settle(e.revoke(c.ID, service.RevokeInput{}))
			}},
		{name: "error/pending validation must be cancelled first (D3)",
			make: func(t *testing.T) *service.Certificate { return e.order(file(dv("e.example.com"))) },
			code: service.CodeDeletionRefused, cite: "rule D3",
			after: func(t *testing.T, c *service.Certificate) { cancel(t, e, c) }},
		{name: "error/pending review must be cancelled first (D3)",
			make: func(t *testing.T) *service.Certificate {
				c := e.order(file(ov(ca.BrandSecureSite, "f.example.com")))
				e.publish(c)
				c, err := e.svc.Advance(e.ctx, c.ID)
				wantNoErr(t, err)
				wantStatus(t, c, service.StatusPendingReview)
				return c
			},
			code: service.CodeDeletionRefused, cite: "rule D3",
			after: func(t *testing.T, c *service.Certificate) { cancel(t, e, c) }},
		{name: "ok/review failed (D1)",
			make: func(t *testing.T) *service.Certificate {
				c := e.order(with(ov(ca.BrandGeoTrust, "g.example.com"), func(in *service.OrderInput) { in.ValidationMethod = service.MethodFileAuto }))
				c, err := e.svc.Review(e.ctx, c.ID, false, "")
				wantNoErr(t, err)
				return c
			}},
		{name: "error/reissuing: issued and unexpired (D2)",
			make: func(t *testing.T) *service.Certificate {
				c := e.issue(file(ov(ca.BrandGeoTrust, "h.example.org")))
				e.advance(10 * day)
				r := e.reissue(c.ID, service.ReissueInput{})
				wantStatus(t, r, service.StatusReissuing)
				return r
			},
			code: service.CodeDeletionRefused, cite: "rule D2",
			after: func(t *testing.T, c *service.Certificate) {
				wantStatus(t, e.settle(e.get(c.ID)), service.StatusIssued)
				wantStatus(t, e.settle(e.revoke(c.ID, service.RevokeInput{Letter: letter("pdf", 100)})), service.StatusRevoked)
			}},
		{name: "error/revoking (R8)",
			make: func(t *testing.T) *service.Certificate {
				c := e.issue(file(dv("i.example.com")))
				r := e.revoke(c.ID, service.RevokeInput{})
				wantStatus(t, r, service.StatusRevoking)
				return r
			},
			code: service.CodeDeletionRefused, cite: "rule R8",
			after: func(t *testing.T, c *service.Certificate) {
				wantStatus(t, e.settle(e.get(c.ID)), service.StatusRevoked)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.set(t0)
			c := tc.make(t)
			err := e.svc.Delete(e.ctx, c.ID)
			if tc.code != "" {
				wantErr(t, err, tc.code, tc.cite)
				e.get(c.ID) // still there
				if tc.after == nil {
					return
				}
				tc.after(t, c)
				err = e.svc.Delete(e.ctx, c.ID)
			}
			wantNoErr(t, err)
			_, err = e.svc.Get(e.ctx, c.ID, false)
			wantErr(t, err, service.CodeNotFound, "")
		})
	}
	t.Run("error/delete of an unknown certificate", func(t *testing.T) {
		wantErr(t, e.svc.Delete(e.ctx, "cert-doesnotexist"), service.CodeNotFound, "")
	})
	t.Run("error/cancel of an issued certificate (D2)", func(t *testing.T) {
		c := e.issue(file(dv("j.example.com")))
		_, err := e.svc.Cancel(e.ctx, "", c.ID)
		wantErr(t, err, service.CodeCancelRefused, "rule")
	})
}

// cancel withdraws a pending order (D3) and checks the cancelled state.
func cancel(t *testing.T, e *env, c *service.Certificate) {
	t.Helper()
	r, err := e.svc.Cancel(e.ctx, "", c.ID)
	wantNoErr(t, err)
	wantStatus(t, r, service.StatusCancelled)
	if r.StatusCode != 7 || len(r.Order.ValidationRecords) != 0 {
		t.Fatalf("cancelled: code %d records %d", r.StatusCode, len(r.Order.ValidationRecords))
	}
	again, err := e.svc.Cancel(e.ctx, "", c.ID)
	wantNoErr(t, err)
	wantStatus(t, again, service.StatusCancelled)
}
