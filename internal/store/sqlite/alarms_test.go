package sqlite

import (
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
	"github.com/sslkit/terraform-provider-ssl/internal/store/storetest"
)

// queryPlan returns the EXPLAIN QUERY PLAN details of query.
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestAlarmCandidatesScale inserts 100 000 certificates in one Update and checks
// that FindAlarmCandidates finds exactly the expected pairs, quickly, through the
// not_after index (never a full scan of the certificates).
func TestAlarmCandidatesScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	const n = 100_000
	s := openTemp(t)
	ctx := t.Context()
	f := storetest.NewScaleFixture(n)

	start := time.Now()
	err := s.Update(ctx, func(stx store.Tx) error {
		// Bulk: one prepared statement on the transaction.
		stmt, err := stx.(*tx).q.(*sql.Tx).PrepareContext(ctx,
			"INSERT INTO certificates ("+sqlcommon.CertificateGetColumns+") VALUES ("+placeholders(len(strings.Split(sqlcommon.CertificateGetColumns, ",")))+")")
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			args, err := certificateArgs(f.Certificate(i))
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		for _, p := range f.Policies {
			if err := stx.InsertAlarmPolicy(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("inserted %d certificates in %v", n, time.Since(start))

	start = time.Now()
	got, err := s.FindAlarmCandidates(ctx, store.AlarmCandidateQuery{Now: f.Now})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	want := f.Want()
	t.Logf("FindAlarmCandidates: %d candidates in %v", len(got), elapsed)
	if len(got) != len(want) {
		t.Fatalf("FindAlarmCandidates: %d candidates, want %d", len(got), len(want))
	}
	if g := storetest.Got(got); !slices.Equal(g, want) {
		t.Fatalf("FindAlarmCandidates: candidates differ from the brute-force result")
	}

	// The plans of the query as FindAlarmCandidates runs it and as an evaluation runs
	// it (statuses, only due pairs, a refire bound): both read the certificates
	// through certificates_not_after alone, in both branches, never their rows.
	for _, q := range []store.AlarmCandidateQuery{
		{Now: f.Now},
		{Now: f.Now, Statuses: []string{"issued", "expired", "reissuing"}, Due: true, RefireBefore: f.Now.Add(-time.Hour)},
	} {
		args, err := alarmCandidatesArgs(q)
		if err != nil {
			t.Fatal(err)
		}
		plan := queryPlan(t, s, alarmCandidatesSQL(len(q.Statuses)), args...)
		p := strings.Join(plan, "; ")
		t.Logf("plan: %s", p)
		if strings.Count(p, "COVERING INDEX certificates_not_after") < 2 {
			t.Errorf("the candidates query does not read certificates through the covering certificates_not_after in both branches: %s", p)
		}
		for _, line := range plan {
			if strings.HasPrefix(line, "SCAN c") {
				t.Errorf("the candidates query scans the certificates: %s", p)
			}
		}
	}
}
