// Package wire holds the JSON types of the backend's HTTP API, shared by the API
// handlers and the Go client. It depends on nothing else in the backend.
package wire

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// IdempotencyHeader carries the key that makes a mutating request safe to retry.
const IdempotencyHeader = "Idempotency-Key"

// Certificate is a certificate record and its current version.
type Certificate struct {
	ID                            string            `json:"id"`
	Project                       string            `json:"project"`
	Name                          string            `json:"name"`
	Source                        string            `json:"source"`
	Standard                      string            `json:"standard"`
	Status                        string            `json:"status"`
	StatusCode                    int               `json:"status_code"`
	Tags                          map[string]string `json:"tags"`
	IgnoreExpirationNotifications bool              `json:"ignore_expiration_notifications"`
	Version                       int               `json:"version"`
	Domain                        string            `json:"domain"`
	SubjectAlternativeNames       []string          `json:"subject_alternative_names"`
	Issuer                        string            `json:"issuer"`
	SerialNumber                  string            `json:"serial_number"`
	NotBefore                     time.Time         `json:"not_before"`
	NotAfter                      time.Time         `json:"not_after"`
	FingerprintSHA256             string            `json:"fingerprint_sha256"`
	KeyAlgorithm                  string            `json:"key_algorithm"`
	KeySize                       int               `json:"key_size"`
	// CertificatePEM is the certificate bundle exactly as it was uploaded.
	CertificatePEM string `json:"certificate_pem"`
	// LeafPEM, CAChainPEM and FullChainPEM are normalised (leaf first, LF endings).
	LeafPEM                  string `json:"leaf_pem"`
	CAChainPEM               string `json:"ca_chain_pem"`
	FullChainPEM             string `json:"full_chain_pem"`
	ChainComplete            bool   `json:"chain_complete"`
	EncryptionCertificatePEM string `json:"encryption_certificate_pem,omitempty"`
	// PrivateKeyPEM is returned only by the single-certificate read, to a caller
	// allowed on the project, and only when the key was not given write-only.
	PrivateKeyPEM           string `json:"private_key_pem,omitempty"`
	EncryptionPrivateKeyPEM string `json:"encryption_private_key_pem,omitempty"`
	// PrivateKeyWriteOnly tells that the key came from a write-only attribute.
	PrivateKeyWriteOnly bool `json:"private_key_write_only"`
	// Order holds an issued certificate's order details (nil for uploads).
	Order     *OrderDetails `json:"order,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	// Warnings are findings that did not refuse the request (e.g. chain incomplete).
	Warnings []Problem `json:"warnings,omitempty"`
}

// UploadRequest hosts a third-party certificate (U1–U3).
type UploadRequest struct {
	Name                          string            `json:"name"`
	Project                       string            `json:"project"`
	Tags                          map[string]string `json:"tags"`
	Standard                      string            `json:"standard"`
	CertificatePEM                string            `json:"certificate_pem"`
	PrivateKeyPEM                 string            `json:"private_key_pem"`
	EncryptionCertificatePEM      string            `json:"encryption_certificate_pem"`
	EncryptionPrivateKeyPEM       string            `json:"encryption_private_key_pem"`
	PrivateKeyWriteOnly           bool              `json:"private_key_write_only"`
	IgnoreExpirationNotifications bool              `json:"ignore_expiration_notifications"`
}

// Validate checks the request's shape; the certificate checks are the service's.
func (r *UploadRequest) Validate() error {
	if strings.TrimSpace(r.Name) == "" {
		return FieldError("name", "Name Required", "The certificate needs a name.")
	}
	return validateTags(r.Tags)
}

// RotateRequest replaces the certificate (and key) of an uploaded record with a new
// version. An empty PrivateKeyPEM keeps the current key, which must then match.
type RotateRequest struct {
	Standard                 string `json:"standard"`
	CertificatePEM           string `json:"certificate_pem"`
	PrivateKeyPEM            string `json:"private_key_pem"`
	EncryptionCertificatePEM string `json:"encryption_certificate_pem"`
	EncryptionPrivateKeyPEM  string `json:"encryption_private_key_pem"`
	PrivateKeyWriteOnly      bool   `json:"private_key_write_only"`
}

// Validate checks the request's shape.
func (r *RotateRequest) Validate() error { return nil }

// UpdateRequest changes a record's metadata in place; nil fields are left alone.
type UpdateRequest struct {
	Name                          *string            `json:"name,omitempty"`
	Project                       *string            `json:"project,omitempty"`
	Tags                          *map[string]string `json:"tags,omitempty"`
	IgnoreExpirationNotifications *bool              `json:"ignore_expiration_notifications,omitempty"`
	RenewBeforeDays               *int               `json:"renew_before_days,omitempty"`
}

// Validate checks the request's shape.
func (r *UpdateRequest) Validate() error {
	if r.Name != nil && strings.TrimSpace(*r.Name) == "" {
		return FieldError("name", "Name Required", "The certificate needs a name.")
	}
	if r.Project != nil && strings.TrimSpace(*r.Project) == "" {
		return FieldError("project", "Project Required", "The project cannot be empty; leave it out to use \"default\".")
	}
	if r.Tags != nil {
		return validateTags(*r.Tags)
	}
	return nil
}

// CertificateList is the answer of GET /v1/certificates.
type CertificateList struct {
	Certificates []Certificate `json:"certificates"`
}

// ListFilter narrows GET /v1/certificates; zero values do not filter.
type ListFilter struct {
	IDs                []string          `json:"ids,omitempty"`
	Name               string            `json:"name,omitempty"`
	NameExact          string            `json:"name_exact,omitempty"`
	Domain             string            `json:"domain,omitempty"`
	Status             string            `json:"status,omitempty"`
	Source             string            `json:"source,omitempty"`
	Project            string            `json:"project,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	ExpiringWithinDays *int              `json:"expiring_within_days,omitempty"`
}

// Validate checks the filter's values.
func (f *ListFilter) Validate() error {
	switch f.Source {
	case "", "uploaded", "issued":
	default:
		return FieldError("source", "Invalid Source", fmt.Sprintf("source must be \"uploaded\" or \"issued\", not %q.", f.Source))
	}
	if f.ExpiringWithinDays != nil && *f.ExpiringWithinDays < 0 {
		return FieldError("expiring_within_days", "Invalid Day Count", "expiring_within_days must be zero or more.")
	}
	return nil
}

// Problem is one finding about a request, tied to a field when one is at fault.
type Problem struct {
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Summary string `json:"summary"`
	Message string `json:"message"`
}

// Error codes that travel in Error.Code.
const (
	CodeInvalid             = "invalid_argument"
	CodeNotFound            = "not_found"
	CodeConflict            = "conflict"
	CodeFailedPrecondition  = "failed_precondition"
	CodeIdempotencyMismatch = "idempotency_key_reused"
	CodeUnauthenticated     = "unauthenticated"
	CodeInternal            = "internal"
)

// Error is the one error type of the API: an HTTP status, a stable code, a message
// that says what the user can do, and the problems behind it. The server renders it
// as {"error": …}; the client decodes it back.
type Error struct {
	Status   int       `json:"status"`
	Code     string    `json:"code"`
	Summary  string    `json:"summary"`
	Message  string    `json:"message"`
	Field    string    `json:"field,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s (%s): %s", e.Summary, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Summary, e.Message)
}

// ErrorBody is the JSON envelope of an error response.
type ErrorBody struct {
	Error *Error `json:"error"`
}

// FieldError is an invalid-argument error about one field.
func FieldError(field, summary, message string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Field: field, Summary: summary, Message: message}
}

func validateTags(tags map[string]string) error {
	for k := range tags {
		if strings.TrimSpace(k) == "" {
			return FieldError("tags", "Invalid Tag", "Tag keys cannot be empty.")
		}
	}
	return nil
}
