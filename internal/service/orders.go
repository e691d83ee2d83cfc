package service

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// Statuses of issued certificates beyond StatusIssued and StatusExpired (DESIGN.md).
const (
	StatusPendingValidation = "pending_validation"
	StatusPendingReview     = "pending_review"
	StatusReviewFailed      = "review_failed"
	StatusCancelled         = "cancelled"
	StatusRevoking          = "revoking"
	StatusRevoked           = "revoked"
	StatusReissuing         = "reissuing"
)

// Validation methods of an order.
const (
	MethodDNS      = "DNS"
	MethodFile     = "FILE"
	MethodDNSAuto  = "DNS_AUTO"
	MethodFileAuto = "FILE_AUTO"
)

// Codes of the order rules' refusals.
const (
	CodeInvalidOrder       = "invalid_order"
	CodeReissueRefused     = "reissue_refused"
	CodeRevocationRefused  = "revocation_refused"
	CodeDeletionRefused    = "deletion_refused"
	CodeCancelRefused      = "cancel_refused"
	CodeReminderRefused    = "reminder_refused"
	CodeNothingToReview    = "nothing_to_review"
	CodeWrongCertificateOp = "wrong_certificate_kind"
)

// Organization is the subject organisation of an OV/EV certificate.
type Organization struct {
	Name, Division, Country, Province, Locality, Address, PostalCode string
	ContactName, ContactEmail, ContactPhone                          string
	RegistrationNumber, BusinessCategory, JurisdictionCountry        string
}

// ValidationRecord is what the user publishes to prove control of a domain.
type ValidationRecord struct {
	Domain, Method, Name, Type, Value, URL, Path, Content string
}

// OrderInput applies for a certificate from the bundled CA.
type OrderInput struct {
	Name, Project                 string
	Tags                          map[string]string
	Domain                        string
	SANs                          []string
	Brand, CertificateType        string
	KeyAlgorithm                  string
	KeySize                       int
	CSRPEM                        string
	Password                      string
	ValidationMethod              string
	Organization                  *Organization
	ValidityDays                  int
	RenewsCertificateID           string
	IgnoreExpirationNotifications bool
	// SendReminder: the user wants review reminders sent (M2, M3 refuse some products).
	SendReminder bool
	// RenewBeforeDays opens the renewal window this many days before expiry (0: none).
	RenewBeforeDays int
}

// orderSpec is what the service keeps about an issued certificate's order, as JSON in
// the record's Spec.
type orderSpec struct {
	Brand             string             `json:"brand"`
	CertificateType   string             `json:"certificate_type"`
	Level             string             `json:"level"`
	KeyAlgorithm      string             `json:"key_algorithm"`
	KeySize           int                `json:"key_size"`
	CSRPEM            string             `json:"csr_pem,omitempty"`
	ValidationMethod  string             `json:"validation_method"`
	Organization      *Organization      `json:"organization,omitempty"`
	ValidityDays      int                `json:"validity_days"`
	PasswordVerifier  string             `json:"password_verifier,omitempty"`
	PasswordSealed    []byte             `json:"password_sealed,omitempty"` // only until the key is made
	SubmittedAt       time.Time          `json:"submitted_at"`
	ValidatedAt       *time.Time         `json:"validated_at,omitempty"`
	IssuedAt          *time.Time         `json:"issued_at,omitempty"` // first issue (I7)
	ReissueCount      int                `json:"reissue_count"`
	ValidationRecords []ValidationRecord `json:"validation_records,omitempty"`
	ReminderSentAt    *time.Time         `json:"reminder_sent_at,omitempty"`
	Pending           *pendingOp         `json:"pending,omitempty"`
	RevocationReason  string             `json:"revocation_reason,omitempty"`
	CAID              string             `json:"ca_id,omitempty"`
	RenewsID          string             `json:"renews_certificate_id,omitempty"`
	Note              string             `json:"note,omitempty"`         // why the last step failed (review rejected, revocation failed)
	HostingNote       string             `json:"hosting_note,omitempty"` // what became of the renewed record's resources (H2)
	RenewBeforeDays   int                `json:"renew_before_days,omitempty"`
}

// pendingOp is an operation waiting for the outside world.
type pendingOp struct {
	Kind        string     `json:"kind"`  // opIssue | opReissue | opRevocation
	Needs       string     `json:"needs"` // needValidation | needReview
	SubmittedAt time.Time  `json:"submitted_at"`
	Deadline    *time.Time `json:"deadline,omitempty"`
	// reissue parameters
	KeyAlgorithm     string `json:"key_algorithm,omitempty"`
	KeySize          int    `json:"key_size,omitempty"`
	CSRPEM           string `json:"csr_pem,omitempty"`
	PasswordVerifier string `json:"password_verifier,omitempty"`
	PasswordSealed   []byte `json:"password_sealed,omitempty"`
	Reason           string `json:"reason,omitempty"`
	RevocationCode   int    `json:"revocation_code,omitempty"`
}

const (
	opIssue        = "issue"
	opReissue      = "reissue"
	opRevocation   = "revocation"
	needValidation = "validation"
	needReview     = "review"
)

// Order is an issued certificate's order as the service shows it.
type Order struct {
	Brand, CertificateType, ValidationMethod string
	ValidityDays                             int
	Organization                             *Organization
	CSRProvided, HasPassword                 bool
	ValidationRecords                        []ValidationRecord
	ReissueCount                             int
	ReminderAvailableAt, ReminderSentAt      *time.Time
	RevocationReason, RenewsCertificateID    string
	Pending                                  string
	// HostingNote says what became of the renewed record's resources (H2).
	HostingNote string
	// RenewBeforeDays and ReadyForRenewal: the renewal window and whether it is open
	// at the service clock's now.
	RenewBeforeDays int
	ReadyForRenewal bool
}

func readSpec(rec *store.Certificate) (*orderSpec, error) {
	var sp orderSpec
	if rec.Spec == "" {
		return nil, fmt.Errorf("certificate %s has no order", rec.ID)
	}
	if err := json.Unmarshal([]byte(rec.Spec), &sp); err != nil {
		return nil, fmt.Errorf("certificate %s: reading its order: %w", rec.ID, err)
	}
	return &sp, nil
}

func writeSpec(rec *store.Certificate, sp *orderSpec) error {
	b, err := json.Marshal(sp)
	rec.Spec = string(b)
	return err
}

func defaultKeySize(alg string) int {
	switch alg {
	case ca.AlgorithmECC:
		return 256
	case ca.AlgorithmSM2:
		return 256
	}
	return 2048
}

var keySizes = map[string][]int{ca.AlgorithmRSA: {2048, 3072, 4096}, ca.AlgorithmECC: {256, 384}, ca.AlgorithmSM2: {256}}

func problem(field, code, summary, message string) certs.Problem {
	return certs.Problem{Field: field, Severity: certs.Error, Code: code, Summary: summary, Message: message}
}

// CheckOrder applies the product rules to an order without placing it: the same
// checks Order makes first, so the provider can show them at plan time.
func CheckOrder(in OrderInput) []certs.Problem {
	_, ps := normalizeOrder(&in)
	return ps
}

// normalizeOrder fills defaults into in and returns its product, or the problems.
func normalizeOrder(in *OrderInput) (Product, []certs.Problem) {
	var ps []certs.Problem
	add := func(field, summary, format string, args ...any) {
		ps = append(ps, problem(field, CodeInvalidOrder, summary, fmt.Sprintf(format, args...)))
	}
	p, ok := FindProduct(in.Brand, in.CertificateType)
	if !ok {
		var sold []string
		for _, q := range Products() {
			if q.Brand == in.Brand {
				sold = append(sold, q.CertificateType)
			}
		}
		if len(sold) == 0 {
			add("brand", "Unknown Brand", "%q is not a brand of the service; choose one of %s.", in.Brand, strings.Join(ca.Brands(), ", "))
		} else {
			add("certificate_type", "Product Not Sold", "%s does not sell %q certificates; it sells %s (rule M2).", in.Brand, in.CertificateType, strings.Join(sold, ", "))
		}
		return p, ps
	}
	if in.CSRPEM != "" {
		csr, err := ca.ParseCSR(in.CSRPEM)
		if err != nil {
			add("csr_pem", "Invalid CSR", "The CSR cannot be used: %v. Give a PEM \"CERTIFICATE REQUEST\" signed by its key.", err)
			return p, ps
		}
		alg, size := csrKey(csr.PublicKey)
		if in.KeyAlgorithm != "" && in.KeyAlgorithm != alg {
			add("key_algorithm", "Key Algorithm Differs From CSR", "key_algorithm is %s but the CSR's key is %s; leave key_algorithm out or make them agree.", in.KeyAlgorithm, alg)
		}
		in.KeyAlgorithm, in.KeySize = alg, size
		if in.Password != "" {
			add("private_key_password", "Password Without Key", "With csr_pem the service never holds the private key, so there is nothing to protect with private_key_password; remove it.")
		}
	}
	if in.KeyAlgorithm == "" {
		in.KeyAlgorithm = ca.AlgorithmRSA
	}
	if !slices.Contains(p.KeyAlgorithms, in.KeyAlgorithm) {
		add("key_algorithm", "Unsupported Key Algorithm", "%s %s certificates come with %s keys, not %q.", p.Brand, p.CertificateType, strings.Join(p.KeyAlgorithms, " or "), in.KeyAlgorithm)
	} else {
		if in.KeySize == 0 {
			in.KeySize = defaultKeySize(in.KeyAlgorithm)
		}
		if !slices.Contains(keySizes[in.KeyAlgorithm], in.KeySize) {
			add("key_size", "Unsupported Key Size", "%s keys come in sizes %v, not %d.", in.KeyAlgorithm, keySizes[in.KeyAlgorithm], in.KeySize)
		}
	}
	if in.ValidationMethod == "" {
		in.ValidationMethod = MethodDNS
	}
	switch in.ValidationMethod {
	case MethodDNS, MethodFile, MethodDNSAuto, MethodFileAuto:
	default:
		add("validation_method", "Unknown Validation Method", "validation_method must be DNS, FILE, DNS_AUTO or FILE_AUTO, not %q.", in.ValidationMethod)
	}
	domain, err := ca.NormalizeDNSName(in.Domain)
	if err != nil {
		add("domain", "Invalid Domain", "%q is not a domain the CA can certify: %v.", in.Domain, err)
	}
	in.Domain = domain
	names := []string{domain}
	for _, n := range in.SANs {
		d, err := ca.NormalizeDNSName(n)
		if err != nil {
			add("subject_alternative_names", "Invalid Domain", "%q is not a domain the CA can certify: %v.", n, err)
			continue
		}
		if !slices.Contains(names, d) {
			names = append(names, d)
		}
	}
	if len(names) > 1 && !p.MultiDomain {
		add("subject_alternative_names", "Single-Domain Product", "%s %s certificates cover one domain only; remove subject_alternative_names or choose a paid product.", p.Brand, p.CertificateType)
	}
	if !p.Wildcard {
		for _, n := range names {
			if strings.HasPrefix(n, "*.") {
				add("domain", "Wildcard Not Allowed", "%s %s certificates cannot cover a wildcard (%s); choose a paid product.", p.Brand, p.CertificateType, n)
			}
		}
	}
	if in.ValidationMethod == MethodFile || in.ValidationMethod == MethodFileAuto {
		for _, n := range names {
			if strings.HasPrefix(n, "*.") {
				add("validation_method", "File Validation Of Wildcard", "A wildcard (%s) cannot be validated with a file; use DNS or DNS_AUTO.", n)
			}
		}
	}
	in.SANs = names[1:]
	if in.ValidityDays == 0 {
		in.ValidityDays = p.DefaultValidity
	}
	if in.ValidityDays < 1 || in.ValidityDays > p.MaxValidityDays {
		add("validity_days", "Validity Out Of Range", "%s %s certificates are valid for 1 to %d days, not %d.", p.Brand, p.CertificateType, p.MaxValidityDays, in.ValidityDays)
	}
	if in.RenewBeforeDays < 0 || (in.RenewBeforeDays > 0 && in.RenewBeforeDays >= in.ValidityDays) {
		add("renew_before_days", "Renewal Window Too Long", "renew_before_days (%d) must be shorter than the validity (%d days), or the certificate would renew as soon as it is issued.", in.RenewBeforeDays, in.ValidityDays)
	}
	if in.IgnoreExpirationNotifications && time.Duration(in.ValidityDays)*day > ignoreWindow {
		add("ignore_expiration_notifications", "Certificate Does Not Expire Soon", "Only a certificate that expires within 30 days can have its notifications ignored (rule N1); this one will be valid for %d days. Set it once the certificate is within 30 days of expiry.", in.ValidityDays)
	}
	if in.SendReminder && !p.Reminder {
		add("send_reminder", "No Reminders For This Product", "%s %s certificates take no review reminder (rules M2, M3); remove send_reminder.", p.Brand, p.CertificateType)
	}
	switch {
	case p.Level == ca.LevelDV && in.Organization != nil:
		add("organization", "Organization Not Used", "%s certificates carry no organization; remove the organization block or choose an OV/EV product.", p.CertificateType)
	case p.Level != ca.LevelDV:
		ps = append(ps, checkOrganization(p.Level, in.Organization)...)
	}
	return p, ps
}

// checkOrganization lists what an OV/EV order's organization lacks.
func checkOrganization(level string, o *Organization) []certs.Problem {
	if o == nil {
		return []certs.Problem{problem("organization", CodeInvalidOrder, "Organization Required",
			fmt.Sprintf("%s certificates name the organisation: set organization = { name, country, province or locality%s }.", level, evFields(level)))}
	}
	var missing []string
	if strings.TrimSpace(o.Name) == "" {
		missing = append(missing, "name")
	}
	if !isAlpha2(o.Country) {
		missing = append(missing, "country (two letters, ISO 3166)")
	}
	if o.Province == "" && o.Locality == "" {
		missing = append(missing, "province or locality")
	}
	if level == ca.LevelEV {
		if o.RegistrationNumber == "" {
			missing = append(missing, "registration_number")
		}
		if !slices.ContainsFunc(evBusinessCategories, func(c string) bool { return strings.EqualFold(c, strings.TrimSpace(o.BusinessCategory)) }) {
			missing = append(missing, "business_category (one of "+strings.Join(evBusinessCategories, ", ")+")")
		}
		if !isAlpha2(o.JurisdictionCountry) {
			missing = append(missing, "jurisdiction_country")
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []certs.Problem{problem("organization", CodeInvalidOrder, "Organization Incomplete",
		fmt.Sprintf("%s certificates need organization fields %s.", level, strings.Join(missing, ", ")))}
}

// evBusinessCategories are the EV business categories the CA accepts (CA/B Forum EV
// Guidelines; the same list as package ca), checked here so that a plan refuses what
// the CA would refuse at issuance — possibly long after the order was placed.
var evBusinessCategories = []string{"Private Organization", "Government Entity", "Business Entity", "Non-Commercial Entity"}

// isAlpha2 tells whether s is two ASCII letters, like an ISO 3166-1 alpha-2 code.
func isAlpha2(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) != 2 {
		return false
	}
	for _, c := range []byte(s) {
		if c|0x20 < 'a' || c|0x20 > 'z' {
			return false
		}
	}
	return true
}

func evFields(level string) string {
	if level == ca.LevelEV {
		return ", registration_number, business_category, jurisdiction_country"
	}
	return ""
}

func refused(code, field string, ps []certs.Problem) *Error {
	e := &Error{Kind: KindInvalid, Code: code, Problems: ps, Field: field}
	if len(ps) > 0 {
		e.Summary, e.Message, e.Field = ps[0].Summary, ps[0].Message, ps[0].Field
	}
	return e
}

func precondition(code, summary, format string, args ...any) *Error {
	return &Error{Kind: KindFailedPrecondition, Code: code, Summary: summary, Message: fmt.Sprintf(format, args...)}
}

// Order places an order. When nothing outside is needed (automatic validation and
// review) the certificate is issued at once; otherwise the record waits in
// pending_validation or pending_review with its validation records.
func (s *Service) Order(ctx context.Context, idemKey string, in OrderInput) (*Certificate, error) {
	if strings.TrimSpace(in.Name) == "" {
		return nil, invalid("name", "Name Required", "The certificate needs a name.")
	}
	if in.Project == "" {
		in.Project = DefaultProject
	}
	p, ps := normalizeOrder(&in)
	if len(ps) > 0 {
		return nil, refused(CodeInvalidOrder, "", ps)
	}
	now := s.clock.Now()
	sp := &orderSpec{Brand: p.Brand, CertificateType: p.CertificateType, Level: p.Level,
		KeyAlgorithm: in.KeyAlgorithm, KeySize: in.KeySize, CSRPEM: in.CSRPEM,
		ValidationMethod: in.ValidationMethod, Organization: in.Organization, ValidityDays: in.ValidityDays,
		SubmittedAt: now, RenewsID: in.RenewsCertificateID, RenewBeforeDays: in.RenewBeforeDays}
	sp.ValidationRecords = validationRecords(append([]string{in.Domain}, in.SANs...), in.ValidationMethod)
	if in.Password != "" {
		sp.PasswordVerifier = newVerifier(in.Password)
	}
	rec := &store.Certificate{ID: newID(), Project: in.Project, Name: in.Name, Source: SourceIssued,
		Standard: standardOf(in.KeyAlgorithm), Tags: in.Tags, IgnoreNotifications: in.IgnoreExpirationNotifications,
		Domain: in.Domain, SANs: append([]string{in.Domain}, in.SANs...), KeyAlgorithm: in.KeyAlgorithm, KeySize: in.KeySize,
		CreatedAt: now, UpdatedAt: now}

	needsValidation := !s.autoValidated(in.ValidationMethod)
	var m *minted
	if !needsValidation && s.settings.ReviewPolicy == ReviewAuto {
		// Issue outside the write transaction: key generation and signing are the slow part.
		var err error
		if m, err = s.mint(ctx, rec, sp, mintParams{alg: in.KeyAlgorithm, size: in.KeySize, csr: in.CSRPEM, password: in.Password}); err != nil {
			return nil, err
		}
	} else if in.Password != "" {
		sealed, err := s.sealer.Seal([]byte(in.Password), []byte(rec.ID+"/password"))
		if err != nil {
			return nil, err
		}
		sp.PasswordSealed = sealed
	}
	place := func(tx store.Tx) (string, error) {
		switch {
		case m != nil:
			sp.ValidatedAt = &now
			if err := s.applyMinted(ctx, tx, rec, sp, m, "issue"); err != nil {
				return "", err
			}
		case needsValidation:
			rec.Status = StatusPendingValidation
			sp.Pending = &pendingOp{Kind: opIssue, Needs: needValidation, SubmittedAt: now}
		default:
			sp.ValidatedAt = &now
			rec.Status = StatusPendingReview
			sp.Pending = &pendingOp{Kind: opIssue, Needs: needReview, SubmittedAt: now}
		}
		if err := writeSpec(rec, sp); err != nil {
			return "", err
		}
		if err := tx.InsertCertificate(ctx, rec); err != nil {
			return "", err
		}
		if m != nil {
			if err := s.recordMinted(ctx, tx, rec, m, "issue"); err != nil {
				return "", err
			}
			if sp.RenewsID == "" {
				return rec.ID, nil // nothing to take over: the record is stored as it is
			}
			if err := s.takeOver(ctx, tx, rec, sp); err != nil {
				return "", err
			}
			if err := writeSpec(rec, sp); err != nil {
				return "", err
			}
			return rec.ID, tx.UpdateCertificate(ctx, rec)
		}
		return rec.ID, nil
	}
	var stored *store.Certificate
	id, err := s.idempotent(ctx, idemKey, "order.create", in, func(tx store.Tx) (string, error) {
		id, err := place(tx)
		if err != nil {
			return "", err
		}
		// The record as the store keeps it, read on the writer's connection
		// (its pages are still cached there) rather than after the commit.
		stored, err = tx.GetCertificate(ctx, id)
		return id, err
	})
	if err != nil {
		return nil, err
	}
	if stored == nil { // a repeated request: the first one's record
		return s.Get(ctx, id, false)
	}
	return s.view(stored, s.clock.Now()), nil
}

func standardOf(alg string) string {
	if alg == ca.AlgorithmSM2 {
		return certs.StandardSM2
	}
	return certs.StandardInternational
}

// autoValidated tells whether domain validation needs no outside action: a *_AUTO
// method, or the backend's validation = auto.
func (s *Service) autoValidated(method string) bool {
	return method == MethodDNSAuto || method == MethodFileAuto || s.settings.Validation == ValidationAuto
}

func validationRecords(names []string, method string) []ValidationRecord {
	var out []ValidationRecord
	seen := map[string]bool{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "*.")
		if seen[base] {
			continue
		}
		seen[base] = true
		token := randomToken()
		if method == MethodFile || method == MethodFileAuto {
			path := "/.well-known/pki-validation/fileauth.txt"
			out = append(out, ValidationRecord{Domain: base, Method: MethodFile, URL: "http://" + base + path, Path: path, Content: token})
		} else {
			out = append(out, ValidationRecord{Domain: base, Method: MethodDNS, Name: "_dnsauth." + base, Type: "TXT", Value: token})
		}
	}
	return out
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// mintParams say how to make a version's key and certificate.
type mintParams struct {
	alg      string
	size     int
	csr      string
	password string
	notAfter time.Time // zero: now + the order's validity; a reissue keeps the original (I5)
}

// minted is a freshly issued version, not yet stored.
type minted struct {
	leaf       *ca.Leaf
	encryption *ca.Leaf
	keyPEM     string // "" with a CSR
	encKeyPEM  string
	issuer     string
	keyAlg     string
	keySize    int
}

// mint makes a key (unless a CSR brings one) and signs the certificate(s).
func (s *Service) mint(ctx context.Context, rec *store.Certificate, sp *orderSpec, mp mintParams) (*minted, error) {
	h, err := s.authority(ctx, sp.Brand, mp.alg)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().Truncate(time.Second)
	notAfter := mp.notAfter
	if notAfter.IsZero() {
		notAfter = now.Add(time.Duration(sp.ValidityDays) * 24 * time.Hour)
	}
	req := ca.LeafRequest{CSRPEM: mp.csr, CommonName: rec.Domain, DNSNames: rec.SANs, ValidationLevel: sp.Level,
		Organization: caOrganization(sp.Organization), NotBefore: now, NotAfter: notAfter, PublicURL: s.settings.PublicURL}
	m := &minted{issuer: h.Intermediate().Subject.String(), keyAlg: mp.alg, keySize: mp.size}
	var key crypto.Signer
	if mp.csr == "" {
		if key, err = ca.GenerateKey(mp.alg, mp.size); err != nil {
			return nil, err
		}
		req.PublicKey = key
		if m.keyPEM, err = ca.MarshalPrivateKeyPEM(key, mp.password); err != nil {
			return nil, err
		}
	}
	if mp.alg == ca.AlgorithmSM2 {
		pair, err := h.IssueSM2Pair(ca.SM2PairRequest{LeafRequest: req})
		if err != nil {
			return nil, caErr(err)
		}
		m.leaf, m.encryption = pair.Signature, pair.Encryption
		if pair.EncryptionKey != nil {
			if m.encKeyPEM, err = ca.MarshalPrivateKeyPEM(pair.EncryptionKey, mp.password); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	if m.leaf, err = h.Issue(req); err != nil {
		return nil, caErr(err)
	}
	return m, nil
}

func caErr(err error) error {
	if errors.Is(err, ca.ErrInvalidRequest) {
		return &Error{Kind: KindInvalid, Code: CodeInvalidOrder, Summary: "Certificate Request Refused", Message: err.Error()}
	}
	return err
}

func caOrganization(o *Organization) *ca.Organization {
	if o == nil {
		return nil
	}
	return &ca.Organization{Name: o.Name, Country: o.Country, Province: o.Province, Locality: o.Locality,
		StreetAddress: o.Address, PostalCode: o.PostalCode, SerialNumber: o.RegistrationNumber,
		BusinessCategory: o.BusinessCategory, JurisdictionCountry: o.JurisdictionCountry}
}

// applyMinted makes m the record's current version.
func (s *Service) applyMinted(ctx context.Context, tx store.Tx, rec *store.Certificate, sp *orderSpec, m *minted, kind string) error {
	now := s.clock.Now()
	rec.Version++
	rec.Status = StatusIssued
	if rec.Version > 1 {
		rec.IgnoreNotifications = false // a new version clears the ignore (N1)
	}
	rec.Issuer = m.issuer
	rec.SerialNumber = certs.SerialHex(m.leaf.SerialNumber)
	rec.NotBefore, rec.NotAfter = m.leaf.NotBefore, m.leaf.NotAfter
	rec.FingerprintSHA256 = certs.FingerprintSHA256(m.leaf.DER)
	rec.KeyAlgorithm, rec.KeySize = m.keyAlg, m.keySize
	rec.CertificatePEM, rec.LeafPEM, rec.CAChainPEM, rec.ChainComplete = m.leaf.CertificatePEM, m.leaf.CertificatePEM, m.leaf.ChainPEM, true
	rec.EncryptionCertPEM = ""
	if m.encryption != nil {
		rec.EncryptionCertPEM = m.encryption.CertificatePEM
	}
	rec.UpdatedAt = now
	var err error
	if rec.PrivateKeySealed, err = s.seal(rec.ID, "private_key", m.keyPEM); err != nil {
		return err
	}
	if rec.EncryptionKeySealed, err = s.seal(rec.ID, "encryption_private_key", m.encKeyPEM); err != nil {
		return err
	}
	sp.CAID = m.leaf.CAID
	sp.KeyAlgorithm, sp.KeySize = m.keyAlg, m.keySize
	sp.PasswordSealed = nil
	sp.Pending = nil
	if sp.IssuedAt == nil {
		sp.IssuedAt = &now
	}
	// The validation records stay: configurations that published them keep
	// referring to them (like ACM's records).
	return nil
}

// recordMinted stores the version history and the serial registry of a new version.
func (s *Service) recordMinted(ctx context.Context, tx store.Tx, rec *store.Certificate, m *minted, kind string) error {
	if err := tx.InsertVersion(ctx, versionOf(rec, kind)); err != nil {
		return err
	}
	for _, l := range []*ca.Leaf{m.leaf, m.encryption} {
		if l == nil {
			continue
		}
		if err := tx.InsertSerial(ctx, &store.Serial{CAID: l.CAID, Serial: certs.SerialHex(l.SerialNumber),
			CertificateID: rec.ID, Version: rec.Version, NotAfter: l.NotAfter, CreatedAt: s.clock.Now()}); err != nil {
			return err
		}
	}
	return nil
}

// orderView returns the order details of an issued record for display.
func (s *Service) orderView(rec *store.Certificate, now time.Time) *Order {
	sp, err := readSpec(rec)
	if err != nil {
		return nil
	}
	o := &Order{Brand: sp.Brand, CertificateType: sp.CertificateType, ValidationMethod: sp.ValidationMethod,
		ValidityDays: sp.ValidityDays, Organization: sp.Organization, CSRProvided: sp.CSRPEM != "",
		HasPassword: sp.PasswordVerifier != "", ValidationRecords: sp.ValidationRecords, ReissueCount: sp.ReissueCount,
		ReminderSentAt: sp.ReminderSentAt, RevocationReason: sp.RevocationReason, RenewsCertificateID: sp.RenewsID,
		HostingNote: sp.HostingNote, RenewBeforeDays: sp.RenewBeforeDays}
	if sp.RenewBeforeDays > 0 && rec.Status == StatusIssued && !rec.NotAfter.IsZero() {
		o.ReadyForRenewal = !now.Before(rec.NotAfter.Add(-time.Duration(sp.RenewBeforeDays) * day))
	}
	if sp.Pending != nil {
		o.ReminderAvailableAt = reminderAvailableAt(sp)
		o.Pending = pendingText(rec.ID, sp)
	} else if sp.Note != "" {
		o.Pending = sp.Note
	}
	return o
}

func pendingText(id string, sp *orderSpec) string {
	p := sp.Pending
	what := map[string]string{opIssue: "issuance", opReissue: "reissue", opRevocation: "revocation", opRenewal: "renewal"}[p.Kind]
	if p.Needs == needReview {
		return fmt.Sprintf("The %s waits for the reviewer's approval (review_policy = manual): `terraform-provider-ssl review approve %s`.", what, id)
	}
	var recs []string
	for _, r := range sp.ValidationRecords {
		if r.Method == MethodFile {
			recs = append(recs, fmt.Sprintf("file %s with content %s", r.URL, r.Content))
		} else {
			recs = append(recs, fmt.Sprintf("TXT record %s = %s", r.Name, r.Value))
		}
	}
	msg := fmt.Sprintf("The %s waits for domain validation: publish %s.", what, strings.Join(recs, "; "))
	if p.Deadline != nil {
		msg += fmt.Sprintf(" It fails unless validated by %s (rule R7).", p.Deadline.Format(time.RFC3339))
	}
	if sp.Note != "" {
		msg += " Last check: " + sp.Note + "."
	}
	return msg
}

// reminderAvailableAt is M4: when a pending paid order can be sent a reminder.
func reminderAvailableAt(sp *orderSpec) *time.Time {
	p, ok := FindProduct(sp.Brand, sp.CertificateType)
	if !ok || !p.Reminder || sp.Pending == nil || sp.Pending.Kind != opIssue {
		return nil
	}
	t := sp.SubmittedAt.Add(time.Duration(p.ReminderAfterHours) * time.Hour)
	return &t
}
