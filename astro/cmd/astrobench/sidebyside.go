package main

// Side by side with NEST: with -nest PREFIX, astrobench runs NEST's own
// astrocyte_brunel example (from that NEST install) and astronb's, one after
// the other, -runs times each, with the same -threads and -scale, and prints
// every run, the medians and the ratio:
//
//	go run ./astro/cmd/astrobench -nest /opt/nest -threads 2 -runs 3
//	GOEXPERIMENT=simd go run ./astro/cmd/astrobench -nest /opt/nest -threads 2 -runs 3
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
	nestPrefix = flag.String("nest", "", "NEST install prefix (or its bin/nest_vars.sh): run NEST's own astrocyte_brunel example and astronb's alternately, -runs times each with -threads and -scale, and print the medians and the ratio")
	nestScript = flag.String("nest-example", "", "with -nest: NEST's astrocyte_brunel.py (default: PREFIX/share/doc/nest/examples/pynest/astrocytes/astrocyte_brunel.py)")
	nestLimit  = flag.Duration("nest-timeout", 2*time.Hour, "with -nest: the longest one NEST run may take")
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
	for line := range strings.Lines(string(out)) {
		fields, ok := strings.CutPrefix(strings.TrimSpace(line), "nest-phases ")
		if !ok {
			continue
		}
		v := map[string]float64{}
		for f := range strings.FieldsSeq(fields) {
			k, s, _ := strings.Cut(f, "=")
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || x < 0 {
				return nestRun{}, fmt.Errorf("NEST's example printed %q: %q is not a time or size", strings.TrimSpace(line), f)
			}
			v[k] = x
		}
		for _, k := range []string{"create", "connect", "presim", "sim", "cpu", "rss_mb"} {
			if _, ok := v[k]; !ok {
				return nestRun{}, fmt.Errorf("NEST's example printed %q: no %s", strings.TrimSpace(line), k)
			}
		}
		sec := func(k string) time.Duration { return time.Duration(v[k] * float64(time.Second)) }
		return nestRun{brunel.Phases{Create: sec("create"), Connect: sec("connect"), PreSim: sec("presim"), Sim: sec("sim")},
			sec("cpu"), int64(v["rss_mb"])}, nil
	}
	return nestRun{}, errors.New("NEST's example printed no phase times:\n" + lastLines(out, 20))
}

func lastLines(b []byte, n int) string {
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}

// sideBySide runs NEST's example and astronb's alternately, runs times each,
// and prints each run, the medians and the ratio NEST / astronb.
func sideBySide(p brunel.Params, runs int) error {
	def := brunel.DefaultParams()
	if p.Network != def.Network || p.Sim.RNGSeed != 0 {
		return errors.New("-nest runs NEST's example as it is: -nex, -nin, -nastro and -seed cannot be used with it (use -scale)")
	}
	if !(p.Scale >= 1) || p.Sim.NThreads < 1 {
		return fmt.Errorf("-nest: -scale = %g must be ≥ 1 and -threads = %d ≥ 1", p.Scale, p.Sim.NThreads)
	}
	in, err := findNEST(*nestPrefix, *nestScript)
	if err != nil {
		return err
	}
	fmt.Printf("NEST %s (%s, %s) against astronb (vector path %s), threads=%d scale=%g, %d runs each, alternating\n",
		in.version, in.prefix, in.python, astro.VectorPath(), p.Sim.NThreads, p.Scale, runs)
	fmt.Printf("CPU: %s; load average at the start: %s\n", cpuModel(), loadAvg())
	var nest, ours []nestRun
	for i := range runs {
		n, err := in.run(p.Sim.NThreads, p.Scale, *nestLimit)
		if err != nil {
			return err
		}
		nest = append(nest, n)
		fmt.Printf("run %d NEST    %s cpu=%.1fs peakRSS=%dMB\n", i+1, phaseFigures(n.phases), n.cpu.Seconds(), n.rssMB)
		cpu0 := procstat.CPUTime()
		res, err := brunel.Run(p, nil)
		if err != nil {
			return err
		}
		o := nestRun{res.Phases, procstat.CPUTime() - cpu0, procstat.PeakRSSMB()}
		ours = append(ours, o)
		fmt.Printf("run %d astronb %s cpu=%.1fs peakRSS=%dMB spikes=%d\n", i+1, phaseFigures(o.phases), o.cpu.Seconds(), o.rssMB, res.Stats.Spikes)
		runtime.GC()
		debug.FreeOSMemory()
	}
	med := func(rs []nestRun, f func(nestRun) time.Duration) float64 {
		d := make([]time.Duration, len(rs))
		for i, r := range rs {
			d[i] = f(r)
		}
		slices.Sort(d)
		return d[len(d)/2].Seconds() // the middle run (odd N), the upper middle one (even N)
	}
	total := func(r nestRun) time.Duration { return r.phases.Total() }
	sim := func(r nestRun) time.Duration { return r.phases.Sim }
	cpu := func(r nestRun) time.Duration { return r.cpu }
	fmt.Printf("median of %d: NEST total=%.2fs sim=%.2fs cpu=%.1fs; astronb total=%.2fs sim=%.2fs cpu=%.1fs\n", runs,
		med(nest, total), med(nest, sim), med(nest, cpu), med(ours, total), med(ours, sim), med(ours, cpu))
	fmt.Printf("ratio NEST/astronb (threads=%d scale=%g vector=%s): total %.2f×, simulation phase %.2f×, CPU time %.2f×; load average at the end: %s\n",
		p.Sim.NThreads, p.Scale, astro.VectorPath(), med(nest, total)/med(ours, total), med(nest, sim)/med(ours, sim),
		med(nest, cpu)/med(ours, cpu), loadAvg())
	return nil
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
