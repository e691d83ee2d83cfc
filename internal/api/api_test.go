package api_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
)

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func newBackend(t *testing.T) http.Handler {
	t.Helper()
	b, err := backend.Open(context.Background(), backend.Settings{DataDir: t.TempDir(), Clock: clock.NewFake(now)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b.Handler()
}

// selfSigned returns a self-signed ECDSA certificate for domain and its key (SEC1).
func selfSigned(t *testing.T, domain string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: domain},
		DNSNames: []string{domain}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(90 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

func call(t *testing.T, h http.Handler, method, path, idemKey string, body any) (*httptest.ResponseRecorder, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, path, &buf)
	if idemKey != "" {
		req.Header.Set(wire.IdempotencyHeader, idemKey)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, rec.Body.Bytes()
}

func decodeError(t *testing.T, body []byte) *wire.Error {
	t.Helper()
	var eb wire.ErrorBody
	if err := json.Unmarshal(body, &eb); err != nil || eb.Error == nil {
		t.Fatalf("not an error body: %s", body)
	}
	return eb.Error
}

func TestUploadIdempotentRetry(t *testing.T) {
	h := newBackend(t)
	cert, key := selfSigned(t, "www.example.com")
	req := wire.UploadRequest{Name: "web", CertificatePEM: cert, PrivateKeyPEM: key}

	rec1, body1 := call(t, h, http.MethodPost, "/v1/certificates/uploads", "key-1", req)
	if rec1.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec1.Code, body1)
	}
	var first wire.Certificate
	_ = json.Unmarshal(body1, &first)

	// The same key and body again (a retry): the first result, no second record.
	rec2, body2 := call(t, h, http.MethodPost, "/v1/certificates/uploads", "key-1", req)
	var second wire.Certificate
	_ = json.Unmarshal(body2, &second)
	if rec2.Code != http.StatusCreated || second.ID != first.ID {
		t.Fatalf("retry made %q (status %d), first was %q", second.ID, rec2.Code, first.ID)
	}
	// Another key: uploads are never de-duplicated.
	_, body3 := call(t, h, http.MethodPost, "/v1/certificates/uploads", "key-2", req)
	var third wire.Certificate
	_ = json.Unmarshal(body3, &third)
	if third.ID == "" || third.ID == first.ID {
		t.Fatalf("a new key did not make a new record: %s", body3)
	}
	_, list := call(t, h, http.MethodGet, "/v1/certificates", "", nil)
	var l wire.CertificateList
	_ = json.Unmarshal(list, &l)
	if len(l.Certificates) != 2 {
		t.Fatalf("want 2 records, got %d", len(l.Certificates))
	}

	// The same key for another request is refused.
	req.Name = "other"
	rec4, body4 := call(t, h, http.MethodPost, "/v1/certificates/uploads", "key-1", req)
	if rec4.Code != http.StatusConflict || decodeError(t, body4).Code != wire.CodeIdempotencyMismatch {
		t.Fatalf("reused key: status %d body %s", rec4.Code, body4)
	}
}

func TestErrorCodes(t *testing.T) {
	h := newBackend(t)
	cert, key := selfSigned(t, "a.example.com")
	_, otherKey := selfSigned(t, "b.example.com")
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"error/not found", http.MethodGet, "/v1/certificates/cert-missing", nil, 404, wire.CodeNotFound, ""},
		{"error/delete not found", http.MethodDelete, "/v1/certificates/cert-missing", nil, 404, wire.CodeNotFound, ""},
		{"error/no such route", http.MethodGet, "/v1/nothing", nil, 404, wire.CodeNotFound, ""},
		{"error/malformed json", http.MethodPost, "/v1/certificates/uploads", "not an object", 400, wire.CodeInvalid, ""},
		{"error/name required (U1)", http.MethodPost, "/v1/certificates/uploads", wire.UploadRequest{CertificatePEM: cert, PrivateKeyPEM: key}, 400, wire.CodeInvalid, "name"},
		{"error/not pem (U4)", http.MethodPost, "/v1/certificates/uploads", wire.UploadRequest{Name: "x", CertificatePEM: "hello", PrivateKeyPEM: key}, 400, "invalid_certificate", "certificate_pem"},
		{"error/key mismatch (U4)", http.MethodPost, "/v1/certificates/uploads", wire.UploadRequest{Name: "x", CertificatePEM: cert, PrivateKeyPEM: otherKey}, 400, "invalid_certificate", "private_key_pem"},
		{"error/bad source filter", http.MethodGet, "/v1/certificates?source=stolen", nil, 400, wire.CodeInvalid, "source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, body := call(t, h, tc.method, tc.path, "", tc.body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, body)
			}
			e := decodeError(t, body)
			if e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("code %q field %q, want %q %q (%s)", e.Code, e.Field, tc.code, tc.field, body)
			}
			if strings.Contains(string(body), "PRIVATE KEY") {
				t.Fatalf("an error body carries key material: %s", body)
			}
		})
	}
}

// The single read returns the uploaded key; a list never does.
func TestKeysOnlyInSingleRead(t *testing.T) {
	h := newBackend(t)
	cert, key := selfSigned(t, "keys.example.com")
	_, body := call(t, h, http.MethodPost, "/v1/certificates/uploads", "", wire.UploadRequest{Name: "k", CertificatePEM: cert, PrivateKeyPEM: key})
	var c wire.Certificate
	_ = json.Unmarshal(body, &c)
	if strings.Contains(string(body), "PRIVATE KEY") {
		t.Fatal("the upload's answer echoes the key")
	}
	_, got := call(t, h, http.MethodGet, "/v1/certificates/"+c.ID, "", nil)
	var g wire.Certificate
	_ = json.Unmarshal(got, &g)
	if g.PrivateKeyPEM != key {
		t.Fatal("the single read does not return the uploaded key as given")
	}
	_, list := call(t, h, http.MethodGet, "/v1/certificates", "", nil)
	if strings.Contains(string(list), "PRIVATE KEY") {
		t.Fatal("a list carries key material")
	}
	// A write-only key is never echoed back.
	_, body = call(t, h, http.MethodPost, "/v1/certificates/uploads", "", wire.UploadRequest{Name: "wo", CertificatePEM: cert, PrivateKeyPEM: key, PrivateKeyWriteOnly: true})
	_ = json.Unmarshal(body, &c)
	_, got = call(t, h, http.MethodGet, "/v1/certificates/"+c.ID, "", nil)
	if strings.Contains(string(got), "PRIVATE KEY") {
		t.Fatal("a write-only key was returned")
	}
}

func TestRotateKeepsIDAndMakesNewVersion(t *testing.T) {
	h := newBackend(t)
	cert, key := selfSigned(t, "rot.example.com")
	_, body := call(t, h, http.MethodPost, "/v1/certificates/uploads", "", wire.UploadRequest{Name: "r", CertificatePEM: cert, PrivateKeyPEM: key})
	var c wire.Certificate
	_ = json.Unmarshal(body, &c)
	cert2, key2 := selfSigned(t, "rot.example.com")
	rec, body := call(t, h, http.MethodPost, "/v1/certificates/"+c.ID+"/rotate", "rot-1", wire.RotateRequest{CertificatePEM: cert2, PrivateKeyPEM: key2})
	var r wire.Certificate
	_ = json.Unmarshal(body, &r)
	if rec.Code != 200 || r.ID != c.ID || r.Version != 2 || r.SerialNumber == c.SerialNumber {
		t.Fatalf("rotation: status %d id %q version %d serial %q→%q", rec.Code, r.ID, r.Version, c.SerialNumber, r.SerialNumber)
	}
	// A retry of the same rotation does not make a third version.
	_, body = call(t, h, http.MethodPost, "/v1/certificates/"+c.ID+"/rotate", "rot-1", wire.RotateRequest{CertificatePEM: cert2, PrivateKeyPEM: key2})
	_ = json.Unmarshal(body, &r)
	if r.Version != 2 {
		t.Fatalf("retried rotation made version %d", r.Version)
	}
	// Rotating to a certificate the kept key does not match is refused.
	cert3, _ := selfSigned(t, "rot.example.com")
	rec, body = call(t, h, http.MethodPost, "/v1/certificates/"+c.ID+"/rotate", "", wire.RotateRequest{CertificatePEM: cert3})
	if rec.Code != 400 || decodeError(t, body).Field != "private_key_pem" {
		t.Fatalf("mismatched rotation: %d %s", rec.Code, body)
	}
}

func TestListFilters(t *testing.T) {
	h := newBackend(t)
	for _, d := range []string{"www.example.com", "api.example.com", "other.test"} {
		cert, key := selfSigned(t, d)
		rec, body := call(t, h, http.MethodPost, "/v1/certificates/uploads", "", wire.UploadRequest{Name: "n-" + d, CertificatePEM: cert, PrivateKeyPEM: key, Tags: map[string]string{"env": d}})
		if rec.Code != 201 {
			t.Fatalf("%d %s", rec.Code, body)
		}
	}
	count := func(q string) int {
		_, body := call(t, h, http.MethodGet, "/v1/certificates?"+q, "", nil)
		var l wire.CertificateList
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatalf("%s: %s", q, body)
		}
		return len(l.Certificates)
	}
	cases := map[string]int{
		"":                               3,
		"domain=www.example.com":         1,
		"name=example":                   2,
		"name_exact=n-other.test":        1,
		"source=uploaded":                3,
		"source=issued":                  0,
		"status=issued":                  3,
		"status=expired":                 0,
		"expiring_within_days=30":        0,
		"expiring_within_days=91":        3,
		`tags={"env":"api.example.com"}`: 1,
		"project=default":                3,
		"project=elsewhere":              0,
	}
	for q, want := range cases {
		if got := count(q); got != want {
			t.Errorf("%q: got %d, want %d", q, got, want)
		}
	}
}
