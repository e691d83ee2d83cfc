package service_test

import (
	"context"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

// t0 is where the fake clock starts unless a test says otherwise.
var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// envOpts chooses the backend settings of one test environment.
type envOpts struct {
	review     string    // service.ReviewAuto (default) | service.ReviewManual
	validation string    // service.ValidationAuto (default) | ValidationHTTP | ValidationDNS
	start      time.Time // zero = t0
}

// env is one backend with a fake clock and, for validation = http / dns, a web
// server or DNS server the test publishes validation records on.
type env struct {
	t   *testing.T
	ctx context.Context
	clk *clock.Fake
	svc *service.Service
	web *fileServer
	dns *dnsServer
}

func newEnv(t *testing.T, o envOpts) *env {
	t.Helper()
	if o.start.IsZero() {
		o.start = t0
	}
	e := &env{t: t, ctx: context.Background(), clk: clock.NewFake(o.start)}
	st := service.Settings{ReviewPolicy: o.review, Validation: o.validation}
	if o.validation == service.ValidationHTTP || o.validation == service.ValidationDNS {
		// Records are checked by their method (a DNS record by a TXT lookup, a file by a
		// fetch), so both servers stand by.
		e.web, e.dns = newFileServer(t), newDNSServer(t)
		st.HTTPAddr, st.DNSServer = e.web.addr(), e.dns.addr()
	}
	b, err := backend.Open(e.ctx, backend.Settings{DataDir: t.TempDir(), Clock: e.clk, Service: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	e.svc = b.Service
	return e
}

func (e *env) now() time.Time          { return e.clk.Now() }
func (e *env) set(at time.Time)        { e.clk.Set(at) }
func (e *env) advance(d time.Duration) { e.clk.Advance(d) }

// dv, ov and ev are order inputs of the common products, with ECC keys (fast).
func dv(domain string) service.OrderInput {
	return service.OrderInput{Name: domain, Domain: domain, Brand: ca.BrandTrustAsia, CertificateType: service.TypeDV, KeyAlgorithm: ca.AlgorithmECC}
}

func freeDV(domain string) service.OrderInput {
	return service.OrderInput{Name: domain, Domain: domain, Brand: ca.BrandSecureSite, CertificateType: service.TypeFreeDV, KeyAlgorithm: ca.AlgorithmECC}
}

func ov(brand, domain string) service.OrderInput {
	return service.OrderInput{Name: domain, Domain: domain, Brand: brand, CertificateType: service.TypeOV, KeyAlgorithm: ca.AlgorithmECC, Organization: org()}
}

func ev(brand, domain string) service.OrderInput {
	o := org()
	o.RegistrationNumber, o.BusinessCategory, o.JurisdictionCountry = "91440300MA5EXAMPLE", "Private Organization", "CN"
	return service.OrderInput{Name: domain, Domain: domain, Brand: brand, CertificateType: service.TypeEV, KeyAlgorithm: ca.AlgorithmECC, Organization: o}
}

func org() *service.Organization {
	return &service.Organization{Name: "Example Ltd", Country: "CN", Province: "Guangdong", Locality: "Shenzhen"}
}

func with(in service.OrderInput, f func(*service.OrderInput)) service.OrderInput {
	f(&in)
	return in
}

// order places an order and fails the test on error.
func (e *env) order(in service.OrderInput) *service.Certificate {
	e.t.Helper()
	c, err := e.svc.Order(e.ctx, "", in)
	if err != nil {
		e.t.Fatalf("order %s %s %s: %v", in.Brand, in.CertificateType, in.Domain, err)
	}
	return c
}

// issue places an order and drives it to issued: publishes its validation records
// and advances it, approves it under manual review.
func (e *env) issue(in service.OrderInput) *service.Certificate {
	e.t.Helper()
	c := e.order(in)
	return e.settle(c)
}

// settle drives a pending order, reissue or revocation to its end with every outside
// action done (records published, reviewer approves).
func (e *env) settle(c *service.Certificate) *service.Certificate {
	e.t.Helper()
	var err error
	for range 3 {
		switch {
		case strings.Contains(c.Order.Pending, "waits for domain validation"):
			e.publish(c)
			c, err = e.svc.Advance(e.ctx, c.ID)
		case strings.Contains(c.Order.Pending, "reviewer's approval"):
			c, err = e.svc.Review(e.ctx, c.ID, true, "")
		default:
			return c
		}
		if err != nil {
			e.t.Fatalf("settle %s: %v", c.ID, err)
		}
	}
	e.t.Fatalf("settle %s: still %s: %s", c.ID, c.Status, c.Order.Pending)
	return nil
}

// publish puts a certificate's validation records where the validator looks.
func (e *env) publish(c *service.Certificate) {
	e.t.Helper()
	if len(c.Order.ValidationRecords) == 0 {
		e.t.Fatalf("publish %s: no validation records (status %s)", c.ID, c.Status)
	}
	for _, r := range c.Order.ValidationRecords {
		switch r.Method {
		case service.MethodFile:
			if e.web == nil {
				e.t.Fatalf("publish %s: file record but no web server", c.ID)
			}
			e.web.put(r.Domain, r.Path, r.Content)
		default:
			if e.dns == nil {
				e.t.Fatalf("publish %s: DNS record but no DNS server", c.ID)
			}
			e.dns.put(r.Name, r.Value)
		}
	}
}

func (e *env) get(id string) *service.Certificate {
	e.t.Helper()
	c, err := e.svc.Get(e.ctx, id, false)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) getKeys(id string) *service.Certificate {
	e.t.Helper()
	c, err := e.svc.Get(e.ctx, id, true)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) reissue(id string, in service.ReissueInput) *service.Certificate {
	e.t.Helper()
	c, err := e.svc.Reissue(e.ctx, "", id, in)
	if err != nil {
		e.t.Fatalf("reissue %s: %v", id, err)
	}
	return c
}

func (e *env) revoke(id string, in service.RevokeInput) *service.Certificate {
	e.t.Helper()
	c, err := e.svc.Revoke(e.ctx, "", id, in)
	if err != nil {
		e.t.Fatalf("revoke %s: %v", id, err)
	}
	return c
}

func wantStatus(t *testing.T, c *service.Certificate, status string) {
	t.Helper()
	if c.Status != status {
		pending := ""
		if c.Order != nil {
			pending = c.Order.Pending
		}
		t.Fatalf("certificate %s is %s, want %s (%s)", c.ID, c.Status, status, pending)
	}
}

// wantErr checks that err is a service error with code whose message cites rule.
func wantErr(t *testing.T, err error, code, rule string) {
	t.Helper()
	var se *service.Error
	if !errors.As(err, &se) {
		t.Fatalf("got error %v, want a service error %s citing %q", err, code, rule)
	}
	if se.Code != code {
		t.Fatalf("got code %s (%v), want %s", se.Code, se, code)
	}
	if rule != "" && !strings.Contains(se.Message, rule) {
		t.Fatalf("message %q does not cite %q", se.Message, rule)
	}
}

func wantNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// --- CA: CRL and OCSP ---

func caID(t *testing.T, c *service.Certificate) string {
	t.Helper()
	id, err := ca.ID(c.Order.Brand, c.KeyAlgorithm)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func parsePEMCert(t *testing.T, text string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(text))
	if b == nil {
		t.Fatalf("no PEM certificate in %q", text)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// crl returns the revoked serials (lowercase hex) of a CA's CRL and their reasons,
// after checking the CRL's signature against the intermediate.
func (e *env) crl(caID string, issuer *x509.Certificate) map[string]int {
	e.t.Helper()
	der, err := e.svc.CRL(e.ctx, caID)
	if err != nil {
		e.t.Fatal(err)
	}
	rl, err := x509.ParseRevocationList(der)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := rl.CheckSignatureFrom(issuer); err != nil {
		e.t.Fatalf("CRL of %s not signed by its intermediate: %v", caID, err)
	}
	out := map[string]int{}
	for _, r := range rl.RevokedCertificateEntries {
		out[r.SerialNumber.Text(16)] = r.ReasonCode
	}
	return out
}

// ocspStatus asks the service's OCSP responder about a certificate (PEM) issued by
// issuer: ocsp.Good, ocsp.Revoked or ocsp.Unknown.
func (e *env) ocspStatus(caID, leafPEM string, issuer *x509.Certificate) int {
	e.t.Helper()
	leaf := parsePEMCert(e.t, leafPEM)
	req, err := ocsp.CreateRequest(leaf, issuer, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	der, err := e.svc.OCSP(e.ctx, caID, req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := ocsp.ParseResponseForCert(der, leaf, issuer)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.Status
}

func hexNoPad(s string) string {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return s
	}
	return n.Text(16)
}

// --- validation servers ---

// fileServer answers file validation fetches: the content published for the
// request's Host and path.
type fileServer struct {
	mu    sync.Mutex
	files map[string]string // host + path → content
	srv   *httptest.Server
}

func newFileServer(t *testing.T) *fileServer {
	f := &fileServer{files: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		f.mu.Lock()
		content, ok := f.files[host+r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(content + "\n"))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fileServer) addr() string { return f.srv.Listener.Addr().String() }

func (f *fileServer) put(host, path, content string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[host+path] = content
}

// dnsServer is a minimal authoritative UDP DNS server for TXT records.
type dnsServer struct {
	mu   sync.Mutex
	txt  map[string][]string // lowercase name without the trailing dot → values
	conn net.PacketConn
}

func newDNSServer(t *testing.T) *dnsServer {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &dnsServer{txt: map[string][]string{}, conn: conn}
	t.Cleanup(func() { _ = conn.Close() })
	go d.serve()
	return d
}

func (d *dnsServer) addr() string { return d.conn.LocalAddr().String() }

func (d *dnsServer) put(name, value string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	d.txt[name] = append(d.txt[name], value)
}

func (d *dnsServer) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp := d.answer(buf[:n]); resp != nil {
			_, _ = d.conn.WriteTo(resp, from)
		}
	}
}

// answer builds the response to one query: TXT answers, NXDOMAIN for unknown names.
func (d *dnsServer) answer(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:6]) != 1 {
		return nil
	}
	off := 12
	var labels []string
	for {
		if off >= len(q) {
			return nil
		}
		l := int(q[off])
		off++
		if l == 0 {
			break
		}
		if l > 63 || off+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[off:off+l]))
		off += l
	}
	if off+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[off : off+2])
	qend := off + 4
	name := strings.ToLower(strings.Join(labels, "."))
	d.mu.Lock()
	values, known := d.txt[name]
	d.mu.Unlock()

	flags := uint16(0x8000 | 0x0400 | 0x0080)         // QR, AA, RA
	flags |= binary.BigEndian.Uint16(q[2:4]) & 0x0100 // RD as asked
	var answers [][]byte
	switch {
	case !known:
		flags |= 3 // NXDOMAIN
	case qtype == 16:
		for _, v := range values {
			rr := []byte{0xC0, 0x0C, 0, 16, 0, 1, 0, 0, 0, 60}
			rr = binary.BigEndian.AppendUint16(rr, uint16(len(v)+1))
			rr = append(rr, byte(len(v)))
			rr = append(rr, v...)
			answers = append(answers, rr)
		}
	}
	resp := make([]byte, 12, 512)
	copy(resp[0:2], q[0:2])
	binary.BigEndian.PutUint16(resp[2:4], flags)
	binary.BigEndian.PutUint16(resp[4:6], 1)
	binary.BigEndian.PutUint16(resp[6:8], uint16(len(answers)))
	resp = append(resp, q[12:qend]...)
	for _, a := range answers {
		resp = append(resp, a...)
	}
	return resp
}
