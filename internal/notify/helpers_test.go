package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	netsmtp "net/smtp"
	"testing"
	"time"
)

// testMessage is a complete notification for every channel.
func testMessage(ch Channel) Message {
	return Message{
		IdempotencyKey:          "ntf-42",
		Channel:                 ch,
		PolicyID:                "pol-7",
		PolicyName:              "Production certificates",
		CertificateID:           "cert-123",
		CertificateName:         "web frontend",
		Domain:                  "example.com",
		SubjectAlternativeNames: []string{"example.com", "www.example.com", "api.example.com"},
		NotAfter:                time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC),
		DaysLeft:                12,
		RecipientName:           "Alice Ops",
		RecipientEmail:          "alice@example.org",
		RecipientPhone:          "+4915112345678",
		WebhookURL:              "http://127.0.0.1:1/hook",
		WebhookSecret:           "whsec-test-3f9a",
		CreatedAt:               time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
	}
}

// selfSignedTLS makes a throw-away certificate for localhost and 127.0.0.1: the
// server's configuration and a pool that trusts it.
func selfSignedTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "notify test server"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}, pool
}

// smtpServerInfo is net/smtp's ServerInfo, named here for table tests.
type smtpServerInfo = netsmtp.ServerInfo

// fmtAll formats v with every verb a log line might use.
func fmtAll(v any) string { return fmt.Sprintf("%v %+v %#v %s", v, v, v, v) }
