package service_test

// Delivery of expiration alarms (A4, A5) from the outbox: a real SMTP server
// (github.com/emersion/go-smtp) and httptest receivers for webhooks and the SMS
// gateway, all started by the test on loopback; retries with backoff; and what
// happens when the process dies between sending and recording.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/sslkit/terraform-provider-ssl/internal/notify"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// --- receivers ---

const mailFrom = "alarms@example.com"

// smtpSink is an SMTP server on loopback that accepts and records every message.
type smtpSink struct {
	addr  string
	mu    sync.Mutex
	mails []sunkMail
}

type sunkMail struct {
	from   string
	to     []string
	header mail.Header
	body   string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	s := &smtpSink{}
	srv := smtp.NewServer(smtpSinkBackend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *smtpSink) received() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mails)
}

type smtpSinkBackend struct{ s *smtpSink }

func (b smtpSinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &smtpSinkSession{s: b.s}, nil
}

type smtpSinkSession struct {
	s   *smtpSink
	cur sunkMail
}

func (ss *smtpSinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.cur = sunkMail{from: from}
	return nil
}

func (ss *smtpSinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.to = append(ss.cur.to, to)
	return nil
}

func (ss *smtpSinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("unparsable message: %w", err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		return fmt.Errorf("body: %w", err)
	}
	ss.cur.header, ss.cur.body = msg.Header, strings.ReplaceAll(string(body), "\r\n", "\n")
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, ss.cur)
	ss.s.mu.Unlock()
	return nil
}

func (ss *smtpSinkSession) Reset()        { ss.cur = sunkMail{} }
func (ss *smtpSinkSession) Logout() error { return nil }

// hookSink is a webhook receiver: it checks X-SSL-Signature with notify.Verify and
// answers the scripted statuses in turn (200 once the script is used up); a request
// with a bad signature gets 401.
type hookSink struct {
	secret string
	srv    *httptest.Server
	mu     sync.Mutex
	script []int
	hits   []hookHit
}

type hookHit struct {
	key     string
	sigOK   bool
	status  int
	payload notify.WebhookPayload
}

func newHookSink(t *testing.T, secret string, script ...int) *hookSink {
	t.Helper()
	h := &hookSink{secret: secret, script: script}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hit := hookHit{key: r.Header.Get(notify.IdempotencyHeader),
			sigOK: r.Method == http.MethodPost && r.URL.Path == "/hook" && notify.Verify(body, r.Header.Get(notify.SignatureHeader), h.secret)}
		if err := json.Unmarshal(body, &hit.payload); err != nil {
			hit.sigOK = false
		}
		h.mu.Lock()
		hit.status = http.StatusOK
		if len(h.script) > 0 {
			hit.status, h.script = h.script[0], h.script[1:]
		}
		if !hit.sigOK {
			hit.status = http.StatusUnauthorized
		}
		h.hits = append(h.hits, hit)
		h.mu.Unlock()
		w.WriteHeader(hit.status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookSink) url() string { return h.srv.URL + "/hook" }

func (h *hookSink) received() []hookHit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hits)
}

// smsSink is an SMS gateway that records every message.
type smsSink struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []smsMsg
}

type smsMsg struct {
	key string
	notify.SMSPayload
}

func newSMSSink(t *testing.T) *smsSink {
	t.Helper()
	s := &smsSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m smsMsg
		if err := json.NewDecoder(r.Body).Decode(&m.SMSPayload); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		m.key = r.Header.Get(notify.IdempotencyHeader)
		s.mu.Lock()
		s.msgs = append(s.msgs, m)
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *smsSink) received() []smsMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// dispatcher delivers email to mails and SMS to sms (either may be nil: not
// configured); webhooks go wherever the alarm says. HTTP senders make one attempt
// per Send, so that the outbox's own retries are what the tests see.
func dispatcher(t *testing.T, mails *smtpSink, sms *smsSink) *notify.Dispatcher {
	t.Helper()
	one := notify.HTTPOptions{RetryMax: -1, Timeout: 5 * time.Second}
	cfg := notify.Config{Webhook: one}
	if mails != nil {
		cfg.SMTP = &notify.SMTPConfig{Addr: mails.addr, From: "SSL Alarms <" + mailFrom + ">", TLS: notify.TLSModeNone,
			Timeout: 5 * time.Second, LocalName: "localhost"}
	}
	if sms != nil {
		cfg.SMS = &notify.SMSConfig{GatewayURL: sms.srv.URL + "/send", HTTP: one}
	}
	d, err := notify.NewDispatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (e *env) deliver(s notify.Sender) (sent, failed int) {
	e.t.Helper()
	sent, failed, err := e.svc.Deliver(e.ctx, s, 100)
	if err != nil {
		e.t.Fatalf("deliver: %v", err)
	}
	return sent, failed
}

// rowFor returns the one row of rows for certificate, channel and recipient email.
func rowFor(t *testing.T, rows []*store.Notification, certificate, channel, email string) *store.Notification {
	t.Helper()
	var found *store.Notification
	for _, n := range rows {
		if n.CertificateID == certificate && n.Channel == channel && n.Recipient.Email == email {
			if found != nil {
				t.Fatalf("two %s rows for %s / %q", channel, certificate, email)
			}
			found = n
		}
	}
	if found == nil {
		t.Fatalf("no %s row for %s / %q", channel, certificate, email)
	}
	return found
}

// --- end to end ---

func TestDeliverEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	mails, sms := newSMTPSink(t), newSMSSink(t)
	const secret = "whsec-end-to-end"
	hook := newHookSink(t, secret)
	d := dispatcher(t, mails, sms)

	now := e.now()
	in10 := e.alarmCert("in10", "web", now.Add(10*day), false)
	in25 := e.alarmCert("in25", "web", now.Add(25*day), false)
	out45 := e.alarmCert("out45", "web", now.Add(45*day), false)
	ignored := e.alarmCert("ignored", "web", now.Add(5*day), true)
	other := e.alarmCert("other", "api", now.Add(10*day), false)
	alice := store.Recipient{Name: "Alice", Email: "alice@example.com"}
	bob := store.Recipient{Name: "Bob", Email: "bob@example.com", Phone: "+8613800000003"}
	a := e.createAlarm(service.AlarmInput{Name: "web certificates", Project: "web", RepeatInterval: service.RepeatOnce,
		Recipients: []store.Recipient{alice, bob},
		Channels:   []string{service.ChannelEmail, service.ChannelSMS, service.ChannelWebhook},
		WebhookURL: hook.url(), WebhookSecret: secret, Enabled: true})

	// 2 certificates × (2 emails + 1 SMS + 1 webhook).
	if n := e.evaluate(); n != 8 {
		t.Fatalf("evaluation wrote %d rows, want 8", n)
	}
	if sent, failed := e.deliver(d); sent != 8 || failed != 0 {
		t.Fatalf("deliver: sent %d failed %d, want 8 and 0", sent, failed)
	}
	rows := e.outbox(store.NotificationFilter{PolicyID: a.ID})
	inWindow := map[string]*service.Certificate{in10.ID: in10, in25.ID: in25}

	t.Run("A4/ok/one email per recipient and certificate in the window", func(t *testing.T) {
		got := mails.received()
		if len(got) != 4 {
			t.Fatalf("the SMTP server received %d emails, want 4", len(got))
		}
		seen := map[string]bool{}
		for _, m := range got {
			if m.from != mailFrom || len(m.to) != 1 {
				t.Fatalf("envelope from %q to %v", m.from, m.to)
			}
			var cert *service.Certificate
			for id, c := range inWindow {
				if strings.Contains(m.body, "Certificate id: "+id+"\n") {
					cert = c
				}
			}
			if cert == nil {
				t.Fatalf("email to %v names no certificate in the window:\n%s", m.to, m.body)
			}
			k := cert.ID + " " + m.to[0]
			if seen[k] {
				t.Fatalf("two emails for %s", k)
			}
			seen[k] = true
			row := rowFor(t, rows, cert.ID, service.ChannelEmail, m.to[0])
			if got, want := m.header.Get("Message-Id"), notify.MessageID(row.ID, mailFrom); got != want {
				t.Fatalf("Message-ID %q, want %q (the outbox row's idempotency key)", got, want)
			}
			days := int(cert.NotAfter.Sub(now) / day)
			for _, want := range []string{cert.Name, cert.Domain, fmt.Sprintf("expires in %d days", days),
				cert.NotAfter.UTC().Format(time.RFC3339), fmt.Sprintf("Days left:      %d", days), a.ID} {
				if !strings.Contains(m.body, want) {
					t.Fatalf("email body lacks %q:\n%s", want, m.body)
				}
			}
		}
		for _, c := range inWindow {
			for _, r := range []string{alice.Email, bob.Email} {
				if !seen[c.ID+" "+r] {
					t.Fatalf("no email for %s to %s", c.ID, r)
				}
			}
		}
	})
	t.Run("A5/ok/one signed webhook per certificate in the window", func(t *testing.T) {
		got := hook.received()
		if len(got) != 2 {
			t.Fatalf("the receiver got %d webhooks, want 2", len(got))
		}
		seen := map[string]bool{}
		for _, h := range got {
			if !h.sigOK || h.status != http.StatusOK {
				t.Fatalf("webhook %s: signature ok %v, status %d", h.key, h.sigOK, h.status)
			}
			c := inWindow[h.payload.CertificateID]
			if c == nil || seen[c.ID] {
				t.Fatalf("webhook for %q: not in the window, or twice", h.payload.CertificateID)
			}
			seen[c.ID] = true
			row := rowFor(t, rows, c.ID, service.ChannelWebhook, "")
			want := notify.WebhookPayload{PolicyID: a.ID, PolicyName: a.Name, CertificateID: c.ID, Name: c.Name,
				Domain: c.Domain, SubjectAlternativeNames: c.SANs, NotAfter: c.NotAfter.UTC().Format(time.RFC3339),
				DaysLeft: int(c.NotAfter.Sub(now) / day)}
			if h.key != row.ID || fmt.Sprint(h.payload) != fmt.Sprint(want) {
				t.Fatalf("webhook key %q payload %+v; want key %q payload %+v", h.key, h.payload, row.ID, want)
			}
		}
	})
	t.Run("A4/ok/one SMS per phone number and certificate in the window", func(t *testing.T) {
		got := sms.received()
		if len(got) != 2 {
			t.Fatalf("the gateway got %d messages, want 2", len(got))
		}
		for _, m := range got {
			if m.Phone != bob.Phone || m.key == "" {
				t.Fatalf("SMS to %q with key %q", m.Phone, m.key)
			}
			var n *store.Notification
			for _, r := range rows {
				if r.ID == m.key {
					n = r
				}
			}
			if n == nil || n.Channel != service.ChannelSMS || !strings.Contains(m.Text, fmt.Sprintf("Days left: %d.", n.DaysLeft)) {
				t.Fatalf("SMS %q (key %s) matches no SMS row", m.Text, m.key)
			}
		}
	})
	t.Run("N1/ok/nothing for the ignored certificate, one outside the window or another project", func(t *testing.T) {
		for _, c := range []*service.Certificate{ignored, out45, other} {
			if n := len(e.outbox(store.NotificationFilter{CertificateID: c.ID})); n != 0 {
				t.Fatalf("%s (%s) has %d rows", c.Name, c.ID, n)
			}
			for _, m := range mails.received() {
				if strings.Contains(m.body, c.ID) {
					t.Fatalf("an email names %s", c.Name)
				}
			}
		}
	})
	t.Run("A4/ok/every row is recorded as sent after one attempt", func(t *testing.T) {
		for _, n := range rows {
			if n.Status != service.NotificationSent || n.Attempts != 1 || !n.SentAt.Equal(now) || n.LastError != "" {
				t.Fatalf("row %s (%s): status %s attempts %d sent %s error %q", n.ID, n.Channel, n.Status, n.Attempts, n.SentAt, n.LastError)
			}
		}
	})
	t.Run("A3/ok/the next minute's run sends nothing again", func(t *testing.T) {
		e.advance(time.Minute)
		if n := e.evaluate(); n != 0 {
			t.Fatalf("second evaluation wrote %d rows", n)
		}
		if sent, failed := e.deliver(d); sent != 0 || failed != 0 {
			t.Fatalf("second delivery: sent %d failed %d", sent, failed)
		}
		if len(mails.received()) != 4 || len(hook.received()) != 2 || len(sms.received()) != 2 {
			t.Fatal("the second run delivered something")
		}
	})
}

// --- retries ---

func TestDeliverRetries(t *testing.T) {
	t.Parallel()
	fails := func(status, times int) []int {
		out := make([]int, times)
		for i := range out {
			out[i] = status
		}
		return out
	}
	tests := []struct {
		name         string
		script       []int // the receiver's answers, in turn
		wantStatus   string
		wantAttempts int
	}{
		{name: "A5/ok/a 500 is retried after the backoff and then sent", script: []int{500, 200},
			wantStatus: service.NotificationSent, wantAttempts: 2},
		{name: "A5/ok/503 then 502 then 200: backoff 1m then 2m", script: []int{503, 502, 200},
			wantStatus: service.NotificationSent, wantAttempts: 3},
		{name: "A5/ok/a 429 is retried", script: []int{429, 200},
			wantStatus: service.NotificationSent, wantAttempts: 2},
		{name: "A5/error/a 400 is permanent: failed after one attempt", script: []int{400},
			wantStatus: service.NotificationFailed, wantAttempts: 1},
		{name: "A5/error/a receiver that keeps failing is given up after 8 attempts", script: fails(500, 8),
			wantStatus: service.NotificationFailed, wantAttempts: 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{})
			const secret = "whsec-retry"
			hook := newHookSink(t, secret, tc.script...)
			d := dispatcher(t, nil, nil)
			e.alarmCert("retry", "web", e.now().Add(10*day), false)
			e.createAlarm(service.AlarmInput{Name: "hook", Project: "web", Channels: []string{service.ChannelWebhook},
				WebhookURL: hook.url(), WebhookSecret: secret, Enabled: true})
			if n := e.evaluate(); n != 1 {
				t.Fatalf("evaluation wrote %d rows, want 1", n)
			}
			var row *store.Notification
			for attempt := 1; ; attempt++ {
				sent, failed := e.deliver(d)
				rows := e.outbox(store.NotificationFilter{})
				row = rows[0]
				if row.Attempts != attempt {
					t.Fatalf("attempt %d recorded as %d", attempt, row.Attempts)
				}
				status := tc.script[attempt-1]
				if status < 300 {
					if sent != 1 || failed != 0 || row.Status != service.NotificationSent || row.LastError != "" || !row.SentAt.Equal(e.now()) {
						t.Fatalf("attempt %d: sent %d failed %d, row %s error %q", attempt, sent, failed, row.Status, row.LastError)
					}
					break
				}
				if sent != 0 || failed != 1 || !strings.Contains(row.LastError, fmt.Sprint(status)) {
					t.Fatalf("attempt %d: sent %d failed %d, last error %q (want the %d)", attempt, sent, failed, row.LastError, status)
				}
				if row.Status == service.NotificationFailed {
					break
				}
				backoff := min(time.Minute<<(attempt-1), time.Hour)
				if !row.NextAttemptAt.Equal(e.now().Add(backoff)) {
					t.Fatalf("attempt %d: next attempt %s, want now + %s", attempt, row.NextAttemptAt, backoff)
				}
				// Not before the backoff has passed…
				e.advance(backoff - time.Second)
				if sent, failed := e.deliver(d); sent != 0 || failed != 0 || len(hook.received()) != attempt {
					t.Fatalf("a retry went out %s early", time.Second)
				}
				// …and then at once.
				e.advance(time.Second)
			}
			if row.Status != tc.wantStatus || row.Attempts != tc.wantAttempts {
				t.Fatalf("ended %s after %d attempts, want %s after %d", row.Status, row.Attempts, tc.wantStatus, tc.wantAttempts)
			}
			hits := hook.received()
			if len(hits) != tc.wantAttempts {
				t.Fatalf("the receiver saw %d requests, want %d", len(hits), tc.wantAttempts)
			}
			for _, h := range hits {
				if h.key != row.ID || !h.sigOK {
					t.Fatalf("a retry carried key %q (want %q), signature ok %v", h.key, row.ID, h.sigOK)
				}
			}
			// A finished row is never sent again.
			e.advance(2 * time.Hour)
			if sent, failed := e.deliver(d); sent != 0 || failed != 0 || len(hook.received()) != tc.wantAttempts {
				t.Fatal("a finished row went out again")
			}
		})
	}
}

func TestDeliverUnconfiguredChannel(t *testing.T) {
	t.Parallel()
	t.Run("A4/ok/email without SMTP settings stays pending with an error that says what to set", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		e.alarmCert("nosmtp", "web", e.now().Add(10*day), false)
		e.createAlarm(emailAlarm("no smtp", "web"))
		e.evaluate()
		if sent, failed := e.deliver(dispatcher(t, nil, nil)); sent != 0 || failed != 1 {
			t.Fatalf("sent %d failed %d", sent, failed)
		}
		row := e.outbox(store.NotificationFilter{})[0]
		if row.Status != service.NotificationPending || !strings.Contains(row.LastError, notify.EnvSMTPAddr) {
			t.Fatalf("row %s, error %q", row.Status, row.LastError)
		}
		// Configured later, the next attempt goes out.
		mails := newSMTPSink(t)
		e.advance(time.Minute)
		if sent, failed := e.deliver(dispatcher(t, mails, nil)); sent != 1 || failed != 0 || len(mails.received()) != 1 {
			t.Fatalf("after configuring SMTP: sent %d failed %d, %d emails", sent, failed, len(mails.received()))
		}
	})
}

// --- crash between sending and recording ---

// What is guaranteed. An outbox row is written in the evaluation's transaction. Deliver
// first claims the due rows (a 5-minute lease, so a concurrent deliverer skips them),
// then sends each one and records its outcome only after the sender has returned. A
// process that dies in between (or a send whose acknowledgement is lost) leaves the
// row pending, so a later Deliver — once the lease or the backoff has run out — sends
// it again: delivery is AT-LEAST-ONCE on the wire, and nothing is lost. Every message carries
// its outbox row id as idempotency key — the Idempotency-Key header of a webhook or
// SMS, the Message-ID of an email — and a resend carries the SAME key, so a receiver
// that drops a key it has seen processes each notification EXACTLY ONCE PER KEY. No
// message ever goes out without a key.

// errCrash is what the "process" dies of.
var errCrash = errors.New("simulated crash: the process died after sending, before recording")

// crashingSender delivers through inner and then "dies" (panics) before Deliver can
// record the outcome.
type crashingSender struct{ inner notify.Sender }

func (c crashingSender) Send(ctx context.Context, m notify.Message) error {
	if err := c.inner.Send(ctx, m); err != nil {
		return err
	}
	panic(errCrash)
}

// lostAckSender delivers through inner and then reports that the context ran out, as
// when the receiver's answer is lost.
type lostAckSender struct{ inner notify.Sender }

func (l lostAckSender) Send(ctx context.Context, m notify.Message) error {
	if err := l.inner.Send(ctx, m); err != nil {
		return err
	}
	return fmt.Errorf("waiting for the receiver's answer: %w", context.DeadlineExceeded)
}

// wire lists every delivery the receivers saw as channel/key.
func wire(mails *smtpSink, hook *hookSink) []string {
	var out []string
	for _, m := range mails.received() {
		out = append(out, "EMAIL/"+m.header.Get("Message-Id"))
	}
	for _, h := range hook.received() {
		out = append(out, "WEBHOOK/"+h.key)
	}
	return out
}

func TestDeliverCrashBetweenSendAndRecord(t *testing.T) {
	t.Parallel()
	// keyOf is the key a receiver sees for an outbox row.
	keyOf := func(n *store.Notification) string {
		if n.Channel == service.ChannelEmail {
			return "EMAIL/" + notify.MessageID(n.ID, mailFrom)
		}
		return "WEBHOOK/" + n.ID
	}
	setup := func(t *testing.T) (*env, *smtpSink, *hookSink, *notify.Dispatcher, []*store.Notification) {
		e := newEnv(t, envOpts{})
		mails := newSMTPSink(t)
		const secret = "whsec-crash"
		hook := newHookSink(t, secret)
		e.alarmCert("crash", "web", e.now().Add(10*day), false)
		e.createAlarm(service.AlarmInput{Name: "crash", Project: "web",
			Recipients: []store.Recipient{{Email: "alice@example.com"}, {Email: "bob@example.com"}},
			Channels:   []string{service.ChannelEmail, service.ChannelWebhook},
			WebhookURL: hook.url(), WebhookSecret: secret, Enabled: true})
		if n := e.evaluate(); n != 3 {
			t.Fatalf("evaluation wrote %d rows, want 3", n)
		}
		return e, mails, hook, dispatcher(t, mails, nil), e.outbox(store.NotificationFilter{})
	}
	// checkExactlyOncePerKey: every row reached its receiver under its own key, the
	// duplicates carry the same key, and a receiver that drops repeated keys ends up
	// with each row once.
	checkExactlyOncePerKey := func(t *testing.T, rows []*store.Notification, seen []string, wantTwice int) {
		t.Helper()
		count := map[string]int{}
		for _, k := range seen {
			if strings.HasSuffix(k, "/") || strings.HasSuffix(k, "/<>") || k == "" {
				t.Fatalf("a delivery without an idempotency key: %q", k)
			}
			count[k]++
		}
		want := map[string]bool{}
		for _, n := range rows {
			want[keyOf(n)] = true
		}
		twice := 0
		for k, c := range count {
			if !want[k] {
				t.Fatalf("a delivery under key %q that is no outbox row's", k)
			}
			if c > 2 {
				t.Fatalf("key %q delivered %d times", k, c)
			}
			if c == 2 {
				twice++
			}
		}
		if len(count) != len(rows) || twice != wantTwice {
			t.Fatalf("deduplicated by key the receivers hold %d notifications (%d sent twice), want %d (%d twice); wire: %v",
				len(count), twice, len(rows), wantTwice, seen)
		}
	}

	t.Run("A4/ok/the process dies after sending: the next run resends under the same key", func(t *testing.T) {
		t.Parallel()
		e, mails, hook, d, rows := setup(t)
		func() {
			defer func() {
				if r := recover(); r != errCrash {
					t.Fatalf("Deliver did not die as planned: %v", r)
				}
			}()
			e.deliver(crashingSender{d})
		}()
		// One message is on the wire; nothing was recorded.
		if got := wire(mails, hook); len(got) != 1 {
			t.Fatalf("before the crash %d messages went out, want 1", len(got))
		}
		for _, n := range e.outbox(store.NotificationFilter{}) {
			if n.Status != service.NotificationPending || n.Attempts != 0 {
				t.Fatalf("row %s recorded %s after %d attempts despite the crash", n.ID, n.Status, n.Attempts)
			}
		}
		// The crashed run had claimed its rows (a lease): a run right after it — another
		// process, or the restarted one — leaves them alone…
		if sent, failed := e.deliver(d); sent != 0 || failed != 0 || len(wire(mails, hook)) != 1 {
			t.Fatalf("a run during the lease sent %d, failed %d", sent, failed)
		}
		// …and once the lease has run out, everything still pending goes out, the
		// message that was already on the wire again.
		e.advance(5*time.Minute - time.Second)
		if sent, failed := e.deliver(d); sent != 0 || failed != 0 {
			t.Fatalf("a run before the lease ended sent %d, failed %d", sent, failed)
		}
		e.advance(time.Second)
		if sent, failed := e.deliver(d); sent != 3 || failed != 0 {
			t.Fatalf("after the restart: sent %d failed %d, want 3 and 0", sent, failed)
		}
		checkExactlyOncePerKey(t, rows, wire(mails, hook), 1)
		for _, n := range e.outbox(store.NotificationFilter{}) {
			if n.Status != service.NotificationSent || n.Attempts != 1 {
				t.Fatalf("row %s: %s after %d attempts", n.ID, n.Status, n.Attempts)
			}
		}
		if sent, failed := e.deliver(d); sent != 0 || failed != 0 {
			t.Fatalf("a third run sent %d, failed %d", sent, failed)
		}
	})
	t.Run("A4/ok/a lost acknowledgement is retried after the backoff under the same key", func(t *testing.T) {
		t.Parallel()
		e, mails, hook, d, rows := setup(t)
		if sent, failed := e.deliver(lostAckSender{d}); sent != 0 || failed != 3 {
			t.Fatalf("sent %d failed %d, want 0 and 3", sent, failed)
		}
		for _, n := range e.outbox(store.NotificationFilter{}) {
			if n.Status != service.NotificationPending || n.Attempts != 1 || !strings.Contains(n.LastError, "deadline") ||
				!n.NextAttemptAt.Equal(e.now().Add(time.Minute)) {
				t.Fatalf("row %s: %s, %d attempts, next %s, error %q", n.ID, n.Status, n.Attempts, n.NextAttemptAt, n.LastError)
			}
		}
		e.advance(time.Minute)
		if sent, failed := e.deliver(d); sent != 3 || failed != 0 {
			t.Fatalf("retry: sent %d failed %d, want 3 and 0", sent, failed)
		}
		checkExactlyOncePerKey(t, rows, wire(mails, hook), 3)
		for _, h := range hook.received() {
			if !h.sigOK {
				t.Fatal("a resent webhook is not signed")
			}
		}
	})
}

// slowSender lets concurrent deliverers overlap.
type slowSender struct{ inner notify.Sender }

func (s slowSender) Send(ctx context.Context, m notify.Message) error {
	time.Sleep(20 * time.Millisecond)
	return s.inner.Send(ctx, m)
}

func TestDeliverConcurrent(t *testing.T) {
	t.Parallel()
	t.Run("A4/ok/two deliverers at the same time send each row once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		mails := newSMTPSink(t)
		const secret = "whsec-concurrent"
		hook := newHookSink(t, secret)
		for i := range 3 {
			e.alarmCert(fmt.Sprintf("conc%d", i), "web", e.now().Add(time.Duration(i+2)*day), false)
		}
		e.createAlarm(service.AlarmInput{Name: "concurrent", Project: "web", Recipients: []store.Recipient{{Email: "ops@example.com"}},
			Channels: []string{service.ChannelEmail, service.ChannelWebhook}, WebhookURL: hook.url(), WebhookSecret: secret, Enabled: true})
		if n := e.evaluate(); n != 6 {
			t.Fatalf("evaluation wrote %d rows, want 6", n)
		}
		d := slowSender{dispatcher(t, mails, nil)}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		var errs []error
		for range 2 {
			wg.Go(func() {
				sent, _, err := e.svc.Deliver(e.ctx, d, 100)
				mu.Lock()
				defer mu.Unlock()
				total += sent
				if err != nil {
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		seen := wire(mails, hook)
		if total != 6 || len(seen) != 6 {
			t.Fatalf("two deliverers sent %d (wire %d), want 6", total, len(seen))
		}
		slices.Sort(seen)
		if len(slices.Compact(seen)) != 6 {
			t.Fatalf("a key went out twice: %v", seen)
		}
	})
}
