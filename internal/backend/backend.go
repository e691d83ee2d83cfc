// Package backend assembles store, service and API handler: the one place from which
// the provider's Configure (embedded mode) and the serve command get a backend.
package backend

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sslkit/terraform-provider-ssl/internal/api"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
	"github.com/sslkit/terraform-provider-ssl/internal/secrets"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/postgres"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlite"
)

// Settings choose the store and the service's behaviour.
type Settings struct {
	// DataDir holds the SQLite database and the master key file (embedded mode).
	DataDir string
	// DatabaseURL, when set (postgres://…), is used instead of DataDir.
	DatabaseURL string
	// MasterKey is the value of SSL_MASTER_KEY ("" = use the key file in DataDir).
	MasterKey string
	// Clock is the service's clock (nil = the wall clock).
	Clock clock.Clock
	// Service holds the service's settings: public URL, review policy, validation.
	Service ServiceSettings
}

// ServiceSettings are the service's settings as the backend's callers give them
// (public URL, review policy, validation), so they need not import the service.
type ServiceSettings = service.Settings

// Backend is an assembled certificate backend.
type Backend struct {
	Store   store.Store
	Service *service.Service
	handler http.Handler
}

// DatabaseFile is the SQLite file's name inside the data dir.
const DatabaseFile = "ssl.db"

// DefaultDataDir is where the embedded backend keeps its data when neither data_dir
// nor SSL_DATA_DIR says otherwise: $XDG_DATA_HOME/terraform-provider-ssl, else
// ~/.local/share/terraform-provider-ssl.
func DefaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "terraform-provider-ssl")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "terraform-provider-ssl")
	}
	return filepath.Join(os.TempDir(), "terraform-provider-ssl")
}

// Open assembles a backend.
func Open(ctx context.Context, s Settings) (*Backend, error) {
	if s.Clock == nil {
		s.Clock = clock.Real{}
	}
	if s.DatabaseURL != "" {
		// Shared PostgreSQL database: several processes (terraform runs, serve
		// replicas) read and write the same sealed keys, so the master key cannot be
		// a file beside one of them.
		scheme, _, ok := strings.Cut(s.DatabaseURL, "://")
		if !ok || (scheme != "postgres" && scheme != "postgresql") {
			// The URL itself is never repeated: it may hold a password.
			return nil, errors.New("database_url (SSL_DATABASE_URL) must be a PostgreSQL URL starting with postgres:// or postgresql://")
		}
		if strings.TrimSpace(s.MasterKey) == "" {
			return nil, fmt.Errorf("database_url (PostgreSQL) requires the master key in %s: several processes share the database and must all decrypt the same private keys, so no key file is created; generate a key with `openssl rand -hex 32` and set %s to it for every process that uses this database", secrets.EnvVar, secrets.EnvVar)
		}
		sealer, err := secrets.FromMasterKey(s.MasterKey)
		if err != nil {
			return nil, err
		}
		st, err := postgres.Open(ctx, s.DatabaseURL)
		if err != nil {
			return nil, err
		}
		svc := service.New(st, sealer, s.Clock, s.Service)
		return &Backend{Store: st, Service: svc, handler: api.NewHandler(svc)}, nil
	}
	if s.DataDir == "" {
		s.DataDir = DefaultDataDir()
	}
	if err := os.MkdirAll(s.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data dir %s: %w", s.DataDir, err)
	}
	sealer, err := secrets.Load(s.DataDir, s.MasterKey)
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(s.DataDir, DatabaseFile))
	if err != nil {
		return nil, err
	}
	svc := service.New(st, sealer, s.Clock, s.Service)
	return &Backend{Store: st, Service: svc, handler: api.NewHandler(svc)}, nil
}

// Handler is the backend's HTTP API.
func (b *Backend) Handler() http.Handler { return b.handler }

// Close releases the store.
func (b *Backend) Close() error { return b.Store.Close() }

var (
	sharedMu sync.Mutex
	shared   = map[Settings]*Backend{}
)

// Shared returns one backend per distinct settings for the whole process, so that
// several provider configurations (aliases) in one Terraform run share a store.
func Shared(ctx context.Context, s Settings) (*Backend, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if b, ok := shared[s]; ok {
		return b, nil
	}
	b, err := Open(ctx, s)
	if err != nil {
		return nil, err
	}
	shared[s] = b
	return b, nil
}
