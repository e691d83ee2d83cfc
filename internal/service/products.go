package service

import (
	"github.com/sslkit/terraform-provider-ssl/internal/ca"
)

// Certificate types (DESIGN.md, ssl_certificate.certificate_type).
const (
	TypeDV     = "DV"
	TypeOV     = "OV"
	TypeOVPro  = "OV_PRO"
	TypeEV     = "EV"
	TypeEVPro  = "EV_PRO"
	TypeFreeDV = "FREE_DV"
)

// Product is one brand × certificate type the service sells (M2, M3).
type Product struct {
	Brand           string
	CertificateType string
	Level           string // DV | OV | EV
	Free            bool
	Wildcard        bool // wildcard domains allowed
	MultiDomain     bool // SANs allowed
	KeyAlgorithms   []string
	MaxValidityDays int
	DefaultValidity int
	// Reminder tells whether a pending order of this product takes a review reminder
	// (M2; M3: DNSPod SM never), and ReminderAfterHours when it opens (M4).
	Reminder           bool
	ReminderAfterHours int
	// RevocationLetterTypes are, per key algorithm, the file types a revocation letter
	// may have (R7); no entry when that revocation needs no letter.
	RevocationLetterTypes map[string][]string
}

const (
	paidValidityDays = 365
	freeValidityDays = 90
)

// reminderHours is M4: 24 h after submission for DV, 72 h after the confirmation
// letter for OV, 96 h for EV.
var reminderHours = map[string]int{ca.LevelDV: 24, ca.LevelOV: 72, ca.LevelEV: 96}

// M2: which types each brand sells and whether they take reminders ("–" = not sold).
var catalogue = []struct {
	brand, typ string
	reminder   bool
}{
	{ca.BrandSecureSite, TypeOV, true}, {ca.BrandSecureSite, TypeOVPro, true}, {ca.BrandSecureSite, TypeFreeDV, true},
	{ca.BrandSecureSite, TypeEV, true}, {ca.BrandSecureSite, TypeEVPro, true},
	{ca.BrandGeoTrust, TypeOV, true}, {ca.BrandGeoTrust, TypeEV, true},
	{ca.BrandTrustAsia, TypeOV, true}, {ca.BrandTrustAsia, TypeDV, true}, {ca.BrandTrustAsia, TypeEV, true},
	{ca.BrandGlobalSign, TypeOV, true}, {ca.BrandGlobalSign, TypeEV, true},
	{ca.BrandWoTrus, TypeOV, false}, {ca.BrandWoTrus, TypeDV, false}, {ca.BrandWoTrus, TypeEV, false},
	// M3: DNSPod SM certificates never take reminders.
	{ca.BrandDNSPod, TypeDV, false}, {ca.BrandDNSPod, TypeOV, false}, {ca.BrandDNSPod, TypeEV, false},
}

func levelOf(typ string) string {
	switch typ {
	case TypeOV, TypeOVPro:
		return ca.LevelOV
	case TypeEV, TypeEVPro:
		return ca.LevelEV
	}
	return ca.LevelDV
}

// Products returns the catalogue.
func Products() []Product {
	out := make([]Product, 0, len(catalogue))
	for _, c := range catalogue {
		p := Product{
			Brand: c.brand, CertificateType: c.typ, Level: levelOf(c.typ), Free: c.typ == TypeFreeDV,
			KeyAlgorithms: ca.Algorithms(c.brand), Reminder: c.reminder,
		}
		p.Wildcard, p.MultiDomain = !p.Free, !p.Free
		p.MaxValidityDays, p.DefaultValidity = paidValidityDays, paidValidityDays
		if p.Free {
			p.MaxValidityDays, p.DefaultValidity = freeValidityDays, freeValidityDays
		}
		if p.Reminder {
			p.ReminderAfterHours = reminderHours[p.Level]
		}
		p.RevocationLetterTypes = map[string][]string{}
		for _, alg := range p.KeyAlgorithms {
			if types := revocationLetterTypes(p.Brand, p.Level, alg); types != nil {
				p.RevocationLetterTypes[alg] = types
			}
		}
		out = append(out, p)
	}
	return out
}

// FindProduct returns the product of brand and type.
func FindProduct(brand, typ string) (Product, bool) {
	for _, p := range Products() {
		if p.Brand == brand && p.CertificateType == typ {
			return p, true
		}
	}
	return Product{}, false
}

// revocationLetterTypes is R7's letter rule: DNSPod SM OV/EV need an application file
// (JPG, GIF or PDF); other brands' OV/EV a confirmation letter (JPG, PNG or PDF);
// DV and WoTrus none.
func revocationLetterTypes(brand, level, alg string) []string {
	switch {
	case level == ca.LevelDV || brand == ca.BrandWoTrus:
		return nil
	case brand == ca.BrandDNSPod && alg == ca.AlgorithmSM2:
		return []string{"jpg", "gif", "pdf"}
	default:
		return []string{"jpg", "png", "pdf"}
	}
}

// MaxLetterBytes is R7's limit on a revocation letter: 1.4 MB.
const MaxLetterBytes = 1400 * 1000
