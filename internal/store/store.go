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

	// GetHosting returns one hosting (with its resources) by id.
	GetHosting(ctx context.Context, id string) (*Hosting, error)
	// ListHostings returns the hostings that match f (with their resources), ordered
	// by creation time then id, in one query.
	ListHostings(ctx context.Context, f HostingFilter) ([]*Hosting, error)
	// ListDeployments returns the deployments that match f, newest first (started_at
	// descending, then id), in one query.
	ListDeployments(ctx context.Context, f DeploymentFilter) ([]*Deployment, error)

	// GetAlarmPolicy returns one alarm policy (webhook secret still sealed).
	GetAlarmPolicy(ctx context.Context, id string) (*AlarmPolicy, error)
	// ListAlarmPolicies returns the policies of the given projects (nil: all), by id.
	ListAlarmPolicies(ctx context.Context, projects []string) ([]*AlarmPolicy, error)
	// FindAlarmCandidates returns, in ONE query indexed on certificates.not_after, the
	// (enabled policy, certificate) pairs where now (q.Now) <= not_after <= now +
	// days_before_expiry days, the certificate does not ignore notifications, and the
	// certificate is among the policy's CertificateIDs — or, when the policy names none,
	// in the policy's project; with the last time that pair fired for that not_after
	// (zero when never). Ordered by policy id, then certificate id. Narrowed to what q
	// asks for (see AlarmCandidateQuery; only Now set: every pair):
	// what an evaluation acts on, or one policy's firing certificates.
	FindAlarmCandidates(ctx context.Context, q AlarmCandidateQuery) ([]*AlarmCandidate, error)
	// ListNotifications returns outbox rows that match f, oldest first (created_at, id).
	ListNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, error)
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

	// InsertHosting stores a hosting and its resources; ErrConflict when the id exists
	// or one of its resources is already bound by another hosting (a platform resource
	// serves one certificate at a time).
	InsertHosting(ctx context.Context, h *Hosting) error
	// UpdateHosting rewrites a hosting's certificate and resources (ErrConflict as for
	// insert, ErrNotFound when it does not exist).
	UpdateHosting(ctx context.Context, h *Hosting) error
	// DeleteHosting removes a hosting and its resource bindings (deployments stay, as
	// history); ErrNotFound when it does not exist.
	DeleteHosting(ctx context.Context, id string) error
	// InsertDeployment records a deployment; ErrConflict when the id exists.
	InsertDeployment(ctx context.Context, d *Deployment) error
	// UpdateDeployment rewrites a deployment's status, message and finish time;
	// ErrNotFound when it does not exist.
	UpdateDeployment(ctx context.Context, d *Deployment) error

	// InsertAlarmPolicy stores a policy; ErrConflict when the id exists.
	InsertAlarmPolicy(ctx context.Context, p *AlarmPolicy) error
	// UpdateAlarmPolicy rewrites every field of a policy; ErrNotFound when missing.
	UpdateAlarmPolicy(ctx context.Context, p *AlarmPolicy) error
	// DeleteAlarmPolicy removes a policy and its firing records (notifications stay, as
	// history); ErrNotFound when missing.
	DeleteAlarmPolicy(ctx context.Context, id string) error
	// InsertNotification adds an outbox row; ErrConflict when its id or its
	// DedupKey exists (the same evaluation never writes a notification twice).
	InsertNotification(ctx context.Context, n *Notification) error
	// UpdateNotification rewrites an outbox row's delivery fields (status, attempts,
	// next attempt, last error, sent time); ErrNotFound when missing.
	UpdateNotification(ctx context.Context, n *Notification) error
	// RecordFiring upserts the last time a (policy, certificate, not_after) fired.
	RecordFiring(ctx context.Context, policyID, certificateID string, notAfter, at time.Time) error
	// InsertNotifications adds outbox rows in bulk (what one evaluation fired) and
	// returns how many it inserted: a row whose id or DedupKey exists is skipped
	// (that evaluation already wrote it), not an error.
	InsertNotifications(ctx context.Context, ns []*Notification) (int, error)
	// RecordFirings is RecordFiring for many pairs at once, all fired at at;
	// ErrNotFound (and nothing written) when a firing's policy does not exist.
	RecordFirings(ctx context.Context, at time.Time, fs []AlarmFiring) error
	// MarkAlarmsEvaluated sets LastEvaluatedAt of every enabled policy to at.
	MarkAlarmsEvaluated(ctx context.Context, at time.Time) error
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

// PlatformResource is a platform resource a certificate can serve (H1, H4): a type
// (CLB, CDN, WAF, …), an instance id in that type's format, and a region where the
// type has one ("" otherwise).
type PlatformResource struct {
	Type       string
	InstanceID string
	Region     string
}

// Hosting binds a certificate record to platform resources (H1–H4).
type Hosting struct {
	ID            string
	Project       string
	CertificateID string
	Resources     []PlatformResource // ordered by type, instance id, region
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// HostingFilter narrows ListHostings; zero values do not filter.
type HostingFilter struct {
	CertificateID string
	Projects      []string // nil: all; empty non-nil: none
	Resource      *PlatformResource
}

// Deployment is one deployment of a certificate version onto a platform resource.
type Deployment struct {
	ID                    string
	HostingID             string
	Resource              PlatformResource
	CertificateID         string
	Version               int
	SerialNumber          string
	Status                string // "deploying" | "deployed" | "failed" | "rolled_back"
	ReplacedCertificateID string
	ReplacedVersion       int
	Message               string
	StartedAt             time.Time
	FinishedAt            time.Time // zero while deploying
}

// DeploymentFilter narrows ListDeployments; zero values do not filter.
type DeploymentFilter struct {
	CertificateID string
	HostingID     string
	Type          string
	InstanceID    string
	Projects      []string // via the certificate's project; nil: all
	Limit         int      // 0: no limit
}

// Recipient is who an alarm notifies (A4).
type Recipient struct {
	Name  string
	Email string
	Phone string
}

// AlarmPolicy is an expiration alarm policy (A1–A5).
type AlarmPolicy struct {
	ID                  string
	Name                string
	Remarks             string
	Project             string
	CertificateIDs      []string // empty: every certificate of the project (A2)
	DaysBeforeExpiry    int
	RepeatInterval      string // "once" or a Go duration such as "24h"
	Recipients          []Recipient
	Channels            []string // "EMAIL" | "SMS" | "WEBHOOK"
	WebhookURL          string
	WebhookSecretSealed []byte
	Enabled             bool
	LastEvaluatedAt     time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// AlarmCandidate is one (policy, certificate) pair inside the policy's threshold.
type AlarmCandidate struct {
	PolicyID      string
	CertificateID string
	NotAfter      time.Time
	LastFiredAt   time.Time // zero: never fired for this not_after
}

// AlarmCandidateQuery narrows FindAlarmCandidates; zero values do not filter.
type AlarmCandidateQuery struct {
	Now      time.Time // the evaluation's now
	PolicyID string    // only this (enabled) policy's pairs
	Statuses []string  // only certificates in one of these statuses (nil: any; empty: none)
	// Due keeps only the pairs that may fire again: those that never fired for the
	// certificate's not_after and, when RefireBefore is not zero, those of a
	// repeating policy (RepeatInterval neither "once" nor "") that last fired
	// before RefireBefore. The caller applies its exact repeat rule to the latter.
	Due          bool
	RefireBefore time.Time
}

// AlarmFiring is one (policy, certificate, not_after) that fired.
type AlarmFiring struct {
	PolicyID      string
	CertificateID string
	NotAfter      time.Time
}

// Notification is one outbox row: one message to one recipient on one channel.
type Notification struct {
	ID            string
	DedupKey      string // unique: policy, certificate, not_after, recipient, channel, evaluation slot
	PolicyID      string
	CertificateID string
	NotAfter      time.Time
	DaysLeft      int
	Recipient     Recipient
	Channel       string
	Status        string // "pending" | "sent" | "failed"
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time // zero until sent
}

// NotificationFilter narrows ListNotifications; zero values do not filter.
type NotificationFilter struct {
	PolicyID      string
	CertificateID string
	Channel       string
	Status        string
	DueBy         time.Time // pending rows whose NextAttemptAt <= DueBy (when not zero)
	Projects      []string  // via the policy's project; nil: all
	Limit         int
}
