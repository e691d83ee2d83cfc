package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
)

func fastConfig(c Config) Config {
	c.RetryWaitMin, c.RetryWaitMax = time.Millisecond, 5*time.Millisecond
	return c
}

// A server that fails twice (503, then a dropped connection) and then answers: the
// client retries and every attempt carries the same Idempotency-Key.
func TestRetryAfterTwoFailuresKeepsIdempotencyKey(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get(wire.IdempotencyHeader))
		n := len(keys)
		mu.Unlock()
		switch n {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			_ = conn.Close()
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(wire.Certificate{ID: "cert-1", Name: "x"})
		}
	}))
	defer srv.Close()
	c, err := New(fastConfig(Config{Endpoint: srv.URL}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.UploadCertificate(context.Background(), wire.UploadRequest{Name: "x"})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if got.ID != "cert-1" {
		t.Fatalf("id = %q", got.ID)
	}
	if len(keys) != 3 {
		t.Fatalf("attempts = %d, want 3", len(keys))
	}
	if keys[0] == "" || keys[0] != keys[1] || keys[1] != keys[2] {
		t.Fatalf("idempotency keys differ between retries: %q", keys)
	}
}

func TestTypedErrorDecodedAndNotRetried(t *testing.T) {
	attempts := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(wire.ErrorBody{Error: &wire.Error{Code: wire.CodeNotFound, Summary: "Certificate Not Found", Message: "gone"}})
	}))
	defer srv.Close()
	c, _ := New(fastConfig(Config{Endpoint: srv.URL}))
	_, err := c.GetCertificate(context.Background(), "cert-x")
	if !IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
	we, ok := AsAPIError(err)
	if !ok || we.Status != http.StatusNotFound || we.Message != "gone" {
		t.Fatalf("decoded error = %#v", we)
	}
	if attempts != 1 {
		t.Fatalf("a 404 was retried: %d attempts", attempts)
	}
}

func TestUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, _ := New(fastConfig(Config{Endpoint: url, MaxRetries: 1}))
	_, err := c.ListCertificates(context.Background(), wire.ListFilter{})
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("want UnreachableError, got %T %v", err, err)
	}
}

func TestInProcessHandlerNoSocket(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/certificates" || r.URL.Query().Get("domain") != "a.example.com" {
			t.Errorf("unexpected request %s", r.URL)
		}
		_ = json.NewEncoder(w).Encode(wire.CertificateList{Certificates: []wire.Certificate{{ID: "cert-1"}}})
	})
	c, err := New(Config{Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ListCertificates(context.Background(), wire.ListFilter{Domain: "a.example.com"})
	if err != nil || len(got) != 1 || got[0].ID != "cert-1" {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestBadEndpoint(t *testing.T) {
	if _, err := New(Config{Endpoint: "ftp://x"}); err == nil {
		t.Fatal("an ftp endpoint was accepted")
	}
	if _, err := New(Config{}); err == nil {
		t.Fatal("a config with neither handler nor endpoint was accepted")
	}
}

// The server goes away after the answer's headers (a crash mid-body): the client sends
// the call again under the same Idempotency-Key instead of failing, and takes the
// second, whole answer.
func TestAnswerCutOffMidBodyIsRetried(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get(wire.IdempotencyHeader))
		n := len(keys)
		mu.Unlock()
		if n == 1 {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = buf.WriteString("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"id\":\"cert-")
			_ = buf.Flush()
			_ = conn.Close()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(wire.Certificate{ID: "cert-1", Name: "x"})
	}))
	defer srv.Close()
	c, err := New(fastConfig(Config{Endpoint: srv.URL}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.UploadCertificate(context.Background(), wire.UploadRequest{Name: "x"})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if got.ID != "cert-1" {
		t.Fatalf("id = %q", got.ID)
	}
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Fatalf("attempts %d with keys %q, want 2 with one key", len(keys), keys)
	}
}

// A server that always cuts its answers off: the client gives up after its retries
// with an error that says the backend could not be reached.
func TestAnswerAlwaysCutOffIsUnreachable(t *testing.T) {
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		conn, buf, _ := w.(http.Hijacker).Hijack()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{")
		_ = buf.Flush()
		_ = conn.Close()
	}))
	defer srv.Close()
	c, err := New(fastConfig(Config{Endpoint: srv.URL, MaxRetries: 2}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCertificate(context.Background(), "cert-1")
	var u *UnreachableError
	if !errors.As(err, &u) {
		t.Fatalf("err = %v (%T), want an UnreachableError", err, err)
	}
	if got := attempts.Load(); got != 3 {
		t.Fatalf("attempts = %d, want 3 (one and max_retries = 2)", got)
	}
}
