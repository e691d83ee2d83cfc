package backend

import (
	"strings"
	"testing"

	"github.com/sslkit/terraform-provider-ssl/internal/service"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/postgres/pgtest"
	"github.com/sslkit/terraform-provider-ssl/internal/store/storetest"
)

// testMasterKey is a valid SSL_MASTER_KEY (64 hex characters).
const testMasterKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func TestOpenPostgresRequiresMasterKey(t *testing.T) {
	for _, key := range []string{"", "  "} {
		b, err := Open(t.Context(), Settings{
			DatabaseURL: "postgres://postgres@127.0.0.1:5432/whatever?sslmode=disable",
			MasterKey:   key,
			DataDir:     t.TempDir(),
		})
		if err == nil {
			b.Close()
			t.Fatalf("Open with database_url and master key %q succeeded", key)
		}
		for _, want := range []string{"SSL_MASTER_KEY", "several processes", "openssl rand -hex 32"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	}
}

func TestOpenPostgresRefusesInvalidMasterKey(t *testing.T) {
	b, err := Open(t.Context(), Settings{
		DatabaseURL: "postgres://postgres@127.0.0.1:5432/whatever?sslmode=disable",
		MasterKey:   "not-a-key",
	})
	if err == nil {
		b.Close()
		t.Fatal("Open with an invalid master key succeeded")
	}
	if strings.Contains(err.Error(), "not-a-key") {
		t.Errorf("the error repeats the key: %v", err)
	}
}

func TestOpenRefusesOtherDatabaseSchemes(t *testing.T) {
	for _, url := range []string{
		"mysql://user:s3cr3t@db/ssl",
		"sqlite:///var/lib/ssl.db",
		"/var/lib/ssl.db",
		"POSTGRES://user:s3cr3t@db/ssl",
		"host=db user=postgres password=s3cr3t",
	} {
		b, err := Open(t.Context(), Settings{DatabaseURL: url, MasterKey: testMasterKey})
		if err == nil {
			b.Close()
			t.Fatalf("Open(%q) succeeded", url)
		}
		if !strings.Contains(err.Error(), "postgres://") {
			t.Errorf("%q: error %q does not say which URLs are accepted", url, err)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%q: the error repeats the password: %v", url, err)
		}
	}
}

func TestOpenPostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	for _, u := range []string{url, "postgresql" + strings.TrimPrefix(url, "postgres")} {
		b, err := Open(t.Context(), Settings{DatabaseURL: u, MasterKey: testMasterKey})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		b.Close()
	}
	b, err := Open(t.Context(), Settings{DatabaseURL: url, MasterKey: testMasterKey})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	if b.Handler() == nil {
		t.Fatal("no API handler")
	}
	ctx := t.Context()
	want := storetest.Certificate("pg-backend")
	if err := b.Store.Update(ctx, func(tx store.Tx) error { return tx.InsertCertificate(ctx, want) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
	got, err := b.Store.GetCertificate(ctx, want.ID)
	if err != nil {
		t.Fatalf("GetCertificate: %v", err)
	}
	if d := storetest.DiffCertificate(want, got, true); len(d) > 0 {
		t.Fatalf("round trip differs: %v", d)
	}
	// The service reads through the same store.
	cs, err := b.Service.List(ctx, service.Filter{Domain: want.SANs[1]})
	if err != nil {
		t.Fatalf("Service.List: %v", err)
	}
	if len(cs) != 1 || cs[0].ID != want.ID {
		t.Fatalf("Service.List by domain: %v", cs)
	}
}
