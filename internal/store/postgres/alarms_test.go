package postgres

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
	"github.com/sslkit/terraform-provider-ssl/internal/store/storetest"
)

// explain returns the EXPLAIN lines of query.
func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// TestAlarmCandidatesScale inserts 100 000 certificates in one Update (COPY) and
// checks that FindAlarmCandidates finds exactly the expected pairs through the
// not_after index, never a sequential scan of the certificates.
func TestAlarmCandidatesScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	t.Parallel()
	const n = 100_000
	s := openFresh(t)
	ctx := t.Context()
	f := storetest.NewScaleFixture(n)

	start := time.Now()
	err := s.Update(ctx, func(stx store.Tx) error {
		cols := strings.Split(sqlcommon.CertificateGetColumns, ",")
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		_, err := stx.(*tx).q.(pgx.Tx).CopyFrom(ctx, pgx.Identifier{"certificates"}, cols,
			pgx.CopyFromFunc(func() func() ([]any, error) {
				i := 0
				return func() ([]any, error) {
					if i == n {
						return nil, nil
					}
					i++
					return certificateArgs(f.Certificate(i - 1))
				}
			}()))
		if err != nil {
			return err
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

	// The plan without statistics (before autovacuum has analysed the table) and
	// with them.
	from, base := candidateBounds(f.Now)
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := s.pool.Exec(ctx, "ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		start = time.Now()
		got, err := s.FindAlarmCandidates(ctx, store.AlarmCandidateQuery{Now: f.Now})
		if err != nil {
			t.Fatal(err)
		}
		elapsed := time.Since(start)
		want := f.Want()
		t.Logf("analyzed %v: FindAlarmCandidates: %d candidates in %v", analyzed, len(got), elapsed)
		if len(got) != len(want) {
			t.Fatalf("FindAlarmCandidates: %d candidates, want %d", len(got), len(want))
		}
		if !slices.Equal(storetest.Got(got), want) {
			t.Fatalf("FindAlarmCandidates: candidates differ from the brute-force result")
		}
		// As FindAlarmCandidates runs it, and as an evaluation does (live statuses,
		// only due pairs, a refire bound).
		for _, args := range [][]any{
			{from, base, "", nil, false, nil},
			{from, base, "", []string{"issued", "expired", "reissuing"}, true, base.Add(-time.Hour)},
		} {
			plan := explain(t, s, alarmCandidatesSQL, args...)
			if !strings.Contains(plan, "certificates_not_after") {
				t.Errorf("analyzed %v: the candidates query does not use certificates_not_after:\n%s", analyzed, plan)
			}
			if strings.Contains(plan, "Seq Scan on certificates") {
				t.Errorf("analyzed %v: the candidates query scans the certificates:\n%s", analyzed, plan)
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("plan:\n%s", plan)
			}
		}
	}
}
