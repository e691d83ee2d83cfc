# Hosting and renewal: a certificate that renews itself, served by a load
# balancer listener and a CDN domain that follow every renewal.
#
#   cd examples/hosting-renewal && terraform init && terraform apply
#
# What happens:
#
# * ssl_certificate.web is issued by the embedded backend's private TrustAsia CA
#   (DNS_AUTO validation: no DNS record to publish).
# * ssl_resource_hosting.web deploys it to a CLB listener and a CDN domain. The
#   `deployments` output shows which certificate, version and serial number each
#   resource serves.
# * Once fewer than renew_before_days days are left, a refresh sets
#   ready_for_renewal and the plan shows the renewal of ssl_certificate.web as an
#   in-place update: same id, new version, new validity. The apply renews it and
#   the service deploys the new version to both resources (rule H1) — the
#   resources keep serving the old version until the new one is issued, never
#   nothing. The hosting needs no change, so the plan shows none for it; its
#   deployments show the new serial at the next refresh
#   (`terraform apply -refresh-only`, or any later plan).
#   To watch a renewal within a day:
#     terraform apply -var validity_days=40 -var renew_before_days=39
#   (a window of a few days is no good: a certificate due for renewal that
#   expires within 30 days cannot be revoked, rule R4, so destroy would fail.)
# * Changing the domain replaces the certificate. create_before_destroy makes
#   Terraform issue the replacement, move the hosting to it in place, and only
#   then revoke and delete the old one. Without it the old certificate would be
#   destroyed first, and the service refuses that while the hosting binds it
#   (rule D4): the error lists the bound resources.
#
# Your own servers (rule H3): hosting deploys only to the platform resources
# listed in ssl_resource_hosting; nothing is ever installed on machines of your
# own. For those, take the certificate from Terraform — the certificate_pem,
# full_chain_pem and (sensitive) private_key_pem attributes, shown in the outputs
# below — and install it with your usual tooling (a configuration management
# run, a secret store, a file written by the hashicorp/local provider), after
# each renewal as well.

terraform {
  required_version = ">= 1.8"

  required_providers {
    ssl = {
      source = "sslkit/ssl"
    }
  }
}

variable "domain" {
  description = "Domain of the certificate; the listener and the CDN serve it."
  type        = string
  default     = "www.example.test"
}

variable "cdn_domain" {
  description = "CDN domain, a second name of the certificate."
  type        = string
  default     = "cdn.example.test"
}

variable "validity_days" {
  description = "Validity of each version of the certificate, in days."
  type        = number
  default     = 365
}

variable "renew_before_days" {
  description = "How many days before expiry the certificate is renewed."
  type        = number
  default     = 30
}

provider "ssl" {
  data_dir = "${path.module}/.ssl-data"
}

resource "ssl_certificate" "web" {
  name                      = var.domain
  domain                    = var.domain
  subject_alternative_names = [var.cdn_domain]
  brand                     = "TrustAsia"
  certificate_type          = "DV"
  key_algorithm             = "ECC"
  validation_method         = "DNS_AUTO"
  validity_days             = var.validity_days
  renew_before_days         = var.renew_before_days

  # Hosting binds this certificate: a replacement must exist, and the hosting
  # must have moved to it, before the old certificate is revoked (rule D4).
  lifecycle {
    create_before_destroy = true
  }
}

resource "ssl_resource_hosting" "web" {
  certificate_id = ssl_certificate.web.id

  resources = [
    {
      # A CLB listener: load balancer id | listener id | domain it serves.
      type        = "CLB"
      instance_id = "lb-4f7k2m9q|lbl-8d3n6p1x|${var.domain}"
      region      = "ap-guangzhou"
    },
    {
      type        = "CDN"
      instance_id = var.cdn_domain
    },
  ]
}

# The serial number each platform resource serves, by resource.
output "serving_serial" {
  value = {
    for d in ssl_resource_hosting.web.deployments : "${d.type} ${d.instance_id}" => d.serial_number
  }
}

# Version and serial of the certificate; after a renewal, serving_serial shows
# the same serial once the hosting is refreshed.
output "certificate" {
  value = {
    id                = ssl_certificate.web.id
    version           = ssl_certificate.web.version
    serial_number     = ssl_certificate.web.serial_number
    not_after         = ssl_certificate.web.not_after
    ready_for_renewal = ssl_certificate.web.ready_for_renewal
  }
}

# For your own servers (H3): the certificate with its chain, leaf first. The
# private key is sensitive: `terraform output -raw private_key_pem`.
output "full_chain_pem" {
  value = ssl_certificate.web.full_chain_pem
}

output "certificate_pem" {
  value = ssl_certificate.web.certificate_pem
}

output "private_key_pem" {
  value     = ssl_certificate.web.private_key_pem
  sensitive = true
}
