#!/usr/bin/env bash
# Prints the absolute path of a Terraform CLI >= 1.8 on stdout (and nothing else).
#
# Uses the terraform on PATH when it is new enough. Otherwise builds Terraform
# from source through the Go module proxy into .tools/bin/ (git-ignored) and
# reuses that build on later runs. Building takes a few minutes on 2 cores.
#
# Environment:
#   TERRAFORM_MIN_VERSION   lowest acceptable version (default 1.8)
#   TERRAFORM_BUILD_VERSION version built when needed   (default 1.8.5; newer
#                           versions cannot be built with `go install`)
#   TERRAFORM_FORCE_BUILD=1 ignore the terraform on PATH
set -euo pipefail

min_version="${TERRAFORM_MIN_VERSION:-1.8}"
build_version="${TERRAFORM_BUILD_VERSION:-1.8.5}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
bin_dir="$root/.tools/bin"
built="$bin_dir/terraform"

log() { printf 'terraform.sh: %s\n' "$*" >&2; }

# tf_version BINARY prints the version (e.g. 1.11.4) of a terraform binary.
tf_version() {
	TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 \
		"$1" version 2>/dev/null | sed -n '1s/^Terraform v\([0-9][0-9.]*\).*/\1/p'
}

# version_ge A B succeeds when version A >= version B.
version_ge() {
	[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

if [ "${TERRAFORM_FORCE_BUILD:-}" != 1 ] && on_path="$(command -v terraform 2>/dev/null)"; then
	on_path="$(cd "$(dirname "$on_path")" && pwd -P)/$(basename "$on_path")"
	v="$(tf_version "$on_path" || true)"
	if [ -n "$v" ] && version_ge "$v" "$min_version"; then
		log "using terraform $v from PATH: $on_path"
		printf '%s\n' "$on_path"
		exit 0
	fi
	log "terraform on PATH ($on_path) is ${v:-of unknown version}; need >= $min_version"
fi

mkdir -p "$bin_dir"
# Several make targets may ask at once: one builds, the others wait for it.
exec 9>"$bin_dir/.terraform.lock"
flock 9

if [ -x "$built" ] && [ "$(tf_version "$built" || true)" = "$build_version" ]; then
	log "using terraform $build_version built earlier: $built"
	printf '%s\n' "$built"
	exit 0
fi

command -v go >/dev/null 2>&1 || { log "go is not on PATH; install Go or a Terraform CLI >= $min_version"; exit 1; }

log "building terraform $build_version from source into $bin_dir (takes a few minutes) ..."
start=$(date +%s)
tmp="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# Outside our module: -mod=mod overrides a -mod=vendor the caller may have in
# GOFLAGS, GOWORK=off ignores any go.work around the checkout.
GOBIN="$tmp" GOFLAGS=-mod=mod GOWORK=off \
	go install -ldflags "-X github.com/hashicorp/terraform/version.dev=no" \
	"github.com/hashicorp/terraform@v$build_version" >&2
mv -f "$tmp/terraform" "$built"

v="$(tf_version "$built" || true)"
if [ "$v" != "$build_version" ]; then
	log "built $built but it reports version '${v}', expected $build_version"
	exit 1
fi
log "built terraform $v in $(($(date +%s) - start))s: $built"
printf '%s\n' "$built"
