package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emmansun/gmsm/pkcs"
	"github.com/emmansun/gmsm/pkcs8"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// PBKDF2Iterations is the PBKDF2-HMAC-SHA256 iteration count of password-encrypted
// PKCS#8 keys written by MarshalPrivateKeyPEM (OWASP 2023 guidance).
const PBKDF2Iterations = 600_000

// GenerateKey makes a private key: RSA 2048/3072/4096, ECC 256 (P-256) / 384 (P-384)
// or SM2 256 (the SM2 curve; the key is an *sm2.PrivateKey). size 0 picks the
// smallest size of the algorithm. It reads crypto/rand.
func GenerateKey(alg string, size int) (crypto.Signer, error) {
	return generateKey(rand.Reader, alg, size)
}

// generateKey is GenerateKey with an explicit source of randomness. (Since Go 1.24 the
// standard library ignores it for RSA and ECDSA and uses its own secure source.)
func generateKey(r io.Reader, alg string, size int) (crypto.Signer, error) {
	switch strings.ToUpper(strings.TrimSpace(alg)) {
	case AlgorithmRSA:
		switch size {
		case 0:
			size = 2048
		case 2048, 3072, 4096:
		default:
			return nil, invalidf("RSA key size %d is not supported (want 2048, 3072 or 4096)", size)
		}
		return rsa.GenerateKey(r, size)
	case AlgorithmECC:
		var c elliptic.Curve
		switch size {
		case 0, 256:
			c = elliptic.P256()
		case 384:
			c = elliptic.P384()
		default:
			return nil, invalidf("ECC key size %d is not supported (want 256 or 384)", size)
		}
		return ecdsa.GenerateKey(c, r)
	case AlgorithmSM2:
		if size != 0 && size != 256 {
			return nil, invalidf("SM2 key size %d is not supported (want 256)", size)
		}
		return sm2.GenerateKey(r)
	default:
		return nil, invalidf("unknown key algorithm %q (want RSA, ECC or SM2)", alg)
	}
}

// MarshalPrivateKeyPEM encodes a private key (*rsa.PrivateKey, *ecdsa.PrivateKey or
// *sm2.PrivateKey) as PKCS#8 PEM. With an empty password the block is "PRIVATE KEY";
// otherwise it is an "ENCRYPTED PRIVATE KEY" under PBES2 with AES-256-CBC and
// PBKDF2-HMAC-SHA256 (PBKDF2Iterations), which OpenSSL reads with -passin.
func MarshalPrivateKeyPEM(key crypto.PrivateKey, password string) (string, error) {
	key = normalizePrivateKey(key)
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, *sm2.PrivateKey:
	default:
		return "", invalidf("unsupported private key type %T", key)
	}
	if password == "" {
		der, err := smx509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return "", fmt.Errorf("ca: marshal private key: %w", err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
	}
	enc := pkcs.NewPBESEncrypter(pkcs.AES256CBC, pkcs.NewPBKDF2Opts(pkcs.SHA256, 16, PBKDF2Iterations))
	der, err := pkcs8.MarshalPrivateKey(key, []byte(password), enc)
	if err != nil {
		return "", fmt.Errorf("ca: encrypt private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der})), nil
}

// ParsePrivateKeyPEM reads the first private key of a PEM text: PKCS#8 "PRIVATE KEY",
// "ENCRYPTED PRIVATE KEY" (PBES2; password required), PKCS#1 "RSA PRIVATE KEY" or SEC1
// "EC PRIVATE KEY" (NIST curves and SM2). SM2 keys come back as *sm2.PrivateKey.
func ParsePrivateKeyPEM(pemText, password string) (crypto.Signer, error) {
	rest := []byte(pemText)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, invalidf("no private key PEM block found")
		}
		var (
			key any
			err error
		)
		switch block.Type {
		case "PRIVATE KEY":
			key, err = smx509.ParsePKCS8PrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			if password == "" {
				return nil, invalidf("the private key is encrypted and no password was given")
			}
			key, err = pkcs8.ParsePKCS8PrivateKey(block.Bytes, []byte(password))
			if errors.Is(err, pkcs.ErrPBEDecryption) {
				return nil, invalidf("the private key password is wrong")
			}
		case "RSA PRIVATE KEY":
			if block.Headers["Proc-Type"] != "" {
				return nil, invalidf("legacy PEM encryption (Proc-Type) is not supported; use encrypted PKCS#8")
			}
			key, err = smx509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			if block.Headers["Proc-Type"] != "" {
				return nil, invalidf("legacy PEM encryption (Proc-Type) is not supported; use encrypted PKCS#8")
			}
			key, err = smx509.ParseTypedECPrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, invalidf("cannot parse %s: %v", block.Type, err)
		}
		s, ok := normalizePrivateKey(key).(crypto.Signer)
		if !ok {
			return nil, invalidf("unsupported private key type %T", key)
		}
		switch s.(type) {
		case *rsa.PrivateKey, *ecdsa.PrivateKey, *sm2.PrivateKey:
			return s, nil
		}
		return nil, invalidf("unsupported private key type %T (want RSA, ECDSA or SM2)", s)
	}
}

// normalizePrivateKey turns an ECDSA key on the SM2 curve into an *sm2.PrivateKey.
func normalizePrivateKey(key crypto.PrivateKey) crypto.PrivateKey {
	if k, ok := key.(*ecdsa.PrivateKey); ok && k.Curve == sm2.P256() {
		if s, err := new(sm2.PrivateKey).FromECPrivateKey(k); err == nil {
			return s
		}
	}
	return key
}

// keyAlgorithm names the algorithm of a public key (RSA, ECC, SM2) and checks that this
// package can certify it: RSA ≥ 2048 bits, ECDSA on P-256/P-384/P-521, SM2.
func keyAlgorithm(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return "", invalidf("RSA key of %d bits is too small (at least 2048)", k.N.BitLen())
		}
		return AlgorithmRSA, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case sm2.P256():
			return AlgorithmSM2, nil
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return AlgorithmECC, nil
		}
		return "", invalidf("unsupported elliptic curve %s", k.Curve.Params().Name)
	}
	return "", invalidf("unsupported public key type %T (want RSA, ECDSA or SM2)", pub)
}

// normalizePublicKey accepts the public key forms a caller may hold and returns the
// pointer form smx509 certifies (*rsa.PublicKey or *ecdsa.PublicKey).
func normalizePublicKey(pub crypto.PublicKey) crypto.PublicKey {
	switch k := pub.(type) {
	case rsa.PublicKey:
		return &k
	case ecdsa.PublicKey:
		return &k
	case *sm2.PrivateKey:
		return &k.PublicKey
	case crypto.Signer:
		return k.Public()
	}
	return pub
}

// samePublicKey reports whether a and b are the same public key.
func samePublicKey(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}
