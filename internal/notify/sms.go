package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// SMSConfig says where the SMS gateway is.
type SMSConfig struct {
	// GatewayURL receives a JSON POST {"phone": …, "text": …} per message.
	GatewayURL string
	// HTTP tunes the retrying HTTP client.
	HTTP HTTPOptions
}

// SMSPayload is the JSON body posted to the SMS gateway.
type SMSPayload struct {
	// Phone is the recipient's phone number as configured (E.164).
	Phone string `json:"phone"`
	// Text is the message text.
	Text string `json:"text"`
}

// SMSSender posts text messages to an SMS gateway.
type SMSSender struct {
	u *url.URL
	p *poster
}

var _ Sender = (*SMSSender)(nil)

// NewSMSSender checks cfg and returns a sender; it opens no connection.
func NewSMSSender(cfg SMSConfig) (*SMSSender, error) {
	u, err := parseHTTPURL(cfg.GatewayURL)
	if err != nil {
		return nil, fmt.Errorf("SMS gateway URL: %w", err)
	}
	return &SMSSender{u: u, p: newPoster(cfg.HTTP)}, nil
}

// Send POSTs m's text for m.RecipientPhone with an Idempotency-Key header.
func (s *SMSSender) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	if m.RecipientPhone == "" {
		return permanent(errors.New("the recipient has no phone number"))
	}
	body, err := json.Marshal(SMSPayload{Phone: m.RecipientPhone, Text: SMSText(m)})
	if err != nil {
		return permanent(fmt.Errorf("SMS body: %w", err))
	}
	hdr := http.Header{}
	hdr.Set(IdempotencyHeader, m.IdempotencyKey)
	return s.p.post(ctx, "SMS gateway", s.u, body, hdr)
}

// SMSText is the short text of an SMS: certificate, domain, days left and expiry date.
func SMSText(m Message) string {
	label := fmt.Sprintf("%q", oneLine(certLabel(m), 40))
	if d := oneLine(m.Domain, 64); d != "" && d != oneLine(certLabel(m), 40) {
		label += " (" + d + ")"
	}
	return fmt.Sprintf("SSL alarm: certificate %s %s (%s). Days left: %d.",
		label, expiryPhrase(m.DaysLeft), m.NotAfter.UTC().Format("2006-01-02"), m.DaysLeft)
}
