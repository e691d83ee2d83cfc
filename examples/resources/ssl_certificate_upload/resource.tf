# Host a third-party certificate. The certificate file should carry the complete
# chain (leaf first); the key stays in state (sensitive).
resource "ssl_certificate_upload" "www" {
  name            = "www.example.com"
  project         = "web"
  certificate_pem = file("${path.module}/www.example.com.chain.pem")
  private_key_pem = file("${path.module}/www.example.com.key")

  tags = {
    team = "platform"
  }

  # Resource hosting may bind this certificate: replace before destroying (D4).
  lifecycle {
    create_before_destroy = true
  }
}

# Terraform 1.11 and later: keep the key out of plan and state with the write-only
# attribute. Bump private_key_pem_wo_version to send a new key.
resource "ssl_certificate_upload" "api" {
  name                       = "api.example.com"
  certificate_pem            = file("${path.module}/api.example.com.chain.pem")
  private_key_pem_wo         = file("${path.module}/api.example.com.key")
  private_key_pem_wo_version = 1
}

# A Chinese SM2 certificate: a signature pair and an encryption pair. Leave out
# encryption_private_key_pem when one key file serves both certificates.
resource "ssl_certificate_upload" "sm2" {
  name                       = "sm2.example.cn"
  standard                   = "sm2"
  certificate_pem            = file("${path.module}/sm2.example.cn.sign.pem")
  private_key_pem            = file("${path.module}/sm2.example.cn.sign.key")
  encryption_certificate_pem = file("${path.module}/sm2.example.cn.enc.pem")
  encryption_private_key_pem = file("${path.module}/sm2.example.cn.enc.key")
}

output "www_not_after" {
  value = ssl_certificate_upload.www.not_after
}
