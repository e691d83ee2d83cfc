# Every uploaded certificate of the "web" project that covers www.example.com
# (directly or through *.example.com) and expires within 30 days.
data "ssl_certificates" "expiring" {
  project              = "web"
  source               = "uploaded"
  domain               = "www.example.com"
  expiring_within_days = 30

  tags = {
    team = "platform"
  }
}

output "expiring" {
  value = {
    for c in data.ssl_certificates.expiring.certificates : c.id => {
      name      = c.name
      not_after = c.not_after
    }
  }
}
