terraform {
  required_providers {
    ssl = {
      source = "sslkit/ssl"
    }
  }
}

# Embedded backend: the private CA and the certificate inventory run inside the
# provider and keep their data in a SQLite database under data_dir. Without
# data_dir (and without SSL_DATA_DIR) the data lives in
# $XDG_DATA_HOME/terraform-provider-ssl, else ~/.local/share/terraform-provider-ssl.
provider "ssl" {
  data_dir = "${path.root}/.ssl-data"
}
