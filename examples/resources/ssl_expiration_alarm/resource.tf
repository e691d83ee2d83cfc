# Notify the web team by email and SMS, and call a webhook, once a certificate of
# the "web" project has 30 days or fewer left; repeat every day until it is
# renewed. The evaluator of `terraform-provider-ssl serve` (or a cron job running
# `terraform-provider-ssl evaluate`) sends the notifications, never a plan.
resource "ssl_expiration_alarm" "web" {
  name               = "web certificates expiring"
  remarks            = "Paged to the web team; the webhook opens a renewal ticket."
  project            = "web"
  days_before_expiry = 30
  repeat_interval    = "24h"

  recipients = [
    { name = "Web team", email = "web-team@example.com" },
    { name = "On call", email = "oncall@example.com", phone = "+8613800000000" },
  ]

  channels       = ["EMAIL", "SMS", "WEBHOOK"]
  webhook_url    = "https://tickets.example.com/hooks/ssl"
  webhook_secret = var.webhook_secret
}

# Watch two certificates only, and keep the webhook secret out of plan and state
# (Terraform 1.11 and later); bump webhook_secret_wo_version to send a new one.
resource "ssl_expiration_alarm" "api" {
  name               = "api certificates"
  certificate_ids    = [ssl_certificate_upload.api.id, ssl_certificate.internal.id]
  days_before_expiry = 14

  channels                  = ["WEBHOOK"]
  webhook_url               = "https://automation.example.com/renew"
  webhook_secret_wo         = var.webhook_secret
  webhook_secret_wo_version = 1
}

variable "webhook_secret" {
  type      = string
  sensitive = true
}

output "firing" {
  value = ssl_expiration_alarm.web.firing_certificate_ids
}
