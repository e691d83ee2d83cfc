package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// profileMisses takes a CPU profile of every missed target and keeps its top frames
// in the report. Terraform-level misses are profiled at the smallest N (one more
// apply, plan and destroy per resource kind with the profiling build of the
// provider): a run at N = 1000 takes many minutes, and the causes are the same.
func profileMisses(c *config, rep *report) {
	done := map[string]string{}
	cycles := map[string]map[string]string{} // kind → op → profile dir
	for _, t := range rep.targets {
		if !t.measured || t.met {
			continue
		}
		switch {
		case t.goBench != "":
			key := "go:" + t.goBench
			if _, ok := done[key]; !ok {
				done[key] = profileGo(c, t.goBench)
			}
			t.profile = done[key]
		case t.tfKind != "" && rep.tf != nil && (t.tfKind == kindCert || t.tfKind == kindUpload):
			n := c.sizes[0]
			if _, ok := cycles[t.tfKind]; !ok {
				dirs, err := profileTerraform(c, rep.tf, t.tfKind, n)
				if err != nil {
					t.profile = "profiling failed: " + err.Error()
					continue
				}
				cycles[t.tfKind] = dirs
			}
			dir := cycles[t.tfKind][t.tfOp]
			key := fmt.Sprintf("tf:%s:%s:%v", t.tfKind, t.tfOp, t.tfMem)
			if _, ok := done[key]; !ok {
				head := fmt.Sprintf("profiled at N = %d, %s\n", n, t.tfOp)
				if t.tfMem {
					done[key] = head + heapTop(c, rep.tf.profBinary, dir)
				} else {
					files, _ := filepath.Glob(filepath.Join(dir, "cpu-*.pprof"))
					done[key] = head + fmt.Sprintf("%d provider process(es)\n", len(files)) + pprofTop(c, rep.tf.profBinary, files)
				}
			}
			t.profile = done[key]
		}
	}
}

func profileGo(c *config, name string) string {
	g, ok := groupOf(name)
	if !ok {
		return ""
	}
	log.Printf("profiling %s", name)
	dir := filepath.Join(c.work, "profiles")
	_ = os.MkdirAll(dir, 0o700)
	prof := filepath.Join(dir, strings.NewReplacer("/", "_", "=", "_", "+", "_").Replace(name)+".pprof")
	g.bench = exactBench(name)
	if _, err := runBenchBinary(c, g, filepath.Join(c.work, "inventory"), prof); err != nil {
		return "profiling failed: " + err.Error()
	}
	return pprofTop(c, testBinary(c, g.pkg), []string{prof})
}

// profileTerraform runs apply, plan and destroy of n resources of kind once more
// with the profiling build of the provider and returns each operation's profile
// directory (CPU profiles and heap peaks of every provider process).
func profileTerraform(c *config, e *tfEnv, kind string, n int) (map[string]string, error) {
	if e.profConfig == "" {
		e.profBinary = filepath.Join(c.work, "providers", "prof-real", "terraform-provider-ssl")
		if err := run(c.root, nil, "", "go", "build", "-o", e.profBinary, "./tools/bench/profprovider"); err != nil {
			return nil, err
		}
		profDir := filepath.Join(c.work, "providers", "prof")
		if err := writeWrapper(filepath.Join(profDir, "terraform-provider-ssl"), e.profBinary, e.useTime); err != nil {
			return nil, err
		}
		e.profConfig = filepath.Join(c.work, "prof.tfrc")
		if err := writeCLIConfig(e.profConfig, profDir, filepath.Join(c.work, "providers", "null")); err != nil {
			return nil, err
		}
	}
	log.Printf("profiling the provider: %s, N = %d", kind, n)
	dirs := map[string]string{}
	for _, o := range ops {
		dir := filepath.Join(c.work, "profiles", fmt.Sprintf("%s-%d-%s", kind, n, o))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if _, err := e.runOp(kind, n, o, 0, dir); err != nil {
			return nil, err
		}
		dirs[o] = dir
	}
	return dirs, nil
}

// heapTop renders the heap profile at the peak of the provider process whose heap
// grew largest in dir, with that peak's MemStats.
func heapTop(c *config, binary, dir string) string {
	mems, _ := filepath.Glob(filepath.Join(dir, "mem-*.txt"))
	best, bestAlloc := "", uint64(0)
	var stats [4]uint64
	for _, m := range mems {
		b, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		var s [4]uint64
		if _, err := fmt.Sscan(string(b), &s[0], &s[1], &s[2], &s[3]); err != nil {
			continue
		}
		if s[0] >= bestAlloc {
			best, bestAlloc, stats = m, s[0], s
		}
	}
	if best == "" {
		return "profiling failed: the provider wrote no heap statistics"
	}
	heap := strings.Replace(strings.Replace(best, "mem-", "heap-", 1), ".txt", ".pprof", 1)
	mb := func(v uint64) string { return fmt.Sprintf("%.0f MB", float64(v)/(1<<20)) }
	var b strings.Builder
	fmt.Fprintf(&b, "peak of the largest provider process: Go heap allocated %s, in use %s, obtained from the OS %s; all Go runtime memory %s\n",
		mb(stats[0]), mb(stats[1]), mb(stats[2]), mb(stats[3]))
	cmd := exec.Command("go", "tool", "pprof", "-top", "-sample_index=inuse_space", "-nodecount=25", binary, heap)
	cmd.Dir = c.root
	out, err := cmd.Output()
	if err != nil {
		return b.String() + "pprof failed: " + err.Error()
	}
	lines := strings.Split(string(out), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "Showing") || strings.Contains(line, "flat%") || i > 0 && strings.Contains(lines[i-1], "flat%") || len(strings.Fields(line)) >= 6 {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// pprofTop renders the cumulative and flat top frames of profiles, without the
// runtime's and the testing package's own frames.
func pprofTop(c *config, binary string, profiles []string) string {
	var b strings.Builder
	for _, mode := range []struct {
		args  []string
		lines int
	}{{[]string{"-top", "-cum", "-nodecount=60"}, 28}, {[]string{"-top", "-nodecount=25"}, 14}} {
		args := append([]string{"tool", "pprof"}, mode.args...)
		args = append(args, binary)
		args = append(args, profiles...)
		cmd := exec.Command("go", args...)
		cmd.Dir = c.root
		out, err := cmd.Output()
		if err != nil {
			return "pprof failed: " + err.Error()
		}
		n := 0
		header := true
		for _, line := range strings.Split(string(out), "\n") {
			if header {
				if strings.Contains(line, "flat%") {
					header = false
					b.WriteString(line + "\n")
				} else if strings.HasPrefix(line, "Showing nodes") || strings.HasPrefix(line, "Duration") {
					b.WriteString(line + "\n")
				}
				continue
			}
			f := strings.Fields(line)
			if len(f) < 6 {
				continue
			}
			fn := strings.Join(f[5:], " ")
			if strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "testing.") || strings.Contains(fn, "_test.") ||
				strings.Contains(fn, "/certstest.") {
				continue
			}
			b.WriteString(line + "\n")
			n++
			if n >= mode.lines {
				break
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
