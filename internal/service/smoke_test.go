package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

func TestSmokeOrderReissueRevoke(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	b, err := backend.Open(ctx, backend.Settings{DataDir: t.TempDir(), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	svc := b.Service
	for _, alg := range []string{"RSA", "ECC", "SM2"} {
		c, err := svc.Order(ctx, "", service.OrderInput{Name: "x", Domain: "www.example.com", Brand: "DNSPod", CertificateType: "DV", KeyAlgorithm: alg})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if c.Status != "issued" || c.SerialNumber == "" {
			t.Fatalf("%s: %+v", alg, c.Status)
		}
		clk.Advance(4 * 24 * time.Hour)
		r, err := svc.Reissue(ctx, "", c.ID, service.ReissueInput{})
		if err != nil {
			t.Fatalf("reissue %s: %v", alg, err)
		}
		if r.SerialNumber == c.SerialNumber || !r.NotAfter.Equal(c.NotAfter) || r.Order.ReissueCount != 1 {
			t.Fatalf("reissue %s: %+v", alg, r.Order)
		}
		v, err := svc.Revoke(ctx, "", c.ID, service.RevokeInput{Reason: "keyCompromise"})
		if err != nil {
			t.Fatalf("revoke %s: %v", alg, err)
		}
		if v.Status != "revoked" {
			t.Fatalf("revoke %s: %s %s", alg, v.Status, v.Order.Pending)
		}
		if err := svc.Delete(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	as, err := svc.Authorities(ctx, "", "")
	if err != nil || len(as) != 3 {
		t.Fatalf("authorities: %v %d", err, len(as))
	}
}
