// Package store defines how the certificate service keeps its data. The service
// depends only on this interface; sqlite/ and postgres/ implement it and one
// conformance suite (storetest) runs against every implementation.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when an insert collides with an existing key.
var ErrConflict = errors.New("store: conflict")

// Store is the persistence of the certificate service.
//
// Reads outside a transaction see the last committed state. Every mutation runs
// inside Update, in one transaction that is committed only when fn returns nil;
// implementations serialise writers (SQLite: BEGIN IMMEDIATE with a busy timeout)
// so that a read-check-write inside fn is atomic.
type Store interface {
	Reader
	// Update runs fn in a read-write transaction.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// Close releases the store.
	Close() error
}

// Reader holds the read operations, available both on the store and inside a transaction.
type Reader interface {
	// GetCertificate returns one certificate record (secrets included, still sealed).
	GetCertificate(ctx context.Context, id string) (*Certificate, error)
	// ListCertificates returns the records that match f, ordered by creation time then id,
	// in one query. Secrets are never filled in by a list.
	ListCertificates(ctx context.Context, f CertificateFilter) ([]*Certificate, error)
	// ListVersions returns every version of one certificate, oldest first.
	ListVersions(ctx context.Context, certificateID string) ([]*CertificateVersion, error)
	// GetIdempotency returns the record stored for an idempotency key.
	GetIdempotency(ctx context.Context, key string) (*Idempotency, error)
	// GetAuthority returns one issuing CA hierarchy by id (e.g. "trustasia-rsa").
	GetAuthority(ctx context.Context, id string) (*Authority, error)
	// ListAuthorities returns every stored CA hierarchy, ordered by id.
	ListAuthorities(ctx context.Context) ([]*Authority, error)
	// GetSerial returns the record of one serial number issued by a CA.
	GetSerial(ctx context.Context, caID, serial string) (*Serial, error)
	// ListRevokedSerials returns the revoked serials of one CA, ordered by serial.
	ListRevokedSerials(ctx context.Context, caID string) ([]*Serial, error)
}

// Tx is a read-write transaction.
type Tx interface {
	Reader
	// InsertCertificate adds a new record; ErrConflict when the id exists.
	InsertCertificate(ctx context.Context, c *Certificate) error
	// UpdateCertificate overwrites every field of an existing record (secrets too);
	// ErrNotFound when it does not exist.
	UpdateCertificate(ctx context.Context, c *Certificate) error
	// DeleteCertificate removes a record, its versions and its domains; ErrNotFound
	// when it does not exist.
	DeleteCertificate(ctx context.Context, id string) error
	// InsertVersion records one version of a certificate (its history).
	InsertVersion(ctx context.Context, v *CertificateVersion) error
	// PutIdempotency stores the outcome of a mutating request under its key;
	// ErrConflict when the key already exists.
	PutIdempotency(ctx context.Context, r *Idempotency) error
	// InsertAuthority stores a CA hierarchy; ErrConflict when the id exists (another
	// process created it first: read that one).
	InsertAuthority(ctx context.Context, a *Authority) error
	// UpdateAuthority overwrites a CA hierarchy's mutable fields (CRL number); ErrNotFound
	// when it does not exist.
	UpdateAuthority(ctx context.Context, a *Authority) error
	// InsertSerial records a serial number a CA issued; ErrConflict when (ca_id, serial) exists.
	InsertSerial(ctx context.Context, s *Serial) error
	// RevokeSerials marks every not yet revoked serial of a certificate record revoked at
	// at with reason (RFC 5280 code) and returns how many it marked. Serials stay
	// after their certificate record is deleted: a CRL keeps listing them.
	RevokeSerials(ctx context.Context, certificateID string, at time.Time, reason int) (int, error)
	// RevokeSerial marks one serial revoked (e.g. superseded by a reissue); ErrNotFound
	// when it does not exist.
	RevokeSerial(ctx context.Context, caID, serial string, at time.Time, reason int) error
}

// Certificate is the stored form of a certificate record and its current version.
type Certificate struct {
	ID                  string
	Project             string
	Name                string
	Source              string // "uploaded" | "issued"
	Standard            string // "international" | "sm2"
	Status              string // e.g. "issued", "expired", "revoked"
	StatusCode          int
	Tags                map[string]string
	IgnoreNotifications bool
	Version             int
	Domain              string
	SANs                []string // every DNS name the certificate covers (domain included); indexed for domain filters
	Issuer              string
	SerialNumber        string // lowercase hex
	NotBefore           time.Time
	NotAfter            time.Time
	FingerprintSHA256   string // lowercase hex, no colons
	KeyAlgorithm        string // "RSA" | "ECC" | "SM2"
	KeySize             int
	CertificatePEM      string // as the user gave it (upload) or as issued (leaf)
	LeafPEM             string // normalised leaf
	CAChainPEM          string // normalised intermediates (and root when given), leaf excluded
	ChainComplete       bool
	EncryptionCertPEM   string // SM2 only: as given
	PrivateKeySealed    []byte // sealed (AES-256-GCM) private key PEM, as given
	EncryptionKeySealed []byte // SM2 only: sealed encryption private key PEM
	PrivateKeyWriteOnly bool   // the key came from a write-only attribute: never echoed back
	Spec                string // JSON of source-specific details (issued orders), opaque to the store
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// CertificateVersion is one version in a record's history.
type CertificateVersion struct {
	CertificateID     string
	Version           int
	Kind              string // "upload" | "rotation" | "issue" | "reissue" | "renewal"
	SerialNumber      string
	NotBefore         time.Time
	NotAfter          time.Time
	FingerprintSHA256 string
	CertificatePEM    string
	CreatedAt         time.Time
}

// CertificateFilter narrows ListCertificates. Zero values do not filter.
type CertificateFilter struct {
	IDs          []string          // only these ids
	Projects     []string          // only these projects (a token's scope)
	Project      string            // exact project
	Name         string            // substring of the name
	NameExact    string            // exact name
	Domains      []string          // any of these names among the SANs (the caller expands wildcards)
	Status       string            // exact status
	Source       string            // "uploaded" | "issued"
	Tags         map[string]string // every pair must be present
	NotAfterFrom time.Time         // not_after >= this (when not zero)
	NotAfterTo   time.Time         // not_after <= this (when not zero)
}

// Idempotency remembers the outcome of a mutating request under its key, so that a
// retried request returns the first result instead of acting twice.
type Idempotency struct {
	Key         string
	Operation   string // e.g. "upload.create"
	RequestHash string // sha256 of the canonical request, to refuse a key reused for another request
	ResultID    string // id of the record the request produced or touched
	CreatedAt   time.Time
}

// Authority is a stored issuing CA hierarchy (root + intermediate), keys sealed.
type Authority struct {
	ID                    string // "<brand>-<algorithm>", e.g. "trustasia-rsa"
	Brand                 string
	KeyAlgorithm          string
	RootPEM               string
	IntermediatePEM       string
	RootKeySealed         []byte
	IntermediateKeySealed []byte
	CRLNumber             int64 // last CRL number used
	CreatedAt             time.Time
}

// Serial is one serial number a CA issued, and its revocation (R3).
type Serial struct {
	CAID          string
	Serial        string // lowercase hex
	CertificateID string
	Version       int
	NotAfter      time.Time
	Revoked       bool
	RevokedAt     time.Time
	Reason        int // RFC 5280 CRLReason code
	CreatedAt     time.Time
}
