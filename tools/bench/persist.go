package main

import (
	"encoding/json"
	"os"
	"time"
)

// savedRun is everything a report is rendered from: a run writes it to
// <work>/results.json, and -render re-renders a report from such a file (to take in
// a changed ANALYSIS.md without measuring again).
type savedRun struct {
	Started   time.Time
	Elapsed   time.Duration
	Smoke     bool
	Sizes     []int
	Machine   savedMachine
	GoOrder   []string
	GoSamples map[string][]goSample
	TFRuns    []savedTFRun
	Profiles  map[string]string // target → pprof text
}

type savedMachine struct {
	Date                                                   time.Time
	Nproc, CPUModel, Memory, Kernel, GoVersion, TFVersion  string
	Commit, LoadStart, LoadEnd, TimeTool                   string
	Parallel, GoRounds, TFRounds, TFRoundsLarge, Inventory int
}

type savedTFRun struct {
	Kind, Op              string
	N, Round              int
	Wall, CPU, ProvCPU    time.Duration
	ProvRSSKB, StateBytes int64
	ProvStarts            int
	PlanNotEmpty          bool
	PlanDetail            string
}

func (r *report) save(path string) error {
	m := r.machine
	s := savedRun{Started: r.started, Elapsed: r.elapsed, Smoke: r.cfg.smoke, Sizes: r.cfg.sizes,
		Machine: savedMachine{Date: m.date, Nproc: m.nproc, CPUModel: m.cpuModel, Memory: m.memory, Kernel: m.kernel,
			GoVersion: m.goVersion, TFVersion: m.tfVersion, Commit: m.commit, LoadStart: m.loadStart, LoadEnd: m.loadEnd,
			TimeTool: m.timeTool, Parallel: m.parallel, GoRounds: m.goRounds, TFRounds: m.tfRounds,
			TFRoundsLarge: m.tfRoundsB, Inventory: m.inventoryN},
		GoOrder: r.goOrder, GoSamples: r.goSamples, Profiles: map[string]string{}}
	for _, t := range r.tfRuns {
		s.TFRuns = append(s.TFRuns, savedTFRun{Kind: t.kind, Op: t.op, N: t.n, Round: t.round, Wall: t.wall, CPU: t.cpu,
			ProvCPU: t.provCPU, ProvRSSKB: t.provRSS, StateBytes: t.stateBytes, ProvStarts: t.provStarts,
			PlanNotEmpty: t.planNotEmpty, PlanDetail: t.planDetailTxt})
	}
	for _, t := range r.targets {
		if t.profile != "" {
			s.Profiles[t.what] = t.profile
		}
	}
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// load rebuilds a report from a saved run; evaluate() then recomputes the targets.
func load(c *config, path string) (*report, map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var s savedRun
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, nil, err
	}
	c.smoke, c.sizes = s.Smoke, s.Sizes
	m := s.Machine
	r := &report{cfg: c, started: s.Started, elapsed: s.Elapsed, goOrder: s.GoOrder, goSamples: s.GoSamples,
		machine: machine{date: m.Date, nproc: m.Nproc, cpuModel: m.CPUModel, memory: m.Memory, kernel: m.Kernel,
			goVersion: m.GoVersion, tfVersion: m.TFVersion, commit: m.Commit, loadStart: m.LoadStart, loadEnd: m.LoadEnd,
			timeTool: m.TimeTool, parallel: m.Parallel, goRounds: m.GoRounds, tfRounds: m.TFRounds,
			tfRoundsB: m.TFRoundsLarge, smallInv: s.Smoke, inventoryN: m.Inventory}}
	if r.goSamples == nil {
		r.goSamples = map[string][]goSample{}
	}
	for _, t := range s.TFRuns {
		r.tfRuns = append(r.tfRuns, tfRun{kind: t.Kind, op: t.Op, n: t.N, round: t.Round, wall: t.Wall, cpu: t.CPU,
			provCPU: t.ProvCPU, provRSS: t.ProvRSSKB, stateBytes: t.StateBytes, provStarts: t.ProvStarts,
			planNotEmpty: t.PlanNotEmpty, planDetailTxt: t.PlanDetail})
	}
	return r, s.Profiles, nil
}
