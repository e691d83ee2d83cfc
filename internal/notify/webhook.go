package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// SignatureHeader is the webhook header that carries Sign's value (A5).
const SignatureHeader = "X-SSL-Signature"

// WebhookPayload is the JSON body of a webhook (DESIGN.md, ssl_expiration_alarm).
type WebhookPayload struct {
	// PolicyID is the id of the alarm policy.
	PolicyID string `json:"policy_id"`
	// PolicyName is the name of the alarm policy.
	PolicyName string `json:"policy_name"`
	// CertificateID is the id of the certificate record.
	CertificateID string `json:"certificate_id"`
	// Name is the certificate's name.
	Name string `json:"name"`
	// Domain is the certificate's primary domain.
	Domain string `json:"domain"`
	// SubjectAlternativeNames lists the certificate's DNS names (never null).
	SubjectAlternativeNames []string `json:"subject_alternative_names"`
	// NotAfter is the expiry in RFC 3339, UTC.
	NotAfter string `json:"not_after"`
	// DaysLeft is the number of days left before expiry.
	DaysLeft int `json:"days_left"`
}

// NewWebhookPayload returns the webhook body of m.
func NewWebhookPayload(m Message) WebhookPayload {
	sans := m.SubjectAlternativeNames
	if sans == nil {
		sans = []string{}
	}
	return WebhookPayload{
		PolicyID:                m.PolicyID,
		PolicyName:              m.PolicyName,
		CertificateID:           m.CertificateID,
		Name:                    m.CertificateName,
		Domain:                  m.Domain,
		SubjectAlternativeNames: sans,
		NotAfter:                m.NotAfter.UTC().Format(time.RFC3339),
		DaysLeft:                m.DaysLeft,
	}
}

// WebhookSender POSTs the signed JSON payload to each message's WebhookURL (A5).
type WebhookSender struct{ p *poster }

var _ Sender = (*WebhookSender)(nil)

// NewWebhookSender returns a webhook sender using the HTTP options o.
func NewWebhookSender(o HTTPOptions) *WebhookSender { return &WebhookSender{p: newPoster(o)} }

// Send POSTs m's payload to m.WebhookURL with Idempotency-Key and, when the alarm has
// a secret, X-SSL-Signature; it retries network errors, 429 and 5xx with backoff.
func (w *WebhookSender) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	if m.WebhookURL == "" {
		return permanent(errors.New("the alarm has no webhook_url"))
	}
	u, err := parseHTTPURL(m.WebhookURL)
	if err != nil {
		return permanent(fmt.Errorf("webhook_url: %w", err))
	}
	body, err := json.Marshal(NewWebhookPayload(m))
	if err != nil {
		return permanent(fmt.Errorf("webhook body: %w", err))
	}
	hdr := http.Header{}
	hdr.Set(IdempotencyHeader, m.IdempotencyKey)
	if m.WebhookSecret != "" {
		hdr.Set(SignatureHeader, Sign(body, []byte(m.WebhookSecret)))
	}
	return w.p.post(ctx, "webhook", u, body, hdr)
}

// Sign returns the X-SSL-Signature value of body: "sha256=" and the hex HMAC-SHA256
// of the exact body bytes under secret.
func Sign(body, secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports, in constant time, whether header is Sign(body, secret); an empty
// secret never verifies.
func Verify(body []byte, header, secret string) bool {
	if secret == "" {
		return false
	}
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}
