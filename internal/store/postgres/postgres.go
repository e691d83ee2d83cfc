// Package postgres implements store.Store on PostgreSQL with pgx/v5 (pgxpool).
// Several processes (terraform runs, serve replicas) may share one database:
// schema migrations run once under a session advisory lock, and every Update
// takes a transaction-scoped advisory lock so that read-check-write inside it is
// atomic across processes, as BEGIN IMMEDIATE makes it for the SQLite store.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
)

// Advisory lock keys of this package. Advisory locks are scoped to one
// database, so the keys only need to differ from other locks taken in it (such
// as a leadership lock of serve); they spell "sslmigr" and "sslwrit" in ASCII.
const (
	// MigrationLockKey is the session advisory lock held while migrations run.
	MigrationLockKey int64 = 0x73736c6d696772
	// WriteLockKey is the transaction advisory lock every Update takes first.
	WriteLockKey int64 = 0x73736c77726974
)

//go:embed migrations/*.sql
var migrationFS embed.FS

var (
	_ store.Store = (*Store)(nil)
	_ store.Tx    = (*tx)(nil)
)

// Store is a store.Store kept in a PostgreSQL database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	// writer admits one Update of this process at a time, so that in-process
	// writers queue here (honouring their contexts) instead of each holding a
	// pooled connection while they wait for the advisory lock; other processes
	// are kept out by the advisory lock itself.
	writer chan struct{}
	reader
}

// Open connects to the PostgreSQL database at url (postgres://… or
// postgresql://…, or a key=value connection string) and applies the pending
// schema migrations. Errors never repeat the password.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, fmt.Errorf("postgres: database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, writer: make(chan struct{}, 1), reader: reader{q: pool}}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// migrations returns the embedded migrations in version order.
func migrations() ([]sqlcommon.Migration, error) {
	return sqlcommon.LoadMigrations(migrationFS, "postgres")
}

// migrate applies the pending migrations, each in its own transaction, while
// holding the session advisory lock MigrationLockKey: of several processes
// opening a fresh database at once the first applies the migrations and the
// others, waiting on the lock, then find them applied.
func (s *Store) migrate(ctx context.Context) (err error) {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", MigrationLockKey); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer func() {
		// A session lock outlives transactions: release it, or drop the
		// connection (which releases it) when that fails.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", MigrationLockKey); uerr != nil {
			conn.Hijack().Close(context.Background())
			if err == nil {
				err = fmt.Errorf("postgres: migrate: unlock: %w", uerr)
			}
		}
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     NOT NULL PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	var current int
	if err := conn.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("postgres: migrate: read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("postgres: the database schema version %d is newer than this program knows (%d); use a newer release", current, len(ms))
	}
	for _, m := range ms[current:] {
		err := pgx.BeginFunc(ctx, conn, func(t pgx.Tx) error {
			if _, err := t.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := t.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// Update runs fn in one READ COMMITTED transaction that first takes the
// transaction-scoped advisory lock WriteLockKey (pg_advisory_xact_lock): every
// Update of every process sharing the database is serialised on it, and since
// READ COMMITTED takes a fresh snapshot per statement, each statement after the
// lock sees every write committed before. A read-check-write inside fn is thus
// atomic without serialisation failures to retry. The transaction is committed
// only when fn returns nil, and rolled back when fn fails or panics. A store
// error returned to fn (ErrConflict, ErrNotFound) leaves the transaction usable,
// as in SQLite. fn must not call Update itself.
func (s *Store) Update(ctx context.Context, fn func(tx store.Tx) error) (err error) {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("postgres: update: %w", ctx.Err())
	}
	defer func() { <-s.writer }()

	pgTx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: begin transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// Roll back even when ctx is canceled; a failed rollback closes the connection.
			pgTx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if _, err := pgTx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", WriteLockKey); err != nil {
		return fmt.Errorf("postgres: update: write lock: %w", err)
	}
	if err := fn(&tx{reader: reader{q: pgTx}}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	committed = true
	return nil
}

// Close closes every connection of the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// PostgreSQL error codes the store maps.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// pgCode returns the SQLSTATE of err, or "".
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isUniqueViolation reports whether err is a PRIMARY KEY or UNIQUE constraint failure.
func isUniqueViolation(err error) bool { return pgCode(err) == codeUniqueViolation }

// isForeignKeyViolation reports whether err is a FOREIGN KEY constraint failure.
func isForeignKeyViolation(err error) bool { return pgCode(err) == codeForeignKeyViolation }
