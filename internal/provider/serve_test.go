package provider

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// servedForTest serves p to the acceptance tests the way Serve serves the binary
// (behind boundedServer), with only two slots so that the tests also run the queue.
func servedForTest(p provider.Provider) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		s, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		return newBoundedServer(s, 2), nil
	}
}

// slowServer records how many calls run at once; apply blocks until released.
type slowServer struct {
	tfprotov6.ProviderServer
	running, peak atomic.Int32
	applyRelease  chan struct{}
}

func (s *slowServer) enter() func() {
	n := s.running.Add(1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond)
	return func() { s.running.Add(-1) }
}

func (s *slowServer) PlanResourceChange(context.Context, *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	defer s.enter()()
	return &tfprotov6.PlanResourceChangeResponse{}, nil
}

func (s *slowServer) ValidateResourceConfig(context.Context, *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	defer s.enter()()
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}

func (s *slowServer) ApplyResourceChange(context.Context, *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	<-s.applyRelease
	return &tfprotov6.ApplyResourceChangeResponse{}, nil
}

func TestBoundedServerLimitsShortCalls(t *testing.T) {
	inner := &slowServer{applyRelease: make(chan struct{})}
	s := newBoundedServer(inner, 3)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{})
			} else {
				_, err = s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{})
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := inner.peak.Load(); p > 3 || p < 2 {
		t.Fatalf("peak concurrent calls = %d, want 2..3 (bound 3)", p)
	}
}

// An apply waiting on a review outside Terraform holds no slot.
func TestBoundedServerDoesNotBoundApply(t *testing.T) {
	inner := &slowServer{applyRelease: make(chan struct{})}
	s := newBoundedServer(inner, 1)
	ctx := context.Background()
	applied := make(chan struct{})
	go func() {
		_, _ = s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{})
		close(applied)
	}()
	done := make(chan error, 1)
	go func() {
		_, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a plan waited behind an unfinished apply")
	}
	close(inner.applyRelease)
	<-applied
}

func TestBoundedServerCancelWhileQueued(t *testing.T) {
	inner := &slowServer{applyRelease: make(chan struct{})}
	s := newBoundedServer(inner, 1)
	s.slots <- struct{}{} // the only slot is busy
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if inner.peak.Load() != 0 {
		t.Fatal("the call ran without a slot")
	}
}
