package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/postgres/pgtest"
	"github.com/sslkit/terraform-provider-ssl/internal/store/storetest"
)

// openURL opens a store on url, closing it at the end of the test.
func openURL(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// openFresh opens a store on a database of its own.
func openFresh(t *testing.T) *Store {
	t.Helper()
	return openURL(t, pgtest.NewDatabase(t))
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return openFresh(t) })
}

// migrationCounts returns how often each version is recorded in schema_migrations.
func migrationCounts(t *testing.T, s *Store) map[int]int {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), "SELECT version, COUNT(*) FROM schema_migrations GROUP BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[int]int{}
	for rows.Next() {
		var v, n int
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		counts[v] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}

// requireMigratedOnce fails t unless every embedded migration is recorded exactly once.
func requireMigratedOnce(t *testing.T, s *Store) {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	counts := migrationCounts(t, s)
	if len(counts) != len(ms) {
		t.Errorf("schema_migrations holds versions %v, want 1..%d", counts, len(ms))
	}
	for _, m := range ms {
		if counts[m.Version] != 1 {
			t.Errorf("migration %s recorded %d times", m.Name, counts[m.Version])
		}
	}
}

func TestConcurrentOpenOfFreshDatabase(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	const opens = 4
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		stores = make([]*Store, opens)
		errs   = make([]error, opens)
	)
	for i := range opens {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = Open(t.Context(), url)
		})
	}
	close(start)
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		t.Cleanup(func() { s.Close() })
	}
	if t.Failed() {
		return
	}
	requireMigratedOnce(t, stores[0])
	// Every instance works on the schema.
	for i, s := range stores {
		c := storetest.Certificate(fmt.Sprintf("open-%d", i))
		if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertCertificate(t.Context(), c) }); err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
	}
	if cs, err := stores[0].ListCertificates(t.Context(), store.CertificateFilter{}); err != nil || len(cs) != opens {
		t.Fatalf("ListCertificates: %d records, %v", len(cs), err)
	}
}

func TestReopenKeepsDataAndSchemaVersion(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	c := storetest.Certificate("kept")
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertCertificate(t.Context(), c) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openURL(t, url)
	got, err := s.GetCertificate(t.Context(), "kept")
	if err != nil {
		t.Fatal(err)
	}
	if d := storetest.DiffCertificate(c, got, true); len(d) > 0 {
		t.Fatalf("after reopen: %v", d)
	}
	requireMigratedOnce(t, s)
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(t.Context(), "INSERT INTO schema_migrations (version, name) VALUES (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(t.Context(), url); err == nil {
		s.Close()
		t.Fatal("Open of a database with a newer schema succeeded")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Fatalf("unexpected error: %v", err)
	}
}

func TestOpenErrorsHidePassword(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, url := range []string{
		"postgres://u:s3cr3t-pw@127.0.0.1:1/db?sslmode=disable",  // nothing listens on port 1
		"postgres://u:s3cr3t-pw@127.0.0.1:5432/db?sslmode=bogus", // invalid setting
	} {
		s, err := Open(ctx, url)
		if err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded", url)
		}
		if strings.Contains(err.Error(), "s3cr3t-pw") {
			t.Fatalf("the error repeats the password: %v", err)
		}
	}
}

// TestConcurrentWritersAcrossStores runs read-check-write increments through
// two stores (two pools, as two processes would have) on one database.
func TestConcurrentWritersAcrossStores(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	stores := []*Store{openURL(t, url), openURL(t, url)}
	const perStore, perWriter = 4, 25
	counter := storetest.Certificate("counter")
	counter.Version = 0
	ctx := t.Context()
	if err := stores[0].Update(ctx, func(tx store.Tx) error { return tx.InsertCertificate(ctx, counter) }); err != nil {
		t.Fatal(err)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for si, s := range stores {
		for w := range perStore {
			wg.Go(func() {
				for i := range perWriter {
					err := s.Update(ctx, func(tx store.Tx) error {
						c, err := tx.GetCertificate(ctx, "counter")
						if err != nil {
							return err
						}
						c.Version++
						id := fmt.Sprintf("seq-%04d", c.Version)
						if _, err := tx.GetCertificate(ctx, id); !errors.Is(err, store.ErrNotFound) {
							return fmt.Errorf("%s exists before it is created (%v): writers are not serialised", id, err)
						}
						n := storetest.Certificate(id)
						n.Name = fmt.Sprintf("store %d writer %d item %d", si, w, i)
						if err := tx.InsertCertificate(ctx, n); err != nil {
							return err
						}
						return tx.UpdateCertificate(ctx, c)
					})
					if err != nil {
						mu.Lock()
						errs = append(errs, fmt.Errorf("store %d writer %d item %d: %w", si, w, i, err))
						mu.Unlock()
						return
					}
				}
			})
		}
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	const total = 2 * perStore * perWriter
	got, err := stores[1].GetCertificate(ctx, "counter")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != total {
		t.Fatalf("counter = %d, want %d (lost updates)", got.Version, total)
	}
	cs, err := stores[1].ListCertificates(ctx, store.CertificateFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != total+1 {
		t.Fatalf("got %d records, want %d", len(cs), total+1)
	}
	names := map[string]bool{}
	for _, c := range cs {
		if names[c.Name] {
			t.Fatalf("duplicate name %q", c.Name)
		}
		names[c.Name] = true
	}
}

// TestTransactionUsableAfterStoreError checks that, as with SQLite, an
// ErrConflict or ErrNotFound inside Update does not abort the transaction: fn
// may handle it and go on, and its other writes commit.
func TestTransactionUsableAfterStoreError(t *testing.T) {
	t.Parallel()
	s := openFresh(t)
	ctx := t.Context()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertCertificate(ctx, storetest.Certificate("a")) }); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertCertificate(ctx, storetest.Certificate("a")); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("InsertCertificate of an existing id: %v", err)
		}
		if err := tx.InsertVersion(ctx, &store.CertificateVersion{CertificateID: "missing", Version: 1}); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("InsertVersion of a missing certificate: %v", err)
		}
		if err := tx.InsertVersion(ctx, &store.CertificateVersion{CertificateID: "a", Version: 1}); err != nil {
			return err
		}
		if err := tx.InsertVersion(ctx, &store.CertificateVersion{CertificateID: "a", Version: 1}); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("InsertVersion of an existing version: %v", err)
		}
		r := &store.Idempotency{Key: "k", ResultID: "a"}
		if err := tx.PutIdempotency(ctx, r); err != nil {
			return err
		}
		if err := tx.PutIdempotency(ctx, r); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("PutIdempotency of an existing key: %v", err)
		}
		if err := tx.InsertAuthority(ctx, storetest.Authority("ca")); err != nil {
			return err
		}
		if err := tx.InsertAuthority(ctx, storetest.Authority("ca")); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("InsertAuthority of an existing id: %v", err)
		}
		if err := tx.UpdateAuthority(ctx, storetest.Authority("missing")); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("UpdateAuthority of a missing id: %v", err)
		}
		if err := tx.InsertSerial(ctx, storetest.Serial("ca", "01", "a")); err != nil {
			return err
		}
		if err := tx.InsertSerial(ctx, storetest.Serial("ca", "01", "a")); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("InsertSerial of an existing serial: %v", err)
		}
		if err := tx.RevokeSerial(ctx, "ca", "02", time.Now(), 1); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("RevokeSerial of a missing serial: %v", err)
		}
		return tx.InsertCertificate(ctx, storetest.Certificate("b"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetCertificate(ctx, "b"); err != nil {
		t.Fatalf("the write after the handled errors was lost: %v", err)
	}
	if _, err := s.GetAuthority(ctx, "ca"); err != nil {
		t.Fatalf("the authority written before the handled errors was lost: %v", err)
	}
	if _, err := s.GetSerial(ctx, "ca", "01"); err != nil {
		t.Fatalf("the serial written before the handled errors was lost: %v", err)
	}
	if vs, err := s.ListVersions(ctx, "a"); err != nil || len(vs) != 1 {
		t.Fatalf("ListVersions: %d, %v", len(vs), err)
	}
}

func TestMapErr(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]error{"23505": store.ErrConflict, "23503": store.ErrNotFound} {
		pgErr := &pgconn.PgError{Code: code}
		err := fmt.Errorf("wrapped: %w", mapErr(pgErr))
		if !errors.Is(err, want) {
			t.Errorf("%s: %v is not %v", code, err, want)
		}
		var got *pgconn.PgError
		if !errors.As(err, &got) {
			t.Errorf("%s: the driver's error is lost: %v", code, err)
		}
	}
	other := &pgconn.PgError{Code: "22P02"}
	if err := mapErr(other); errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		t.Errorf("22P02 mapped to %v", err)
	}
}

func TestTimesOutOfRangeRefused(t *testing.T) {
	t.Parallel()
	s := openFresh(t)
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	c := storetest.Certificate("far")
	c.NotAfter = far
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertCertificate(t.Context(), c) })
	if err == nil || !strings.Contains(err.Error(), "0000-9999") {
		t.Fatalf("InsertCertificate with year 10000: %v", err)
	}
	a := storetest.Authority("far")
	a.CreatedAt = far
	sr := storetest.Serial("ca", "01", "far")
	sr.NotAfter = far
	for what, fn := range map[string]func(tx store.Tx) error{
		"InsertAuthority": func(tx store.Tx) error { return tx.InsertAuthority(t.Context(), a) },
		"InsertSerial":    func(tx store.Tx) error { return tx.InsertSerial(t.Context(), sr) },
		"RevokeSerials": func(tx store.Tx) error {
			_, err := tx.RevokeSerials(t.Context(), "far", far, 1)
			return err
		},
		"RevokeSerial": func(tx store.Tx) error { return tx.RevokeSerial(t.Context(), "ca", "01", far, 1) },
		"InsertHosting": func(tx store.Tx) error {
			h := storetest.Hosting("far", "far")
			h.CreatedAt = far
			return tx.InsertHosting(t.Context(), h)
		},
		"InsertDeployment": func(tx store.Tx) error {
			d := storetest.Deployment("far", "far", "far", storetest.Resource("CLB", "far", ""))
			d.FinishedAt = far
			return tx.InsertDeployment(t.Context(), d)
		},
		"InsertAlarmPolicy": func(tx store.Tx) error {
			p := storetest.AlarmPolicy("far")
			p.LastEvaluatedAt = far
			return tx.InsertAlarmPolicy(t.Context(), p)
		},
		"InsertNotification": func(tx store.Tx) error {
			n := storetest.Notification("far", "far", "far")
			n.NextAttemptAt = far
			return tx.InsertNotification(t.Context(), n)
		},
		"RecordFiring": func(tx store.Tx) error { return tx.RecordFiring(t.Context(), "far", "far", far, far) },
		"FindAlarmCandidates": func(tx store.Tx) error {
			_, err := tx.FindAlarmCandidates(t.Context(), store.AlarmCandidateQuery{Now: far})
			return err
		},
	} {
		if err := s.Update(t.Context(), fn); err == nil || !strings.Contains(err.Error(), "0000-9999") {
			t.Errorf("%s with year 10000: %v", what, err)
		}
	}
}

func TestSubMicrosecondRangeBounds(t *testing.T) {
	t.Parallel()
	s := openFresh(t)
	c := storetest.Certificate("t")
	c.NotAfter = time.Date(2030, 1, 1, 0, 0, 0, 5000, time.UTC) // 5 µs
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertCertificate(t.Context(), c) }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    store.CertificateFilter
		want int
	}{
		{store.CertificateFilter{NotAfterFrom: c.NotAfter.Add(1)}, 0},  // 5.001 µs > 5 µs
		{store.CertificateFilter{NotAfterFrom: c.NotAfter.Add(-1)}, 1}, // 4.999 µs
		{store.CertificateFilter{NotAfterTo: c.NotAfter.Add(-1)}, 0},   // 4.999 µs < 5 µs
		{store.CertificateFilter{NotAfterTo: c.NotAfter.Add(999)}, 1},  // 5.999 µs
		{store.CertificateFilter{NotAfterFrom: c.NotAfter, NotAfterTo: c.NotAfter}, 1},
	} {
		cs, err := s.ListCertificates(t.Context(), tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != tc.want {
			t.Errorf("filter from %v to %v: %d records, want %d", tc.f.NotAfterFrom, tc.f.NotAfterTo, len(cs), tc.want)
		}
	}
}

// TestListQueryUsesIndexes checks the shape of the list query: one SELECT that
// never reads the secrets, and indexes that can serve the selective filters.
func TestListQueryUsesIndexes(t *testing.T) {
	t.Parallel()
	s := openFresh(t)
	ctx := t.Context()
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		f     store.CertificateFilter
		index string
	}{
		{store.CertificateFilter{NotAfterFrom: from, NotAfterTo: from.Add(time.Hour)}, "certificates_not_after"},
		{store.CertificateFilter{Project: "web"}, "certificates_project"},
		{store.CertificateFilter{NameExact: "n"}, "certificates_name"},
		{store.CertificateFilter{Domains: []string{"a.example.com", "b.example.com"}}, "certificate_domains_domain"},
		{store.CertificateFilter{Tags: map[string]string{"env": "prod"}}, "certificates_tags"},
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// On empty tables the planner prefers sequential scans; forbid them (and
	// the ordered full index scan) to see which indexes the filters can use.
	if _, err := conn.Exec(ctx, "BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	for _, tc := range cases {
		q, args, err := buildListQuery(tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(q, "sealed") {
			t.Errorf("list query reads secrets: %s", q)
		}
		rows, err := conn.Query(ctx, "EXPLAIN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(plan, "\n"); !strings.Contains(p, tc.index) {
			t.Errorf("filter %+v: plan does not use %s:\n%s", tc.f, tc.index, p)
		}
	}
}

// TestSerialQueriesUseIndexes checks that a CRL's list of revoked serials and
// the revocation of a certificate's serials are served by their indexes, the
// list without a sort.
func TestSerialQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	s := openFresh(t)
	ctx := t.Context()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// On empty tables the planner prefers sequential scans; forbid them.
	if _, err := conn.Exec(ctx, "BEGIN; SET LOCAL enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	for _, tc := range []struct {
		query string
		args  []any
		index string
	}{
		{listRevokedSerialsSQL, []any{"ca"}, "serials_ca_revoked"},
		{revokeSerialsSQL, []any{"cert", time.Now(), 1}, "serials_certificate"},
	} {
		rows, err := conn.Query(ctx, "EXPLAIN "+tc.query, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		p := strings.Join(plan, "\n")
		if !strings.Contains(p, tc.index) {
			t.Errorf("%s: plan does not use %s:\n%s", tc.query, tc.index, p)
		}
		if strings.Contains(p, "Sort") {
			t.Errorf("%s: plan sorts:\n%s", tc.query, p)
		}
	}
}
