package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes where the figures were measured.
type machine struct {
	date       time.Time
	nproc      string
	cpuModel   string
	memory     string
	kernel     string
	goVersion  string
	tfVersion  string
	commit     string
	loadStart  string
	loadEnd    string
	timeTool   string // "/usr/bin/time -v" or "/proc VmHWM polling"
	parallel   int
	goRounds   int
	tfRounds   int
	tfRoundsB  int
	smallInv   bool
	inventoryN int
}

func describeMachine(c *config) machine {
	m := machine{date: time.Now().UTC(), goVersion: runtime.Version(), loadStart: loadAverage(),
		parallel: c.parallelism, goRounds: c.goRounds, tfRounds: c.tfRounds, tfRoundsB: c.tfRoundsBig, smallInv: c.smoke}
	m.nproc = strconv.Itoa(runtime.NumCPU())
	if out, err := exec.Command("nproc").Output(); err == nil {
		m.nproc = strings.TrimSpace(string(out))
	}
	m.cpuModel = cpuInfo("model name")
	if m.cpuModel == "" {
		m.cpuModel = runtime.GOARCH
	}
	if kb := memInfo("MemTotal"); kb > 0 {
		m.memory = strconv.FormatFloat(float64(kb)/(1<<20), 'f', 1, 64) + " GiB"
	}
	if out, err := exec.Command("uname", "-sr").Output(); err == nil {
		m.kernel = strings.TrimSpace(string(out))
	}
	if c.terraform != "" {
		if out, err := exec.Command(c.terraform, "version").Output(); err == nil {
			m.tfVersion = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
		}
	}
	if out, err := exec.Command("git", "-C", c.root, "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "-C", c.root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
			m.commit += " (+ uncommitted changes)"
		}
	}
	return m
}

// cpuInfo returns the first value of key in /proc/cpuinfo.
func cpuInfo(key string) string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// memInfo returns a /proc/meminfo value in kB.
func memInfo(key string) int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
