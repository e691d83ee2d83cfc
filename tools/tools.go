//go:build tools

// Package tools records the Go tools this repository builds with, so that
// go.mod pins their versions. `make generate` runs them; the go:generate lines
// below do the same for `go generate -tags tools ./tools`, given a terraform
// CLI >= 1.8 on PATH (tools/terraform.sh prints one).
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

// Format the examples first: tfplugindocs copies them into docs/.
//go:generate terraform fmt -recursive ../examples/
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name ssl --rendered-provider-name SSL
