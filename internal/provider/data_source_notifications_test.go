package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
)

// notificationsConfig has two alarms on one certificate that expires in 5 days and
// data sources that filter their outbox each way.
func notificationsConfig(t *testing.T, leaf *certstest.Leaf) string {
	return fmt.Sprintf(`
resource "ssl_certificate_upload" "soon" {
  name            = "soon"
  certificate_pem = %[1]q
  private_key_pem = %[2]q
}

resource "ssl_expiration_alarm" "mail" {
  name            = "mail"
  certificate_ids = [ssl_certificate_upload.soon.id]
  recipients = [
    { email = "a@example.test" },
    { email = "b@example.test", phone = "+8613800000001" },
  ]
  channels = ["EMAIL"]
}

resource "ssl_expiration_alarm" "sms" {
  name            = "sms"
  certificate_ids = [ssl_certificate_upload.soon.id]
  recipients      = [{ phone = "+8613800000002" }]
  channels        = ["SMS"]
}

data "ssl_notifications" "all" {
  depends_on = [ssl_expiration_alarm.mail, ssl_expiration_alarm.sms]
}

data "ssl_notifications" "mail" {
  policy_id = ssl_expiration_alarm.mail.id
}

data "ssl_notifications" "certificate" {
  certificate_id = ssl_certificate_upload.soon.id
}

data "ssl_notifications" "sms" {
  channel = "SMS"

  depends_on = [ssl_expiration_alarm.sms]
}

data "ssl_notifications" "sent" {
  status = "sent"

  depends_on = [ssl_expiration_alarm.mail]
}
`, leaf.CertPEM, leaf.KeyPEM(t, ""))
}

func TestAccNotificationsDataSource(t *testing.T) {
	env := newTestEnv(t)
	now := env.clock.Now()
	leaf := certstest.SelfSigned(t, certstest.LeafOptions{CommonName: "outbox.example.test", NotBefore: now.Add(-80 * alarmDay), NotAfter: now.Add(5 * alarmDay)})
	count := func(addr string, n int) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.ssl_notifications."+addr, tfjsonpath.New("notifications"), knownvalue.ListSizeExact(n))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "ssl_notifications" "bad" {
  channel = "PIGEON"
}
`),
				ExpectError: regexp.MustCompile(`(?s)channel.*value must be one of`),
			},
			{
				Config: env.config(`
data "ssl_notifications" "bad" {
  status = "delivered"
}
`),
				ExpectError: regexp.MustCompile(`(?s)status.*value must be one of`),
			},
			{
				Config: env.config(notificationsConfig(t, leaf)),
				ConfigStateChecks: []statecheck.StateCheck{
					count("all", 0), count("mail", 0), count("certificate", 0), count("sms", 0), count("sent", 0),
				},
			},
			{
				PreConfig: func() { env.evaluateAlarms(3) },
				Config:    env.config(notificationsConfig(t, leaf)),
				ConfigStateChecks: []statecheck.StateCheck{
					count("all", 3), count("mail", 2), count("certificate", 3), count("sms", 1), count("sent", 0),
					statecheck.ExpectKnownValue("data.ssl_notifications.sms", tfjsonpath.New("notifications"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"channel":   knownvalue.StringExact("SMS"),
							"days_left": knownvalue.Int64Exact(5),
							"recipient": knownvalue.ObjectExact(map[string]knownvalue.Check{
								"name": knownvalue.Null(), "email": knownvalue.Null(), "phone": knownvalue.StringExact("+8613800000002"),
							}),
							"not_after": knownvalue.StringExact(leaf.Cert.NotAfter.UTC().Format(time.RFC3339)),
						}),
					})),
				},
			},
		},
	})
}
