package certstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"
)

// names makes subjects unique within the process: chains link by name.
var names atomic.Int64

// CA is a certificate authority fixture: a root or an intermediate.
type CA struct {
	Alg     string              // key algorithm, one of the constants of this package
	Cert    *smx509.Certificate // the CA's certificate
	CertPEM string              // Cert as PEM
	Key     crypto.Signer       // the CA's private key
	Parent  *CA                 // the issuing CA; nil for a root
}

// CAOptions shapes a CA fixture; zero values get defaults.
type CAOptions struct {
	Alg        string    // key algorithm; "" = RSA for a root, the parent's for an intermediate
	CommonName string    // "" = "certstest <alg> Root|Intermediate <n>"
	NotBefore  time.Time // zero = now − 24 h
	NotAfter   time.Time // zero = now + 10 years
	EmptySM2ID bool      // SM2: sign with the empty distinguishing ID, as OpenSSL 3.0 does
}

// NewCA creates a self-signed root CA with a key of alg.
func NewCA(t testing.TB, alg string) *CA {
	t.Helper()
	return NewCAWith(t, CAOptions{Alg: alg})
}

// NewCAWith creates a self-signed root CA shaped by opts.
func NewCAWith(t testing.TB, opts CAOptions) *CA {
	t.Helper()
	if opts.Alg == "" {
		opts.Alg = RSA
	}
	if opts.CommonName == "" {
		opts.CommonName = fmt.Sprintf("certstest %s Root %d", opts.Alg, names.Add(1))
	}
	key := NewKey(t, opts.Alg)
	tmpl := caTemplate(opts)
	der := create(t, tmpl, tmpl, key.Public(), key, opts.EmptySM2ID)
	return &CA{Alg: opts.Alg, Cert: parse(t, der), CertPEM: encode(der), Key: key}
}

// Intermediate creates an intermediate CA issued by ca.
func (ca *CA) Intermediate(t testing.TB, opts CAOptions) *CA {
	t.Helper()
	if opts.Alg == "" {
		opts.Alg = ca.Alg
	}
	if opts.CommonName == "" {
		opts.CommonName = fmt.Sprintf("certstest %s Intermediate %d", opts.Alg, names.Add(1))
	}
	key := ca.distinctKey(t, opts.Alg)
	tmpl := caTemplate(opts)
	der := create(t, tmpl, ca.Cert, key.Public(), ca.Key, opts.EmptySM2ID)
	return &CA{Alg: opts.Alg, Cert: parse(t, der), CertPEM: encode(der), Key: key, Parent: ca}
}

// ChainPEMs returns the PEM of ca and of each issuer above it, root last.
func (ca *CA) ChainPEMs() []string {
	var out []string
	for c := ca; c != nil; c = c.Parent {
		out = append(out, c.CertPEM)
	}
	return out
}

// distinctKey returns a pooled key of alg that no CA of this chain uses.
func (ca *CA) distinctKey(t testing.TB, alg string) crypto.Signer {
	t.Helper()
	for range 2 * rsaPoolSize {
		k := NewKey(t, alg)
		if !ca.usesKey(k) {
			return k
		}
	}
	return UniqueKey(t, alg)
}

// usesKey reports whether ca or an issuer above it has key.
func (ca *CA) usesKey(k crypto.Signer) bool {
	for c := ca; c != nil; c = c.Parent {
		if sameKey(c.Key, k) {
			return true
		}
	}
	return false
}

// sameKey reports whether two private keys have the same public key.
func sameKey(a, b crypto.Signer) bool {
	p, ok := a.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && p.Equal(b.Public())
}

// LeafOptions shapes a leaf certificate; zero values get defaults.
type LeafOptions struct {
	CommonName string        // "" = "leaf<n>.example.test"; "-" = no CN
	DNSNames   []string      // nil = [CommonName] (none when there is no CN)
	NotBefore  time.Time     // zero = now − 1 h
	NotAfter   time.Time     // zero = now + 90 days
	Alg        string        // key algorithm; "" = the issuer's (RSA for SelfSigned)
	Key        crypto.Signer // use this key instead of a new one
	EmptySM2ID bool          // SM2: sign with the empty distinguishing ID, as OpenSSL 3.0 does
	Encryption bool          // SM2 encryption certificate: key and data encipherment usages
	IsCA       bool          // mark the certificate as a CA (basic constraints CA:TRUE)
}

// Leaf is an end-entity certificate fixture and its key.
type Leaf struct {
	Cert    *smx509.Certificate // the certificate
	CertPEM string              // Cert as PEM
	Key     crypto.Signer       // its private key
	Issuer  *CA                 // the issuing CA; nil when self-signed
}

// Leaf issues an end-entity (server) certificate from ca.
func (ca *CA) Leaf(t testing.TB, opts LeafOptions) *Leaf {
	t.Helper()
	if opts.Alg == "" {
		opts.Alg = ca.Alg
	}
	key := opts.Key
	if key == nil {
		key = ca.distinctKey(t, opts.Alg)
	}
	tmpl := leafTemplate(opts)
	der := create(t, tmpl, ca.Cert, key.Public(), ca.Key, opts.EmptySM2ID)
	return &Leaf{Cert: parse(t, der), CertPEM: encode(der), Key: key, Issuer: ca}
}

// SM2Pair issues an SM2 signature certificate and its encryption certificate from
// ca (an SM2 CA) with the same names; with sharedKey both use one key (rule U3).
func (ca *CA) SM2Pair(t testing.TB, opts LeafOptions, sharedKey bool) (sign, enc *Leaf) {
	t.Helper()
	opts.Alg = SM2
	if opts.CommonName == "" {
		opts.CommonName = fmt.Sprintf("sm2-%d.example.test", names.Add(1))
	}
	opts.Encryption = false
	sign = ca.Leaf(t, opts)
	opts.Encryption = true
	opts.Key = nil
	if sharedKey {
		opts.Key = sign.Key
	}
	enc = ca.Leaf(t, opts)
	return sign, enc
}

// SelfSigned creates a self-signed server certificate.
func SelfSigned(t testing.TB, opts LeafOptions) *Leaf {
	t.Helper()
	if opts.Alg == "" {
		opts.Alg = RSA
	}
	key := opts.Key
	if key == nil {
		key = NewKey(t, opts.Alg)
	}
	tmpl := leafTemplate(opts)
	der := create(t, tmpl, tmpl, key.Public(), key, opts.EmptySM2ID)
	return &Leaf{Cert: parse(t, der), CertPEM: encode(der), Key: key}
}

// KeyPEM returns the leaf's key as PEM in format; "" means PKCS#8.
func (l *Leaf) KeyPEM(t testing.TB, format KeyFormat) string {
	t.Helper()
	return KeyPEM(t, l.Key, format)
}

// ChainPEMs returns the PEM of the leaf and of each issuer above it, root last.
func (l *Leaf) ChainPEMs() []string {
	out := []string{l.CertPEM}
	if l.Issuer != nil {
		out = append(out, l.Issuer.ChainPEMs()...)
	}
	return out
}

// FullChainPEM returns the leaf and every issuer up to the root, in order.
func (l *Leaf) FullChainPEM() string {
	return Concat(l.ChainPEMs()...)
}

// Concat joins PEM texts, each ending with a newline.
func Concat(pems ...string) string {
	var b strings.Builder
	for _, p := range pems {
		b.WriteString(p)
		if !strings.HasSuffix(p, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// Pick returns the elements of list at the given indexes, in that order, e.g.
// Pick(leaf.ChainPEMs(), 2, 0, 1) to give a chain out of order.
func Pick(list []string, idx ...int) []string {
	out := make([]string, 0, len(idx))
	for _, i := range idx {
		out = append(out, list[i])
	}
	return out
}

// DER returns the DER bytes of the first PEM block of pemText.
func DER(t testing.TB, pemText string) []byte {
	t.Helper()
	b, _ := pem.Decode([]byte(pemText))
	if b == nil {
		t.Fatal("certstest: no PEM block")
	}
	return b.Bytes
}

// caTemplate returns the certificate template of a CA.
func caTemplate(opts CAOptions) *smx509.Certificate {
	now := time.Now()
	nb, na := opts.NotBefore, opts.NotAfter
	if nb.IsZero() {
		nb = now.Add(-24 * time.Hour)
	}
	if na.IsZero() {
		na = now.AddDate(10, 0, 0)
	}
	return &smx509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: opts.CommonName, Organization: []string{"certstest"}},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              smx509.KeyUsageCertSign | smx509.KeyUsageCRLSign | smx509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
}

// leafTemplate returns the certificate template of a leaf.
func leafTemplate(opts LeafOptions) *smx509.Certificate {
	now := time.Now()
	nb, na := opts.NotBefore, opts.NotAfter
	if nb.IsZero() {
		nb = now.Add(-time.Hour)
	}
	if na.IsZero() {
		na = now.AddDate(0, 0, 90)
	}
	cn := opts.CommonName
	switch cn {
	case "":
		cn = fmt.Sprintf("leaf%d.example.test", names.Add(1))
	case "-":
		cn = ""
	}
	dns := opts.DNSNames
	if dns == nil && cn != "" {
		dns = []string{cn}
	}
	tmpl := &smx509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"certstest"}},
		DNSNames:              dns,
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              smx509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []smx509.ExtKeyUsage{smx509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  opts.IsCA,
	}
	if opts.Encryption {
		tmpl.KeyUsage = smx509.KeyUsageKeyEncipherment | smx509.KeyUsageDataEncipherment | smx509.KeyUsageKeyAgreement
	}
	if opts.IsCA {
		tmpl.KeyUsage |= smx509.KeyUsageCertSign
	}
	return tmpl
}

// serial returns a random positive 127-bit serial number.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(1))
}

// create signs tmpl with signer as parent; with emptySM2ID the SM2 signature is
// made again with the empty distinguishing ID.
func create(t testing.TB, tmpl, parent *smx509.Certificate, pub crypto.PublicKey, signer crypto.Signer, emptySM2ID bool) []byte {
	t.Helper()
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("certstest: create certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	if emptySM2ID {
		k, ok := signer.(*sm2.PrivateKey)
		if !ok {
			t.Fatalf("certstest: EmptySM2ID needs an SM2 issuer key, not %T", signer)
		}
		der = resignEmptyID(t, der, k)
	}
	return der
}

// resignEmptyID replaces the SM2 signature of a certificate with one made with
// the empty distinguishing ID (Z computed with ENTL = 0), as OpenSSL 3.0 signs.
func resignEmptyID(t testing.TB, der []byte, key *sm2.PrivateKey) []byte {
	t.Helper()
	var c struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &c); err != nil {
		t.Fatalf("certstest: split certificate: %v", err)
	}
	digest := emptyIDDigest(t, &key.PublicKey, c.TBS.FullBytes)
	sig, err := sm2.SignASN1(rand.Reader, key, digest, nil) // nil opts: sign the digest as is
	if err != nil {
		t.Fatalf("certstest: sign: %v", err)
	}
	c.Signature = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	out, err := asn1.Marshal(c)
	if err != nil {
		t.Fatalf("certstest: join certificate: %v", err)
	}
	return out
}

// emptyIDDigest returns SM3(Z || msg) with Z computed for an empty ID. gmsm
// substitutes the default ID for an empty one, so Z is computed here.
func emptyIDDigest(t testing.TB, pub *ecdsa.PublicKey, msg []byte) []byte {
	t.Helper()
	ek, err := sm2.PublicKeyToECDH(pub)
	if err != nil {
		t.Fatalf("certstest: SM2 public key: %v", err)
	}
	p := sm2.P256().Params()
	h := sm3.New()
	h.Write([]byte{0, 0})
	for _, v := range []*big.Int{new(big.Int).Sub(p.P, big.NewInt(3)), p.B, p.Gx, p.Gy} {
		h.Write(v.FillBytes(make([]byte, 32)))
	}
	h.Write(ek.Bytes()[1:])
	z := h.Sum(nil)
	h.Reset()
	h.Write(z)
	h.Write(msg)
	return h.Sum(nil)
}

// parse parses DER made by this package.
func parse(t testing.TB, der []byte) *smx509.Certificate {
	t.Helper()
	c, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("certstest: parse certificate: %v", err)
	}
	return c
}

// encode returns DER as a CERTIFICATE PEM block.
func encode(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
