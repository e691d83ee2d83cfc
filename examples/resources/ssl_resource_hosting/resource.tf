# A certificate that resource hosting binds cannot be deleted or revoked while it
# is bound (rule D4): create_before_destroy lets Terraform create a replacement
# and move the hosting to it before the old certificate is destroyed.
resource "ssl_certificate" "www" {
  name                      = "www.example.com"
  domain                    = "www.example.com"
  subject_alternative_names = ["cdn.example.com", "static.example.com"]
  brand                     = "TrustAsia"
  certificate_type          = "DV"
  key_algorithm             = "ECC"
  validation_method         = "DNS_AUTO"
  renew_before_days         = 30

  lifecycle {
    create_before_destroy = true
  }
}

# Deploy the certificate to a load balancer listener, a CDN domain and a WAF
# domain. Every new version of the certificate (renewal, reissue) is deployed to
# them by the service (H1); adding or removing a resource, or changing
# certificate_id, updates the hosting in place.
resource "ssl_resource_hosting" "www" {
  certificate_id = ssl_certificate.www.id

  resources = [
    {
      type        = "CLB"
      instance_id = "lb-8kq2xw7d|lbl-3mf9zc1a|www.example.com"
      region      = "ap-guangzhou"
    },
    {
      type        = "CDN"
      instance_id = "cdn.example.com"
    },
    {
      type        = "WAF"
      instance_id = "static.example.com"
      region      = "ap-guangzhou"
    },
  ]
}

# What each resource serves now; refreshed after the service deploys a new
# version.
output "served" {
  value = {
    for d in ssl_resource_hosting.www.deployments :
    "${d.type} ${d.instance_id}" => "${d.certificate_id} v${d.version} serial ${d.serial_number} (${d.status})"
  }
}
