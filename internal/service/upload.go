package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// UploadInput hosts a third-party certificate (U1–U3).
type UploadInput struct {
	Name                          string
	Project                       string
	Tags                          map[string]string
	Material                      certs.UploadInput
	PrivateKeyWriteOnly           bool
	IgnoreExpirationNotifications bool
}

// Upload checks the material (U2–U4) and stores a new record; uploads are never
// de-duplicated. A repeated idempotency key returns the first upload's record.
func (s *Service) Upload(ctx context.Context, idemKey string, in UploadInput) (*Certificate, []certs.Problem, error) {
	now := s.clock.Now()
	if strings.TrimSpace(in.Name) == "" {
		return nil, nil, invalid("name", "Name Required", "The certificate needs a name (rule U1).")
	}
	if in.Project == "" {
		in.Project = DefaultProject
	}
	in.Material.KeysUnknown = false
	bundle, problems := certs.CheckUpload(in.Material, now)
	if certs.HasErrors(problems) || bundle == nil {
		return nil, nil, refusedUpload(problems)
	}
	id, err := s.idempotent(ctx, idemKey, "upload.create", in, func(tx store.Tx) (string, error) {
		rec := &store.Certificate{
			ID: newID(), Project: in.Project, Name: in.Name, Source: SourceUploaded,
			Tags: in.Tags, IgnoreNotifications: in.IgnoreExpirationNotifications,
			Status: StatusIssued, Version: 1, CreatedAt: now,
		}
		if err := s.applyMaterial(rec, in.Material, bundle, in.PrivateKeyWriteOnly, now); err != nil {
			return "", err
		}
		if rec.IgnoreNotifications {
			if err := checkIgnore(rec, now); err != nil {
				return "", err
			}
		}
		if err := tx.InsertCertificate(ctx, rec); err != nil {
			return "", err
		}
		return rec.ID, tx.InsertVersion(ctx, versionOf(rec, "upload"))
	})
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Get(ctx, id, false)
	return c, warnings(problems), err
}

// RotateInput is a new certificate (and key) for an uploaded record. An empty
// PrivateKeyPEM keeps the current key, which must then match the new certificate.
type RotateInput struct {
	Material            certs.UploadInput
	PrivateKeyWriteOnly bool
}

// Rotate makes a new version of an uploaded record with new material, in place (same
// id), like the service's one-click certificate update.
func (s *Service) Rotate(ctx context.Context, idemKey, id string, in RotateInput) (*Certificate, []certs.Problem, error) {
	now := s.clock.Now()
	var problems []certs.Problem
	_, err := s.idempotent(ctx, idemKey, "upload.rotate/"+id, in, func(tx store.Tx) (string, error) {
		rec, err := tx.GetCertificate(ctx, id)
		if err != nil {
			return "", storeErr(err, id)
		}
		if rec.Source != SourceUploaded {
			return "", &Error{Kind: KindFailedPrecondition, Code: CodeNotUploaded, Summary: "Not An Uploaded Certificate",
				Message: fmt.Sprintf("Certificate %s was issued by the service; its key changes through a reissue, not an upload rotation.", id)}
		}
		m := in.Material
		m.KeysUnknown = false
		if m.Standard == "" {
			m.Standard = rec.Standard
		}
		keyWO := in.PrivateKeyWriteOnly
		if m.PrivateKeyPEM == "" {
			if m.PrivateKeyPEM, err = s.open(rec.ID, "private_key", rec.PrivateKeySealed); err != nil {
				return "", err
			}
			keyWO = rec.PrivateKeyWriteOnly
			if m.EncryptionPrivateKeyPEM == "" && m.Standard == certs.StandardSM2 {
				if m.EncryptionPrivateKeyPEM, err = s.open(rec.ID, "encryption_private_key", rec.EncryptionKeySealed); err != nil {
					return "", err
				}
			}
		}
		bundle, ps := certs.CheckUpload(m, now)
		if certs.HasErrors(ps) || bundle == nil {
			return "", refusedUpload(ps)
		}
		problems = ps
		rec.Version++
		rec.IgnoreNotifications = false // a new version clears the ignore (N1)
		if err := s.applyMaterial(rec, m, bundle, keyWO, now); err != nil {
			return "", err
		}
		if err := tx.UpdateCertificate(ctx, rec); err != nil {
			return "", err
		}
		if err := tx.InsertVersion(ctx, versionOf(rec, "rotation")); err != nil {
			return "", err
		}
		return rec.ID, s.redeploy(ctx, tx, rec, rec.Version-1)
	})
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Get(ctx, id, false)
	return c, warnings(problems), err
}

// applyMaterial copies what the checked material says onto the record and seals the keys.
func (s *Service) applyMaterial(rec *store.Certificate, m certs.UploadInput, b *certs.Bundle, keyWO bool, now time.Time) error {
	std := m.Standard
	if std == "" {
		std = certs.StandardInternational
	}
	rec.Standard = std
	rec.Domain, rec.SANs = b.Domain, b.SANs
	rec.Issuer, rec.SerialNumber = b.Issuer, b.SerialNumber
	rec.NotBefore, rec.NotAfter = b.NotBefore, b.NotAfter
	rec.FingerprintSHA256 = b.FingerprintSHA256
	rec.KeyAlgorithm, rec.KeySize = b.KeyAlgorithm, b.KeySize
	rec.CertificatePEM = m.CertificatePEM
	rec.LeafPEM, rec.CAChainPEM, rec.ChainComplete = b.LeafPEM, b.CAChainPEM, b.ChainComplete
	rec.EncryptionCertPEM = m.EncryptionCertificatePEM
	rec.PrivateKeyWriteOnly = keyWO
	rec.UpdatedAt = now
	var err error
	if rec.PrivateKeySealed, err = s.seal(rec.ID, "private_key", m.PrivateKeyPEM); err != nil {
		return err
	}
	rec.EncryptionKeySealed, err = s.seal(rec.ID, "encryption_private_key", m.EncryptionPrivateKeyPEM)
	return err
}

func versionOf(rec *store.Certificate, kind string) *store.CertificateVersion {
	return &store.CertificateVersion{
		CertificateID: rec.ID, Version: rec.Version, Kind: kind, SerialNumber: rec.SerialNumber,
		NotBefore: rec.NotBefore, NotAfter: rec.NotAfter, FingerprintSHA256: rec.FingerprintSHA256,
		CertificatePEM: rec.LeafPEM, CreatedAt: rec.UpdatedAt,
	}
}

func warnings(ps []certs.Problem) []certs.Problem {
	var out []certs.Problem
	for _, p := range ps {
		if p.Severity == certs.Warning {
			out = append(out, p)
		}
	}
	return out
}
