package provider

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
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
	var opts []tf6server.ServeOpt
	if debugger {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	framework := providerserver.NewProtocol6(New(version)())
	return tf6server.Serve(Address, func() tfprotov6.ProviderServer {
		return newBoundedServer(framework(), boundedCalls())
	}, opts...)
}

// memoryLimit is the provider's soft memory limit (GOMEMLIMIT overrides it). The
// framework's per-call garbage grows with the calls in flight, and at N = 1000
// resources the collector's default pacing let the process reach ~200 MB; with this
// limit the collector runs earlier once the heap nears it and the peak stays under
// 150 MB, for ~20 % more CPU in such large runs only (tools/bench/ANALYSIS.md). Small
// runs never reach it.
const memoryLimit = 96 << 20

// boundedCalls is how many of the short, CPU-bound calls (validate, upgrade, read,
// plan) the provider works on at once. Terraform sends every resource's validation at
// the same time, whatever -parallelism says: at N = 1000 hundreds of calls were in
// flight, each holding the framework's copies of the schema, and the provider's peak
// memory grew with N (tools/bench/RESULTS.md). More than a few per core only adds
// memory; a few extra cover calls that wait on a remote backend.
func boundedCalls() int {
	return max(8, 4*runtime.GOMAXPROCS(0))
}

// boundedServer queues the short calls behind a semaphore and passes everything else
// through. ApplyResourceChange is not bounded: an ssl_certificate_validation waits in
// it for a review that happens outside Terraform and must not hold other calls back.
type boundedServer struct {
	tfprotov6.ProviderServer
	slots chan struct{}
}

func newBoundedServer(s tfprotov6.ProviderServer, n int) boundedServer {
	return boundedServer{ProviderServer: s, slots: make(chan struct{}, n)}
}

// acquire takes a slot, or fails when Terraform cancels the call while it waits.
func (s boundedServer) acquire(ctx context.Context) (func(), error) {
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// bounded runs call in a slot.
func bounded[Req, Resp any](ctx context.Context, s boundedServer, call func(context.Context, Req) (Resp, error), req Req) (Resp, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		var zero Resp
		return zero, err
	}
	defer release()
	return call(ctx, req)
}

func (s boundedServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return bounded(ctx, s, s.ProviderServer.ValidateResourceConfig, req)
}

func (s boundedServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return bounded(ctx, s, s.ProviderServer.UpgradeResourceState, req)
}

func (s boundedServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return bounded(ctx, s, s.ProviderServer.ReadResource, req)
}

func (s boundedServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return bounded(ctx, s, s.ProviderServer.PlanResourceChange, req)
}

func (s boundedServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return bounded(ctx, s, s.ProviderServer.ValidateDataResourceConfig, req)
}
