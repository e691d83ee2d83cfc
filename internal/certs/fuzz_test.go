package certs_test

import (
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

// FuzzCheckUpload checks that no input makes CheckUpload panic or return a Bundle
// together with an error.
func FuzzCheckUpload(f *testing.F) {
	leaf := certstest.NewCA(f, certstest.ECC).Leaf(f, certstest.LeafOptions{})
	key := leaf.KeyPEM(f, certstest.SEC1)
	f.Add(leaf.FullChainPEM(), key, "")
	f.Add(leaf.CertPEM, "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n", "sm2")
	f.Add("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", "-----BEGIN PRIVATE KEY-----\n", "international")
	f.Add("\x30\x82\x01\x00", "\x00\x01", "x")
	f.Fuzz(func(t *testing.T, cert, key, standard string) {
		b, ps := certs.CheckUpload(certs.UploadInput{Standard: standard, CertificatePEM: cert, PrivateKeyPEM: key, EncryptionCertificatePEM: cert}, time.Now())
		if certs.HasErrors(ps) && b != nil {
			t.Fatal("Bundle together with an error")
		}
		if !certs.HasErrors(ps) && b == nil {
			t.Fatal("no Bundle and no error")
		}
	})
}
