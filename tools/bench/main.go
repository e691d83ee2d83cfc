// Command bench runs the benchmarks of issue 7 and writes tools/bench/RESULTS.md.
//
//	go run ./tools/bench -terraform "$(bash tools/terraform.sh)"          # make bench
//	go run ./tools/bench -smoke -terraform "$(bash tools/terraform.sh)"   # make bench-smoke
//
// Two parts, each figure beside a floor measured in the same run:
//
//   - Go benchmarks (internal/service, internal/certs, internal/api: the
//     *bench_test.go files) with -benchmem, run in several rounds — every round runs
//     every benchmark once, so the noise of a busy machine falls on figure and floor
//     alike — and summarised by their medians, as benchstat does.
//   - Terraform: the real CLI applies, plans (no changes expected) and destroys N
//     ssl_certificate (ECC, DNS_AUTO) and ssl_certificate_upload resources with the
//     provider built here (dev_overrides), against the same N of a do-nothing
//     resource served by tools/bench/nullprovider and of terraform_data, all with the
//     same -parallelism; plus the provider's peak RSS and CPU (/usr/bin/time, else
//     /proc) and the state's bytes per resource.
//
// Missed targets are profiled (go test -cpuprofile; for Terraform runs, the provider
// rebuilt from tools/bench/profprovider) and the top frames go into the report, with
// the hand-written analysis of tools/bench/ANALYSIS.md.
//
// -smoke runs every Go benchmark once (-benchtime=1x) on a small inventory
// (SSL_BENCH_SMALL=1) and Terraform at N = 5, asserts nothing about timings, and
// writes its report into the work directory only.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type config struct {
	root        string // module root
	work        string // scratch directory
	terraform   string
	smoke       bool
	goRounds    int
	tfRounds    int
	tfRoundsBig int // rounds of every size but the smallest
	sizes       []int
	parallelism int
	out         string
	keepWork    bool
	skipGo      bool
	skipTF      bool
	noProfile   bool
	render      string // re-render the report from this saved run
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	var c config
	var sizes string
	flag.BoolVar(&c.smoke, "smoke", false, "CI mode: every benchmark once, small data, N = 5, no report in the tree")
	flag.StringVar(&c.terraform, "terraform", os.Getenv("TERRAFORM"), "terraform CLI >= 1.8 (default: $TERRAFORM, else terraform on PATH)")
	flag.IntVar(&c.goRounds, "go-rounds", 5, "rounds of the Go benchmarks (medians over rounds)")
	flag.IntVar(&c.tfRounds, "tf-rounds", 3, "rounds of the Terraform runs at the smallest N (medians over rounds)")
	flag.IntVar(&c.tfRoundsBig, "tf-rounds-large", 1, "rounds of the Terraform runs at the other N (each takes many minutes)")
	flag.StringVar(&sizes, "sizes", "200,1000", "resource counts N of the Terraform runs")
	flag.IntVar(&c.parallelism, "parallelism", 10, "terraform -parallelism, the same for every run")
	flag.StringVar(&c.out, "out", "tools/bench/RESULTS.md", "report file (relative to the module root)")
	flag.BoolVar(&c.keepWork, "keep", false, "keep the work directory")
	flag.BoolVar(&c.skipGo, "skip-go", false, "skip the Go benchmarks")
	flag.BoolVar(&c.skipTF, "skip-terraform", false, "skip the Terraform runs")
	flag.BoolVar(&c.noProfile, "no-profile", false, "do not profile missed targets")
	flag.StringVar(&c.render, "render", "", "only re-render the report from a saved run (<work>/results.json of a -keep run)")
	flag.Parse()

	root, err := moduleRoot()
	if err != nil {
		log.Fatal(err)
	}
	c.root = root
	for _, s := range strings.Split(sizes, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(s), &n); err != nil || n <= 0 {
			log.Fatalf("-sizes: %q is not a positive number", s)
		}
		c.sizes = append(c.sizes, n)
	}
	if c.smoke {
		c.goRounds, c.tfRounds, c.tfRoundsBig, c.sizes, c.noProfile = 1, 1, 1, []int{5}, true
	}
	if c.render != "" {
		rep, profiles, err := load(&c, c.render)
		if err != nil {
			log.Fatal(err)
		}
		rep.evaluate()
		for _, t := range rep.targets {
			t.profile = profiles[t.what]
		}
		out := c.out
		if !filepath.IsAbs(out) {
			out = filepath.Join(c.root, out)
		}
		if err := os.WriteFile(out, []byte(rep.markdown()), 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("re-rendered %s from %s", out, c.render)
		return
	}
	if c.terraform == "" && !c.skipTF {
		if c.terraform, err = exec.LookPath("terraform"); err != nil {
			log.Fatal("no terraform: pass -terraform (make bench passes the one tools/terraform.sh finds)")
		}
	}
	if c.work, err = os.MkdirTemp("", "ssl-bench-"); err != nil {
		log.Fatal(err)
	}
	if !c.keepWork {
		defer os.RemoveAll(c.work)
	}
	log.Printf("work directory %s", c.work)

	start := time.Now()
	rep := &report{cfg: &c, started: start, machine: describeMachine(&c)}
	if !c.skipGo {
		if err := runGoBenchmarks(&c, rep); err != nil {
			fail(&c, err)
		}
	}
	if !c.skipTF {
		if err := runTerraform(&c, rep); err != nil {
			fail(&c, err)
		}
	}
	rep.evaluate()
	if !c.noProfile {
		profileMisses(&c, rep)
	}
	rep.machine.loadEnd = loadAverage()
	rep.elapsed = time.Since(start)

	out := c.out
	if c.smoke {
		out = filepath.Join(c.work, "RESULTS-smoke.md")
	} else if !filepath.IsAbs(out) {
		out = filepath.Join(c.root, out)
	}
	if err := rep.save(filepath.Join(c.work, "results.json")); err != nil {
		log.Printf("saving the raw results: %v", err)
	}
	text := rep.markdown()
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		log.Fatal(err)
	}
	if c.smoke {
		where := ""
		if c.keepWork {
			where = "; report in " + out
		}
		log.Printf("smoke run passed in %s: every benchmark ran once (timings are not checked%s)", rep.elapsed.Round(time.Second), where)
		return
	}
	fmt.Print(rep.summary())
	log.Printf("wrote %s in %s", out, rep.elapsed.Round(time.Second))
}

func fail(c *config, err error) {
	if !c.keepWork {
		log.Printf("(the work directory %s is kept for inspection)", c.work)
	}
	log.Fatal(err)
}

// moduleRoot is the directory of go.mod, from the current directory upward.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the current directory")
		}
		dir = parent
	}
}

// run executes a command in dir with env added to the process environment; its
// combined output goes to logFile (when set) and is returned on failure.
func run(dir string, env []string, logFile string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if logFile != "" {
		_ = os.WriteFile(logFile, []byte(out.String()), 0o644)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail(out.String(), 40))
	}
	return nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
