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
	"strings"
	"time"

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
	"pending_review": 0, StatusIssued: 1, "review_failed": 2, StatusExpired: 3,
	"dns_record_added": 4, "enterprise_materials_pending": 5, "cancelling": 6, "cancelled": 7,
	"confirmation_letter_pending": 8, "revoking": 9, "revoked": 10, "reissuing": 11,
	"revocation_letter_pending": 12, "free_materials_pending": 13,
}

// Service is the certificate service.
type Service struct {
	st     store.Store
	sealer *secrets.Sealer
	clock  clock.Clock
}

// New returns a service over st; secrets are sealed with sealer; time comes from c.
func New(st store.Store, sealer *secrets.Sealer, c clock.Clock) *Service {
	if c == nil {
		c = clock.Real{}
	}
	return &Service{st: st, sealer: sealer, clock: c}
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
	if withKeys && !rec.PrivateKeyWriteOnly {
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
	ExpiringWithinDays *int // not yet expired and expiring within this many days
}

// List returns the certificates that match f, in one store query. Keys are never
// part of a list.
func (s *Service) List(ctx context.Context, f Filter) ([]*Certificate, error) {
	now := s.clock.Now()
	sf := store.CertificateFilter{
		IDs: f.IDs, Name: f.Name, NameExact: f.NameExact, Source: f.Source,
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
			rec.IgnoreNotifications = *u.IgnoreExpirationNotifications
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

// Delete removes a record. Uploaded certificates can be deleted at any time (U5, D1).
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetCertificate(ctx, id); err != nil {
			return storeErr(err, id)
		}
		// D4 (a certificate bound by hosting) is checked here once hosting exists.
		return storeErr(tx.DeleteCertificate(ctx, id), id)
	})
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
