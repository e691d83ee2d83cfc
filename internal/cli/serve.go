package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/notify"
	"github.com/sslkit/terraform-provider-ssl/internal/server"
)

const serveUsage = `Usage: terraform-provider-ssl serve --tokens-file FILE [--listen ADDR]
           [--data-dir DIR | --database-url URL] [--tls-cert FILE --tls-key FILE]
           [--public-url URL] [--review-policy auto|manual] [--validation auto|dns|http]

Runs the certificate backend as a shared HTTPS server. Every flag has an environment
twin (SSL_TOKENS_FILE, SSL_LISTEN, SSL_DATA_DIR, SSL_DATABASE_URL, SSL_TLS_CERT,
SSL_TLS_KEY, SSL_PUBLIC_URL, SSL_REVIEW_POLICY, SSL_VALIDATION); a flag beats its twin.
Without --tls-cert the server issues itself a certificate from a CA of its own, kept
in DATA_DIR/server/ (give ca.pem to the provider's ca_certificate_pem). Alarm delivery
uses SSL_SMTP_* and SSL_SMS_GATEWAY_URL. SIGINT/SIGTERM finish in-flight requests.
`

// Serve runs the serve command until ctx ends or a signal arrives.
func Serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	// Catch SIGINT/SIGTERM from the start: a signal that arrives while the server starts
	// (or right after it says it is serving) must lead to a graceful shutdown and exit 0,
	// not to the signal's default action.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	listen := fs.String("listen", env("SSL_LISTEN", "127.0.0.1:8443"), "")
	tokensFile := fs.String("tokens-file", env("SSL_TOKENS_FILE", ""), "")
	dataDir := fs.String("data-dir", env(EnvDataDir, backend.DefaultDataDir()), "")
	dbURL := fs.String("database-url", env(EnvDatabaseURL, ""), "")
	tlsCert := fs.String("tls-cert", env("SSL_TLS_CERT", ""), "")
	tlsKey := fs.String("tls-key", env("SSL_TLS_KEY", ""), "")
	publicURL := fs.String("public-url", env(EnvPublicURL, ""), "")
	review := fs.String("review-policy", env("SSL_REVIEW_POLICY", "auto"), "")
	validation := fs.String("validation", env("SSL_VALIDATION", "auto"), "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprint(stderr, serveUsage)
		return ExitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "terraform-provider-ssl serve: "+format+"\n", a...)
		return ExitError
	}
	if *tokensFile == "" {
		fmt.Fprint(stderr, "terraform-provider-ssl serve: --tokens-file (SSL_TOKENS_FILE) is required: no token, no access.\n\n"+serveUsage)
		return ExitUsage
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return fail("--tls-cert and --tls-key go together")
	}
	tokens, err := server.LoadTokens(*tokensFile)
	if err != nil {
		return fail("%v", err)
	}
	var cert tls.Certificate
	if *tlsCert != "" {
		cert, err = tls.LoadX509KeyPair(*tlsCert, *tlsKey)
	} else {
		cert, err = ownCertificate(filepath.Join(*dataDir, "server"), *listen)
	}
	if err != nil {
		return fail("TLS: %v", err)
	}
	if *publicURL == "" {
		*publicURL = "https://" + *listen
	}
	b, err := backend.Open(ctx, backend.Settings{DataDir: *dataDir, DatabaseURL: *dbURL, MasterKey: getenv(EnvMasterKey),
		Service: backend.ServiceSettings{PublicURL: *publicURL, ReviewPolicy: *review, Validation: *validation}})
	if err != nil {
		return fail("%v", err)
	}
	defer b.Close()
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	var sender notify.Sender
	if ncfg, err := notify.ConfigFromEnv(getenv); err != nil {
		return fail("%v", err)
	} else if d, err := notify.NewDispatcher(ncfg); err != nil {
		return fail("%v", err)
	} else {
		sender = d
	}
	srv := server.New(b, server.Config{Listen: *listen, Tokens: tokens, Sender: sender, Logger: logger,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	if err := srv.Start(ctx); err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(stdout, "serving on https://%s\n", srv.Addr())
	select {
	case <-ctx.Done():
	case <-sig:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fail("shutdown: %v", err)
	}
	return ExitOK
}

// ownCertificate returns the server's certificate issued by a CA of its own, made once
// and kept in dir (ca.pem, cert.pem, key.pem with mode 0600).
func ownCertificate(dir, listen string) (tls.Certificate, error) {
	certFile, keyFile, caFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
	if c, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		return c, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, err
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--listen %q: %w", listen, err)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "terraform-provider-ssl server CA", Organization: []string{"terraform-provider-ssl private CA"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: host},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else if host != "" {
		tmpl.DNSNames = []string{host}
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caTmpl, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	pemOf := func(t string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: t, Bytes: b}) }
	certPEM := append(pemOf("CERTIFICATE", der), pemOf("CERTIFICATE", caDER)...)
	for _, f := range []struct {
		path string
		data []byte
	}{{caFile, pemOf("CERTIFICATE", caDER)}, {certFile, certPEM}, {keyFile, pemOf("PRIVATE KEY", keyDER)}} {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return tls.Certificate{}, err
		}
	}
	return tls.X509KeyPair(certPEM, pemOf("PRIVATE KEY", keyDER))
}
