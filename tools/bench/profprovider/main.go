// Command profprovider is terraform-provider-ssl's provider server (the same
// provider.New, protocol 6, address registry.terraform.io/sslkit/ssl) with a CPU
// profile: tools/bench serves it instead of the real binary for one extra run when a
// Terraform-level target is missed, and reads the profiles with `go tool pprof`.
// Each provider process writes $SSL_BENCH_CPUPROFILE_DIR/cpu-<pid>.pprof, and
// heap-<pid>.pprof, a heap profile taken when its heap was largest (sampled every
// 200 ms), with mem-<pid>.txt: that peak's runtime.MemStats. It is never shipped and
// has none of the binary's sub-commands.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/provider"
)

func main() {
	if dir := os.Getenv("SSL_BENCH_CPUPROFILE_DIR"); dir != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		stop := sampleHeap(dir)
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
			stop()
		}()
	}
	err := provider.Serve("bench", false) // as the shipped binary serves it
	if err != nil {
		log.Print(err)
	}
}

// sampleHeap writes a heap profile whenever the heap reaches a new high (by 5 %),
// until the returned function is called; that function writes the peak's MemStats.
func sampleHeap(dir string) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var peak runtime.MemStats
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.HeapAlloc+peak.HeapAlloc/20 {
				peak = m
				if f, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", os.Getpid()))); err == nil {
					_ = pprof.WriteHeapProfile(f)
					f.Close()
				}
			}
			select {
			case <-done:
				_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("mem-%d.txt", os.Getpid())),
					[]byte(fmt.Sprintf("%d %d %d %d\n", peak.HeapAlloc, peak.HeapInuse, peak.HeapSys, peak.Sys)), 0o644)
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
