#!/usr/bin/env bash
# The quickstart, offline: builds the provider, points Terraform at it through a
# dev_overrides CLI config of our own, generates a demo certificate and applies
# examples/quickstart with the embedded backend. Running it again changes
# nothing ("No changes.").
#
# Everything it writes is git-ignored:
#   bin/terraform-provider-ssl               the provider
#   .tools/demo.tfrc                         the CLI config (dev_overrides)
#   examples/quickstart/.generated/          demo CA + leaf (cert.pem, key.pem, ca.pem)
#   examples/quickstart/.ssl-data/           the backend's data (ssl.db, master.key)
#   examples/quickstart/terraform.tfstate    Terraform state
# `make demo-clean` removes the last three.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"

quickstart="$root/examples/quickstart"
bin_dir="$root/bin"
cli_config="$root/.tools/demo.tfrc"
version="${PROVIDER_VERSION:-0.1.0-dev}"

step() { printf '\n==> %s\n' "$*" >&2; }

if [ ! -f "$quickstart/main.tf" ]; then
	echo "demo.sh: $quickstart/main.tf is missing" >&2
	exit 1
fi

step "terraform"
tf="$(bash tools/terraform.sh)"

step "building terraform-provider-ssl $version into $bin_dir"
go build -ldflags "-X main.version=$version" -o "$bin_dir/terraform-provider-ssl" .

step "writing $cli_config (dev_overrides: sslkit/ssl -> $bin_dir)"
mkdir -p "$(dirname "$cli_config")"
cat >"$cli_config" <<EOF
# Written by tools/demo.sh: use the provider built in bin/ instead of a registry.
provider_installation {
  dev_overrides {
    "sslkit/ssl" = "$bin_dir"
  }
  direct {}
}
EOF

step "demo certificate for demo.internal (kept when it exists)"
go run ./tools/gencert -out "$quickstart/.generated" -domain demo.internal

export TF_CLI_CONFIG_FILE="$cli_config"
export SSL_DATA_DIR="$quickstart/.ssl-data"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
# With dev_overrides and no other provider, no `terraform init` is needed.
color=()
[ -t 1 ] || color=(-no-color)

step "terraform apply (data in $SSL_DATA_DIR)"
"$tf" -chdir="$quickstart" apply -auto-approve -input=false "${color[@]}"

step "terraform output"
"$tf" -chdir="$quickstart" output "${color[@]}"
