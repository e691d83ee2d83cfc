package service

import (
	"context"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

const opRenewal = "renewal"

// Renew gives an issued (or expired) certificate a new version with a new validity
// period — a renewal order for paid products, a re-application for free ones — in
// place: the id stays, the current version keeps being served until its successor
// is issued, and the new version is deployed to the bound resources (H1). It waits
// for validation or review like an order when those are not automatic.
func (s *Service) Renew(ctx context.Context, idemKey, id string) (*Certificate, error) {
	if err := s.prepareAuthorities(ctx, id); err != nil {
		return nil, err
	}
	return s.mutateIssued(ctx, idemKey, "renew", id, nil, func(tx store.Tx, rec *store.Certificate, sp *orderSpec) error {
		if sp.Pending != nil && sp.Pending.Kind == opRenewal {
			return nil // already submitted
		}
		if rec.Status != StatusIssued || sp.Pending != nil {
			return precondition(CodeReissueRefused, "Certificate Cannot Be Renewed",
				"Only an issued or expired certificate with nothing pending can be renewed; certificate %s is %s.", id, s.view(rec, s.clock.Now()).Status)
		}
		if sp.PasswordVerifier != "" {
			return precondition(CodeReissueRefused, "Renewal Needs The Key Password",
				"Certificate %s has a private key password, which the service never keeps (rule I6): reissue it without a password before renewing, or replace it.", id)
		}
		if sp.CSRPEM != "" {
			return precondition(CodeReissueRefused, "Renewal Needs A New CSR",
				"Certificate %s was issued for your CSR; the backend cannot make a new key for it. Replace it with a new certificate and a new CSR.", id)
		}
		now := s.clock.Now()
		p := &pendingOp{Kind: opRenewal, SubmittedAt: now, KeyAlgorithm: sp.KeyAlgorithm, KeySize: sp.KeySize}
		sp.Pending, sp.Note, sp.SubmittedAt = p, "", now
		switch {
		case !s.autoValidated(sp.ValidationMethod):
			p.Needs = needValidation
			sp.ValidationRecords = validationRecords(rec.SANs, sp.ValidationMethod)
		case s.settings.ReviewPolicy == ReviewManual:
			p.Needs = needReview
		default:
			return s.renewNow(ctx, tx, rec, sp, p)
		}
		return nil
	})
}

// renewNow makes the renewed version: new key, serial and validity. The old
// certificate is left to expire (it is not revoked).
func (s *Service) renewNow(ctx context.Context, tx store.Tx, rec *store.Certificate, sp *orderSpec, p *pendingOp) error {
	if sp.PasswordVerifier != "" {
		return precondition(CodeReissueRefused, "Renewal Needs The Key Password",
			"Certificate %s has a private key password, which the service never keeps (rule I6): reissue it without a password before renewing, or replace it.", rec.ID)
	}
	m, err := s.mint(ctx, rec, sp, mintParams{alg: p.KeyAlgorithm, size: p.KeySize})
	if err != nil {
		return err
	}
	if err := s.applyMinted(ctx, tx, rec, sp, m, opRenewal); err != nil {
		return err
	}
	if err := s.recordMinted(ctx, tx, rec, m, opRenewal); err != nil {
		return err
	}
	return s.redeploy(ctx, tx, rec, rec.Version-1)
}
