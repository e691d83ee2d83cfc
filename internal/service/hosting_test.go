package service_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// --- helpers of the hosting tests ---

func res(typ, instanceID, region string) store.PlatformResource {
	return store.PlatformResource{Type: typ, InstanceID: instanceID, Region: region}
}

// Resources serving www.example.com, one of each shape: a regional listener, a
// global CDN domain, a regional WAF domain, and two types whose ids name no domain.
var (
	clbWWW = res(service.ResourceCLB, "lb-a1b2c3d4|lbl-e5f6g7h8|www.example.com", "ap-guangzhou")
	cdnWWW = res(service.ResourceCDN, "www.example.com", "")
	wafWWW = res(service.ResourceWAF, "www.example.com", "ap-shanghai")
	lhWWW  = res(service.ResourceLighthouse, "lhins-a1b2c3d4", "ap-guangzhou")
	tkeWWW = res(service.ResourceTKE, "cls-a1b2c3d4|default|www-tls", "ap-beijing")
)

func resName(r store.PlatformResource) string {
	return r.Type + " " + r.InstanceID + " " + r.Region
}

// host binds certID to rs and fails the test on error.
func (e *env) host(certID string, rs ...store.PlatformResource) *service.Hosting {
	e.t.Helper()
	h, err := e.svc.CreateHosting(e.ctx, "", service.HostingInput{CertificateID: certID, Resources: rs})
	if err != nil {
		e.t.Fatalf("create hosting of %s: %v", certID, err)
	}
	return h
}

func (e *env) hosting(id string) *service.Hosting {
	e.t.Helper()
	h, err := e.svc.GetHosting(e.ctx, id)
	if err != nil {
		e.t.Fatalf("get hosting %s: %v", id, err)
	}
	return h
}

// history lists every deployment onto one resource, newest first.
func (e *env) history(r store.PlatformResource) []*store.Deployment {
	e.t.Helper()
	ds, err := e.svc.Deployments(e.ctx, store.DeploymentFilter{Type: r.Type, InstanceID: r.InstanceID})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*store.Deployment
	for _, d := range ds {
		if d.Resource == r {
			out = append(out, d)
		}
	}
	return out
}

// wantServing checks that hosting id binds c and that the latest deployment of every
// bound resource is c's current version, deployed.
func (e *env) wantServing(t *testing.T, id string, c *service.Certificate) *service.Hosting {
	t.Helper()
	h := e.hosting(id)
	if h.CertificateID != c.ID {
		t.Fatalf("hosting %s binds %s, want %s", id, h.CertificateID, c.ID)
	}
	if len(h.Deployments) != len(h.Resources) {
		t.Fatalf("hosting %s: %d latest deployments for %d resources", id, len(h.Deployments), len(h.Resources))
	}
	seen := map[store.PlatformResource]bool{}
	for _, d := range h.Deployments {
		seen[d.Resource] = true
		if d.Status != service.DeploymentDeployed || d.CertificateID != c.ID || d.Version != c.Version || d.SerialNumber != c.SerialNumber {
			t.Fatalf("%s: latest deployment %s %s v%d serial %s, want deployed %s v%d serial %s",
				resName(d.Resource), d.Status, d.CertificateID, d.Version, d.SerialNumber, c.ID, c.Version, c.SerialNumber)
		}
		if d.FinishedAt.IsZero() {
			t.Fatalf("%s: deployed without a finish time", resName(d.Resource))
		}
	}
	for _, r := range h.Resources {
		if !seen[r] {
			t.Fatalf("%s has no deployment", resName(r))
		}
	}
	return h
}

// served is one step of a resource's history: what it served.
type served struct {
	certID  string
	version int
	serial  string
}

func servedOf(c *service.Certificate) served { return served{c.ID, c.Version, c.SerialNumber} }

// wantHistory checks that a resource's deployments are exactly steps, each deployed
// and each replacing the one before (the first replacing nothing): the resource
// went from one certificate to the next without ever serving none.
func (e *env) wantHistory(t *testing.T, r store.PlatformResource, steps ...served) {
	t.Helper()
	ds := e.history(r)
	if len(ds) != len(steps) {
		var got []string
		for _, d := range ds {
			got = append(got, fmt.Sprintf("%s v%d", d.CertificateID, d.Version))
		}
		t.Fatalf("%s: %d deployments %v, want %d", resName(r), len(ds), got, len(steps))
	}
	prev := served{}
	for i, s := range steps {
		found := false
		for _, d := range ds {
			if d.CertificateID == s.certID && d.Version == s.version && d.SerialNumber == s.serial &&
				d.ReplacedCertificateID == prev.certID && d.ReplacedVersion == prev.version {
				if d.Status != service.DeploymentDeployed {
					t.Fatalf("%s: step %d is %s", resName(r), i, d.Status)
				}
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("%s: no deployment of %s v%d (serial %s) replacing %q v%d", resName(r), s.certID, s.version, s.serial, prev.certID, prev.version)
		}
		prev = s
	}
}

func serviceErr(t *testing.T, err error) *service.Error {
	t.Helper()
	var se *service.Error
	if !errors.As(err, &se) {
		t.Fatalf("got error %v, want a service error", err)
	}
	return se
}

// wantRefusal checks a service error's kind, code and summary, and that its message
// says each of says.
func wantRefusal(t *testing.T, err error, kind service.Kind, code, summary string, says ...string) *service.Error {
	t.Helper()
	se := serviceErr(t, err)
	if se.Kind != kind || se.Code != code || (summary != "" && se.Summary != summary) {
		t.Fatalf("got %d/%s %q (%s), want %d/%s %q", se.Kind, se.Code, se.Summary, se.Message, kind, code, summary)
	}
	for _, s := range says {
		if !strings.Contains(se.Message, s) {
			t.Fatalf("message %q does not say %q", se.Message, s)
		}
	}
	return se
}

// testCA is a third-party CA valid around the fake clock's time.
func testCA(t *testing.T) *certstest.CA {
	t.Helper()
	return certstest.NewCAWith(t, certstest.CAOptions{Alg: certstest.ECC, NotBefore: t0.Add(-365 * day), NotAfter: t0.Add(10 * 365 * day)})
}

// uploadFor hosts a third-party certificate (ECC, chained to a test CA) for names.
func uploadFor(t *testing.T, e *env, issuer *certstest.CA, names ...string) *service.Certificate {
	t.Helper()
	leaf := issuer.Leaf(t, certstest.LeafOptions{CommonName: names[0], DNSNames: names,
		NotBefore: e.now().Add(-time.Hour), NotAfter: e.now().Add(200 * day)})
	c, _, err := e.svc.Upload(e.ctx, "", service.UploadInput{Name: names[0],
		Material: certs.UploadInput{CertificatePEM: leaf.FullChainPEM(), PrivateKeyPEM: leaf.KeyPEM(t, certstest.PKCS8)}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rotate gives an uploaded record a new third-party certificate and key for names.
func rotate(t *testing.T, e *env, issuer *certstest.CA, id string, names ...string) *service.Certificate {
	t.Helper()
	leaf := issuer.Leaf(t, certstest.LeafOptions{CommonName: names[0], DNSNames: names,
		NotBefore: e.now().Add(-time.Hour), NotAfter: e.now().Add(300 * day)})
	c, _, err := e.svc.Rotate(e.ctx, "", id, service.RotateInput{
		Material: certs.UploadInput{CertificatePEM: leaf.FullChainPEM(), PrivateKeyPEM: leaf.KeyPEM(t, certstest.PKCS8)}})
	if err != nil {
		t.Fatalf("rotate %s: %v", id, err)
	}
	return c
}

func (e *env) renew(id string) *service.Certificate {
	e.t.Helper()
	c, err := e.svc.Renew(e.ctx, "", id)
	if err != nil {
		e.t.Fatalf("renew %s: %v", id, err)
	}
	return c
}

// --- resource types: instance id formats and regions ---

func TestHostingCheckResource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		r       store.PlatformResource
		domain  string // served domain when accepted
		summary string // "" = accepted
	}{
		{name: "ok/CLB listener id (H4)", r: clbWWW, domain: "www.example.com"},
		{name: "error/CLB id without a listener (H4)", r: res("CLB", "lb-a1b2c3d4|www.example.com", "ap-guangzhou"), summary: "Invalid Instance ID"},
		{name: "error/CLB without region (H4)", r: res("CLB", "lb-a1b2c3d4|lbl-e5f6g7h8|www.example.com", ""), summary: "Region Required"},

		{name: "ok/CDN domain name (H4)", r: res("CDN", "cdn.example.com", ""), domain: "cdn.example.com"},
		{name: "error/CDN URL instead of a domain (H4)", r: res("CDN", "https://cdn.example.com", ""), summary: "Invalid Instance ID"},
		{name: "error/CDN with a region (H4)", r: res("CDN", "cdn.example.com", "ap-guangzhou"), summary: "Region Not Used"},

		{name: "ok/WAF domain name (H4)", r: res("WAF", "www.example.com", "ap-shanghai"), domain: "www.example.com"},
		{name: "error/WAF domain with an underscore (H4)", r: res("WAF", "www_example.com", "ap-shanghai"), summary: "Invalid Instance ID"},
		{name: "error/WAF without region (H4)", r: res("WAF", "www.example.com", ""), summary: "Region Required"},

		{name: "ok/LIVE wildcard domain (H4)", r: res("LIVE", "*.live.example.com", ""), domain: "*.live.example.com"},
		{name: "error/LIVE name without a TLD (H4)", r: res("LIVE", "live", ""), summary: "Invalid Instance ID"},
		{name: "error/LIVE with a region (H4)", r: res("LIVE", "live.example.com", "ap-guangzhou"), summary: "Region Not Used"},

		{name: "ok/VOD domain name (H4)", r: res("VOD", "vod.example.com", ""), domain: "vod.example.com"},
		{name: "error/VOD domain with a port (H4)", r: res("VOD", "vod.example.com:443", ""), summary: "Invalid Instance ID"},
		{name: "error/VOD with a region (H4)", r: res("VOD", "vod.example.com", "ap-guangzhou"), summary: "Region Not Used"},

		{name: "ok/TEO zone and domain (H4)", r: res("TEO", "zone-2o3h4k5l9m|www.example.com", ""), domain: "www.example.com"},
		{name: "error/TEO zone id too short (H4)", r: res("TEO", "zone-abc|www.example.com", ""), summary: "Invalid Instance ID"},
		{name: "error/TEO with a region (H4)", r: res("TEO", "zone-2o3h4k5l|www.example.com", "ap-guangzhou"), summary: "Region Not Used"},

		{name: "ok/DDOS BGP IP and domain (H4)", r: res("DDOS", "bgpip-000abc12|www.example.com", "ap-guangzhou"), domain: "www.example.com"},
		{name: "error/DDOS wrong instance prefix (H4)", r: res("DDOS", "bgp-000abc12|www.example.com", "ap-guangzhou"), summary: "Invalid Instance ID"},
		{name: "error/DDOS without region (H4)", r: res("DDOS", "bgpip-000abc12|www.example.com", ""), summary: "Region Required"},

		{name: "ok/APIGATEWAY service and domain (H4)", r: res("APIGATEWAY", "service-a1b2c3d4|api.example.com", "ap-guangzhou"), domain: "api.example.com"},
		{name: "error/APIGATEWAY service without a domain (H4)", r: res("APIGATEWAY", "service-a1b2c3d4", "ap-guangzhou"), summary: "Invalid Instance ID"},
		{name: "error/APIGATEWAY without region (H4)", r: res("APIGATEWAY", "service-a1b2c3d4|api.example.com", ""), summary: "Region Required"},

		{name: "ok/TKE cluster namespace secret (H4)", r: tkeWWW},
		{name: "error/TKE namespace in upper case (H4)", r: res("TKE", "cls-a1b2c3d4|Default|www-tls", "ap-beijing"), summary: "Invalid Instance ID"},
		{name: "error/TKE without region (H4)", r: res("TKE", "cls-a1b2c3d4|default|www-tls", ""), summary: "Region Required"},

		{name: "ok/COS bucket and domain (H4)", r: res("COS", "assets-1250000000|static.example.com", "ap-guangzhou"), domain: "static.example.com"},
		{name: "error/COS bucket without app id (H4)", r: res("COS", "assets|static.example.com", "ap-guangzhou"), summary: "Invalid Instance ID"},
		{name: "error/COS without region (H4)", r: res("COS", "assets-1250000000|static.example.com", ""), summary: "Region Required"},

		{name: "ok/LIGHTHOUSE instance id (H4)", r: lhWWW},
		{name: "error/LIGHTHOUSE instance id too short (H4)", r: res("LIGHTHOUSE", "lhins-a1b2", "ap-guangzhou"), summary: "Invalid Instance ID"},
		{name: "error/LIGHTHOUSE without region (H4)", r: res("LIGHTHOUSE", "lhins-a1b2c3d4", ""), summary: "Region Required"},

		{name: "error/unknown resource type (H4)", r: res("ELB", "www.example.com", ""), summary: "Unknown Resource Type"},
		{name: "error/region not a region name (H4)", r: res("CLB", "lb-a1b2c3d4|lbl-e5f6g7h8|www.example.com", "Guangzhou"), summary: "Invalid Region"},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.r.Type] = true
		t.Run(tc.name, func(t *testing.T) {
			d, err := service.CheckResource(tc.r)
			if tc.summary == "" {
				wantNoErr(t, err)
				if d != tc.domain {
					t.Fatalf("served domain %q, want %q", d, tc.domain)
				}
				return
			}
			se := wantRefusal(t, err, service.KindInvalid, service.CodeInvalidArgument, tc.summary)
			if se.Field != "resources" {
				t.Fatalf("field %q, want resources", se.Field)
			}
		})
	}
	for _, typ := range service.ResourceTypes() {
		if !covered[typ] {
			t.Errorf("resource type %s has no case", typ)
		}
	}
}

// --- domain coverage ---

func TestHostingDomainCoverage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	exact := e.issue(dv("www.example.com"))
	wild := e.issue(dv("*.example.com"))
	multi := e.issue(with(dv("www.example.com"), func(in *service.OrderInput) { in.SANs = []string{"api.example.org"} }))
	tests := []struct {
		name    string
		cert    *service.Certificate
		rs      []store.PlatformResource
		refused string // "" = bound; else the domain the refusal names
	}{
		{name: "ok/exact domain (H1)", cert: exact, rs: []store.PlatformResource{cdnWWW, clbWWW}},
		{name: "ok/exact domain, any case of the type name (H4)", cert: exact, rs: []store.PlatformResource{res("cdn", "www.example.com", "")}},
		{name: "ok/a SAN of a multi-domain certificate (H1)", cert: multi, rs: []store.PlatformResource{res("CDN", "api.example.org", "")}},
		{name: "ok/wildcard covers one level (H1)", cert: wild, rs: []store.PlatformResource{res("CDN", "cdn.example.com", ""), wafWWW}},
		{name: "ok/resources whose id names no domain (H4)", cert: exact, rs: []store.PlatformResource{lhWWW, tkeWWW}},
		{name: "error/exact certificate, other name (H1)", cert: exact, rs: []store.PlatformResource{res("CDN", "api.example.com", "")}, refused: "api.example.com"},
		{name: "error/wildcard does not cover two levels (H1)", cert: wild, rs: []store.PlatformResource{res("CDN", "a.b.example.com", "")}, refused: "a.b.example.com"},
		{name: "error/wildcard does not cover the apex (H1)", cert: wild, rs: []store.PlatformResource{res("CDN", "example.com", "")}, refused: "example.com"},
		{name: "error/one uncovered resource refuses the whole hosting (H1)", cert: exact,
			rs: []store.PlatformResource{cdnWWW, res("CLB", "lb-a1b2c3d4|lbl-00000001|shop.example.net", "ap-guangzhou")}, refused: "shop.example.net"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := map[store.PlatformResource]int{}
			for _, r := range tc.rs {
				before[r] = len(e.history(r))
			}
			h, err := e.svc.CreateHosting(e.ctx, "", service.HostingInput{CertificateID: tc.cert.ID, Resources: tc.rs})
			if tc.refused == "" {
				wantNoErr(t, err)
				e.wantServing(t, h.ID, tc.cert)
				wantNoErr(t, e.svc.DeleteHosting(e.ctx, h.ID))
				return
			}
			se := wantRefusal(t, err, service.KindFailedPrecondition, service.CodeNotDeployable, "Certificate Does Not Cover Resource", tc.refused, tc.cert.ID)
			if se.Field != "resources" {
				t.Fatalf("field %q", se.Field)
			}
			if _, err := e.svc.GetHosting(e.ctx, tc.cert.ID); err == nil {
				t.Fatal("a refused hosting was stored")
			}
			for r, n := range before {
				if got := len(e.history(r)); got != n {
					t.Fatalf("%s: a refused hosting left a deployment (%d, was %d)", resName(r), got, n)
				}
			}
		})
	}
}

// --- certificates that cannot be deployed ---

func TestHostingDeployableRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   envOpts
		cert   func(t *testing.T, e *env) *service.Certificate
		status string // the certificate's status when refused
		says   []string
	}{
		{name: "error/deploy revoked certificate (R2)", cert: func(t *testing.T, e *env) *service.Certificate {
			c := e.issue(dv("www.example.com"))
			return e.revoke(c.ID, service.RevokeInput{Reason: "keyCompromise"})
		}, status: service.StatusRevoked, says: []string{"rule R2", "revoked"}},
		{name: "error/deploy certificate whose revocation waits for review (R2)", opts: envOpts{review: service.ReviewManual},
			cert: func(t *testing.T, e *env) *service.Certificate {
				c := e.issue(with(dv("www.example.com"), func(in *service.OrderInput) { in.Brand = ca.BrandWoTrus }))
				return e.revoke(c.ID, service.RevokeInput{Reason: "cessationOfOperation"})
			}, status: service.StatusRevoking, says: []string{"rule R2", "revoking"}},
		{name: "error/deploy expired certificate", cert: func(t *testing.T, e *env) *service.Certificate {
			c := e.issue(dv("www.example.com"))
			e.set(c.NotAfter.Add(time.Second))
			return e.get(c.ID)
		}, status: service.StatusExpired, says: []string{"expired", "renewed"}},
		{name: "error/deploy certificate with a private key password (I6)", cert: func(t *testing.T, e *env) *service.Certificate {
			return e.issue(with(dv("www.example.com"), func(in *service.OrderInput) { in.Password = "correct horse" }))
		}, status: service.StatusIssued, says: []string{"rule I6", "private key password"}},
		{name: "error/deploy certificate issued for the user's own CSR (I6)", cert: func(t *testing.T, e *env) *service.Certificate {
			csr := certstest.CSRPEM(t, certstest.NewKey(t, certstest.ECC), "www.example.com")
			return e.issue(with(dv("www.example.com"), func(in *service.OrderInput) { in.CSRPEM = csr }))
		}, status: service.StatusIssued, says: []string{"CSR", "private key"}},
		{name: "error/deploy order still under review", opts: envOpts{review: service.ReviewManual}, cert: func(t *testing.T, e *env) *service.Certificate {
			return e.order(dv("www.example.com"))
		}, status: service.StatusPendingReview, says: []string{"pending_review", "only an issued certificate"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.opts)
			c := tc.cert(t, e)
			wantStatus(t, c, tc.status)
			_, err := e.svc.CreateHosting(e.ctx, "", service.HostingInput{CertificateID: c.ID, Resources: []store.PlatformResource{cdnWWW, clbWWW}})
			se := wantRefusal(t, err, service.KindFailedPrecondition, service.CodeNotDeployable, "Certificate Cannot Be Deployed", append(tc.says, c.ID)...)
			if se.Field != "certificate_id" {
				t.Fatalf("field %q", se.Field)
			}
			if ds, _ := e.svc.Deployments(e.ctx, store.DeploymentFilter{CertificateID: c.ID}); len(ds) != 0 {
				t.Fatalf("%d deployments of a refused certificate", len(ds))
			}
			// A hosting moved onto the certificate is refused the same way.
			other := e.issue(dv("www.example.com"))
			h := e.host(other.ID, cdnWWW)
			_, err = e.svc.UpdateHosting(e.ctx, "", h.ID, service.HostingInput{CertificateID: c.ID, Resources: []store.PlatformResource{cdnWWW}})
			wantRefusal(t, err, service.KindFailedPrecondition, service.CodeNotDeployable, "Certificate Cannot Be Deployed", tc.says...)
			e.wantServing(t, h.ID, other)
		})
	}
}

// --- create, read, import ---

func TestHostingCreateAndGet(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	c := e.issue(dv("www.example.com"))
	rs := []store.PlatformResource{wafWWW, clbWWW, cdnWWW, lhWWW, tkeWWW, cdnWWW} // one listed twice
	h := e.host(c.ID, rs...)

	t.Run("ok/one deployed deployment per resource (H1, H4)", func(t *testing.T) {
		if !strings.HasPrefix(h.ID, "host-") || h.Project != c.Project {
			t.Fatalf("hosting %s in project %q", h.ID, h.Project)
		}
		if len(h.Resources) != 5 {
			t.Fatalf("resources %v, want 5 (the duplicate once)", h.Resources)
		}
		e.wantServing(t, h.ID, c)
		for _, r := range h.Resources {
			e.wantHistory(t, r, servedOf(c))
			d := e.history(r)[0]
			if d.HostingID != h.ID || !d.StartedAt.Equal(e.now()) || !d.FinishedAt.Equal(e.now()) {
				t.Fatalf("%s: deployment %+v", resName(r), d)
			}
		}
		all, err := e.svc.Deployments(e.ctx, store.DeploymentFilter{CertificateID: c.ID})
		wantNoErr(t, err)
		if len(all) != 5 {
			t.Fatalf("%d deployments, want 5", len(all))
		}
	})
	t.Run("ok/import by hosting id or certificate id", func(t *testing.T) {
		for _, id := range []string{h.ID, c.ID} {
			got := e.hosting(id)
			if got.ID != h.ID || got.CertificateID != c.ID || len(got.Resources) != 5 || len(got.Deployments) != 5 {
				t.Fatalf("GetHosting(%s) = %s binding %s with %d resources", id, got.ID, got.CertificateID, len(got.Resources))
			}
		}
	})
	t.Run("error/get unknown hosting or unbound certificate", func(t *testing.T) {
		unbound := e.issue(dv("api.example.com"))
		for _, id := range []string{"host-doesnotexist", unbound.ID} {
			_, err := e.svc.GetHosting(e.ctx, id)
			wantRefusal(t, err, service.KindNotFound, service.CodeNotFound, "Hosting Not Found", id)
		}
	})
	t.Run("error/unknown certificate", func(t *testing.T) {
		_, err := e.svc.CreateHosting(e.ctx, "", service.HostingInput{CertificateID: "cert-doesnotexist", Resources: []store.PlatformResource{res("CDN", "x.example.com", "")}})
		wantRefusal(t, err, service.KindNotFound, service.CodeNotFound, "")
	})
	t.Run("error/invalid resource refuses the hosting (H4)", func(t *testing.T) {
		_, err := e.svc.CreateHosting(e.ctx, "", service.HostingInput{CertificateID: c.ID, Resources: []store.PlatformResource{res("CDN", "api.example.com", "ap-guangzhou")}})
		wantRefusal(t, err, service.KindInvalid, service.CodeInvalidArgument, "Region Not Used")
	})
	t.Run("ok/idempotent retry makes one hosting", func(t *testing.T) {
		c2 := e.issue(dv("idem.example.com"))
		in := service.HostingInput{CertificateID: c2.ID, Resources: []store.PlatformResource{res("CDN", "idem.example.com", "")}}
		h1, err := e.svc.CreateHosting(e.ctx, "idem-hosting-1", in)
		wantNoErr(t, err)
		h2, err := e.svc.CreateHosting(e.ctx, "idem-hosting-1", in)
		wantNoErr(t, err)
		if h1.ID != h2.ID {
			t.Fatalf("retry made hosting %s besides %s", h2.ID, h1.ID)
		}
		e.wantHistory(t, in.Resources[0], servedOf(c2))
	})
	t.Run("ok/delete hosting keeps the deployment history (H3)", func(t *testing.T) {
		wantNoErr(t, e.svc.DeleteHosting(e.ctx, h.ID))
		if _, err := e.svc.GetHosting(e.ctx, h.ID); err == nil {
			t.Fatal("hosting still there")
		}
		e.wantHistory(t, cdnWWW, servedOf(c))
		err := e.svc.DeleteHosting(e.ctx, h.ID)
		wantRefusal(t, err, service.KindNotFound, service.CodeNotFound, "Hosting Not Found")
	})
}

// --- one hosting per resource ---

func TestHostingResourceBoundTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	a := e.issue(dv("www.example.com"))
	b := e.issue(dv("www.example.com"))
	h1 := e.host(a.ID, cdnWWW, clbWWW)
	h2 := e.host(b.ID, wafWWW)

	tests := []struct {
		name string
		do   func() error
	}{
		{name: "error/second hosting of another certificate binds a bound resource (H1)", do: func() error {
			_, err := e.svc.CreateHosting(e.ctx, "", service.HostingInput{CertificateID: b.ID, Resources: []store.PlatformResource{lhWWW, cdnWWW}})
			return err
		}},
		{name: "error/second hosting of the same certificate binds a bound resource (H1)", do: func() error {
			_, err := e.svc.CreateHosting(e.ctx, "", service.HostingInput{CertificateID: a.ID, Resources: []store.PlatformResource{clbWWW}})
			return err
		}},
		{name: "error/update adds a resource another hosting binds (H1)", do: func() error {
			_, err := e.svc.UpdateHosting(e.ctx, "", h2.ID, service.HostingInput{CertificateID: b.ID, Resources: []store.PlatformResource{wafWWW, clbWWW}})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantRefusal(t, tc.do(), service.KindConflict, service.CodeResourceBound, "Resource Already Hosted")
			// Nothing was written: both hostings as they were, no deployment beyond theirs.
			got1, got2 := e.wantServing(t, h1.ID, a), e.wantServing(t, h2.ID, b)
			if len(got1.Resources) != 2 || len(got2.Resources) != 1 {
				t.Fatalf("resources changed: %v / %v", got1.Resources, got2.Resources)
			}
			for _, r := range []store.PlatformResource{cdnWWW, clbWWW} {
				e.wantHistory(t, r, servedOf(a))
			}
			e.wantHistory(t, wafWWW, servedOf(b))
			e.wantHistory(t, lhWWW)
		})
	}
	t.Run("ok/a resource freed by its hosting can be bound again (H1)", func(t *testing.T) {
		wantNoErr(t, e.svc.DeleteHosting(e.ctx, h1.ID))
		e.advance(time.Minute)
		h3 := e.host(b.ID, cdnWWW)
		e.wantServing(t, h3.ID, b)
		if ds := e.history(cdnWWW); len(ds) != 2 || ds[0].CertificateID != b.ID || ds[1].CertificateID != a.ID {
			t.Fatalf("history of %s: %d deployments", resName(cdnWWW), len(ds))
		}
	})
}

// --- in-place updates ---

func TestHostingUpdate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	a := e.issue(dv("www.example.com"))
	h := e.host(a.ID, clbWWW, cdnWWW)

	t.Run("ok/add and remove resources deploys only to the added ones (H4)", func(t *testing.T) {
		e.advance(time.Minute)
		got, err := e.svc.UpdateHosting(e.ctx, "", h.ID, service.HostingInput{CertificateID: a.ID, Resources: []store.PlatformResource{cdnWWW, wafWWW}})
		wantNoErr(t, err)
		if got.ID != h.ID || len(got.Resources) != 2 || got.Resources[0] != cdnWWW || got.Resources[1] != wafWWW {
			t.Fatalf("hosting %s resources %v", got.ID, got.Resources)
		}
		e.wantServing(t, h.ID, a)
		e.wantHistory(t, cdnWWW, servedOf(a)) // kept: no new deployment
		e.wantHistory(t, wafWWW, servedOf(a)) // added
		e.wantHistory(t, clbWWW, servedOf(a)) // removed: its history stays
		if d := e.history(wafWWW)[0]; !d.StartedAt.Equal(e.now()) {
			t.Fatalf("added resource deployed at %s", d.StartedAt)
		}
		ds, err := e.svc.Deployments(e.ctx, store.DeploymentFilter{HostingID: h.ID})
		wantNoErr(t, err)
		if len(ds) != 3 {
			t.Fatalf("%d deployments, want 3", len(ds))
		}
		// The removed resource is free again.
		other := e.host(a.ID, clbWWW)
		wantNoErr(t, e.svc.DeleteHosting(e.ctx, other.ID))
	})

	// a gets a second version, so that the move names the version it replaces.
	e.advance(time.Hour)
	a2 := e.reissue(a.ID, service.ReissueInput{})
	b := e.issue(dv("www.example.com"))

	t.Run("ok/move to another certificate deploys it to every kept resource (H1)", func(t *testing.T) {
		e.advance(time.Minute)
		got, err := e.svc.UpdateHosting(e.ctx, "", h.ID, service.HostingInput{CertificateID: b.ID, Resources: []store.PlatformResource{cdnWWW, wafWWW, lhWWW}})
		wantNoErr(t, err)
		if got.ID != h.ID {
			t.Fatalf("moved hosting has id %s", got.ID)
		}
		e.wantServing(t, h.ID, b)
		for _, r := range []store.PlatformResource{cdnWWW, wafWWW} {
			e.wantHistory(t, r, servedOf(a), servedOf(a2), servedOf(b))
			d := e.history(r)[0]
			if d.CertificateID != b.ID || d.ReplacedCertificateID != a.ID || d.ReplacedVersion != 2 {
				t.Fatalf("%s: deployment of %s replacing %s v%d", resName(r), d.CertificateID, d.ReplacedCertificateID, d.ReplacedVersion)
			}
		}
		e.wantHistory(t, lhWWW, servedOf(b)) // added with the move: replaces nothing
		if _, err := e.svc.GetHosting(e.ctx, a.ID); err == nil {
			t.Fatal("the old certificate still has a hosting")
		}
		if got := e.hosting(b.ID); got.ID != h.ID {
			t.Fatalf("import by the new certificate found %s", got.ID)
		}
	})
	t.Run("error/move to a certificate that does not cover a kept resource (H1)", func(t *testing.T) {
		c := e.issue(dv("api.example.com"))
		_, err := e.svc.UpdateHosting(e.ctx, "", h.ID, service.HostingInput{CertificateID: c.ID, Resources: []store.PlatformResource{cdnWWW, lhWWW}})
		wantRefusal(t, err, service.KindFailedPrecondition, service.CodeNotDeployable, "Certificate Does Not Cover Resource", "www.example.com")
		e.wantServing(t, h.ID, b)
	})
	t.Run("error/update unknown hosting", func(t *testing.T) {
		_, err := e.svc.UpdateHosting(e.ctx, "", "host-doesnotexist", service.HostingInput{CertificateID: b.ID, Resources: []store.PlatformResource{lhWWW}})
		wantRefusal(t, err, service.KindNotFound, service.CodeNotFound, "Hosting Not Found")
	})
	t.Run("ok/remove a resource while the certificate has expired (H4)", func(t *testing.T) {
		e.set(b.NotAfter.Add(time.Hour))
		defer e.set(t0)
		_, err := e.svc.UpdateHosting(e.ctx, "", h.ID, service.HostingInput{CertificateID: b.ID, Resources: []store.PlatformResource{cdnWWW, wafWWW}})
		wantNoErr(t, err)
		if got := e.hosting(h.ID); len(got.Resources) != 2 {
			t.Fatalf("resources %v", got.Resources)
		}
		// Adding one deploys the expired certificate: refused.
		_, err = e.svc.UpdateHosting(e.ctx, "", h.ID, service.HostingInput{CertificateID: b.ID, Resources: []store.PlatformResource{cdnWWW, wafWWW, lhWWW}})
		wantRefusal(t, err, service.KindFailedPrecondition, service.CodeNotDeployable, "Certificate Cannot Be Deployed", "expired")
	})
}

// --- D4: no silent interruption ---

func TestHostingD4(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	issued := e.issue(dv("www.example.com"))
	uploaded := uploadFor(t, e, testCA(t), "www.example.com")
	hi := e.host(issued.ID, clbWWW, cdnWWW)
	hu := e.host(uploaded.ID, wafWWW)

	says := func(h *service.Hosting, rs ...store.PlatformResource) []string {
		out := []string{"rule D4", "create_before_destroy", h.ID, h.CertificateID}
		for _, r := range rs {
			n := r.Type + " " + r.InstanceID
			if r.Region != "" {
				n += " (" + r.Region + ")"
			}
			out = append(out, n)
		}
		return out
	}
	tests := []struct {
		name string
		do   func() error
		says []string
	}{
		{name: "error/delete issued certificate bound by hosting (D4)", do: func() error { return e.svc.Delete(e.ctx, issued.ID) }, says: says(hi, clbWWW, cdnWWW)},
		{name: "error/revoke certificate bound by hosting (D4)", do: func() error {
			_, err := e.svc.Revoke(e.ctx, "", issued.ID, service.RevokeInput{Reason: "superseded"})
			return err
		}, says: says(hi, clbWWW, cdnWWW)},
		{name: "error/delete uploaded certificate bound by hosting (U5, D4)", do: func() error { return e.svc.Delete(e.ctx, uploaded.ID) }, says: says(hu, wafWWW)},
	}
	// The plan-time check leaves D4 to the apply: in the same apply Terraform may
	// release or move the hosting before it revokes the certificate.
	t.Run("ok/plan-time revocation check leaves D4 to the apply", func(t *testing.T) {
		wantNoErr(t, e.svc.CheckRevoke(e.ctx, issued.ID, service.RevokeInput{}))
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantRefusal(t, tc.do(), service.KindFailedPrecondition, service.CodeCertificateHosted, "Certificate Is Deployed", tc.says...)
			wantStatus(t, e.get(issued.ID), service.StatusIssued)
			e.wantServing(t, hi.ID, issued)
			e.wantServing(t, hu.ID, uploaded)
		})
	}
	t.Run("ok/revoke and delete once the hosting is gone (D4, R8)", func(t *testing.T) {
		wantNoErr(t, e.svc.DeleteHosting(e.ctx, hi.ID))
		wantNoErr(t, e.svc.CheckRevoke(e.ctx, issued.ID, service.RevokeInput{}))
		wantStatus(t, e.revoke(issued.ID, service.RevokeInput{}), service.StatusRevoked)
		wantNoErr(t, e.svc.Delete(e.ctx, issued.ID))
	})
	t.Run("ok/delete uploaded certificate once the hosting is gone (D4, U5)", func(t *testing.T) {
		wantNoErr(t, e.svc.DeleteHosting(e.ctx, hu.ID))
		wantNoErr(t, e.svc.Delete(e.ctx, uploaded.ID))
	})
	t.Run("ok/delete after the hosting moved to a successor (D4)", func(t *testing.T) {
		old := e.issue(dv("api.example.com"))
		api := res("CDN", "api.example.com", "")
		h := e.host(old.ID, api)
		next := e.issue(dv("api.example.com"))
		_, err := e.svc.UpdateHosting(e.ctx, "", h.ID, service.HostingInput{CertificateID: next.ID, Resources: []store.PlatformResource{api}})
		wantNoErr(t, err)
		wantStatus(t, e.revoke(old.ID, service.RevokeInput{}), service.StatusRevoked)
		wantNoErr(t, e.svc.Delete(e.ctx, old.ID))
		e.wantServing(t, h.ID, next)
	})
}

// --- H1: every new version of a record is deployed to its resources ---

func TestH1NewVersionsRedeploy(t *testing.T) {
	t.Parallel()
	bound := []store.PlatformResource{clbWWW, cdnWWW, wafWWW, lhWWW, tkeWWW}
	issued := func(in service.OrderInput) func(t *testing.T, e *env) *service.Certificate {
		return func(t *testing.T, e *env) *service.Certificate { return e.issue(in) }
	}
	tests := []struct {
		name    string
		opts    envOpts
		subject func(t *testing.T, e *env) *service.Certificate
		// op makes the new version; it may leave it pending (then settle finishes it).
		op      func(t *testing.T, e *env, c *service.Certificate) *service.Certificate
		pending bool // the new version waits for the reviewer
	}{
		{name: "ok/reissue deploys the new version to every bound resource (H1)", subject: issued(dv("www.example.com")),
			op: func(t *testing.T, e *env, c *service.Certificate) *service.Certificate {
				return e.reissue(c.ID, service.ReissueInput{Reason: "key rotation"})
			}},
		{name: "ok/reissue waiting for review keeps the old version deployed, then deploys the new (H1)", opts: envOpts{review: service.ReviewManual},
			subject: issued(ov(ca.BrandGeoTrust, "www.example.com")),
			op: func(t *testing.T, e *env, c *service.Certificate) *service.Certificate {
				r := e.reissue(c.ID, service.ReissueInput{})
				wantStatus(t, r, service.StatusReissuing)
				return r
			}, pending: true},
		{name: "ok/upload rotation deploys the new certificate to every bound resource (H1)",
			subject: func(t *testing.T, e *env) *service.Certificate {
				return uploadFor(t, e, testCA(t), "www.example.com", "*.example.com")
			},
			op: func(t *testing.T, e *env, c *service.Certificate) *service.Certificate {
				return rotate(t, e, testCA(t), c.ID, "www.example.com", "*.example.com")
			}},
		{name: "ok/renewal deploys the renewed version to every bound resource (H1)", subject: issued(dv("www.example.com")),
			op: func(t *testing.T, e *env, c *service.Certificate) *service.Certificate { return e.renew(c.ID) }},
		{name: "ok/renewal waiting for review keeps the old version deployed, then deploys the renewed (H1)", opts: envOpts{review: service.ReviewManual},
			subject: issued(dv("www.example.com")),
			op: func(t *testing.T, e *env, c *service.Certificate) *service.Certificate {
				r := e.renew(c.ID)
				if !strings.Contains(r.Order.Pending, "renewal") {
					t.Fatalf("renewal not pending: %q", r.Order.Pending)
				}
				return r
			}, pending: true},
		{name: "ok/free DV re-application deploys the new version (H1)", subject: issued(freeDV("www.example.com")),
			op: func(t *testing.T, e *env, c *service.Certificate) *service.Certificate { return e.renew(c.ID) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.opts)
			c := tc.subject(t, e)
			h := e.host(c.ID, bound...)
			e.wantServing(t, h.ID, c)
			// No time passes: the new version's deployments share the first ones'
			// timestamp, and must still be the latest.
			n := tc.op(t, e, c)
			if tc.pending {
				if n.Version != c.Version || n.SerialNumber != c.SerialNumber {
					t.Fatalf("pending operation already made version %d", n.Version)
				}
				e.wantServing(t, h.ID, c)
				for _, r := range bound {
					e.wantHistory(t, r, servedOf(c))
				}
				n = e.settle(n)
			}
			if n.Version != c.Version+1 || n.SerialNumber == c.SerialNumber || n.ID != c.ID {
				t.Fatalf("new version %d serial %s (old %d %s)", n.Version, n.SerialNumber, c.Version, c.SerialNumber)
			}
			e.wantServing(t, h.ID, n)
			for _, r := range bound {
				e.wantHistory(t, r, servedOf(c), servedOf(n))
			}
			// And once more: a third version follows the second.
			if c.Source == service.SourceIssued && !tc.pending {
				e.advance(time.Hour)
				n3 := e.reissue(c.ID, service.ReissueInput{})
				e.wantServing(t, h.ID, n3)
				for _, r := range bound {
					e.wantHistory(t, r, servedOf(c), servedOf(n), servedOf(n3))
				}
			}
		})
	}
}

// H1 with I6: a new version that cannot be deployed never replaces what the bound
// resources serve silently.
func TestH1NewVersionMustBeDeployable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		op   func(t *testing.T, e *env, c *service.Certificate) error
		says string
	}{
		{name: "error/reissue of a bound certificate with a key password (H1, I6)", op: func(t *testing.T, e *env, c *service.Certificate) error {
			_, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{Password: "correct horse"})
			return err
		}, says: "rule I6"},
		{name: "error/reissue of a bound certificate for the user's own CSR (H1)", op: func(t *testing.T, e *env, c *service.Certificate) error {
			csr := certstest.CSRPEM(t, certstest.NewKey(t, certstest.ECC), "www.example.com")
			_, err := e.svc.Reissue(e.ctx, "", c.ID, service.ReissueInput{CSRPEM: csr})
			return err
		}, says: "CSR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{})
			c := e.issue(dv("www.example.com"))
			h := e.host(c.ID, cdnWWW, clbWWW)
			wantRefusal(t, tc.op(t, e, c), service.KindFailedPrecondition, service.CodeNotDeployable, "", tc.says)
			got := e.get(c.ID)
			if got.Version != c.Version || got.SerialNumber != c.SerialNumber {
				t.Fatalf("refused operation made version %d", got.Version)
			}
			e.wantServing(t, h.ID, c)
			e.wantHistory(t, cdnWWW, servedOf(c))
		})
	}
	t.Run("error/rotation to a certificate that does not cover a bound resource (H1)", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		issuer := testCA(t)
		c := uploadFor(t, e, issuer, "www.example.com")
		h := e.host(c.ID, cdnWWW, lhWWW)
		leaf := issuer.Leaf(t, certstest.LeafOptions{CommonName: "api.example.com", DNSNames: []string{"api.example.com"},
			NotBefore: e.now().Add(-time.Hour), NotAfter: e.now().Add(300 * day)})
		_, _, err := e.svc.Rotate(e.ctx, "", c.ID, service.RotateInput{
			Material: certs.UploadInput{CertificatePEM: leaf.FullChainPEM(), PrivateKeyPEM: leaf.KeyPEM(t, certstest.PKCS8)}})
		wantRefusal(t, err, service.KindFailedPrecondition, service.CodeNotDeployable, "Certificate Does Not Cover Resource", "www.example.com")
		if got := e.get(c.ID); got.Version != 1 || got.SerialNumber != c.SerialNumber {
			t.Fatalf("refused rotation made version %d", got.Version)
		}
		e.wantServing(t, h.ID, c)
	})
}

// --- H2: a new record that renews an old one takes its resources ---

func TestH2Takeover(t *testing.T) {
	t.Parallel()
	www := dv("www.example.com")
	tests := []struct {
		name   string
		opts   envOpts
		old    service.OrderInput
		rs     []store.PlatformResource
		next   service.OrderInput
		takes  bool
		reason []string // what the hosting note says when the resources stay
	}{
		{name: "ok/equal specs take the resources at once under auto review (H2)", old: www, rs: []store.PlatformResource{clbWWW, cdnWWW}, next: www, takes: true},
		{name: "ok/equal specs take the resources only after review approval (H2)", opts: envOpts{review: service.ReviewManual},
			old: www, rs: []store.PlatformResource{clbWWW, cdnWWW}, next: www, takes: true},
		{name: "ok/equal OV specs with another key size take the resources (H2)",
			old: ov(ca.BrandGlobalSign, "www.example.com"), rs: []store.PlatformResource{wafWWW},
			next: with(ov(ca.BrandGlobalSign, "www.example.com"), func(in *service.OrderInput) { in.KeySize = 384 }), takes: true},
		{name: "ok/equal wildcard specs take the resources (H2)", old: dv("*.example.com"), rs: []store.PlatformResource{cdnWWW, res("CDN", "img.example.com", "")},
			next: dv("*.example.com"), takes: true},
		{name: "ok/keeps resources when the brand differs (H2)", old: www, rs: []store.PlatformResource{clbWWW, cdnWWW},
			next: with(www, func(in *service.OrderInput) { in.Brand = ca.BrandWoTrus }), reason: []string{"rule H2", "brand WoTrus", "TrustAsia"}},
		{name: "ok/keeps resources when the certificate type differs (H2)", old: www, rs: []store.PlatformResource{clbWWW},
			next: ov(ca.BrandTrustAsia, "www.example.com"), reason: []string{"rule H2", "certificate type OV", "DV"}},
		{name: "ok/keeps resources when the domain type goes single to multiple (H2)", old: www, rs: []store.PlatformResource{cdnWWW},
			next: with(www, func(in *service.OrderInput) { in.SANs = []string{"api.example.com"} }), reason: []string{"rule H2", "domain type multiple ≠ single"}},
		{name: "ok/keeps resources when the domain type goes single to wildcard (H2)", old: www, rs: []store.PlatformResource{cdnWWW},
			next: dv("*.example.com"), reason: []string{"rule H2", "domain type wildcard ≠ single"}},
		{name: "ok/keeps resources when the domain type goes multiple to wildcard (H2)",
			old: with(www, func(in *service.OrderInput) { in.SANs = []string{"api.example.com"} }), rs: []store.PlatformResource{cdnWWW, res("CDN", "api.example.com", "")},
			next: with(dv("*.example.com"), func(in *service.OrderInput) { in.SANs = []string{"example.com"} }), reason: []string{"rule H2", "domain type wildcard ≠ multiple"}},
		{name: "ok/keeps resources when the domain type goes wildcard to single (H2)", old: dv("*.example.com"), rs: []store.PlatformResource{cdnWWW},
			next: www, reason: []string{"rule H2", "domain type single ≠ wildcard"}},
		{name: "ok/keeps resources when brand, type and domain type all differ (H2)", old: www, rs: []store.PlatformResource{cdnWWW},
			next:   ov(ca.BrandGeoTrust, "*.example.com"),
			reason: []string{"rule H2", "domain type wildcard ≠ single", "certificate type OV", "brand GeoTrust"}},
		{name: "ok/keeps resources when the new record has a key password (H2, I6)", old: www, rs: []store.PlatformResource{cdnWWW},
			next: with(www, func(in *service.OrderInput) { in.Password = "correct horse" }), reason: []string{"rule H2", "rule I6"}},
		{name: "ok/keeps resources when the new record does not cover them (H2)", old: www, rs: []store.PlatformResource{cdnWWW, clbWWW},
			next: dv("api.example.com"), reason: []string{"rule H2", "www.example.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.opts)
			old := e.issue(tc.old)
			h := e.host(old.ID, tc.rs...)
			next := tc.next
			next.RenewsCertificateID = old.ID
			n := e.order(next)
			if tc.opts.review == service.ReviewManual {
				// Under review nothing moves: the old certificate keeps serving.
				wantStatus(t, n, service.StatusPendingReview)
				if n.Order.HostingNote != "" {
					t.Fatalf("hosting note before issue: %q", n.Order.HostingNote)
				}
				e.wantServing(t, h.ID, old)
				for _, r := range tc.rs {
					e.wantHistory(t, r, servedOf(old))
				}
				e.advance(time.Hour)
				n = e.settle(n)
			}
			wantStatus(t, n, service.StatusIssued)
			if n.Order.RenewsCertificateID != old.ID {
				t.Fatalf("renews %q", n.Order.RenewsCertificateID)
			}
			if tc.takes {
				if !strings.Contains(n.Order.HostingNote, "moved") || !strings.Contains(n.Order.HostingNote, old.ID) {
					t.Fatalf("hosting note %q", n.Order.HostingNote)
				}
				e.wantServing(t, h.ID, n)
				for _, r := range tc.rs {
					e.wantHistory(t, r, servedOf(old), servedOf(n))
				}
				if got := e.hosting(n.ID); got.ID != h.ID {
					t.Fatalf("import by the new certificate found %s", got.ID)
				}
				// The old record is no longer deployed: deleting it meets D2, not D4.
				wantRefusal(t, e.svc.Delete(e.ctx, old.ID), service.KindFailedPrecondition, service.CodeDeletionRefused, "", "rule D2")
				return
			}
			for _, s := range tc.reason {
				if !strings.Contains(n.Order.HostingNote, s) {
					t.Fatalf("hosting note %q does not say %q", n.Order.HostingNote, s)
				}
			}
			if strings.Contains(n.Order.HostingNote, "moved") {
				t.Fatalf("hosting note %q", n.Order.HostingNote)
			}
			if got := e.get(n.ID); got.Order.HostingNote != n.Order.HostingNote {
				t.Fatalf("stored hosting note %q", got.Order.HostingNote)
			}
			e.wantServing(t, h.ID, old)
			for _, r := range tc.rs {
				e.wantHistory(t, r, servedOf(old))
			}
			if ds, _ := e.svc.Deployments(e.ctx, store.DeploymentFilter{CertificateID: n.ID}); len(ds) != 0 {
				t.Fatalf("%d deployments of the new record", len(ds))
			}
			wantRefusal(t, e.svc.Delete(e.ctx, old.ID), service.KindFailedPrecondition, service.CodeCertificateHosted, "", "rule D4")
		})
	}
	t.Run("ok/a renewing record of an unbound certificate moves nothing (H2)", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		old := e.issue(www)
		n := e.order(with(www, func(in *service.OrderInput) { in.RenewsCertificateID = old.ID }))
		wantStatus(t, n, service.StatusIssued)
		if n.Order.HostingNote != "" {
			t.Fatalf("hosting note %q", n.Order.HostingNote)
		}
	})
	t.Run("ok/a renewing record of a deleted certificate says so (H2)", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		n := e.order(with(www, func(in *service.OrderInput) { in.RenewsCertificateID = "cert-gone0000000" }))
		wantStatus(t, n, service.StatusIssued)
		if !strings.Contains(n.Order.HostingNote, "no longer exists") {
			t.Fatalf("hosting note %q", n.Order.HostingNote)
		}
	})
}

// --- renewal in place ---

func TestRenew(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	c := e.issue(with(dv("www.example.com"), func(in *service.OrderInput) { in.RenewBeforeDays = 30 }))
	windowOpens := c.NotAfter.Add(-30 * day)
	caid, issuer := caID(t, c), parsePEMCert(t, c.CAChainPEM)
	h := e.host(c.ID, cdnWWW, clbWWW)

	t.Run("ok/ready_for_renewal around the window's opening (renew_before_days)", func(t *testing.T) {
		for _, tc := range []struct {
			at   time.Time
			want bool
		}{
			{t0, false},
			{windowOpens.Add(-time.Second), false},
			{windowOpens, true},
			{windowOpens.Add(time.Second), true},
			{c.NotAfter.Add(-time.Minute), true},
		} {
			e.set(tc.at)
			if got := e.get(c.ID).Order; got.ReadyForRenewal != tc.want || got.RenewBeforeDays != 30 {
				t.Fatalf("at %s (window opens %s): ready_for_renewal %v (renew_before_days %d), want %v", tc.at, windowOpens, got.ReadyForRenewal, got.RenewBeforeDays, tc.want)
			}
		}
	})
	e.set(windowOpens.Add(time.Hour))
	r := e.renew(c.ID)
	t.Run("ok/renewal is a new version with a new validity, in place", func(t *testing.T) {
		wantStatus(t, r, service.StatusIssued)
		if r.ID != c.ID || r.Version != c.Version+1 || r.SerialNumber == c.SerialNumber || r.FingerprintSHA256 == c.FingerprintSHA256 {
			t.Fatalf("renewed: id %s version %d serial %s", r.ID, r.Version, r.SerialNumber)
		}
		if !r.NotAfter.After(c.NotAfter) || !r.NotBefore.After(c.NotBefore) {
			t.Fatalf("validity %s – %s, old %s – %s", r.NotBefore, r.NotAfter, c.NotBefore, c.NotAfter)
		}
		if want := e.now().Truncate(time.Second).Add(365 * day); !r.NotAfter.Equal(want) {
			t.Fatalf("not_after %s, want %s (a year from the renewal)", r.NotAfter, want)
		}
		if leaf := parsePEMCert(t, r.LeafPEM); !leaf.NotAfter.Equal(r.NotAfter) {
			t.Fatalf("PEM not_after %s", leaf.NotAfter)
		}
		if r.Order.ReissueCount != 0 {
			t.Fatalf("renewal counted as a reissue: %d", r.Order.ReissueCount)
		}
	})
	t.Run("ok/the old serial is not revoked by a renewal", func(t *testing.T) {
		if _, ok := e.crl(caid, issuer)[hexNoPad(c.SerialNumber)]; ok {
			t.Fatal("old serial on the CRL")
		}
		if got := e.ocspStatus(caid, c.LeafPEM, issuer); got != ocsp.Good {
			t.Fatalf("OCSP of the old version %d, want good", got)
		}
		if got := e.ocspStatus(caid, r.LeafPEM, issuer); got != ocsp.Good {
			t.Fatalf("OCSP of the new version %d, want good", got)
		}
	})
	t.Run("ok/not ready for renewal after the renewal", func(t *testing.T) {
		if e.get(c.ID).Order.ReadyForRenewal {
			t.Fatal("still ready for renewal")
		}
		e.set(r.NotAfter.Add(-30*day - time.Second))
		if e.get(c.ID).Order.ReadyForRenewal {
			t.Fatal("ready before the new window opens")
		}
		e.set(r.NotAfter.Add(-30 * day))
		if !e.get(c.ID).Order.ReadyForRenewal {
			t.Fatal("not ready once the new window opens")
		}
		e.set(windowOpens.Add(time.Hour))
	})
	t.Run("ok/bound resources serve the renewed version (H1)", func(t *testing.T) {
		e.wantServing(t, h.ID, r)
		e.wantHistory(t, cdnWWW, servedOf(c), servedOf(r))
	})
	t.Run("ok/an expired certificate can be renewed and is deployable again", func(t *testing.T) {
		e.set(r.NotAfter.Add(time.Hour))
		_, err := e.svc.CreateHosting(e.ctx, "", service.HostingInput{CertificateID: c.ID, Resources: []store.PlatformResource{wafWWW}})
		wantRefusal(t, err, service.KindFailedPrecondition, service.CodeNotDeployable, "", "expired")
		r2 := e.renew(c.ID)
		wantStatus(t, r2, service.StatusIssued)
		if r2.Version != 3 || !r2.NotAfter.After(e.now()) {
			t.Fatalf("version %d not_after %s", r2.Version, r2.NotAfter)
		}
		e.wantServing(t, h.ID, r2)
		e.host(c.ID, wafWWW)
	})
	t.Run("error/renew_before_days not shorter than the validity", func(t *testing.T) {
		ps := service.CheckOrder(with(dv("www.example.com"), func(in *service.OrderInput) { in.RenewBeforeDays = 365 }))
		if len(ps) != 1 || ps[0].Field != "renew_before_days" {
			t.Fatalf("problems %+v", ps)
		}
		_, err := e.svc.Order(e.ctx, "", with(freeDV("www.example.com"), func(in *service.OrderInput) { in.RenewBeforeDays = 90 }))
		wantRefusal(t, err, service.KindInvalid, service.CodeInvalidOrder, "Renewal Window Too Long")
	})
	t.Run("ok/no renewal window without renew_before_days", func(t *testing.T) {
		d := e.issue(dv("api.example.com"))
		e.set(d.NotAfter.Add(-time.Minute))
		if d := e.get(d.ID); d.Order.ReadyForRenewal {
			t.Fatal("ready for renewal without a window")
		}
	})
}

func TestRenewRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cert    func(t *testing.T, e *env) *service.Certificate
		code    string
		summary string
	}{
		{name: "error/renew revoked certificate (R2)", cert: func(t *testing.T, e *env) *service.Certificate {
			c := e.issue(dv("www.example.com"))
			return e.revoke(c.ID, service.RevokeInput{})
		}, code: service.CodeReissueRefused, summary: "Certificate Cannot Be Renewed"},
		{name: "error/renew certificate issued for the user's CSR", cert: func(t *testing.T, e *env) *service.Certificate {
			csr := certstest.CSRPEM(t, certstest.NewKey(t, certstest.ECC), "www.example.com")
			return e.issue(with(dv("www.example.com"), func(in *service.OrderInput) { in.CSRPEM = csr }))
		}, code: service.CodeReissueRefused, summary: "Renewal Needs A New CSR"},
		{name: "error/renew certificate with a key password (I6)", cert: func(t *testing.T, e *env) *service.Certificate {
			return e.issue(with(dv("www.example.com"), func(in *service.OrderInput) { in.Password = "correct horse" }))
		}, code: service.CodeReissueRefused, summary: "Renewal Needs The Key Password"},
		{name: "error/renew uploaded certificate", cert: func(t *testing.T, e *env) *service.Certificate {
			return uploadFor(t, e, testCA(t), "www.example.com")
		}, code: service.CodeWrongCertificateOp, summary: "Uploaded Certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{})
			c := tc.cert(t, e)
			_, err := e.svc.Renew(e.ctx, "", c.ID)
			wantRefusal(t, err, service.KindFailedPrecondition, tc.code, tc.summary)
			if got := e.get(c.ID); got.Version != c.Version {
				t.Fatalf("refused renewal made version %d", got.Version)
			}
		})
	}
}
