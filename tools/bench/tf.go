package main

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Resource kinds of the Terraform runs.
const (
	kindNull   = "null"   // benchnull_thing: tools/bench/nullprovider, does nothing
	kindData   = "data"   // terraform_data: no provider process at all
	kindCert   = "cert"   // ssl_certificate, ECC P-256, DNS_AUTO: issued during apply
	kindUpload = "upload" // ssl_certificate_upload, an ECDSA chain per resource
)

var kinds = []string{kindNull, kindData, kindCert, kindUpload}

var kindTitle = map[string]string{
	kindNull:   "null provider (`benchnull_thing`)",
	kindData:   "`terraform_data`",
	kindCert:   "`ssl_certificate` (ECC, DNS_AUTO)",
	kindUpload: "`ssl_certificate_upload`",
}

// Terraform operations, in the order they run.
var ops = []string{"apply", "plan", "destroy"}

// tfRun is one timed terraform command.
type tfRun struct {
	kind, op      string
	n, round      int
	wall          time.Duration
	cpu           time.Duration // terraform and the providers it reaped
	provCPU       time.Duration // the provider processes alone (/usr/bin/time)
	provRSS       int64         // peak RSS of any provider process, kB
	provStarts    int
	stateBytes    int64 // terraform.tfstate after apply
	planNotEmpty  bool  // a plan after apply proposed changes
	planDetailTxt string
}

// tfEnv holds what every terraform command needs.
type tfEnv struct {
	c          *config
	cliConfig  string
	dataDir    string
	material   string
	realSSL    string
	realNull   string
	useTime    bool
	rssDir     string
	profConfig string
	profBinary string
}

const timeTool = "/usr/bin/time"

func runTerraform(c *config, rep *report) error {
	e, err := setupTerraform(c)
	if err != nil {
		return err
	}
	rep.tf = e
	if e.useTime {
		rep.machine.timeTool = timeTool + " (wrapping each provider process: max RSS, user+sys CPU)"
	} else {
		rep.machine.timeTool = "/proc/<pid>/status VmHWM, polled every 50 ms"
	}
	maxN := 5 // the warm-up runs N = 5
	for _, n := range c.sizes {
		maxN = max(maxN, n)
	}
	if err := writeUploadMaterial(e.material, maxN); err != nil {
		return err
	}
	if !c.smoke {
		log.Printf("Terraform: warm-up (N = 5 of each kind)")
		for _, k := range kinds {
			for _, op := range ops {
				if _, err := e.runOp(k, 5, op, 0, ""); err != nil {
					return err
				}
			}
		}
	}
	for r := 1; r <= max(c.tfRounds, c.tfRoundsBig); r++ {
		for j, n := range c.sizes {
			if (j == 0 && r > c.tfRounds) || (j > 0 && r > c.tfRoundsBig) {
				continue
			}
			for i := range kinds {
				k := kinds[(i+r-1)%len(kinds)] // rotate the order from round to round
				start := time.Now()
				for _, op := range ops {
					res, err := e.runOp(k, n, op, r, "")
					if err != nil {
						return err
					}
					rep.tfRuns = append(rep.tfRuns, res)
				}
				log.Printf("Terraform: round %d, N = %d, %s: %s", r, n, k, time.Since(start).Round(100*time.Millisecond))
			}
		}
	}
	return nil
}

func setupTerraform(c *config) (*tfEnv, error) {
	e := &tfEnv{c: c, dataDir: filepath.Join(c.work, "ssl-data"), material: filepath.Join(c.work, "material"),
		rssDir: filepath.Join(c.work, "rss")}
	if fi, err := os.Stat(timeTool); err == nil && !fi.IsDir() {
		e.useTime = true
	}
	for _, d := range []string{e.dataDir, e.material, e.rssDir, filepath.Join(c.work, "logs")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	e.realSSL = filepath.Join(c.work, "providers", "real", "terraform-provider-ssl")
	e.realNull = filepath.Join(c.work, "providers", "real", "terraform-provider-benchnull")
	log.Printf("building terraform-provider-ssl and the null provider")
	if err := run(c.root, nil, "", "go", "build", "-ldflags", "-X main.version=0.0.0-bench", "-o", e.realSSL, "."); err != nil {
		return nil, err
	}
	if err := run(c.root, nil, "", "go", "build", "-o", e.realNull, "./tools/bench/nullprovider"); err != nil {
		return nil, err
	}
	sslDir := filepath.Join(c.work, "providers", "ssl")
	nullDir := filepath.Join(c.work, "providers", "null")
	if err := writeWrapper(filepath.Join(sslDir, "terraform-provider-ssl"), e.realSSL, e.useTime); err != nil {
		return nil, err
	}
	if err := writeWrapper(filepath.Join(nullDir, "terraform-provider-benchnull"), e.realNull, e.useTime); err != nil {
		return nil, err
	}
	e.cliConfig = filepath.Join(c.work, "bench.tfrc")
	if err := writeCLIConfig(e.cliConfig, sslDir, nullDir); err != nil {
		return nil, err
	}
	return e, nil
}

// writeWrapper writes the executable Terraform starts as the provider: the real
// binary under /usr/bin/time, which appends "maxRSS(kB) user(s) sys(s) elapsed(s)"
// to $BENCH_RSS_FILE when the provider exits; or a plain exec.
func writeWrapper(path, real string, useTime bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	script := "#!/bin/sh\nexec " + shellQuote(real) + ` "$@"` + "\n"
	if useTime {
		script = "#!/bin/sh\nexec " + timeTool + ` -a -o "${BENCH_RSS_FILE:-/dev/null}" -f '%M %U %S %e' ` + shellQuote(real) + ` "$@"` + "\n"
	}
	return os.WriteFile(path, []byte(script), 0o755)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func writeCLIConfig(path, sslDir, nullDir string) error {
	text := fmt.Sprintf(`# Written by tools/bench: the providers built for this run.
provider_installation {
  dev_overrides {
    "sslkit/ssl"       = %q
    "sslkit/benchnull" = %q
  }
  direct {}
}
`, sslDir, nullDir)
	return os.WriteFile(path, []byte(text), 0o600)
}

// scenarioDir writes (once) and returns the configuration of n resources of kind.
func (e *tfEnv) scenarioDir(kind string, n int) (string, error) {
	dir := filepath.Join(e.c.work, "tf", fmt.Sprintf("%s-%d", kind, n))
	if _, err := os.Stat(filepath.Join(dir, "main.tf")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	var tf string
	switch kind {
	case kindNull:
		tf = fmt.Sprintf(`terraform {
  required_providers {
    benchnull = { source = "sslkit/benchnull" }
  }
}

resource "benchnull_thing" "r" {
  count = %d
  name  = "bench-${count.index}"
}
`, n)
	case kindData:
		tf = fmt.Sprintf(`resource "terraform_data" "r" {
  count = %d
  input = "bench-${count.index}"
}
`, n)
	case kindCert:
		tf = fmt.Sprintf(`terraform {
  required_providers {
    ssl = { source = "sslkit/ssl" }
  }
}

provider "ssl" {}

resource "ssl_certificate" "r" {
  count             = %d
  name              = "bench-${count.index}"
  domain            = "h${count.index}.bench.example.com"
  brand             = "TrustAsia"
  certificate_type  = "DV"
  key_algorithm     = "ECC"
  key_size          = 256
  validation_method = "DNS_AUTO"
}
`, n)
	case kindUpload:
		tf = fmt.Sprintf(`terraform {
  required_providers {
    ssl = { source = "sslkit/ssl" }
  }
}

provider "ssl" {}

resource "ssl_certificate_upload" "r" {
  count           = %d
  name            = "bench-${count.index}"
  certificate_pem = file("%s/chain-${count.index}.pem")
  private_key_pem = file("%s/key-${count.index}.pem")
}
`, n, e.material, e.material)
	default:
		return "", fmt.Errorf("unknown kind %q", kind)
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o600)
}

// runOp runs one terraform command of a scenario and measures it. cliConfig
// overrides the CLI config (profiling); profDir is passed to profprovider.
func (e *tfEnv) runOp(kind string, n int, op string, round int, profDir string) (tfRun, error) {
	res := tfRun{kind: kind, op: op, n: n, round: round}
	dir, err := e.scenarioDir(kind, n)
	if err != nil {
		return res, err
	}
	par := fmt.Sprintf("-parallelism=%d", e.c.parallelism)
	var args []string
	switch op {
	case "apply":
		for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
			_ = os.Remove(filepath.Join(dir, f))
		}
		args = []string{"apply", "-auto-approve", "-input=false", "-no-color", par}
	case "plan":
		args = []string{"plan", "-detailed-exitcode", "-input=false", "-no-color", par}
	case "destroy":
		args = []string{"destroy", "-auto-approve", "-input=false", "-no-color", par}
	}
	rssFile := filepath.Join(e.rssDir, fmt.Sprintf("%s-%d-%s-r%d.txt", kind, n, op, round))
	_ = os.Remove(rssFile)
	cliConfig := e.cliConfig
	if profDir != "" {
		cliConfig = e.profConfig
	}
	cmd := exec.Command(e.c.terraform, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"TF_INPUT=0", "TF_LOG=", "SSL_DATA_DIR="+e.dataDir, "BENCH_RSS_FILE="+rssFile,
		"SSL_BENCH_CPUPROFILE_DIR="+profDir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out

	var poll *rssPoller
	if !e.useTime {
		poll = startRSSPoller([]string{e.realSSL, e.realNull, e.profBinary})
	}
	start := time.Now()
	err = cmd.Run()
	res.wall = time.Since(start)
	if poll != nil {
		res.provRSS, res.provStarts = poll.stop()
	}
	logName := filepath.Join(e.c.work, "logs", fmt.Sprintf("%s-%d-%s-r%d.log", kind, n, op, round))
	_ = os.WriteFile(logName, []byte(out.String()), 0o644)
	if cmd.ProcessState != nil {
		res.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	var exit *exec.ExitError
	switch {
	case op == "plan" && errors.As(err, &exit) && exit.ExitCode() == 2:
		res.planNotEmpty = true
		res.planDetailTxt = planSummary(out.String())
	case err != nil:
		return res, fmt.Errorf("terraform %s (%s, N = %d) in %s: %v\n%s", op, kind, n, dir, err, tail(out.String(), 30))
	}
	if e.useTime {
		res.provRSS, res.provCPU, res.provStarts = readTimeFile(rssFile)
	}
	if op == "apply" {
		if fi, err := os.Stat(filepath.Join(dir, "terraform.tfstate")); err == nil {
			res.stateBytes = fi.Size()
		}
	}
	return res, nil
}

// planSummary returns the "Plan: …" line and the first changed attributes of a plan.
func planSummary(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "Plan:") || strings.HasPrefix(t, "~ ") || strings.HasPrefix(t, "# ") {
			lines = append(lines, t)
		}
		if len(lines) >= 8 {
			break
		}
	}
	return strings.Join(lines, "; ")
}

// readTimeFile sums what /usr/bin/time wrote for each provider process of a command.
func readTimeFile(path string) (rssKB int64, cpu time.Duration, starts int) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 {
			continue // e.g. "Command exited with non-zero status"
		}
		rss, err1 := strconv.ParseInt(fields[0], 10, 64)
		user, err2 := strconv.ParseFloat(fields[1], 64)
		sys, err3 := strconv.ParseFloat(fields[2], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		starts++
		rssKB = max(rssKB, rss)
		cpu += time.Duration((user + sys) * float64(time.Second))
	}
	return rssKB, cpu, starts
}

// rssPoller reads VmHWM of every process running one of the given binaries, every
// 50 ms (used when /usr/bin/time is missing).
type rssPoller struct {
	done   chan struct{}
	wg     sync.WaitGroup
	maxKB  int64
	pids   map[int]bool
	binary map[string]bool
}

func startRSSPoller(binaries []string) *rssPoller {
	p := &rssPoller{done: make(chan struct{}), pids: map[int]bool{}, binary: map[string]bool{}}
	for _, b := range binaries {
		if b != "" {
			p.binary[b] = true
		}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			p.scan()
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *rssPoller) scan() {
	entries, _ := os.ReadDir("/proc")
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", ent.Name(), "exe"))
		if err != nil || !p.binary[exe] {
			continue
		}
		p.pids[pid] = true
		b, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				p.maxKB = max(p.maxKB, kb)
			}
		}
	}
}

func (p *rssPoller) stop() (int64, int) {
	close(p.done)
	p.wg.Wait()
	return p.maxKB, len(p.pids)
}
