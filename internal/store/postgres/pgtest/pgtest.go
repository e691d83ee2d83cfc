// Package pgtest gives tests a fresh PostgreSQL database of their own on the
// test server (default 127.0.0.1:5432, user postgres, trust auth; tools/postgres.sh
// makes sure one answers). A test is skipped only when no server answers.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable with the URL of the test server's
// administrative database; the tests create and drop their databases through it.
const EnvURL = "SSL_TEST_POSTGRES_URL"

// EnvRequire, when "1", makes an unreachable server fail the tests instead of
// skipping them (for CI, where tools/postgres.sh has started one).
const EnvRequire = "SSL_TEST_POSTGRES_REQUIRE"

// DefaultURL is used when EnvURL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// connectTimeout bounds each administrative connection attempt.
const connectTimeout = 5 * time.Second

// AdminURL returns the URL of the administrative database.
func AdminURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

// NewDatabase creates a database named ssl_test_<random> and returns its URL; it
// is dropped (WITH (FORCE)) when the test ends, after the cleanups registered
// later, such as closing a store, have run. The test is skipped when no server
// answers (connection refused or timed out); any other error fails it.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := AdminURL()
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", EnvURL)
	}
	var b [8]byte
	rand.Read(b[:])
	name := "ssl_test_" + hex.EncodeToString(b[:])

	if err := exec(admin, "CREATE DATABASE "+name); err != nil {
		if NoServer(err) && os.Getenv(EnvRequire) != "1" {
			t.Skipf("no PostgreSQL server answers (%v); start one with tools/postgres.sh or point %s at one", err, EnvURL)
		}
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// exec runs one statement on a new connection to url.
func exec(url, sql string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("%s: %w", EnvURL, err)
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > connectTimeout {
		cfg.ConnectTimeout = connectTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*connectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// NoServer reports whether err means that no server answered: the connection
// was refused or timed out. Authentication, TLS or DNS failures are not that.
func NoServer(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
