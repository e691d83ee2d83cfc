package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// findCandidates returns FindAlarmCandidates(q), failing t on error.
func findCandidates(t *testing.T, s store.Reader, q store.AlarmCandidateQuery) []*store.AlarmCandidate {
	t.Helper()
	cs, err := s.FindAlarmCandidates(t.Context(), q)
	if err != nil {
		t.Fatalf("FindAlarmCandidates(%+v): %v", q, err)
	}
	return cs
}

// testFindAlarmCandidates checks the narrowing of FindAlarmCandidates: by
// policy, by certificate status, and to the pairs that may fire again.
func testFindAlarmCandidates(t *testing.T, s store.Store) {
	now := base
	mk := func(id, status string, notAfter time.Time) *store.Certificate {
		c := Certificate(id)
		c.Project, c.Status, c.NotAfter, c.IgnoreNotifications = "web", status, notAfter, false
		return c
	}
	insert(t, s,
		mk("c-1", "issued", now.Add(day)),
		mk("c-2", "issued", now.Add(2*day)),
		mk("c-3", "expired", now.Add(3*day)),
		mk("c-revoked", "revoked", now.Add(day)),
	)
	mkp := func(id, repeat string, ids ...string) *store.AlarmPolicy {
		p := AlarmPolicy(id)
		p.Project, p.RepeatInterval, p.CertificateIDs = "web", repeat, ids
		return p
	}
	insertPolicies(t, s, mkp("p-once", "once"), mkp("p-hourly", "1h"), mkp("p-named", "30m", "c-2", "c-revoked"))
	off := mkp("p-off", "1h")
	off.Enabled = false
	insertPolicies(t, s, off)

	all := []string{"p-hourly/c-1", "p-hourly/c-2", "p-hourly/c-3", "p-hourly/c-revoked",
		"p-named/c-2", "p-named/c-revoked",
		"p-once/c-1", "p-once/c-2", "p-once/c-3", "p-once/c-revoked"}
	requireIDs(t, "no narrowing: FindAlarmCandidates", Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now})), all...)
	requireIDs(t, "one policy", Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, PolicyID: "p-named"})),
		"p-named/c-2", "p-named/c-revoked")
	requireIDs(t, "a disabled policy", Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, PolicyID: "p-off"})))
	requireIDs(t, "an unknown policy", Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, PolicyID: "p-none"})))
	live := []string{"issued", "expired"}
	requireIDs(t, "live statuses", Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, Statuses: live})),
		"p-hourly/c-1", "p-hourly/c-2", "p-hourly/c-3", "p-named/c-2", "p-once/c-1", "p-once/c-2", "p-once/c-3")
	requireIDs(t, "no status admitted", Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, Statuses: []string{}})))
	requireIDs(t, "due before any firing", Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, Due: true})), all...)

	// Fired an hour ago (c-1: for another not_after, an older version).
	fired := now.Add(-time.Hour)
	update(t, s, func(tx store.Tx) error {
		return tx.RecordFirings(t.Context(), fired, []store.AlarmFiring{
			{PolicyID: "p-once", CertificateID: "c-1", NotAfter: now.Add(-day)},
			{PolicyID: "p-once", CertificateID: "c-2", NotAfter: now.Add(2 * day)},
			{PolicyID: "p-once", CertificateID: "c-2", NotAfter: now.Add(2 * day)}, // twice in one call: once
			{PolicyID: "p-hourly", CertificateID: "c-1", NotAfter: now.Add(day)},
			{PolicyID: "p-named", CertificateID: "c-2", NotAfter: now.Add(2 * day)},
		})
	})
	got := map[string]time.Time{}
	for _, c := range findCandidates(t, s, store.AlarmCandidateQuery{Now: now, Statuses: live}) {
		got[c.PolicyID+"/"+c.CertificateID] = c.LastFiredAt
	}
	for _, k := range []string{"p-once/c-2", "p-hourly/c-1", "p-named/c-2"} {
		if !got[k].Equal(fired) {
			t.Errorf("%s: LastFiredAt %v, want %v", k, got[k], fired)
		}
	}
	if !got["p-once/c-1"].IsZero() {
		t.Errorf("p-once/c-1: LastFiredAt %v for another not_after", got["p-once/c-1"])
	}
	notFired := []string{"p-hourly/c-2", "p-hourly/c-3", "p-once/c-1", "p-once/c-3"}
	requireIDs(t, "due without a refire bound",
		Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, Statuses: live, Due: true})), notFired...)
	// A bound at the firing: nothing fired before it.
	requireIDs(t, "due, fired at the bound",
		Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, Statuses: live, Due: true, RefireBefore: fired})), notFired...)
	// A bound a microsecond (and a nanosecond) later: the repeating policies' pairs
	// come back, the "once" policy's never.
	for _, d := range []time.Duration{time.Microsecond, time.Nanosecond} {
		requireIDs(t, "due, fired just before the bound",
			Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, Statuses: live, Due: true, RefireBefore: fired.Add(d)})),
			"p-hourly/c-1", "p-hourly/c-2", "p-hourly/c-3", "p-named/c-2", "p-once/c-1", "p-once/c-3")
	}
	requireIDs(t, "due for one policy",
		Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, PolicyID: "p-once", Due: true, RefireBefore: now})),
		"p-once/c-1", "p-once/c-3", "p-once/c-revoked")

	// Fired again: upserted.
	update(t, s, func(tx store.Tx) error {
		return tx.RecordFirings(t.Context(), now, []store.AlarmFiring{{PolicyID: "p-hourly", CertificateID: "c-1", NotAfter: now.Add(day)}})
	})
	for _, c := range findCandidates(t, s, store.AlarmCandidateQuery{Now: now, PolicyID: "p-hourly"}) {
		if c.CertificateID == "c-1" && !c.LastFiredAt.Equal(now) {
			t.Fatalf("p-hourly/c-1 fired again: LastFiredAt %v, want %v", c.LastFiredAt, now)
		}
	}

	// A missing policy: ErrNotFound, and nothing of the call is written.
	err := s.Update(t.Context(), func(tx store.Tx) error {
		return tx.RecordFirings(t.Context(), now, []store.AlarmFiring{
			{PolicyID: "p-once", CertificateID: "c-3", NotAfter: now.Add(3 * day)},
			{PolicyID: "p-missing", CertificateID: "c-3", NotAfter: now.Add(3 * day)},
		})
	})
	requireErrorIs(t, "RecordFirings with a missing policy", err, store.ErrNotFound)
	update(t, s, func(tx store.Tx) error {
		err := tx.RecordFirings(t.Context(), now, []store.AlarmFiring{{PolicyID: "p-missing", CertificateID: "c-3", NotAfter: now}})
		requireErrorIs(t, "RecordFirings with a missing policy", err, store.ErrNotFound)
		// The transaction is still usable, and an empty call writes nothing.
		return tx.RecordFirings(t.Context(), now, nil)
	})
	requireIDs(t, "due after the failed call",
		Got(findCandidates(t, s, store.AlarmCandidateQuery{Now: now, PolicyID: "p-once", Statuses: live, Due: true})),
		"p-once/c-1", "p-once/c-3")
}

// testInsertNotifications checks the bulk insert: every row stored as given
// under its policy's project, existing ids and dedup keys skipped and counted
// out, more rows than one statement takes.
func testInsertNotifications(t *testing.T, s store.Store) {
	p := AlarmPolicy("p")
	p.Project = "web"
	insertPolicies(t, s, p)
	insertNotifications(t, s, Notification("n-old", "p", "cert-1"))

	var ns []*store.Notification
	for i := range 1203 {
		n := Notification(fmt.Sprintf("n-%04d", i), "p", fmt.Sprintf("cert-%d", i%7))
		n.DaysLeft, n.Attempts = i%30, 0
		n.CreatedAt = base.Add(time.Duration(i+1) * time.Second)
		ns = append(ns, n)
	}
	ns[5].SentAt, ns[5].Status = base.Add(time.Hour), "sent"
	orphan := Notification("n-orphan", "p-gone", "cert-1")
	orphan.CreatedAt = base.Add(-time.Hour)
	dupID := Notification("n-old", "p", "cert-2")
	dupID.DedupKey = "fresh"
	dupKey := Notification("n-fresh", "p", "cert-2")
	dupKey.DedupKey = "dedup/n-old"
	repeated := Notification("n-0007", "p", "cert-0") // an id of this same call
	repeated.DedupKey = "other"
	in := append([]*store.Notification{orphan, dupID, dupKey}, ns...)
	in = append(in, repeated)

	var inserted int
	update(t, s, func(tx store.Tx) error {
		var err error
		inserted, err = tx.InsertNotifications(t.Context(), in)
		return err
	})
	if want := len(ns) + 1; inserted != want {
		t.Fatalf("InsertNotifications: %d inserted, want %d", inserted, want)
	}
	for _, n := range []*store.Notification{ns[0], ns[5], ns[499], ns[500], ns[1202], orphan} {
		requireNotification(t, s, n)
	}
	got := notificationIDs(t, s, store.NotificationFilter{Projects: []string{"web"}})
	if len(got) != len(ns)+1 || got[0] != "n-old" || got[1] != "n-0000" || got[len(got)-1] != "n-1202" {
		t.Fatalf("notifications of project web: %d rows (%q … %q), want n-old and the %d new ones", len(got), got[0], got[len(got)-1], len(ns))
	}
	requireIDs(t, "the orphan's project", notificationIDs(t, s, store.NotificationFilter{Projects: []string{""}}), "n-orphan")

	update(t, s, func(tx store.Tx) error {
		n, err := tx.InsertNotifications(t.Context(), nil)
		if n != 0 {
			t.Errorf("InsertNotifications(nil): %d inserted", n)
		}
		return err
	})
}

// testMarkAlarmsEvaluated checks that only enabled policies are marked.
func testMarkAlarmsEvaluated(t *testing.T, s store.Store) {
	on, off := AlarmPolicy("p-on"), AlarmPolicy("p-off")
	off.Enabled = false
	insertPolicies(t, s, on, off)
	at := base.Add(time.Hour)
	update(t, s, func(tx store.Tx) error { return tx.MarkAlarmsEvaluated(t.Context(), at) })
	for _, w := range []struct {
		id   string
		want time.Time
	}{{"p-on", at}, {"p-off", off.LastEvaluatedAt}} {
		p, err := s.GetAlarmPolicy(t.Context(), w.id)
		if err != nil {
			t.Fatal(err)
		}
		if !p.LastEvaluatedAt.Equal(w.want) {
			t.Errorf("%s: LastEvaluatedAt %v, want %v", w.id, p.LastEvaluatedAt, w.want)
		}
	}
	// Nothing else changed.
	want := *on
	want.LastEvaluatedAt = at
	got, err := s.GetAlarmPolicy(t.Context(), "p-on")
	if err != nil {
		t.Fatal(err)
	}
	if d := diffPolicy(&want, got); len(d) > 0 {
		t.Fatalf("p-on differs:\n  %s", joinLines(d))
	}
}
