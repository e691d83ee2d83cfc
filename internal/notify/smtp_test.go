package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the test SMTP server saw it.
type received struct {
	from     string
	to       []string
	data     []byte
	authUser string
	tls      bool
}

// mailBackend is a go-smtp backend that records messages; with user set it demands AUTH PLAIN.
type mailBackend struct {
	user, pass string

	mu    sync.Mutex
	mails []received
	auths int
}

func (b *mailBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &mailSession{b: b, c: c}, nil
}

func (b *mailBackend) received() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.mails...)
}

type mailSession struct {
	b        *mailBackend
	c        *smtp.Conn
	authUser string
	cur      received
}

func (s *mailSession) AuthMechanisms() []string {
	if s.b.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.b.mu.Lock()
		s.b.auths++
		s.b.mu.Unlock()
		if username != s.b.user || password != s.b.pass {
			return smtp.ErrAuthFailed
		}
		s.authUser = username
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.cur = received{from: from}
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.cur.authUser = s.authUser
	_, s.cur.tls = s.c.TLSConnectionState()
	s.b.mu.Lock()
	s.b.mails = append(s.b.mails, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        { s.cur = received{} }
func (s *mailSession) Logout() error { return nil }

// startSMTP serves be on loopback; tlsMode "starttls" offers STARTTLS, "tls" is
// implicit TLS, "none" is plain (and then allows AUTH without TLS).
func startSMTP(t *testing.T, be *mailBackend, tlsMode string, serverTLS *tls.Config) string {
	t.Helper()
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch tlsMode {
	case TLSModeStartTLS:
		s.TLSConfig = serverTLS
	case TLSModeTLS:
		l = tls.NewListener(l, serverTLS)
	default:
		s.AllowInsecureAuth = true
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return l.Addr().String()
}

// parseMail parses a received message and decodes its subject and body.
func parseMail(t *testing.T, data []byte) (mail.Header, string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	if got := msg.Header.Get("Content-Transfer-Encoding"); got != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q", got)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return msg.Header, subject, strings.ReplaceAll(string(body), "\r\n", "\n")
}

func TestSMTPSenderDelivers(t *testing.T) {
	t.Parallel()
	serverTLS, pool := selfSignedTLS(t)
	cases := []struct {
		name    string
		mode    string
		user    string
		pass    string
		wantTLS bool
	}{
		{name: "plain on loopback", mode: TLSModeNone},
		{name: "plain on loopback with auth", mode: TLSModeNone, user: "alice", pass: "loop-pass-1"},
		{name: "starttls with auth plain", mode: TLSModeStartTLS, user: "alice", pass: "s3cret-Pa55", wantTLS: true},
		{name: "implicit tls with auth plain", mode: TLSModeTLS, user: "bob", pass: "other-Pa55", wantTLS: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			be := &mailBackend{user: tc.user, pass: tc.pass}
			addr := startSMTP(t, be, tc.mode, serverTLS)
			s, err := NewSMTPSender(SMTPConfig{
				Addr: addr, From: "SSL Alarms <alarms@example.com>", TLS: tc.mode,
				Username: tc.user, Password: tc.pass,
				TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			m := testMessage(ChannelEmail)
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := be.received()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			r := got[0]
			if r.from != "alarms@example.com" || len(r.to) != 1 || r.to[0] != "alice@example.org" {
				t.Errorf("envelope from=%q to=%q", r.from, r.to)
			}
			if r.tls != tc.wantTLS {
				t.Errorf("TLS = %v, want %v", r.tls, tc.wantTLS)
			}
			if tc.user != "" && r.authUser != tc.user {
				t.Errorf("authenticated as %q, want %q", r.authUser, tc.user)
			}
			checkEmail(t, r.data, m)
		})
	}
}

func checkEmail(t *testing.T, data []byte, m Message) {
	t.Helper()
	h, subject, body := parseMail(t, data)
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "alarms@example.com" || from[0].Name != "SSL Alarms" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != m.RecipientEmail || to[0].Name != m.RecipientName {
		t.Errorf("To = %v (%v)", to, err)
	}
	if want := `[SSL alarm] Certificate "web frontend" (example.com) expires in 12 days`; subject != want {
		t.Errorf("Subject = %q, want %q", subject, want)
	}
	if got, want := h.Get("Message-ID"), MessageID(m.IdempotencyKey, "alarms@example.com"); got != want || got != "<ssl-alarm.ntf-42@example.com>" {
		t.Errorf("Message-ID = %q, want %q", got, want)
	}
	if d, err := h.Date(); err != nil || !d.Equal(m.CreatedAt) {
		t.Errorf("Date = %v (%v), want %v", d, err, m.CreatedAt)
	}
	for _, want := range []string{
		"Hello Alice Ops,",
		`The SSL certificate "web frontend" expires in 12 days, on 2026-03-14 12:00 UTC.`,
		"Certificate id: cert-123",
		"Domains:        example.com\n                www.example.com\n                api.example.com\n",
		"Expires:        2026-03-14T12:00:00Z",
		"Days left:      12",
		"Alarm policy:   Production certificates (pol-7)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestSMTPSenderFailures(t *testing.T) {
	t.Parallel()
	serverTLS, pool := selfSignedTLS(t)
	const password = "correct-horse-battery"
	cases := []struct {
		name          string
		serverMode    string
		serverUser    string
		cfg           SMTPConfig
		msg           func(*Message)
		dialAs        string // Addr's host pretends to be this name
		wantErr       string
		wantPermanent bool
	}{
		{
			name: "error/starttls not offered", serverMode: TLSModeNone,
			cfg:     SMTPConfig{TLS: TLSModeStartTLS},
			wantErr: "does not offer STARTTLS", wantPermanent: true,
		},
		{
			name: "error/wrong password", serverMode: TLSModeStartTLS, serverUser: "alice",
			cfg:     SMTPConfig{TLS: TLSModeStartTLS, Username: "alice", Password: password},
			wantErr: "535", wantPermanent: true,
		},
		{
			name: "error/auth required but no username", serverMode: TLSModeStartTLS, serverUser: "alice",
			cfg:     SMTPConfig{TLS: TLSModeStartTLS},
			wantErr: "MAIL FROM", wantPermanent: true,
		},
		{
			name: "error/server does not offer auth", serverMode: TLSModeStartTLS,
			cfg:     SMTPConfig{TLS: TLSModeStartTLS, Username: "alice", Password: password},
			wantErr: "does not offer AUTH PLAIN", wantPermanent: true,
		},
		{
			name: "error/certificate not for the host", serverMode: TLSModeStartTLS, dialAs: "mail.example.net",
			cfg:     SMTPConfig{TLS: TLSModeStartTLS},
			wantErr: "certificate",
		},
		{
			name: "error/implicit tls to a plain server", serverMode: TLSModeNone,
			cfg:     SMTPConfig{TLS: TLSModeTLS, Timeout: 2 * time.Second},
			wantErr: "TLS handshake",
		},
		{
			name: "error/invalid recipient", serverMode: TLSModeNone,
			cfg:     SMTPConfig{TLS: TLSModeNone},
			msg:     func(m *Message) { m.RecipientEmail = "alice@example.org\r\nRCPT TO:<x@y>" },
			wantErr: "not a valid address", wantPermanent: true,
		},
		{
			name: "error/no idempotency key", serverMode: TLSModeNone,
			cfg:     SMTPConfig{TLS: TLSModeNone},
			msg:     func(m *Message) { m.IdempotencyKey = "" },
			wantErr: "idempotency key", wantPermanent: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pass := "wrong-" + password
			be := &mailBackend{user: tc.serverUser, pass: pass}
			addr := startSMTP(t, be, tc.serverMode, serverTLS)
			cfg := tc.cfg
			cfg.Addr, cfg.From, cfg.TLSConfig = addr, "alarms@example.com", &tls.Config{RootCAs: pool}
			if tc.dialAs != "" {
				_, port, _ := net.SplitHostPort(addr)
				cfg.Addr = net.JoinHostPort(tc.dialAs, port)
			}
			s, err := NewSMTPSender(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tc.dialAs != "" {
				s.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, network, addr)
				}
			}
			m := testMessage(ChannelEmail)
			if tc.msg != nil {
				tc.msg(&m)
			}
			err = s.Send(context.Background(), m)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Send error = %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error shows the password: %v", err)
			}
			if Permanent(err) != tc.wantPermanent {
				t.Errorf("Permanent(%v) = %v, want %v", err, Permanent(err), tc.wantPermanent)
			}
			if n := len(be.received()); n != 0 {
				t.Errorf("server received %d messages, want 0", n)
			}
		})
	}
}

func TestSMTPSenderTimeout(t *testing.T) {
	t.Parallel()
	// A server that accepts and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	t.Cleanup(func() {
		l.Close()
		for c := range accepted {
			c.Close()
		}
	})
	go func() {
		defer close(accepted)
		if c, err := l.Accept(); err == nil {
			accepted <- c
		}
	}()
	s, err := NewSMTPSender(SMTPConfig{Addr: l.Addr().String(), From: "alarms@example.com", TLS: TLSModeNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, testMessage(ChannelEmail))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send error = %v, want a deadline error", err)
	}
	if Permanent(err) {
		t.Errorf("a timeout must not be permanent")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send took %v after its context expired", d)
	}
}

func TestPlainAuthRefusesCleartextToRemoteHost(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		tls      bool
		loopback bool
		wantErr  bool
	}{
		{name: "tls remote", tls: true},
		{name: "plain loopback", loopback: true},
		{name: "error/plain remote", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &plainAuth{username: "u", password: "p", loopback: tc.loopback}
			mech, resp, err := a.Start(&smtpServerInfo{Name: "smtp.example.com", TLS: tc.tls})
			if tc.wantErr {
				if !errors.Is(err, errInsecureAuth) || resp != nil {
					t.Fatalf("Start = %q, %q, %v; want errInsecureAuth and no credentials", mech, resp, err)
				}
				return
			}
			if err != nil || mech != "PLAIN" || string(resp) != "\x00u\x00p" {
				t.Fatalf("Start = %q, %q, %v", mech, resp, err)
			}
		})
	}
}

func TestComposeEmailHeaders(t *testing.T) {
	t.Parallel()
	from := &mail.Address{Name: "SSL Alarms", Address: "alarms@example.com"}
	cases := []struct {
		name        string
		edit        func(*Message)
		wantSubject string
	}{
		{
			name:        "header injection in the name",
			edit:        func(m *Message) { m.CertificateName = "evil\r\nBcc: victim@example.net" },
			wantSubject: `[SSL alarm] Certificate "evil Bcc: victim@example.net" (example.com) expires in 12 days`,
		},
		{
			name:        "non-ascii name",
			edit:        func(m *Message) { m.CertificateName = "证书 für Ärzte"; m.DaysLeft = 1 },
			wantSubject: `[SSL alarm] Certificate "证书 für Ärzte" (example.com) expires in 1 day`,
		},
		{
			name:        "no name, expires today",
			edit:        func(m *Message) { m.CertificateName = ""; m.DaysLeft = 0 },
			wantSubject: `[SSL alarm] Certificate example.com expires today`,
		},
		{
			name:        "expired",
			edit:        func(m *Message) { m.DaysLeft = -3 },
			wantSubject: `[SSL alarm] Certificate "web frontend" (example.com) expired 3 days ago`,
		},
		{
			name: "long non-ascii name stays within line limits",
			edit: func(m *Message) {
				m.CertificateName = strings.Repeat("证", 500)
				m.RecipientName = strings.Repeat("Ä", 300)
			},
			wantSubject: `[SSL alarm] Certificate "` + strings.Repeat("证", 79) + `…" (example.com) expires in 12 days`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := testMessage(ChannelEmail)
			tc.edit(&m)
			to := &mail.Address{Name: oneLine(m.RecipientName, 64), Address: m.RecipientEmail}
			data := composeEmail(from, to, m)
			for i, line := range strings.Split(string(data), "\r\n") {
				if len(line) > 998 {
					t.Errorf("line %d is %d bytes long", i, len(line))
				}
			}
			h, subject, _ := parseMail(t, data)
			if subject != tc.wantSubject {
				t.Errorf("Subject = %q, want %q", subject, tc.wantSubject)
			}
			if h.Get("Bcc") != "" {
				t.Errorf("an injected Bcc header got through")
			}
		})
	}
}

func TestMessageID(t *testing.T) {
	t.Parallel()
	cases := []struct{ key, from, want string }{
		{"42", "alarms@example.com", "<ssl-alarm.42@example.com>"},
		{"ntf_9-a", "SSL <alarms@Mail.Example.com>", "<ssl-alarm.ntf_9-a@mail.example.com>"},
		{"a/b@c", "alarms@example.com", "<ssl-alarm.x612f624063@example.com>"},
		{"42", "not an address", "<ssl-alarm.42@ssl-notify.invalid>"},
	}
	for _, tc := range cases {
		if got := MessageID(tc.key, tc.from); got != tc.want {
			t.Errorf("MessageID(%q, %q) = %q, want %q", tc.key, tc.from, got, tc.want)
		}
	}
}

func TestSMTPConfigHidesPassword(t *testing.T) {
	t.Parallel()
	cfg := SMTPConfig{Addr: "mail.example.com:587", From: "a@example.com", Username: "u", Password: "hunter2-secret"}
	c := Config{SMTP: &cfg}
	for _, s := range []string{
		cfg.String(),
		fmtAll(cfg), fmtAll(&cfg), fmtAll(c),
	} {
		if strings.Contains(s, "hunter2-secret") {
			t.Errorf("formatted config shows the password: %s", s)
		}
	}
}
