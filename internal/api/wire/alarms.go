package wire

import "time"

// Recipient is who an alarm notifies (A4).
type Recipient struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// AlarmRequest creates or updates an expiration alarm policy (A1–A5).
type AlarmRequest struct {
	Name             string      `json:"name"`
	Remarks          string      `json:"remarks,omitempty"`
	Project          string      `json:"project,omitempty"`
	CertificateIDs   []string    `json:"certificate_ids,omitempty"`
	DaysBeforeExpiry int         `json:"days_before_expiry,omitempty"`
	RepeatInterval   string      `json:"repeat_interval,omitempty"`
	Recipients       []Recipient `json:"recipients,omitempty"`
	Channels         []string    `json:"channels"`
	WebhookURL       string      `json:"webhook_url,omitempty"`
	WebhookSecret    string      `json:"webhook_secret,omitempty"`
	// KeepWebhookSecret leaves the stored secret alone on an update.
	KeepWebhookSecret bool `json:"keep_webhook_secret,omitempty"`
	Enabled           bool `json:"enabled"`
}

// Validate checks the request's shape; the policy rules are the service's.
func (r *AlarmRequest) Validate() error { return nil }

// Alarm is a stored policy (never with its secret).
type Alarm struct {
	ID                   string      `json:"id"`
	Name                 string      `json:"name"`
	Remarks              string      `json:"remarks"`
	Project              string      `json:"project"`
	CertificateIDs       []string    `json:"certificate_ids"`
	DaysBeforeExpiry     int         `json:"days_before_expiry"`
	RepeatInterval       string      `json:"repeat_interval"`
	Recipients           []Recipient `json:"recipients"`
	Channels             []string    `json:"channels"`
	WebhookURL           string      `json:"webhook_url"`
	HasWebhookSecret     bool        `json:"has_webhook_secret"`
	Enabled              bool        `json:"enabled"`
	FiringCertificateIDs []string    `json:"firing_certificate_ids"`
	LastEvaluatedAt      *time.Time  `json:"last_evaluated_at,omitempty"`
}

// Notification is one outbox row.
type Notification struct {
	ID            string     `json:"id"`
	PolicyID      string     `json:"policy_id"`
	CertificateID string     `json:"certificate_id"`
	NotAfter      time.Time  `json:"not_after"`
	DaysLeft      int        `json:"days_left"`
	Recipient     Recipient  `json:"recipient"`
	Channel       string     `json:"channel"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
}

// NotificationList is the answer of GET /v1/notifications.
type NotificationList struct {
	Notifications []Notification `json:"notifications"`
}

// IgnoreCheck asks whether a certificate expiring at NotAfter may be ignored now (N1).
type IgnoreCheck struct {
	NotAfter time.Time `json:"not_after"`
}

// Validate checks the request's shape.
func (r *IgnoreCheck) Validate() error {
	if r.NotAfter.IsZero() {
		return FieldError("not_after", "Expiry Required", "not_after is required.")
	}
	return nil
}

// EvaluateResult is the answer of POST /v1/admin/alarms/evaluate.
type EvaluateResult struct {
	Written int `json:"written"`
}
