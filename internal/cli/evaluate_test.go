package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/notify"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// evalMailServer is an SMTP server on loopback that records what it accepts.
type evalMailServer struct {
	addr string
	mu   sync.Mutex
	msgs []evalMail
}

type evalMail struct {
	to   []string
	data string
}

func startEvalMailServer(t *testing.T) *evalMailServer {
	t.Helper()
	m := &evalMailServer{}
	s := smtp.NewServer(evalMailBackend{m})
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = l.Addr().String()
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return m
}

func (m *evalMailServer) received() []evalMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]evalMail(nil), m.msgs...)
}

type evalMailBackend struct{ m *evalMailServer }

func (b evalMailBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &evalMailSession{m: b.m}, nil
}

type evalMailSession struct {
	m   *evalMailServer
	cur evalMail
}

func (s *evalMailSession) Mail(string, *smtp.MailOptions) error { s.cur = evalMail{}; return nil }
func (s *evalMailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *evalMailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, s.cur)
	s.m.mu.Unlock()
	return nil
}

func (s *evalMailSession) Reset()        {}
func (s *evalMailSession) Logout() error { return nil }

// alarmDataDir makes a data dir holding an uploaded certificate that expires in 10
// days (wall clock) and an alarm that emails ops@example.com about it — and, with a
// hookURL, posts a webhook signed with hookSecret; the backend is closed again, as
// after a terraform run. It returns the dir and the certificate id.
func alarmDataDir(t *testing.T, hookURL ...string) (dir, certID string) {
	t.Helper()
	dir = t.TempDir()
	ctx := context.Background()
	b, err := backend.Open(ctx, backend.Settings{DataDir: dir})
	if err != nil {
		t.Fatalf("opening the backend: %v", err)
	}
	defer b.Close()
	now := time.Now()
	leaf := certstest.SelfSigned(t, certstest.LeafOptions{Alg: certstest.ECC, CommonName: "expiring.example.com",
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 24 * time.Hour)})
	c, _, err := b.Service.Upload(ctx, "", service.UploadInput{Name: "expiring", Project: "web",
		Material: certs.UploadInput{CertificatePEM: leaf.CertPEM, PrivateKeyPEM: leaf.KeyPEM(t, certstest.PKCS8)}})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	in := service.AlarmInput{Name: "expiring", Project: "web",
		Recipients: []store.Recipient{{Name: "Ops", Email: "ops@example.com"}},
		Channels:   []string{service.ChannelEmail}, Enabled: true}
	if len(hookURL) > 0 {
		in.Channels = append(in.Channels, service.ChannelWebhook)
		in.WebhookURL, in.WebhookSecret = hookURL[0], hookSecret
	}
	if _, err := b.Service.CreateAlarm(ctx, "", in); err != nil {
		t.Fatalf("create alarm: %v", err)
	}
	return dir, c.ID
}

const hookSecret = "whsec-cli-test"

// outboxIn lists the notifications in the backend in dir.
func outboxIn(t *testing.T, dir string) []*store.Notification {
	t.Helper()
	b, err := backend.Open(context.Background(), backend.Settings{DataDir: dir})
	if err != nil {
		t.Fatalf("opening the backend: %v", err)
	}
	defer b.Close()
	ns, err := b.Service.Notifications(context.Background(), store.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// evalEnv sets every variable evaluate reads: the given ones, the others empty.
func evalEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, k := range []string{EnvDataDir, EnvDatabaseURL, EnvMasterKey, "SSL_SMTP_ADDR", "SSL_SMTP_FROM",
		"SSL_SMTP_USERNAME", "SSL_SMTP_PASSWORD", "SSL_SMTP_TLS", "SSL_SMS_GATEWAY_URL"} {
		t.Setenv(k, vars[k])
	}
}

// smtpEnv is the delivery configuration of a loopback SMTP server at addr.
func smtpEnv(addr string, more map[string]string) map[string]string {
	vars := map[string]string{"SSL_SMTP_ADDR": addr, "SSL_SMTP_FROM": "SSL Alarms <alarms@example.com>", "SSL_SMTP_TLS": "none"}
	for k, v := range more {
		vars[k] = v
	}
	return vars
}

// evalResult is what one run of the command gave.
type evalResult struct {
	code           int
	stdout, stderr string
}

func runEvaluate(t *testing.T, args ...string) evalResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := Evaluate(args, &out, &errb)
	return evalResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// expect checks the exit code and that stdout and stderr contain the given texts.
func (r evalResult) expect(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d (stdout %q, stderr %q)", r.code, code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, stdout) {
		t.Errorf("stdout %q does not contain %q", r.stdout, stdout)
	}
	if !strings.Contains(r.stderr, stderr) {
		t.Errorf("stderr %q does not contain %q", r.stderr, stderr)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestEvaluate runs the command in this process; t.Setenv keeps it sequential.
func TestEvaluate(t *testing.T) {
	t.Run("A3/ok/evaluates once and emails the certificate in the window", func(t *testing.T) {
		dir, certID := alarmDataDir(t)
		mails := startEvalMailServer(t)
		evalEnv(t, smtpEnv(mails.addr, map[string]string{EnvDataDir: dir}))
		r := runEvaluate(t)
		r.expect(t, ExitOK, "written 1, sent 1, failed 0\n", "")
		if r.stderr != "" {
			t.Errorf("stderr: %q", r.stderr)
		}
		got := mails.received()
		if len(got) != 1 || len(got[0].to) != 1 || got[0].to[0] != "ops@example.com" || !strings.Contains(got[0].data, certID) {
			t.Fatalf("the SMTP server received %+v", got)
		}
		// A second run (the next minute's cron) has nothing new to write or send.
		runEvaluate(t).expect(t, ExitOK, "written 0, sent 0, failed 0\n", "")
		if len(mails.received()) != 1 {
			t.Fatal("the second run sent again")
		}
		if ns := outboxIn(t, dir); len(ns) != 1 || ns[0].Status != service.NotificationSent {
			t.Fatalf("outbox: %+v", ns)
		}
	})
	t.Run("ok/--data-dir beats SSL_DATA_DIR and SSL_DATABASE_URL", func(t *testing.T) {
		dir, _ := alarmDataDir(t)
		other := t.TempDir()
		mails := startEvalMailServer(t)
		evalEnv(t, smtpEnv(mails.addr, map[string]string{EnvDataDir: other, EnvDatabaseURL: "postgres://nobody:pw@127.0.0.1:1/none"}))
		runEvaluate(t, "--data-dir", dir).expect(t, ExitOK, "written 1, sent 1, failed 0\n", "")
		if _, err := os.Stat(filepath.Join(other, backend.DatabaseFile)); !os.IsNotExist(err) {
			t.Fatalf("SSL_DATA_DIR was used despite --data-dir: %v", err)
		}
	})
	t.Run("A5/ok/a signed webhook reaches its receiver", func(t *testing.T) {
		var mu sync.Mutex
		var hits []string
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if !notify.Verify(body, r.Header.Get(notify.SignatureHeader), hookSecret) {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			var p notify.WebhookPayload
			_ = json.Unmarshal(body, &p)
			mu.Lock()
			hits = append(hits, p.CertificateID+" "+r.Header.Get(notify.IdempotencyHeader))
			mu.Unlock()
		}))
		defer hook.Close()
		dir, certID := alarmDataDir(t, hook.URL+"/hook")
		mails := startEvalMailServer(t)
		evalEnv(t, smtpEnv(mails.addr, map[string]string{EnvDataDir: dir}))
		runEvaluate(t).expect(t, ExitOK, "written 2, sent 2, failed 0\n", "")
		mu.Lock()
		defer mu.Unlock()
		if len(hits) != 1 || !strings.HasPrefix(hits[0], certID+" ntf-") || len(mails.received()) != 1 {
			t.Fatalf("webhooks %v, %d emails", hits, len(mails.received()))
		}
	})
	t.Run("ok/the --data-dir=DIR form", func(t *testing.T) {
		dir, _ := alarmDataDir(t)
		mails := startEvalMailServer(t)
		evalEnv(t, smtpEnv(mails.addr, nil))
		runEvaluate(t, "--data-dir="+dir).expect(t, ExitOK, "written 1, sent 1, failed 0\n", "")
	})
	t.Run("error/SSL_DATABASE_URL beats SSL_DATA_DIR and is never repeated", func(t *testing.T) {
		dir, _ := alarmDataDir(t)
		evalEnv(t, map[string]string{EnvDataDir: dir, EnvDatabaseURL: "mysql://admin:hunter2@db.internal/ssl"})
		r := runEvaluate(t)
		r.expect(t, ExitError, "", "must be a PostgreSQL URL")
		if strings.Contains(r.stderr, "hunter2") || strings.Contains(r.stdout, "hunter2") {
			t.Fatalf("the database URL's password was printed: %q", r.stderr)
		}
		if len(outboxIn(t, dir)) != 0 {
			t.Fatal("the data dir was evaluated")
		}
	})
	t.Run("error/invalid delivery settings are reported before anything is written", func(t *testing.T) {
		dir, _ := alarmDataDir(t)
		evalEnv(t, smtpEnv("127.0.0.1:25", map[string]string{EnvDataDir: dir, "SSL_SMTP_TLS": "ssl3"}))
		runEvaluate(t).expect(t, ExitError, "", "SSL_SMTP_TLS")
		if len(outboxIn(t, dir)) != 0 {
			t.Fatal("notifications were written despite the bad settings")
		}
	})
	t.Run("A4/error/an unreachable SMTP server fails the run, the notification waits for a retry", func(t *testing.T) {
		dir, _ := alarmDataDir(t)
		evalEnv(t, smtpEnv(closedAddr(t), map[string]string{EnvDataDir: dir}))
		r := runEvaluate(t)
		r.expect(t, ExitError, "written 1, sent 0, failed 1\n", "1 notification(s) failed to deliver")
		if !strings.Contains(r.stderr, "(EMAIL)") || !strings.Contains(r.stderr, "smtp") {
			t.Errorf("stderr does not say which notification failed and why: %q", r.stderr)
		}
		ns := outboxIn(t, dir)
		if len(ns) != 1 || ns[0].Status != service.NotificationPending || ns[0].Attempts != 1 || ns[0].LastError == "" {
			t.Fatalf("outbox: %+v", ns[0])
		}
	})
	t.Run("A4/error/without SMTP settings the run says what to set", func(t *testing.T) {
		dir, _ := alarmDataDir(t)
		evalEnv(t, map[string]string{EnvDataDir: dir})
		runEvaluate(t).expect(t, ExitError, "written 1, sent 0, failed 1\n", "set SSL_SMTP_ADDR and SSL_SMTP_FROM")
	})
	t.Run("error/a data dir that cannot be created", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		evalEnv(t, nil)
		runEvaluate(t, "--data-dir", filepath.Join(file, "sub")).expect(t, ExitError, "", "opening the certificate backend in the data dir")
	})
}

func TestEvaluate_usage(t *testing.T) {
	evalEnv(t, nil)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "help", args: []string{"-h"}, code: ExitOK, stdout: "Usage: terraform-provider-ssl evaluate"},
		{name: "both backends", args: []string{"--data-dir", "/tmp/x", "--database-url", "postgres://h/db"}, code: ExitUsage,
			stderr: "give only one"},
		{name: "extra argument", args: []string{"now"}, code: ExitUsage, stderr: "unexpected arguments: now"},
		{name: "empty data dir", args: []string{"--data-dir="}, code: ExitUsage, stderr: "--data-dir is empty"},
		{name: "unknown flag", args: []string{"--endpoint", "https://x"}, code: ExitUsage, stderr: "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runEvaluate(t, tc.args...)
			r.expect(t, tc.code, tc.stdout, tc.stderr)
			if tc.code == ExitUsage && !strings.Contains(r.stderr, "Usage:") {
				t.Errorf("a usage error without the usage: %q", r.stderr)
			}
		})
	}
}
