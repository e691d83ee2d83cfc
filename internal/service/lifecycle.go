package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

const (
	day = 24 * time.Hour
	// renewWindow is I1 and R4's "expires within 30 days".
	renewWindow = 30 * day
	// revalidationGrace is I7's "within 3 days of the original issue".
	revalidationGrace = 3 * day
	// orgValidationReuseMonths is I7's "validated in the last 13 months" (paid DV),
	// in calendar months: 395 days fall short of 13 months in most of the year.
	orgValidationReuseMonths = 13
	// revocationValidationWindow is R7's "domain validation within 3 days".
	revocationValidationWindow = 3 * day
)

// userRevocationCutoff is R6: certificates issued before it cannot be revoked by the user.
var userRevocationCutoff = time.Date(2020, 3, 25, 0, 0, 0, 0, time.UTC)

// issuedRecord loads an issued (not uploaded) record and its order inside tx.
func issuedRecord(ctx context.Context, tx store.Reader, id, op string) (*store.Certificate, *orderSpec, error) {
	rec, err := tx.GetCertificate(ctx, id)
	if err != nil {
		return nil, nil, storeErr(err, id)
	}
	if rec.Source != SourceIssued {
		rule := ""
		if op == "revoked" {
			rule = " (rule R1)"
		}
		return nil, nil, precondition(CodeWrongCertificateOp, "Uploaded Certificate",
			"Certificate %s was uploaded, not issued by the service: it cannot be %s%s.", id, op, rule)
	}
	sp, err := readSpec(rec)
	return rec, sp, err
}

// mutateIssued runs fn on an issued record inside one transaction (with the
// request's idempotency key) and stores what fn left in rec and sp.
func (s *Service) mutateIssued(ctx context.Context, idemKey, op, id string, request any, fn func(tx store.Tx, rec *store.Certificate, sp *orderSpec) error) (*Certificate, error) {
	_, err := s.idempotent(ctx, idemKey, op+"/"+id, request, func(tx store.Tx) (string, error) {
		rec, sp, err := issuedRecord(ctx, tx, id, strings.TrimSuffix(op, "e")+"ed")
		if err != nil {
			return "", err
		}
		if err := fn(tx, rec, sp); err != nil {
			return "", err
		}
		rec.UpdatedAt = s.clock.Now()
		if err := writeSpec(rec, sp); err != nil {
			return "", err
		}
		return id, tx.UpdateCertificate(ctx, rec)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id, false)
}

// Advance moves a pending order, reissue or revocation on when its domain validation
// is now in place (DNS TXT or file), or fails a revocation whose 3 days have passed
// (R7). A record with nothing pending is returned as it is.
func (s *Service) Advance(ctx context.Context, id string) (*Certificate, error) {
	if err := s.prepareAuthorities(ctx, id); err != nil {
		return nil, err
	}
	return s.mutateIssued(ctx, "", "advance", id, nil, func(tx store.Tx, rec *store.Certificate, sp *orderSpec) error {
		p := sp.Pending
		if p == nil || p.Needs != needValidation {
			return nil
		}
		now := s.clock.Now()
		if p.Deadline != nil && now.After(*p.Deadline) {
			// R7: other DV revocations fail without validation within 3 days.
			sp.Pending, sp.ValidationRecords = nil, nil
			rec.Status = StatusIssued
			sp.Note = fmt.Sprintf("The revocation failed: the domain was not validated by %s (rule R7). Submit it again.", p.Deadline.Format(time.RFC3339))
			return nil
		}
		if err := s.validate(ctx, sp); err != nil {
			sp.Note = err.Error()
			return nil
		}
		sp.Note = ""
		sp.ValidatedAt = &now
		if s.settings.ReviewPolicy == ReviewManual && needsReviewAfterValidation(sp, p.Kind) {
			p.Needs = needReview
			if p.Kind == opIssue {
				rec.Status = StatusPendingReview
			}
			return nil
		}
		return s.complete(ctx, tx, rec, sp)
	})
}

// needsReviewAfterValidation: orders are reviewed; a DV revocation is done once
// validated (R7); a reissue needs no manual approval when the organisation is
// unchanged (the seed's WoTrus/DNSPod note) — reissues here never change it.
func needsReviewAfterValidation(sp *orderSpec, kind string) bool {
	return kind == opIssue || kind == opRenewal
}

// Review is the reviewer's decision on whatever waits for review (review_policy =
// manual): an order, a reissue or a revocation.
func (s *Service) Review(ctx context.Context, id string, approve bool, reason string) (*Certificate, error) {
	if err := s.prepareAuthorities(ctx, id); err != nil {
		return nil, err
	}
	return s.mutateIssued(ctx, "", "review", id, nil, func(tx store.Tx, rec *store.Certificate, sp *orderSpec) error {
		p := sp.Pending
		if p == nil || p.Needs != needReview {
			return precondition(CodeNothingToReview, "Nothing To Review",
				"Certificate %s has nothing waiting for review (status %s).", id, rec.Status)
		}
		if approve {
			sp.Note = ""
			return s.complete(ctx, tx, rec, sp)
		}
		note := "rejected by the reviewer"
		if reason != "" {
			note += ": " + reason
		}
		sp.Pending, sp.ValidationRecords = nil, nil
		switch p.Kind {
		case opIssue:
			rec.Status = StatusReviewFailed
			sp.Note = "The order was " + note + "."
		case opReissue:
			rec.Status = StatusIssued
			sp.Note = "The reissue was " + note + "; the current certificate stays."
		case opRevocation:
			rec.Status = StatusIssued
			sp.Note = "The revocation was " + note + "; the certificate stays valid."
		case opRenewal:
			sp.Note = "The renewal was " + note + "; the current certificate stays."
		}
		return nil
	})
}

// complete carries out the pending operation now that nothing outside is awaited.
func (s *Service) complete(ctx context.Context, tx store.Tx, rec *store.Certificate, sp *orderSpec) error {
	p := sp.Pending
	switch p.Kind {
	case opIssue:
		password, err := s.open(rec.ID, "password", sp.PasswordSealed)
		if err != nil {
			return err
		}
		m, err := s.mint(ctx, rec, sp, mintParams{alg: sp.KeyAlgorithm, size: sp.KeySize, csr: sp.CSRPEM, password: password})
		if err != nil {
			return err
		}
		if err := s.applyMinted(ctx, tx, rec, sp, m, "issue"); err != nil {
			return err
		}
		if err := s.recordMinted(ctx, tx, rec, m, "issue"); err != nil {
			return err
		}
		return s.takeOver(ctx, tx, rec, sp)
	case opReissue:
		return s.reissueNow(ctx, tx, rec, sp, p)
	case opRevocation:
		return s.revokeNow(ctx, tx, rec, sp, p)
	case opRenewal:
		return s.renewNow(ctx, tx, rec, sp, p)
	}
	return fmt.Errorf("unknown pending operation %q", p.Kind)
}

// Cancel withdraws an order under application (D3: it can then be deleted).
func (s *Service) Cancel(ctx context.Context, idemKey, id string) (*Certificate, error) {
	return s.mutateIssued(ctx, idemKey, "cancel", id, nil, func(tx store.Tx, rec *store.Certificate, sp *orderSpec) error {
		switch {
		case rec.Status == StatusCancelled:
			return nil
		case sp.Pending != nil && sp.Pending.Kind == opIssue:
			rec.Status = StatusCancelled
			sp.Pending, sp.ValidationRecords = nil, nil
			sp.PasswordSealed = nil
			return nil
		}
		return precondition(CodeCancelRefused, "Nothing To Cancel",
			"Only an order under application can be cancelled; certificate %s is %s. An issued certificate is revoked instead (rules D2, R).", id, rec.Status)
	})
}

// SendReminder sends a review reminder for a pending order (M1–M4).
func (s *Service) SendReminder(ctx context.Context, idemKey, id string) (*Certificate, error) {
	return s.mutateIssued(ctx, idemKey, "remind", id, nil, func(tx store.Tx, rec *store.Certificate, sp *orderSpec) error {
		p, _ := FindProduct(sp.Brand, sp.CertificateType)
		if !p.Reminder {
			return precondition(CodeReminderRefused, "No Reminders For This Product",
				"%s %s certificates take no review reminder (rules M2, M3).", sp.Brand, sp.CertificateType)
		}
		at := reminderAvailableAt(sp)
		if at == nil {
			return precondition(CodeReminderRefused, "Nothing To Remind",
				"Only a pending order whose information was submitted can be sent a reminder (rule M1); certificate %s is %s.", id, rec.Status)
		}
		now := s.clock.Now()
		if now.Before(*at) {
			return precondition(CodeReminderRefused, "Reminder Not Yet Available",
				"The reminder opens at %s, %d hours after submission (rule M4).", at.Format(time.RFC3339), p.ReminderAfterHours)
		}
		sp.ReminderSentAt = &now
		return nil
	})
}

// CheckPassword tells whether password is the private key password of a certificate;
// the service keeps only a verifier (I6: a password is never recoverable).
func (s *Service) CheckPassword(ctx context.Context, id, password string) (bool, error) {
	rec, sp, err := issuedRecord(ctx, s.st, id, "checked")
	if err != nil {
		return false, err
	}
	_ = rec
	if sp.PasswordVerifier == "" {
		return password == "", nil
	}
	return verifierMatches(sp.PasswordVerifier, password), nil
}

// primaryDomain is the registrable part of a name, for I3 (the last two labels).
func primaryDomain(name string) string {
	labels := strings.Split(strings.TrimPrefix(name, "*."), ".")
	if len(labels) <= 2 {
		return strings.Join(labels, ".")
	}
	return strings.Join(labels[len(labels)-2:], ".")
}

// ReissueInput is a reissue's new key material (I6).
type ReissueInput struct {
	KeyAlgorithm string
	KeySize      int
	CSRPEM       string
	Password     string
	Reason       string
}

// CheckReissue applies I1, I2 and I4 to a record without reissuing it, so a plan can
// show the refusal.
func (s *Service) CheckReissue(ctx context.Context, id string, in ReissueInput) error {
	rec, sp, err := issuedRecord(ctx, s.st, id, "reissued")
	if err != nil {
		return err
	}
	if err := s.reissueAllowed(rec, sp, &in); err != nil {
		return err
	}
	return keepsDeployable(ctx, s.st, rec.ID, in)
}

// keepsDeployable refuses, at submission, a reissue whose new key could not be
// deployed to the resources hosting binds the certificate to (I6: a key password; or
// a pasted CSR, whose key the backend never holds) — rather than failing when it
// completes.
func keepsDeployable(ctx context.Context, r store.Reader, id string, in ReissueInput) error {
	if in.Password == "" && in.CSRPEM == "" {
		return nil
	}
	hs, err := r.ListHostings(ctx, store.HostingFilter{CertificateID: id})
	if err != nil || len(hs) == 0 {
		return err
	}
	field, why := "private_key_password", "a private key password (rule I6)"
	if in.CSRPEM != "" {
		field, why = "csr_pem", "your own CSR, whose key the backend never holds"
	}
	return &Error{Kind: KindFailedPrecondition, Code: CodeNotDeployable, Field: field, Summary: "Reissue Would Not Be Deployable",
		Message: fmt.Sprintf("Certificate %s is deployed by hosting %s; a reissue with %s could not be deployed there. Remove the hosting first, or reissue without it.", id, hs[0].ID, why)}
}

func (s *Service) reissueAllowed(rec *store.Certificate, sp *orderSpec, in *ReissueInput) error {
	now := s.clock.Now()
	switch {
	case rec.Status == StatusReissuing:
		return precondition(CodeReissueRefused, "Reissue In Progress",
			"Certificate %s is being reissued; its reissue is disabled until that one completes (rule I4).", rec.ID)
	case rec.Status != StatusIssued || now.After(rec.NotAfter):
		return precondition(CodeReissueRefused, "Certificate Not Issued",
			"Only an issued certificate can be reissued (rule I1); certificate %s is %s.", rec.ID, s.view(rec, now).Status)
	case sp.Pending != nil:
		return precondition(CodeReissueRefused, "Operation In Progress",
			"Certificate %s has a %s waiting (%s); reissue it once that completes.", rec.ID, sp.Pending.Kind, sp.Pending.Needs)
	case rec.NotAfter.Sub(now) <= renewWindow:
		return precondition(CodeReissueRefused, "Certificate Expires Too Soon",
			"Certificate %s expires on %s, within 30 days: it can no longer be reissued (rule I1). Renew it instead (renew_before_days) or replace it.",
			rec.ID, rec.NotAfter.Format("2006-01-02"))
	case sp.CertificateType == TypeFreeDV && sp.ReissueCount >= 1:
		return precondition(CodeReissueRefused, "Free Certificate Already Reissued",
			"A free DV certificate can be reissued once (rule I2) and %s already was. Replace it with a new certificate instead.", rec.ID)
	case sp.CertificateType == TypeFreeDV && in.CSRPEM != "":
		return invalid("csr_pem", "CSR Not Taken", "A free DV reissue takes only the key algorithm and password (rule I6); remove csr_pem.")
	case in.CSRPEM != "" && in.Password != "":
		return invalid("private_key_password", "Password Without Key", "With csr_pem the service never holds the private key, so there is nothing to protect with private_key_password (rule I6); remove it.")
	}
	if in.CSRPEM != "" {
		csr, err := ca.ParseCSR(in.CSRPEM)
		if err != nil {
			return invalid("csr_pem", "Invalid CSR", fmt.Sprintf("The CSR cannot be used: %v.", err))
		}
		in.KeyAlgorithm, in.KeySize = csrKey(csr.PublicKey)
	}
	if in.KeyAlgorithm == "" {
		in.KeyAlgorithm, in.KeySize = sp.KeyAlgorithm, sp.KeySize
	}
	p, _ := FindProduct(sp.Brand, sp.CertificateType)
	if !containsString(p.KeyAlgorithms, in.KeyAlgorithm) {
		return invalid("key_algorithm", "Unsupported Key Algorithm", fmt.Sprintf("%s certificates come with %s keys, not %q.", sp.Brand, strings.Join(p.KeyAlgorithms, " or "), in.KeyAlgorithm))
	}
	if in.KeySize == 0 {
		in.KeySize = defaultKeySize(in.KeyAlgorithm)
	}
	if !containsInt(keySizes[in.KeyAlgorithm], in.KeySize) {
		return invalid("key_size", "Unsupported Key Size", fmt.Sprintf("%s keys come in sizes %v, not %d.", in.KeyAlgorithm, keySizes[in.KeyAlgorithm], in.KeySize))
	}
	if standardOf(in.KeyAlgorithm) != rec.Standard {
		return invalid("key_algorithm", "Standard Cannot Change", "A reissue cannot move a certificate between SM2 and international keys; replace the certificate instead.")
	}
	return nil
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Reissue gives an issued certificate a new key and serial for the same validity
// (I1–I7): at once when no validation or review is needed, else the record waits in
// reissuing.
func (s *Service) Reissue(ctx context.Context, idemKey, id string, in ReissueInput) (*Certificate, error) {
	alg := in.KeyAlgorithm
	if csr, err := ca.ParseCSR(in.CSRPEM); in.CSRPEM != "" && err == nil {
		alg, _ = csrKey(csr.PublicKey)
	}
	if err := s.prepareAuthorities(ctx, id, alg); err != nil {
		return nil, err
	}
	return s.mutateIssued(ctx, idemKey, "reissue", id, in, func(tx store.Tx, rec *store.Certificate, sp *orderSpec) error {
		if err := s.reissueAllowed(rec, sp, &in); err != nil {
			return err
		}
		if err := keepsDeployable(ctx, tx, rec.ID, in); err != nil {
			return err
		}
		// I3: one reissue at a time under a primary domain.
		busy, err := tx.ListCertificates(ctx, store.CertificateFilter{Status: StatusReissuing, Source: SourceIssued})
		if err != nil {
			return err
		}
		for _, other := range busy {
			if other.ID != rec.ID && primaryDomain(other.Domain) == primaryDomain(rec.Domain) {
				return precondition(CodeReissueRefused, "Primary Domain Busy",
					"Certificate %s (%s) under the same primary domain %s is being reissued; try again when it completes (rule I3).",
					other.ID, other.Domain, primaryDomain(rec.Domain))
			}
		}
		now := s.clock.Now()
		p := &pendingOp{Kind: opReissue, SubmittedAt: now, KeyAlgorithm: in.KeyAlgorithm, KeySize: in.KeySize,
			CSRPEM: in.CSRPEM, Reason: in.Reason}
		if in.Password != "" {
			p.PasswordVerifier = newVerifier(in.Password)
			if p.PasswordSealed, err = s.sealer.Seal([]byte(in.Password), []byte(rec.ID+"/password")); err != nil {
				return err
			}
		}
		sp.Pending, sp.Note = p, ""
		switch {
		case s.reissueNeedsValidation(rec, sp, in, now) && !s.autoValidated(sp.ValidationMethod):
			p.Needs = needValidation
			sp.ValidationRecords = validationRecords(rec.SANs, sp.ValidationMethod)
		case s.settings.ReviewPolicy == ReviewManual && sp.Level != ca.LevelDV && sp.Brand != ca.BrandWoTrus && sp.Brand != ca.BrandDNSPod:
			// I7: other brands' OV/EV reissues are verified by the CA out of band.
			p.Needs = needReview
		default:
			return s.reissueNow(ctx, tx, rec, sp, p)
		}
		rec.Status = StatusReissuing
		return nil
	})
}

// reissueNeedsValidation is I7.
func (s *Service) reissueNeedsValidation(rec *store.Certificate, sp *orderSpec, in ReissueInput, now time.Time) bool {
	if sp.CertificateType == TypeFreeDV {
		return true // validates the way the original did
	}
	if in.CSRPEM != "" && in.CSRPEM == sp.CSRPEM {
		return false // the CSR is unchanged
	}
	if sp.IssuedAt != nil && now.Sub(*sp.IssuedAt) < revalidationGrace {
		return false // within 3 days of the original issue
	}
	if sp.Level == ca.LevelDV && sp.ValidatedAt != nil && now.Before(sp.ValidatedAt.AddDate(0, orgValidationReuseMonths, 0)) {
		return false // paid DV validated in the last 13 months
	}
	return true // the CSR (the key) changes
}

// reissueNow makes the new version: new key and serial, same notAfter (I5). The
// superseded certificate is revoked with reason superseded, so CRL and OCSP agree
// that only the current version is good.
func (s *Service) reissueNow(ctx context.Context, tx store.Tx, rec *store.Certificate, sp *orderSpec, p *pendingOp) error {
	password, err := s.open(rec.ID, "password", p.PasswordSealed)
	if err != nil {
		return err
	}
	oldSerial, oldCA := rec.SerialNumber, sp.CAID
	m, err := s.mint(ctx, rec, sp, mintParams{alg: p.KeyAlgorithm, size: p.KeySize, csr: p.CSRPEM, password: password, notAfter: rec.NotAfter})
	if err != nil {
		return err
	}
	verifier, csr := p.PasswordVerifier, p.CSRPEM
	if err := s.applyMinted(ctx, tx, rec, sp, m, "reissue"); err != nil {
		return err
	}
	sp.PasswordVerifier, sp.CSRPEM = verifier, csr
	sp.ReissueCount++
	if err := s.recordMinted(ctx, tx, rec, m, "reissue"); err != nil {
		return err
	}
	if err := s.redeploy(ctx, tx, rec, rec.Version-1); err != nil {
		return err
	}
	if oldSerial != "" && oldCA != "" {
		if err := tx.RevokeSerial(ctx, oldCA, oldSerial, s.clock.Now(), ca.ReasonSuperseded); err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}
