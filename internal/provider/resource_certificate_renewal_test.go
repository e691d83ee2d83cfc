package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

const day = 24 * time.Hour

// renewalWindow is the renewal configuration of these tests: 60 days of validity,
// due for renewal 20 days before expiry (from day 40 on).
const renewalWindow = `
  validity_days     = 60
  renew_before_days = 20
`

// expectBefore checks the value an attribute had before the planned change: the
// refreshed state the plan starts from.
type expectBefore struct {
	addr, attr string
	want       any
}

func (c expectBefore) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		if got := before[c.attr]; got != c.want {
			resp.Error = fmt.Errorf("%s.%s was %v before the plan, want %v", c.addr, c.attr, got, c.want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}

// movedOut checks that the RFC 3339 time attr of the resource at addr is at least
// by later than the captured one.
type movedOut struct {
	addr, attr string
	than       *captured
	by         time.Duration
}

func (c movedOut) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	v, ok := hostingStateValues(req)[c.addr]
	if !ok {
		resp.Error = fmt.Errorf("%s is not in the state", c.addr)
		return
	}
	s, _ := v[c.attr].(string)
	got, err1 := time.Parse(time.RFC3339, s)
	was, err2 := time.Parse(time.RFC3339, c.than.value)
	switch {
	case err1 != nil || err2 != nil:
		resp.Error = fmt.Errorf("%s.%s: %q, before %q: not RFC 3339", c.addr, c.attr, s, c.than.value)
	case got.Sub(was) < c.by:
		resp.Error = fmt.Errorf("%s.%s moved from %s to %s, want at least %s later", c.addr, c.attr, c.than.value, s, c.by)
	}
}

// deploymentChain checks, in the backend, every deployment of certificate id on each
// resource: one per version, in order, serving the captured serial of that version,
// each after the first replacing the previous version of the same certificate, all
// deployed. So the resource went from one version to the next and never served
// nothing in between; the hosting's current deployment is the last version.
func (e *testEnv) deploymentChain(id, hosting *captured, serials []*captured, resources ...hostedResource) error {
	ctx := context.Background()
	ds, err := e.client.ListDeployments(ctx, client.DeploymentFilter{CertificateID: id.value})
	if err != nil {
		return fmt.Errorf("listing the deployments of %s: %w", id.value, err)
	}
	for _, r := range resources {
		var chain []int
		for i, d := range ds {
			if d.Resource.Type == r.typ && d.Resource.InstanceID == r.instanceID {
				chain = append(chain, i)
			}
		}
		sort.Slice(chain, func(a, b int) bool { return ds[chain[a]].Version < ds[chain[b]].Version })
		if len(chain) != len(serials) {
			return fmt.Errorf("%s has %d deployments of %s, want %d (one per version)", r.name(), len(chain), id.value, len(serials))
		}
		for n, i := range chain {
			d := ds[i]
			wantReplaced, wantReplacedVersion := "", 0
			if n > 0 {
				wantReplaced, wantReplacedVersion = id.value, n
				if prev := ds[chain[n-1]]; d.StartedAt.Before(prev.FinishedAt) {
					return fmt.Errorf("%s: version %d was deployed at %s, before version %d finished at %s", r.name(), d.Version, d.StartedAt, prev.Version, prev.FinishedAt)
				}
			}
			if d.Version != n+1 || d.SerialNumber != serials[n].value || d.Status != "deployed" ||
				d.ReplacedCertificateID != wantReplaced || d.ReplacedVersion != wantReplacedVersion {
				return fmt.Errorf("%s deployment %d: version %d serial %s status %s replaced %q v%d; want version %d serial %s deployed replaced %q v%d",
					r.name(), n, d.Version, d.SerialNumber, d.Status, d.ReplacedCertificateID, d.ReplacedVersion,
					n+1, serials[n].value, wantReplaced, wantReplacedVersion)
			}
		}
	}
	h, err := e.client.GetHosting(ctx, hosting.value)
	if err != nil {
		return fmt.Errorf("reading hosting %s: %w", hosting.value, err)
	}
	last := serials[len(serials)-1].value
	for _, d := range h.Deployments {
		if d.CertificateID != id.value || d.SerialNumber != last || d.Status != "deployed" {
			return fmt.Errorf("hosting %s: %s serves %s serial %s (%s), want %s serial %s", hosting.value,
				d.Resource.Type+" "+d.Resource.InstanceID, d.CertificateID, d.SerialNumber, d.Status, id.value, last)
		}
	}
	if len(h.Deployments) != len(resources) {
		return fmt.Errorf("hosting %s has %d current deployments, want %d", hosting.value, len(h.Deployments), len(resources))
	}
	return nil
}

// TestAccCertificate_renewalHosted renews, through the fake clock, an ECC DNS_AUTO
// certificate (60 days, renew_before_days 20) that a hosting binds to a CLB listener
// and a CDN domain. 45 days later a refresh shows ready_for_renewal and the plan an
// in-place update; the apply keeps the id and makes version 2 with a new serial and a
// later not_after, deployed to both resources as the successor of version 1 — the
// resources never served nothing — and leaves the old serial unrevoked. Then the plan
// is empty and an import matches.
func TestAccCertificate_renewalHosted(t *testing.T) {
	env := newTestEnv(t)
	config := env.config(issuedHostingCertConfig("test", "www.example.test", []string{"cdn.example.test"}, renewalWindow+lifecycleCreateBeforeDestroy) +
		hostingConfig("test", certAddr+".id", clbWWW, cdnCDN))
	var id, hosting, serial1, serial2, notAfter1 captured
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newSerial := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, certAddr),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: append(issuedChecks("ECC", 256),
					capture("id", &id), capture("serial_number", &serial1), capture("not_after", &notAfter1),
					captureValue{hostingAddr, "id", &hosting},
					sameID.AddStateValue(certAddr, tfjsonpath.New("id")),
					newSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number")),
					attrCheck("version", knownvalue.Int64Exact(1)),
					attrCheck("renew_before_days", knownvalue.Int64Exact(20)),
					serves{hosting: hostingAddr, certificate: certAddr, serialOf: certAddr, version: 1},
				),
			},
			// Day 45: the window (day 40) is open. A refresh shows it; the plan renews.
			{
				PreConfig:    func() { env.clock.Advance(45 * day) },
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(certAddr, "ready_for_renewal", "true"),
				RefreshPlanChecks: resource.RefreshPlanChecks{
					PostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("ready_for_renewal"), knownvalue.Bool(false)),
					},
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
						expectBefore{certAddr, "ready_for_renewal", true},
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("ready_for_renewal"), knownvalue.Bool(false)),
						// The id, the key algorithm, the issuer and the counters stay; the version's values are new.
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("issuer"), knownvalue.NotNull()),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("ca_chain_pem"), pemCert),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("reissue_count"), knownvalue.Int64Exact(0)),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("validation_records"), knownvalue.ListSizeExact(2)),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("encryption_certificate_pem"), knownvalue.Null()),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("serial_number")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("fingerprint_sha256")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("not_before")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("not_after")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("certificate_pem")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("full_chain_pem")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("private_key_pem")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("version")),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("status")),
					},
				},
				ConfigStateChecks: append(issuedChecks("ECC", 256),
					sameID.AddStateValue(certAddr, tfjsonpath.New("id")),
					newSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number")),
					capture("serial_number", &serial2),
					movedOut{certAddr, "not_after", &notAfter1, 44 * day},
					attrCheck("version", knownvalue.Int64Exact(2)),
					attrCheck("reissue_count", knownvalue.Int64Exact(0)),
					backendCheck(func() error {
						return env.deploymentChain(&id, &hosting, []*captured{&serial1, &serial2}, clbWWW, cdnCDN)
					}),
					backendCheck(func() error {
						if _, revoked := env.revokedSerials("TrustAsia", "ECC")[serial1.value]; revoked {
							return fmt.Errorf("the renewed serial %s was revoked; a renewal leaves it to expire", serial1.value)
						}
						return nil
					}),
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("ready_for_renewal", knownvalue.Bool(false)),
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					serves{hosting: hostingAddr, certificate: certAddr, serialOf: certAddr, version: 2, replaced: certAddr, replacedVersion: 1},
				},
			},
			{
				ResourceName:      certAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// TestAccCertificate_renewalPending renews a DV certificate under file validation
// (validation = http): the renewal waits for the file, the current version keeps
// being served by the hosting, and the state stays as it was (each plan shows the
// renewal again, nothing else). Once the file is served, the next apply completes
// the renewal and deploys version 2.
func TestAccCertificate_renewalPending(t *testing.T) {
	env, files := newFileValidationEnv(t)
	site := hostedResource{"CDN", "renew-file.example.test", ""}
	config := env.config(certConfig("test", "renew-file.example.test", "TrustAsia", "DV", `
  key_algorithm     = "ECC"
  validation_method = "FILE"
`+renewalWindow+lifecycleCreateBeforeDestroy) + hostingConfig("test", certAddr+".id", site))
	var id, hosting, serial1, serial2 captured
	sameSerial := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			// A pending order cannot be bound yet: the hosting comes once it is issued.
			{
				Config: env.config(certConfig("test", "renew-file.example.test", "TrustAsia", "DV", `
  key_algorithm     = "ECC"
  validation_method = "FILE"
`+renewalWindow+lifecycleCreateBeforeDestroy)),
				ConfigStateChecks: []statecheck.StateCheck{
					capture("id", &id), attrCheck("status", knownvalue.StringExact("pending_validation")),
				},
			},
			{
				PreConfig: func() { files.serve(true); env.advance(id.value); files.serve(false) },
				Config:    config,
				ConfigStateChecks: append(issuedChecks("ECC", 256), capture("serial_number", &serial1),
					sameSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number")),
					captureValue{hostingAddr, "id", &hosting}),
			},
			// Day 45: the renewal waits for the file; nothing changes but the warning.
			{
				PreConfig: func() { env.clock.Advance(45 * day) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("validation_records")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
					},
				},
				ExpectNonEmptyPlan: true,
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("status", knownvalue.StringExact("issued")),
					attrCheck("version", knownvalue.Int64Exact(1)),
					attrCheck("ready_for_renewal", knownvalue.Bool(false)),
					sameSerial.AddStateValue(certAddr, tfjsonpath.New("serial_number")),
					attrCheck("validation_records", knownvalue.ListSizeExact(1)),
					backendCheck(func() error {
						c, err := env.client.GetCertificate(context.Background(), id.value)
						if err != nil {
							return err
						}
						if c.Order == nil || !strings.Contains(c.Order.Pending, "renewal waits for domain validation") {
							return fmt.Errorf("certificate %s does not wait for the renewal's validation: %+v", id.value, c.Order)
						}
						return env.deploymentChain(&id, &hosting, []*captured{&serial1}, site)
					}),
				},
			},
			// The file is served: the apply checks on the renewal, which completes.
			{
				PreConfig: func() { files.serve(true) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("status", knownvalue.StringExact("issued")),
					attrCheck("version", knownvalue.Int64Exact(2)),
					attrCheck("ready_for_renewal", knownvalue.Bool(false)),
					capture("serial_number", &serial2),
					backendCheck(func() error {
						return env.deploymentChain(&id, &hosting, []*captured{&serial1, &serial2}, site)
					}),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
		CheckDestroy: func(*terraform.State) error { return env.gone(id.value) },
	})
}

// successorConfig renders ssl_certificate.successor of brand for the names of the
// hosted certificate, renewing ssl_certificate.test.
func successorConfig(brand string) string {
	return fmt.Sprintf(`
resource "ssl_certificate" "successor" {
  name                      = "successor"
  domain                    = "www.example.test"
  subject_alternative_names = ["cdn.example.test"]
  brand                     = %[1]q
  certificate_type          = "DV"
  key_algorithm             = "ECC"
  validation_method         = "DNS_AUTO"
  renews_certificate_id     = ssl_certificate.test.id
}
`, brand)
}

const successorAddr = "ssl_certificate.successor"

// hostingOn checks in the backend that the captured hosting binds the certificate
// with the captured id.
func (e *testEnv) hostingOn(hosting, id *captured) backendCheck {
	return func() error {
		h, err := e.client.GetHosting(context.Background(), hosting.value)
		if err != nil {
			return fmt.Errorf("reading hosting %s: %w", hosting.value, err)
		}
		if h.CertificateID != id.value {
			return fmt.Errorf("hosting %s binds %s, want %s", hosting.value, h.CertificateID, id.value)
		}
		return nil
	}
}

// hostingNote checks the successor's hosting note in the backend.
func (e *testEnv) hostingNote(id *captured, words ...string) backendCheck {
	return func() error {
		c, err := e.client.GetCertificate(context.Background(), id.value)
		if err != nil {
			return err
		}
		if c.Order == nil {
			return fmt.Errorf("certificate %s has no order", id.value)
		}
		for _, w := range words {
			if !strings.Contains(c.Order.HostingNote, w) {
				return fmt.Errorf("the hosting note of %s lacks %q: %q", id.value, w, c.Order.HostingNote)
			}
		}
		return nil
	}
}

// TestAccCertificate_renewsCertificateIDTakesOver: a new certificate that renews a
// bound one with the same domain type, certificate type and brand takes its
// resources once issued (H2): the hosting's current_certificate_id becomes the
// successor, which the resources now serve; the plan is then empty.
func TestAccCertificate_renewsCertificateIDTakesOver(t *testing.T) {
	env := newTestEnv(t)
	old := issuedHostingCertConfig("test", "www.example.test", []string{"cdn.example.test"}, lifecycleCreateBeforeDestroy)
	hosting := hostingConfig("test", certAddr+".id", clbWWW, cdnCDN)
	var oldID, successorID, hostingID captured

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, certAddr, successorAddr),
		Steps: []resource.TestStep{
			{
				Config:            env.config(old + hosting),
				ConfigStateChecks: []statecheck.StateCheck{capture("id", &oldID), captureValue{hostingAddr, "id", &hostingID}},
			},
			{
				Config: env.config(old + hosting + successorConfig("TrustAsia")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(successorAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					captureValue{successorAddr, "id", &successorID},
					statecheck.CompareValuePairs(successorAddr, tfjsonpath.New("renews_certificate_id"), certAddr, tfjsonpath.New("id"), compare.ValuesSame()),
					env.hostingOn(&hostingID, &successorID),
					env.hostingNote(&successorID, "moved to this certificate", "H2"),
				},
			},
			{
				Config: env.config(old + hosting + successorConfig("TrustAsia")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameCertificateID(hostingAddr, "certificate_id", certAddr),
					sameCertificateID(hostingAddr, "current_certificate_id", successorAddr),
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					serves{hosting: hostingAddr, certificate: successorAddr, serialOf: successorAddr, version: 1,
						replaced: certAddr, replacedVersion: 1},
				},
			},
			{
				ResourceName:      successorAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			// Naming the successor in the hosting records the move (nothing is deployed),
			// and orders the destroy: the hosting goes before the certificate it serves.
			{
				Config: env.config(old + hostingConfig("test", successorAddr+".id", clbWWW, cdnCDN) + successorConfig("TrustAsia")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameCertificateID(hostingAddr, "certificate_id", successorAddr),
					sameCertificateID(hostingAddr, "current_certificate_id", successorAddr),
					serves{hosting: hostingAddr, certificate: successorAddr, serialOf: successorAddr, version: 1,
						replaced: certAddr, replacedVersion: 1},
				},
			},
		},
	})
}

// TestAccCertificate_renewsCertificateIDOtherBrand: a successor of another brand
// does not take the resources (H2); the apply succeeds (with a warning) and the
// hosting keeps serving the old certificate.
func TestAccCertificate_renewsCertificateIDOtherBrand(t *testing.T) {
	env := newTestEnv(t)
	old := issuedHostingCertConfig("test", "www.example.test", []string{"cdn.example.test"}, lifecycleCreateBeforeDestroy)
	hosting := hostingConfig("test", certAddr+".id", clbWWW, cdnCDN)
	var oldID, successorID, hostingID captured

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, certAddr, successorAddr),
		Steps: []resource.TestStep{
			{
				Config:            env.config(old + hosting),
				ConfigStateChecks: []statecheck.StateCheck{capture("id", &oldID), captureValue{hostingAddr, "id", &hostingID}},
			},
			{
				Config: env.config(old + hosting + successorConfig("WoTrus")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(successorAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					captureValue{successorAddr, "id", &successorID},
					statecheck.ExpectKnownValue(successorAddr, tfjsonpath.New("status"), knownvalue.StringExact("issued")),
					env.hostingOn(&hostingID, &oldID),
					env.hostingNote(&successorID, "stay on it", "brand WoTrus"),
				},
			},
			{
				Config: env.config(old + hosting + successorConfig("WoTrus")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameCertificateID(hostingAddr, "certificate_id", certAddr),
					sameCertificateID(hostingAddr, "current_certificate_id", certAddr),
					serves{hosting: hostingAddr, certificate: certAddr, serialOf: certAddr, version: 1},
				},
			},
		},
	})
}

// TestAccCertificate_ignoreAcrossRenewal: ignore_expiration_notifications = true is
// refused at plan time far from expiry, with the date from which it can be set (N1);
// allowed once the certificate expires within 30 days; kept through a renewal (whose
// new version the service clears and refuses to ignore) with no error and an empty
// plan; and set again in the service once the new version is within 30 days of expiry.
// revoke_on_destroy = false: at the end it expires too soon to be revoked (R4).
func TestAccCertificate_ignoreAcrossRenewal(t *testing.T) {
	env := newTestEnv(t)
	notAfter := env.clock.Now().Truncate(time.Second).Add(60 * day).UTC()
	config := func(ignore bool) string {
		return env.config(certConfig("ignore", "ignore.example.test", "TrustAsia", "DV", fmt.Sprintf(`
  key_algorithm                   = "ECC"
  validation_method               = "DNS_AUTO"
  ignore_expiration_notifications = %[1]t
  revoke_on_destroy               = false
`, ignore)+renewalWindow))
	}
	var id captured
	backendIgnores := func(want bool) backendCheck {
		return func() error {
			c, err := env.client.GetCertificate(context.Background(), id.value)
			if err != nil {
				return err
			}
			if c.IgnoreExpirationNotifications != want {
				return fmt.Errorf("the service has ignore_expiration_notifications = %t for version %d, want %t", c.IgnoreExpirationNotifications, c.Version, want)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		// Within 30 days of expiry it cannot be revoked (R4): destroy leaves it.
		CheckDestroy: func(*terraform.State) error {
			c, err := env.client.GetCertificate(context.Background(), id.value)
			if err != nil || c.Status != "issued" {
				return fmt.Errorf("certificate %s should stay issued in the service: %v", id.value, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:            config(false),
				ConfigStateChecks: []statecheck.StateCheck{capture("id", &id), attrCheck("version", knownvalue.Int64Exact(1))},
			},
			{
				Config: config(true),
				ExpectError: diagnosticWords("Certificate Does Not Expire Soon", "rule N1",
					"expires on "+notAfter.Format("2006-01-02"), "ignored from "+notAfter.Add(-30*day).Format("2006-01-02")),
			},
			// Day 35: 25 days left.
			{
				PreConfig: func() { env.clock.Advance(35 * day) },
				Config:    config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("ignore_expiration_notifications", knownvalue.Bool(true)),
					backendIgnores(true),
				},
			},
			// Day 45: the renewal makes version 2, which the service clears and, 60 days
			// from expiry, refuses to ignore: the configuration's true stays, no error.
			{
				PreConfig: func() { env.clock.Advance(10 * day) },
				Config:    config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("ignore_expiration_notifications"), knownvalue.Bool(true)),
						plancheck.ExpectUnknownValue(certAddr, tfjsonpath.New("version")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("version", knownvalue.Int64Exact(2)),
					attrCheck("ignore_expiration_notifications", knownvalue.Bool(true)),
					backendIgnores(false),
				},
			},
			{
				Config: config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{attrCheck("ignore_expiration_notifications", knownvalue.Bool(true))},
			},
			// Day 80: version 2 expires within 30 days; the plan sets the ignore again.
			{
				PreConfig: func() { env.clock.Advance(35 * day) },
				Config:    config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(certAddr, plancheck.ResourceActionUpdate),
						expectBefore{certAddr, "ignore_expiration_notifications", false},
						plancheck.ExpectKnownValue(certAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					attrCheck("ignore_expiration_notifications", knownvalue.Bool(true)),
					backendIgnores(true),
				},
			},
			{
				ResourceName:            certAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"revoke_on_destroy"}, // lives only in Terraform
			},
		},
	})
}

// readCertificateState runs the resource's Read for certificate id from an empty
// state, as an import does.
func readCertificateState(t *testing.T, r *certificateResource, id string) tfsdk.State {
	t.Helper()
	ctx := context.Background()
	var sresp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sresp)
	st := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)}
	if d := st.SetAttribute(ctx, path.Root("id"), id); d.HasError() {
		t.Fatalf("building the state: %v", d)
	}
	resp := fwresource.ReadResponse{State: st}
	r.Read(ctx, fwresource.ReadRequest{State: st}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("reading %s: %v", id, resp.Diagnostics)
	}
	return resp.State
}

// TestAccCertificate_renewalPlanWarnings runs ModifyPlan on refreshed states and
// checks the plan and the warning that gives its reason: a certificate in its window
// is renewed in place, one past its expiry too (not replaced), and one issued for a
// CSR is not renewed, with a warning that says what to do.
func TestAccCertificate_renewalPlanWarnings(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	order := func(name, csr string) string {
		in := wire.OrderRequest{Name: name, Domain: name + ".example.test", Brand: "TrustAsia", CertificateType: "DV",
			ValidationMethod: "DNS_AUTO", ValidityDays: 60, RenewBeforeDays: 20, CSRPEM: csr}
		if csr == "" {
			in.KeyAlgorithm, in.KeySize = "ECC", 256
		}
		c, err := env.client.OrderCertificate(ctx, in)
		if err != nil {
			t.Fatalf("ordering %s: %v", name, err)
		}
		return c.ID
	}
	keyed := order("keyed", "")
	csr := order("csr", certstest.CSRPEM(t, certstest.UniqueKey(t, certstest.ECC), "csr.example.test"))
	r := &certificateResource{client: env.client}

	plan := func(id string) (fwresource.ModifyPlanResponse, certificateResourceModel, certificateResourceModel) {
		t.Helper()
		st := readCertificateState(t, r, id)
		req := fwresource.ModifyPlanRequest{
			Config: tfsdk.Config(st),
			Plan:   tfsdk.Plan(st),
			State:  st,
		}
		resp := fwresource.ModifyPlanResponse{Plan: req.Plan}
		r.ModifyPlan(ctx, req, &resp)
		var planned, state certificateResourceModel
		resp.Diagnostics.Append(resp.Plan.Get(ctx, &planned)...)
		resp.Diagnostics.Append(st.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			t.Fatalf("planning %s: %v", id, resp.Diagnostics)
		}
		return resp, planned, state
	}
	warning := func(resp fwresource.ModifyPlanResponse, summary string, words ...string) {
		t.Helper()
		for _, d := range resp.Diagnostics.Warnings() {
			if d.Summary() != summary {
				continue
			}
			for _, w := range words {
				if !strings.Contains(d.Detail(), w) {
					t.Errorf("warning %q lacks %q: %s", summary, w, d.Detail())
				}
			}
			return
		}
		t.Errorf("no warning %q in %v", summary, resp.Diagnostics)
	}

	// Day 39: the window opens on day 40.
	env.clock.Advance(39 * day)
	resp, planned, state := plan(keyed)
	if state.ReadyForRenewal.ValueBool() || !planned.NotAfter.Equal(state.NotAfter) || len(resp.Diagnostics) != 0 {
		t.Errorf("day 39: ready %v, planned not_after %v, diagnostics %v; want no renewal", state.ReadyForRenewal, planned.NotAfter, resp.Diagnostics)
	}

	env.clock.Advance(6 * day)
	resp, planned, state = plan(keyed)
	windowOpened := func(notAfter string) string {
		at, _ := time.Parse(time.RFC3339, notAfter)
		return at.Add(-20 * day).UTC().Format(time.RFC3339)
	}
	warning(resp, "Certificate Will Be Renewed", keyed, "renewal window opened",
		"not_after ("+state.NotAfter.ValueString()+") minus renew_before_days (20 days) is "+windowOpened(state.NotAfter.ValueString()),
		"in place")
	if !state.ReadyForRenewal.ValueBool() || !planned.NotAfter.IsUnknown() || !planned.Version.IsUnknown() ||
		planned.ReadyForRenewal.IsUnknown() || planned.ReadyForRenewal.ValueBool() || planned.ReissueCount.IsUnknown() ||
		planned.Issuer.IsUnknown() || len(resp.RequiresReplace) != 0 {
		t.Errorf("day 45: want an in-place renewal plan, got ready %v→%v, not_after %v, version %v, reissue_count %v, issuer %v, replace %v",
			state.ReadyForRenewal, planned.ReadyForRenewal, planned.NotAfter, planned.Version, planned.ReissueCount, planned.Issuer, resp.RequiresReplace)
	}

	resp, planned, state = plan(csr)
	warning(resp, "Certificate Not Renewed", csr, "cannot be renewed in place", "own CSR", "renews_certificate_id")
	if !state.ReadyForRenewal.ValueBool() || !planned.NotAfter.Equal(state.NotAfter) || !planned.Version.Equal(state.Version) {
		t.Errorf("csr: want no renewal planned, got not_after %v, version %v", planned.NotAfter, planned.Version)
	}

	// Day 61: expired; renewed in place, not replaced.
	env.clock.Advance(16 * day)
	resp, planned, state = plan(keyed)
	warning(resp, "Certificate Will Be Renewed", keyed, "expired at "+state.NotAfter.ValueString())
	if state.Status.ValueString() != "expired" || len(resp.RequiresReplace) != 0 || !planned.NotAfter.IsUnknown() || !planned.ID.Equal(state.ID) {
		t.Errorf("day 61: want %s (status %v) renewed in place, got replace %v, not_after %v, id %v",
			keyed, state.Status, resp.RequiresReplace, planned.NotAfter, planned.ID)
	}
	for _, d := range resp.Diagnostics.Warnings() {
		if d.Summary() == "Certificate Will Be Replaced" {
			t.Errorf("day 61: the expired certificate is planned for replacement: %s", d.Detail())
		}
	}
}
