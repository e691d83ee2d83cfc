# Quickstart: host a certificate in the embedded backend and read it back.
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
