package service

import (
	"errors"
	"fmt"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// Kind classifies a service error; the API maps it to an HTTP status.
type Kind int

const (
	// KindInternal is a failure the caller cannot fix.
	KindInternal Kind = iota
	// KindInvalid is a request whose content is wrong.
	KindInvalid
	// KindNotFound is a record that does not exist (or that the caller may not see).
	KindNotFound
	// KindConflict is a request that clashes with another one (e.g. a reused idempotency key).
	KindConflict
	// KindFailedPrecondition is a request the record's state forbids (a rule refuses it).
	KindFailedPrecondition
)

// Error is a typed refusal: a kind, a stable code, a short summary, a message that
// says what the user can do, and the problems (per field) behind it.
type Error struct {
	Kind     Kind
	Code     string
	Summary  string
	Message  string
	Field    string
	Problems []certs.Problem
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Summary, e.Message) }

// Stable error codes of the service.
const (
	CodeInvalidCertificate = "invalid_certificate"
	CodeNotFound           = "not_found"
	CodeIdempotencyReused  = "idempotency_key_reused"
	CodeNotUploaded        = "not_uploaded"
	CodeInvalidArgument    = "invalid_argument"
)

func notFound(id string) *Error {
	return &Error{Kind: KindNotFound, Code: CodeNotFound, Summary: "Certificate Not Found",
		Message: fmt.Sprintf("No certificate with id %q exists. It may have been deleted outside Terraform.", id)}
}

func invalid(field, summary, message string) *Error {
	return &Error{Kind: KindInvalid, Code: CodeInvalidArgument, Field: field, Summary: summary, Message: message}
}

// refusedUpload turns the certificate checks' errors into one typed error (U4).
func refusedUpload(problems []certs.Problem) *Error {
	var errs []certs.Problem
	for _, p := range problems {
		if p.Severity == certs.Error {
			errs = append(errs, p)
		}
	}
	e := &Error{Kind: KindInvalid, Code: CodeInvalidCertificate, Problems: errs,
		Summary: "Certificate Refused", Message: "The certificate material does not conform (rule U4)."}
	if len(errs) > 0 {
		e.Summary, e.Message, e.Field = errs[0].Summary, errs[0].Message, errs[0].Field
	}
	return e
}

// storeErr maps a store error for record id into a service error.
func storeErr(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(id)
	}
	return err
}
