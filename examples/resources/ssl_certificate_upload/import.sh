# An uploaded certificate is imported by its id. With the same configuration
# (private_key_pem included) the next plan shows no changes. A key given
# write-only cannot be read back: keep private_key_pem_wo in the configuration.
terraform import ssl_certificate_upload.www cert-0a1b2c3d4e5f
