package provider

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/pem"
	"errors"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// Key algorithms of ssl_certificate, as the service names them.
const (
	certificateKeyRSA = "RSA"
	certificateKeyECC = "ECC"
	certificateKeySM2 = "SM2"
)

// certificateKeySizes lists the sizes each algorithm comes in; the first is the default.
var certificateKeySizes = map[string][]int64{
	certificateKeyRSA: {2048, 3072, 4096},
	certificateKeyECC: {256, 384},
	certificateKeySM2: {256},
}

// csrKey is what a CSR says about its key.
type csrKey struct {
	algorithm string
	size      int64
	spki      []byte // DER SubjectPublicKeyInfo
}

// parseCSRKey reads the key algorithm and size of a PEM CSR (RSA, ECDSA or SM2).
func parseCSRKey(pemText string) (csrKey, error) {
	rest := []byte(pemText)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return csrKey{}, errors.New("no CERTIFICATE REQUEST PEM block found")
		}
		if block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
			continue
		}
		csr, err := smx509.ParseCertificateRequest(block.Bytes)
		if err != nil {
			return csrKey{}, err
		}
		k := csrKey{spki: csr.RawSubjectPublicKeyInfo}
		switch pub := csr.PublicKey.(type) {
		case *rsa.PublicKey:
			k.algorithm, k.size = certificateKeyRSA, int64(pub.N.BitLen())
		case *ecdsa.PublicKey:
			if sm2.IsSM2PublicKey(pub) {
				k.algorithm, k.size = certificateKeySM2, 256
			} else {
				k.algorithm, k.size = certificateKeyECC, int64(pub.Curve.Params().BitSize)
			}
		default:
			return csrKey{}, errors.New("the CSR's key is neither RSA, ECDSA nor SM2")
		}
		return k, nil
	}
}

// csrMatchesCertificate tells whether the CSR carries the public key of the first
// certificate in certPEM: then a reissue with it would not change the key.
func csrMatchesCertificate(csrPEM, certPEM string) bool {
	k, err := parseCSRKey(csrPEM)
	if err != nil {
		return false
	}
	rest := []byte(certPEM)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return false
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := smx509.ParseCertificate(block.Bytes)
		return err == nil && bytes.Equal(cert.RawSubjectPublicKeyInfo, k.spki)
	}
}
