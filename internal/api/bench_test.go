package api_test

// The in-process API round trip beside its floor (issue 7): BenchmarkRoundTrip/<op>/api
// goes client → in-process handler transport → API handler → service, as the
// provider does in embedded mode; /direct calls the service alone. The operations
// are those a Terraform run makes per ssl_certificate: the plan-time order check, the
// order (ECC, DNS_AUTO, issued at once) and the single read with keys (refresh).
// tools/bench runs them (`make bench`, `make bench-smoke`); timings are never asserted.

import (
	"context"
	"fmt"
	"testing"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

func benchRoundTripBackend(b *testing.B) (*backend.Backend, *client.Client) {
	b.Helper()
	be, err := backend.Open(context.Background(), backend.Settings{DataDir: b.TempDir(),
		Service: backend.ServiceSettings{ReviewPolicy: service.ReviewAuto, Validation: service.ValidationAuto}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = be.Close() })
	c, err := client.New(client.Config{Handler: be.Handler(), UserAgent: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return be, c
}

func benchOrderRequest(i int) wire.OrderRequest {
	return wire.OrderRequest{Name: "bench", Project: "default", Domain: fmt.Sprintf("h%d.bench.example.com", i),
		Brand: "TrustAsia", CertificateType: "DV", KeyAlgorithm: "ECC", KeySize: 256, ValidationMethod: "DNS_AUTO"}
}

func benchOrderInput(i int) service.OrderInput {
	r := benchOrderRequest(i)
	return service.OrderInput{Name: r.Name, Project: r.Project, Domain: r.Domain, Brand: r.Brand,
		CertificateType: r.CertificateType, KeyAlgorithm: r.KeyAlgorithm, KeySize: r.KeySize, ValidationMethod: r.ValidationMethod}
}

func BenchmarkRoundTrip(b *testing.B) {
	ctx := context.Background()
	b.Run("check-order/api", func(b *testing.B) {
		_, c := benchRoundTripBackend(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if ps, err := c.CheckOrder(ctx, benchOrderRequest(i)); err != nil || len(ps) > 0 {
				b.Fatal(err, ps)
			}
			i++
		}
	})
	b.Run("check-order/direct", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if ps := service.CheckOrder(benchOrderInput(i)); len(ps) > 0 {
				b.Fatal(ps)
			}
			i++
		}
	})
	b.Run("order-ECC/api", func(b *testing.B) {
		_, c := benchRoundTripBackend(b)
		if _, err := c.OrderCertificate(ctx, benchOrderRequest(-1)); err != nil { // the CA
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := c.OrderCertificate(ctx, benchOrderRequest(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("order-ECC/direct", func(b *testing.B) {
		be, _ := benchRoundTripBackend(b)
		if _, err := be.Service.Order(ctx, "", benchOrderInput(-1)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			// The client sends an Idempotency-Key with every mutation; so does this.
			if _, err := be.Service.Order(ctx, fmt.Sprintf("bench-%d", i), benchOrderInput(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	// get: 200 issued certificates, read in turn (a refresh of 200 resources).
	b.Run("get/api", func(b *testing.B) {
		_, c := benchRoundTripBackend(b)
		var ids []string
		for i := range 200 {
			cert, err := c.OrderCertificate(ctx, benchOrderRequest(i))
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, cert.ID)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := c.GetCertificate(ctx, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("get/direct", func(b *testing.B) {
		be, _ := benchRoundTripBackend(b)
		var ids []string
		for i := range 200 {
			cert, err := be.Service.Order(ctx, "", benchOrderInput(i))
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, cert.ID)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := be.Service.Get(ctx, ids[i%len(ids)], true); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
