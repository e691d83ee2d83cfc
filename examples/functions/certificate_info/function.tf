# Terraform 1.8 and later.
locals {
  info = provider::ssl::certificate_info(file("${path.module}/www.example.com.chain.pem"))
}

output "www_certificate" {
  value = {
    domain         = local.info.domain
    names          = local.info.subject_alternative_names
    issuer         = local.info.issuer
    not_after      = local.info.not_after
    chain_complete = local.info.chain_complete
  }
}
