package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

func TestGenerateKey(t *testing.T) {
	tests := []struct {
		name    string
		alg     string
		size    int
		wantErr bool
	}{
		{"ok/rsa 2048", "RSA", 2048, false},
		{"ok/rsa default", "rsa", 0, false},
		{"ok/ecc 256", "ECC", 256, false},
		{"ok/ecc 384", "ECC", 384, false},
		{"ok/sm2 256", "SM2", 256, false},
		{"err/rsa 1024", "RSA", 1024, true},
		{"err/ecc 521", "ECC", 521, true},
		{"err/sm2 384", "SM2", 384, true},
		{"err/dsa", "DSA", 2048, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, err := GenerateKey(tc.alg, tc.size)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidRequest) {
					t.Fatalf("GenerateKey error = %v, want ErrInvalidRequest", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch k := key.(type) {
			case *rsa.PrivateKey:
				want := tc.size
				if want == 0 {
					want = 2048
				}
				if k.N.BitLen() != want {
					t.Errorf("RSA bits = %d", k.N.BitLen())
				}
			case *ecdsa.PrivateKey:
				if k.Curve.Params().BitSize != tc.size || k.Curve == sm2.P256() {
					t.Errorf("curve = %s", k.Curve.Params().Name)
				}
			case *sm2.PrivateKey:
				if tc.alg != "SM2" {
					t.Errorf("got SM2 key for %s", tc.alg)
				}
			default:
				t.Fatalf("key type %T", key)
			}
		})
	}
}

func TestPrivateKeyPEM(t *testing.T) {
	keys := map[string]crypto.Signer{
		"rsa": testKey(t, AlgorithmRSA, 2048, "a"),
		"ecc": testKey(t, AlgorithmECC, 256, "a"),
		"sm2": testKey(t, AlgorithmSM2, 256, "a"),
	}
	for name, key := range keys {
		for _, password := range []string{"", "correct horse battery staple"} {
			label := "ok/" + name + " plain pkcs8 round trip"
			if password != "" {
				label = "ok/" + name + " encrypted pkcs8 round trip"
			}
			t.Run(label, func(t *testing.T) {
				t.Parallel() // PBKDF2 runs take a while
				text, err := MarshalPrivateKeyPEM(key, password)
				if err != nil {
					t.Fatal(err)
				}
				wantType := "PRIVATE KEY"
				if password != "" {
					wantType = "ENCRYPTED PRIVATE KEY"
				}
				if block, _ := pem.Decode([]byte(text)); block == nil || block.Type != wantType {
					t.Fatalf("PEM type = %v, want %s", block, wantType)
				}
				back, err := ParsePrivateKeyPEM(text, password)
				if err != nil {
					t.Fatalf("ParsePrivateKeyPEM: %v", err)
				}
				if !samePublicKey(back.Public(), key.Public()) {
					t.Fatal("round trip changed the key")
				}
				if name == "sm2" {
					if _, ok := back.(*sm2.PrivateKey); !ok {
						t.Fatalf("SM2 key came back as %T", back)
					}
				}
				if password != "" {
					if _, err := ParsePrivateKeyPEM(text, "wrong"); err == nil || !strings.Contains(err.Error(), "password is wrong") {
						t.Errorf("wrong password error = %v", err)
					}
					if _, err := ParsePrivateKeyPEM(text, ""); err == nil || !strings.Contains(err.Error(), "no password") {
						t.Errorf("no password error = %v", err)
					}
				}
			})
		}
	}
	t.Run("ok/legacy pkcs1 and sec1", func(t *testing.T) {
		rsaKey := keys["rsa"].(*rsa.PrivateKey)
		pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: smx509.MarshalPKCS1PrivateKey(rsaKey)})
		if k, err := ParsePrivateKeyPEM(string(pkcs1), ""); err != nil || !samePublicKey(k.Public(), rsaKey.Public()) {
			t.Errorf("PKCS#1: %v", err)
		}
		sm2Key := keys["sm2"].(*sm2.PrivateKey)
		der, err := smx509.MarshalSM2PrivateKey(sm2Key)
		if err != nil {
			t.Fatal(err)
		}
		sec1 := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
		k, err := ParsePrivateKeyPEM("junk before\n"+string(sec1), "")
		if err != nil {
			t.Fatalf("SEC1 SM2: %v", err)
		}
		if _, ok := k.(*sm2.PrivateKey); !ok {
			t.Errorf("SEC1 SM2 key came back as %T", k)
		}
	})
	t.Run("err/unsupported and missing keys", func(t *testing.T) {
		if _, err := ParsePrivateKeyPEM("nothing here", ""); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("no PEM: %v", err)
		}
		p224, _ := ecdsa.GenerateKey(elliptic.P224(), nil)
		if _, err := MarshalPrivateKeyPEM("not a key", ""); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("string key: %v", err)
		}
		if _, err := keyAlgorithm(&p224.PublicKey); err == nil {
			t.Error("P-224 accepted")
		}
	})
}
