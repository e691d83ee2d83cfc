package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/storetest"
)

// openTemp opens a store on a fresh file in a temporary directory.
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ssl.db"))
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

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestOpenCreatesPrivateFileAndDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data dir?#%")
	path := filepath.Join(dir, "ssl.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if err := s.Update(t.Context(), func(tx store.Tx) error {
		return tx.InsertCertificate(t.Context(), storetest.Certificate("x"))
	}); err != nil {
		t.Fatal(err)
	}
	// SQLite opened the file at path itself, not a name mangled by URI parsing.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "ssl.db") {
			t.Errorf("unexpected file %q beside the database", e.Name())
		}
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no WAL file beside the database: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got&^want != 0 {
			t.Errorf("%s: mode %v, want at most %v", p, got, want)
		}
	}
}

func TestOpenSettings(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"busy_timeout": fmt.Sprint(BusyTimeout.Milliseconds()),
		"foreign_keys": "1",
		"synchronous":  "1", // NORMAL
	} {
		var got string
		if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if !strings.EqualFold(got, want) {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestReopenKeepsDataAndSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssl.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	c := storetest.Certificate("kept")
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertCertificate(t.Context(), c) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	got, err := s.GetCertificate(t.Context(), "kept")
	if err != nil {
		t.Fatal(err)
	}
	if d := storetest.DiffCertificate(c, got, true); len(d) > 0 {
		t.Fatalf("after reopen: %v", d)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n, max int
	if err := s.db.QueryRow("SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || max != len(ms) {
		t.Fatalf("schema_migrations: %d rows, max version %d; want %d", n, max, len(ms))
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssl.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(t.Context(), path); err == nil {
		s.Close()
		t.Fatal("Open of a database with a newer schema succeeded")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Fatalf("unexpected error: %v", err)
	}
}

// TestListQueryUsesIndexes checks the shape of the list query: one SELECT that never reads the secrets, with the indexes in use.
func TestListQueryUsesIndexes(t *testing.T) {
	s := openTemp(t)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		f     store.CertificateFilter
		index string
	}{
		{store.CertificateFilter{NotAfterFrom: from, NotAfterTo: from.Add(time.Hour)}, "certificates_not_after"},
		{store.CertificateFilter{Project: "web"}, "certificates_project"},
		{store.CertificateFilter{NameExact: "n"}, "certificates_name"},
		{store.CertificateFilter{Domains: []string{"a.example.com", "b.example.com"}}, "certificate_domains_domain"},
	}
	for _, tc := range cases {
		q, args, err := buildListQuery(tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(q, "sealed") {
			t.Errorf("list query reads secrets: %s", q)
		}
		rows, err := s.db.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, tc.index) {
			t.Errorf("filter %+v: plan %q does not use %s", tc.f, p, tc.index)
		}
	}
}

// TestSerialQueriesUseIndexes checks that a CRL's list of revoked serials and
// the revocation of a certificate's serials are served by their indexes, the
// list without a sort.
func TestSerialQueriesUseIndexes(t *testing.T) {
	s := openTemp(t)
	for _, tc := range []struct {
		query string
		args  []any
		index string
	}{
		{listRevokedSerialsSQL, []any{"ca"}, "serials_ca_revoked"},
		{revokeSerialsSQL, []any{"2025-01-01T00:00:00.000000000Z", 1, "cert"}, "serials_certificate"},
	} {
		rows, err := s.db.Query("EXPLAIN QUERY PLAN "+tc.query, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if !strings.Contains(p, tc.index) {
			t.Errorf("%s: plan %q does not use %s", tc.query, p, tc.index)
		}
		if strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: plan %q sorts", tc.query, p)
		}
	}
}

// TestTimesOutOfRangeRefused checks that years the fixed-width text cannot order are refused.
func TestTimesOutOfRangeRefused(t *testing.T) {
	s := openTemp(t)
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
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

// Multi-process tests: the test binary runs itself as helper processes.

const (
	helperEnv      = "SSL_SQLITE_TEST_HELPER" // which helper to run
	helperPathEnv  = "SSL_SQLITE_TEST_PATH"   // database file
	helperStartEnv = "SSL_SQLITE_TEST_START"  // unix nanoseconds to start at
	helperIDEnv    = "SSL_SQLITE_TEST_ID"     // helper number
	perHelper      = 50
)

// TestHelperProcess is not a test: it is the body of the helper processes.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	path := os.Getenv(helperPathEnv)
	switch mode {
	case "insert":
		var start int64
		fmt.Sscan(os.Getenv(helperStartEnv), &start)
		time.Sleep(time.Until(time.Unix(0, start)))
		s, err := Open(ctx, path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "open:", err)
			os.Exit(2)
		}
		id := os.Getenv(helperIDEnv)
		for i := range perHelper {
			c := storetest.Certificate(fmt.Sprintf("p%s-%03d", id, i))
			c.CreatedAt = time.Now()
			err := s.Update(ctx, func(tx store.Tx) error {
				// Read, check, then write: a deferred transaction would deadlock here.
				if _, err := tx.GetCertificate(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("%s: before insert: %v", c.ID, err)
				}
				if err := tx.InsertCertificate(ctx, c); err != nil {
					return err
				}
				return tx.InsertVersion(ctx, &store.CertificateVersion{CertificateID: c.ID, Version: 1, Kind: "upload", CreatedAt: c.CreatedAt})
			})
			if err != nil {
				fmt.Fprintln(os.Stderr, "insert:", err)
				os.Exit(3)
			}
		}
		if err := s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close:", err)
			os.Exit(4)
		}
		os.Exit(0)
	case "commit-then-hang":
		s, err := Open(ctx, path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "open:", err)
			os.Exit(2)
		}
		err = s.Update(ctx, func(tx store.Tx) error {
			return tx.InsertCertificate(ctx, storetest.Certificate("survivor"))
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "insert:", err)
			os.Exit(3)
		}
		// Keep a write transaction open too: it must be lost, the commit must not.
		go s.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertCertificate(ctx, storetest.Certificate("uncommitted")); err != nil {
				return err
			}
			fmt.Println("committed")
			select {}
		})
		select {} // killed by the parent, never closed
	case "commit-then-exit":
		s, err := Open(ctx, path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "open:", err)
			os.Exit(2)
		}
		err = s.Update(ctx, func(tx store.Tx) error {
			return tx.InsertCertificate(ctx, storetest.Certificate("survivor"))
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "insert:", err)
			os.Exit(3)
		}
		os.Exit(0) // no Close
	}
	t.Fatalf("unknown helper %q", mode)
}

// helper returns the command that runs TestHelperProcess in mode.
func helper(t *testing.T, mode, path string, env ...string) *exec.Cmd {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-process test")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + mode, helperPathEnv + "=" + path}, env...)...)
	return cmd
}

func TestMultiProcessFreshFile(t *testing.T) {
	const procs = 4
	path := filepath.Join(t.TempDir(), "data", "ssl.db") // neither directory nor file exist yet
	start := time.Now().Add(500 * time.Millisecond).UnixNano()
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for i := range procs {
		cmd := helper(t, "insert", path, fmt.Sprintf("%s=%d", helperStartEnv, start), fmt.Sprintf("%s=%d", helperIDEnv, i))
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v\n%s", i, err, outs[i])
		}
	}
	if t.Failed() {
		return
	}
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs, err := s.ListCertificates(t.Context(), store.CertificateFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.ID] {
			t.Fatalf("duplicate %q", c.ID)
		}
		seen[c.ID] = true
	}
	for i := range procs {
		for j := range perHelper {
			id := fmt.Sprintf("p%d-%03d", i, j)
			if !seen[id] {
				t.Errorf("%s lost", id)
			}
			if vs, err := s.ListVersions(t.Context(), id); err != nil || len(vs) != 1 {
				t.Errorf("%s: %d versions, %v", id, len(vs), err)
			}
		}
	}
	if len(cs) != procs*perHelper {
		t.Errorf("got %d certificates, want %d", len(cs), procs*perHelper)
	}
	var migrations int
	if err := s.db.QueryRow("SELECT COUNT(*) FROM schema_migrations WHERE version = 1").Scan(&migrations); err != nil || migrations != 1 {
		t.Errorf("migration 1 recorded %d times (%v)", migrations, err)
	}
}

func TestCommitSurvivesKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssl.db")
	cmd := helper(t, "commit-then-hang", path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "committed" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q (%v)\n%s", line, err, stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	requireSurvivor(t, path)
	if _, err := openAgain(t, path).GetCertificate(t.Context(), "uncommitted"); err == nil {
		t.Fatal("an uncommitted transaction of the killed process is visible")
	}
}

func TestCommitSurvivesExitWithoutClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssl.db")
	out, err := helper(t, "commit-then-exit", path).CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	requireSurvivor(t, path)
}

// openAgain opens path, closing it at the end of the test.
func openAgain(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// requireSurvivor checks that the helper's committed record is in the database.
func requireSurvivor(t *testing.T, path string) {
	t.Helper()
	got, err := openAgain(t, path).GetCertificate(t.Context(), "survivor")
	if err != nil {
		t.Fatalf("the committed record is lost: %v", err)
	}
	if d := storetest.DiffCertificate(storetest.Certificate("survivor"), got, true); len(d) > 0 {
		t.Fatalf("the committed record differs: %v", d)
	}
}

// TestOpenWaitsForLockedFreshFile opens a fresh file while another connection
// holds an exclusive lock on it: the switch to WAL and the migrations wait.
func TestOpenWaitsForLockedFreshFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssl.db")
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE; CREATE TABLE other (x)"); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		conn.ExecContext(context.Background(), "COMMIT")
		close(released)
	}()
	s, err := Open(t.Context(), path)
	<-released
	if err != nil {
		t.Fatalf("Open while another connection held the lock: %v", err)
	}
	defer s.Close()
	if err := s.Update(t.Context(), func(tx store.Tx) error {
		return tx.InsertCertificate(t.Context(), storetest.Certificate("x"))
	}); err != nil {
		t.Fatal(err)
	}
}
