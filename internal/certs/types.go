// Package certs parses and checks certificate material — PEM bundles, chains and
// private keys, international (RSA, ECDSA) and Chinese SM2 — for both the provider's
// plan-time checks and the service's checks (the source of truth). It has no
// dependency on the rest of the backend.
package certs

import "time"

// Standards of an upload (rules U2, U3).
const (
	StandardInternational = "international"
	StandardSM2           = "sm2"
)

// Key algorithms as the provider and the service name them.
const (
	AlgorithmRSA = "RSA"
	AlgorithmECC = "ECC"
	AlgorithmSM2 = "SM2"
)

// Fields named in problems; they equal the Terraform attribute names.
const (
	FieldStandard                 = "standard"
	FieldCertificatePEM           = "certificate_pem"
	FieldPrivateKeyPEM            = "private_key_pem"
	FieldEncryptionCertificatePEM = "encryption_certificate_pem"
	FieldEncryptionPrivateKeyPEM  = "encryption_private_key_pem"
)

// Severity of a Problem.
type Severity int

const (
	// Error refuses the upload.
	Error Severity = iota
	// Warning lets the upload go on but tells the user.
	Warning
)

// Problem is one finding about an upload: which field, how bad, a stable code and a
// message (whole sentences that say what is wrong and what to do). Messages never
// contain key material.
type Problem struct {
	Field    string
	Severity Severity
	Code     string
	Summary  string // short Title Case phrase, e.g. "Certificate Chain Broken"
	Message  string
}

// UploadInput is what a user uploads (U2, U3). Unset optional parts are "".
type UploadInput struct {
	Standard                 string // "" means international
	CertificatePEM           string
	PrivateKeyPEM            string
	EncryptionCertificatePEM string // sm2 only
	EncryptionPrivateKeyPEM  string // sm2 only; "" with sm2 means the signature key serves both (U3)
	// KeysUnknown is set at plan time when the private keys are not known yet
	// (they come from another resource): the certificates are checked alone.
	KeysUnknown bool
}

// Bundle is what an accepted upload's material says about itself.
type Bundle struct {
	Domain            string   // subject CN, else the first DNS SAN
	SANs              []string // every DNS SAN, Domain included (first when it is a SAN or the CN)
	Subject           string
	Issuer            string // issuer DN, RFC 2253-like string
	SerialNumber      string // lowercase hex
	NotBefore         time.Time
	NotAfter          time.Time
	FingerprintSHA256 string // lowercase hex of the leaf DER, no colons
	KeyAlgorithm      string // AlgorithmRSA | AlgorithmECC | AlgorithmSM2
	KeySize           int    // RSA modulus bits; curve bits for ECC/SM2
	LeafPEM           string // the leaf, normalised PEM (LF endings)
	CAChainPEM        string // the other certificates, ordered from the leaf's issuer upwards
	FullChainPEM      string // LeafPEM + CAChainPEM
	ChainComplete     bool   // the chain ends in a self-signed certificate
	SelfSigned        bool   // the leaf is self-signed
}

// Problem codes (stable; they travel in API errors).
const (
	CodeEmpty             = "empty"            // nothing given where PEM was expected
	CodeNotPEM            = "not_pem"          // text that is not PEM (or DER bytes)
	CodeNotCertificate    = "not_certificate"  // PEM of another type where a certificate was expected
	CodeNotPrivateKey     = "not_private_key"  // PEM of another type where a key was expected
	CodeMalformed         = "malformed"        // PEM whose content does not parse
	CodeKeyMissing        = "key_missing"      // no private key for a server certificate
	CodeKeyEncrypted      = "key_encrypted"    // an encrypted private key
	CodeKeyMismatch       = "key_mismatch"     // the key does not belong to the certificate
	CodeChainBroken       = "chain_broken"     // a certificate that neither signs nor is signed by another
	CodeChainIncomplete   = "chain_incomplete" // warning: intermediates missing
	CodeWrongStandard     = "wrong_standard"   // SM2 material with "international" or the reverse
	CodeUnsupportedAlgo   = "unsupported_algorithm"
	CodeExpired           = "expired"       // warning: the certificate has expired
	CodeNotYetValid       = "not_yet_valid" // warning
	CodeUnknownStandard   = "unknown_standard"
	CodeUnexpectedField   = "unexpected_field"   // e.g. an encryption certificate with "international"
	CodeEncryptionMissing = "encryption_missing" // sm2 without its encryption certificate
)
