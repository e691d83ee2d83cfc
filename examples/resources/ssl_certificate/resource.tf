# A TrustAsia DV certificate with an ECC key, issued by the backend's private
# TrustAsia CA. With DNS_AUTO (or the backend's validation = "auto") it is issued
# during apply; with DNS or FILE, publish validation_records and add an
# ssl_certificate_validation resource to wait for it.
resource "ssl_certificate" "www" {
  name                      = "www.example.com"
  domain                    = "www.example.com"
  subject_alternative_names = ["example.com"]
  brand                     = "TrustAsia"
  certificate_type          = "DV"
  key_algorithm             = "ECC"
  key_size                  = 256
  validation_method         = "DNS_AUTO"
  renew_before_days         = 30

  tags = {
    team = "platform"
  }

  # Changing key_algorithm or key_size reissues in place (same id, same not_after);
  # the superseded certificate is revoked with reason "superseded". Resource
  # hosting may bind this certificate: have a replacement ready before it is
  # revoked and deleted (rule D4).
  lifecycle {
    create_before_destroy = true
  }
}

# An OV certificate names the organisation. Revoking it on destroy needs a signed
# confirmation letter (JPG, PNG or PDF, at most 1.4 MB, rule R7), checked at plan
# time. The key is encrypted with a password kept out of plan and state
# (Terraform 1.11 and later); bump the version to reissue with a new password.
resource "ssl_certificate" "shop" {
  name             = "shop.example.com"
  domain           = "shop.example.com"
  brand            = "GeoTrust"
  certificate_type = "OV"
  key_algorithm    = "RSA"
  key_size         = 3072

  organization = {
    name          = "Example Trading Ltd"
    country       = "CN"
    province      = "Guangdong"
    locality      = "Shenzhen"
    contact_name  = "Li Lei"
    contact_email = "pki@example.com"
  }

  private_key_password_wo         = var.shop_key_password
  private_key_password_wo_version = 1

  revocation_reason      = "cessationOfOperation"
  revocation_letter_path = "${path.module}/letters/shop-revocation.pdf"

  timeouts {
    delete = "1h"
  }
}

variable "shop_key_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# A Chinese SM2 certificate from DNSPod: a signature certificate and an encryption
# certificate, each with its key. DNSPod SM2 certificates take no review
# reminders (rule M3).
resource "ssl_certificate" "sm2" {
  name             = "sm2.example.cn"
  domain           = "sm2.example.cn"
  brand            = "DNSPod"
  certificate_type = "DV"
  key_algorithm    = "SM2"
}

output "www_full_chain_pem" {
  value = ssl_certificate.www.full_chain_pem
}

output "sm2_encryption_certificate_pem" {
  value = ssl_certificate.sm2.encryption_certificate_pem
}
