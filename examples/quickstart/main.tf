# Quickstart: issue a certificate from the bundled CA, deploy it to platform
# resources, host a third-party certificate next to it, and read the inventory back.
#
#   go run ./tools/gencert -out examples/quickstart/.generated -domain demo.internal
#   cd examples/quickstart && terraform init && terraform apply
#
# gencert writes .generated/cert.pem (leaf + demo CA) and .generated/key.pem.

terraform {
  required_version = ">= 1.8"

  required_providers {
    ssl = {
      source = "sslkit/ssl"
    }
  }
}

variable "domain" {
  description = "Domain of the generated certificate."
  type        = string
  default     = "demo.internal"
}

provider "ssl" {
  data_dir = "${path.module}/.ssl-data"
}

resource "ssl_certificate_upload" "demo" {
  name            = "quickstart ${var.domain}"
  certificate_pem = file("${path.module}/.generated/cert.pem")
  private_key_pem = file("${path.module}/.generated/key.pem")

  tags = {
    example = "quickstart"
  }
}

# A certificate issued by the bundled private CA (TrustAsia-named, ECC). DNS_AUTO
# validation and the embedded backend's automatic review issue it at once.
resource "ssl_certificate" "api" {
  name              = "quickstart api.${var.domain}"
  domain            = "api.${var.domain}"
  brand             = "TrustAsia"
  certificate_type  = "DV"
  key_algorithm     = "ECC"
  validation_method = "DNS_AUTO"
  renew_before_days = 30

  # Hosting binds this certificate: a replacement must exist before the old one is
  # revoked (rule D4).
  lifecycle {
    create_before_destroy = true
  }
}

# Resource hosting: the backend deploys the certificate (and every renewal of it) to
# these platform resources. Nothing is installed on your own servers (rule H3).
resource "ssl_resource_hosting" "api" {
  certificate_id = ssl_certificate.api.id
  resources = [
    { type = "CDN", instance_id = "api.${var.domain}" },
    { type = "CLB", instance_id = "lb-a1b2c3d4|lbl-e5f6a7b8|api.${var.domain}", region = "ap-guangzhou" },
  ]
}

data "ssl_certificates" "demo" {
  domain = var.domain
  tags   = ssl_certificate_upload.demo.tags

  depends_on = [ssl_certificate_upload.demo]
}

locals {
  found = one([for c in data.ssl_certificates.demo.certificates : c if c.id == ssl_certificate_upload.demo.id])
}

output "id" {
  value = local.found.id
}

output "serial_number" {
  value = local.found.serial_number
}

output "not_after" {
  value = local.found.not_after
}

output "chain_complete" {
  value = local.found.chain_complete
}

output "certificate_info" {
  value = provider::ssl::certificate_info(ssl_certificate_upload.demo.certificate_pem)
}

output "issued_serial_number" {
  value = ssl_certificate.api.serial_number
}

output "issued_not_after" {
  value = ssl_certificate.api.not_after
}

output "deployed_to" {
  value = [for d in ssl_resource_hosting.api.deployments : "${d.type} ${d.instance_id}: ${d.status} (serial ${d.serial_number})"]
}
