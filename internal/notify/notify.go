// Package notify delivers expiration-alarm notifications (rules A3–A5): email over
// SMTP, a JSON POST to an SMS gateway, and a signed JSON webhook. It is pure delivery:
// it keeps no store and reads no clock; the caller (the outbox worker of the service)
// decides what to send and when, and records the outcome. Every message carries an
// idempotency key — the outbox row id — on every channel, so a receiver can drop a
// duplicate sent again after a crash between sending and recording.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Channel is a delivery channel of an alarm policy.
type Channel string

// The delivery channels of an alarm policy (A4, A5).
const (
	ChannelEmail   Channel = "EMAIL"
	ChannelSMS     Channel = "SMS"
	ChannelWebhook Channel = "WEBHOOK"
)

// IdempotencyHeader is the HTTP header that carries a message's idempotency key.
const IdempotencyHeader = "Idempotency-Key"

// Message is one notification to deliver: one (policy, certificate, recipient, channel).
type Message struct {
	// IdempotencyKey identifies the notification (the outbox row id); required.
	IdempotencyKey string
	// Channel selects the sender when the message goes through a Dispatcher.
	Channel Channel

	// PolicyID and PolicyName name the alarm policy that fired.
	PolicyID, PolicyName string

	// CertificateID and CertificateName name the certificate record.
	CertificateID, CertificateName string
	// Domain is the certificate's primary domain.
	Domain string
	// SubjectAlternativeNames lists the certificate's DNS names.
	SubjectAlternativeNames []string
	// NotAfter is the end of the certificate's validity; required.
	NotAfter time.Time
	// DaysLeft is the number of whole days left before NotAfter, as the evaluator counted them.
	DaysLeft int

	// RecipientName, RecipientEmail and RecipientPhone describe the recipient.
	RecipientName, RecipientEmail, RecipientPhone string

	// WebhookURL is the alarm's webhook_url (WEBHOOK only).
	WebhookURL string
	// WebhookSecret is the alarm's webhook_secret; empty sends no signature header.
	WebhookSecret string

	// CreatedAt, when set, is the email's Date header (the evaluation time of the service clock).
	CreatedAt time.Time
}

// String describes m for logs without its webhook secret or recipient details.
func (m Message) String() string {
	return fmt.Sprintf("notification %s (%s) policy=%s certificate=%s", m.IdempotencyKey, m.Channel, m.PolicyID, m.CertificateID)
}

// GoString is String, so that %#v does not print the webhook secret either.
func (m Message) GoString() string { return m.String() }

// validate checks what every channel needs.
func (m Message) validate() error {
	if m.IdempotencyKey == "" {
		return permanent(errors.New("message has no idempotency key"))
	}
	if len(m.IdempotencyKey) > 200 {
		return permanent(errors.New("message idempotency key is longer than 200 characters"))
	}
	for _, r := range m.IdempotencyKey {
		if r <= ' ' || r > '~' {
			return permanent(fmt.Errorf("message idempotency key %q holds a character other than visible ASCII", m.IdempotencyKey))
		}
	}
	if m.NotAfter.IsZero() {
		return permanent(errors.New("message has no certificate expiry (NotAfter)"))
	}
	return nil
}

// Sender delivers one message over one channel.
type Sender interface {
	// Send delivers m once; an error means it may not have arrived.
	Send(ctx context.Context, m Message) error
}

// ErrNotConfigured is wrapped by the error of a channel whose delivery settings are missing.
var ErrNotConfigured = errors.New("channel not configured")

// Permanent reports whether err is one that resending the same message cannot cure:
// an invalid message, a receiver's 4xx answer, an SMTP 5xx reply, a server that lacks
// STARTTLS or AUTH PLAIN. Network errors, timeouts and 5xx answers are not permanent.
// A missing channel configuration (ErrNotConfigured) is not reported as permanent.
func Permanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err} }

// notConfiguredError says which settings a channel lacks; it is ErrNotConfigured.
type notConfiguredError string

func (e notConfiguredError) Error() string        { return string(e) }
func (e notConfiguredError) Is(target error) bool { return target == ErrNotConfigured }

// Dispatcher routes a message to the sender of its channel; a nil sender is a channel
// the delivering process has not configured.
type Dispatcher struct {
	// Email delivers ChannelEmail messages.
	Email Sender
	// SMS delivers ChannelSMS messages.
	SMS Sender
	// Webhook delivers ChannelWebhook messages.
	Webhook Sender
}

var _ Sender = (*Dispatcher)(nil)

// NewDispatcher builds the senders that cfg configures; webhooks need no process settings.
func NewDispatcher(cfg Config) (*Dispatcher, error) {
	d := &Dispatcher{Webhook: NewWebhookSender(cfg.Webhook)}
	if cfg.SMTP != nil {
		s, err := NewSMTPSender(*cfg.SMTP)
		if err != nil {
			return nil, err
		}
		d.Email = s
	}
	if cfg.SMS != nil {
		s, err := NewSMSSender(*cfg.SMS)
		if err != nil {
			return nil, err
		}
		d.SMS = s
	}
	return d, nil
}

// Send delivers m through the sender of m.Channel.
func (d *Dispatcher) Send(ctx context.Context, m Message) error {
	var s Sender
	var missing string
	switch m.Channel {
	case ChannelEmail:
		s, missing = d.Email, "SMTP is not configured: set SSL_SMTP_ADDR and SSL_SMTP_FROM"
	case ChannelSMS:
		s, missing = d.SMS, "SMS gateway is not configured: set SSL_SMS_GATEWAY_URL"
	case ChannelWebhook:
		s, missing = d.Webhook, "webhook delivery is not configured"
	default:
		return permanent(fmt.Errorf("unknown notification channel %q (want EMAIL, SMS or WEBHOOK)", string(m.Channel)))
	}
	if s == nil {
		return notConfiguredError(missing)
	}
	return s.Send(ctx, m)
}

// expiryPhrase says when the certificate expires, relative to the evaluation.
func expiryPhrase(days int) string {
	switch {
	case days > 1:
		return fmt.Sprintf("expires in %d days", days)
	case days == 1:
		return "expires in 1 day"
	case days == 0:
		return "expires today"
	case days == -1:
		return "expired 1 day ago"
	default:
		return fmt.Sprintf("expired %d days ago", -days)
	}
}

// oneLine makes a user-supplied value safe for a header or a single line: control
// characters become spaces, runs of spaces collapse, and it is cut to max runes.
func oneLine(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError
	}), " ")
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max-1]) + "…"
	}
	return s
}

// certLabel names the certificate for a human: its name, else its domain, else its id.
func certLabel(m Message) string {
	switch {
	case m.CertificateName != "":
		return m.CertificateName
	case m.Domain != "":
		return m.Domain
	default:
		return m.CertificateID
	}
}

// smtpCode returns the reply code of an SMTP error, or 0.
func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}
