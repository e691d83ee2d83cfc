package service

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// crlValidity is the short nextUpdate of a CRL re-signed on demand (DESIGN.md).
const crlValidity = time.Hour

// authority returns the CA hierarchy of brand and alg, creating and persisting it on
// first use (keys sealed). Two processes racing to create it both end with the one
// that was stored first.
func (s *Service) authority(ctx context.Context, brand, alg string) (*ca.Hierarchy, error) {
	id, err := ca.ID(brand, alg)
	if err != nil {
		return nil, invalid("key_algorithm", "Unsupported Key Algorithm", fmt.Sprintf("%s does not issue %s certificates.", brand, alg))
	}
	if h := s.cachedHierarchy(id); h != nil {
		return h, nil
	}
	rec, err := s.st.GetAuthority(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		rec, err = s.createAuthority(ctx, brand, alg)
	}
	if err != nil {
		return nil, err
	}
	return s.loadHierarchy(rec)
}

// prepareAuthorities creates, outside any transaction, the CAs that an operation on
// record id may issue from: its order's algorithm, a pending reissue's, and algs.
// authority persists a new CA in a transaction of its own, which would deadlock
// inside the write transaction of Advance, Review or Reissue.
func (s *Service) prepareAuthorities(ctx context.Context, id string, algs ...string) error {
	rec, err := s.st.GetCertificate(ctx, id)
	if err != nil || rec.Source != SourceIssued {
		return nil // the operation itself reports it
	}
	sp, err := readSpec(rec)
	if err != nil {
		return nil
	}
	algs = append(algs, sp.KeyAlgorithm)
	if sp.Pending != nil {
		algs = append(algs, sp.Pending.KeyAlgorithm)
	}
	for _, alg := range algs {
		if alg == "" || !ca.Supports(sp.Brand, alg) {
			continue
		}
		if _, err := s.authority(ctx, sp.Brand, alg); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) cachedHierarchy(id string) *ca.Hierarchy {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hierarchies[id]
}

func (s *Service) createAuthority(ctx context.Context, brand, alg string) (*store.Authority, error) {
	h, err := ca.NewHierarchy(brand, alg, s.clock.Now(), rand.Reader)
	if err != nil {
		return nil, err
	}
	rec := &store.Authority{ID: h.ID(), Brand: h.Brand(), KeyAlgorithm: h.Algorithm(),
		RootPEM: h.RootPEM(), IntermediatePEM: h.IntermediatePEM(), CreatedAt: s.clock.Now()}
	if rec.RootKeySealed, err = s.seal(rec.ID, "root_key", h.RootKeyPEM()); err != nil {
		return nil, err
	}
	if rec.IntermediateKeySealed, err = s.seal(rec.ID, "intermediate_key", h.IntermediateKeyPEM()); err != nil {
		return nil, err
	}
	err = s.st.Update(ctx, func(tx store.Tx) error { return tx.InsertAuthority(ctx, rec) })
	if errors.Is(err, store.ErrConflict) {
		return s.st.GetAuthority(ctx, rec.ID)
	}
	return rec, err
}

func (s *Service) loadHierarchy(rec *store.Authority) (*ca.Hierarchy, error) {
	rootKey, err := s.open(rec.ID, "root_key", rec.RootKeySealed)
	if err != nil {
		return nil, err
	}
	intKey, err := s.open(rec.ID, "intermediate_key", rec.IntermediateKeySealed)
	if err != nil {
		return nil, err
	}
	h, err := ca.LoadHierarchy(rec.RootPEM, rootKey, rec.IntermediatePEM, intKey)
	if err != nil {
		return nil, fmt.Errorf("loading CA %s: %w", rec.ID, err)
	}
	s.mu.Lock()
	s.hierarchies[rec.ID] = h
	s.mu.Unlock()
	return h, nil
}

// Authority is an issuing CA as the service shows it, with its current CRL.
type Authority struct {
	ID, Brand, KeyAlgorithm  string
	RootPEM, IntermediatePEM string
	CRLPEM, CRLURL, OCSPURL  string
}

// Authorities returns the CAs (creating those asked for by brand/alg when they do not
// exist yet) with freshly signed CRLs, so a user can build a trust store.
func (s *Service) Authorities(ctx context.Context, brand, alg string) ([]*Authority, error) {
	if brand != "" || alg != "" {
		for _, b := range ca.Brands() {
			if brand != "" && b != brand {
				continue
			}
			for _, a := range ca.Algorithms(b) {
				if alg == "" || a == alg {
					if _, err := s.authority(ctx, b, a); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	recs, err := s.st.ListAuthorities(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Authority
	for _, rec := range recs {
		if (brand != "" && rec.Brand != brand) || (alg != "" && rec.KeyAlgorithm != alg) {
			continue
		}
		der, err := s.CRL(ctx, rec.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, &Authority{ID: rec.ID, Brand: rec.Brand, KeyAlgorithm: rec.KeyAlgorithm,
			RootPEM: rec.RootPEM, IntermediatePEM: rec.IntermediatePEM, CRLPEM: ca.CRLPEM(der),
			CRLURL: ca.CRLURL(s.settings.PublicURL, rec.ID), OCSPURL: ca.OCSPURL(s.settings.PublicURL, rec.ID)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s *Service) hierarchyByID(ctx context.Context, id string) (*ca.Hierarchy, error) {
	if h := s.cachedHierarchy(id); h != nil {
		return h, nil
	}
	rec, err := s.st.GetAuthority(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Kind: KindNotFound, Code: CodeNotFound, Summary: "CA Not Found",
			Message: fmt.Sprintf("No issuing CA with id %q exists yet.", id)}
	}
	if err != nil {
		return nil, err
	}
	return s.loadHierarchy(rec)
}

// CRL returns the CA's CRL (DER), signed now with a short nextUpdate; it lists every
// revoked serial of the CA, including those of deleted records (R3).
func (s *Service) CRL(ctx context.Context, caID string) ([]byte, error) {
	h, err := s.hierarchyByID(ctx, caID)
	if err != nil {
		return nil, err
	}
	serials, err := s.st.ListRevokedSerials(ctx, caID)
	if err != nil {
		return nil, err
	}
	entries := make([]ca.RevokedEntry, 0, len(serials))
	for _, sr := range serials {
		n, ok := new(big.Int).SetString(sr.Serial, 16)
		if !ok {
			continue
		}
		entries = append(entries, ca.RevokedEntry{Serial: n, RevokedAt: sr.RevokedAt, Reason: sr.Reason})
	}
	now := s.clock.Now()
	// The CRL number only grows: the service clock's seconds.
	return h.CRL(entries, now, now.Add(crlValidity), big.NewInt(now.Unix()))
}

// OCSP answers an OCSP request (DER) for the CA from the serial registry (R3).
func (s *Service) OCSP(ctx context.Context, caID string, reqDER []byte) ([]byte, error) {
	h, err := s.hierarchyByID(ctx, caID)
	if err != nil {
		return nil, err
	}
	return h.OCSPResponse(reqDER, func(serial *big.Int) (ca.CertStatus, error) {
		sr, err := s.st.GetSerial(ctx, caID, certs.SerialHex(serial))
		if errors.Is(err, store.ErrNotFound) {
			return ca.CertStatus{Status: ca.OCSPUnknown}, nil
		}
		if err != nil {
			return ca.CertStatus{}, err
		}
		if sr.Revoked {
			return ca.CertStatus{Status: ca.OCSPRevoked, RevokedAt: sr.RevokedAt, Reason: sr.Reason}, nil
		}
		return ca.CertStatus{Status: ca.OCSPGood}, nil
	}, s.clock.Now())
}

// IssuerCertificate returns the CA's intermediate certificate (PEM), for AIA caIssuers.
func (s *Service) IssuerCertificate(ctx context.Context, caID string) (string, error) {
	h, err := s.hierarchyByID(ctx, caID)
	if err != nil {
		return "", err
	}
	return h.IntermediatePEM(), nil
}
