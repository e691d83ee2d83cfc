package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// day is the unit of a policy's threshold.
const day = 24 * time.Hour

// AlarmPolicy returns an enabled policy of project "default" with every field
// set, naming no certificate (project wide).
func AlarmPolicy(id string) *store.AlarmPolicy {
	return &store.AlarmPolicy{
		ID:               id,
		Name:             "expiry of " + id,
		Remarks:          `notify "ops" <early> & often`,
		Project:          "default",
		DaysBeforeExpiry: 30,
		RepeatInterval:   "24h",
		Recipients: []store.Recipient{
			{Name: "Ops", Email: "ops@example.com", Phone: "+86 10 1234 5678"},
			{Name: "王工", Email: "wang@example.cn"},
		},
		Channels:            []string{"EMAIL", "SMS", "WEBHOOK"},
		WebhookURL:          "https://hooks.example.com/ssl?token=a&b=c",
		WebhookSecretSealed: []byte{0x01, 0x00, 0xff, 0x80, 'h', 'o', 'o', 'k', 0x00},
		Enabled:             true,
		LastEvaluatedAt:     base.Add(-time.Hour),
		CreatedAt:           base.Add(-48 * time.Hour),
		UpdatedAt:           base.Add(-24 * time.Hour),
	}
}

// Notification returns a pending outbox row of policy policyID about
// certificate certificateID, every field set, its dedup key derived from id.
func Notification(id, policyID, certificateID string) *store.Notification {
	return &store.Notification{
		ID:            id,
		DedupKey:      "dedup/" + id,
		PolicyID:      policyID,
		CertificateID: certificateID,
		NotAfter:      base.Add(10 * day),
		DaysLeft:      10,
		Recipient:     store.Recipient{Name: "Ops", Email: "ops@example.com", Phone: "+86 10 1234 5678"},
		Channel:       "EMAIL",
		Status:        "pending",
		Attempts:      2,
		NextAttemptAt: base.Add(5 * time.Minute),
		LastError:     "smtp: 451 try again later",
		CreatedAt:     base,
	}
}

func diffPolicy(want, got *store.AlarmPolicy) []string {
	return diffFields(
		field{"ID", want.ID, got.ID}, field{"Name", want.Name, got.Name}, field{"Remarks", want.Remarks, got.Remarks},
		field{"Project", want.Project, got.Project}, field{"CertificateIDs", want.CertificateIDs, got.CertificateIDs},
		field{"DaysBeforeExpiry", want.DaysBeforeExpiry, got.DaysBeforeExpiry},
		field{"RepeatInterval", want.RepeatInterval, got.RepeatInterval},
		field{"Recipients", want.Recipients, got.Recipients}, field{"Channels", want.Channels, got.Channels},
		field{"WebhookURL", want.WebhookURL, got.WebhookURL},
		field{"WebhookSecretSealed", want.WebhookSecretSealed, got.WebhookSecretSealed},
		field{"Enabled", want.Enabled, got.Enabled}, field{"LastEvaluatedAt", want.LastEvaluatedAt, got.LastEvaluatedAt},
		field{"CreatedAt", want.CreatedAt, got.CreatedAt}, field{"UpdatedAt", want.UpdatedAt, got.UpdatedAt})
}

func diffNotification(want, got *store.Notification) []string {
	return diffFields(
		field{"ID", want.ID, got.ID}, field{"DedupKey", want.DedupKey, got.DedupKey},
		field{"PolicyID", want.PolicyID, got.PolicyID}, field{"CertificateID", want.CertificateID, got.CertificateID},
		field{"NotAfter", want.NotAfter, got.NotAfter}, field{"DaysLeft", want.DaysLeft, got.DaysLeft},
		field{"Recipient", want.Recipient, got.Recipient}, field{"Channel", want.Channel, got.Channel},
		field{"Status", want.Status, got.Status}, field{"Attempts", want.Attempts, got.Attempts},
		field{"NextAttemptAt", want.NextAttemptAt, got.NextAttemptAt}, field{"LastError", want.LastError, got.LastError},
		field{"CreatedAt", want.CreatedAt, got.CreatedAt}, field{"SentAt", want.SentAt, got.SentAt})
}

// requirePolicy fails t unless the store holds want, field for field.
func requirePolicy(t *testing.T, s store.Reader, want *store.AlarmPolicy) {
	t.Helper()
	got, err := s.GetAlarmPolicy(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("GetAlarmPolicy(%q): %v", want.ID, err)
	}
	if d := diffPolicy(want, got); len(d) > 0 {
		t.Fatalf("alarm policy %q differs:\n  %s", want.ID, joinLines(d))
	}
}

// insertPolicies stores every policy in one Update, failing t on error.
func insertPolicies(t *testing.T, s store.Store, ps ...*store.AlarmPolicy) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, p := range ps {
			if err := tx.InsertAlarmPolicy(t.Context(), p); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertNotifications stores every notification in one Update, failing t on error.
func insertNotifications(t *testing.T, s store.Store, ns ...*store.Notification) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, n := range ns {
			if err := tx.InsertNotification(t.Context(), n); err != nil {
				return err
			}
		}
		return nil
	})
}

// policyIDs returns the ids of the policies of projects, in order.
func policyIDs(t *testing.T, s store.Reader, projects []string) []string {
	t.Helper()
	ps, err := s.ListAlarmPolicies(t.Context(), projects)
	if err != nil {
		t.Fatalf("ListAlarmPolicies(%q): %v", projects, err)
	}
	ids := []string{}
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// notificationIDs returns the ids of the notifications f matches, in order.
func notificationIDs(t *testing.T, s store.Reader, f store.NotificationFilter) []string {
	t.Helper()
	ns, err := s.ListNotifications(t.Context(), f)
	if err != nil {
		t.Fatalf("ListNotifications(%+v): %v", f, err)
	}
	ids := []string{}
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	return ids
}

// requireNotification fails t unless the store holds want, field for field.
func requireNotification(t *testing.T, s store.Reader, want *store.Notification) {
	t.Helper()
	ns, err := s.ListNotifications(t.Context(), store.NotificationFilter{PolicyID: want.PolicyID, CertificateID: want.CertificateID})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.ID == want.ID {
			if d := diffNotification(want, n); len(d) > 0 {
				t.Fatalf("notification %q differs:\n  %s", want.ID, joinLines(d))
			}
			return
		}
	}
	t.Fatalf("notification %q not found", want.ID)
}

func testPolicyRoundTrip(t *testing.T, s store.Store) {
	full := AlarmPolicy("p-full")
	full.CertificateIDs = []string{"cert-3", "cert-1", "cert-2"} // kept in this order
	bare := &store.AlarmPolicy{ID: "p-bare", Project: "web", RepeatInterval: "once", CreatedAt: base, UpdatedAt: base}
	insertPolicies(t, s, full, bare)
	requirePolicy(t, s, full)
	requirePolicy(t, s, bare)
	got, err := s.GetAlarmPolicy(t.Context(), "p-bare")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.CertificateIDs) != 0 || len(got.Recipients) != 0 || len(got.Channels) != 0 ||
		len(got.WebhookSecretSealed) != 0 || !got.LastEvaluatedAt.IsZero() || got.Enabled {
		t.Fatalf("empty fields came back set: %+v", got)
	}
	ps, err := s.ListAlarmPolicies(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("ListAlarmPolicies: %d policies, want 2", len(ps))
	}
	if d := append(diffPolicy(bare, ps[0]), diffPolicy(full, ps[1])...); len(d) > 0 {
		t.Fatalf("ListAlarmPolicies differs (or is not in id order):\n  %s", joinLines(d))
	}
}

func testPolicyErrors(t *testing.T, s store.Store) {
	p := AlarmPolicy("p")
	p.CertificateIDs = []string{"cert-1"}
	insertPolicies(t, s, p)
	dup := AlarmPolicy("p")
	dup.Name, dup.CertificateIDs = "second", []string{"cert-2", "cert-1"}
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertAlarmPolicy(t.Context(), dup) })
	requireErrorIs(t, "InsertAlarmPolicy of an existing id", err, store.ErrConflict)
	requirePolicy(t, s, p)

	_, err = s.GetAlarmPolicy(t.Context(), "missing")
	requireErrorIs(t, "GetAlarmPolicy", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.UpdateAlarmPolicy(t.Context(), AlarmPolicy("missing")) })
	requireErrorIs(t, "UpdateAlarmPolicy", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteAlarmPolicy(t.Context(), "missing") })
	requireErrorIs(t, "DeleteAlarmPolicy", err, store.ErrNotFound)
	requireIDs(t, "ListAlarmPolicies", policyIDs(t, s, nil), "p")
}

func testPolicyUpdate(t *testing.T, s store.Store) {
	p := AlarmPolicy("p")
	p.CertificateIDs = []string{"cert-1", "cert-2", "cert-3"}
	insertPolicies(t, s, p, AlarmPolicy("bystander"))
	want := &store.AlarmPolicy{
		ID: "p", Name: "renamed", Remarks: "", Project: "web", CertificateIDs: []string{"cert-4", "cert-2", "cert-1"},
		DaysBeforeExpiry: 7, RepeatInterval: "once", Recipients: []store.Recipient{{Name: "only", Phone: "1"}},
		Channels: []string{"SMS"}, WebhookURL: "", WebhookSecretSealed: nil, Enabled: false,
		LastEvaluatedAt: base.Add(time.Hour), CreatedAt: base.Add(-time.Hour), UpdatedAt: base.Add(2 * time.Hour),
	}
	update(t, s, func(tx store.Tx) error { return tx.UpdateAlarmPolicy(t.Context(), want) })
	requirePolicy(t, s, want)
	requirePolicy(t, s, AlarmPolicy("bystander"))

	// Naming no certificate any more makes the policy project wide.
	want.CertificateIDs = nil
	update(t, s, func(tx store.Tx) error { return tx.UpdateAlarmPolicy(t.Context(), want) })
	requirePolicy(t, s, want)
}

func testPolicyList(t *testing.T, s store.Store) {
	mk := func(id, project string) *store.AlarmPolicy {
		p := AlarmPolicy(id)
		p.Project = project
		return p
	}
	insertPolicies(t, s, mk("p-c", "web"), mk("p-a", "api"), mk("p-b", "web"), mk("p-d", "ops"))
	requireIDs(t, "all", policyIDs(t, s, nil), "p-a", "p-b", "p-c", "p-d")
	requireIDs(t, "web and ops", policyIDs(t, s, []string{"web", "ops"}), "p-b", "p-c", "p-d")
	requireIDs(t, "empty matches nothing", policyIDs(t, s, []string{}))
	requireIDs(t, "unknown project", policyIDs(t, s, []string{"nobody"}))
}

func testPolicyDeleteKeepsNotifications(t *testing.T, s store.Store) {
	c := Certificate("cert-1")
	c.IgnoreNotifications = false
	c.NotAfter = base.Add(10 * day)
	insert(t, s, c)
	p := AlarmPolicy("p")
	p.Project = "web"
	p.CertificateIDs = []string{"cert-1"}
	insertPolicies(t, s, p)
	n := Notification("n-1", "p", "cert-1")
	insertNotifications(t, s, n)
	update(t, s, func(tx store.Tx) error { return tx.RecordFiring(t.Context(), "p", "cert-1", c.NotAfter, base) })

	update(t, s, func(tx store.Tx) error { return tx.DeleteAlarmPolicy(t.Context(), "p") })
	_, err := s.GetAlarmPolicy(t.Context(), "p")
	requireErrorIs(t, "GetAlarmPolicy of a deleted policy", err, store.ErrNotFound)
	requireNotification(t, s, n)
	requireIDs(t, "notifications of the deleted policy's project",
		notificationIDs(t, s, store.NotificationFilter{Projects: []string{"web"}}), "n-1")

	// Its firing records went with it: a policy created again under the same id
	// starts afresh, project wide this time.
	p.CertificateIDs = nil
	p.Project = "default"
	insertPolicies(t, s, p)
	cs := candidates(t, s, base)
	if len(cs) != 1 || cs[0].CertificateID != "cert-1" || !cs[0].LastFiredAt.IsZero() {
		t.Fatalf("candidates of the policy created again: %s", renderCandidates(cs))
	}
}

// candidates returns FindAlarmCandidates(now), failing t on error.
func candidates(t *testing.T, s store.Reader, now time.Time) []*store.AlarmCandidate {
	t.Helper()
	cs, err := s.FindAlarmCandidates(t.Context(), store.AlarmCandidateQuery{Now: now})
	if err != nil {
		t.Fatalf("FindAlarmCandidates(%s): %v", now, err)
	}
	return cs
}

// renderCandidates renders candidates as "policy/certificate" lines, with the
// last firing when there is one.
func renderCandidates(cs []*store.AlarmCandidate) string {
	var out []string
	for _, c := range cs {
		l := c.PolicyID + "/" + c.CertificateID
		if !c.LastFiredAt.IsZero() {
			l += " fired " + c.LastFiredAt.UTC().Format(time.RFC3339Nano)
		}
		out = append(out, l)
	}
	return fmt.Sprintf("%q", out)
}

func testAlarmCandidateBoundaries(t *testing.T, s store.Store) {
	now := base
	mk := func(id, project string, notAfter time.Time, ignore bool) *store.Certificate {
		c := Certificate(id)
		c.Project, c.NotAfter, c.IgnoreNotifications = project, notAfter, ignore
		return c
	}
	insert(t, s,
		mk("c-now", "web", now, false),                            // exactly now: in
		mk("c-edge", "web", now.Add(30*day), false),               // exactly now + 30 days: in for 30 days
		mk("c-past", "web", now.Add(-time.Second), false),         // expired a second ago: out
		mk("c-past-us", "web", now.Add(-time.Microsecond), false), // a microsecond ago: out
		mk("c-beyond", "web", now.Add(30*day+time.Second), false), // a second past 30 days
		mk("c-beyond-us", "web", now.Add(30*day+time.Microsecond), false),
		mk("c-ignored", "web", now.Add(day), true),  // ignores notifications: out
		mk("c-other", "other", now.Add(day), false), // another project
		mk("c-far", "web", now.Add(400*day), false), // far away
	)
	mkp := func(id, project string, days int, enabled bool, ids ...string) *store.AlarmPolicy {
		p := AlarmPolicy(id)
		p.Project, p.DaysBeforeExpiry, p.Enabled, p.CertificateIDs = project, days, enabled, ids
		return p
	}
	insertPolicies(t, s,
		mkp("p-web", "web", 30, true),
		mkp("p-disabled", "web", 365, false),
		mkp("p-zero", "web", 0, true),
		mkp("p-explicit", "web", 60, true, "c-other", "c-beyond", "c-ignored", "c-far", "c-missing"),
		mkp("p-nobody", "nobody", 30, true),
	)
	want := []string{
		"p-explicit/c-beyond", "p-explicit/c-other",
		"p-web/c-edge", "p-web/c-now",
		"p-zero/c-now",
	}
	requireIDs(t, "FindAlarmCandidates", Got(candidates(t, s, now)), want...)
	for _, c := range candidates(t, s, now) {
		if !c.LastFiredAt.IsZero() {
			t.Fatalf("%s/%s: LastFiredAt %v before any firing", c.PolicyID, c.CertificateID, c.LastFiredAt)
		}
		wantNotAfter := map[string]time.Time{"c-beyond": now.Add(30*day + time.Second), "c-other": now.Add(day),
			"c-edge": now.Add(30 * day), "c-now": now}[c.CertificateID]
		if !c.NotAfter.Equal(wantNotAfter) {
			t.Fatalf("%s/%s: NotAfter %v, want %v", c.PolicyID, c.CertificateID, c.NotAfter, wantNotAfter)
		}
	}
	// In a time zone other than the stored one, the same instant gives the same result.
	requireIDs(t, "FindAlarmCandidates at now in UTC", Got(candidates(t, s, now.UTC())), want...)
	// A second later, c-now has expired and c-beyond is within 30 days.
	requireIDs(t, "FindAlarmCandidates a second later", Got(candidates(t, s, now.Add(time.Second))),
		"p-explicit/c-beyond", "p-explicit/c-other", "p-web/c-beyond", "p-web/c-beyond-us", "p-web/c-edge")

	// Firings: per (policy, certificate, not_after), upserted.
	fired, refired := now.Add(-2*time.Hour), now.Add(-time.Hour)
	update(t, s, func(tx store.Tx) error {
		if err := tx.RecordFiring(t.Context(), "p-web", "c-now", now, fired); err != nil {
			return err
		}
		if err := tx.RecordFiring(t.Context(), "p-web", "c-edge", now.Add(30*day), fired); err != nil {
			return err
		}
		// Another not_after of c-now (an older version): not its current one.
		return tx.RecordFiring(t.Context(), "p-zero", "c-now", now.Add(-day), fired)
	})
	update(t, s, func(tx store.Tx) error {
		return tx.RecordFiring(t.Context(), "p-web", "c-edge", now.Add(30*day), refired)
	})
	lastFired := func() map[string]time.Time {
		m := map[string]time.Time{}
		for _, c := range candidates(t, s, now) {
			m[c.PolicyID+"/"+c.CertificateID] = c.LastFiredAt
		}
		return m
	}
	got := lastFired()
	for k, w := range map[string]time.Time{
		"p-web/c-now": fired, "p-web/c-edge": refired, "p-zero/c-now": {},
		"p-explicit/c-beyond": {}, "p-explicit/c-other": {},
	} {
		if !got[k].Equal(w) {
			t.Errorf("%s: LastFiredAt %v, want %v", k, got[k], w)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Renewed: c-now gets a new not_after, its firing (for the old one) no longer applies.
	renewed := mk("c-now", "web", now.Add(10*day), false)
	update(t, s, func(tx store.Tx) error { return tx.UpdateCertificate(t.Context(), renewed) })
	cs := candidates(t, s, now)
	requireIDs(t, "FindAlarmCandidates after the renewal", Got(cs),
		"p-explicit/c-beyond", "p-explicit/c-other", "p-web/c-edge", "p-web/c-now")
	for _, c := range cs {
		if c.CertificateID == "c-now" && (!c.LastFiredAt.IsZero() || !c.NotAfter.Equal(renewed.NotAfter)) {
			t.Fatalf("renewed certificate: NotAfter %v, LastFiredAt %v", c.NotAfter, c.LastFiredAt)
		}
	}

	// Switching notifications off, disabling and deleting policies.
	ignored := mk("c-edge", "web", now.Add(30*day), true)
	update(t, s, func(tx store.Tx) error {
		if err := tx.UpdateCertificate(t.Context(), ignored); err != nil {
			return err
		}
		p := mkp("p-explicit", "web", 60, false, "c-other")
		return tx.UpdateAlarmPolicy(t.Context(), p)
	})
	requireIDs(t, "FindAlarmCandidates after ignoring c-edge and disabling p-explicit", Got(candidates(t, s, now)), "p-web/c-now")

	// No enabled policy at all: nothing.
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"p-web", "p-zero", "p-nobody"} {
			if err := tx.DeleteAlarmPolicy(t.Context(), id); err != nil {
				return err
			}
		}
		return nil
	})
	requireIDs(t, "FindAlarmCandidates without enabled policies", Got(candidates(t, s, now)))

	err := s.Update(t.Context(), func(tx store.Tx) error {
		return tx.RecordFiring(t.Context(), "p-missing", "c-now", now, now)
	})
	requireErrorIs(t, "RecordFiring of a missing policy", err, store.ErrNotFound)
}

// testFindAlarmCandidatesExtremeThresholds checks that a threshold reaching past
// year 9999, or a negative one, affects its own policy only.
func testFindAlarmCandidatesExtremeThresholds(t *testing.T, s store.Store) {
	soon, far := Certificate("c-soon"), Certificate("c-far")
	soon.IgnoreNotifications, soon.NotAfter = false, base.Add(day)
	far.IgnoreNotifications, far.NotAfter = false, time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)
	insert(t, s, soon, far)
	huge, small, negative := AlarmPolicy("p-huge"), AlarmPolicy("p-small"), AlarmPolicy("p-negative")
	huge.DaysBeforeExpiry, small.DaysBeforeExpiry, negative.DaysBeforeExpiry = 10_000_000, 30, -5
	insertPolicies(t, s, huge, small, negative)
	requireIDs(t, "FindAlarmCandidates", Got(candidates(t, s, base)), "p-huge/c-far", "p-huge/c-soon", "p-small/c-soon")
}

// testFindAlarmCandidatesNanoseconds checks the bounds with a now finer than the
// stored microseconds: not_after >= now and not_after <= now + days hold exactly.
func testFindAlarmCandidatesNanoseconds(t *testing.T, s store.Store) {
	c := Certificate("c")
	c.IgnoreNotifications, c.NotAfter = false, base.Add(5*time.Microsecond)
	insert(t, s, c)
	p := AlarmPolicy("p")
	p.DaysBeforeExpiry = 1
	insertPolicies(t, s, p)
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{c.NotAfter.Add(time.Nanosecond), false},
		{c.NotAfter, true},
		{c.NotAfter.Add(-time.Nanosecond), true},
		{c.NotAfter.Add(-day - time.Nanosecond), false},
		{c.NotAfter.Add(-day), true},
		{c.NotAfter.Add(-day + time.Nanosecond), true},
	} {
		if got := len(candidates(t, s, tc.now)) == 1; got != tc.want {
			t.Errorf("FindAlarmCandidates at not_after %+v: candidate %v, want %v", tc.now.Sub(c.NotAfter), got, tc.want)
		}
	}
}

func testNotificationRoundTrip(t *testing.T, s store.Store) {
	n := Notification("n-1", "p", "cert-1")
	sent := Notification("n-2", "p", "cert-1")
	sent.Status, sent.Attempts, sent.LastError, sent.SentAt, sent.Channel = "sent", 1, "", base.Add(time.Minute), "WEBHOOK"
	sent.Recipient = store.Recipient{}
	insertNotifications(t, s, n, sent)
	requireNotification(t, s, n)
	requireNotification(t, s, sent)

	// UpdateNotification writes the delivery fields only.
	in := *n
	in.Status, in.Attempts, in.NextAttemptAt, in.LastError, in.SentAt = "sent", 3, base.Add(time.Hour), "", base.Add(61*time.Minute)
	in.DedupKey, in.NotAfter, in.DaysLeft, in.Channel, in.CreatedAt = "other", base, 1, "SMS", base.Add(time.Hour)
	in.Recipient = store.Recipient{Name: "x"}
	update(t, s, func(tx store.Tx) error { return tx.UpdateNotification(t.Context(), &in) })
	want := *n
	want.Status, want.Attempts, want.NextAttemptAt, want.LastError, want.SentAt = in.Status, in.Attempts, in.NextAttemptAt, in.LastError, in.SentAt
	requireNotification(t, s, &want)
	requireNotification(t, s, sent)
}

func testNotificationErrors(t *testing.T, s store.Store) {
	n := Notification("n-1", "p", "cert-1")
	insertNotifications(t, s, n)
	dupID := Notification("n-1", "p", "cert-2")
	dupKey := Notification("n-2", "p", "cert-2")
	dupKey.DedupKey = n.DedupKey
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertNotification(t.Context(), dupID) })
	requireErrorIs(t, "InsertNotification of an existing id", err, store.ErrConflict)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertNotification(t.Context(), dupKey) })
	requireErrorIs(t, "InsertNotification of an existing dedup key", err, store.ErrConflict)
	err = s.Update(t.Context(), func(tx store.Tx) error {
		return tx.UpdateNotification(t.Context(), Notification("missing", "p", "cert-1"))
	})
	requireErrorIs(t, "UpdateNotification of a missing id", err, store.ErrNotFound)
	requireIDs(t, "ListNotifications", notificationIDs(t, s, store.NotificationFilter{}), "n-1")
	requireNotification(t, s, n)
}

func testNotificationList(t *testing.T, s store.Store) {
	web, api := AlarmPolicy("p-web"), AlarmPolicy("p-api")
	web.Project, api.Project = "web", "api"
	insertPolicies(t, s, web, api)
	due := base.Add(time.Hour)
	mk := func(id, policy, cert, channel, status string, created, next time.Duration) *store.Notification {
		n := Notification(id, policy, cert)
		n.Channel, n.Status, n.CreatedAt, n.NextAttemptAt = channel, status, base.Add(created), due.Add(next)
		return n
	}
	insertNotifications(t, s,
		mk("n-1", "p-web", "cert-1", "EMAIL", "pending", 0, 0),                        // due exactly at due
		mk("n-2", "p-web", "cert-1", "SMS", "pending", time.Minute, time.Microsecond), // a microsecond later
		mk("n-4", "p-web", "cert-2", "EMAIL", "failed", 2*time.Minute, -time.Hour),
		mk("n-3", "p-api", "cert-2", "WEBHOOK", "sent", 2*time.Minute, -time.Hour), // same creation time as n-4: id order
		mk("n-5", "p-api", "cert-3", "EMAIL", "pending", -time.Minute, -time.Hour),
		mk("n-6", "p-gone", "cert-3", "EMAIL", "pending", 3*time.Minute, -time.Hour), // no such policy
	)
	for _, tc := range []struct {
		name string
		f    store.NotificationFilter
		want []string
	}{
		{"no filter, oldest first", store.NotificationFilter{}, []string{"n-5", "n-1", "n-2", "n-3", "n-4", "n-6"}},
		{"policy", store.NotificationFilter{PolicyID: "p-web"}, []string{"n-1", "n-2", "n-4"}},
		{"certificate", store.NotificationFilter{CertificateID: "cert-2"}, []string{"n-3", "n-4"}},
		{"channel", store.NotificationFilter{Channel: "EMAIL"}, []string{"n-5", "n-1", "n-4", "n-6"}},
		{"status", store.NotificationFilter{Status: "pending"}, []string{"n-5", "n-1", "n-2", "n-6"}},
		{"status sent", store.NotificationFilter{Status: "sent"}, []string{"n-3"}},
		{"due by: pending and next attempt not after", store.NotificationFilter{DueBy: due}, []string{"n-5", "n-1", "n-6"}},
		{"due by a microsecond later", store.NotificationFilter{DueBy: due.Add(time.Microsecond)}, []string{"n-5", "n-1", "n-2", "n-6"}},
		{"due by a microsecond earlier", store.NotificationFilter{DueBy: due.Add(-time.Microsecond)}, []string{"n-5", "n-6"}},
		{"due by with limit", store.NotificationFilter{DueBy: due, Limit: 2}, []string{"n-5", "n-1"}},
		{"due by and status failed", store.NotificationFilter{DueBy: due, Status: "failed"}, nil},
		{"projects via policy", store.NotificationFilter{Projects: []string{"web"}}, []string{"n-1", "n-2", "n-4"}},
		{"projects api", store.NotificationFilter{Projects: []string{"api", "ops"}}, []string{"n-5", "n-3"}},
		{"projects empty matches nothing", store.NotificationFilter{Projects: []string{}}, nil},
		{"limit", store.NotificationFilter{Limit: 3}, []string{"n-5", "n-1", "n-2"}},
		{"policy, channel and status", store.NotificationFilter{PolicyID: "p-web", Channel: "EMAIL", Status: "pending"}, []string{"n-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireIDs(t, "ListNotifications", notificationIDs(t, s, tc.f), tc.want...)
		})
	}
}

// testAlarmsTransactionUsable checks that an ErrConflict or ErrNotFound of the
// hosting and alarm writes leaves nothing half written and the transaction
// usable: fn handles the error, goes on, and its other writes commit.
func testAlarmsTransactionUsable(t *testing.T, s store.Store) {
	ctx := t.Context()
	r1, r2 := Resource("CLB", "lb-1", "r"), Resource("CLB", "lb-2", "r")
	check := func(what string, err, target error) error {
		if !errors.Is(err, target) {
			return fmt.Errorf("%s: got %v, want %v", what, err, target)
		}
		return nil
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		steps := []func() error{
			func() error { return tx.InsertHosting(ctx, Hosting("h-1", "cert-1", r1)) },
			func() error {
				return check("InsertHosting of an existing id", tx.InsertHosting(ctx, Hosting("h-1", "cert-1", r2)), store.ErrConflict)
			},
			func() error {
				return check("InsertHosting of a bound resource", tx.InsertHosting(ctx, Hosting("h-2", "cert-2", r2, r1)), store.ErrConflict)
			},
			func() error {
				return check("UpdateHosting of a missing id", tx.UpdateHosting(ctx, Hosting("h-9", "cert-1")), store.ErrNotFound)
			},
			func() error {
				return check("DeleteHosting of a missing id", tx.DeleteHosting(ctx, "h-9"), store.ErrNotFound)
			},
			func() error { return tx.InsertDeployment(ctx, Deployment("d-1", "h-1", "cert-1", r1)) },
			func() error {
				return check("InsertDeployment of an existing id", tx.InsertDeployment(ctx, Deployment("d-1", "h-1", "cert-1", r1)), store.ErrConflict)
			},
			func() error {
				return check("UpdateDeployment of a missing id", tx.UpdateDeployment(ctx, Deployment("d-9", "h-1", "cert-1", r1)), store.ErrNotFound)
			},
			func() error { return tx.InsertAlarmPolicy(ctx, AlarmPolicy("p")) },
			func() error {
				return check("InsertAlarmPolicy of an existing id", tx.InsertAlarmPolicy(ctx, AlarmPolicy("p")), store.ErrConflict)
			},
			func() error {
				return check("UpdateAlarmPolicy of a missing id", tx.UpdateAlarmPolicy(ctx, AlarmPolicy("p-9")), store.ErrNotFound)
			},
			func() error {
				return check("DeleteAlarmPolicy of a missing id", tx.DeleteAlarmPolicy(ctx, "p-9"), store.ErrNotFound)
			},
			func() error {
				return check("RecordFiring of a missing policy", tx.RecordFiring(ctx, "p-9", "cert-1", base, base), store.ErrNotFound)
			},
			func() error { return tx.InsertNotification(ctx, Notification("n-1", "p", "cert-1")) },
			func() error {
				return check("InsertNotification of an existing id", tx.InsertNotification(ctx, Notification("n-1", "p", "cert-2")), store.ErrConflict)
			},
			func() error {
				n := Notification("n-2", "p", "cert-2")
				n.DedupKey = "dedup/n-1"
				return check("InsertNotification of an existing dedup key", tx.InsertNotification(ctx, n), store.ErrConflict)
			},
			func() error {
				return check("UpdateNotification of a missing id", tx.UpdateNotification(ctx, Notification("n-9", "p", "cert-1")), store.ErrNotFound)
			},
			// Writes after the handled errors.
			func() error { return tx.InsertHosting(ctx, Hosting("h-3", "cert-3", r2)) },
			func() error { return tx.RecordFiring(ctx, "p", "cert-1", base, base) },
			func() error { return tx.InsertNotification(ctx, Notification("n-3", "p", "cert-3")) },
		}
		for i, step := range steps {
			if err := step(); err != nil {
				return fmt.Errorf("step %d: %w", i, err)
			}
		}
		// The transaction sees its own writes.
		requireIDs(t, "ListHostings in the transaction", hostingIDs(t, tx, store.HostingFilter{}), "h-1", "h-3")
		requireIDs(t, "ListDeployments in the transaction", deploymentIDs(t, tx, store.DeploymentFilter{}), "d-1")
		requireIDs(t, "ListNotifications in the transaction", notificationIDs(t, tx, store.NotificationFilter{}), "n-1", "n-3")
		requireIDs(t, "ListAlarmPolicies in the transaction", policyIDs(t, tx, nil), "p")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	requireHosting(t, s, Hosting("h-1", "cert-1", r1))
	requireHosting(t, s, Hosting("h-3", "cert-3", r2))
	requireIDs(t, "ListHostings", hostingIDs(t, s, store.HostingFilter{}), "h-1", "h-3")
	requireDeployments(t, s, store.DeploymentFilter{}, Deployment("d-1", "h-1", "cert-1", r1))
	requirePolicy(t, s, AlarmPolicy("p"))
	requireNotification(t, s, Notification("n-1", "p", "cert-1"))
	requireNotification(t, s, Notification("n-3", "p", "cert-3"))
	requireIDs(t, "ListNotifications", notificationIDs(t, s, store.NotificationFilter{}), "n-1", "n-3")

	// A rolled back Update leaves none of these writes.
	errBoom := errors.New("boom")
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertHosting(ctx, Hosting("h-rb", "cert-1", Resource("CDN", "rb", ""))); err != nil {
			return err
		}
		if err := tx.DeleteAlarmPolicy(ctx, "p"); err != nil {
			return err
		}
		if err := tx.InsertNotification(ctx, Notification("n-rb", "p", "cert-1")); err != nil {
			return err
		}
		return errBoom
	})
	requireErrorIs(t, "Update returning an error", err, errBoom)
	requireIDs(t, "ListHostings after the rollback", hostingIDs(t, s, store.HostingFilter{}), "h-1", "h-3")
	requirePolicy(t, s, AlarmPolicy("p"))
	requireIDs(t, "ListNotifications after the rollback", notificationIDs(t, s, store.NotificationFilter{}), "n-1", "n-3")
}
