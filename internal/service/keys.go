package service

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/emmansun/gmsm/sm2"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
)

// csrKey names a CSR key's algorithm and size as the service does.
func csrKey(pub crypto.PublicKey) (string, int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return ca.AlgorithmRSA, k.N.BitLen()
	case *ecdsa.PublicKey:
		if k.Curve == sm2.P256() {
			return ca.AlgorithmSM2, 256
		}
		return ca.AlgorithmECC, k.Curve.Params().BitSize
	}
	return "unknown", 0
}

const verifierIterations = 100_000

// newVerifier makes a salted PBKDF2-SHA256 verifier of a private key password: the
// password itself is never kept (I6: never recoverable).
func newVerifier(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	dk, _ := pbkdf2.Key(sha256.New, password, salt, verifierIterations, 32)
	return "pbkdf2-sha256$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(dk)
}

// verifierMatches checks a password against a verifier in constant time.
func verifierMatches(verifier, password string) bool {
	parts := strings.Split(verifier, "$")
	if len(parts) != 3 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[1])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return false
	}
	dk, err := pbkdf2.Key(sha256.New, password, salt, verifierIterations, len(want))
	return err == nil && subtle.ConstantTimeCompare(dk, want) == 1
}
