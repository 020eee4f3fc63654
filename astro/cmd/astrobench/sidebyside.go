package main

// Side by side with NEST: with -nest PREFIX, astrobench runs NEST's own
// astrocyte_brunel example (from that NEST install) and astronb's, one after
// the other, -runs times each, with the same -threads and -scale, and prints
// every run, the medians and the ratio:
//
//	go run ./astro/cmd/astrobench -nest /opt/nest -threads 2 -runs 3
//	GOEXPERIMENT=simd go run ./astro/cmd/astrobench -nest /opt/nest -threads 2 -runs 3
//
// or, for the whole table (1 and 2 threads, the path the calibration
// chooses and the scalar one, each astronb run in a child process):
//
//	GOEXPERIMENT=simd go build -o astrobench ./astro/cmd/astrobench
//	./astrobench -nest /opt/nest -nest-threads 1,2 -paths auto,off -runs 3
//
// NEST's example is run unchanged by a small Python driver (sideDriver)
// that times its phases the way astronb's brunel.Run does: create (the
// example's create_astro_network), connect (everything up to the first
// Simulate: connect_astro_network and the recorders), pre-simulation and
// simulation (the two Simulate calls). It skips the example's plots.

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/brunel"
	"github.com/astronb/astronb/internal/procstat"
)

var (
	nestPrefix   = flag.String("nest", "", "NEST install prefix (or its bin/nest_vars.sh): run NEST's own astrocyte_brunel example and astronb's alternately, -runs times each with -threads and -scale, and print the medians and the ratio")
	nestScript   = flag.String("nest-example", "", "with -nest: NEST's astrocyte_brunel.py (default: PREFIX/share/doc/nest/examples/pynest/astrocytes/astrocyte_brunel.py)")
	nestLimit    = flag.Duration("nest-timeout", 2*time.Hour, "with -nest: the longest one NEST run (or astronb run in a child process) may take")
	nestThreads  = flag.String("nest-threads", "", "with -nest: thread counts to compare, e.g. 1,2 (default: -threads)")
	sidePaths    = flag.String("paths", "", "with -nest: astronb paths to run, values of "+astro.VectorEnv+" such as auto,off, each in a child process (default: this process's path, in this process)")
	sideChildRun = flag.Bool("side-child", false, "internal: one astronb run for -nest -paths, printing one line of figures")
)

// sideDriver runs NEST's astrocyte_brunel.py (argv[1]) with argv[2]
// threads at scale argv[3] and prints one line of phase times (s), CPU time
// (s) and peak RSS (MB). It executes the example's own source, with only its
// final run_simulation() call held back, and hands the example a stand-in
// for the nest module that forwards everything to NEST but times Simulate
// and skips the raster plot (plot_dynamics and plt.show are skipped too).
const sideDriver = `
import resource, sys, time
import matplotlib
matplotlib.use("Agg")
import nest

path, threads, scale = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
src = open(path).read().rstrip()
if not src.endswith("\nrun_simulation()") or "def create_astro_network(scale=1.0)" not in src:
    sys.exit(path + " is not NEST 3.8's astrocyte_brunel.py (run_simulation() last, create_astro_network(scale))")
g = {"__name__": "astrocyte_brunel", "__file__": path}
exec(compile(src[: -len("run_simulation()")], path, "exec"), g)
g["sim_params"]["n_threads"] = threads
marks = []

class NoPlot:
    def from_device(self, *args, **kwargs):
        pass

class Timed:
    "nest, with Simulate timed and the raster plot skipped."
    def __getattr__(self, name):
        if name == "raster_plot":
            return NoPlot()
        return getattr(nest, name)
    def __setattr__(self, name, value):
        setattr(nest, name, value)
    def Simulate(self, t):
        marks.append(time.perf_counter())
        nest.Simulate(t)
        marks.append(time.perf_counter())

create, connect = g["create_astro_network"], g["connect_astro_network"]
def create_scaled(scale_=1.0):
    marks.append(time.perf_counter())
    nodes = create(scale)
    marks.append(time.perf_counter())
    return nodes
g["nest"] = Timed()
g["create_astro_network"] = create_scaled
g["connect_astro_network"] = lambda *nodes, scale_=1.0: connect(*nodes, scale=scale)
g["plot_dynamics"] = lambda *args, **kwargs: None
g["plt"].show = lambda *args, **kwargs: None
g["run_simulation"]()
if len(marks) != 6:
    sys.exit("the example did not create once and simulate twice")
ru = resource.getrusage(resource.RUSAGE_SELF)
print("\nnest-phases create=%.3f connect=%.3f presim=%.3f sim=%.3f cpu=%.3f rss_mb=%d" % (
    marks[1] - marks[0], marks[2] - marks[1], marks[3] - marks[2], marks[5] - marks[4],
    ru.ru_utime + ru.ru_stime, ru.ru_maxrss // 1024))
`

// nestRun is one run's figures: wall time per phase, CPU time and peak RSS.
type nestRun struct {
	phases brunel.Phases
	cpu    time.Duration
	rssMB  int64
}

// nestInstall is what -nest names: the Python that NEST was built for, the
// environment of its nest_vars.sh, and the example to run.
type nestInstall struct {
	prefix, python, version, example string
	env                              []string
}

// findNEST resolves -nest (an install prefix or its bin/nest_vars.sh).
func findNEST(arg, example string) (*nestInstall, error) {
	prefix := arg
	if filepath.Base(arg) == "nest_vars.sh" {
		prefix = filepath.Dir(filepath.Dir(arg))
	}
	vars := filepath.Join(prefix, "bin", "nest_vars.sh")
	if _, err := os.Stat(vars); err != nil {
		return nil, fmt.Errorf("-nest %q: want a NEST install prefix or its bin/nest_vars.sh: %w", arg, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sh", "-c", `. "$1" >/dev/null && env -0`, "sh", vars).Output()
	if err != nil {
		return nil, fmt.Errorf("-nest: sourcing %s: %w", vars, err)
	}
	in := &nestInstall{prefix: prefix, example: cmp.Or(example,
		filepath.Join(prefix, "share", "doc", "nest", "examples", "pynest", "astrocytes", "astrocyte_brunel.py"))}
	for kv := range bytes.SplitSeq(bytes.TrimRight(out, "\x00"), []byte{0}) {
		in.env = append(in.env, string(kv))
	}
	cfg := exec.CommandContext(ctx, filepath.Join(prefix, "bin", "nest-config"), "--python-executable")
	cfg.Env = in.env
	if out, err = cfg.Output(); err != nil {
		return nil, fmt.Errorf("-nest: asking %s/bin/nest-config for NEST's Python: %w", prefix, err)
	}
	in.python = strings.TrimSpace(string(out))
	if _, err := os.Stat(in.example); err != nil {
		return nil, fmt.Errorf("-nest-example: NEST's astrocyte_brunel.py: %w", err)
	}
	ver := exec.CommandContext(ctx, in.python, "-c", "import nest; print(nest.__version__)")
	ver.Env = in.env
	if out, err = ver.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("-nest: %s cannot import NEST from %s: %w\n%s", in.python, prefix, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	in.version = lines[len(lines)-1]
	return in, nil
}

// run runs NEST's example once and parses the driver's line.
func (in *nestInstall) run(threads int, scale float64, timeout time.Duration) (nestRun, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, in.python, "-c", sideDriver, in.example, strconv.Itoa(threads), strconv.FormatFloat(scale, 'g', -1, 64))
	cmd.Env = in.env
	cmd.Dir = os.TempDir() // the example writes nothing, but NEST may
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nestRun{}, fmt.Errorf("NEST's example: %w\n%s", err, lastLines(out, 20))
	}
	return parseNESTPhases(out)
}

// parseNESTPhases reads the driver's line of figures from NEST's output.
func parseNESTPhases(out []byte) (nestRun, error) {
	r, _, err := parsePhases(out, "nest-phases ", "NEST's example")
	return r, err
}

// parsePhases reads a line "PREFIX create=… connect=… presim=… sim=… cpu=…
// rss_mb=… [key=value …]" (times in s, RSS in MB) from out, printed by who;
// it returns the figures and the other keys' values.
func parsePhases(out []byte, prefix, who string) (nestRun, map[string]string, error) {
	for line := range strings.Lines(string(out)) {
		fields, ok := strings.CutPrefix(strings.TrimSpace(line), prefix)
		if !ok {
			continue
		}
		v, extra := map[string]float64{}, map[string]string{}
		for f := range strings.FieldsSeq(fields) {
			k, s, _ := strings.Cut(f, "=")
			if !slices.Contains(phaseKeys, k) {
				extra[k] = s
				continue
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || !(x >= 0) || math.IsInf(x, 0) {
				return nestRun{}, nil, fmt.Errorf("%s printed %q: %q is not a time or size", who, strings.TrimSpace(line), f)
			}
			v[k] = x
		}
		for _, k := range phaseKeys {
			if _, ok := v[k]; !ok {
				return nestRun{}, nil, fmt.Errorf("%s printed %q: no %s", who, strings.TrimSpace(line), k)
			}
		}
		sec := func(k string) time.Duration { return time.Duration(v[k] * float64(time.Second)) }
		return nestRun{brunel.Phases{Create: sec("create"), Connect: sec("connect"), PreSim: sec("presim"), Sim: sec("sim")},
			sec("cpu"), int64(v["rss_mb"])}, extra, nil
	}
	return nestRun{}, nil, fmt.Errorf("%s printed no phase times:\n%s", who, lastLines(out, 20))
}

// phaseKeys are the figures every phase line carries.
var phaseKeys = []string{"create", "connect", "presim", "sim", "cpu", "rss_mb"}

// sideChild is one astronb run as a child of sideBySide (-side-child): it
// prints the line runAstronb reads.
func sideChild(p brunel.Params) error {
	o, spikes, err := runOnce(p)
	if err != nil {
		return err
	}
	ph := o.phases
	fmt.Printf("astronb-phases create=%.3f connect=%.3f presim=%.3f sim=%.3f cpu=%.3f rss_mb=%d spikes=%d path=%s\n",
		ph.Create.Seconds(), ph.Connect.Seconds(), ph.PreSim.Seconds(), ph.Sim.Seconds(),
		o.cpu.Seconds(), o.rssMB, spikes, astro.VectorPath())
	return nil
}

// runOnce runs astronb's example once in this process and returns its
// phases, CPU time and peak RSS, and its number of spikes.
func runOnce(p brunel.Params) (nestRun, int64, error) {
	cpu0 := procstat.CPUTime()
	res, err := brunel.Run(p, nil)
	if err != nil {
		return nestRun{}, 0, err
	}
	return nestRun{res.Phases, procstat.CPUTime() - cpu0, procstat.PeakRSSMB()}, res.Stats.Spikes, nil
}

func lastLines(b []byte, n int) string {
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}

// sideBySide runs NEST's example and astronb's alternately, runs times
// each, for every thread count in -nest-threads (default: -threads) and
// every astronb path in -paths, and prints each run, the medians and the
// ratios NEST / astronb, last as a Markdown table.
//
// One round is: for each thread count, NEST once, then astronb once per
// path. With -paths, each astronb run is a child process of this binary
// with ASTRONB_VECTOR set (the path is fixed per process); without it,
// astronb runs in this process on the path it chose.
func sideBySide(p brunel.Params, runs int) error {
	def := brunel.DefaultParams()
	if p.Network != def.Network || p.Sim.RNGSeed != 0 {
		return errors.New("-nest runs NEST's example as it is: -nex, -nin, -nastro and -seed cannot be used with it (use -scale)")
	}
	if !(p.Scale >= 1) || p.Sim.NThreads < 1 {
		return fmt.Errorf("-nest: -scale = %g must be ≥ 1 and -threads = %d ≥ 1", p.Scale, p.Sim.NThreads)
	}
	threads, err := parseThreadList(*nestThreads, p.Sim.NThreads)
	if err != nil {
		return err
	}
	paths, err := parsePaths(*sidePaths)
	if err != nil {
		return err
	}
	in, err := findNEST(*nestPrefix, *nestScript)
	if err != nil {
		return err
	}
	names := make([]string, len(paths))
	for i, path := range paths {
		names[i] = pathName(path)
	}
	fmt.Printf("NEST %s (%s, %s) against astronb, threads %v, astronb paths %v, scale=%g, %d runs each, alternating\n",
		in.version, in.prefix, in.python, threads, names, p.Scale, runs)
	fmt.Printf("CPU: %s; load average at the start: %s\n", cpuModel(), loadAvg())
	var all []*sideSeries
	get := func(t int, nest bool, path string) *sideSeries {
		for _, s := range all {
			if s.threads == t && s.nest == nest && s.path == path {
				return s
			}
		}
		s := &sideSeries{threads: t, nest: nest, path: path}
		all = append(all, s)
		return s
	}
	for i := range runs {
		for _, t := range threads {
			n, err := in.run(t, p.Scale, *nestLimit)
			if err != nil {
				return err
			}
			ns := get(t, true, "")
			ns.runs = append(ns.runs, n)
			fmt.Printf("run %d threads=%d NEST            %s cpu=%.1fs peakRSS=%dMB load=%s\n", i+1, t, phaseFigures(n.phases), n.cpu.Seconds(), n.rssMB, loadAvg())
			for _, path := range paths {
				q := p
				q.Sim.NThreads = t
				o, name, spikes, err := runAstronb(q, path)
				if err != nil {
					return err
				}
				as := get(t, false, path)
				as.runs = append(as.runs, o)
				fmt.Printf("run %d threads=%d astronb %-7s %s cpu=%.1fs peakRSS=%dMB spikes=%d load=%s\n", i+1, t, name, phaseFigures(o.phases), o.cpu.Seconds(), o.rssMB, spikes, loadAvg())
			}
		}
	}
	fmt.Printf("\nmedians of %d alternating runs, scale %g, %s; load average at the end: %s\n\n", runs, p.Scale, cpuModel(), loadAvg())
	fmt.Print(sideTable(threads, all))
	return nil
}

// sideSeries is one row of the side-by-side table: NEST's runs or
// astronb's on one path, at one thread count.
type sideSeries struct {
	threads int
	nest    bool
	path    string // astronb's -paths entry ("" for this process's path)
	runs    []nestRun
}

// median is the median of f over the runs: the middle run (odd N), the
// upper middle one (even N).
func median[R any, X cmp.Ordered](rs []R, f func(R) X) X {
	d := make([]X, len(rs))
	for i, r := range rs {
		d[i] = f(r)
	}
	slices.Sort(d)
	return d[len(d)/2]
}

// sideTable is the Markdown table of the series' medians (times in s,
// peak RSS in MB) and astronb's ratios to NEST at the same thread count.
func sideTable(threads []int, all []*sideSeries) string {
	total := func(r nestRun) float64 { return r.phases.Total().Seconds() }
	sim := func(r nestRun) float64 { return r.phases.Sim.Seconds() }
	cpu := func(r nestRun) float64 { return r.cpu.Seconds() }
	rss := func(r nestRun) float64 { return float64(r.rssMB) }
	var b strings.Builder
	b.WriteString("| threads | run | total | simulation | CPU | peak RSS | total vs NEST | simulation vs NEST |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, t := range threads {
		var ns *sideSeries
		for _, s := range all {
			if s.threads == t && s.nest {
				ns = s
			}
		}
		for _, s := range all {
			if s.threads != t || len(s.runs) == 0 {
				continue
			}
			name, ratio := "NEST 3.8", func(func(nestRun) float64) string { return "" }
			if !s.nest {
				name = "astronb " + pathName(s.path)
				ratio = func(f func(nestRun) float64) string {
					if ns == nil || len(ns.runs) == 0 {
						return ""
					}
					return fmt.Sprintf("%.1f×", median(ns.runs, f)/median(s.runs, f))
				}
			}
			fmt.Fprintf(&b, "| %d | %s | %.2f s | %.2f s | %.1f s | %.0f MB | %s | %s |\n", t, name,
				median(s.runs, total), median(s.runs, sim), median(s.runs, cpu), median(s.runs, rss), ratio(total), ratio(sim))
		}
	}
	return b.String()
}

// parseThreadList reads -nest-threads ("1,2"); empty means def.
func parseThreadList(s string, def int) ([]int, error) {
	if s == "" {
		return []int{def}, nil
	}
	var ts []int
	for f := range strings.SplitSeq(s, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || t < 1 || t > 1024 {
			return nil, fmt.Errorf("-nest-threads = %q: each entry must be a thread count from 1 to 1024", s)
		}
		if !slices.Contains(ts, t) {
			ts = append(ts, t)
		}
	}
	return ts, nil
}

// parsePaths reads -paths ("auto,off"); empty means this process's path,
// in this process.
func parsePaths(s string) ([]string, error) {
	if s == "" {
		return []string{""}, nil
	}
	var ps []string
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains([]string{"auto", "off", "avx2"}, f) {
			return nil, fmt.Errorf("-paths = %q: each entry must be auto, off or avx2 (values of %s)", s, astro.VectorEnv)
		}
		if !slices.Contains(ps, f) {
			ps = append(ps, f)
		}
	}
	return ps, nil
}

// pathName names a -paths entry in the output.
func pathName(path string) string {
	switch path {
	case "", "auto":
		return astro.VectorPath()
	}
	return path
}

// runAstronb runs the example once on path ("" in this process, otherwise
// in a child process with ASTRONB_VECTOR=path) and returns its figures, the
// path that ran and the number of spikes.
func runAstronb(p brunel.Params, path string) (nestRun, string, int64, error) {
	if path == "" {
		o, spikes, err := runOnce(p)
		runtime.GC()
		debug.FreeOSMemory()
		return o, astro.VectorPath(), spikes, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nestRun{}, "", 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *nestLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-side-child", "-threads", strconv.Itoa(p.Sim.NThreads),
		"-scale", strconv.FormatFloat(p.Scale, 'g', -1, 64), "-memlimit", strconv.FormatInt(p.Sim.MemoryLimit, 10))
	cmd.Env = append(os.Environ(), astro.VectorEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nestRun{}, "", 0, fmt.Errorf("astronb (%s=%s): %w\n%s", astro.VectorEnv, path, err, lastLines(out, 20))
	}
	r, extra, err := parsePhases(out, "astronb-phases ", "astronb")
	if err != nil {
		return nestRun{}, "", 0, err
	}
	spikes, err := strconv.ParseInt(extra["spikes"], 10, 64)
	if err != nil {
		return nestRun{}, "", 0, fmt.Errorf("astronb printed no spike count: %w", err)
	}
	return r, extra["path"], spikes, nil
}

// cpuModel is /proc/cpuinfo's model name and vector extensions.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	model, ext := runtime.GOARCH, "no AVX2"
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		switch strings.TrimSpace(k) {
		case "model name":
			model = strings.TrimSpace(v)
		case "flags":
			flags := strings.Fields(v)
			switch {
			case slices.Contains(flags, "avx512f"):
				ext = "AVX-512"
			case slices.Contains(flags, "avx2"):
				ext = "AVX2, no AVX-512"
			}
			return model + " (" + ext + ")"
		}
	}
	return model
}

// loadAvg is /proc/loadavg's 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
