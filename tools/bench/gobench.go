package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// goGroup is one invocation of a compiled test binary: the benchmarks matching
// bench, each for benchtime.
type goGroup struct {
	pkg       string // package directory, relative to the module root
	bench     string // -test.bench
	benchtime string // -test.benchtime
}

// goGroups are the Go benchmarks of a full run. RSA issuance runs a fixed, larger
// number of iterations: RSA key generation time varies a lot from key to key.
var goGroups = []goGroup{
	{"internal/service", "^BenchmarkIssuance$/^(ECC|SM2)$", "1s"},
	{"internal/service", "^BenchmarkIssuance$/^RSA$", "100x"},
	{"internal/certs", "^BenchmarkCheckUpload$", "1s"},
	{"internal/service", "^BenchmarkUpload$", "1s"},
	{"internal/api", "^BenchmarkRoundTrip$", "1s"},
	{"internal/service", "^BenchmarkFilter$", "1s"},
	{"internal/service", "^BenchmarkEvaluate$", "4x"},
}

// goSample is one benchmark line: its metrics by unit (ns/op, B/op, allocs/op, …).
type goSample map[string]float64

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+(.*)$`)

// testBinary returns the path of pkg's compiled test binary in the work dir.
func testBinary(c *config, pkg string) string {
	return filepath.Join(c.work, "bin", strings.ReplaceAll(pkg, "/", "_")+".test")
}

func runGoBenchmarks(c *config, rep *report) error {
	groups := goGroups
	if c.smoke {
		groups = []goGroup{{"internal/service", ".", "1x"}, {"internal/certs", ".", "1x"}, {"internal/api", ".", "1x"}}
	}
	pkgs := map[string]bool{}
	for _, g := range groups {
		if pkgs[g.pkg] {
			continue
		}
		pkgs[g.pkg] = true
		log.Printf("compiling the benchmarks of %s", g.pkg)
		if err := run(c.root, nil, "", "go", "test", "-c", "-o", testBinary(c, g.pkg), "./"+g.pkg); err != nil {
			return err
		}
	}
	cache := filepath.Join(c.work, "inventory")
	if err := os.MkdirAll(cache, 0o700); err != nil {
		return err
	}
	rep.goSamples = map[string][]goSample{}
	for r := 1; r <= c.goRounds; r++ {
		start := time.Now()
		for _, g := range groups {
			lines, err := runBenchBinary(c, g, cache, "")
			if err != nil {
				return err
			}
			for _, l := range lines {
				rep.addGoLine(l)
			}
		}
		log.Printf("Go benchmarks: round %d/%d done in %s", r, c.goRounds, time.Since(start).Round(time.Second))
	}
	return nil
}

// runBenchBinary runs one group once and returns its benchmark lines.
func runBenchBinary(c *config, g goGroup, cache, cpuprofile string) ([]string, error) {
	args := []string{"-test.run=^$", "-test.bench=" + g.bench, "-test.benchmem", "-test.benchtime=" + g.benchtime,
		"-test.count=1", "-test.timeout=60m"}
	if cpuprofile != "" {
		args = append(args, "-test.cpuprofile="+cpuprofile)
	}
	env := []string{"SSL_BENCH_CACHE=" + cache}
	if c.smoke {
		env = append(env, "SSL_BENCH_SMALL=1")
	}
	logFile := filepath.Join(c.work, "go-bench.log")
	if err := run(filepath.Join(c.root, g.pkg), env, logFile+".last", testBinary(c, g.pkg), args...); err != nil {
		return nil, err
	}
	out, err := os.ReadFile(logFile + ".last")
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(logFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		fmt.Fprintf(f, "### %s -test.bench=%s -test.benchtime=%s\n%s\n", g.pkg, g.bench, g.benchtime, out)
		f.Close()
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Benchmark") {
			lines = append(lines, sc.Text())
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s: no benchmark matched %s", g.pkg, g.bench)
	}
	return lines, nil
}

// addGoLine records one benchmark result line.
func (r *report) addGoLine(line string) {
	m := benchLine.FindStringSubmatch(line)
	if m == nil {
		return
	}
	name := strings.TrimPrefix(m[1], "Benchmark")
	s := goSample{}
	f := strings.Fields(m[4])
	for i := 0; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err == nil {
			s[f[i+1]] = v
		}
	}
	if _, ok := s["ns/op"]; !ok {
		return
	}
	if _, seen := r.goSamples[name]; !seen {
		r.goOrder = append(r.goOrder, name)
	}
	r.goSamples[name] = append(r.goSamples[name], s)
}

// groupOf returns the group that runs the benchmark name.
func groupOf(name string) (goGroup, bool) {
	for _, g := range goGroups {
		parts := strings.Split(g.bench, "/")
		nameParts := strings.Split(name, "/")
		ok := true
		for i, p := range parts {
			if i >= len(nameParts) {
				break
			}
			target := nameParts[i]
			if i == 0 {
				target = "Benchmark" + target
			}
			if !regexp.MustCompile(p).MatchString(target) {
				ok = false
				break
			}
		}
		if ok {
			return g, true
		}
	}
	return goGroup{}, false
}

// exactBench is a -test.bench pattern that matches name only.
func exactBench(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		if i == 0 {
			p = "Benchmark" + p
		}
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
