package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// report gathers the figures of a run, checks them against the targets of issue 7
// and renders RESULTS.md.
type report struct {
	cfg       *config
	started   time.Time
	elapsed   time.Duration
	machine   machine
	goSamples map[string][]goSample
	goOrder   []string
	tf        *tfEnv
	tfRuns    []tfRun
	targets   []*target
}

// target is one goal of the issue and how this run did against it.
type target struct {
	what     string // e.g. "ECC issuance vs its floor"
	figure   string // the measured figure
	floor    string // its floor ("" for an absolute target)
	value    string // the ratio or the absolute value
	limit    string // e.g. "≤ 2.0×"
	measured bool
	met      bool
	// How to profile a miss: a Go benchmark, or a Terraform scenario.
	goBench      string
	tfKind, tfOp string
	tfN          int
	tfMem        bool   // profile the heap, not the CPU
	profile      string // pprof top frames of a miss
}

// --- statistics -------------------------------------------------------------

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (r *report) goValues(name, unit string) []float64 {
	var out []float64
	for _, s := range r.goSamples[name] {
		if v, ok := s[unit]; ok {
			out = append(out, v)
		}
	}
	return out
}

func (r *report) goMedian(name, unit string) (float64, bool) {
	v := r.goValues(name, unit)
	if len(v) == 0 {
		return 0, false
	}
	return median(v), true
}

// goFloorOf names the floor benchmark of name, if it has one.
func goFloorOf(name string) string {
	for fig, floor := range map[string]string{"/service": "/floor", "/check": "/parse", "/api": "/direct"} {
		if strings.HasSuffix(name, fig) {
			return strings.TrimSuffix(name, fig) + floor
		}
	}
	return ""
}

type tfKey struct {
	kind, op string
	n        int
}

func (r *report) tfSel(k tfKey) []tfRun {
	var out []tfRun
	for _, run := range r.tfRuns {
		if run.kind == k.kind && run.op == k.op && run.n == k.n {
			out = append(out, run)
		}
	}
	return out
}

// tfMedian is the median wall time of a scenario's operation, in seconds.
func (r *report) tfMedian(k tfKey, f func(tfRun) float64) (float64, bool) {
	runs := r.tfSel(k)
	if len(runs) == 0 {
		return 0, false
	}
	var xs []float64
	for _, run := range runs {
		xs = append(xs, f(run))
	}
	return median(xs), true
}

func wallSec(t tfRun) float64 { return t.wall.Seconds() }

// peakRSSOp is the operation in which a kind's provider reached its peak RSS at n.
func (r *report) peakRSSOp(kind string, n int) string {
	op, m := "plan", int64(0)
	for _, run := range r.tfRuns {
		if run.kind == kind && run.n == n && run.provRSS > m {
			op, m = run.op, run.provRSS
		}
	}
	return op
}

// peakRSS is the largest provider RSS of a kind at n over every operation and round, kB.
func (r *report) peakRSS(kind string, n int) int64 {
	var m int64
	for _, run := range r.tfRuns {
		if run.kind == kind && run.n == n {
			m = max(m, run.provRSS)
		}
	}
	return m
}

// --- targets ----------------------------------------------------------------

func (r *report) ratioTarget(what, fig, floor string, limit float64) *target {
	t := &target{what: what, figure: fig, floor: floor, limit: fmt.Sprintf("≤ %.1f×", limit), goBench: fig}
	a, ok1 := r.goMedian(fig, "ns/op")
	b, ok2 := r.goMedian(floor, "ns/op")
	if ok1 && ok2 && b > 0 {
		t.measured = true
		t.figure, t.floor = fig+": "+fmtNs(a), floor+": "+fmtNs(b)
		t.value = fmt.Sprintf("%.2f×", a/b)
		t.met = a/b <= limit
	}
	return t
}

func (r *report) absTarget(what, fig string, limit time.Duration) *target {
	t := &target{what: what, figure: fig, limit: "≤ " + fmtNs(float64(limit)), goBench: fig}
	if a, ok := r.goMedian(fig, "ns/op"); ok {
		t.measured = true
		t.figure = fig
		t.value = fmtNs(a)
		t.met = a <= float64(limit)
	}
	return t
}

func (r *report) evaluate() {
	inv := 100_000
	if r.cfg.smoke {
		inv = 1000
	}
	r.machine.inventoryN = inv
	add := func(t *target) { r.targets = append(r.targets, t) }
	if len(r.goSamples) > 0 {
		add(r.ratioTarget("ECC P-256 issuance through the service (store commit included) vs key generation + signing + encoding",
			"Issuance/ECC/service", "Issuance/ECC/floor", 2.0))
		add(r.ratioTarget("RSA 2048 issuance through the service vs its floor", "Issuance/RSA/service", "Issuance/RSA/floor", 1.2))
		for _, k := range []string{"international-RSA", "international-ECC", "sm2"} {
			add(r.ratioTarget("upload validation ("+k+" bundle, certs.CheckUpload) vs parsing alone",
				"CheckUpload/"+k+"/check", "CheckUpload/"+k+"/parse", 1.5))
		}
		add(r.absTarget(fmt.Sprintf("ssl_certificates filter (domain + expiring_within_days) over %d certificates", inv),
			fmt.Sprintf("Filter/certs=%d/domain+expiring", inv), 20*time.Millisecond))
		add(r.absTarget(fmt.Sprintf("alarm evaluation over %d certificates, steady state (nothing new fires)", inv),
			fmt.Sprintf("Evaluate/certs=%d/steady", inv), 200*time.Millisecond))
		add(r.absTarget(fmt.Sprintf("alarm evaluation over %d certificates, every candidate fires (first evaluation)", inv),
			fmt.Sprintf("Evaluate/certs=%d/refire-all", inv), 200*time.Millisecond))
	}
	if len(r.tfRuns) > 0 {
		for _, n := range r.cfg.sizes {
			for _, kind := range []string{kindCert, kindUpload} {
				for _, op := range []string{"apply", "plan"} {
					limit := 1.5
					if op == "plan" {
						limit = 1.3
					}
					what := fmt.Sprintf("%s, N = %d: %s vs the null provider", kindTitle[kind], n, op)
					if op == "plan" {
						what = fmt.Sprintf("%s, N = %d: no-change plan vs the null provider", kindTitle[kind], n)
					}
					t := &target{what: what, limit: fmt.Sprintf("≤ %.1f×", limit), tfKind: kind, tfOp: op, tfN: n}
					a, ok1 := r.tfMedian(tfKey{kind, op, n}, wallSec)
					b, ok2 := r.tfMedian(tfKey{kindNull, op, n}, wallSec)
					if ok1 && ok2 && b > 0 {
						t.measured, t.met = true, a/b <= limit
						t.figure, t.floor, t.value = fmtSec(a), fmtSec(b), fmt.Sprintf("%.2f×", a/b)
					}
					add(t)
				}
			}
		}
		if len(r.cfg.sizes) >= 2 {
			small, big := r.cfg.sizes[0], r.cfg.sizes[len(r.cfg.sizes)-1]
			for _, kind := range []string{kindCert, kindUpload} {
				for _, op := range ops {
					t := &target{what: fmt.Sprintf("%s %s: time per resource at N = %d vs N = %d", kindTitle[kind], op, big, small),
						limit: "≤ 1.2×", tfKind: kind, tfOp: op, tfN: big}
					a, ok1 := r.tfMedian(tfKey{kind, op, big}, wallSec)
					b, ok2 := r.tfMedian(tfKey{kind, op, small}, wallSec)
					if ok1 && ok2 && b > 0 {
						pa, pb := a/float64(big), b/float64(small)
						t.measured, t.met = true, pa/pb <= 1.2
						t.figure, t.floor, t.value = fmtMs(pa*1000)+"/resource", fmtMs(pb*1000)+"/resource", fmt.Sprintf("%.2f×", pa/pb)
						na, _ := r.tfMedian(tfKey{kindNull, op, big}, wallSec)
						nb, _ := r.tfMedian(tfKey{kindNull, op, small}, wallSec)
						if nb > 0 {
							t.value += fmt.Sprintf(" (null provider: %.2f×)", (na/float64(big))/(nb/float64(small)))
						}
					}
					add(t)
				}
			}
		}
		big := r.cfg.sizes[len(r.cfg.sizes)-1]
		for _, kind := range []string{kindCert, kindUpload} {
			t := &target{what: fmt.Sprintf("provider peak RSS, %s, N = %d (apply, plan, destroy)", kindTitle[kind], big), limit: "≤ 150 MB",
				tfKind: kind, tfN: big, tfOp: r.peakRSSOp(kind, big), tfMem: true}
			if rss := r.peakRSS(kind, big); rss > 0 {
				t.measured, t.met = true, float64(rss)/1024 <= 150
				t.value = fmt.Sprintf("%.0f MB", float64(rss)/1024)
				t.figure = t.value
			}
			add(t)
		}
		for _, n := range r.cfg.sizes {
			if n != 200 {
				continue
			}
			t := &target{what: "ssl_certificate apply, N = 200, vs hashicorp/tls (~17 s for 200 ECDSA certificates on this machine, per issue 7): an order of magnitude faster",
				limit: "≤ 1.7 s", tfKind: kindCert, tfOp: "apply", tfN: 200}
			if a, ok := r.tfMedian(tfKey{kindCert, "apply", 200}, wallSec); ok {
				t.measured, t.met, t.value, t.figure = true, a <= 1.7, fmtSec(a), fmtSec(a)
			}
			add(t)
		}
	}
}

// --- formatting -------------------------------------------------------------

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func fmtSec(s float64) string { return fmt.Sprintf("%.2f s", s) }
func fmtMs(ms float64) string { return fmt.Sprintf("%.2f ms", ms) }

func fmtBytes(b float64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

func status(t *target) string {
	switch {
	case !t.measured:
		return "not measured"
	case t.met:
		return "**met**"
	}
	return "**missed**"
}

// summary is the short text printed at the end of a run.
func (r *report) summary() string {
	var b strings.Builder
	for _, t := range r.targets {
		fmt.Fprintf(&b, "%-12s %-10s %s\n", strings.Trim(status(t), "*"), t.value, t.what)
	}
	for _, run := range r.tfRuns {
		if run.planNotEmpty {
			fmt.Fprintf(&b, "WARNING: the plan after apply of %d %s was not empty: %s\n", run.n, run.kind, run.planDetailTxt)
		}
	}
	return b.String()
}

func (r *report) markdown() string {
	var b strings.Builder
	m := r.machine
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Benchmarks: terraform-provider-ssl against its floors\n\n")
	w("Written by `make bench` (`go run ./tools/bench`); do not edit by hand — the analysis comes from\n")
	w("`tools/bench/ANALYSIS.md`. Every figure is measured beside its floor in the same run, so that a\n")
	w("busy machine weighs on both. Go benchmarks: `-benchmem`, %d rounds, each round runs every benchmark\n", m.goRounds)
	w("once (`-count=1`) so the rounds interleave; the figure is the median over the rounds (as benchstat\n")
	w("reports it), the range is the slowest and fastest round. Terraform: apply → no-change plan → destroy\n")
	w("per resource kind and N, kinds in a rotating order, `-parallelism=%d` for all, medians over the rounds:\n", m.parallel)
	sizes := r.cfg.sizes
	if len(sizes) > 1 {
		w("%d rounds at N = %d, %d at N = %s", m.tfRounds, sizes[0], m.tfRoundsB, joinInts(sizes[1:]))
		if m.tfRoundsB == 1 {
			w(" (one round: at the larger N the two ssl kinds take several minutes each — Terraform's cost\n")
			w("grows with N², see below — so more rounds would break the run-time budget; those figures are single measurements)")
		}
		w(".\n")
	} else {
		w("%d rounds at N = %d.\n", m.tfRounds, sizes[0])
	}
	w("Timings are never asserted in tests; `make bench-smoke` only checks that everything runs.\n\n")
	if r.cfg.smoke {
		w("**Smoke run** (`make bench-smoke`): one iteration of each benchmark, small data; the figures mean nothing.\n\n")
	}

	w("## Machine\n\n| | |\n|---|---|\n")
	w("| date | %s |\n", m.date.Format("2006-01-02 15:04 UTC"))
	w("| nproc | %s |\n", m.nproc)
	w("| CPU | %s |\n", m.cpuModel)
	if m.memory != "" {
		w("| memory | %s |\n", m.memory)
	}
	w("| OS | %s |\n", m.kernel)
	w("| load average (1, 5, 15 min) | at start %s; at end %s |\n", m.loadStart, m.loadEnd)
	w("| Go | %s |\n", m.goVersion)
	if m.tfVersion != "" {
		w("| Terraform | %s |\n", m.tfVersion)
	}
	if m.commit != "" {
		w("| commit | %s |\n", m.commit)
	}
	if m.timeTool != "" {
		w("| provider RSS and CPU | %s |\n", m.timeTool)
	}
	w("| whole run | %s |\n\n", r.elapsed.Round(time.Second))

	w("## Targets\n\n| target | figure | floor | ratio / value | limit | result |\n|---|---|---|---|---|---|\n")
	met, missed := 0, 0
	for _, t := range r.targets {
		w("| %s | %s | %s | %s | %s | %s |\n", t.what, dash(t.figure), dash(t.floor), dash(t.value), t.limit, status(t))
		if t.measured && t.met {
			met++
		} else if t.measured {
			missed++
		}
	}
	w("\n%d targets met, %d missed.\n\n", met, missed)

	if len(r.goOrder) > 0 {
		r.goTable(&b)
	}
	if len(r.tfRuns) > 0 {
		r.tfTables(&b)
	}

	var profiled []*target
	for _, t := range r.targets {
		if t.profile != "" {
			profiled = append(profiled, t)
		}
	}
	if len(profiled) > 0 {
		w("## Profiles of the misses\n\n")
		w("CPU profiles taken in this run (Go: `go test -cpuprofile` on the benchmark; Terraform: the provider\n")
		w("rebuilt from `tools/bench/profprovider`, which writes a CPU profile per provider process, merged).\n")
		w("`go tool pprof -top -cum`, runtime and testing frames left out; then the top flat frames.\n\n")
		first := map[string]string{} // profile → the target it was shown under
		for _, t := range profiled {
			if prev, ok := first[t.profile]; ok {
				w("### %s\n\nThe same profile as for “%s” above.\n\n", t.what, prev)
				continue
			}
			first[t.profile] = t.what
			w("### %s\n\n```\n%s\n```\n\n", t.what, strings.TrimRight(t.profile, "\n"))
		}
	}
	if a, err := os.ReadFile(filepath.Join(r.cfg.root, "tools", "bench", "ANALYSIS.md")); err == nil && !r.cfg.smoke {
		w("%s", strings.TrimLeft(string(a), "\n"))
	}
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (r *report) goTable(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("## Go benchmarks\n\n")
	w("`-benchmem`; medians over %d rounds. `/service`, `/check` and `/api` are figures; `/floor`, `/parse` and\n", r.machine.goRounds)
	w("`/direct` their floors. The inventory benchmarks run over %d certificate records in SQLite (WAL,\n", r.machine.inventoryN)
	w("synchronous=NORMAL, as the embedded backend opens it), bulk-inserted once per run.\n\n")
	w("| benchmark | time/op | range | B/op | allocs/op | other | × floor |\n|---|---|---|---|---|---|---|\n")
	for _, name := range r.goOrder {
		ns, _ := r.goMedian(name, "ns/op")
		vals := r.goValues(name, "ns/op")
		lo, hi := vals[0], vals[0]
		for _, v := range vals {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		bop, _ := r.goMedian(name, "B/op")
		allocs, _ := r.goMedian(name, "allocs/op")
		var other []string
		for unit := range r.goSamples[name][0] {
			switch unit {
			case "ns/op", "B/op", "allocs/op":
				continue
			}
			v, _ := r.goMedian(name, unit)
			other = append(other, fmt.Sprintf("%.4g %s", v, unit))
		}
		sort.Strings(other)
		ratio := ""
		if f := goFloorOf(name); f != "" {
			if fv, ok := r.goMedian(f, "ns/op"); ok && fv > 0 {
				ratio = fmt.Sprintf("%.2f×", ns/fv)
			}
		}
		w("| %s | %s | %s – %s | %s | %.0f | %s | %s |\n", name, fmtNs(ns), fmtNs(lo), fmtNs(hi), fmtBytes(bop), allocs,
			dash(strings.Join(other, ", ")), dash(ratio))
	}
	w("\n")
}

func (r *report) tfTables(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("## Terraform\n\n")
	w("The real CLI with the provider built by the harness (`dev_overrides`), against `benchnull_thing` (a\n")
	w("terraform-plugin-framework provider whose resource does nothing, `tools/bench/nullprovider`) and\n")
	w("`terraform_data` (no provider process). Apply includes Terraform's plan; the no-change plan refreshes\n")
	w("every resource. Wall time, median over rounds; CPU = user + sys: *terraform* is the terraform process\n")
	w("itself, *provider* every provider process it started. Peak RSS is the largest of any provider process.\n\n")
	for _, n := range r.cfg.sizes {
		w("### N = %d\n\n", n)
		w("| resource | op | wall | × null | × terraform_data | per resource | terraform CPU | provider CPU | provider peak RSS | state / resource |\n")
		w("|---|---|---|---|---|---|---|---|---|---|\n")
		for _, kind := range []string{kindCert, kindUpload, kindNull, kindData} {
			for _, op := range ops {
				k := tfKey{kind, op, n}
				wall, ok := r.tfMedian(k, wallSec)
				if !ok {
					continue
				}
				nullWall, _ := r.tfMedian(tfKey{kindNull, op, n}, wallSec)
				dataWall, _ := r.tfMedian(tfKey{kindData, op, n}, wallSec)
				prov, _ := r.tfMedian(k, func(t tfRun) float64 { return t.provCPU.Seconds() })
				cpu, _ := r.tfMedian(k, func(t tfRun) float64 { return (t.cpu - t.provCPU).Seconds() })
				var rss int64
				state := ""
				for _, run := range r.tfSel(k) {
					rss = max(rss, run.provRSS)
					if run.stateBytes > 0 {
						state = fmtBytes(float64(run.stateBytes) / float64(n))
					}
				}
				rssText, provText := "—", "—"
				if kind != kindData {
					if rss > 0 {
						rssText = fmt.Sprintf("%.0f MB", float64(rss)/1024)
					}
					if prov > 0 {
						provText = fmtSec(prov)
					}
				}
				w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", kindTitle[kind], op, fmtSec(wall),
					ratioText(wall, nullWall), ratioText(wall, dataWall), fmtMs(wall*1000/float64(n)), fmtSec(cpu), provText,
					rssText, dash(state))
			}
		}
		w("\n")
	}
	for _, run := range r.tfRuns {
		if run.planNotEmpty {
			w("**The plan after apply was not empty** (%s, N = %d, round %d): %s\n\n", kindTitle[run.kind], run.n, run.round, run.planDetailTxt)
		}
	}
}

func ratioText(a, b float64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func joinInts(xs []int) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, fmt.Sprint(x))
	}
	return strings.Join(parts, ", ")
}
