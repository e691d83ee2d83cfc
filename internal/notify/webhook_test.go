package notify

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fastHTTP retries quickly so that retry tests stay fast.
var fastHTTP = HTTPOptions{RetryMax: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, Timeout: 5 * time.Second}

func TestWebhookSenderSignedPayload(t *testing.T) {
	t.Parallel()
	m := testMessage(ChannelWebhook)
	type seen struct {
		body    []byte
		header  http.Header
		payload map[string]any
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("body is not JSON: %v", err)
		}
		got <- seen{body, r.Header.Clone(), p}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	m.WebhookURL = srv.URL + "/hooks/ssl"

	if err := NewWebhookSender(fastHTTP).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	s := <-got
	sig := s.header.Get(SignatureHeader)
	if !Verify(s.body, sig, m.WebhookSecret) {
		t.Errorf("signature %q does not verify under the alarm's secret", sig)
	}
	if Verify(s.body, sig, "another-secret") {
		t.Errorf("signature verifies under a wrong secret")
	}
	if sig != Sign(s.body, []byte(m.WebhookSecret)) {
		t.Errorf("signature %q is not Sign(body)", sig)
	}
	if k := s.header.Get(IdempotencyHeader); k != "ntf-42" {
		t.Errorf("Idempotency-Key = %q", k)
	}
	if ct := s.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	want := map[string]any{
		"policy_id":                 "pol-7",
		"policy_name":               "Production certificates",
		"certificate_id":            "cert-123",
		"name":                      "web frontend",
		"domain":                    "example.com",
		"subject_alternative_names": []any{"example.com", "www.example.com", "api.example.com"},
		"not_after":                 "2026-03-14T12:00:00Z",
		"days_left":                 float64(12),
	}
	if !reflect.DeepEqual(s.payload, want) {
		t.Errorf("payload = %#v\nwant %#v", s.payload, want)
	}
}

func TestWebhookSenderStatuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		statuses      []int // answers in turn; the last repeats
		wantAttempts  int32
		wantErr       string
		wantPermanent bool
	}{
		{name: "ok", statuses: []int{200}, wantAttempts: 1},
		{name: "retried then ok", statuses: []int{503, 502, 201}, wantAttempts: 3},
		{name: "error/500 retried then given up", statuses: []int{500}, wantAttempts: 3, wantErr: "answered 500 Internal Server Error (3 attempts): boom"},
		{name: "error/429 retried", statuses: []int{429}, wantAttempts: 3, wantErr: "429"},
		{name: "error/400 not retried", statuses: []int{400}, wantAttempts: 1, wantErr: "answered 400 Bad Request (1 attempt)", wantPermanent: true},
		{name: "error/redirect not followed", statuses: []int{302}, wantAttempts: 1, wantErr: "302", wantPermanent: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				if k := r.Header.Get(IdempotencyHeader); k != "ntf-42" {
					t.Errorf("attempt %d: Idempotency-Key = %q", i+1, k)
				}
				code := tc.statuses[min(i, len(tc.statuses)-1)]
				if code == 302 {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(code)
				_, _ = io.WriteString(w, "boom\n")
			}))
			t.Cleanup(srv.Close)
			m := testMessage(ChannelWebhook)
			m.WebhookURL = srv.URL + "/hook?token=tok-very-private"
			err := NewWebhookSender(fastHTTP).Send(context.Background(), m)
			if got := n.Load(); got != tc.wantAttempts {
				t.Errorf("receiver saw %d attempts, want %d", got, tc.wantAttempts)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Send error = %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "tok-very-private") {
				t.Errorf("error shows the URL's query: %v", err)
			}
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != tc.statuses[len(tc.statuses)-1] {
				t.Errorf("error %v is not a StatusError with the last status", err)
			}
			if Permanent(err) != tc.wantPermanent {
				t.Errorf("Permanent = %v, want %v", Permanent(err), tc.wantPermanent)
			}
		})
	}
}

func TestWebhookSenderRequests(t *testing.T) {
	t.Parallel()
	srvTLS, pool := selfSignedTLS(t)
	var sigs atomic.Value
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sigs.Store(r.Header.Values(SignatureHeader))
	})
	plain := httptest.NewServer(h)
	t.Cleanup(plain.Close)
	secure := httptest.NewUnstartedServer(h)
	secure.TLS = srvTLS
	secure.StartTLS()
	t.Cleanup(secure.Close)

	cases := []struct {
		name          string
		opts          HTTPOptions
		edit          func(*Message)
		wantErr       string
		wantPermanent bool
		wantSig       bool
	}{
		{name: "https with a private root", opts: HTTPOptions{TLSConfig: &tls.Config{RootCAs: pool}}, edit: func(m *Message) { m.WebhookURL = secure.URL }, wantSig: true},
		{name: "no secret, no signature", edit: func(m *Message) { m.WebhookURL = plain.URL; m.WebhookSecret = "" }},
		{name: "error/https with an unknown root", edit: func(m *Message) { m.WebhookURL = secure.URL }, wantErr: "certificate"},
		{name: "error/no url", edit: func(m *Message) { m.WebhookURL = "" }, wantErr: "no webhook_url", wantPermanent: true},
		{name: "error/not http", edit: func(m *Message) { m.WebhookURL = "ftp://127.0.0.1/x" }, wantErr: "not an http or https URL", wantPermanent: true},
		{name: "error/no expiry", edit: func(m *Message) { m.WebhookURL = plain.URL; m.NotAfter = time.Time{} }, wantErr: "NotAfter", wantPermanent: true},
		{name: "error/bad idempotency key", edit: func(m *Message) { m.WebhookURL = plain.URL; m.IdempotencyKey = "a\r\nb" }, wantErr: "idempotency key", wantPermanent: true},
		{name: "error/connection refused", edit: func(m *Message) { m.WebhookURL = "http://127.0.0.1:1/hook" }, wantErr: "3 attempts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.RetryMax, opts.RetryWaitMin, opts.RetryWaitMax = fastHTTP.RetryMax, fastHTTP.RetryWaitMin, fastHTTP.RetryWaitMax
			m := testMessage(ChannelWebhook)
			tc.edit(&m)
			sigs.Store([]string(nil))
			err := NewWebhookSender(opts).Send(context.Background(), m)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Send error = %v, want one containing %q", err, tc.wantErr)
				}
				if Permanent(err) != tc.wantPermanent {
					t.Errorf("Permanent = %v, want %v", Permanent(err), tc.wantPermanent)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got := sigs.Load().([]string); (len(got) == 1) != tc.wantSig {
				t.Errorf("signature headers = %q, want signed: %v", got, tc.wantSig)
			}
		})
	}
}

func TestWebhookSenderContextCancel(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	m := testMessage(ChannelWebhook)
	m.WebhookURL = srv.URL
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	opts := HTTPOptions{RetryMax: 10, RetryWaitMin: time.Second, RetryWaitMax: time.Second}
	start := time.Now()
	err := NewWebhookSender(opts).Send(ctx, m)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send error = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v after its context expired", d)
	}
}

func TestSignVerify(t *testing.T) {
	t.Parallel()
	body := []byte("The quick brown fox jumps over the lazy dog")
	// RFC 4231-style known answer: HMAC-SHA256(key="key", body).
	const known = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	if got := Sign(body, []byte("key")); got != known {
		t.Fatalf("Sign = %q, want %q", got, known)
	}
	cases := []struct {
		name   string
		body   []byte
		header string
		secret string
		want   bool
	}{
		{"valid", body, known, "key", true},
		{"valid with spaces", body, "  " + known + " ", "key", true},
		{"valid upper-case hex", body, "sha256=" + strings.ToUpper(known[7:]), "key", true},
		{"wrong secret", body, known, "other", false},
		{"tampered body", append([]byte{}, append(body, '.')...), known, "key", false},
		{"no prefix", body, known[7:], "key", false},
		{"other algorithm", body, "sha1=" + known[7:], "key", false},
		{"not hex", body, "sha256=zz", "key", false},
		{"truncated", body, known[:40], "key", false},
		{"empty header", body, "", "key", false},
		{"empty secret", body, Sign(body, nil), "", false},
	}
	for _, tc := range cases {
		if got := Verify(tc.body, tc.header, tc.secret); got != tc.want {
			t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWebhookPayloadEmptySANs(t *testing.T) {
	t.Parallel()
	m := testMessage(ChannelWebhook)
	m.SubjectAlternativeNames = nil
	b, err := json.Marshal(NewWebhookPayload(m))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"subject_alternative_names":[]`) {
		t.Errorf("SANs are not an empty list: %s", b)
	}
}

func TestMessageStringHidesSecret(t *testing.T) {
	t.Parallel()
	m := testMessage(ChannelWebhook)
	if s := fmtAll(m) + fmtAll(&m); strings.Contains(s, m.WebhookSecret) {
		t.Errorf("formatted message shows the webhook secret: %s", s)
	}
}
