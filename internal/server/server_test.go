package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
)

const (
	adminToken = "admin-token-0123456789abcdef"
	webToken   = "web-token-0123456789abcdef"
)

func startServer(t *testing.T) (*Server, string) {
	t.Helper()
	b, err := backend.Open(context.Background(), backend.Settings{DataDir: t.TempDir(), Clock: clock.NewFake(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	tokens, err := ParseTokens(adminToken + " admin\n# a comment\n\n" + webToken + " projects=web,api\n")
	if err != nil {
		t.Fatal(err)
	}
	s := New(b, Config{Listen: "127.0.0.1:0", Tokens: tokens, EvaluateEvery: -1})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s, "http://" + s.Addr()
}

func clientFor(t *testing.T, url, token string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: url, Token: token, MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func upload(t *testing.T, c *client.Client, project, domain string) (*wire.Certificate, error) {
	t.Helper()
	leaf := certstest.SelfSigned(t, certstest.LeafOptions{Alg: certstest.ECC, CommonName: domain, DNSNames: []string{domain}})
	return c.UploadCertificate(context.Background(), wire.UploadRequest{Name: domain, Project: project,
		CertificatePEM: leaf.CertPEM, PrivateKeyPEM: leaf.KeyPEM(t, certstest.PKCS8)})
}

func TestParseTokens(t *testing.T) {
	tests := []struct {
		name, text, wantErr string
	}{
		{"error/short token", "short admin", "shorter than 16"},
		{"error/unknown scope", adminToken + " root", "scope must be"},
		{"error/empty projects", adminToken + " projects=", "names no project"},
		{"error/no token at all", "# nothing\n", "holds no token"},
		{"error/three fields", adminToken + " admin extra", "want"},
		{"ok/admin and scoped", adminToken + " admin\n" + webToken + " projects=web", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTokens(tc.text)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), adminToken) {
				t.Fatal("an error repeats the token")
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	_, url := startServer(t)
	get := func(path, token string) int {
		req, _ := http.NewRequest(http.MethodGet, url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cases := []struct {
		name, path, token string
		want              int
	}{
		{"error/no token", "/v1/certificates", "", http.StatusUnauthorized},
		{"error/wrong token", "/v1/certificates", "not-a-known-token-at-all", http.StatusUnauthorized},
		{"error/token prefix only", "/v1/certificates", adminToken[:20], http.StatusUnauthorized},
		{"ok/admin token", "/v1/certificates", adminToken, http.StatusOK},
		{"ok/scoped token", "/v1/certificates", webToken, http.StatusOK},
		{"ok/health needs no token", "/healthz", "", http.StatusOK},
		{"ok/readiness needs no token", "/readyz", "", http.StatusOK},
		{"ok/CRL is public", "/v1/ca/trustasia-ecc/crl", "", http.StatusNotFound}, // public, but no such CA yet
		{"error/products need a token", "/v1/products", "", http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(tc.path, tc.token); got != tc.want {
				t.Fatalf("GET %s: %d, want %d", tc.path, got, tc.want)
			}
		})
	}
}

// A token scoped to some projects never sees another project's certificate: 404, as
// for a certificate that does not exist; its lists hold only its projects.
func TestProjectScope(t *testing.T) {
	_, url := startServer(t)
	admin := clientFor(t, url, adminToken)
	web := clientFor(t, url, webToken)
	other, err := upload(t, admin, "billing", "billing.example.com")
	if err != nil {
		t.Fatal(err)
	}
	mine, err := upload(t, web, "web", "www.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := web.GetCertificate(context.Background(), other.ID); !client.IsNotFound(err) {
		t.Fatalf("scoped token read another project's certificate: %v", err)
	}
	if err := web.DeleteCertificate(context.Background(), other.ID); !client.IsNotFound(err) {
		t.Fatalf("scoped token deleted another project's certificate: %v", err)
	}
	if _, err := upload(t, web, "billing", "x.example.com"); !client.IsNotFound(err) {
		t.Fatalf("scoped token uploaded into another project: %v", err)
	}
	list, err := web.ListCertificates(context.Background(), wire.ListFilter{})
	if err != nil || len(list) != 1 || list[0].ID != mine.ID {
		t.Fatalf("scoped list: %v %v", list, err)
	}
	all, err := admin.ListCertificates(context.Background(), wire.ListFilter{})
	if err != nil || len(all) != 2 {
		t.Fatalf("admin list: %d %v", len(all), err)
	}
	if _, err := admin.GetCertificate(context.Background(), other.ID); err != nil {
		t.Fatalf("admin read: %v", err)
	}
	// Admin-only routes.
	if _, err := web.Evaluate(context.Background()); err == nil {
		t.Fatal("a scoped token ran the evaluator")
	} else if we, ok := client.AsAPIError(err); !ok || we.Status != http.StatusForbidden {
		t.Fatalf("want 403, got %v", err)
	}
	if _, err := admin.Evaluate(context.Background()); err != nil {
		t.Fatalf("admin evaluate: %v", err)
	}
}

// Shutdown finishes a request in flight before it returns.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	b, err := backend.Open(context.Background(), backend.Settings{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tokens, _ := ParseTokens(adminToken + " admin")
	s := New(b, Config{Listen: "127.0.0.1:0", Tokens: tokens, EvaluateEvery: -1})
	started := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_ = json.NewEncoder(w).Encode(map[string]string{"done": "yes"})
	})
	s.http.Handler = s.authenticate(slow)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+s.Addr()+"/v1/slow", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	<-started
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != http.StatusOK {
		t.Fatalf("in-flight request ended with %d", got)
	}
}

func TestPublicPaths(t *testing.T) {
	for path, want := range map[string]bool{
		"/healthz": true, "/readyz": true, "/v1/ca/x-rsa/crl": true, "/v1/ca/x-rsa/ocsp": true,
		"/v1/ca/x-rsa/ocsp/MEQw": true, "/v1/ca/x-rsa/issuer.crt": true, "/v1/ca": false,
		"/v1/certificates": false, "/v1/ca/x-rsa/crl/../../certificates": false,
	} {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if got := publicPath(r); got != want {
			t.Errorf("publicPath(%s) = %v, want %v", path, got, want)
		}
	}
}
