package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// RevokeInput submits a revocation (R7's reason and letter).
type RevokeInput struct {
	Reason     string // RFC 5280 reason name, e.g. "keyCompromise"; "" = unspecified
	Letter     []byte // confirmation letter or application file, where R7 asks for one
	LetterName string
}

// DetectFileType names a letter's type from its content: "jpg", "png", "gif", "pdf", or "".
func DetectFileType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf"
	}
	return ""
}

// revocationRoute is R7 for one certificate: whether it needs a letter (and of which
// types), domain validation within 3 days, and manual review.
type revocationRoute struct {
	letterTypes      []string
	domainValidation bool
	review           bool
}

func routeFor(sp *orderSpec) revocationRoute {
	dnspodSM := sp.Brand == ca.BrandDNSPod && sp.KeyAlgorithm == ca.AlgorithmSM2
	letters := revocationLetterTypes(sp.Brand, sp.Level, sp.KeyAlgorithm)
	switch {
	case sp.Brand == ca.BrandWoTrus || (dnspodSM && sp.Level == ca.LevelDV):
		return revocationRoute{review: true} // a reason, then manual review
	case dnspodSM:
		return revocationRoute{letterTypes: letters, review: true} // reason + application file
	case sp.Level == ca.LevelDV:
		return revocationRoute{domainValidation: true} // validation within 3 days
	default:
		return revocationRoute{letterTypes: letters, review: true} // reason + confirmation letter
	}
}

// CheckRevoke applies R1, R4, R6 and R7's input rules without submitting, so that a
// plan (or a destroy) can show the refusal first.
func (s *Service) CheckRevoke(ctx context.Context, id string, in RevokeInput) error {
	rec, sp, err := issuedRecord(ctx, s.st, id, "revoked")
	if err != nil {
		return err
	}
	// D4 is left to the revocation itself: at plan time the hosting that binds the
	// certificate may still be released or moved by the same apply.
	_, err = s.revocationAllowed(rec, sp, in)
	return err
}

func (s *Service) revocationAllowed(rec *store.Certificate, sp *orderSpec, in RevokeInput) (int, error) {
	now := s.clock.Now()
	reason := ca.ReasonUnspecified
	if in.Reason != "" {
		r, err := ca.ParseReason(in.Reason)
		if err != nil {
			return 0, invalid("revocation_reason", "Unknown Revocation Reason", fmt.Sprintf("%q is not an RFC 5280 reason (e.g. unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation).", in.Reason))
		}
		reason = r
	}
	if rec.Status != StatusIssued && rec.Status != StatusReissuing {
		return 0, precondition(CodeRevocationRefused, "Certificate Not Revocable",
			"Only an issued certificate can be revoked; certificate %s is %s.", rec.ID, s.view(rec, now).Status)
	}
	if now.After(rec.NotAfter) {
		return 0, precondition(CodeRevocationRefused, "Certificate Expired",
			"Certificate %s expired on %s; an expired certificate needs no revocation and can be deleted (rule D1).", rec.ID, rec.NotAfter.Format("2006-01-02"))
	}
	if sp.IssuedAt != nil && sp.IssuedAt.Before(userRevocationCutoff) {
		return 0, precondition(CodeRevocationRefused, "Certificate Too Old To Revoke",
			"Certificate %s was issued on %s, before 2020-03-25: it cannot be revoked by the user (rule R6). Set revoke_on_destroy = false to leave it in the service, or let it expire.",
			rec.ID, sp.IssuedAt.Format("2006-01-02"))
	}
	// R4: non-WoTrus international and DNSPod SM certificates in the "to be renewed"
	// state (expiring within 30 days) cannot be revoked.
	if sp.Brand != ca.BrandWoTrus && rec.NotAfter.Sub(now) <= renewWindow {
		return 0, precondition(CodeRevocationRefused, "Certificate Due For Renewal",
			"Certificate %s expires on %s, within 30 days, and is due for renewal: it cannot be revoked (rule R4). Let it expire, or set revoke_on_destroy = false to remove it from Terraform without revoking.",
			rec.ID, rec.NotAfter.Format("2006-01-02"))
	}
	route := routeFor(sp)
	// R7: a letter, except where automatic DNS/file validation is set up (a *_AUTO
	// method) for other OV/EV — DNSPod's RSA/ECC included; DNSPod SM always sends its
	// application file.
	autoSetUp := sp.ValidationMethod == MethodDNSAuto || sp.ValidationMethod == MethodFileAuto
	dnspodSM := sp.Brand == ca.BrandDNSPod && sp.KeyAlgorithm == ca.AlgorithmSM2
	if len(route.letterTypes) > 0 && (!autoSetUp || dnspodSM) {
		if err := CheckLetter(in.Letter, route.letterTypes); err != nil {
			return 0, err
		}
	}
	return reason, nil
}

// CheckLetter is R7's check of a revocation letter: one of types, by content, at most 1.4 MB.
func CheckLetter(letter []byte, types []string) error {
	want := strings.ToUpper(strings.Join(types, ", "))
	if len(letter) == 0 {
		return invalid("revocation_letter_path", "Revocation Letter Required",
			fmt.Sprintf("This certificate's revocation needs a signed letter (%s, at most 1.4 MB) (rule R7): set revocation_letter_path.", want))
	}
	if len(letter) > MaxLetterBytes {
		return invalid("revocation_letter_path", "Revocation Letter Too Large",
			fmt.Sprintf("The letter is %d bytes; at most 1.4 MB (1 400 000 bytes) is accepted (rule R7).", len(letter)))
	}
	got := DetectFileType(letter)
	if !containsString(types, got) {
		if got == "" {
			got = "not an image or PDF"
		}
		return invalid("revocation_letter_path", "Revocation Letter Type Refused",
			fmt.Sprintf("The letter's content is %s; this revocation takes %s (rule R7).", strings.ToUpper(got), want))
	}
	return nil
}

// Revoke submits a revocation (R1–R8). Once submitted the certificate can no longer be
// downloaded or deployed and the revocation cannot be cancelled (R2). It completes at
// once when nothing outside is awaited; otherwise the record waits in revoking. A
// revoked certificate is returned as it is; all its versions — the original and every
// reissue — are revoked together (R5).
func (s *Service) Revoke(ctx context.Context, idemKey, id string, in RevokeInput) (*Certificate, error) {
	return s.mutateIssued(ctx, idemKey, "revoke", id, in, func(tx store.Tx, rec *store.Certificate, sp *orderSpec) error {
		if rec.Status == StatusRevoked || rec.Status == StatusRevoking {
			return nil
		}
		reason, err := s.revocationAllowed(rec, sp, in)
		if err != nil {
			return err
		}
		if err := checkNotHosted(ctx, tx, id); err != nil {
			return err
		}
		now := s.clock.Now()
		route := routeFor(sp)
		p := &pendingOp{Kind: opRevocation, SubmittedAt: now, Reason: in.Reason, RevocationCode: reason}
		sp.Pending, sp.Note, sp.RevocationReason = p, "", ca.ReasonName(reason)
		rec.Status = StatusRevoking
		switch {
		case route.domainValidation && !s.autoValidated(sp.ValidationMethod):
			deadline := now.Add(revocationValidationWindow)
			p.Needs, p.Deadline = needValidation, &deadline
			sp.ValidationRecords = validationRecords(rec.SANs, sp.ValidationMethod)
		case route.review && s.settings.ReviewPolicy == ReviewManual:
			p.Needs = needReview
		default:
			return s.revokeNow(ctx, tx, rec, sp, p)
		}
		return nil
	})
}

// revokeNow deregisters the certificate at the CA (R3): every serial of the record —
// the original order's and its reissues' (R5) — goes on the CRL.
func (s *Service) revokeNow(ctx context.Context, tx store.Tx, rec *store.Certificate, sp *orderSpec, p *pendingOp) error {
	if _, err := tx.RevokeSerials(ctx, rec.ID, s.clock.Now(), p.RevocationCode); err != nil {
		return err
	}
	rec.Status = StatusRevoked
	sp.Pending, sp.ValidationRecords = nil, nil
	return nil
}
