package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
)

// queryPolicies runs a sqlcommon.PolicySelect query and groups its rows into policies.
func (r reader) queryPolicies(ctx context.Context, query string, args ...any) ([]*store.AlarmPolicy, error) {
	rows, err := r.q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var g sqlcommon.Grouped[store.AlarmPolicy]
	for rows.Next() {
		var (
			p                    store.AlarmPolicy
			recipients, channels []byte
			secret               []byte
			certificateID        *string
		)
		if err := rows.Scan(&p.ID, &p.Name, &p.Remarks, &p.Project, &p.DaysBeforeExpiry, &p.RepeatInterval,
			&recipients, &channels, &p.WebhookURL, &secret, &p.Enabled, &p.LastEvaluatedAt,
			&p.CreatedAt, &p.UpdatedAt, &certificateID); err != nil {
			return nil, err
		}
		cur, isNew := g.Add(p.ID, &p)
		if isNew {
			if err := sqlcommon.DecodePolicy(&p, recipients, channels, secret); err != nil {
				return nil, err
			}
		}
		if certificateID != nil {
			cur.CertificateIDs = append(cur.CertificateIDs, *certificateID)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return g.Records, nil
}

// GetAlarmPolicy returns one policy, its webhook secret still sealed.
func (r reader) GetAlarmPolicy(ctx context.Context, id string) (*store.AlarmPolicy, error) {
	ps, err := r.queryPolicies(ctx, sqlcommon.PolicySelect+" WHERE p.id = $1"+sqlcommon.PolicyOrder, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get alarm policy %q: %w", id, err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("postgres: alarm policy %q: %w", id, store.ErrNotFound)
	}
	return ps[0], nil
}

// ListAlarmPolicies returns the policies of projects (nil: every project; empty:
// none), ordered by id, in one query.
func (r reader) ListAlarmPolicies(ctx context.Context, projects []string) ([]*store.AlarmPolicy, error) {
	var c conditions
	c.in("p.project = ANY(%s)", projects)
	ps, err := r.queryPolicies(ctx, sqlcommon.PolicySelect+c.sql()+sqlcommon.PolicyOrder, c.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list alarm policies: %w", err)
	}
	return ps, nil
}

// policyArgs returns the values of the alarm_policies columns of p ($1-$14, id
// first, in sqlcommon.PolicyColumns order) and its explicit certificates ($15).
func policyArgs(p *store.AlarmPolicy) ([]any, error) {
	recipients, channels, err := sqlcommon.PolicyJSON(p)
	if err != nil {
		return nil, err
	}
	for _, tm := range []time.Time{p.LastEvaluatedAt, p.CreatedAt, p.UpdatedAt} {
		if err := sqlcommon.CheckTime(tm); err != nil {
			return nil, err
		}
	}
	return []any{p.ID, p.Name, p.Remarks, p.Project, p.DaysBeforeExpiry, p.RepeatInterval, recipients,
		channels, p.WebhookURL, sqlcommon.NilIfEmpty(p.WebhookSecretSealed), p.Enabled, p.LastEvaluatedAt,
		p.CreatedAt, p.UpdatedAt, sqlcommon.UniqueIDs(p.CertificateIDs)}, nil
}

// insertPolicySQL inserts a policy and its explicit certificates in one
// statement when the id is free, and returns whether it went in.
var insertPolicySQL = `WITH ins AS (
		INSERT INTO alarm_policies (` + strings.Join(sqlcommon.PolicyColumns, ", ") + `)
		VALUES (` + placeholders(1, len(sqlcommon.PolicyColumns)) + `)
		ON CONFLICT (id) DO NOTHING
		RETURNING id
	), ids AS (
		INSERT INTO alarm_policy_certificates (policy_id, certificate_id, ordinal)
		SELECT ins.id, c.id, c.ordinal FROM ins CROSS JOIN unnest($15::text[]) WITH ORDINALITY AS c (id, ordinal)
	)
	SELECT EXISTS (SELECT 1 FROM ins)`

// updatePolicySQL rewrites every column of a policy ($1) and its explicit
// certificates in one statement, and returns whether the policy exists.
var updatePolicySQL = func() string {
	sets := make([]string, 0, len(sqlcommon.PolicyColumns)-1)
	for i, col := range sqlcommon.PolicyColumns[1:] {
		sets = append(sets, fmt.Sprintf("%s = $%d", col, i+2))
	}
	return `WITH upd AS (
		UPDATE alarm_policies SET ` + strings.Join(sets, ", ") + ` WHERE id = $1 RETURNING id
	), unlist AS (
		DELETE FROM alarm_policy_certificates pc USING upd
		WHERE pc.policy_id = upd.id AND pc.certificate_id <> ALL ($15::text[])
	), list AS (
		INSERT INTO alarm_policy_certificates (policy_id, certificate_id, ordinal)
		SELECT upd.id, c.id, c.ordinal FROM upd CROSS JOIN unnest($15::text[]) WITH ORDINALITY AS c (id, ordinal)
		ON CONFLICT (policy_id, certificate_id) DO UPDATE SET ordinal = EXCLUDED.ordinal
	)
	SELECT EXISTS (SELECT 1 FROM upd)`
}()

// InsertAlarmPolicy stores a policy and its explicit certificates; ErrConflict
// when the id exists, in which case nothing is written and the transaction stays usable.
func (t *tx) InsertAlarmPolicy(ctx context.Context, p *store.AlarmPolicy) error {
	args, err := policyArgs(p)
	if err != nil {
		return fmt.Errorf("postgres: insert alarm policy %q: %w", p.ID, err)
	}
	var inserted bool
	err = t.q.QueryRow(ctx, insertPolicySQL, args...).Scan(&inserted)
	if err == nil && !inserted {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: insert alarm policy %q: %w", p.ID, mapErr(err))
	}
	return nil
}

// UpdateAlarmPolicy rewrites every field of a policy, its explicit certificates
// included; ErrNotFound when it does not exist.
func (t *tx) UpdateAlarmPolicy(ctx context.Context, p *store.AlarmPolicy) error {
	args, err := policyArgs(p)
	if err != nil {
		return fmt.Errorf("postgres: update alarm policy %q: %w", p.ID, err)
	}
	var exists bool
	err = t.q.QueryRow(ctx, updatePolicySQL, args...).Scan(&exists)
	if err == nil && !exists {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("postgres: update alarm policy %q: %w", p.ID, mapErr(err))
	}
	return nil
}

// DeleteAlarmPolicy removes a policy; its explicit certificates and firing
// records go with it (ON DELETE CASCADE), its notifications stay. ErrNotFound
// when it does not exist.
func (t *tx) DeleteAlarmPolicy(ctx context.Context, id string) error {
	if err := t.execExisting(ctx, "DELETE FROM alarm_policies WHERE id = $1", id); err != nil {
		return fmt.Errorf("postgres: delete alarm policy %q: %w", id, err)
	}
	return nil
}

// alarmCandidatesSQL finds the (enabled policy, certificate) pairs inside the
// policy's threshold, in one statement. $1 is now rounded up to the
// microsecond (not_after >= now ⇔ not_after >= $1), $2 now rounded down
// (not_after <= now + d ⇔ not_after <= $2 + d): stored times have microsecond
// precision. The narrowing of FindAlarmCandidates: $3 the policy id (” every
// enabled policy), $4 the statuses (NULL any), $5 only due pairs, $6 the
// refire bound rounded up to the microsecond (NULL none).
//
// The window CTE reads the certificates through certificates_not_after over
// [now, now + the largest threshold of an enabled policy], once (it is
// referenced twice, so it is materialised); each certificate in it then finds
// the policies naming it (alarm_policy_certificates_certificate) or, for the
// policies naming none, those of its project (alarm_policies_project), and the
// per-policy bound is applied. Days are 24 hours, whatever the session's time
// zone; thresholds are capped at 4 000 000 days (past year 9999 from any
// storable now, the SQLite store's limit), so that no interval overflows. With
// $5 the LEFT JOIN on alarm_firings is an anti-join: a pair that fired for its
// not_after comes back only when its policy repeats and it last fired before
// $6, so a steady evaluation returns no rows.
const alarmCandidatesSQL = `
WITH horizon AS (
	SELECT $2::timestamptz + LEAST(MAX(days_before_expiry), 4000000) * interval '24 hours' AS until
	FROM alarm_policies WHERE enabled AND ($3::text = '' OR id = $3::text)
), win AS (
	SELECT c.id, c.project, c.not_after FROM certificates c
	WHERE c.not_after >= $1::timestamptz AND c.not_after <= (SELECT until FROM horizon)
		AND NOT c.ignore_notifications
		AND ($4::text[] IS NULL OR c.status = ANY($4::text[]))
)
SELECT p.id, w.id, w.not_after, f.last_fired_at
FROM win w
JOIN alarm_policy_certificates pc ON pc.certificate_id = w.id
JOIN alarm_policies p ON p.id = pc.policy_id
LEFT JOIN alarm_firings f ON f.policy_id = p.id AND f.certificate_id = w.id AND f.not_after = w.not_after
WHERE p.enabled AND ($3::text = '' OR p.id = $3::text)
	AND w.not_after <= $2::timestamptz + LEAST(p.days_before_expiry, 4000000) * interval '24 hours'
	AND (NOT $5::boolean OR f.last_fired_at IS NULL
		OR ($6::timestamptz IS NOT NULL AND p.repeat_interval NOT IN ('once', '') AND f.last_fired_at < $6::timestamptz))
UNION ALL
SELECT p.id, w.id, w.not_after, f.last_fired_at
FROM win w
JOIN alarm_policies p ON p.project = w.project
LEFT JOIN alarm_firings f ON f.policy_id = p.id AND f.certificate_id = w.id AND f.not_after = w.not_after
WHERE p.enabled AND ($3::text = '' OR p.id = $3::text)
	AND w.not_after <= $2::timestamptz + LEAST(p.days_before_expiry, 4000000) * interval '24 hours'
	AND NOT EXISTS (SELECT 1 FROM alarm_policy_certificates x WHERE x.policy_id = p.id)
	AND (NOT $5::boolean OR f.last_fired_at IS NULL
		OR ($6::timestamptz IS NOT NULL AND p.repeat_interval NOT IN ('once', '') AND f.last_fired_at < $6::timestamptz))
ORDER BY 1, 2`

// candidateBounds returns the $1 and $2 of alarmCandidatesSQL for now.
func candidateBounds(now time.Time) (from, base time.Time) {
	from, base = now.Truncate(time.Microsecond), now.Truncate(time.Microsecond)
	if !from.Equal(now) {
		from = from.Add(time.Microsecond)
	}
	return from, base
}

// FindAlarmCandidates returns the (enabled policy, certificate) pairs inside the
// policy's threshold at q.Now, with the last firing for the certificate's not_after,
// narrowed by q, in one query.
func (r reader) FindAlarmCandidates(ctx context.Context, q store.AlarmCandidateQuery) ([]*store.AlarmCandidate, error) {
	if q.Statuses != nil && len(q.Statuses) == 0 {
		return nil, nil // no status admitted
	}
	if err := sqlcommon.CheckTime(q.Now); err != nil {
		return nil, fmt.Errorf("postgres: alarm candidates: %w", err)
	}
	from, base := candidateBounds(q.Now)
	var statuses, refire any
	if q.Statuses != nil {
		statuses = q.Statuses
	}
	if q.Due && !q.RefireBefore.IsZero() {
		if err := sqlcommon.CheckTime(q.RefireBefore); err != nil {
			return nil, fmt.Errorf("postgres: alarm candidates: refire before: %w", err)
		}
		// last < t ⇔ last < t rounded up: stored times have microsecond precision.
		refire, _ = candidateBounds(q.RefireBefore)
	}
	rows, err := r.q.Query(ctx, alarmCandidatesSQL, from, base, q.PolicyID, statuses, q.Due, refire)
	if err != nil {
		return nil, fmt.Errorf("postgres: alarm candidates: %w", err)
	}
	defer rows.Close()
	var out []*store.AlarmCandidate
	for rows.Next() {
		var (
			a     store.AlarmCandidate
			fired *time.Time
		)
		if err := rows.Scan(&a.PolicyID, &a.CertificateID, &a.NotAfter, &fired); err != nil {
			return nil, fmt.Errorf("postgres: alarm candidates: %w", err)
		}
		if fired != nil {
			a.LastFiredAt = *fired
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: alarm candidates: %w", err)
	}
	return out, nil
}

// RecordFiring upserts the last time (policy, certificate, not_after) fired;
// ErrNotFound when the policy does not exist (the insert is conditional, so the
// transaction stays usable).
func (t *tx) RecordFiring(ctx context.Context, policyID, certificateID string, notAfter, at time.Time) error {
	for _, tm := range []time.Time{notAfter, at} {
		if err := sqlcommon.CheckTime(tm); err != nil {
			return fmt.Errorf("postgres: record firing of policy %q for %q: %w", policyID, certificateID, err)
		}
	}
	tag, err := t.q.Exec(ctx, `INSERT INTO alarm_firings (policy_id, certificate_id, not_after, last_fired_at)
		SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM alarm_policies WHERE id = $1)
		ON CONFLICT (policy_id, certificate_id, not_after) DO UPDATE SET last_fired_at = EXCLUDED.last_fired_at`,
		policyID, certificateID, notAfter, at)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("postgres: record firing: alarm policy %q, certificate %q: %w", policyID, certificateID, mapErr(err))
	}
	return nil
}

// buildNotificationsQuery turns a filter into one SELECT and its arguments.
func buildNotificationsQuery(f store.NotificationFilter) (string, []any, error) {
	var c conditions
	c.eq("policy_id", f.PolicyID)
	c.eq("certificate_id", f.CertificateID)
	c.eq("channel", f.Channel)
	c.eq("status", f.Status)
	if !f.DueBy.IsZero() {
		if err := sqlcommon.CheckTime(f.DueBy); err != nil {
			return "", nil, fmt.Errorf("due by: %w", err)
		}
		// s <= due ⇔ s <= due rounded down: stored times have microsecond precision.
		c.add("status = 'pending' AND next_attempt_at <= " + c.arg(f.DueBy.Truncate(time.Microsecond)))
	}
	c.in("project = ANY(%s)", f.Projects)
	q := "SELECT " + sqlcommon.NotificationColumns + " FROM notifications" + c.sql() + " ORDER BY created_at, id"
	if f.Limit > 0 {
		q += " LIMIT " + c.arg(f.Limit)
	}
	return q, c.args, nil
}

// ListNotifications returns the outbox rows matching f, oldest first, in one query.
func (r reader) ListNotifications(ctx context.Context, f store.NotificationFilter) ([]*store.Notification, error) {
	q, args, err := buildNotificationsQuery(f)
	if err != nil {
		return nil, fmt.Errorf("postgres: list notifications: %w", err)
	}
	return queryAll(ctx, r.q, "list notifications", q, args, scanNotification)
}

// scanNotification reads one row of sqlcommon.NotificationColumns.
func scanNotification(row pgx.Row) (*store.Notification, error) {
	var n store.Notification
	if err := row.Scan(&n.ID, &n.DedupKey, &n.PolicyID, &n.CertificateID, &n.NotAfter, &n.DaysLeft,
		&n.Recipient.Name, &n.Recipient.Email, &n.Recipient.Phone, &n.Channel, &n.Status, &n.Attempts,
		&n.NextAttemptAt, &n.LastError, &n.CreatedAt, &n.SentAt); err != nil {
		return nil, err
	}
	return &n, nil
}

// InsertNotification adds an outbox row under the project of its policy;
// ErrConflict when its id or its dedup key exists. A taken key inserts nothing
// instead of failing, so the transaction stays usable.
func (t *tx) InsertNotification(ctx context.Context, n *store.Notification) error {
	for _, tm := range []time.Time{n.NotAfter, n.NextAttemptAt, n.CreatedAt, n.SentAt} {
		if err := sqlcommon.CheckTime(tm); err != nil {
			return fmt.Errorf("postgres: insert notification %q: %w", n.ID, err)
		}
	}
	tag, err := t.q.Exec(ctx, "INSERT INTO notifications ("+sqlcommon.NotificationColumns+`, project)
		SELECT `+placeholders(1, 16)+`, COALESCE((SELECT project FROM alarm_policies WHERE id = $3), '')
		ON CONFLICT DO NOTHING`,
		n.ID, n.DedupKey, n.PolicyID, n.CertificateID, n.NotAfter, n.DaysLeft,
		n.Recipient.Name, n.Recipient.Email, n.Recipient.Phone, n.Channel, n.Status, n.Attempts,
		n.NextAttemptAt, n.LastError, n.CreatedAt, n.SentAt)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: insert notification %q (dedup key %q): %w", n.ID, n.DedupKey, mapErr(err))
	}
	return nil
}

// UpdateNotification rewrites an outbox row's delivery fields (status, attempts,
// next attempt, last error, sent time); ErrNotFound when it does not exist.
func (t *tx) UpdateNotification(ctx context.Context, n *store.Notification) error {
	for _, tm := range []time.Time{n.NextAttemptAt, n.SentAt} {
		if err := sqlcommon.CheckTime(tm); err != nil {
			return fmt.Errorf("postgres: update notification %q: %w", n.ID, err)
		}
	}
	if err := t.execExisting(ctx, `UPDATE notifications SET status = $2, attempts = $3, next_attempt_at = $4,
		last_error = $5, sent_at = $6 WHERE id = $1`, n.ID, n.Status, n.Attempts, n.NextAttemptAt, n.LastError, n.SentAt); err != nil {
		return fmt.Errorf("postgres: update notification %q: %w", n.ID, mapErr(err))
	}
	return nil
}

// InsertNotifications adds outbox rows under the project of their policy, in
// one statement over arrays; a row whose id or dedup key exists is skipped. It
// returns how many rows it inserted.
func (t *tx) InsertNotifications(ctx context.Context, ns []*store.Notification) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	var (
		ids, keys, policies, certificates, names, emails, phones, channels, statuses, lastErrors []string
		daysLeft, attempts                                                                       []int64
		notAfter, next, created, sent                                                            []time.Time
	)
	for _, n := range ns {
		for _, tm := range []time.Time{n.NotAfter, n.NextAttemptAt, n.CreatedAt, n.SentAt} {
			if err := sqlcommon.CheckTime(tm); err != nil {
				return 0, fmt.Errorf("postgres: insert notification %q: %w", n.ID, err)
			}
		}
		ids, keys, policies, certificates = append(ids, n.ID), append(keys, n.DedupKey), append(policies, n.PolicyID), append(certificates, n.CertificateID)
		names, emails, phones = append(names, n.Recipient.Name), append(emails, n.Recipient.Email), append(phones, n.Recipient.Phone)
		channels, statuses, lastErrors = append(channels, n.Channel), append(statuses, n.Status), append(lastErrors, n.LastError)
		daysLeft, attempts = append(daysLeft, int64(n.DaysLeft)), append(attempts, int64(n.Attempts))
		notAfter, next, created, sent = append(notAfter, n.NotAfter), append(next, n.NextAttemptAt), append(created, n.CreatedAt), append(sent, n.SentAt)
	}
	tag, err := t.q.Exec(ctx, "INSERT INTO notifications ("+sqlcommon.NotificationColumns+`, project)
		SELECT v.id, v.dedup_key, v.policy_id, v.certificate_id, v.not_after, v.days_left,
			v.recipient_name, v.recipient_email, v.recipient_phone, v.channel, v.status, v.attempts,
			v.next_attempt_at, v.last_error, v.created_at, v.sent_at, COALESCE(p.project, '')
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[],
			$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[],
			$13::timestamptz[], $14::text[], $15::timestamptz[], $16::timestamptz[])
			AS v (id, dedup_key, policy_id, certificate_id, not_after, days_left,
				recipient_name, recipient_email, recipient_phone, channel, status, attempts,
				next_attempt_at, last_error, created_at, sent_at)
		LEFT JOIN alarm_policies p ON p.id = v.policy_id
		ON CONFLICT DO NOTHING`,
		ids, keys, policies, certificates, notAfter, daysLeft, names, emails, phones, channels, statuses, attempts,
		next, lastErrors, created, sent)
	if err != nil {
		return 0, fmt.Errorf("postgres: insert %d notifications: %w", len(ns), mapErr(err))
	}
	return int(tag.RowsAffected()), nil
}

// RecordFirings upserts the last time each (policy, certificate, not_after)
// fired to at, in one statement over arrays; ErrNotFound, before anything is
// written, when a policy does not exist.
func (t *tx) RecordFirings(ctx context.Context, at time.Time, fs []store.AlarmFiring) error {
	if err := sqlcommon.CheckTime(at); err != nil {
		return fmt.Errorf("postgres: record firings: %w", err)
	}
	// One row per key: an upsert must not meet its own rows twice. Stored times
	// have microsecond precision, so the key is the not_after as stored.
	type key struct {
		policy, certificate string
		notAfter            time.Time
	}
	seen := make(map[key]bool, len(fs))
	var policies, certificates, distinct []string
	var notAfter []time.Time
	known := map[string]bool{}
	for _, f := range fs {
		if err := sqlcommon.CheckTime(f.NotAfter); err != nil {
			return fmt.Errorf("postgres: record firing of policy %q for %q: %w", f.PolicyID, f.CertificateID, err)
		}
		k := key{f.PolicyID, f.CertificateID, f.NotAfter.Truncate(time.Microsecond).UTC()}
		if seen[k] {
			continue
		}
		seen[k] = true
		policies, certificates, notAfter = append(policies, k.policy), append(certificates, k.certificate), append(notAfter, k.notAfter)
		if !known[k.policy] {
			known[k.policy] = true
			distinct = append(distinct, k.policy)
		}
	}
	if len(policies) == 0 {
		return nil
	}
	var found int
	if err := t.q.QueryRow(ctx, "SELECT count(*) FROM alarm_policies WHERE id = ANY($1::text[])", distinct).Scan(&found); err != nil {
		return fmt.Errorf("postgres: record firings: %w", err)
	}
	if found != len(distinct) {
		return fmt.Errorf("postgres: record firings: an alarm policy of %q: %w", distinct, store.ErrNotFound)
	}
	if _, err := t.q.Exec(ctx, `INSERT INTO alarm_firings (policy_id, certificate_id, not_after, last_fired_at)
		SELECT v.policy_id, v.certificate_id, v.not_after, $4::timestamptz
		FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS v (policy_id, certificate_id, not_after)
		ON CONFLICT (policy_id, certificate_id, not_after) DO UPDATE SET last_fired_at = EXCLUDED.last_fired_at`,
		policies, certificates, notAfter, at); err != nil {
		return fmt.Errorf("postgres: record %d firings: %w", len(policies), mapErr(err))
	}
	return nil
}

// MarkAlarmsEvaluated sets last_evaluated_at of every enabled policy to at.
func (t *tx) MarkAlarmsEvaluated(ctx context.Context, at time.Time) error {
	if err := sqlcommon.CheckTime(at); err != nil {
		return fmt.Errorf("postgres: mark alarm policies evaluated: %w", err)
	}
	if _, err := t.q.Exec(ctx, "UPDATE alarm_policies SET last_evaluated_at = $1 WHERE enabled", at); err != nil {
		return fmt.Errorf("postgres: mark alarm policies evaluated: %w", err)
	}
	return nil
}
