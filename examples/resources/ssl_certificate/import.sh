# An issued certificate is imported by its id. The service never returns a private
# key password or a CSR: with private_key_password or csr_pem in the configuration,
# the first plan after import shows an in-place update that only records them —
# the password is checked against the service (a wrong one is an error), the CSR
# against the certificate's key — and nothing is reissued. A password given with
# private_key_password_wo never shows in a plan; setting
# private_key_password_wo_version is recorded the same way.
terraform import ssl_certificate.www cert-0a1b2c3d4e5f
