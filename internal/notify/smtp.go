package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The SMTP transport security modes (SSL_SMTP_TLS).
const (
	TLSModeStartTLS = "starttls" // plain connection upgraded with STARTTLS; fails if the server lacks it
	TLSModeTLS      = "tls"      // implicit TLS from the first byte (usually port 465)
	TLSModeNone     = "none"     // no encryption; AUTH is then only allowed to a loopback host
)

// SMTPConfig says how to reach the mail submission server.
type SMTPConfig struct {
	// Addr is the server's host:port.
	Addr string
	// From is the sender address, "alarms@example.com" or "SSL Alarms <alarms@example.com>".
	From string
	// Username, when set, authenticates with AUTH PLAIN; Password goes with it.
	Username, Password string
	// TLS is TLSModeStartTLS (the default when empty), TLSModeTLS or TLSModeNone.
	TLS string
	// TLSConfig, when set, is the base TLS configuration (RootCAs for a private server);
	// its ServerName defaults to Addr's host.
	TLSConfig *tls.Config
	// Timeout bounds one whole delivery (default 30s).
	Timeout time.Duration
	// LocalName is the EHLO name (default: the host name, else "localhost").
	LocalName string
}

// String describes c without its password.
func (c SMTPConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = " password=(redacted)"
	}
	return fmt.Sprintf("smtp addr=%s from=%s tls=%s username=%q%s", c.Addr, c.From, c.TLS, c.Username, pw)
}

// GoString is String, so that %#v does not print the password either.
func (c SMTPConfig) GoString() string { return c.String() }

// check validates c; errors use names for the settings and never show the password.
func (c *SMTPConfig) check(n settingNames) error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || host == "" {
		return fmt.Errorf("%s must be host:port, got %q", n.addr, c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("%s has an invalid port in %q", n.addr, c.Addr)
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("%s must be an email address such as alarms@example.com, got %q", n.from, c.From)
	}
	if c.TLS == "" {
		c.TLS = TLSModeStartTLS
	}
	switch c.TLS {
	case TLSModeStartTLS, TLSModeTLS, TLSModeNone:
	default:
		return fmt.Errorf("%s must be one of starttls, tls or none, got %q", n.tls, c.TLS)
	}
	switch {
	case c.Username != "" && c.Password == "":
		return fmt.Errorf("%s is set but %s is empty", n.username, n.password)
	case c.Username == "" && c.Password != "":
		return fmt.Errorf("%s is set but %s is empty", n.password, n.username)
	case c.Username != "" && c.TLS == TLSModeNone && !isLoopback(host):
		return fmt.Errorf("%s is set but %s=none would send the password unencrypted to %s: use starttls or tls", n.username, n.tls, host)
	}
	return nil
}

// SMTPSender delivers email over SMTP.
type SMTPSender struct {
	cfg       SMTPConfig
	host      string
	from      *mail.Address
	localName string
	// dial opens the TCP connection; tests replace it to pose as another host.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

var _ Sender = (*SMTPSender)(nil)

// NewSMTPSender checks cfg and returns a sender; it opens no connection.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if err := cfg.check(fieldNames); err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	from, _ := mail.ParseAddress(cfg.From)
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	local := cfg.LocalName
	if local == "" {
		local = "localhost"
		if h, err := os.Hostname(); err == nil && validHostname(h) {
			local = h
		}
	}
	return &SMTPSender{cfg: cfg, host: host, from: from, localName: local, dial: (&net.Dialer{}).DialContext}, nil
}

// Send delivers m to m.RecipientEmail in one SMTP transaction.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	to, err := mail.ParseAddress(m.RecipientEmail)
	if err != nil || m.RecipientEmail == "" {
		return permanent(fmt.Errorf("recipient email %q is not a valid address", m.RecipientEmail))
	}
	if m.RecipientName != "" {
		to.Name = oneLine(m.RecipientName, 64)
	}
	msg := composeEmail(s.from, to, m)
	if err := s.deliver(ctx, to.Address, msg); err != nil {
		if c := smtpCode(err); c >= 500 && c < 600 {
			err = permanent(err)
		}
		return fmt.Errorf("smtp %s: %w", s.cfg.Addr, err)
	}
	return nil
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	var c *tls.Config
	if s.cfg.TLSConfig != nil {
		c = s.cfg.TLSConfig.Clone()
	} else {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName = s.host
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

func (s *SMTPSender) deliver(ctx context.Context, rcpt string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	conn, err := s.dial(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("connect: %w", ctxErr(ctx, err))
	}
	if s.cfg.TLS == TLSModeTLS {
		tc := tls.Client(conn, s.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("TLS handshake: %w", ctxErr(ctx, err))
		}
		conn = tc
	}
	// The whole conversation obeys ctx: its deadline, and its cancellation.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting: %w", ctxErr(ctx, err))
	}
	defer c.Close()
	if err := c.Hello(s.localName); err != nil {
		return fmt.Errorf("EHLO: %w", ctxErr(ctx, err))
	}
	if s.cfg.TLS == TLSModeStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return permanent(errors.New("the server does not offer STARTTLS (SSL_SMTP_TLS=starttls); use tls for implicit TLS, or none for an unencrypted loopback server"))
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return fmt.Errorf("STARTTLS: %w", ctxErr(ctx, err))
		}
	}
	if s.cfg.Username != "" {
		ok, mechs := c.Extension("AUTH")
		if !ok || !slices.Contains(strings.Fields(strings.ToUpper(mechs)), "PLAIN") {
			return permanent(errors.New("the server does not offer AUTH PLAIN"))
		}
		a := &plainAuth{username: s.cfg.Username, password: s.cfg.Password, loopback: isLoopback(s.host)}
		if err := c.Auth(a); err != nil {
			if errors.Is(err, errInsecureAuth) {
				return permanent(err)
			}
			return fmt.Errorf("AUTH: %w", ctxErr(ctx, err))
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", ctxErr(ctx, err))
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fmt.Errorf("RCPT TO: %w", ctxErr(ctx, err))
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", ctxErr(ctx, err))
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA: %w", ctxErr(ctx, err))
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", ctxErr(ctx, err))
	}
	// The server has accepted the message: a failing QUIT must not make it look unsent.
	_ = c.Quit()
	return nil
}

// ctxErr prefers the context's error to the I/O error its deadline caused.
func ctxErr(ctx context.Context, err error) error {
	if ce := ctx.Err(); ce != nil {
		if errors.Is(err, ce) {
			return err
		}
		return fmt.Errorf("%w (%v)", ce, err)
	}
	// The connection's deadline is the context's and may fire a moment before it.
	var ne net.Error
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) && errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
	}
	return err
}

var errInsecureAuth = errors.New("refusing to send the SMTP password over an unencrypted connection to a host other than loopback: use starttls or tls")

// plainAuth is AUTH PLAIN (RFC 4616) that refuses an unencrypted link except to loopback.
type plainAuth struct {
	username, password string
	loopback           bool
}

func (a *plainAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !a.loopback {
		return "", nil, errInsecureAuth
	}
	return "PLAIN", []byte("\x00" + a.username + "\x00" + a.password), nil
}

func (a *plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge during AUTH PLAIN")
	}
	return nil, nil
}

// isLoopback reports whether host names this machine: "localhost" or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validHostname reports whether h is usable as an EHLO name.
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// MessageID returns the Message-ID header value (with angle brackets) of the email for
// an idempotency key, sent from the address from; the same key gives the same id.
func MessageID(idempotencyKey, from string) string {
	domain := "ssl-notify.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 && validHostname(a.Address[i+1:]) {
			domain = strings.ToLower(a.Address[i+1:])
		}
	}
	local := idempotencyKey
	for _, r := range idempotencyKey {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			local = "x" + hex.EncodeToString([]byte(idempotencyKey))
			break
		}
	}
	return "<ssl-alarm." + local + "@" + domain + ">"
}

// composeEmail renders the RFC 5322 message: headers and a quoted-printable text body.
func composeEmail(from, to *mail.Address, m Message) []byte {
	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("From", from.String())
	header("To", to.String())
	header("Subject", encodeHeaderText(emailSubject(m)))
	if !m.CreatedAt.IsZero() {
		header("Date", m.CreatedAt.Format(time.RFC1123Z))
	}
	header("Message-ID", MessageID(m.IdempotencyKey, from.Address))
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(emailBody(m)))
	_ = qp.Close()
	return b.Bytes()
}

// encodeHeaderText encodes non-ASCII text as RFC 2047 words, one folded line each.
func encodeHeaderText(s string) string {
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
}

// emailSubject is the Subject line of the email for m.
func emailSubject(m Message) string {
	label := oneLine(certLabel(m), 80)
	dom := oneLine(m.Domain, 80)
	if dom != "" && dom != label {
		label = fmt.Sprintf("%q (%s)", label, dom)
	}
	return fmt.Sprintf("[SSL alarm] Certificate %s %s", label, expiryPhrase(m.DaysLeft))
}

// emailBody is the plain-text body: certificate, domains, expiry date, days left.
func emailBody(m Message) string {
	var b strings.Builder
	if n := oneLine(m.RecipientName, 80); n != "" {
		fmt.Fprintf(&b, "Hello %s,\n\n", n)
	} else {
		b.WriteString("Hello,\n\n")
	}
	na := m.NotAfter.UTC()
	fmt.Fprintf(&b, "The SSL certificate %q %s, on %s.\n\n", oneLine(certLabel(m), 200), expiryPhrase(m.DaysLeft), na.Format("2006-01-02 15:04 MST"))
	row := func(k, v string) { fmt.Fprintf(&b, "%-15s %s\n", k+":", v) }
	if m.CertificateName != "" {
		row("Certificate", oneLine(m.CertificateName, 200))
	}
	row("Certificate id", oneLine(m.CertificateID, 200))
	row("Domain", oneLine(m.Domain, 255))
	for i, d := range domains(m) {
		if i == 0 {
			row("Domains", oneLine(d, 255))
		} else {
			fmt.Fprintf(&b, "%-15s %s\n", "", oneLine(d, 255))
		}
	}
	row("Expires", na.Format(time.RFC3339))
	row("Days left", strconv.Itoa(m.DaysLeft))
	policy := oneLine(m.PolicyName, 200)
	if m.PolicyID != "" {
		policy += " (" + oneLine(m.PolicyID, 200) + ")"
	}
	row("Alarm policy", strings.TrimSpace(policy))
	b.WriteString("\nRenew or replace the certificate before it expires to avoid an outage.\n")
	fmt.Fprintf(&b, "\n-- \nSent by the ssl_expiration_alarm of terraform-provider-ssl (notification %s).\n", m.IdempotencyKey)
	return b.String()
}

// domains lists the certificate's domain followed by its other SANs, once each.
func domains(m Message) []string {
	var out []string
	for _, d := range append([]string{m.Domain}, m.SubjectAlternativeNames...) {
		if d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}
