package ca

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"sync"
	"testing"
	"time"
)

// testNow is "now" for every test: the wall clock, so that the openssl CLI (which has
// no fake clock) agrees with the validity of what the tests make.
var testNow = time.Now().UTC().Truncate(time.Second)

const testPublicURL = "https://ssl.example.test:8443/"

// allPairs lists every brand × algorithm the package supports.
func allPairs() [][2]string {
	var out [][2]string
	for _, b := range Brands() {
		for _, a := range Algorithms(b) {
			out = append(out, [2]string{b, a})
		}
	}
	return out
}

// onceCache makes each value once per test run, even when parallel tests ask at once.
type onceCache[T any] struct {
	mu      sync.Mutex
	entries map[string]*onceEntry[T]
}

type onceEntry[T any] struct {
	once sync.Once
	v    T
	err  error
}

// get returns the value of key, making it with mk the first time.
func (c *onceCache[T]) get(key string, mk func() (T, error)) (T, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*onceEntry[T]{}
	}
	e, ok := c.entries[key]
	if !ok {
		e = &onceEntry[T]{}
		c.entries[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.v, e.err = mk() })
	return e.v, e.err
}

var (
	hierarchies onceCache[*Hierarchy]
	leafKeys    onceCache[crypto.Signer]
)

// testHierarchy returns the hierarchy of brand and alg, made once per test run.
func testHierarchy(t testing.TB, brand, alg string) *Hierarchy {
	t.Helper()
	h, err := hierarchies.get(brand+"/"+alg, func() (*Hierarchy, error) { return NewHierarchy(brand, alg, testNow, nil) })
	if err != nil {
		t.Fatalf("NewHierarchy(%s, %s): %v", brand, alg, err)
	}
	return h
}

// testKey returns a leaf key of alg and size, made once per test run per name.
func testKey(t testing.TB, alg string, size int, name string) crypto.Signer {
	t.Helper()
	key, err := leafKeys.get(fmt.Sprintf("%s/%d/%s", alg, size, name), func() (crypto.Signer, error) { return GenerateKey(alg, size) })
	if err != nil {
		t.Fatalf("GenerateKey(%s, %d): %v", alg, size, err)
	}
	return key
}

// leafValidity is a 90-day validity starting now.
func leafValidity() (time.Time, time.Time) { return testNow, testNow.Add(90 * 24 * time.Hour) }

// mustX509 parses DER with crypto/x509.
func mustX509(t testing.TB, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("x509.ParseCertificate: %v", err)
	}
	return c
}
