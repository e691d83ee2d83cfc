# A validation is imported by the id of the certificate it waits for. Import reads the
# certificate as it is and never waits.
terraform import ssl_certificate_validation.intranet cert-0a1b2c3d4e5f
