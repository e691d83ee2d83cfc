package provider

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/sslkit/ssl"

// Serve serves the provider to Terraform (plugin protocol 6) until Terraform stops it.
// debugger serves it for a debugger (TF_REATTACH_PROVIDERS) instead.
func Serve(version string, debugger bool) error {
	QuietSDKLogs()
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	return providerserver.Serve(context.Background(), New(version), providerserver.ServeOpts{
		Address:         Address,
		Debug:           debugger,
		ProtocolVersion: 6,
	})
}

// memoryLimit is the provider's soft memory limit (GOMEMLIMIT overrides it). At
// N = 1000 resources Terraform has hundreds of calls in flight, each holding the plugin
// server's and the framework's per-call copies, and with the collector's default pacing
// the process reached ~195 MB. With this limit the collector runs earlier once the heap
// nears it: ~130 MB, for 20-40 % more provider CPU in such large runs only
// (tools/bench/ANALYSIS.md). Bounding the calls worked on at once was measured too and
// changed neither (the calls wait, with their copies, in the plugin server). Small runs
// never reach the limit.
const memoryLimit = 96 << 20
