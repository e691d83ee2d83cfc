package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
)

// queryPolicies runs a sqlcommon.PolicySelect query and groups its rows into policies.
func (r reader) queryPolicies(ctx context.Context, query string, args ...any) ([]*store.AlarmPolicy, error) {
	rows, err := r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var g sqlcommon.Grouped[store.AlarmPolicy]
	for rows.Next() {
		var (
			p                       store.AlarmPolicy
			recipients, channels    string
			secret                  []byte
			evaluated, created, upd string
			certificateID           sql.NullString
		)
		if err := rows.Scan(&p.ID, &p.Name, &p.Remarks, &p.Project, &p.DaysBeforeExpiry, &p.RepeatInterval,
			&recipients, &channels, &p.WebhookURL, &secret, &p.Enabled, &evaluated,
			&created, &upd, &certificateID); err != nil {
			return nil, err
		}
		cur, isNew := g.Add(p.ID, &p)
		if isNew {
			if err := sqlcommon.DecodePolicy(&p, []byte(recipients), []byte(channels), secret); err != nil {
				return nil, err
			}
			for _, t := range []struct {
				dst *time.Time
				src string
			}{{&p.LastEvaluatedAt, evaluated}, {&p.CreatedAt, created}, {&p.UpdatedAt, upd}} {
				if *t.dst, err = parseTime(t.src); err != nil {
					return nil, fmt.Errorf("alarm policy %q: %w", p.ID, err)
				}
			}
		}
		if certificateID.Valid {
			cur.CertificateIDs = append(cur.CertificateIDs, certificateID.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return g.Records, nil
}

// GetAlarmPolicy returns one policy, its webhook secret still sealed.
func (r reader) GetAlarmPolicy(ctx context.Context, id string) (*store.AlarmPolicy, error) {
	ps, err := r.queryPolicies(ctx, sqlcommon.PolicySelect+" WHERE p.id = ?"+sqlcommon.PolicyOrder, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get alarm policy %q: %w", id, err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("sqlite: alarm policy %q: %w", id, store.ErrNotFound)
	}
	return ps[0], nil
}

// ListAlarmPolicies returns the policies of projects (nil: every project; empty:
// none), ordered by id, in one query.
func (r reader) ListAlarmPolicies(ctx context.Context, projects []string) ([]*store.AlarmPolicy, error) {
	var c conditions
	c.in("p.project IN (%s)", projects)
	ps, err := r.queryPolicies(ctx, sqlcommon.PolicySelect+c.sql()+sqlcommon.PolicyOrder, c.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list alarm policies: %w", err)
	}
	return ps, nil
}

// policyArgs returns the values of the alarm_policies columns of p, id first, in
// sqlcommon.PolicyColumns order.
func policyArgs(p *store.AlarmPolicy) ([]any, error) {
	recipients, channels, err := sqlcommon.PolicyJSON(p)
	if err != nil {
		return nil, err
	}
	var times [3]string
	for i, tm := range []time.Time{p.LastEvaluatedAt, p.CreatedAt, p.UpdatedAt} {
		if times[i], err = formatTime(tm); err != nil {
			return nil, err
		}
	}
	return []any{p.ID, p.Name, p.Remarks, p.Project, p.DaysBeforeExpiry, p.RepeatInterval, recipients,
		channels, p.WebhookURL, sqlcommon.NilIfEmpty(p.WebhookSecretSealed), p.Enabled, times[0], times[1], times[2]}, nil
}

// insertPolicyCertificates writes the explicit certificates of policy id, in order.
func (t *tx) insertPolicyCertificates(ctx context.Context, id string, certificateIDs []string) error {
	for i, c := range sqlcommon.UniqueIDs(certificateIDs) {
		if _, err := t.ExecContext(ctx, "INSERT INTO alarm_policy_certificates (policy_id, certificate_id, ordinal) VALUES (?, ?, ?)",
			id, c, i); err != nil {
			return fmt.Errorf("certificate %q: %w", c, err)
		}
	}
	return nil
}

// InsertAlarmPolicy stores a policy and its explicit certificates; ErrConflict
// when the id exists.
func (t *tx) InsertAlarmPolicy(ctx context.Context, p *store.AlarmPolicy) error {
	args, err := policyArgs(p)
	if err != nil {
		return fmt.Errorf("sqlite: insert alarm policy %q: %w", p.ID, err)
	}
	err = t.savepoint(ctx, func() error {
		_, err := t.ExecContext(ctx, "INSERT INTO alarm_policies ("+strings.Join(sqlcommon.PolicyColumns, ", ")+") VALUES ("+
			placeholders(len(sqlcommon.PolicyColumns))+")", args...)
		if err != nil {
			return conflictIfUnique(err)
		}
		return t.insertPolicyCertificates(ctx, p.ID, p.CertificateIDs)
	})
	if err != nil {
		return fmt.Errorf("sqlite: insert alarm policy %q: %w", p.ID, err)
	}
	return nil
}

// UpdateAlarmPolicy rewrites every field of a policy, its explicit certificates
// included; ErrNotFound when it does not exist.
func (t *tx) UpdateAlarmPolicy(ctx context.Context, p *store.AlarmPolicy) error {
	args, err := policyArgs(p)
	if err != nil {
		return fmt.Errorf("sqlite: update alarm policy %q: %w", p.ID, err)
	}
	sets := make([]string, 0, len(sqlcommon.PolicyColumns)-1)
	for _, col := range sqlcommon.PolicyColumns[1:] {
		sets = append(sets, col+" = ?")
	}
	err = t.savepoint(ctx, func() error {
		if err := t.execExisting(ctx, "UPDATE alarm_policies SET "+strings.Join(sets, ", ")+" WHERE id = ?",
			append(args[1:], p.ID)...); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, "DELETE FROM alarm_policy_certificates WHERE policy_id = ?", p.ID); err != nil {
			return err
		}
		return t.insertPolicyCertificates(ctx, p.ID, p.CertificateIDs)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update alarm policy %q: %w", p.ID, err)
	}
	return nil
}

// DeleteAlarmPolicy removes a policy, its explicit certificates and its firing
// records; its notifications stay. ErrNotFound when it does not exist.
func (t *tx) DeleteAlarmPolicy(ctx context.Context, id string) error {
	// The foreign keys cascade too; deleting explicitly keeps this correct even
	// on a connection where foreign_keys is off.
	for _, q := range []string{
		"DELETE FROM alarm_policy_certificates WHERE policy_id = ?",
		"DELETE FROM alarm_firings WHERE policy_id = ?",
	} {
		if _, err := t.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("sqlite: delete alarm policy %q: %w", id, err)
		}
	}
	if err := t.execExisting(ctx, "DELETE FROM alarm_policies WHERE id = ?", id); err != nil {
		return fmt.Errorf("sqlite: delete alarm policy %q: %w", id, err)
	}
	return nil
}

// alarmCandidatesSQL returns the statement of FindAlarmCandidates for
// nStatuses statuses (0: any status). ?1 is now in timeLayout, ?2 the policy
// id (” every enabled policy), ?3 1 when only due pairs are wanted, ?4 the
// refire bound in timeLayout (” none), ?5… the statuses.
//
// Both branches are driven by one range scan of certificates_not_after over
// [now, now + the largest threshold of an enabled policy] (CROSS JOIN keeps the
// certificates as the outer loop in SQLite); the index covers every column the
// query reads from certificates, so no certificate row is read. Each
// certificate in that window then finds the policies naming it
// (alarm_policy_certificates_certificate) or, for the policies naming none,
// those of its project (alarm_policies_project; the unary + keeps the planner
// from reading the certificates by project instead). The per-policy bound is
// now + days_before_expiry days: strftime computes it to the second and the
// fraction of now is appended, which adding whole days does not change; past
// year 9999 strftime gives NULL, and the bound is the end of 9999, after every
// storable time. Without an enabled policy the horizon is NULL and nothing is
// read. With ?3 the LEFT JOIN on alarm_firings is an anti-join: a pair that
// fired for its not_after comes back only when its policy repeats and it last
// fired before ?4, so a steady evaluation returns no rows.
func alarmCandidatesSQL(nStatuses int) string {
	statuses := ""
	if nStatuses > 0 {
		ps := make([]string, nStatuses)
		for i := range ps {
			ps[i] = fmt.Sprintf("?%d", 5+i)
		}
		statuses = " AND c.status IN (" + strings.Join(ps, ", ") + ")"
	}
	branch := func(from, join string) string {
		return `
SELECT p.id, c.id, c.not_after, COALESCE(f.last_fired_at, '')
FROM ` + from + `
LEFT JOIN alarm_firings f ON f.policy_id = p.id AND f.certificate_id = c.id AND f.not_after = c.not_after
WHERE c.not_after >= ?1 AND c.not_after <= (SELECT until FROM horizon)
	AND c.ignore_notifications = 0` + statuses + `
	AND ` + join + ` AND p.enabled = 1 AND (?2 = '' OR p.id = ?2)
	AND c.not_after <= COALESCE(strftime('%Y-%m-%dT%H:%M:%S', ?1, p.days_before_expiry || ' days') || substr(?1, 20),
		'9999-12-31T23:59:59.999999999Z')
	AND (?3 = 0 OR f.last_fired_at IS NULL
		OR (?4 <> '' AND p.repeat_interval NOT IN ('once', '') AND f.last_fired_at < ?4))`
	}
	return `
WITH horizon AS (
	SELECT CASE WHEN MAX(days_before_expiry) IS NOT NULL THEN COALESCE(
		strftime('%Y-%m-%dT%H:%M:%S', ?1, MAX(days_before_expiry) || ' days') || substr(?1, 20),
		'9999-12-31T23:59:59.999999999Z') END AS until
	FROM alarm_policies WHERE enabled = 1 AND (?2 = '' OR id = ?2)
)` + branch("certificates c CROSS JOIN alarm_policy_certificates pc CROSS JOIN alarm_policies p",
		"pc.certificate_id = c.id AND p.id = pc.policy_id") + `
UNION ALL` + branch("certificates c CROSS JOIN alarm_policies p",
		"p.project = +c.project AND NOT EXISTS (SELECT 1 FROM alarm_policy_certificates x WHERE x.policy_id = p.id)") + `
ORDER BY 1, 2`
}

// alarmCandidatesArgs returns the arguments of alarmCandidatesSQL(len(q.Statuses)).
func alarmCandidatesArgs(q store.AlarmCandidateQuery) ([]any, error) {
	now, err := formatTime(q.Now)
	if err != nil {
		return nil, err
	}
	due, refire := 0, ""
	if q.Due {
		due = 1
		if !q.RefireBefore.IsZero() {
			if refire, err = formatTime(q.RefireBefore); err != nil {
				return nil, fmt.Errorf("refire before: %w", err)
			}
		}
	}
	args := []any{now, q.PolicyID, due, refire}
	for _, st := range q.Statuses {
		args = append(args, st)
	}
	return args, nil
}

// FindAlarmCandidates returns the (enabled policy, certificate) pairs inside the
// policy's threshold at q.Now, with the last firing for the certificate's not_after,
// narrowed by q, in one query.
func (r reader) FindAlarmCandidates(ctx context.Context, q store.AlarmCandidateQuery) ([]*store.AlarmCandidate, error) {
	if q.Statuses != nil && len(q.Statuses) == 0 {
		return nil, nil // no status admitted
	}
	args, err := alarmCandidatesArgs(q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: alarm candidates: %w", err)
	}
	rows, err := r.QueryContext(ctx, alarmCandidatesSQL(len(q.Statuses)), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: alarm candidates: %w", err)
	}
	defer rows.Close()
	var out []*store.AlarmCandidate
	for rows.Next() {
		var (
			a               store.AlarmCandidate
			notAfter, fired string
		)
		if err := rows.Scan(&a.PolicyID, &a.CertificateID, &notAfter, &fired); err != nil {
			return nil, fmt.Errorf("sqlite: alarm candidates: %w", err)
		}
		if a.NotAfter, err = parseTime(notAfter); err != nil {
			return nil, fmt.Errorf("sqlite: alarm candidates: %w", err)
		}
		if fired != "" {
			if a.LastFiredAt, err = parseTime(fired); err != nil {
				return nil, fmt.Errorf("sqlite: alarm candidates: %w", err)
			}
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: alarm candidates: %w", err)
	}
	return out, nil
}

// RecordFiring upserts the last time (policy, certificate, not_after) fired;
// ErrNotFound when the policy does not exist.
func (t *tx) RecordFiring(ctx context.Context, policyID, certificateID string, notAfter, at time.Time) error {
	na, err := formatTime(notAfter)
	if err != nil {
		return fmt.Errorf("sqlite: record firing of policy %q for %q: %w", policyID, certificateID, err)
	}
	fired, err := formatTime(at)
	if err != nil {
		return fmt.Errorf("sqlite: record firing of policy %q for %q: %w", policyID, certificateID, err)
	}
	// Conditional on the policy, so that a missing one is reported whether or not
	// foreign keys are enforced on this connection.
	res, err := t.ExecContext(ctx, `INSERT INTO alarm_firings (policy_id, certificate_id, not_after, last_fired_at)
		SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM alarm_policies WHERE id = ?1)
		ON CONFLICT (policy_id, certificate_id, not_after) DO UPDATE SET last_fired_at = excluded.last_fired_at`,
		policyID, certificateID, na, fired)
	if err != nil {
		return fmt.Errorf("sqlite: record firing of policy %q for %q: %w", policyID, certificateID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: record firing of policy %q for %q: %w", policyID, certificateID, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: record firing: alarm policy %q: %w", policyID, store.ErrNotFound)
	}
	return nil
}

// scanNotification reads one row of sqlcommon.NotificationColumns.
func scanNotification(sc scanner) (*store.Notification, error) {
	var (
		n                             store.Notification
		notAfter, next, created, sent string
	)
	if err := sc.Scan(&n.ID, &n.DedupKey, &n.PolicyID, &n.CertificateID, &notAfter, &n.DaysLeft,
		&n.Recipient.Name, &n.Recipient.Email, &n.Recipient.Phone, &n.Channel, &n.Status, &n.Attempts,
		&next, &n.LastError, &created, &sent); err != nil {
		return nil, err
	}
	var err error
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&n.NotAfter, notAfter}, {&n.NextAttemptAt, next}, {&n.CreatedAt, created}, {&n.SentAt, sent}} {
		if *t.dst, err = parseTime(t.src); err != nil {
			return nil, fmt.Errorf("notification %q: %w", n.ID, err)
		}
	}
	return &n, nil
}

// buildNotificationsQuery turns a filter into one SELECT and its arguments.
func buildNotificationsQuery(f store.NotificationFilter) (string, []any, error) {
	var c conditions
	c.eq("policy_id", f.PolicyID)
	c.eq("certificate_id", f.CertificateID)
	c.eq("channel", f.Channel)
	c.eq("status", f.Status)
	if !f.DueBy.IsZero() {
		due, err := formatTime(f.DueBy)
		if err != nil {
			return "", nil, fmt.Errorf("due by: %w", err)
		}
		c.add("status = 'pending' AND next_attempt_at <= ?", due)
	}
	c.in("project IN (%s)", f.Projects)
	q := "SELECT " + sqlcommon.NotificationColumns + " FROM notifications" + c.sql() + " ORDER BY created_at, id"
	if f.Limit > 0 {
		q += " LIMIT ?"
		c.args = append(c.args, f.Limit)
	}
	return q, c.args, nil
}

// ListNotifications returns the outbox rows matching f, oldest first, in one query.
func (r reader) ListNotifications(ctx context.Context, f store.NotificationFilter) ([]*store.Notification, error) {
	q, args, err := buildNotificationsQuery(f)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list notifications: %w", err)
	}
	return queryAll(ctx, r.q, "list notifications", q, args, scanNotification)
}

// InsertNotification adds an outbox row under the project of its policy;
// ErrConflict when its id or its dedup key exists.
func (t *tx) InsertNotification(ctx context.Context, n *store.Notification) error {
	var times [4]string
	var err error
	for i, tm := range []time.Time{n.NotAfter, n.NextAttemptAt, n.CreatedAt, n.SentAt} {
		if times[i], err = formatTime(tm); err != nil {
			return fmt.Errorf("sqlite: insert notification %q: %w", n.ID, err)
		}
	}
	_, err = t.ExecContext(ctx, "INSERT INTO notifications ("+sqlcommon.NotificationColumns+`, project)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			COALESCE((SELECT project FROM alarm_policies WHERE id = ?3), ''))`,
		n.ID, n.DedupKey, n.PolicyID, n.CertificateID, times[0], n.DaysLeft,
		n.Recipient.Name, n.Recipient.Email, n.Recipient.Phone, n.Channel, n.Status, n.Attempts,
		times[1], n.LastError, times[2], times[3])
	if isUniqueViolation(err) {
		return fmt.Errorf("sqlite: insert notification %q (dedup key %q): %w", n.ID, n.DedupKey, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("sqlite: insert notification %q: %w", n.ID, err)
	}
	return nil
}

// UpdateNotification rewrites an outbox row's delivery fields (status, attempts,
// next attempt, last error, sent time); ErrNotFound when it does not exist.
func (t *tx) UpdateNotification(ctx context.Context, n *store.Notification) error {
	next, err := formatTime(n.NextAttemptAt)
	if err != nil {
		return fmt.Errorf("sqlite: update notification %q: %w", n.ID, err)
	}
	sent, err := formatTime(n.SentAt)
	if err != nil {
		return fmt.Errorf("sqlite: update notification %q: %w", n.ID, err)
	}
	if err := t.execExisting(ctx, `UPDATE notifications SET status = ?, attempts = ?, next_attempt_at = ?,
		last_error = ?, sent_at = ? WHERE id = ?`, n.Status, n.Attempts, next, n.LastError, sent, n.ID); err != nil {
		return fmt.Errorf("sqlite: update notification %q: %w", n.ID, err)
	}
	return nil
}

// bulkRows is how many rows one multi-row INSERT writes: 16 notification
// columns each stays far below SQLite's limit of 32 766 parameters.
const bulkRows = 500

// preparer is what a transaction offers to prepare a statement once for
// several executions (*sql.Tx does).
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// insertNotificationsSQL inserts n rows of sqlcommon.NotificationColumns under the
// project of their policy. OR IGNORE skips a row whose id or dedup key exists;
// unlike ON CONFLICT DO NOTHING it also spares SQLite the statement journal a
// multi-row statement that may abort half-way needs (every value is bound
// from Go: nothing else can conflict). VALUES names its columns column1…
// column16, in sqlcommon.NotificationColumns order.
func insertNotificationsSQL(n int) string {
	row := "(" + placeholders(16) + ")"
	return "INSERT OR IGNORE INTO notifications (" + sqlcommon.NotificationColumns + `, project)
		SELECT v.*, COALESCE((SELECT project FROM alarm_policies WHERE id = v.column3), '')
		FROM (VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + `) v`
}

// InsertNotifications adds outbox rows under the project of their policy, in
// multi-row INSERTs (one statement prepared for every full chunk); a row whose
// id or dedup key exists is skipped. It returns how many rows it inserted.
func (t *tx) InsertNotifications(ctx context.Context, ns []*store.Notification) (int, error) {
	var full *sql.Stmt
	if p, ok := t.q.(preparer); ok && len(ns) >= 2*bulkRows {
		var err error
		if full, err = p.PrepareContext(ctx, insertNotificationsSQL(bulkRows)); err != nil {
			return 0, fmt.Errorf("sqlite: insert %d notifications: %w", len(ns), err)
		}
		defer full.Close()
	}
	inserted := 0
	args := make([]any, 0, 16*min(len(ns), bulkRows))
	for start := 0; start < len(ns); start += bulkRows {
		chunk := ns[start:min(start+bulkRows, len(ns))]
		args = args[:0]
		for _, n := range chunk {
			var times [4]string
			var err error
			for i, tm := range []time.Time{n.NotAfter, n.NextAttemptAt, n.CreatedAt, n.SentAt} {
				if times[i], err = formatTime(tm); err != nil {
					return inserted, fmt.Errorf("sqlite: insert notification %q: %w", n.ID, err)
				}
			}
			args = append(args, n.ID, n.DedupKey, n.PolicyID, n.CertificateID, times[0], n.DaysLeft,
				n.Recipient.Name, n.Recipient.Email, n.Recipient.Phone, n.Channel, n.Status, n.Attempts,
				times[1], n.LastError, times[2], times[3])
		}
		var (
			res sql.Result
			err error
		)
		if full != nil && len(chunk) == bulkRows {
			res, err = full.ExecContext(ctx, args...)
		} else {
			res, err = t.ExecContext(ctx, insertNotificationsSQL(len(chunk)), args...)
		}
		if err != nil {
			return inserted, fmt.Errorf("sqlite: insert %d notifications: %w", len(chunk), err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return inserted, fmt.Errorf("sqlite: insert %d notifications: %w", len(chunk), err)
		}
		inserted += int(n)
	}
	return inserted, nil
}

// RecordFirings upserts the last time each (policy, certificate, not_after)
// fired to at, in multi-row statements; ErrNotFound, before anything is
// written, when a policy does not exist.
func (t *tx) RecordFirings(ctx context.Context, at time.Time, fs []store.AlarmFiring) error {
	fired, err := formatTime(at)
	if err != nil {
		return fmt.Errorf("sqlite: record firings: %w", err)
	}
	// One row per key: a multi-row upsert must not meet its own rows twice.
	type key struct{ policy, certificate, notAfter string }
	seen := make(map[key]bool, len(fs))
	var rows []key
	var policies []string
	for _, f := range fs {
		na, err := formatTime(f.NotAfter)
		if err != nil {
			return fmt.Errorf("sqlite: record firing of policy %q for %q: %w", f.PolicyID, f.CertificateID, err)
		}
		k := key{f.PolicyID, f.CertificateID, na}
		if !seen[k] {
			seen[k] = true
			rows = append(rows, k)
			policies = append(policies, f.PolicyID)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	// Checked here, so that a missing policy is reported whether or not foreign
	// keys are enforced on this connection.
	policies = sqlcommon.UniqueIDs(policies)
	for start := 0; start < len(policies); start += bulkRows {
		chunk := policies[start:min(start+bulkRows, len(policies))]
		args := make([]any, len(chunk))
		for i, p := range chunk {
			args[i] = p
		}
		var found int
		if err := t.QueryRowContext(ctx, "SELECT COUNT(*) FROM alarm_policies WHERE id IN ("+placeholders(len(chunk))+")",
			args...).Scan(&found); err != nil {
			return fmt.Errorf("sqlite: record firings: %w", err)
		}
		if found != len(chunk) {
			return fmt.Errorf("sqlite: record firings: an alarm policy of %q: %w", chunk, store.ErrNotFound)
		}
	}
	for start := 0; start < len(rows); start += bulkRows {
		chunk := rows[start:min(start+bulkRows, len(rows))]
		args := make([]any, 0, 1+3*len(chunk))
		args = append(args, fired)
		for _, k := range chunk {
			args = append(args, k.policy, k.certificate, k.notAfter)
		}
		// ?1 comes first in the text, so the bare ? that follow are ?2, ?3, …
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(chunk)), ", ")
		if _, err := t.ExecContext(ctx, `INSERT INTO alarm_firings (policy_id, certificate_id, not_after, last_fired_at)
			SELECT v.column1, v.column2, v.column3, ?1 FROM (VALUES `+values+`) v WHERE true
			ON CONFLICT (policy_id, certificate_id, not_after) DO UPDATE SET last_fired_at = excluded.last_fired_at`,
			args...); err != nil {
			return fmt.Errorf("sqlite: record %d firings: %w", len(chunk), err)
		}
	}
	return nil
}

// MarkAlarmsEvaluated sets last_evaluated_at of every enabled policy to at.
func (t *tx) MarkAlarmsEvaluated(ctx context.Context, at time.Time) error {
	ts, err := formatTime(at)
	if err != nil {
		return fmt.Errorf("sqlite: mark alarm policies evaluated: %w", err)
	}
	if _, err := t.ExecContext(ctx, "UPDATE alarm_policies SET last_evaluated_at = ? WHERE enabled = 1", ts); err != nil {
		return fmt.Errorf("sqlite: mark alarm policies evaluated: %w", err)
	}
	return nil
}
