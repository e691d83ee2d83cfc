package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

const hostingAddr = "ssl_resource_hosting.test"

// hostedResource is one element of a hosting's resources.
type hostedResource struct {
	typ, instanceID, region string
}

var (
	clbWWW    = hostedResource{"CLB", "lb-0a1b2c3d|lbl-0a1b2c3d|www.example.test", "ap-guangzhou"}
	cdnCDN    = hostedResource{"CDN", "cdn.example.test", ""}
	wafStatic = hostedResource{"WAF", "static.example.test", "ap-shanghai"}
)

func (r hostedResource) hcl() string {
	region := ""
	if r.region != "" {
		region = fmt.Sprintf(", region = %q", r.region)
	}
	return fmt.Sprintf("    { type = %q, instance_id = %q%s },\n", r.typ, r.instanceID, region)
}

// name is how the service names the resource in its messages.
func (r hostedResource) name() string {
	if r.region == "" {
		return r.typ + " " + r.instanceID
	}
	return fmt.Sprintf("%s %s (%s)", r.typ, r.instanceID, r.region)
}

// hostingConfig renders ssl_resource_hosting.<name> binding certificateRef (an HCL
// expression) to resources.
func hostingConfig(name, certificateRef string, resources ...hostedResource) string {
	var b strings.Builder
	for _, r := range resources {
		b.WriteString(r.hcl())
	}
	return fmt.Sprintf(`
resource "ssl_resource_hosting" %[1]q {
  certificate_id = %[2]s
  resources = [
%[3]s  ]
}
`, name, certificateRef, b.String())
}

// hostingUploadConfig renders ssl_certificate_upload.<name> of leaf, named name,
// with extra lines (a lifecycle block).
func hostingUploadConfig(t *testing.T, name string, leaf *certstest.Leaf, extra string) string {
	t.Helper()
	return fmt.Sprintf(`
resource "ssl_certificate_upload" %[1]q {
  name            = %[1]q
  certificate_pem = %[2]q
  private_key_pem = %[3]q
%[4]s
}
`, name, leaf.FullChainPEM(), leaf.KeyPEM(t, ""), extra)
}

// issuedHostingCertConfig renders an ssl_certificate.<name> issued at once (ECC,
// DNS_AUTO) for domain and sans, with extra lines.
func issuedHostingCertConfig(name, domain string, sans []string, extra string) string {
	quoted := make([]string, len(sans))
	for i, s := range sans {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf(`
resource "ssl_certificate" %[1]q {
  name                      = %[1]q
  domain                    = %[2]q
  subject_alternative_names = [%[3]s]
  brand                     = "TrustAsia"
  certificate_type          = "DV"
  key_algorithm             = "ECC"
  validation_method         = "DNS_AUTO"
%[4]s
}
`, name, domain, strings.Join(quoted, ", "), extra)
}

const lifecycleCreateBeforeDestroy = `
  lifecycle {
    create_before_destroy = true
  }
`

// expectDeployed checks that the hosting at addr has one deployed deployment per
// resource, in the resource's order (type, instance id, region).
func expectDeployed(addr string, resources ...hostedResource) statecheck.StateCheck {
	sorted := append([]hostedResource(nil), resources...)
	sort.Slice(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		return a.typ+"\x00"+a.instanceID+"\x00"+a.region < b.typ+"\x00"+b.instanceID+"\x00"+b.region
	})
	elems := make([]knownvalue.Check, 0, len(sorted))
	for _, r := range sorted {
		var region knownvalue.Check = knownvalue.Null()
		if r.region != "" {
			region = knownvalue.StringExact(r.region)
		}
		elems = append(elems, knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"type":        knownvalue.StringExact(r.typ),
			"instance_id": knownvalue.StringExact(r.instanceID),
			"region":      region,
			"status":      knownvalue.StringExact("deployed"),
			"id":          knownvalue.StringRegexp(regexp.MustCompile(`^dep-`)),
			"started_at":  knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
		}))
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("deployments"), knownvalue.ListExact(elems))
}

// serves checks every deployment of a hosting: the certificate at certificate
// (an address, or a captured id), its serial and version, and what it replaced.
type serves struct {
	hosting     string
	certificate string    // address of the certificate resource; or
	certID      *captured // its id, captured earlier
	serial      string
	// serialOf is the address of a resource whose serial_number is the serial, or
	// serialID a captured serial, when serial is not known in advance.
	serialOf string
	serialID *captured
	version  int
	// replaced is the address of the certificate replaced, or replacedID its
	// captured id; neither: a new binding.
	replaced        string
	replacedID      *captured
	replacedVersion int
}

func (s serves) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	values := hostingStateValues(req)
	h, ok := values[s.hosting]
	if !ok {
		resp.Error = fmt.Errorf("%s is not in the state", s.hosting)
		return
	}
	want := ""
	if s.certID != nil {
		want = s.certID.value
	} else {
		want, _ = values[s.certificate]["id"].(string)
	}
	wantSerial := s.serial
	if s.serialID != nil {
		wantSerial = s.serialID.value
	} else if s.serialOf != "" {
		wantSerial, _ = values[s.serialOf]["serial_number"].(string)
	}
	var wantReplaced any
	if s.replacedID != nil {
		wantReplaced = s.replacedID.value
	} else if s.replaced != "" {
		wantReplaced = values[s.replaced]["id"]
	}
	ds, _ := h["deployments"].([]any)
	if len(ds) == 0 {
		resp.Error = fmt.Errorf("%s has no deployments", s.hosting)
		return
	}
	for i, raw := range ds {
		d, _ := raw.(map[string]any)
		var problems []string
		if d["certificate_id"] != want {
			problems = append(problems, fmt.Sprintf("certificate_id %v, want %v", d["certificate_id"], want))
		}
		if d["serial_number"] != wantSerial || wantSerial == "" {
			problems = append(problems, fmt.Sprintf("serial_number %v, want %v", d["serial_number"], wantSerial))
		}
		if fmt.Sprint(d["version"]) != fmt.Sprint(s.version) {
			problems = append(problems, fmt.Sprintf("version %v, want %d", d["version"], s.version))
		}
		if d["replaced_certificate_id"] != wantReplaced {
			problems = append(problems, fmt.Sprintf("replaced_certificate_id %v, want %v", d["replaced_certificate_id"], wantReplaced))
		}
		wantReplacedVersion := "<nil>"
		if s.replacedVersion != 0 {
			wantReplacedVersion = fmt.Sprint(s.replacedVersion)
		}
		if fmt.Sprint(d["replaced_version"]) != wantReplacedVersion {
			problems = append(problems, fmt.Sprintf("replaced_version %v, want %v", d["replaced_version"], wantReplacedVersion))
		}
		if len(problems) > 0 {
			resp.Error = fmt.Errorf("%s deployments[%d] (%v %v): %s", s.hosting, i, d["type"], d["instance_id"], strings.Join(problems, "; "))
			return
		}
	}
}

// hostingStateValues returns the attribute values of the state's resources and data
// sources by address.
func hostingStateValues(req statecheck.CheckStateRequest) map[string]map[string]any {
	out := map[string]map[string]any{}
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		return out
	}
	for _, r := range req.State.Values.RootModule.Resources {
		out[r.Address] = r.AttributeValues
	}
	return out
}

// captureValue records the value of attr of the resource at addr.
type captureValue struct {
	addr, attr string
	into       *captured
}

func (c captureValue) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	v, ok := hostingStateValues(req)[c.addr]
	if !ok {
		resp.Error = fmt.Errorf("%s is not in the state", c.addr)
		return
	}
	c.into.value, _ = v[c.attr].(string)
}

// hostingBackendCheck runs a check against the backend as a state check.
type hostingBackendCheck func() error

func (c hostingBackendCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c()
}

// sameCertificateID compares attribute attr of the hosting with the id of the resource at
// certificate.
func sameCertificateID(hosting, attr, certificate string) statecheck.StateCheck {
	return statecheck.CompareValuePairs(hosting, tfjsonpath.New(attr), certificate, tfjsonpath.New("id"), compare.ValuesSame())
}

// stateResourceID returns a function giving the id of the resource at addr, for
// ImportStateIdFunc.
func stateResourceID(addr string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		r, ok := s.RootModule().Resources[addr]
		if !ok {
			return "", fmt.Errorf("%s is not in the state", addr)
		}
		return r.Primary.ID, nil
	}
}

// diagnosticWords matches the words of each part in order in Terraform's output, whose
// lines wrap between words and carry a box-drawing prefix.
func diagnosticWords(parts ...string) *regexp.Regexp {
	res := make([]string, len(parts))
	for i, p := range parts {
		res[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `[\s│]+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(res, `.*`))
}

// hostingGone fails unless the hosting and each certificate no longer exist.
func (e *testEnv) hostingGone(hosting string, certificates ...string) error {
	if hosting != "" {
		if _, err := e.client.GetHosting(context.Background(), hosting); !client.IsNotFound(err) {
			return fmt.Errorf("hosting %s still exists in the backend (err %v)", hosting, err)
		}
	}
	for _, id := range certificates {
		if _, err := e.client.GetCertificate(context.Background(), id); !client.IsNotFound(err) {
			return fmt.Errorf("certificate %s still exists in the backend (err %v)", id, err)
		}
	}
	return nil
}

// checkDestroyed is a CheckDestroy: the hosting at hosting and the certificates at
// certificates (addresses) are gone from the backend.
func (e *testEnv) checkDestroyed(hosting string, certificates ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := func(addr string) string {
			if r, ok := s.RootModule().Resources[addr]; ok {
				return r.Primary.ID
			}
			return ""
		}
		var certIDs []string
		for _, c := range certificates {
			if v := id(c); v != "" {
				certIDs = append(certIDs, v)
			}
		}
		return e.hostingGone(id(hosting), certIDs...)
	}
}

// hostingRequest is a request binding certificateID to resources, for hostings made
// outside Terraform.
func hostingRequest(certificateID string, resources ...hostedResource) wire.HostingRequest {
	in := wire.HostingRequest{CertificateID: certificateID}
	for _, r := range resources {
		in.Resources = append(in.Resources, wire.PlatformResource{Type: r.typ, InstanceID: r.instanceID, Region: r.region})
	}
	return in
}

func leafSerial(leaf *certstest.Leaf) string { return certs.SerialHex(leaf.Cert.SerialNumber) }

// TestAccResourceHosting_basic binds an uploaded certificate to a CLB listener and a
// CDN domain, adds and removes resources in place, imports the hosting by its id and
// by the certificate's id (the same configuration then plans no changes), and
// destroys certificate and hosting together.
func TestAccResourceHosting_basic(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "www.example.test", "cdn.example.test", "static.example.test")
	upload := hostingUploadConfig(t, "a", leaf, "")
	const certAddrA = "ssl_certificate_upload.a"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	config := func(rs ...hostedResource) string {
		return env.config(upload + hostingConfig("test", certAddrA+".id", rs...))
	}
	servesA := serves{hosting: hostingAddr, certificate: certAddrA, serial: leafSerial(leaf), version: 1}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, certAddrA),
		Steps: []resource.TestStep{
			{
				Config: config(clbWWW, cdnCDN),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectUnknownValue(hostingAddr, tfjsonpath.New("deployments")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(hostingAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^host-`))),
					statecheck.ExpectKnownValue(hostingAddr, tfjsonpath.New("project"), knownvalue.StringExact("default")),
					sameCertificateID(hostingAddr, "certificate_id", certAddrA),
					sameCertificateID(hostingAddr, "current_certificate_id", certAddrA),
					sameID.AddStateValue(hostingAddr, tfjsonpath.New("id")),
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					servesA,
				},
			},
			{
				Config: config(clbWWW, cdnCDN, wafStatic),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(certAddrA, plancheck.ResourceActionNoop),
						plancheck.ExpectKnownValue(hostingAddr, tfjsonpath.New("current_certificate_id"), knownvalue.StringRegexp(regexp.MustCompile(`^cert-`))),
						plancheck.ExpectUnknownValue(hostingAddr, tfjsonpath.New("deployments")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(hostingAddr, tfjsonpath.New("id")),
					expectDeployed(hostingAddr, clbWWW, cdnCDN, wafStatic),
					servesA,
				},
			},
			{
				Config: config(cdnCDN, wafStatic),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(hostingAddr, tfjsonpath.New("id")),
					expectDeployed(hostingAddr, cdnCDN, wafStatic),
					servesA,
				},
			},
			{
				ResourceName:      hostingAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:      hostingAddr,
				ImportState:       true,
				ImportStateIdFunc: stateResourceID(certAddrA),
				ImportStateVerify: true,
			},
			{
				ResourceName:      hostingAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: stateResourceID(certAddrA),
			},
			{
				ResourceName:    hostingAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

// TestAccResourceHosting_importPlansNoChanges imports a hosting made outside
// Terraform by the id of its certificate: the same configuration plans no changes.
func TestAccResourceHosting_importPlansNoChanges(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "www.example.test", "cdn.example.test")
	config := env.config(hostingUploadConfig(t, "a", leaf, "") + hostingConfig("test", "ssl_certificate_upload.a.id", clbWWW, cdnCDN))
	var certID captured

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, "ssl_certificate_upload.a"),
		Steps: []resource.TestStep{
			{
				Config: env.config(hostingUploadConfig(t, "a", leaf, "")),
				ConfigStateChecks: []statecheck.StateCheck{
					captureValue{"ssl_certificate_upload.a", "id", &certID},
				},
			},
			{
				PreConfig: func() {
					_, err := env.client.CreateHosting(context.Background(), hostingRequest(certID.value, clbWWW, cdnCDN))
					if err != nil {
						t.Fatalf("creating the hosting: %v", err)
					}
				},
				Config:             config,
				ResourceName:       hostingAddr,
				ImportState:        true,
				ImportStateIdFunc:  stateResourceID("ssl_certificate_upload.a"),
				ImportStatePersist: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(hostingAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^host-`))),
					sameCertificateID(hostingAddr, "certificate_id", "ssl_certificate_upload.a"),
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					serves{hosting: hostingAddr, certificate: "ssl_certificate_upload.a", serial: leafSerial(leaf), version: 1},
				},
			},
		},
	})
}

// TestAccResourceHosting_move moves the resources to another certificate in place:
// the deployments name the certificate they replaced, and the old certificate,
// no longer bound, can then be deleted.
func TestAccResourceHosting_move(t *testing.T) {
	env := newTestEnv(t)
	leafA := newLeaf(t, "www.example.test", "cdn.example.test")
	leafB := newLeaf(t, "www.example.test", "cdn.example.test")
	uploadA, uploadB := hostingUploadConfig(t, "a", leafA, ""), hostingUploadConfig(t, "b", leafB, "")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var idA captured

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, "ssl_certificate_upload.b"),
		Steps: []resource.TestStep{
			{
				Config: env.config(uploadA + uploadB + hostingConfig("test", "ssl_certificate_upload.a.id", clbWWW, cdnCDN)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(hostingAddr, tfjsonpath.New("id")),
					captureValue{"ssl_certificate_upload.a", "id", &idA},
					serves{hosting: hostingAddr, certificate: "ssl_certificate_upload.a", serial: leafSerial(leafA), version: 1},
				},
			},
			{
				Config: env.config(uploadA + uploadB + hostingConfig("test", "ssl_certificate_upload.b.id", clbWWW, cdnCDN)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(hostingAddr, tfjsonpath.New("current_certificate_id"), knownvalue.StringRegexp(regexp.MustCompile(`^cert-`))),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(hostingAddr, tfjsonpath.New("id")),
					sameCertificateID(hostingAddr, "certificate_id", "ssl_certificate_upload.b"),
					sameCertificateID(hostingAddr, "current_certificate_id", "ssl_certificate_upload.b"),
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					serves{hosting: hostingAddr, certificate: "ssl_certificate_upload.b", serial: leafSerial(leafB), version: 1,
						replaced: "ssl_certificate_upload.a", replacedVersion: 1},
				},
			},
			// A is no longer bound: deleting it is no interruption (D4).
			{
				Config: env.config(uploadB + hostingConfig("test", "ssl_certificate_upload.b.id", clbWWW, cdnCDN)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("ssl_certificate_upload.a", plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					hostingBackendCheck(func() error { return env.hostingGone("", idA.value) }),
				},
			},
		},
	})
}

// TestAccResourceHosting_errors covers the refusals: plan-time (type, empty set,
// empty region) and the service's (instance id, region, coverage, unknown
// certificate, a resource bound by another hosting), at creation and at update.
func TestAccResourceHosting_errors(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "www.example.test", "cdn.example.test")
	upload := hostingUploadConfig(t, "a", leaf, "")
	one := func(rs ...hostedResource) string {
		return env.config(upload + hostingConfig("test", "ssl_certificate_upload.a.id", rs...))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, "ssl_certificate_upload.a"),
		Steps: []resource.TestStep{
			{
				Config:      one(hostedResource{"ELB", "www.example.test", ""}),
				ExpectError: diagnosticWords("value must be one of"),
			},
			{
				Config:      one(),
				ExpectError: diagnosticWords("resources set must contain at least 1 elements"),
			},
			{
				Config:      strings.Replace(one(clbWWW), `region = "ap-guangzhou"`, `region = ""`, 1),
				ExpectError: diagnosticWords("string length must be at least 1"),
			},
			{
				Config:      one(hostedResource{"CLB", "lb-123|lbl-0a1b2c3d|www.example.test", "ap-guangzhou"}),
				ExpectError: diagnosticWords("Invalid Instance ID", "lb-xxxxxxxx|lbl-xxxxxxxx|domain"),
			},
			{
				Config:      one(hostedResource{"CLB", clbWWW.instanceID, ""}),
				ExpectError: diagnosticWords("Region Required"),
			},
			{
				Config:      one(hostedResource{"CDN", "cdn.example.test", "ap-guangzhou"}),
				ExpectError: diagnosticWords("Region Not Used"),
			},
			{
				Config:      one(hostedResource{"CDN", "shop.example.org", ""}),
				ExpectError: diagnosticWords("Certificate Does Not Cover Resource", "shop.example.org"),
			},
			{
				Config:      env.config(upload + hostingConfig("test", `"cert-doesnotexist0"`, cdnCDN)),
				ExpectError: diagnosticWords("Certificate Not Found", "cert-doesnotexist0"),
			},
			{
				Config:            one(cdnCDN),
				ConfigStateChecks: []statecheck.StateCheck{expectDeployed(hostingAddr, cdnCDN)},
			},
			{
				Config:      one(cdnCDN) + hostingConfig("other", "ssl_certificate_upload.a.id", cdnCDN),
				ExpectError: diagnosticWords("Resource Already Hosted"),
			},
			// A refused update keeps the hosting as it was.
			{
				Config:      one(cdnCDN, hostedResource{"CLB", clbWWW.instanceID, ""}),
				ExpectError: diagnosticWords("Region Required"),
			},
			{
				Config: one(cdnCDN),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectDeployed(hostingAddr, cdnCDN)},
			},
		},
	})
}

// TestAccResourceHosting_passwordProtected refuses a certificate whose key has a
// password (rule I6).
func TestAccResourceHosting_passwordProtected(t *testing.T) {
	env := newTestEnv(t)
	cert := issuedHostingCertConfig("locked", "www.example.test", []string{"cdn.example.test"}, `
  private_key_password = "correct horse battery staple"
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:      env.config(cert + hostingConfig("test", "ssl_certificate.locked.id", cdnCDN)),
				ExpectError: diagnosticWords("Certificate Cannot Be Deployed", "private key password", "rule I6"),
			},
		},
	})
}

// TestAccResourceHosting_deleteBoundCertificate removes only the certificate from
// the configuration: the delete is refused with the bound resources and the
// create_before_destroy advice (D4), and the certificate still exists. A normal
// destroy of certificate and hosting together then works.
func TestAccResourceHosting_deleteBoundCertificate(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "www.example.test", "cdn.example.test")
	upload := hostingUploadConfig(t, "bound", leaf, "")
	full := env.config(upload + hostingConfig("test", "ssl_certificate_upload.bound.id", clbWWW, cdnCDN))
	var id, hostingID captured

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, "ssl_certificate_upload.bound"),
		Steps: []resource.TestStep{
			{
				Config: full,
				ConfigStateChecks: []statecheck.StateCheck{
					captureValue{"ssl_certificate_upload.bound", "id", &id},
				},
			},
			{
				Config: env.config(`
data "ssl_certificate" "bound" {
  name = "bound"
}
` + hostingConfig("test", "data.ssl_certificate.bound.id", clbWWW, cdnCDN)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("ssl_certificate_upload.bound", plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
					},
				},
				ExpectError: diagnosticWords("Certificate Is Deployed", cdnCDN.name(), clbWWW.name(), "rule D4",
					"lifecycle { create_before_destroy = true }"),
			},
			{
				PreConfig: func() {
					if _, err := env.client.GetCertificate(context.Background(), id.value); err != nil {
						t.Fatalf("the bound certificate %s is gone after the refused delete: %v", id.value, err)
					}
				},
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					serves{hosting: hostingAddr, certificate: "ssl_certificate_upload.bound", serial: leafSerial(leaf), version: 1},
					captureValue{hostingAddr, "id", &hostingID},
				},
			},
			// Removing both: Terraform destroys the hosting first, then the certificate.
			{
				Config: env.config("# the certificate and its hosting are removed together\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("ssl_certificate_upload.bound", plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionDestroy),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					hostingBackendCheck(func() error { return env.hostingGone(hostingID.value, id.value) }),
				},
			},
		},
	})
}

// TestAccResourceHosting_replaceBoundUpload replaces a bound upload that has
// create_before_destroy (its domain changes, which replace_triggered_by turns into a
// replacement): the new certificate is created, the hosting moves to it in place,
// then the old one is deleted.
func TestAccResourceHosting_replaceBoundUpload(t *testing.T) {
	env := newTestEnv(t)
	oldLeaf := newLeaf(t, "old.example.test", "cdn.example.test", "www.example.test")
	newLeaf := newLeaf(t, "new.example.test", "cdn.example.test", "www.example.test")
	const addr = "ssl_certificate_upload.a"
	config := func(domain string, leaf *certstest.Leaf) string {
		return env.config(fmt.Sprintf(`
resource "terraform_data" "domain" {
  input = %[1]q
}
`, domain) + hostingUploadConfig(t, "a", leaf, `
  lifecycle {
    create_before_destroy = true
    replace_triggered_by  = [terraform_data.domain]
  }
`) + hostingConfig("test", addr+".id", clbWWW, cdnCDN))
	}
	var oldID captured
	sameHosting := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, addr),
		Steps: []resource.TestStep{
			{
				Config: config("old.example.test", oldLeaf),
				ConfigStateChecks: []statecheck.StateCheck{
					captureValue{addr, "id", &oldID},
					sameHosting.AddStateValue(hostingAddr, tfjsonpath.New("id")),
				},
			},
			{
				Config: config("new.example.test", newLeaf),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameHosting.AddStateValue(hostingAddr, tfjsonpath.New("id")),
					sameCertificateID(hostingAddr, "certificate_id", addr),
					sameCertificateID(hostingAddr, "current_certificate_id", addr),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("domain"), knownvalue.StringExact("new.example.test")),
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					serves{hosting: hostingAddr, certificate: addr, serial: leafSerial(newLeaf), version: 1,
						replacedID: &oldID, replacedVersion: 1},
					hostingBackendCheck(func() error { return env.hostingGone("", oldID.value) }),
				},
			},
		},
	})
}

// TestAccResourceHosting_replaceBoundCertificate changes the domain of a bound
// ssl_certificate with create_before_destroy: the replacement is issued, the
// hosting moves to it, and the old certificate is revoked and deleted.
func TestAccResourceHosting_replaceBoundCertificate(t *testing.T) {
	env := newTestEnv(t)
	const addr = "ssl_certificate.web"
	config := func(domain string) string {
		return env.config(issuedHostingCertConfig("web", domain, []string{"cdn.example.test"}, lifecycleCreateBeforeDestroy) +
			hostingConfig("test", addr+".id", cdnCDN))
	}
	var oldID captured
	sameHosting := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, addr),
		Steps: []resource.TestStep{
			{
				Config: config("a.example.test"),
				ConfigStateChecks: []statecheck.StateCheck{
					captureValue{addr, "id", &oldID},
					sameHosting.AddStateValue(hostingAddr, tfjsonpath.New("id")),
					sameCertificateID(hostingAddr, "current_certificate_id", addr),
				},
			},
			{
				Config: config("b.example.test"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameHosting.AddStateValue(hostingAddr, tfjsonpath.New("id")),
					sameCertificateID(hostingAddr, "certificate_id", addr),
					sameCertificateID(hostingAddr, "current_certificate_id", addr),
					statecheck.CompareValuePairs(hostingAddr, tfjsonpath.New("deployments").AtSliceIndex(0).AtMapKey("serial_number"),
						addr, tfjsonpath.New("serial_number"), compare.ValuesSame()),
					hostingBackendCheck(func() error { return env.hostingGone("", oldID.value) }),
				},
			},
		},
	})
}

// TestAccResourceHosting_rotation is H1 through an upload rotation: the new version
// is deployed to the bound resources by the service; the hosting shows it after a
// refresh, without any planned change.
func TestAccResourceHosting_rotation(t *testing.T) {
	env := newTestEnv(t)
	first := newLeaf(t, "www.example.test", "cdn.example.test")
	second := newLeaf(t, "www.example.test", "cdn.example.test")
	const addr = "ssl_certificate_upload.a"
	config := func(leaf *certstest.Leaf) string {
		return env.config(hostingUploadConfig(t, "a", leaf, lifecycleCreateBeforeDestroy) + hostingConfig("test", addr+".id", clbWWW, cdnCDN))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, addr),
		Steps: []resource.TestStep{
			{
				Config: config(first),
				ConfigStateChecks: []statecheck.StateCheck{
					serves{hosting: hostingAddr, certificate: addr, serial: leafSerial(first), version: 1},
				},
			},
			{
				Config: config(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
				},
			},
			{
				Config: config(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					serves{hosting: hostingAddr, certificate: addr, serial: leafSerial(second), version: 2,
						replaced: addr, replacedVersion: 1},
				},
			},
		},
	})
}

// TestAccResourceHosting_renewedOutsideTerraform renews a bound certificate in the
// service (H1): the refresh shows the renewed version deployed, and the hosting
// plans no change.
func TestAccResourceHosting_renewedOutsideTerraform(t *testing.T) {
	env := newTestEnv(t)
	const addr = "ssl_certificate.web"
	config := env.config(issuedHostingCertConfig("web", "www.example.test", []string{"cdn.example.test"}, lifecycleCreateBeforeDestroy) +
		hostingConfig("test", addr+".id", clbWWW, cdnCDN))
	var id, renewedSerial captured

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, addr),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					captureValue{addr, "id", &id},
					statecheck.CompareValuePairs(hostingAddr, tfjsonpath.New("deployments").AtSliceIndex(0).AtMapKey("serial_number"),
						addr, tfjsonpath.New("serial_number"), compare.ValuesSame()),
				},
			},
			{
				PreConfig: func() {
					env.clock.Advance(24 * time.Hour)
					c, err := env.client.RenewCertificate(context.Background(), id.value)
					if err != nil {
						t.Fatalf("renewing %s: %v", id.value, err)
					}
					renewedSerial.value = c.SerialNumber
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					serves{hosting: hostingAddr, certificate: addr, serialID: &renewedSerial, version: 2, replaced: addr, replacedVersion: 1},
				},
			},
		},
	})
}

// TestAccResourceHosting_takenOverByRenewal: a new certificate that renews the bound
// one with the same domain type, certificate type and brand takes the resources
// over (H2). The hosting shows it as current_certificate_id, keeps certificate_id
// without a planned change, and a later change of resources keeps them on the
// successor.
func TestAccResourceHosting_takenOverByRenewal(t *testing.T) {
	env := newTestEnv(t)
	old := issuedHostingCertConfig("old", "www.example.test", []string{"cdn.example.test"}, lifecycleCreateBeforeDestroy)
	successor := issuedHostingCertConfig("new", "www.example.test", []string{"cdn.example.test"}, `
  renews_certificate_id = ssl_certificate.old.id
`)
	hosting := func(rs ...hostedResource) string { return hostingConfig("test", "ssl_certificate.old.id", rs...) }

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkDestroyed(hostingAddr, "ssl_certificate.new"),
		Steps: []resource.TestStep{
			{
				Config: env.config(old + hosting(cdnCDN)),
			},
			{
				Config: env.config(old + successor + hosting(cdnCDN)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
					},
				},
			},
			{
				Config: env.config(old + successor + hosting(cdnCDN)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameCertificateID(hostingAddr, "certificate_id", "ssl_certificate.old"),
					sameCertificateID(hostingAddr, "current_certificate_id", "ssl_certificate.new"),
					serves{hosting: hostingAddr, certificate: "ssl_certificate.new", serialOf: "ssl_certificate.new", version: 1,
						replaced: "ssl_certificate.old", replacedVersion: 1},
				},
			},
			{
				Config: env.config(old + successor + hosting(cdnCDN, clbWWW)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameCertificateID(hostingAddr, "certificate_id", "ssl_certificate.old"),
					sameCertificateID(hostingAddr, "current_certificate_id", "ssl_certificate.new"),
					expectDeployed(hostingAddr, clbWWW, cdnCDN),
					statecheck.CompareValuePairs(hostingAddr, tfjsonpath.New("deployments").AtSliceIndex(0).AtMapKey("certificate_id"),
						"ssl_certificate.new", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(hostingAddr, tfjsonpath.New("deployments").AtSliceIndex(1).AtMapKey("certificate_id"),
						"ssl_certificate.new", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			// Naming the successor in the configuration is then no move at all.
			{
				Config: env.config(old + successor + hostingConfig("test", "ssl_certificate.new.id", cdnCDN, clbWWW)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(hostingAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameCertificateID(hostingAddr, "certificate_id", "ssl_certificate.new"),
					sameCertificateID(hostingAddr, "current_certificate_id", "ssl_certificate.new"),
				},
			},
		},
	})
}
