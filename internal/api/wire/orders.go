package wire

import "time"

// Organization is the subject organisation of an OV/EV certificate.
type Organization struct {
	Name                string `json:"name"`
	Division            string `json:"division,omitempty"`
	Country             string `json:"country"`
	Province            string `json:"province,omitempty"`
	Locality            string `json:"locality,omitempty"`
	Address             string `json:"address,omitempty"`
	PostalCode          string `json:"postal_code,omitempty"`
	ContactName         string `json:"contact_name,omitempty"`
	ContactEmail        string `json:"contact_email,omitempty"`
	ContactPhone        string `json:"contact_phone,omitempty"`
	RegistrationNumber  string `json:"registration_number,omitempty"`  // EV: company registration (subject serialNumber)
	BusinessCategory    string `json:"business_category,omitempty"`    // EV: e.g. "Private Organization"
	JurisdictionCountry string `json:"jurisdiction_country,omitempty"` // EV
}

// ValidationRecord is what the user must publish for domain validation: a DNS TXT
// record (Name, Type "TXT", Value) or a file (URL, Path, Content).
type ValidationRecord struct {
	Domain  string `json:"domain"`
	Method  string `json:"method"` // "DNS" | "FILE"
	Name    string `json:"name,omitempty"`
	Type    string `json:"type,omitempty"`
	Value   string `json:"value,omitempty"`
	URL     string `json:"url,omitempty"`
	Path    string `json:"path,omitempty"`
	Content string `json:"content,omitempty"`
}

// OrderRequest applies for a certificate issued by the bundled CA.
type OrderRequest struct {
	Name                          string            `json:"name"`
	Project                       string            `json:"project"`
	Tags                          map[string]string `json:"tags"`
	Domain                        string            `json:"domain"`
	SubjectAlternativeNames       []string          `json:"subject_alternative_names"`
	Brand                         string            `json:"brand"`
	CertificateType               string            `json:"certificate_type"`
	KeyAlgorithm                  string            `json:"key_algorithm"`
	KeySize                       int               `json:"key_size"`
	CSRPEM                        string            `json:"csr_pem,omitempty"`
	PrivateKeyPassword            string            `json:"private_key_password,omitempty"`
	ValidationMethod              string            `json:"validation_method"`
	Organization                  *Organization     `json:"organization,omitempty"`
	ValidityDays                  int               `json:"validity_days,omitempty"`
	RenewsCertificateID           string            `json:"renews_certificate_id,omitempty"`
	IgnoreExpirationNotifications bool              `json:"ignore_expiration_notifications"`
	// SendReminder asks CheckOrder whether the product takes review reminders (M2, M3).
	SendReminder bool `json:"send_reminder,omitempty"`
	// RenewBeforeDays opens the renewal window this many days before expiry (0: none).
	RenewBeforeDays int `json:"renew_before_days,omitempty"`
}

// Validate checks the request's shape; the product rules are the service's.
func (r *OrderRequest) Validate() error {
	if r.Name == "" {
		return FieldError("name", "Name Required", "The certificate needs a name.")
	}
	if r.Domain == "" {
		return FieldError("domain", "Domain Required", "The certificate needs a domain.")
	}
	return validateTags(r.Tags)
}

// ReissueRequest asks for a reissue (I1–I7): a new key (or CSR) for the same validity.
type ReissueRequest struct {
	KeyAlgorithm       string `json:"key_algorithm"`
	KeySize            int    `json:"key_size"`
	CSRPEM             string `json:"csr_pem,omitempty"`
	PrivateKeyPassword string `json:"private_key_password,omitempty"`
	Reason             string `json:"reason,omitempty"`
}

// Validate checks the request's shape.
func (r *ReissueRequest) Validate() error { return nil }

// RevokeRequest submits a revocation (R1–R8). Letter is the confirmation letter or
// application file (JPG, GIF, PNG or PDF as R7 says, at most 1.4 MB).
type RevokeRequest struct {
	Reason     string `json:"reason"`
	Letter     []byte `json:"letter,omitempty"`
	LetterName string `json:"letter_name,omitempty"`
}

// Validate checks the request's shape.
func (r *RevokeRequest) Validate() error { return nil }

// ReviewRequest is the reviewer's decision under review_policy = manual.
type ReviewRequest struct {
	Decision string `json:"decision"` // "approve" | "reject"
	Reason   string `json:"reason,omitempty"`
}

// Validate checks the request's shape.
func (r *ReviewRequest) Validate() error {
	if r.Decision != "approve" && r.Decision != "reject" {
		return FieldError("decision", "Invalid Decision", "decision must be \"approve\" or \"reject\".")
	}
	return nil
}

// PasswordCheck asks whether a password is the one the key was issued with; the
// service keeps only a verifier and never returns a password.
type PasswordCheck struct {
	Password string `json:"password"`
}

// Validate checks the request's shape.
func (r *PasswordCheck) Validate() error { return nil }

// PasswordCheckResult answers a PasswordCheck.
type PasswordCheckResult struct {
	Matches bool `json:"matches"`
}

// OrderDetails are the fields of an issued certificate's order, part of Certificate.
type OrderDetails struct {
	Brand               string             `json:"brand,omitempty"`
	CertificateType     string             `json:"certificate_type,omitempty"`
	ValidationMethod    string             `json:"validation_method,omitempty"`
	ValidityDays        int                `json:"validity_days,omitempty"`
	Organization        *Organization      `json:"organization,omitempty"`
	CSRProvided         bool               `json:"csr_provided,omitempty"`
	HasPassword         bool               `json:"has_password,omitempty"`
	ValidationRecords   []ValidationRecord `json:"validation_records,omitempty"`
	ReissueCount        int                `json:"reissue_count"`
	ReminderAvailableAt *time.Time         `json:"reminder_available_at,omitempty"`
	ReminderSentAt      *time.Time         `json:"reminder_sent_at,omitempty"`
	RevocationReason    string             `json:"revocation_reason,omitempty"`
	RenewsCertificateID string             `json:"renews_certificate_id,omitempty"`
	// Pending says, in a sentence, what the order waits for (empty once issued).
	Pending string `json:"pending,omitempty"`
	// HostingNote says what became of the renewed record's resources (H2).
	HostingNote string `json:"hosting_note,omitempty"`
	// RenewBeforeDays is the renewal window; ReadyForRenewal tells whether it is open now.
	RenewBeforeDays int  `json:"renew_before_days,omitempty"`
	ReadyForRenewal bool `json:"ready_for_renewal"`
}

// Product is one brand × certificate type of the catalogue (M2, M3).
type Product struct {
	Brand              string   `json:"brand"`
	CertificateType    string   `json:"certificate_type"`
	ValidationLevel    string   `json:"validation_level"` // DV | OV | EV
	Free               bool     `json:"free"`
	DomainTypes        []string `json:"domain_types"` // single, multiple, wildcard
	KeyAlgorithms      []string `json:"key_algorithms"`
	MaxValidityDays    int      `json:"max_validity_days"`
	DefaultValidity    int      `json:"default_validity_days"`
	ReviewReminder     bool     `json:"review_reminder"`
	ReminderAfterHours int      `json:"reminder_after_hours"`
	// RevocationLetterTypes: per key algorithm, the file types a revocation letter may
	// have (R7); no entry when that revocation needs none.
	RevocationLetterTypes map[string][]string `json:"revocation_letter_types"`
}

// CheckResult is the answer of a dry run: the problems the real request would meet.
type CheckResult struct {
	Problems []Problem `json:"problems"`
}

// ProductList is the answer of GET /v1/products.
type ProductList struct {
	Products []Product `json:"products"`
}

// Authority is one brand × algorithm issuing CA, for trust stores.
type Authority struct {
	ID              string `json:"id"`
	Brand           string `json:"brand"`
	KeyAlgorithm    string `json:"key_algorithm"`
	RootPEM         string `json:"root_pem"`
	IntermediatePEM string `json:"intermediate_pem"`
	CRLPEM          string `json:"crl_pem"`
	CRLURL          string `json:"crl_url"`
	OCSPURL         string `json:"ocsp_url"`
}

// AuthorityList is the answer of GET /v1/ca.
type AuthorityList struct {
	Authorities []Authority `json:"authorities"`
}
