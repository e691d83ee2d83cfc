# The TrustAsia ECC authority (created on first use) and a trust store for clients
# of the certificates it issues.
data "ssl_ca_certificates" "trustasia_ecc" {
  brand         = "TrustAsia"
  key_algorithm = "ECC"
}

resource "local_file" "trust_store" {
  filename        = "${path.module}/trustasia-ecc-roots.pem"
  content         = data.ssl_ca_certificates.trustasia_ecc.trust_bundle_pem
  file_permission = "0644"
}

# Every authority created so far, with its CRL and OCSP URLs.
data "ssl_ca_certificates" "all" {}

output "crl_urls" {
  value = { for a in data.ssl_ca_certificates.all.authorities : "${a.brand}/${a.key_algorithm}" => a.crl_url }
}
