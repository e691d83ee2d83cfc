# A hosting is imported by its own id, or by the id of the certificate it binds.
# With the same configuration the next plan shows no changes.
terraform import ssl_resource_hosting.www host-0a1b2c3d4e5f
