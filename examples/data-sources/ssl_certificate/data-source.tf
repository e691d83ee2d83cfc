# Look a certificate up by name (an error when several have that name) ...
data "ssl_certificate" "www" {
  name    = "www.example.com"
  project = "web"
}

# ... or by id.
data "ssl_certificate" "by_id" {
  id = data.ssl_certificate.www.id
}

output "www" {
  value = {
    id             = data.ssl_certificate.www.id
    serial_number  = data.ssl_certificate.www.serial_number
    not_after      = data.ssl_certificate.www.not_after
    chain_complete = data.ssl_certificate.www.chain_complete
  }
}
