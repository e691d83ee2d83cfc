// Package certstest generates certificate material for tests: CAs, intermediates,
// leaves and self-signed certificates with RSA, ECDSA, SM2 or Ed25519 keys, keys in
// PKCS#1, SEC1, PKCS#8 and encrypted PEM, SM2 signature/encryption pairs and SM2
// certificates signed with the empty distinguishing ID that OpenSSL 3.0 uses.
// Every function takes a testing.TB and fails the test on error. Nothing is checked
// in: all material is made at run time.
package certstest

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/pkcs8"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// Key algorithms of fixtures.
const (
	RSA     = "RSA"     // RSA 2048-bit
	RSA1024 = "RSA1024" // RSA 1024-bit, too small for the service
	RSA3072 = "RSA3072" // RSA 3072-bit
	RSA4096 = "RSA4096" // RSA 4096-bit
	ECC     = "ECC"     // ECDSA P-256
	ECC384  = "ECC384"  // ECDSA P-384
	ECC521  = "ECC521"  // ECDSA P-521
	ECC224  = "ECC224"  // ECDSA P-224, a curve the service refuses
	SM2     = "SM2"     // SM2 (Chinese SM standard)
	Ed25519 = "Ed25519" // Ed25519, which the service refuses
)

// KeyFormat is a PEM encoding of a private key.
type KeyFormat string

// Private key encodings.
const (
	PKCS1 KeyFormat = "PKCS1" // "RSA PRIVATE KEY" (RSA only)
	SEC1  KeyFormat = "SEC1"  // "EC PRIVATE KEY" (ECDSA and SM2)
	PKCS8 KeyFormat = "PKCS8" // "PRIVATE KEY"
)

// rsaPoolSize is how many keys of each RSA size the process keeps and hands out in
// turn; RSA key generation is slow.
const rsaPoolSize = 16

var rsaPool = struct {
	sync.Mutex
	keys map[int][]*rsa.PrivateKey
	next map[int]int
}{keys: map[int][]*rsa.PrivateKey{}, next: map[int]int{}}

// NewKey returns a private key of alg. RSA keys come from a small per-process pool
// (a key may be handed out again after rsaPoolSize others of its size); use
// UniqueKey when a key must differ from every other fixture's.
func NewKey(t testing.TB, alg string) crypto.Signer {
	t.Helper()
	if bits := rsaBits(alg); bits > 0 {
		rsaPool.Lock()
		defer rsaPool.Unlock()
		i := rsaPool.next[bits] % rsaPoolSize
		rsaPool.next[bits]++
		if i < len(rsaPool.keys[bits]) {
			return rsaPool.keys[bits][i]
		}
		k := UniqueKey(t, alg).(*rsa.PrivateKey)
		rsaPool.keys[bits] = append(rsaPool.keys[bits], k)
		return k
	}
	return UniqueKey(t, alg)
}

// UniqueKey generates a new private key of alg that no other fixture has.
func UniqueKey(t testing.TB, alg string) crypto.Signer {
	t.Helper()
	var k crypto.Signer
	var err error
	switch alg {
	case RSA, RSA1024, RSA3072, RSA4096:
		k, err = rsa.GenerateKey(rand.Reader, rsaBits(alg))
	case ECC:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECC384:
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case ECC521:
		k, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case ECC224:
		k, err = ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	case SM2:
		k, err = sm2.GenerateKey(rand.Reader)
	case Ed25519:
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("certstest: unknown key algorithm %q", alg)
	}
	if err != nil {
		t.Fatalf("certstest: generate %s key: %v", alg, err)
	}
	return k
}

// rsaBits returns the modulus size of an RSA alg, or 0.
func rsaBits(alg string) int {
	switch alg {
	case RSA:
		return 2048
	case RSA1024:
		return 1024
	case RSA3072:
		return 3072
	case RSA4096:
		return 4096
	}
	return 0
}

// KeyPEM encodes key as PEM in format; "" means PKCS#8.
func KeyPEM(t testing.TB, key crypto.Signer, format KeyFormat) string {
	t.Helper()
	var typ string
	var der []byte
	var err error
	switch format {
	case PKCS1:
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			t.Fatalf("certstest: PKCS#1 needs an RSA key, not %T", key)
		}
		typ, der = "RSA PRIVATE KEY", smx509.MarshalPKCS1PrivateKey(k)
	case SEC1:
		typ = "EC PRIVATE KEY"
		switch k := key.(type) {
		case *sm2.PrivateKey:
			der, err = smx509.MarshalSM2PrivateKey(k)
		case *ecdsa.PrivateKey:
			der, err = smx509.MarshalECPrivateKey(k)
		default:
			t.Fatalf("certstest: SEC1 needs an EC key, not %T", key)
		}
	case PKCS8, "":
		typ = "PRIVATE KEY"
		der, err = smx509.MarshalPKCS8PrivateKey(key)
	default:
		t.Fatalf("certstest: unknown key format %q", format)
	}
	if err != nil {
		t.Fatalf("certstest: encode key: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// EncryptedKeyPEM encodes key as a PKCS#8 "ENCRYPTED PRIVATE KEY" under password.
func EncryptedKeyPEM(t testing.TB, key crypto.Signer, password string) string {
	t.Helper()
	der, err := pkcs8.MarshalPrivateKey(key, []byte(password), nil)
	if err != nil {
		t.Fatalf("certstest: encrypt key: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}))
}

// LegacyEncryptedKeyPEM encodes key as OpenSSL's legacy encrypted PEM (a
// "Proc-Type: 4,ENCRYPTED" header) in its traditional format under password.
func LegacyEncryptedKeyPEM(t testing.TB, key crypto.Signer, password string) string {
	t.Helper()
	format := SEC1
	if _, ok := key.(*rsa.PrivateKey); ok {
		format = PKCS1
	}
	b, _ := pem.Decode([]byte(KeyPEM(t, key, format)))
	//lint:ignore SA1019 the legacy encrypted format is exactly the fixture wanted
	eb, err := smx509.EncryptPEMBlock(rand.Reader, b.Type, b.Bytes, []byte(password), smx509.PEMCipherAES256)
	if err != nil {
		t.Fatalf("certstest: encrypt key: %v", err)
	}
	return string(pem.EncodeToMemory(eb))
}

// X25519KeyPEM returns a PKCS#8 X25519 private key, an algorithm the service refuses.
func X25519KeyPEM(t testing.TB) string {
	t.Helper()
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("certstest: generate X25519 key: %v", err)
	}
	der, err := smx509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatalf("certstest: encode X25519 key: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// PublicKeyPEM encodes the public half of key as a PKIX "PUBLIC KEY".
func PublicKeyPEM(t testing.TB, key crypto.Signer) string {
	t.Helper()
	der, err := smx509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatalf("certstest: encode public key: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
