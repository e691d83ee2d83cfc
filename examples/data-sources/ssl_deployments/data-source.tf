# The deployment history of one CDN domain, newest first: each binding, move to
# another certificate and new certificate version left a record.
data "ssl_deployments" "cdn" {
  type        = "CDN"
  instance_id = "cdn.example.com"
}

# Every deployment of a certificate, all its versions included.
data "ssl_deployments" "www" {
  certificate_id = ssl_certificate.www.id
}

output "cdn_history" {
  value = [
    for d in data.ssl_deployments.cdn.deployments :
    "${d.started_at}: ${d.certificate_id} v${d.version} (${d.status}, replaced ${coalesce(d.replaced_certificate_id, "nothing")})"
  ]
}

output "www_resources" {
  value = distinct([for d in data.ssl_deployments.www.deployments : "${d.type} ${d.instance_id}"])
}
