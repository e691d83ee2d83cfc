package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/notify"
)

const (
	alarmAddr = "ssl_expiration_alarm.test"
	alarmDay  = 24 * time.Hour
)

// alarmConfigFull sets every argument of an alarm that watches one uploaded certificate.
func alarmConfigFull(name, secret string, leaf *certstest.Leaf, t *testing.T) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "watched" {
  name            = "watched"
  certificate_pem = %[3]q
  private_key_pem = %[4]q
}

resource "ssl_expiration_alarm" "test" {
  name               = %[1]q
  remarks            = "Certificates of the web team"
  project            = "default"
  certificate_ids    = [ssl_certificate_upload.watched.id]
  days_before_expiry = 45
  repeat_interval    = "24h"
  recipients = [
    { name = "Ops", email = "ops@example.test", phone = "+8613800000000" },
    { email = "security@example.test" },
  ]
  channels       = ["EMAIL", "SMS", "WEBHOOK"]
  webhook_url    = "https://hooks.example.test/ssl"
  webhook_secret = %[2]q
  enabled        = true
}
`, name, secret, leaf.FullChainPEM(), leaf.KeyPEM(t, ""))
}

// alarmConfigChanged changes every argument of alarmConfigFull's alarm.
func alarmConfigChanged(leaf *certstest.Leaf, t *testing.T) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "watched" {
  name            = "watched"
  certificate_pem = %[1]q
  private_key_pem = %[2]q
}

resource "ssl_expiration_alarm" "test" {
  name               = "renamed"
  remarks            = "Every certificate of the web project"
  project            = "web"
  days_before_expiry = 20
  repeat_interval    = "once"
  recipients = [
    { name = "On call", phone = "+14155550100" },
  ]
  channels = ["SMS"]
  enabled  = false
}
`, leaf.FullChainPEM(), leaf.KeyPEM(t, ""))
}

// alarmConfigMinimal leaves every optional argument to its default.
func alarmConfigMinimal() string {
	return `
resource "ssl_expiration_alarm" "test" {
  name       = "minimal"
  recipients = [{ email = "ops@example.test" }]
  channels   = ["EMAIL"]
}
`
}

// alarmConfigWith is an alarm whose body lines the caller gives.
func alarmConfigWith(body string) string {
	return fmt.Sprintf(`
resource "ssl_expiration_alarm" "test" {
  name = "invalid"
%[1]s
}
`, body)
}

func alarmAttr(name string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(alarmAddr, tfjsonpath.New(name), check)
}

// alarmSecretStored checks the backend's own view: whether the alarm has a webhook secret.
func (e *testEnv) alarmSecretStored(want bool) statecheck.StateCheck {
	return alarmBackendCheck{env: e, want: want}
}

type alarmBackendCheck struct {
	env  *testEnv
	want bool
}

func (c alarmBackendCheck) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != alarmAddr {
			continue
		}
		a, err := c.env.client.GetAlarm(ctx, fmt.Sprint(r.AttributeValues["id"]))
		if err != nil {
			resp.Error = err
		} else if a.HasWebhookSecret != c.want {
			resp.Error = fmt.Errorf("the backend's alarm has a webhook secret: %t, want %t", a.HasWebhookSecret, c.want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the state", alarmAddr)
}

// alarmStateLacks fails when secret appears anywhere in the state.
func alarmStateLacks(secret string) statecheck.StateCheck {
	return alarmStateLacksCheck{secret: secret}
}

type alarmStateLacksCheck struct{ secret string }

func (c alarmStateLacksCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
	} else if strings.Contains(string(raw), c.secret) {
		resp.Error = fmt.Errorf("the state contains the secret %q", c.secret)
	}
}

// alarmIDInto records the alarm's id for a later step.
func alarmIDInto(id *string) statecheck.StateCheck { return alarmIDCheck{into: id} }

type alarmIDCheck struct{ into *string }

func (c alarmIDCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == alarmAddr {
			*c.into, _ = r.AttributeValues["id"].(string)
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the state", alarmAddr)
}

// evaluateAlarms runs the backend's evaluator once, as `terraform-provider-ssl
// evaluate` does, and checks how many notifications it wrote.
func (e *testEnv) evaluateAlarms(want int) {
	e.t.Helper()
	n, err := e.client.Evaluate(context.Background())
	if err != nil {
		e.t.Fatalf("evaluating the alarms: %v", err)
	}
	if n != want {
		e.t.Errorf("the evaluator wrote %d notifications, want %d", n, want)
	}
}

// webhookReceiver records the webhooks it gets and whether each was signed with secret.
type webhookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	received []bool
}

func newWebhookReceiver(t *testing.T) *webhookReceiver {
	w := &webhookReceiver{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		defer w.mu.Unlock()
		w.received = append(w.received, notify.Verify(body, r.Header.Get(notify.SignatureHeader), w.secret))
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(w.Close)
	return w
}

// deliver expects every pending webhook to reach w signed with secret.
func (w *webhookReceiver) deliver(e *testEnv, secret string, want int) {
	e.t.Helper()
	w.mu.Lock()
	w.secret, w.received = secret, nil
	w.mu.Unlock()
	sent, failed, err := e.backend.Service.Deliver(context.Background(), notify.NewWebhookSender(notify.HTTPOptions{RetryMax: -1}), 0)
	if err != nil || sent != want || failed != 0 {
		e.t.Fatalf("delivering: sent %d, failed %d, err %v; want %d sent", sent, failed, err, want)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.received) != want {
		e.t.Fatalf("the receiver got %d webhooks, want %d", len(w.received), want)
	}
	for i, ok := range w.received {
		if !ok {
			e.t.Errorf("webhook %d is not signed with the configured secret", i)
		}
	}
}

// TestAccExpirationAlarm_basic creates an alarm with every argument, imports it,
// changes every argument in place, and goes back to the defaults (A1–A5).
func TestAccExpirationAlarm_basic(t *testing.T) {
	env := newTestEnv(t)
	leaf := newLeaf(t, "watched.example.test")
	const secret = "webhook-secret-2d9c41"
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(alarmConfigFull("web certificates", secret, leaf, t)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(alarmAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(alarmAddr, tfjsonpath.New("id")),
					alarmAttr("id", knownvalue.StringRegexp(regexp.MustCompile(`^alarm-`))),
					alarmAttr("name", knownvalue.StringExact("web certificates")),
					alarmAttr("remarks", knownvalue.StringExact("Certificates of the web team")),
					alarmAttr("project", knownvalue.StringExact("default")),
					alarmAttr("certificate_ids", knownvalue.SetSizeExact(1)),
					statecheck.CompareValuePairs(alarmAddr, tfjsonpath.New("certificate_ids").AtSliceIndex(0),
						"ssl_certificate_upload.watched", tfjsonpath.New("id"), compare.ValuesSame()),
					alarmAttr("days_before_expiry", knownvalue.Int64Exact(45)),
					alarmAttr("repeat_interval", knownvalue.StringExact("24h")),
					alarmAttr("recipients", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name":  knownvalue.StringExact("Ops"),
							"email": knownvalue.StringExact("ops@example.test"),
							"phone": knownvalue.StringExact("+8613800000000"),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name":  knownvalue.Null(),
							"email": knownvalue.StringExact("security@example.test"),
							"phone": knownvalue.Null(),
						}),
					})),
					alarmAttr("channels", knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("EMAIL"), knownvalue.StringExact("SMS"), knownvalue.StringExact("WEBHOOK"),
					})),
					alarmAttr("webhook_url", knownvalue.StringExact("https://hooks.example.test/ssl")),
					alarmAttr("webhook_secret", knownvalue.StringExact(secret)),
					alarmAttr("webhook_secret_wo", knownvalue.Null()),
					alarmAttr("webhook_secret_wo_version", knownvalue.Null()),
					alarmAttr("enabled", knownvalue.Bool(true)),
					// The certificate is valid for 90 days, outside the 45-day threshold.
					alarmAttr("firing_certificate_ids", knownvalue.SetExact([]knownvalue.Check{})),
					alarmAttr("last_evaluated_at", knownvalue.Null()),
					env.alarmSecretStored(true),
				},
			},
			{
				ResourceName:            alarmAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"webhook_secret"},
			},
			{
				Config: env.config(alarmConfigChanged(leaf, t)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(alarmAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(alarmAddr, tfjsonpath.New("id")),
					alarmAttr("name", knownvalue.StringExact("renamed")),
					alarmAttr("remarks", knownvalue.StringExact("Every certificate of the web project")),
					alarmAttr("project", knownvalue.StringExact("web")),
					alarmAttr("certificate_ids", knownvalue.SetExact([]knownvalue.Check{})),
					alarmAttr("days_before_expiry", knownvalue.Int64Exact(20)),
					alarmAttr("repeat_interval", knownvalue.StringExact("once")),
					alarmAttr("recipients", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name":  knownvalue.StringExact("On call"),
							"email": knownvalue.Null(),
							"phone": knownvalue.StringExact("+14155550100"),
						}),
					})),
					alarmAttr("channels", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("SMS")})),
					alarmAttr("webhook_url", knownvalue.Null()),
					alarmAttr("webhook_secret", knownvalue.Null()),
					alarmAttr("enabled", knownvalue.Bool(false)),
					alarmAttr("firing_certificate_ids", knownvalue.SetExact([]knownvalue.Check{})),
					env.alarmSecretStored(false),
				},
			},
			{
				ResourceName:      alarmAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				Config: env.config(alarmConfigMinimal()),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(alarmAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(alarmAddr, tfjsonpath.New("id")),
					alarmAttr("remarks", knownvalue.StringExact("")),
					alarmAttr("project", knownvalue.StringExact("default")),
					alarmAttr("certificate_ids", knownvalue.SetExact([]knownvalue.Check{})),
					alarmAttr("days_before_expiry", knownvalue.Int64Exact(30)),
					alarmAttr("repeat_interval", knownvalue.StringExact("once")),
					alarmAttr("enabled", knownvalue.Bool(true)),
				},
			},
		},
	})
}

// TestAccExpirationAlarm_disappears removes the alarm outside Terraform: the next
// plan creates it again.
func TestAccExpirationAlarm_disappears(t *testing.T) {
	env := newTestEnv(t)
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:            env.config(alarmConfigMinimal()),
				ConfigStateChecks: []statecheck.StateCheck{alarmIDInto(&id)},
			},
			{
				PreConfig: func() {
					if err := env.client.DeleteAlarm(context.Background(), id); err != nil {
						t.Fatalf("deleting the alarm out of band: %v", err)
					}
				},
				Config: env.config(alarmConfigMinimal()),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(alarmAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// TestAccExpirationAlarm_validation shows every policy rule as a plan-time error
// on its attribute, and a value only known at apply refused by the backend.
func TestAccExpirationAlarm_validation(t *testing.T) {
	env := newTestEnv(t)
	words := func(s string) string { return strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`) }
	for _, tc := range []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"bad email", `
  recipients = [{ email = "ops@example.test" }, { email = "not-an-email" }]
  channels   = ["EMAIL"]`,
			regexp.MustCompile(`(?s)Invalid Email.*recipients\[1\]\.email "not-an-email" is not an email address`)},
		{"bad phone", `
  recipients = [{ phone = "13800000000" }]
  channels   = ["SMS"]`,
			regexp.MustCompile(`(?s)Invalid Phone Number.*` + words(`recipients[0].phone "13800000000" is not an E.164 number`))},
		{"bad url", `
  channels    = ["WEBHOOK"]
  webhook_url = "ftp://hooks.example.test/ssl"`,
			regexp.MustCompile(`(?s)Invalid Webhook URL.*` + words("an http or https URL"))},
		{"webhook without url", `
  channels = ["WEBHOOK"]`,
			regexp.MustCompile(`(?s)Invalid Webhook URL.*` + words("The WEBHOOK channel needs webhook_url"))},
		{"threshold zero", `
  days_before_expiry = 0
  recipients         = [{ email = "ops@example.test" }]
  channels           = ["EMAIL"]`,
			regexp.MustCompile(`(?s)days_before_expiry.*` + words("value must be between 1 and 365, got: 0"))},
		{"threshold too high", `
  days_before_expiry = 366
  recipients         = [{ email = "ops@example.test" }]
  channels           = ["EMAIL"]`,
			regexp.MustCompile(`(?s)days_before_expiry.*` + words("value must be between 1 and 365, got: 366"))},
		{"bad repeat interval", `
  repeat_interval = "daily"
  recipients      = [{ email = "ops@example.test" }]
  channels        = ["EMAIL"]`,
			regexp.MustCompile(`(?s)Invalid Repeat Interval.*` + words(`repeat_interval is "once" or a duration of at least 1m`))},
		{"repeat interval too short", `
  repeat_interval = "30s"
  recipients      = [{ email = "ops@example.test" }]
  channels        = ["EMAIL"]`,
			summary("Invalid Repeat Interval")},
		{"unknown channel", `
  recipients = [{ email = "ops@example.test" }]
  channels   = ["FAX"]`,
			regexp.MustCompile(`(?s)channels.*` + words(`value must be one of: ["EMAIL" "SMS" "WEBHOOK"]`))},
		{"no channel", `
  channels = []`,
			regexp.MustCompile(`(?s)channels.*` + words("set must contain at least 1 elements"))},
		{"sms without phone", `
  recipients = [{ email = "ops@example.test" }]
  channels   = ["EMAIL", "SMS"]`,
			regexp.MustCompile(`(?s)Recipient Missing.*` + words("The SMS channel needs at least one recipient with a phone number"))},
		{"unreachable recipient", `
  recipients = [{ name = "Nobody" }]
  channels   = ["EMAIL"]`,
			regexp.MustCompile(`(?s)Recipient Unreachable.*` + words("recipients[0] has neither an email nor a phone number"))},
		{"secret without url", `
  recipients     = [{ email = "ops@example.test" }]
  channels       = ["EMAIL"]
  webhook_secret = "webhook-secret-2d9c41"`,
			regexp.MustCompile(`(?s)webhook_url.*must be specified`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories,
				Steps: []resource.TestStep{{
					Config:      env.config(alarmConfigWith(tc.body)),
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}

	// An email that is unknown at plan time reaches the backend, which refuses it
	// with the same error on the same attribute.
	t.Run("refused at apply", func(t *testing.T) {
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.factories,
			Steps: []resource.TestStep{{
				Config: env.config(`
resource "terraform_data" "email" {
  input = "ops at example.test"
}
` + alarmConfigWith(`
  recipients = [{ email = terraform_data.email.output }]
  channels   = ["EMAIL"]`)),
				ExpectError: regexp.MustCompile(`(?s)Invalid Email.*recipients\[0\]\.email "ops at example.test"`),
			}},
		})
	})
}

// TestAccExpirationAlarm_writeOnlySecret keeps the webhook secret out of plan and
// state, sends it again only when its version changes, and checks the webhooks
// the backend delivers are signed with the current secret (A5).
func TestAccExpirationAlarm_writeOnlySecret(t *testing.T) {
	env := newTestEnv(t)
	now := env.clock.Now()
	receiver := newWebhookReceiver(t)
	soon := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "wo.example.test", NotBefore: now.Add(-80 * alarmDay), NotAfter: now.Add(10 * alarmDay)})
	const one, two, ignored = "write-only-secret-one-81f2", "write-only-secret-two-c07a", "write-only-secret-three-5be9"
	config := func(secret string, version int) string {
		return env.config(fmt.Sprintf(`
resource "ssl_certificate_upload" "soon" {
  name            = "soon"
  certificate_pem = %[1]q
  private_key_pem = %[2]q
}

resource "ssl_expiration_alarm" "test" {
  name                      = "write-only"
  certificate_ids           = [ssl_certificate_upload.soon.id]
  repeat_interval           = "1h"
  channels                  = ["WEBHOOK"]
  webhook_url               = %[3]q
  webhook_secret_wo         = %[4]q
  webhook_secret_wo_version = %[5]d
}
`, soon.CertPEM, soon.KeyPEM(t, ""), receiver.URL+"/ssl", secret, version))
	}
	fire := func(secret string) func() {
		return func() {
			env.clock.Advance(2 * time.Hour)
			env.evaluateAlarms(1)
			receiver.deliver(env, secret, 1)
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: config(one, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					alarmAttr("webhook_secret_wo", knownvalue.Null()),
					alarmAttr("webhook_secret", knownvalue.Null()),
					alarmAttr("webhook_secret_wo_version", knownvalue.Int64Exact(1)),
					alarmStateLacks(one),
					env.alarmSecretStored(true),
				},
			},
			{
				PreConfig: fire(one),
				Config:    config(two, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(alarmAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					alarmAttr("webhook_secret_wo_version", knownvalue.Int64Exact(2)),
					alarmStateLacks(two),
				},
			},
			{
				// A new value under the same version is not sent.
				PreConfig: fire(two),
				Config:    config(ignored, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: fire(two),
				Config:    config(ignored, 2),
				ConfigStateChecks: []statecheck.StateCheck{
					alarmStateLacks(ignored),
					env.alarmSecretStored(true),
				},
			},
			{
				ResourceName:            alarmAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"webhook_secret_wo_version"},
			},
		},
	})
}

// firingConfig uploads a certificate that expires in 10 days and one valid for
// 90, watched by a project-wide alarm, and lists the alarm's notifications.
func firingConfig(t *testing.T, soon, far *certstest.Leaf, ignoreSoon bool) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "soon" {
  name                            = "soon"
  certificate_pem                 = %[1]q
  private_key_pem                 = %[2]q
  ignore_expiration_notifications = %[5]t
}

resource "ssl_certificate_upload" "far" {
  name            = "far"
  certificate_pem = %[3]q
  private_key_pem = %[4]q
}

resource "ssl_expiration_alarm" "test" {
  name            = "expiring soon"
  repeat_interval = "1h"
  recipients = [
    { name = "Ops", email = "ops@example.test", phone = "+8613800000000" },
  ]
  channels    = ["EMAIL", "SMS", "WEBHOOK"]
  webhook_url = "http://127.0.0.1:9/ssl"

  depends_on = [ssl_certificate_upload.soon, ssl_certificate_upload.far]
}

data "ssl_notifications" "all" {
  policy_id = ssl_expiration_alarm.test.id
}

data "ssl_notifications" "sms" {
  policy_id = ssl_expiration_alarm.test.id
  channel   = "SMS"
}

data "ssl_notifications" "webhook" {
  certificate_id = ssl_certificate_upload.soon.id
  channel        = "WEBHOOK"
  status         = "pending"
}
`, soon.CertPEM, soon.KeyPEM(t, ""), far.CertPEM, far.KeyPEM(t, ""), ignoreSoon)
}

// TestAccExpirationAlarm_firing: a project-wide alarm fires for the certificate
// inside its threshold only; after an evaluation the refresh shows it and the
// outbox lists one notification per recipient and channel. Once the certificate's
// notifications are ignored (N1, allowed 10 days before expiry) it no longer fires.
func TestAccExpirationAlarm_firing(t *testing.T) {
	env := newTestEnv(t)
	now := env.clock.Now()
	soon := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "soon.example.test", NotBefore: now.Add(-80 * alarmDay), NotAfter: now.Add(10 * alarmDay)})
	far := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "far.example.test", NotAfter: now.Add(90 * alarmDay)})
	rfc := func(t time.Time) knownvalue.Check { return knownvalue.StringExact(t.UTC().Format(time.RFC3339)) }
	firesForSoon := []statecheck.StateCheck{
		alarmAttr("firing_certificate_ids", knownvalue.SetSizeExact(1)),
		statecheck.CompareValuePairs(alarmAddr, tfjsonpath.New("firing_certificate_ids").AtSliceIndex(0),
			"ssl_certificate_upload.soon", tfjsonpath.New("id"), compare.ValuesSame()),
	}
	notifications := func(addr string, check knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("notifications"), check)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(firingConfig(t, soon, far, false)),
				ConfigStateChecks: append(firesForSoon,
					alarmAttr("last_evaluated_at", knownvalue.Null()),
					notifications("data.ssl_notifications.all", knownvalue.ListExact([]knownvalue.Check{})),
				),
			},
			{
				PreConfig: func() { env.evaluateAlarms(3) },
				Config:    env.config(firingConfig(t, soon, far, false)),
				ConfigStateChecks: append(firesForSoon,
					alarmAttr("last_evaluated_at", rfc(now)),
					notifications("data.ssl_notifications.all", knownvalue.ListSizeExact(3)),
					notifications("data.ssl_notifications.sms", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":             knownvalue.StringRegexp(regexp.MustCompile(`^ntf-`)),
							"policy_id":      knownvalue.StringRegexp(regexp.MustCompile(`^alarm-`)),
							"certificate_id": knownvalue.NotNull(),
							"not_after":      rfc(soon.Cert.NotAfter),
							"days_left":      knownvalue.Int64Exact(10),
							"recipient": knownvalue.ObjectExact(map[string]knownvalue.Check{
								"name":  knownvalue.StringExact("Ops"),
								"email": knownvalue.StringExact("ops@example.test"),
								"phone": knownvalue.StringExact("+8613800000000"),
							}),
							"channel":    knownvalue.StringExact("SMS"),
							"status":     knownvalue.StringExact("pending"),
							"attempts":   knownvalue.Int64Exact(0),
							"last_error": knownvalue.Null(),
							"created_at": rfc(now),
							"sent_at":    knownvalue.Null(),
						}),
					})),
					statecheck.CompareValuePairs("data.ssl_notifications.sms", tfjsonpath.New("notifications").AtSliceIndex(0).AtMapKey("policy_id"),
						alarmAddr, tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.ssl_notifications.sms", tfjsonpath.New("notifications").AtSliceIndex(0).AtMapKey("certificate_id"),
						"ssl_certificate_upload.soon", tfjsonpath.New("id"), compare.ValuesSame()),
					notifications("data.ssl_notifications.webhook", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"channel": knownvalue.StringExact("WEBHOOK"),
							"recipient": knownvalue.ObjectExact(map[string]knownvalue.Check{
								"name": knownvalue.Null(), "email": knownvalue.Null(), "phone": knownvalue.Null(),
							}),
						}),
					})),
				),
			},
			{
				// N1: the certificate expires within 30 days, so it may be ignored.
				Config: env.config(firingConfig(t, soon, far, true)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("ssl_certificate_upload.soon", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(alarmAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("ssl_certificate_upload.soon", tfjsonpath.New("ignore_expiration_notifications"), knownvalue.Bool(true)),
				},
			},
			{
				// Past the repeat interval the alarm would fire again; ignored, it does not.
				PreConfig: func() {
					env.clock.Advance(2 * time.Hour)
					env.evaluateAlarms(0)
				},
				Config: env.config(firingConfig(t, soon, far, true)),
				ConfigStateChecks: []statecheck.StateCheck{
					alarmAttr("firing_certificate_ids", knownvalue.SetExact([]knownvalue.Check{})),
					alarmAttr("last_evaluated_at", rfc(now.Add(2*time.Hour))),
					notifications("data.ssl_notifications.all", knownvalue.ListSizeExact(3)),
				},
			},
		},
	})
}

func ignoreConfig(t *testing.T, leaf *certstest.Leaf, ignore bool) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "test" {
  name                            = "ignore"
  certificate_pem                 = %[1]q
  private_key_pem                 = %[2]q
  ignore_expiration_notifications = %[3]t
}
`, leaf.CertPEM, leaf.KeyPEM(t, ""), ignore)
}

// TestAccCertificateUpload_ignoreRefusedFarFromExpiry: N1 at plan time — at
// creation, when the ignore turns true, and when it turns true together with a
// rotation (the new certificate's expiry counts). The error gives the date from
// which the certificate can be ignored.
func TestAccCertificateUpload_ignoreRefusedFarFromExpiry(t *testing.T) {
	env := newTestEnv(t)
	now := env.clock.Now()
	far := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "ignore.example.test", NotAfter: now.Add(90 * alarmDay)})
	soon := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "ignore.example.test", NotBefore: now.Add(-80 * alarmDay), NotAfter: now.Add(10 * alarmDay)})
	refused := regexp.MustCompile(`(?s)Certificate Does Not Expire Soon.*expires\s+on\s+` +
		regexp.QuoteMeta(far.Cert.NotAfter.UTC().Format("2006-01-02")) + `,\s+so\s+it\s+can\s+be\s+ignored\s+from\s+` +
		regexp.QuoteMeta(far.Cert.NotAfter.UTC().Add(-30*alarmDay).Format("2006-01-02")))
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:      env.config(ignoreConfig(t, far, true)),
				PlanOnly:    true,
				ExpectError: refused,
			},
			{
				Config: env.config(ignoreConfig(t, far, false)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
				},
			},
			{
				Config:      env.config(ignoreConfig(t, far, true)),
				PlanOnly:    true,
				ExpectError: refused,
			},
			{
				// The rotation brings a certificate that expires in 10 days.
				Config: env.config(ignoreConfig(t, soon, true)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(uploadAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(uploadAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("ignore_expiration_notifications"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
				},
			},
			{
				// Un-ignoring is always allowed.
				Config: env.config(ignoreConfig(t, soon, false)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(uploadAddr, tfjsonpath.New("ignore_expiration_notifications"), knownvalue.Bool(false)),
				},
			},
			{
				// Back to the far certificate while turning the ignore on: refused.
				Config:      env.config(ignoreConfig(t, far, true)),
				PlanOnly:    true,
				ExpectError: refused,
			},
		},
	})
}
