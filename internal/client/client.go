// Package client is the Go client of the backend's HTTP API. The provider reaches the
// backend only through it, in-process (the transport hands requests straight to the
// API handler, no socket) or over HTTP(S) to a shared server. Requests are retried by
// go-retryablehttp; mutating requests carry an Idempotency-Key so retries are safe.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
)

// Config says how to reach the backend.
type Config struct {
	// Handler, when set, serves every request in-process (embedded mode).
	Handler http.Handler
	// Endpoint is the base URL of a remote backend (remote mode).
	Endpoint string
	// Token is the bearer token for a remote backend.
	Token string
	// CACertificatePEM, when set, is the only trust anchor for the remote's TLS.
	CACertificatePEM string
	// MaxRetries bounds the retries of one request (default 4).
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff (defaults 200ms and 5s).
	RetryWaitMin, RetryWaitMax time.Duration
	// Logger receives retryablehttp's log lines (nil: silent).
	Logger retryablehttp.LeveledLogger
	// UserAgent names the caller.
	UserAgent string
}

// Client talks to one backend.
type Client struct {
	base  *url.URL
	token string
	http  *retryablehttp.Client
	ua    string

	// products caches the catalogue: it is fixed by the backend's configuration, and a
	// provider process (one Terraform command) asks for it once per planned certificate.
	productsMu sync.Mutex
	products   []wire.Product
}

// New builds a client from cfg.
func New(cfg Config) (*Client, error) {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	if cfg.Logger != nil {
		rc.Logger = cfg.Logger
	}
	rc.RetryMax = 4
	if cfg.MaxRetries > 0 {
		rc.RetryMax = cfg.MaxRetries
	}
	rc.RetryWaitMin, rc.RetryWaitMax = 200*time.Millisecond, 5*time.Second
	if cfg.RetryWaitMin > 0 {
		rc.RetryWaitMin = cfg.RetryWaitMin
	}
	if cfg.RetryWaitMax > 0 {
		rc.RetryWaitMax = cfg.RetryWaitMax
	}
	// Keep the server's error body: the default handler would replace it with a
	// generic "giving up after N attempts" error.
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler

	c := &Client{token: cfg.Token, http: rc, ua: cfg.UserAgent}
	switch {
	case cfg.Handler != nil:
		c.base = &url.URL{Scheme: "http", Host: "embedded"}
		rc.HTTPClient = &http.Client{Transport: handlerTransport{cfg.Handler}}
	case cfg.Endpoint != "":
		u, err := url.Parse(strings.TrimRight(cfg.Endpoint, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("endpoint %q is not an http(s) URL", cfg.Endpoint)
		}
		c.base = u
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if cfg.CACertificatePEM != "" {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM([]byte(cfg.CACertificatePEM)) {
				return nil, errors.New("ca_certificate_pem holds no PEM certificate")
			}
			tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		rc.HTTPClient = &http.Client{Transport: tr, Timeout: 60 * time.Second}
	default:
		return nil, errors.New("client: neither a handler nor an endpoint was given")
	}
	return c, nil
}

// handlerTransport serves requests with an in-process handler: no socket is opened.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// UnreachableError says the backend could not be reached at all.
type UnreachableError struct {
	Endpoint string
	Err      error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the certificate backend at %s could not be reached: %v", e.Endpoint, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is the backend's "not found".
func IsNotFound(err error) bool {
	var we *wire.Error
	return errors.As(err, &we) && we.Code == wire.CodeNotFound
}

// AsAPIError returns the backend's typed error behind err, if any.
func AsAPIError(err error) (*wire.Error, bool) {
	var we *wire.Error
	ok := errors.As(err, &we)
	return we, ok
}

func newIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// do sends one request and decodes a JSON answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encoding request: %w", err)
		}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), bodyReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if method != http.MethodGet && method != http.MethodHead {
		// One key per logical call: every retry of it carries the same key.
		req.Header.Set(wire.IdempotencyHeader, newIdempotencyKey())
	}
	resp, data, err := c.send(ctx, req)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var eb wire.ErrorBody
		if json.Unmarshal(data, &eb) == nil && eb.Error != nil {
			eb.Error.Status = resp.StatusCode
			return eb.Error
		}
		return &wire.Error{Status: resp.StatusCode, Code: codeForStatus(resp.StatusCode),
			Summary: "Backend Error", Message: fmt.Sprintf("The backend answered %s.", resp.Status)}
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decoding the backend's answer: %w", err)
		}
	}
	return nil
}

// send sends req and reads the whole answer. An answer cut off after its headers (the
// server went away mid-body) is sent again like a refused connection: every call is
// idempotent — a GET, or a mutation that carries the same Idempotency-Key on every
// attempt — so the backend answers a retry of a committed call from the stored key.
func (c *Client) send(ctx context.Context, req *retryablehttp.Request) (*http.Response, []byte, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			return nil, nil, &UnreachableError{Endpoint: c.base.Redacted(), Err: err}
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		_ = resp.Body.Close()
		if err == nil {
			return resp, data, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if attempt >= c.http.RetryMax {
			return nil, nil, &UnreachableError{Endpoint: c.base.Redacted(), Err: err}
		}
		select {
		case <-time.After(c.http.Backoff(c.http.RetryWaitMin, c.http.RetryWaitMax, attempt, resp)):
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

func bodyReader(b []byte) any {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}

func codeForStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return wire.CodeNotFound
	case http.StatusUnauthorized, http.StatusForbidden:
		return wire.CodeUnauthenticated
	case http.StatusConflict:
		return wire.CodeConflict
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return wire.CodeInvalid
	}
	return wire.CodeInternal
}

// UploadCertificate hosts a third-party certificate (U1–U3).
func (c *Client) UploadCertificate(ctx context.Context, in wire.UploadRequest) (*wire.Certificate, error) {
	var out wire.Certificate
	if err := c.do(ctx, http.MethodPost, "/v1/certificates/uploads", nil, &in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetCertificate reads one certificate (with its uploaded key, when allowed).
func (c *Client) GetCertificate(ctx context.Context, id string) (*wire.Certificate, error) {
	var out wire.Certificate
	if err := c.do(ctx, http.MethodGet, "/v1/certificates/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateCertificate changes a record's metadata in place.
func (c *Client) UpdateCertificate(ctx context.Context, id string, in wire.UpdateRequest) (*wire.Certificate, error) {
	var out wire.Certificate
	if err := c.do(ctx, http.MethodPatch, "/v1/certificates/"+url.PathEscape(id), nil, &in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RotateCertificate gives an uploaded record a new certificate version.
func (c *Client) RotateCertificate(ctx context.Context, id string, in wire.RotateRequest) (*wire.Certificate, error) {
	var out wire.Certificate
	if err := c.do(ctx, http.MethodPost, "/v1/certificates/"+url.PathEscape(id)+"/rotate", nil, &in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteCertificate deletes a record (U5, D4).
func (c *Client) DeleteCertificate(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/certificates/"+url.PathEscape(id), nil, nil, nil)
}

// ListCertificates returns the certificates that match f, in one request.
func (c *Client) ListCertificates(ctx context.Context, f wire.ListFilter) ([]wire.Certificate, error) {
	var out wire.CertificateList
	if err := c.do(ctx, http.MethodGet, "/v1/certificates", f.Query(), nil, &out); err != nil {
		return nil, err
	}
	return out.Certificates, nil
}
