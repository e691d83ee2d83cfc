// Package service is the certificate service: every rule of RULES.md lives here,
// once, with its number in a comment. It sits between the API and the store.
package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
	"github.com/sslkit/terraform-provider-ssl/internal/secrets"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// Sources of a certificate record.
const (
	SourceUploaded = "uploaded"
	SourceIssued   = "issued"
)

// DefaultProject is the project of a record created without one (U1).
const DefaultProject = "default"

// Status names and the numeric codes the service uses (DESIGN.md).
const (
	StatusIssued  = "issued"
	StatusExpired = "expired"
)

var statusCodes = map[string]int{
	"pending_review": 0, "pending_validation": 0, StatusIssued: 1, "review_failed": 2, StatusExpired: 3,
	"dns_record_added": 4, "enterprise_materials_pending": 5, "cancelling": 6, "cancelled": 7,
	"confirmation_letter_pending": 8, "revoking": 9, "revoked": 10, "reissuing": 11,
	"revocation_letter_pending": 12, "free_materials_pending": 13,
}

// Service is the certificate service.
type Service struct {
	st       store.Store
	sealer   *secrets.Sealer
	clock    clock.Clock
	settings Settings

	mu          sync.Mutex
	hierarchies map[string]*ca.Hierarchy // loaded CAs by id
}

// Review policies and validation modes (DESIGN.md, "Reviews, validation and time").
const (
	ReviewAuto       = "auto"
	ReviewManual     = "manual"
	ValidationAuto   = "auto"
	ValidationDNS    = "dns"
	ValidationHTTP   = "http"
	DefaultPublicURL = "http://127.0.0.1:8443"
)

// Settings say who stands in for the reviewer and the domain validation, and where
// the CRL and OCSP URLs point.
type Settings struct {
	// PublicURL roots the CRL distribution point and OCSP URLs of issued certificates.
	PublicURL string
	// ReviewPolicy is ReviewAuto (approve at once) or ReviewManual (wait for a reviewer).
	ReviewPolicy string
	// Validation is ValidationAuto, ValidationDNS or ValidationHTTP.
	Validation string
	// DNSServer is the resolver ("host:port") asked for TXT records under ValidationDNS;
	// "" uses the system resolver.
	DNSServer string
	// HTTPAddr, when set, is the address every validation fetch connects to under
	// ValidationHTTP (the Host header keeps the domain); "" dials the domain itself.
	HTTPAddr string
}

// New returns a service over st; secrets are sealed with sealer; time comes from c.
func New(st store.Store, sealer *secrets.Sealer, c clock.Clock, settings Settings) *Service {
	if c == nil {
		c = clock.Real{}
	}
	if settings.PublicURL == "" {
		settings.PublicURL = DefaultPublicURL
	}
	if settings.ReviewPolicy == "" {
		settings.ReviewPolicy = ReviewAuto
	}
	if settings.Validation == "" {
		settings.Validation = ValidationAuto
	}
	return &Service{st: st, sealer: sealer, clock: c, settings: settings, hierarchies: map[string]*ca.Hierarchy{}}
}

// Now is the service clock's time.
func (s *Service) Now() time.Time { return s.clock.Now() }

// Certificate is a certificate record as the service shows it: the current version,
// its effective status at the service clock's "now", and — only when asked for — the
// opened private keys.
type Certificate struct {
	store.Certificate
	PrivateKeyPEM           string
	EncryptionPrivateKeyPEM string
	// Order holds an issued certificate's order details (nil for uploads).
	Order *Order
}

func newID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "cert-" + string(b)
}

// view derives the effective status of a record at now (a certificate whose validity
// has passed is expired without anyone writing it down).
func (s *Service) view(rec *store.Certificate, now time.Time) *Certificate {
	c := &Certificate{Certificate: *rec}
	c.PrivateKeySealed, c.EncryptionKeySealed = nil, nil
	if c.Status == StatusIssued && !c.NotAfter.IsZero() && now.After(c.NotAfter) {
		c.Status = StatusExpired
	}
	c.StatusCode = statusCodes[c.Status]
	if c.Source == SourceIssued {
		c.Order = s.orderView(rec, now)
	}
	return c
}

// Get returns one certificate; withKeys opens its private keys unless they were
// given write-only.
func (s *Service) Get(ctx context.Context, id string, withKeys bool) (*Certificate, error) {
	rec, err := s.st.GetCertificate(ctx, id)
	if err != nil {
		return nil, storeErr(err, id)
	}
	c := s.view(rec, s.clock.Now())
	// R2: once a revocation is submitted the certificate can no longer be downloaded.
	revoking := rec.Status == StatusRevoking || rec.Status == StatusRevoked
	if withKeys && !rec.PrivateKeyWriteOnly && !revoking {
		if c.PrivateKeyPEM, err = s.open(rec.ID, "private_key", rec.PrivateKeySealed); err != nil {
			return nil, err
		}
		if c.EncryptionPrivateKeyPEM, err = s.open(rec.ID, "encryption_private_key", rec.EncryptionKeySealed); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Filter narrows List; zero values do not filter.
type Filter struct {
	IDs                []string
	Name               string // substring
	NameExact          string
	Domain             string // matches a SAN exactly, or a wildcard SAN that covers it
	Status             string
	Source             string
	Project            string
	Tags               map[string]string
	ExpiringWithinDays *int     // not yet expired and expiring within this many days
	Projects           []string // a token's scope: nil = all, empty = none
}

// List returns the certificates that match f, in one store query. Keys are never
// part of a list.
func (s *Service) List(ctx context.Context, f Filter) ([]*Certificate, error) {
	now := s.clock.Now()
	sf := store.CertificateFilter{
		IDs: f.IDs, Name: f.Name, NameExact: f.NameExact, Source: f.Source, Projects: f.Projects,
		Project: f.Project, Tags: f.Tags, Status: f.Status,
	}
	if f.Domain != "" {
		sf.Domains = DomainCandidates(f.Domain)
	}
	// Expiry is derived from the clock, not stored: translate the status filter.
	switch f.Status {
	case StatusExpired:
		sf.Status, sf.NotAfterTo = StatusIssued, now
	case StatusIssued:
		sf.NotAfterFrom = now
	}
	if f.ExpiringWithinDays != nil {
		if sf.NotAfterFrom.IsZero() || sf.NotAfterFrom.Before(now) {
			sf.NotAfterFrom = now
		}
		to := now.Add(time.Duration(*f.ExpiringWithinDays) * 24 * time.Hour)
		if sf.NotAfterTo.IsZero() || to.Before(sf.NotAfterTo) {
			sf.NotAfterTo = to
		}
	}
	recs, err := s.st.ListCertificates(ctx, sf)
	if err != nil {
		return nil, err
	}
	out := make([]*Certificate, 0, len(recs))
	for _, r := range recs {
		out = append(out, s.view(r, now))
	}
	return out, nil
}

// DomainCandidates lists the SANs that cover name: the name itself and the wildcard
// one label up ("www.example.com" is covered by "*.example.com").
func DomainCandidates(name string) []string {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	out := []string{name}
	if !strings.HasPrefix(name, "*.") {
		if i := strings.IndexByte(name, '.'); i > 0 && strings.Contains(name[i+1:], ".") {
			out = append(out, "*"+name[i:])
		}
	}
	return out
}

// Update is a metadata change; nil fields are left alone.
type Update struct {
	Name                          *string
	Project                       *string
	Tags                          *map[string]string
	IgnoreExpirationNotifications *bool
	// RenewBeforeDays changes an issued certificate's renewal window.
	RenewBeforeDays *int
}

// UpdateMetadata changes a record's name, project, tags or ignore flag in place.
func (s *Service) UpdateMetadata(ctx context.Context, id string, u Update) (*Certificate, error) {
	var out *store.Certificate
	err := s.st.Update(ctx, func(tx store.Tx) error {
		rec, err := tx.GetCertificate(ctx, id)
		if err != nil {
			return storeErr(err, id)
		}
		if u.Name != nil {
			rec.Name = *u.Name
		}
		if u.Project != nil {
			rec.Project = *u.Project
		}
		if u.Tags != nil {
			rec.Tags = *u.Tags
		}
		if u.IgnoreExpirationNotifications != nil {
			if *u.IgnoreExpirationNotifications && !rec.IgnoreNotifications {
				if err := checkIgnore(rec, s.clock.Now()); err != nil {
					return err
				}
			}
			rec.IgnoreNotifications = *u.IgnoreExpirationNotifications
		}
		if u.RenewBeforeDays != nil && rec.Source == SourceIssued {
			sp, err := readSpec(rec)
			if err != nil {
				return err
			}
			if *u.RenewBeforeDays < 0 || *u.RenewBeforeDays >= sp.ValidityDays {
				return invalid("renew_before_days", "Renewal Window Too Long", fmt.Sprintf("renew_before_days (%d) must be shorter than the validity (%d days).", *u.RenewBeforeDays, sp.ValidityDays))
			}
			sp.RenewBeforeDays = *u.RenewBeforeDays
			if err := writeSpec(rec, sp); err != nil {
				return err
			}
		}
		rec.UpdatedAt = s.clock.Now()
		out = rec
		return tx.UpdateCertificate(ctx, rec)
	})
	if err != nil {
		return nil, err
	}
	return s.view(out, s.clock.Now()), nil
}

// Delete removes a record: an uploaded one at any time (U5, D1); an issued one once it
// is expired, revoked (R8) or its review cancelled or failed (D1) — an issued,
// unexpired certificate must be revoked first (D2), an order under application
// cancelled first (D3).
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		rec, err := tx.GetCertificate(ctx, id)
		if err != nil {
			return storeErr(err, id)
		}
		if err := checkNotHosted(ctx, tx, id); err != nil {
			return err
		}
		if rec.Source == SourceIssued {
			if err := s.deletable(rec); err != nil {
				return err
			}
		}
		return storeErr(tx.DeleteCertificate(ctx, id), id)
	})
}

func (s *Service) deletable(rec *store.Certificate) error {
	status := s.view(rec, s.clock.Now()).Status
	switch status {
	case StatusExpired, StatusRevoked, StatusCancelled, StatusReviewFailed:
		return nil
	case StatusIssued, StatusReissuing:
		return precondition(CodeDeletionRefused, "Certificate Must Be Revoked First",
			"Certificate %s is issued and has not expired: revoke it before deleting it (rule D2).", rec.ID)
	case StatusRevoking:
		return precondition(CodeDeletionRefused, "Revocation In Progress",
			"Certificate %s is being revoked; it can be deleted once the revocation is approved (rule R8).", rec.ID)
	default:
		return precondition(CodeDeletionRefused, "Order Under Application",
			"Certificate %s is still under application (%s): cancel its review before deleting it (rule D3).", rec.ID, status)
	}
}

// idempotent runs a mutation at most once per key: a repeated key with the same
// request returns the id the first run produced; a key reused for another request is
// refused. The key is stored in the same transaction as the mutation.
func (s *Service) idempotent(ctx context.Context, key, op string, request any, fn func(tx store.Tx) (string, error)) (string, error) {
	hash := ""
	if key != "" {
		b, err := json.Marshal(request)
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(append([]byte(op+"\x00"), b...))
		hash = hex.EncodeToString(sum[:])
	}
	var id string
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if key != "" {
			prev, err := tx.GetIdempotency(ctx, key)
			switch {
			case err == nil:
				if prev.Operation != op || prev.RequestHash != hash {
					return &Error{Kind: KindConflict, Code: CodeIdempotencyReused, Summary: "Idempotency Key Reused",
						Message: "This Idempotency-Key was already used for a different request. Send a new key for a new request."}
				}
				id = prev.ResultID
				return nil
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		var err error
		if id, err = fn(tx); err != nil {
			return err
		}
		if key == "" {
			return nil
		}
		return tx.PutIdempotency(ctx, &store.Idempotency{Key: key, Operation: op, RequestHash: hash,
			ResultID: id, CreatedAt: s.clock.Now()})
	})
	return id, err
}

func (s *Service) seal(id, field, plaintext string) ([]byte, error) {
	if plaintext == "" {
		return nil, nil
	}
	return s.sealer.Seal([]byte(plaintext), []byte(id+"/"+field))
}

func (s *Service) open(id, field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	b, err := s.sealer.Open(sealed, []byte(id+"/"+field))
	if err != nil {
		return "", errors.New("a stored private key could not be decrypted: the master key (SSL_MASTER_KEY or master.key) is not the one it was sealed with")
	}
	return string(b), nil
}
