package service_test

// Expiration alarms (rules A1–A5) and ignored notifications (N1): the evaluator with a
// fake clock, the policy rules, and the N1 checks of UpdateMetadata, Upload and Order.
// Delivery (SMTP, webhook, SMS, retries, crashes) is in alarms_delivery_test.go.

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// --- helpers ---

// alarmCert uploads a self-signed ECC certificate (name.example.com) in project that
// expires at notAfter, valid from an hour before the clock's now.
func (e *env) alarmCert(name, project string, notAfter time.Time, ignore bool) *service.Certificate {
	e.t.Helper()
	c, _, err := e.svc.Upload(e.ctx, "", service.UploadInput{Name: name, Project: project,
		IgnoreExpirationNotifications: ignore, Material: e.material(name, notAfter)})
	if err != nil {
		e.t.Fatalf("upload %s (not_after %s): %v", name, notAfter.Format(time.RFC3339), err)
	}
	return c
}

// material is a fresh self-signed certificate and key for name.example.com.
func (e *env) material(name string, notAfter time.Time) certs.UploadInput {
	e.t.Helper()
	notBefore := e.now().Add(-time.Hour)
	if !notBefore.Before(notAfter) { // an expired certificate
		notBefore = notAfter.Add(-90 * day)
	}
	leaf := certstest.SelfSigned(e.t, certstest.LeafOptions{Alg: certstest.ECC, CommonName: name + ".example.com",
		NotBefore: notBefore, NotAfter: notAfter})
	return certs.UploadInput{CertificatePEM: leaf.CertPEM, PrivateKeyPEM: leaf.KeyPEM(e.t, certstest.PKCS8)}
}

// rotateCert gives an uploaded certificate a new version that expires at notAfter.
func (e *env) rotateCert(c *service.Certificate, notAfter time.Time) *service.Certificate {
	e.t.Helper()
	r, _, err := e.svc.Rotate(e.ctx, "", c.ID, service.RotateInput{Material: e.material(c.Name, notAfter)})
	if err != nil {
		e.t.Fatalf("rotate %s: %v", c.ID, err)
	}
	if !r.NotAfter.Equal(notAfter) {
		e.t.Fatalf("rotated %s expires %s, want %s", c.ID, r.NotAfter, notAfter)
	}
	return r
}

// emailAlarm is an enabled policy that emails one recipient, once per expiry date.
func emailAlarm(name, project string, ids ...string) service.AlarmInput {
	return service.AlarmInput{Name: name, Project: project, CertificateIDs: ids, RepeatInterval: service.RepeatOnce,
		Recipients: []store.Recipient{{Name: "Ops", Email: "ops@example.com"}},
		Channels:   []string{service.ChannelEmail}, Enabled: true}
}

func (e *env) createAlarm(in service.AlarmInput) *service.Alarm {
	e.t.Helper()
	a, err := e.svc.CreateAlarm(e.ctx, "", in)
	if err != nil {
		e.t.Fatalf("create alarm %q: %v", in.Name, err)
	}
	return a
}

func (e *env) getAlarm(id string) *service.Alarm {
	e.t.Helper()
	a, err := e.svc.GetAlarm(e.ctx, id)
	if err != nil {
		e.t.Fatalf("get alarm %s: %v", id, err)
	}
	return a
}

// evaluate runs the evaluator once and returns how many outbox rows it wrote.
func (e *env) evaluate() int {
	e.t.Helper()
	n, err := e.svc.Evaluate(e.ctx)
	if err != nil {
		e.t.Fatalf("evaluate at %s: %v", e.now().Format(time.RFC3339), err)
	}
	return n
}

func (e *env) outbox(f store.NotificationFilter) []*store.Notification {
	e.t.Helper()
	ns, err := e.svc.Notifications(e.ctx, f)
	if err != nil {
		e.t.Fatalf("notifications: %v", err)
	}
	return ns
}

// certIDs returns the sorted, distinct certificate ids of rows.
func certIDs(rows []*store.Notification) []string {
	var out []string
	for _, n := range rows {
		if !slices.Contains(out, n.CertificateID) {
			out = append(out, n.CertificateID)
		}
	}
	sort.Strings(out)
	return out
}

func sorted(ids ...string) []string {
	out := append([]string{}, ids...)
	sort.Strings(out)
	return out
}

// wantProblem checks that ps holds a problem on field with summary (and, when cite is
// set, a message citing it).
func wantProblem(t *testing.T, ps []certs.Problem, field, summary, cite string) {
	t.Helper()
	for _, p := range ps {
		if p.Field == field && p.Summary == summary && strings.Contains(p.Message, cite) {
			return
		}
	}
	t.Fatalf("no problem %s / %q citing %q in %+v", field, summary, cite, ps)
}

// --- A3: threshold ---

func TestAlarmThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		threshold int           // days_before_expiry; 0 = the default (30)
		left      time.Duration // not_after − now at evaluation
		fires     bool
		daysLeft  int
	}{
		{name: "A3/ok/exactly 30 days left fires under the default threshold", left: 30 * day, fires: true, daysLeft: 30},
		{name: "A3/ok/30 days and 1 s left does not fire", left: 30*day + time.Second},
		{name: "A3/ok/29 days 23 h left fires and counts 29 whole days", left: 29*day + 23*time.Hour, fires: true, daysLeft: 29},
		{name: "A3/ok/exactly 7 days left fires under a 7-day threshold", threshold: 7, left: 7 * day, fires: true, daysLeft: 7},
		{name: "A3/ok/7 days and 1 s left does not fire under a 7-day threshold", threshold: 7, left: 7*day + time.Second},
		{name: "A3/ok/exactly 365 days left fires under the largest threshold", threshold: 365, left: 365 * day, fires: true, daysLeft: 365},
		{name: "A3/ok/expiring this very second fires with 0 days left", left: 0, fires: true, daysLeft: 0},
		{name: "A3/ok/expired 1 s ago does not fire", left: -time.Second},
		{name: "A3/ok/expired 10 days ago does not fire", left: -10 * day},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{})
			c := e.alarmCert("edge", "web", e.now().Add(tc.left), false)
			in := emailAlarm("edge", "web")
			in.DaysBeforeExpiry = tc.threshold
			a := e.createAlarm(in)
			// A policy with a larger threshold elsewhere must not widen this one's.
			e.createAlarm(withDays(emailAlarm("wide", "other"), 365))

			wantFiring := []string{}
			if tc.fires {
				wantFiring = []string{c.ID}
			}
			if got := e.getAlarm(a.ID).FiringCertificateIDs; !slices.Equal(got, wantFiring) {
				t.Fatalf("firing_certificate_ids = %v, want %v", got, wantFiring)
			}
			n := e.evaluate()
			rows := e.outbox(store.NotificationFilter{PolicyID: a.ID})
			if !tc.fires {
				if n != 0 || len(rows) != 0 {
					t.Fatalf("wrote %d rows (%d for the policy), want none", n, len(rows))
				}
				return
			}
			if n != 1 || len(rows) != 1 {
				t.Fatalf("wrote %d rows (%d for the policy), want 1", n, len(rows))
			}
			r := rows[0]
			if r.CertificateID != c.ID || !r.NotAfter.Equal(c.NotAfter) || r.DaysLeft != tc.daysLeft {
				t.Fatalf("row: certificate %s not_after %s days_left %d; want %s %s %d", r.CertificateID, r.NotAfter, r.DaysLeft, c.ID, c.NotAfter, tc.daysLeft)
			}
		})
	}
}

// withDays sets a policy's threshold.
func withDays(in service.AlarmInput, days int) service.AlarmInput {
	in.DaysBeforeExpiry = days
	return in
}

// --- A3: repeat rule ---

func TestAlarmRepeat(t *testing.T) {
	t.Parallel()
	type step struct {
		at   time.Duration // since the first evaluation
		want int           // rows written (one recipient, one channel: one per firing)
	}
	tests := []struct {
		name   string
		repeat string
		steps  []step
	}{
		{name: "A3/ok/once fires once per certificate and expiry date", repeat: service.RepeatOnce,
			steps: []step{{0, 1}, {time.Minute, 0}, {24 * time.Hour, 0}, {10 * day, 0}}},
		{name: "A3/ok/an empty repeat_interval means once", repeat: "",
			steps: []step{{0, 1}, {time.Hour, 0}, {48 * time.Hour, 0}}},
		{name: "A3/ok/a 24h interval fires again only once 24h have passed", repeat: "24h",
			steps: []step{{0, 1}, {24*time.Hour - time.Second, 0}, {24 * time.Hour, 1}, {48*time.Hour - time.Second, 0}, {48 * time.Hour, 1}}},
		{name: "A3/ok/a 1m interval: 59 s later nothing, 60 s later again", repeat: "1m",
			steps: []step{{0, 1}, {59 * time.Second, 0}, {60 * time.Second, 1}, {119 * time.Second, 0}, {120 * time.Second, 1}}},
		{name: "A3/ok/the interval counts from the last firing, not from a schedule", repeat: "24h",
			steps: []step{{0, 1}, {30 * time.Hour, 1}, {48 * time.Hour, 0}, {54*time.Hour - time.Second, 0}, {54 * time.Hour, 1}}},
		// Evaluation runs once a minute (cron, a ticker) and never at exactly the same
		// fraction of a second: the interval is counted in evaluation minutes, so the
		// next minute's run is due even when it starts a little earlier in its minute.
		{name: "A3/ok/a 1m interval fires at every minute's evaluation when the runs jitter", repeat: "1m",
			steps: []step{{700 * time.Millisecond, 1}, {time.Minute + 300*time.Millisecond, 1}, {time.Minute + 900*time.Millisecond, 0},
				{2*time.Minute + 100*time.Millisecond, 1}}},
		{name: "A3/ok/a 24h interval fires at the same minute next day when the runs jitter", repeat: "24h",
			steps: []step{{45 * time.Second, 1}, {24*time.Hour - time.Minute + 59*time.Second, 0}, {24*time.Hour + 2*time.Second, 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{})
			start := e.now()
			c := e.alarmCert("repeat", "web", start.Add(20*day), false)
			in := emailAlarm("repeat", "web")
			in.RepeatInterval = tc.repeat
			a := e.createAlarm(in)
			if tc.repeat == "" && a.RepeatInterval != service.RepeatOnce {
				t.Fatalf("repeat_interval %q stored as %q, want once", tc.repeat, a.RepeatInterval)
			}
			total := 0
			for _, s := range tc.steps {
				e.set(start.Add(s.at))
				if got := e.evaluate(); got != s.want {
					t.Fatalf("at +%s: wrote %d rows, want %d", s.at, got, s.want)
				}
				total += s.want
			}
			rows := e.outbox(store.NotificationFilter{PolicyID: a.ID})
			if len(rows) != total {
				t.Fatalf("outbox holds %d rows, want %d", len(rows), total)
			}
			for _, r := range rows {
				if r.CertificateID != c.ID || r.Status != service.NotificationPending {
					t.Fatalf("row %s: certificate %s status %s", r.ID, r.CertificateID, r.Status)
				}
			}
		})
	}
}

// --- A3: a certificate that renews or rotates ---

func TestAlarmNewExpiryDate(t *testing.T) {
	t.Parallel()
	t.Run("A3/ok/a rotation to a not_after outside the window leaves the window", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		c := e.alarmCert("leaves", "web", e.now().Add(10*day), false)
		a := e.createAlarm(emailAlarm("leaves", "web"))
		if n := e.evaluate(); n != 1 {
			t.Fatalf("first evaluation wrote %d rows, want 1", n)
		}
		c = e.rotateCert(c, e.now().Add(200*day))
		if got := e.getAlarm(a.ID).FiringCertificateIDs; len(got) != 0 {
			t.Fatalf("firing after rotation out of the window: %v", got)
		}
		e.advance(time.Minute)
		if n := e.evaluate(); n != 0 {
			t.Fatalf("evaluation after the rotation wrote %d rows, want 0", n)
		}
		// 170 days later the new version enters the window: a new expiry date fires.
		e.set(c.NotAfter.Add(-30 * day))
		if n := e.evaluate(); n != 1 {
			t.Fatalf("the new version entering the window wrote %d rows, want 1", n)
		}
		rows := e.outbox(store.NotificationFilter{PolicyID: a.ID})
		if len(rows) != 2 || !rows[1].NotAfter.Equal(c.NotAfter) {
			t.Fatalf("rows %d, last not_after %v; want 2 and %s", len(rows), rows[len(rows)-1].NotAfter, c.NotAfter)
		}
	})
	t.Run("A3/ok/a rotation to a new not_after inside the window fires again once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		c := e.alarmCert("inside", "web", e.now().Add(20*day), false)
		a := e.createAlarm(emailAlarm("inside", "web"))
		if n := e.evaluate(); n != 1 {
			t.Fatalf("first evaluation wrote %d rows, want 1", n)
		}
		e.advance(time.Hour)
		if n := e.evaluate(); n != 0 {
			t.Fatalf("second evaluation wrote %d rows, want 0 (once)", n)
		}
		c = e.rotateCert(c, e.now().Add(25*day))
		if n := e.evaluate(); n != 1 {
			t.Fatalf("evaluation after rotation inside the window wrote %d rows, want 1 (new expiry date)", n)
		}
		e.advance(time.Hour)
		if n := e.evaluate(); n != 0 {
			t.Fatalf("evaluation after that wrote %d rows, want 0 (once per expiry date)", n)
		}
		rows := e.outbox(store.NotificationFilter{PolicyID: a.ID})
		if len(rows) != 2 || !rows[1].NotAfter.Equal(c.NotAfter) || rows[0].NotAfter.Equal(c.NotAfter) {
			t.Fatalf("rows: %d; want the old and the new expiry date", len(rows))
		}
	})
	t.Run("A3/ok/an issued certificate renewed inside the window fires again", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		c := e.issue(with(dv("renewing.example.com"), func(in *service.OrderInput) { in.ValidityDays = 20; in.Project = "web" }))
		a := e.createAlarm(emailAlarm("renewing", "web", c.ID))
		if n := e.evaluate(); n != 1 {
			t.Fatalf("first evaluation wrote %d rows, want 1", n)
		}
		e.advance(day)
		if n := e.evaluate(); n != 0 {
			t.Fatalf("second evaluation wrote %d rows, want 0", n)
		}
		r, err := e.svc.Renew(e.ctx, "", c.ID)
		wantNoErr(t, err)
		if !r.NotAfter.After(c.NotAfter) {
			t.Fatalf("renewal kept not_after %s", r.NotAfter)
		}
		if n := e.evaluate(); n != 1 {
			t.Fatalf("evaluation after renewal wrote %d rows, want 1", n)
		}
		rows := e.outbox(store.NotificationFilter{PolicyID: a.ID})
		if len(rows) != 2 || !rows[1].NotAfter.Equal(r.NotAfter) {
			t.Fatalf("rows %d; want 2, the last for %s", len(rows), r.NotAfter)
		}
	})
	t.Run("A3/ok/a rotation out of the window stops an interval's repeats", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		c := e.alarmCert("stops", "web", e.now().Add(10*day), false)
		in := emailAlarm("stops", "web")
		in.RepeatInterval = "1h"
		e.createAlarm(in)
		if n := e.evaluate(); n != 1 {
			t.Fatalf("first evaluation wrote %d rows, want 1", n)
		}
		e.rotateCert(c, e.now().Add(90*day))
		e.advance(2 * time.Hour)
		if n := e.evaluate(); n != 0 {
			t.Fatalf("evaluation after the rotation wrote %d rows, want 0", n)
		}
	})
}

// --- A2: objects; N1 and disabled policies ---

func TestAlarmObjects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	now := e.now()
	web1 := e.alarmCert("web1", "web", now.Add(10*day), false)
	web2 := e.alarmCert("web2", "web", now.Add(20*day), false)
	web3 := e.alarmCert("web3", "web", now.Add(40*day), false) // outside 30 days
	webIgnored := e.alarmCert("web-ignored", "web", now.Add(5*day), true)
	api1 := e.alarmCert("api1", "api", now.Add(10*day), false)

	disabled := emailAlarm("disabled", "web")
	disabled.Enabled = false
	tests := []struct {
		name string
		in   service.AlarmInput
		want []string
	}{
		{name: "A2/ok/a project-wide policy covers every certificate of its project in the window",
			in: emailAlarm("web-all", "web"), want: sorted(web1.ID, web2.ID)},
		{name: "A2/ok/explicit ids cover only those certificates (in the window)",
			in: emailAlarm("web-some", "web", web2.ID, web3.ID), want: sorted(web2.ID)},
		{name: "A2/ok/another project's policy leaves web untouched",
			in: emailAlarm("api-all", "api"), want: sorted(api1.ID)},
		{name: "A2/ok/a project without certificates fires for nothing",
			in: emailAlarm("empty", "empty"), want: []string{}},
		{name: "A2/ok/the default project holds none of these certificates",
			in: emailAlarm("default", ""), want: []string{}},
		{name: "N1/ok/an ignored certificate named explicitly is skipped",
			in: emailAlarm("ignored", "web", webIgnored.ID), want: []string{}},
		{name: "A3/ok/a disabled policy is skipped", in: disabled, want: []string{}},
	}
	ids := make([]string, len(tests))
	for i, tc := range tests {
		ids[i] = e.createAlarm(tc.in).ID
	}
	wantWritten := 0
	for _, tc := range tests {
		wantWritten += len(tc.want)
	}
	if n := e.evaluate(); n != wantWritten {
		t.Fatalf("evaluation wrote %d rows, want %d", n, wantWritten)
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := e.outbox(store.NotificationFilter{PolicyID: ids[i]})
			got := certIDs(rows)
			if got == nil {
				got = []string{}
			}
			if !slices.Equal(got, tc.want) || len(rows) != len(tc.want) {
				t.Fatalf("notified %v (%d rows), want %v", got, len(rows), tc.want)
			}
			a := e.getAlarm(ids[i])
			firing := sorted(a.FiringCertificateIDs...)
			if !slices.Equal(firing, tc.want) {
				t.Fatalf("firing_certificate_ids = %v, want %v", firing, tc.want)
			}
			if tc.in.Enabled && !a.LastEvaluatedAt.Equal(now) {
				t.Fatalf("last_evaluated_at = %v, want %v", a.LastEvaluatedAt, now)
			}
			if !tc.in.Enabled && !a.LastEvaluatedAt.IsZero() {
				t.Fatalf("a disabled policy was evaluated at %v", a.LastEvaluatedAt)
			}
		})
	}
	t.Run("N1/ok/an ignored certificate is never notified by any policy", func(t *testing.T) {
		if rows := e.outbox(store.NotificationFilter{CertificateID: webIgnored.ID}); len(rows) != 0 {
			t.Fatalf("%d rows for the ignored certificate", len(rows))
		}
	})
	t.Run("N1/ok/un-ignoring brings the certificate back into the window", func(t *testing.T) {
		e.advance(time.Minute)
		_, err := e.svc.UpdateMetadata(e.ctx, webIgnored.ID, service.Update{IgnoreExpirationNotifications: new(false)})
		wantNoErr(t, err)
		// web-all and ignored name it (project-wide and explicitly); the others do not.
		if n := e.evaluate(); n != 2 {
			t.Fatalf("evaluation after un-ignoring wrote %d rows, want 2", n)
		}
		rows := e.outbox(store.NotificationFilter{CertificateID: webIgnored.ID})
		var policies []string
		for _, r := range rows {
			policies = append(policies, r.PolicyID)
		}
		if !slices.Equal(sorted(policies...), sorted(ids[0], ids[5])) {
			t.Fatalf("policies that notified it: %v", policies)
		}
	})
	t.Run("A3/ok/enabling a disabled policy makes it fire", func(t *testing.T) {
		e.advance(time.Minute)
		in := tests[6].in
		in.Enabled, in.KeepWebhookSecret = true, true
		if _, err := e.svc.UpdateAlarm(e.ctx, ids[6], in); err != nil {
			t.Fatal(err)
		}
		// web1, web2 and the un-ignored one.
		if n := e.evaluate(); n != 3 {
			t.Fatalf("evaluation after enabling wrote %d rows, want 3", n)
		}
	})
}

// --- A4, A5: one row per recipient × channel, one per webhook ---

func TestAlarmOutboxRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	now := e.now()
	c1 := e.alarmCert("rows1", "web", now.Add(3*day), false)
	c2 := e.alarmCert("rows2", "web", now.Add(12*day+time.Hour), false)
	alice := store.Recipient{Name: "Alice", Email: "alice@example.com", Phone: "+8613800000001"}
	bob := store.Recipient{Name: "Bob", Email: "bob@example.com"}
	carol := store.Recipient{Name: "Carol", Phone: "+4915112345678"}
	a := e.createAlarm(service.AlarmInput{Name: "everyone", Project: "web", RepeatInterval: service.RepeatOnce,
		Recipients: []store.Recipient{alice, bob, carol},
		Channels:   []string{service.ChannelEmail, service.ChannelSMS, service.ChannelWebhook},
		WebhookURL: "http://127.0.0.1:9/hook", WebhookSecret: "s3cret", Enabled: true})

	type row struct{ cert, channel, email, phone string }
	var want []row
	for _, c := range []*service.Certificate{c1, c2} {
		want = append(want,
			row{c.ID, service.ChannelEmail, alice.Email, alice.Phone},
			row{c.ID, service.ChannelEmail, bob.Email, ""},
			row{c.ID, service.ChannelSMS, alice.Email, alice.Phone},
			row{c.ID, service.ChannelSMS, "", carol.Phone},
			row{c.ID, service.ChannelWebhook, "", ""})
	}
	if n := e.evaluate(); n != len(want) {
		t.Fatalf("evaluation wrote %d rows, want %d (2 certificates × (2 emails + 2 SMS + 1 webhook))", n, len(want))
	}
	rows := e.outbox(store.NotificationFilter{PolicyID: a.ID})
	var got []row
	seen := map[string]bool{}
	for _, n := range rows {
		got = append(got, row{n.CertificateID, n.Channel, n.Recipient.Email, n.Recipient.Phone})
		if n.ID == "" || seen[n.ID] || n.DedupKey == "" {
			t.Fatalf("row id %q (dedup key %q) empty or repeated", n.ID, n.DedupKey)
		}
		seen[n.ID] = true
		if n.Status != service.NotificationPending || n.Attempts != 0 || !n.NextAttemptAt.Equal(now) || !n.CreatedAt.Equal(now) || !n.SentAt.IsZero() {
			t.Fatalf("row %s: status %s attempts %d next %s created %s sent %s", n.ID, n.Status, n.Attempts, n.NextAttemptAt, n.CreatedAt, n.SentAt)
		}
		wantDays := map[string]int{c1.ID: 3, c2.ID: 12}[n.CertificateID]
		if n.DaysLeft != wantDays {
			t.Fatalf("row %s: days_left %d, want %d", n.ID, n.DaysLeft, wantDays)
		}
	}
	key := func(r row) string { return fmt.Sprint(r) }
	sort.Slice(got, func(i, j int) bool { return key(got[i]) < key(got[j]) })
	sort.Slice(want, func(i, j int) bool { return key(want[i]) < key(want[j]) })
	if !slices.Equal(got, want) {
		t.Fatalf("rows:\n got %v\nwant %v", got, want)
	}
	for _, ch := range []string{service.ChannelEmail, service.ChannelSMS, service.ChannelWebhook} {
		if n := len(e.outbox(store.NotificationFilter{PolicyID: a.ID, Channel: ch})); n != map[string]int{"EMAIL": 4, "SMS": 4, "WEBHOOK": 2}[ch] {
			t.Fatalf("%s rows: %d", ch, n)
		}
	}
}

func TestAlarmDuplicateRecipient(t *testing.T) {
	t.Parallel()
	t.Run("A4/ok/a recipient listed twice gets one message per channel", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		e.alarmCert("dup", "web", e.now().Add(5*day), false)
		in := emailAlarm("dup", "web")
		in.Recipients = []store.Recipient{{Name: "Ops", Email: "ops@example.com", Phone: "+8613800000002"},
			{Name: "Ops again", Email: "ops@example.com", Phone: "+8613800000002"}}
		in.Channels = []string{service.ChannelEmail, service.ChannelSMS}
		e.createAlarm(in)
		if n := e.evaluate(); n != 2 {
			t.Fatalf("evaluation wrote %d rows, want 2 (one email, one SMS)", n)
		}
	})
}

// --- A3: "evaluated every minute" — one evaluation never writes a row twice ---

func TestAlarmEvaluateSameMinute(t *testing.T) {
	t.Parallel()
	t.Run("A3/ok/Evaluate twice in the same minute writes nothing new", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		start := e.now() // 09:00:00
		e.alarmCert("minute", "web", start.Add(10*day), false)
		in := emailAlarm("every minute", "web")
		in.RepeatInterval = "1m"
		a := e.createAlarm(in)
		other := e.createAlarm(emailAlarm("once", "web"))
		if n := e.evaluate(); n != 2 {
			t.Fatalf("first evaluation wrote %d rows, want 2", n)
		}
		for _, at := range []time.Duration{0, 30 * time.Second, 59 * time.Second} {
			e.set(start.Add(at))
			if n := e.evaluate(); n != 0 {
				t.Fatalf("evaluation at +%s wrote %d rows, want 0", at, n)
			}
		}
		if got := e.getAlarm(a.ID).LastEvaluatedAt; !got.Equal(start.Add(59 * time.Second)) {
			t.Fatalf("last_evaluated_at = %s", got)
		}
		e.set(start.Add(time.Minute))
		if n := e.evaluate(); n != 1 {
			t.Fatalf("evaluation a minute later wrote %d rows, want 1 (the 1m policy only)", n)
		}
		if n := len(e.outbox(store.NotificationFilter{PolicyID: other.ID})); n != 1 {
			t.Fatalf("the once policy has %d rows", n)
		}
	})
	t.Run("A3/ok/concurrent evaluations at the same instant write each row once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		for i := range 5 {
			e.alarmCert(fmt.Sprintf("conc%d", i), "web", e.now().Add(time.Duration(i+1)*day), false)
		}
		in := emailAlarm("concurrent", "web")
		in.Recipients = append(in.Recipients, store.Recipient{Email: "second@example.com"})
		in.RepeatInterval = "1m"
		e.createAlarm(in)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		var errs []error
		for range 8 {
			wg.Go(func() {
				n, err := e.svc.Evaluate(e.ctx)
				mu.Lock()
				defer mu.Unlock()
				total += n
				if err != nil {
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("concurrent evaluations: %v", err)
		}
		rows := e.outbox(store.NotificationFilter{})
		if total != 10 || len(rows) != 10 {
			t.Fatalf("8 concurrent evaluations wrote %d rows (outbox %d), want 10 (5 certificates × 2 recipients)", total, len(rows))
		}
	})
}

// --- A1–A5: policy rules ---

// validAlarm uses every channel and field.
func validAlarm() service.AlarmInput {
	return service.AlarmInput{Name: "expiring", Remarks: "production", Project: "web", DaysBeforeExpiry: 30, RepeatInterval: service.RepeatOnce,
		Recipients: []store.Recipient{{Name: "Alice", Email: "alice@example.com", Phone: "+8613800000000"}},
		Channels:   []string{service.ChannelEmail, service.ChannelSMS, service.ChannelWebhook},
		WebhookURL: "https://hooks.example.com/ssl", WebhookSecret: "s3cret", Enabled: true}
}

func TestAlarmPolicyValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	mod := func(f func(*service.AlarmInput)) service.AlarmInput {
		in := validAlarm()
		f(&in)
		return in
	}
	phone := func(p string) func(*service.AlarmInput) {
		return func(in *service.AlarmInput) { in.Recipients[0].Phone = p }
	}
	email := func(m string) func(*service.AlarmInput) {
		return func(in *service.AlarmInput) { in.Recipients[0].Email = m }
	}
	hook := func(u string) func(*service.AlarmInput) {
		return func(in *service.AlarmInput) { in.WebhookURL = u }
	}
	days := func(d int) func(*service.AlarmInput) {
		return func(in *service.AlarmInput) { in.DaysBeforeExpiry = d }
	}
	repeat := func(r string) func(*service.AlarmInput) {
		return func(in *service.AlarmInput) { in.RepeatInterval = r }
	}
	channels := func(cs ...string) func(*service.AlarmInput) {
		return func(in *service.AlarmInput) { in.Channels = cs }
	}
	tests := []struct {
		name           string
		in             service.AlarmInput
		field, summary string // "" = valid
		cite           string
	}{
		{name: "A1/ok/every field set", in: validAlarm()},
		{name: "A3/ok/threshold 1 day", in: mod(days(1))},
		{name: "A3/ok/threshold 365 days", in: mod(days(365))},
		{name: "A3/ok/threshold 0 means the default 30", in: mod(days(0))},
		{name: "A3/ok/repeat 1m (the evaluation period)", in: mod(repeat("1m"))},
		{name: "A3/ok/repeat 24h", in: mod(repeat("24h"))},
		{name: "A3/ok/repeat 168h", in: mod(repeat("168h"))},
		{name: "A3/ok/empty repeat means once", in: mod(repeat(""))},
		{name: "A4/ok/plus address and subdomain", in: mod(email("a+ssl@mail.example.co.uk"))},
		{name: "A4/ok/E.164 with 15 digits", in: mod(phone("+123456789012345"))},
		{name: "A4/ok/E.164 with 7 digits", in: mod(phone("+1234567"))},
		{name: "A5/ok/loopback http webhook", in: mod(hook("http://127.0.0.1:8080/hook"))},
		{name: "A5/ok/webhook-only policy needs no recipient", in: mod(func(in *service.AlarmInput) {
			in.Recipients, in.Channels = nil, []string{service.ChannelWebhook}
		})},
		{name: "A4/ok/email-only policy needs no phone", in: mod(func(in *service.AlarmInput) {
			in.Channels, in.WebhookURL, in.Recipients[0].Phone = []string{service.ChannelEmail}, "", ""
		})},

		{name: "A1/error/name required", in: mod(func(in *service.AlarmInput) { in.Name = "  " }),
			field: "name", summary: "Name Required", cite: "A1"},
		{name: "A4/error/email without @", in: mod(email("alice")), field: "recipients", summary: "Invalid Email"},
		{name: "A4/error/email without domain", in: mod(email("alice@")), field: "recipients", summary: "Invalid Email"},
		{name: "A4/error/email with a display name", in: mod(email("Alice <alice@example.com>")), field: "recipients", summary: "Invalid Email"},
		{name: "A4/error/phone without +", in: mod(phone("8613800000000")), field: "recipients", summary: "Invalid Phone Number"},
		{name: "A4/error/phone with spaces", in: mod(phone("+86 138 0000 0000")), field: "recipients", summary: "Invalid Phone Number"},
		{name: "A4/error/phone with a leading 0 country code", in: mod(phone("+0123456789")), field: "recipients", summary: "Invalid Phone Number"},
		{name: "A4/error/phone with 6 digits", in: mod(phone("+123456")), field: "recipients", summary: "Invalid Phone Number"},
		{name: "A4/error/phone with 16 digits", in: mod(phone("+1234567890123456")), field: "recipients", summary: "Invalid Phone Number"},
		{name: "A5/error/ftp webhook URL", in: mod(hook("ftp://hooks.example.com/ssl")), field: "webhook_url", summary: "Invalid Webhook URL", cite: "A5"},
		{name: "A5/error/webhook URL without host", in: mod(hook("https://")), field: "webhook_url", summary: "Invalid Webhook URL", cite: "A5"},
		{name: "A5/error/webhook URL without scheme", in: mod(hook("hooks.example.com/ssl")), field: "webhook_url", summary: "Invalid Webhook URL", cite: "A5"},
		{name: "A5/error/WEBHOOK channel without URL", in: mod(hook("")), field: "webhook_url", summary: "Invalid Webhook URL", cite: "A5"},
		{name: "A3/error/threshold -1", in: mod(days(-1)), field: "days_before_expiry", summary: "Threshold Out Of Range", cite: "A3"},
		{name: "A3/error/threshold 366", in: mod(days(366)), field: "days_before_expiry", summary: "Threshold Out Of Range", cite: "A3"},
		{name: "A3/error/repeat 30s is shorter than the evaluation period", in: mod(repeat("30s")), field: "repeat_interval", summary: "Invalid Repeat Interval", cite: "A3"},
		{name: "A3/error/repeat daily is not a duration", in: mod(repeat("daily")), field: "repeat_interval", summary: "Invalid Repeat Interval", cite: "A3"},
		{name: "A3/error/repeat -24h", in: mod(repeat("-24h")), field: "repeat_interval", summary: "Invalid Repeat Interval", cite: "A3"},
		{name: "A3/error/repeat Once is not once", in: mod(repeat("Once")), field: "repeat_interval", summary: "Invalid Repeat Interval", cite: "A3"},
		{name: "A4/error/EMAIL channel without an email recipient", in: mod(email("")),
			field: "recipients", summary: "Recipient Missing", cite: "A4"},
		{name: "A4/error/SMS channel without a phone number", in: mod(phone("")),
			field: "recipients", summary: "Recipient Missing", cite: "A4"},
		{name: "A4/error/EMAIL channel without any recipient", in: mod(func(in *service.AlarmInput) { in.Recipients = nil }),
			field: "recipients", summary: "Recipient Missing", cite: "A4"},
		{name: "A4/error/no channel", in: mod(channels()), field: "channels", summary: "Channel Required", cite: "A4"},
		{name: "A4/error/unknown channel", in: mod(channels("EMAIL", "PAGER")), field: "channels", summary: "Unknown Channel"},
		{name: "A4/error/channel names are upper case", in: mod(channels("email")), field: "channels", summary: "Unknown Channel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := service.CheckAlarm(tc.in)
			a, err := e.svc.CreateAlarm(e.ctx, "", tc.in)
			if tc.field == "" {
				if len(ps) != 0 || err != nil {
					t.Fatalf("valid policy refused: %v / %+v", err, ps)
				}
				if tc.in.DaysBeforeExpiry == 0 && a.DaysBeforeExpiry != service.DefaultDaysBeforeExpiry {
					t.Fatalf("default threshold %d", a.DaysBeforeExpiry)
				}
				if a.HasWebhookSecret != (tc.in.WebhookSecret != "") || a.WebhookSecretSealed != nil {
					t.Fatalf("secret shown: has %v sealed %d bytes", a.HasWebhookSecret, len(a.WebhookSecretSealed))
				}
				return
			}
			wantProblem(t, ps, tc.field, tc.summary, tc.cite)
			var se *service.Error
			if !errors.As(err, &se) || se.Code != service.CodeInvalidAlarm || se.Kind != service.KindInvalid {
				t.Fatalf("CreateAlarm: %v, want an %s error", err, service.CodeInvalidAlarm)
			}
			wantProblem(t, se.Problems, tc.field, tc.summary, tc.cite)
		})
	}
	t.Run("A1/error/an invalid update is refused and leaves the policy as it was", func(t *testing.T) {
		a := e.createAlarm(validAlarm())
		bad := validAlarm()
		bad.Name, bad.DaysBeforeExpiry, bad.KeepWebhookSecret = "renamed", 400, true
		_, err := e.svc.UpdateAlarm(e.ctx, a.ID, bad)
		wantErr(t, err, service.CodeInvalidAlarm, "A3")
		if got := e.getAlarm(a.ID); got.Name != "expiring" || got.DaysBeforeExpiry != 30 {
			t.Fatalf("refused update changed the policy: %q %d", got.Name, got.DaysBeforeExpiry)
		}
	})
}

// --- A1: the policy's life ---

func TestAlarmUpdateAndDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	c := e.alarmCert("life", "web", e.now().Add(10*day), false)
	a := e.createAlarm(validAlarm())
	t.Run("A1/ok/update in place keeps the id and, asked to, the webhook secret", func(t *testing.T) {
		in := validAlarm()
		in.Name, in.Remarks, in.DaysBeforeExpiry, in.RepeatInterval, in.KeepWebhookSecret = "renamed", "", 14, "12h", true
		in.WebhookSecret = ""
		u, err := e.svc.UpdateAlarm(e.ctx, a.ID, in)
		wantNoErr(t, err)
		if u.ID != a.ID || u.Name != "renamed" || u.DaysBeforeExpiry != 14 || u.RepeatInterval != "12h" || !u.HasWebhookSecret {
			t.Fatalf("updated: %+v", u.AlarmPolicy)
		}
		if !slices.Equal(u.FiringCertificateIDs, []string{c.ID}) {
			t.Fatalf("firing %v", u.FiringCertificateIDs)
		}
	})
	t.Run("A5/ok/an update without KeepWebhookSecret and without secret removes it", func(t *testing.T) {
		in := validAlarm()
		in.WebhookSecret = ""
		u, err := e.svc.UpdateAlarm(e.ctx, a.ID, in)
		wantNoErr(t, err)
		if u.HasWebhookSecret {
			t.Fatal("secret kept")
		}
	})
	t.Run("A1/ok/delete keeps the notifications as history", func(t *testing.T) {
		if n := e.evaluate(); n != 3 {
			t.Fatalf("evaluation wrote %d rows, want 3", n)
		}
		wantNoErr(t, e.svc.DeleteAlarm(e.ctx, a.ID))
		_, err := e.svc.GetAlarm(e.ctx, a.ID)
		wantErr(t, err, service.CodeNotFound, "")
		wantErr(t, e.svc.DeleteAlarm(e.ctx, a.ID), service.CodeNotFound, "")
		_, err = e.svc.UpdateAlarm(e.ctx, a.ID, validAlarm())
		wantErr(t, err, service.CodeNotFound, "")
		if n := len(e.outbox(store.NotificationFilter{PolicyID: a.ID})); n != 3 {
			t.Fatalf("%d rows left after delete, want 3", n)
		}
		e.advance(time.Minute)
		if n := e.evaluate(); n != 0 {
			t.Fatalf("a deleted policy wrote %d rows", n)
		}
	})
}

// --- N1: ignoring notifications ---

func TestIgnoreN1(t *testing.T) {
	t.Parallel()
	const expiresIn = 200 * day
	tests := []struct {
		name   string
		before time.Duration // the clock stands this long before not_after
		ok     bool
	}{
		{name: "N1/error/200 days before expiry is refused with the date it becomes allowed", before: 200 * day},
		{name: "N1/error/30 days and 1 s before expiry is still refused", before: 30*day + time.Second},
		{name: "N1/ok/exactly 30 days before expiry is allowed", before: 30 * day, ok: true},
		{name: "N1/ok/10 days before expiry is allowed", before: 10 * day, ok: true},
		{name: "N1/ok/an expired certificate may be ignored", before: -day, ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{})
			c := e.alarmCert("ignore", "web", e.now().Add(expiresIn), false)
			e.set(c.NotAfter.Add(-tc.before))
			// The plan-time check gives the same answer as the change itself.
			if planErr := e.svc.CheckIgnore(c.NotAfter); (planErr == nil) != tc.ok {
				t.Fatalf("CheckIgnore: %v, want ok=%v", planErr, tc.ok)
			}
			u, err := e.svc.UpdateMetadata(e.ctx, c.ID, service.Update{IgnoreExpirationNotifications: new(true)})
			if tc.ok {
				wantNoErr(t, err)
				if !u.IgnoreNotifications || !e.get(c.ID).IgnoreNotifications {
					t.Fatal("ignore not stored")
				}
				return
			}
			wantErr(t, err, service.CodeIgnoreRefused, "N1")
			var se *service.Error
			errors.As(err, &se)
			from := c.NotAfter.Add(-30 * day).UTC().Format("2006-01-02 15:04 MST")
			if se.Field != "ignore_expiration_notifications" || se.Kind != service.KindFailedPrecondition || !strings.Contains(se.Message, from) {
				t.Fatalf("refusal field %q kind %v message %q; want the date %s", se.Field, se.Kind, se.Message, from)
			}
			if e.get(c.ID).IgnoreNotifications {
				t.Fatal("a refused ignore was stored")
			}
		})
	}

	t.Run("N1/ok/un-ignore is always allowed, even far from expiry", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		start := e.now()
		c := e.alarmCert("unignore", "web", start.Add(expiresIn), false)
		far := e.alarmCert("far", "web", start.Add(expiresIn), false)
		_, err := e.svc.UpdateMetadata(e.ctx, far.ID, service.Update{IgnoreExpirationNotifications: new(false)})
		wantNoErr(t, err)
		e.set(c.NotAfter.Add(-10 * day))
		_, err = e.svc.UpdateMetadata(e.ctx, c.ID, service.Update{IgnoreExpirationNotifications: new(true)})
		wantNoErr(t, err)
		e.set(start) // far from expiry again
		// Keeping true (Terraform re-sends it) is no new ignore: no check.
		_, err = e.svc.UpdateMetadata(e.ctx, c.ID, service.Update{IgnoreExpirationNotifications: new(true)})
		wantNoErr(t, err)
		u, err := e.svc.UpdateMetadata(e.ctx, c.ID, service.Update{IgnoreExpirationNotifications: new(false)})
		wantNoErr(t, err)
		if u.IgnoreNotifications {
			t.Fatal("still ignored")
		}
	})
	t.Run("N1/error/upload with ignore far from expiry is refused and stores nothing", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		_, _, err := e.svc.Upload(e.ctx, "", service.UploadInput{Name: "far", IgnoreExpirationNotifications: true,
			Material: e.material("far", e.now().Add(90*day))})
		wantErr(t, err, service.CodeIgnoreRefused, "N1")
		list, err := e.svc.List(e.ctx, service.Filter{})
		wantNoErr(t, err)
		if len(list) != 0 {
			t.Fatalf("%d records after a refused upload", len(list))
		}
	})
	t.Run("N1/ok/upload with ignore 10 days before expiry", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		c := e.alarmCert("near", "web", e.now().Add(10*day), true)
		if !c.IgnoreNotifications {
			t.Fatal("ignore not stored")
		}
	})
	t.Run("N1/error/order with ignore and a 90-day validity is refused", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		in := with(dv("long.example.com"), func(in *service.OrderInput) { in.ValidityDays, in.IgnoreExpirationNotifications = 90, true })
		_, err := e.svc.Order(e.ctx, "", in)
		var se *service.Error
		if !errors.As(err, &se) {
			t.Fatalf("order: %v, want a refusal", err)
		}
		wantProblem(t, se.Problems, "ignore_expiration_notifications", "Certificate Does Not Expire Soon", "N1")
		wantProblem(t, service.CheckOrder(in), "ignore_expiration_notifications", "Certificate Does Not Expire Soon", "N1")
	})
	t.Run("N1/ok/order with ignore and a 30-day validity is allowed", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		c := e.issue(with(dv("short.example.com"), func(in *service.OrderInput) { in.ValidityDays, in.IgnoreExpirationNotifications = 30, true }))
		if !c.IgnoreNotifications {
			t.Fatal("ignore not stored")
		}
	})
	t.Run("N1/ok/a rotation clears the ignore and the new version is notified", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		c := e.alarmCert("rotated", "web", e.now().Add(10*day), true)
		a := e.createAlarm(emailAlarm("rotated", "web"))
		if n := e.evaluate(); n != 0 {
			t.Fatalf("the ignored certificate was notified (%d rows)", n)
		}
		r := e.rotateCert(c, e.now().Add(20*day))
		if r.IgnoreNotifications {
			t.Fatal("rotation kept the ignore")
		}
		if n := e.evaluate(); n != 1 {
			t.Fatalf("after rotation: %d rows, want 1", n)
		}
		if got := e.getAlarm(a.ID).FiringCertificateIDs; !slices.Equal(got, []string{c.ID}) {
			t.Fatalf("firing %v", got)
		}
	})
	t.Run("N1/ok/a renewal clears the ignore", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		c := e.issue(with(dv("renewed.example.com"), func(in *service.OrderInput) { in.ValidityDays, in.IgnoreExpirationNotifications = 20, true }))
		r, err := e.svc.Renew(e.ctx, "", c.ID)
		wantNoErr(t, err)
		if r.IgnoreNotifications || e.get(c.ID).IgnoreNotifications {
			t.Fatal("renewal kept the ignore")
		}
	})
}
