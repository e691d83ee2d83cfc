// Package sqlite implements store.Store on a single SQLite file with the pure-Go
// modernc.org/sqlite driver. Several processes may share one file: the database
// runs in WAL mode, every write transaction is BEGIN IMMEDIATE under a busy
// timeout, and schema migrations are applied exactly once even when processes
// open a fresh file at the same moment.
package sqlite

import (
	"container/list"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
)

// BusyTimeout is how long a statement waits for a lock held by another
// connection or process before it fails with SQLITE_BUSY.
const BusyTimeout = 15 * time.Second

// maxOpenConns bounds the connection pool: one writer at a time plus readers.
const maxOpenConns = 8

// stmtCacheSize bounds the prepared statements kept per Store (each is prepared
// at most once per pooled connection): enough for every fixed query of the
// store, with room for the filter variants that lists build.
const stmtCacheSize = 128

// checkpointEvery is how many commits of this process pass between two
// checkpoints of the background checkpointer, which copies the WAL back into
// the database file (and syncs both) off the committing caller's path.
const checkpointEvery = 64

// walAutocheckpoint is SQLite's own checkpoint threshold in WAL frames, kept as
// a backstop behind the background checkpointer: a commit that leaves the WAL
// this long checkpoints it on the spot (SQLite's default is 1000 frames).
const walAutocheckpoint = 4000

//go:embed migrations/*.sql
var migrationFS embed.FS

var (
	_ store.Store = (*Store)(nil)
	_ store.Tx    = (*tx)(nil)
)

// Store is a store.Store kept in one SQLite file. It is safe for concurrent use.
type Store struct {
	db *sql.DB
	// writer admits one Update of this process at a time, so that in-process
	// writers queue here (honouring their contexts) instead of spinning in
	// SQLite's busy handler; other processes are kept out by BEGIN IMMEDIATE.
	writer chan struct{}
	reader

	// commits counts this process's commits since the last checkpoint request;
	// guarded by writer.
	commits int
	// checkpoint wakes the background checkpointer; stop ends it, and
	// checkpointerDone is closed once it has ended.
	checkpoint       chan struct{}
	stop             chan struct{}
	stopOnce         sync.Once
	checkpointerDone chan struct{}
}

// Open opens (creating when missing) the SQLite database at path, switches it
// to WAL mode and applies the pending schema migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: database path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create data directory: %w", err)
	}
	// Create the file ourselves so that it (and the -wal and -shm files SQLite
	// derives from it) is readable by the owner only. An empty file is a valid
	// empty database; O_EXCL is not used, so racing creators are harmless.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("sqlite: open database file: %w", err)
	}

	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)

	s := &Store{db: db, writer: make(chan struct{}, 1), reader: reader{q: db, stmts: newStmtCache(db)},
		checkpoint: make(chan struct{}, 1), stop: make(chan struct{}), checkpointerDone: make(chan struct{})}
	if err := s.enableWAL(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	go s.checkpointer()
	return s, nil
}

// dsn builds the driver's data source name for the database file at abs.
func dsn(abs string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	// NORMAL in WAL mode keeps every committed transaction across a process
	// crash; only an OS crash or power loss may roll back the last commits.
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walAutocheckpoint))
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	if !strings.HasPrefix(u.Path, "/") { // Windows: file:///C:/dir/db
		u.Path = "/" + u.Path
	}
	return u.String()
}

// enableWAL switches the database file to WAL mode. On a fresh file that other
// processes are opening at the same moment the switch can fail with
// SQLITE_BUSY without waiting in the busy handler, so it is retried.
func (s *Store) enableWAL(ctx context.Context) error {
	deadline := time.Now().Add(BusyTimeout)
	delay := 5 * time.Millisecond
	for {
		var mode string
		err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil {
			if !strings.EqualFold(mode, "wal") {
				return fmt.Errorf("sqlite: journal mode is %q, WAL is required", mode)
			}
			return nil
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return fmt.Errorf("sqlite: enable WAL mode: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sqlite: enable WAL mode: %w", ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// migrations returns the embedded migrations in version order.
func migrations() ([]sqlcommon.Migration, error) {
	return sqlcommon.LoadMigrations(migrationFS, "sqlite")
}

// migrate applies the pending migrations in one IMMEDIATE transaction. The
// applied version is read inside that transaction, so of several processes
// opening a fresh file at once the first applies the migrations and the others
// find them applied.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at TEXT    NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("sqlite: migrate: read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("sqlite: the database schema version %d is newer than this program knows (%d); use a newer release", current, len(ms))
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.Version, m.Name, time.Now().UTC().Format(timeLayout)); err != nil {
			return fmt.Errorf("sqlite: migration %s: record: %w", m.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: commit: %w", err)
	}
	return nil
}

// Update runs fn in one BEGIN IMMEDIATE transaction, committed only when fn
// returns nil. fn must not call Update itself.
func (s *Store) Update(ctx context.Context, fn func(tx store.Tx) error) (err error) {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("sqlite: update: %w", ctx.Err())
	}
	defer func() { <-s.writer }()

	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			sqlTx.Rollback()
		}
	}()
	if err := fn(&tx{reader: reader{q: sqlTx, stmts: s.stmts}}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	committed = true
	if s.commits++; s.commits >= checkpointEvery {
		s.commits = 0
		select {
		case s.checkpoint <- struct{}{}:
		default: // a checkpoint is already due
		}
	}
	return nil
}

// checkpointer runs a PASSIVE checkpoint whenever Update asks for one, until
// Close. The commits themselves are durable before that (they are in the WAL,
// which survives the process); the checkpoint copies them into the database
// file, so that the WAL can start over, and with synchronous=NORMAL it is also
// where SQLite syncs the WAL and the database file — work that SQLite would
// otherwise do inside the unlucky commit that crosses its threshold.
// PASSIVE waits for no reader or writer: what it cannot copy now is copied by a
// later round, or by SQLite's own backstop (walAutocheckpoint).
func (s *Store) checkpointer() {
	defer close(s.checkpointerDone)
	for {
		select {
		case <-s.stop:
			return
		case <-s.checkpoint:
			var busy, logFrames, copied int
			// Errors (SQLITE_BUSY while another process checkpoints) leave the
			// work to the next round.
			_ = s.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
		}
	}
}

// Close stops the background checkpointer and closes the database; a final
// checkpoint runs as the last connection closes.
func (s *Store) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.checkpointerDone
	s.stmts.close()
	return s.db.Close()
}

// stmtCache keeps one prepared *sql.Stmt per query text, so that SQLite parses
// a query once per pooled connection instead of on every call. It holds at most
// stmtCacheSize queries and closes the least recently used one beyond that, once
// no call is using it.
type stmtCache struct {
	db *sql.DB

	mu      sync.Mutex
	byQuery map[string]*list.Element // of *cachedStmt
	lru     list.List                // most recently used first
}

// cachedStmt is one prepared query; users counts the calls running on it.
type cachedStmt struct {
	query   string
	stmt    *sql.Stmt
	users   int
	evicted bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, byQuery: map[string]*list.Element{}}
}

// acquire returns the prepared statement of query, preparing it on first use,
// or nil when it cannot be prepared (the caller then runs the query unprepared,
// which reports the error). Each acquired statement must be released.
func (c *stmtCache) acquire(ctx context.Context, query string) *cachedStmt {
	c.mu.Lock()
	if cs := c.useLocked(query); cs != nil {
		c.mu.Unlock()
		return cs
	}
	c.mu.Unlock()

	stmt, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	if cs := c.useLocked(query); cs != nil { // prepared concurrently: keep the first
		c.mu.Unlock()
		stmt.Close()
		return cs
	}
	cs := &cachedStmt{query: query, stmt: stmt, users: 1}
	c.byQuery[query] = c.lru.PushFront(cs)
	var idle []*sql.Stmt
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.byQuery, old.query)
		old.evicted = true
		if old.users == 0 {
			idle = append(idle, old.stmt)
		}
	}
	c.mu.Unlock()
	for _, st := range idle {
		st.Close()
	}
	return cs
}

// useLocked returns the cached statement of query, counted as in use and made
// the most recently used, or nil. c.mu is held.
func (c *stmtCache) useLocked(query string) *cachedStmt {
	e, ok := c.byQuery[query]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(e)
	cs := e.Value.(*cachedStmt)
	cs.users++
	return cs
}

// release ends one call on cs; an evicted statement is closed by its last user.
func (c *stmtCache) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.users--
	closeIt := cs.evicted && cs.users == 0
	c.mu.Unlock()
	if closeIt {
		cs.stmt.Close()
	}
}

// close closes every cached statement (the Store is closing).
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.lru.Front(); e != nil; e = e.Next() {
		cs := e.Value.(*cachedStmt)
		cs.evicted = true
		if cs.users == 0 {
			cs.stmt.Close()
		}
	}
	c.lru.Init()
	clear(c.byQuery)
}

// on returns cs's statement for use on q: inside a transaction, the
// transaction's copy of it (on the transaction's connection, prepared there
// once and reused by later transactions on that connection).
func (cs *cachedStmt) on(ctx context.Context, q querier) *sql.Stmt {
	if tx, ok := q.(*sql.Tx); ok {
		return tx.StmtContext(ctx, cs.stmt)
	}
	return cs.stmt
}

// ExecContext runs query through its prepared statement. reader is itself a
// querier: the store's own reads and writes go through these three methods.
func (r reader) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	cs := r.stmts.acquire(ctx, query)
	if cs == nil {
		return r.q.ExecContext(ctx, query, args...)
	}
	defer r.stmts.release(cs)
	return cs.on(ctx, r.q).ExecContext(ctx, args...)
}

// QueryContext runs query through its prepared statement.
func (r reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	cs := r.stmts.acquire(ctx, query)
	if cs == nil {
		return r.q.QueryContext(ctx, query, args...)
	}
	defer r.stmts.release(cs)
	return cs.on(ctx, r.q).QueryContext(ctx, args...)
}

// QueryRowContext runs query through its prepared statement.
func (r reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	cs := r.stmts.acquire(ctx, query)
	if cs == nil {
		return r.q.QueryRowContext(ctx, query, args...)
	}
	defer r.stmts.release(cs)
	return cs.on(ctx, r.q).QueryRowContext(ctx, args...)
}

// sqliteCode returns the extended SQLite result code of err, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// isBusy reports whether err is SQLITE_BUSY or SQLITE_LOCKED (any extended code).
func isBusy(err error) bool {
	switch sqliteCode(err) & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}

// isUniqueViolation reports whether err is a PRIMARY KEY or UNIQUE constraint failure.
func isUniqueViolation(err error) bool {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return true
	}
	return false
}

// conflictIfUnique maps a PRIMARY KEY or UNIQUE constraint failure to
// store.ErrConflict (the driver's error is dropped) and returns any other err
// as it is.
func conflictIfUnique(err error) error {
	if isUniqueViolation(err) {
		return store.ErrConflict
	}
	return err
}

// isForeignKeyViolation reports whether err is a FOREIGN KEY constraint failure.
func isForeignKeyViolation(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
