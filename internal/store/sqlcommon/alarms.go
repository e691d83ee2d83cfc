package sqlcommon

import (
	"encoding/json"
	"fmt"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// recipientJSON is how a recipient is kept in alarm_policies.recipients: with
// its own field names, so that renaming a Go field does not change stored data.
type recipientJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// MarshalRecipients encodes rs as a JSON array.
func MarshalRecipients(rs []store.Recipient) (string, error) {
	js := make([]recipientJSON, len(rs))
	for i, r := range rs {
		js[i] = recipientJSON(r)
	}
	return MarshalJSON(js, "[]")
}

// UnmarshalRecipients decodes a JSON array written by MarshalRecipients; nil when empty.
func UnmarshalRecipients(b []byte) ([]store.Recipient, error) {
	var js []recipientJSON
	if err := json.Unmarshal(b, &js); err != nil {
		return nil, err
	}
	if len(js) == 0 {
		return nil, nil
	}
	rs := make([]store.Recipient, len(js))
	for i, r := range js {
		rs[i] = store.Recipient(r)
	}
	return rs, nil
}

// PolicyJSON returns the stored JSON of p's recipients and channels.
func PolicyJSON(p *store.AlarmPolicy) (recipients, channels string, err error) {
	if recipients, err = MarshalRecipients(p.Recipients); err != nil {
		return "", "", fmt.Errorf("recipients: %w", err)
	}
	if channels, err = MarshalJSON(p.Channels, "[]"); err != nil {
		return "", "", fmt.Errorf("channels: %w", err)
	}
	return recipients, channels, nil
}

// DecodePolicy sets p's recipients, channels (nil when none) and sealed webhook
// secret (nil when none) from their stored columns.
func DecodePolicy(p *store.AlarmPolicy, recipients, channels, secret []byte) error {
	var err error
	if p.Recipients, err = UnmarshalRecipients(recipients); err != nil {
		return fmt.Errorf("alarm policy %q: recipients: %w", p.ID, err)
	}
	if err := json.Unmarshal(channels, &p.Channels); err != nil {
		return fmt.Errorf("alarm policy %q: channels: %w", p.ID, err)
	}
	if len(p.Channels) == 0 {
		p.Channels = nil
	}
	p.WebhookSecretSealed = NilIfEmpty(secret)
	return nil
}
