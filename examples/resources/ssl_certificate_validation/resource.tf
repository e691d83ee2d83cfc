# Two-step issuance: ssl_certificate places the order and returns at once with the
# DNS records to publish; ssl_certificate_validation waits until the certificate is
# issued (domain validated and, under review_policy = "manual", approved with
# `terraform-provider-ssl review approve <id>`).
locals {
  domains = ["intranet.example.com", "api.intranet.example.com"]
  records = { for r in ssl_certificate.intranet.validation_records : r.domain => r }
}

resource "ssl_certificate" "intranet" {
  name                      = "intranet"
  domain                    = local.domains[0]
  subject_alternative_names = slice(local.domains, 1, length(local.domains))
  brand                     = "TrustAsia"
  certificate_type          = "DV"
  key_algorithm             = "ECC"
  key_size                  = 256
  validation_method         = "DNS"
}

# Publish one TXT record per domain, here with the hashicorp/dns provider (RFC 2136
# updates); the record resource of any DNS provider works the same way. The keys
# come from the configuration, so for_each is known at plan time.
resource "dns_txt_record_set" "validation" {
  for_each = toset(local.domains)

  zone = "example.com."
  name = trimsuffix(local.records[each.key].name, ".example.com")
  txt  = [local.records[each.key].value]
  ttl  = 60
}

resource "ssl_certificate_validation" "intranet" {
  certificate_id = ssl_certificate.intranet.id

  # Start waiting once the records are published.
  depends_on = [dns_txt_record_set.validation]

  # When the wait times out the order is kept: fix what the error names, then run
  # terraform apply again and this resource waits again.
  timeouts {
    create = "30m"
  }
}

# Use the validated certificate, for example in a web server's configuration.
output "intranet_full_chain_pem" {
  value = ssl_certificate_validation.intranet.full_chain_pem
}
