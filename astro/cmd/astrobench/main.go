// Command astrobench builds and simulates NEST's astrocyte_brunel example
// network (100 ms pre-simulation + 1000 ms) and prints one line of figures:
// wall time per phase, peak RSS, connections per kind, spikes and
// deliveries, and whether the AVX2 vector path ran (GOEXPERIMENT=simd
// builds on CPUs with AVX2 where a short calibration finds it faster, or
// as ASTRONB_VECTOR says; results are bit-identical either way). A first
// line names the path, its vector width and why it was chosen. With
// -runs N it repeats the run N times in the same process and adds a line of
// per-phase medians (peak RSS is the process's, i.e. the largest run's).
//
//	GOEXPERIMENT=simd go run ./astro/cmd/astrobench -threads 2 -scale 1 -runs 3
//
// With -export-nest FILE it simulates nothing and writes the same network,
// at any -scale, as a standalone PyNEST 3.8 script for NEST's own engine
// (threads, or MPI with -nest-vps N), without building it here:
//
//	go run ./astro/cmd/astrobench -scale 10 -export-nest brunel_nest.py -nest-vps 64
//	mpirun -np 16 python3 brunel_nest.py out_dir
//
// With -nest PREFIX it runs NEST's own example from that install and
// astronb's side by side (sidebyside.go); -nest-threads and -paths make it
// one table for several thread counts and both of astronb's paths:
//
//	GOEXPERIMENT=simd go build -o astrobench ./astro/cmd/astrobench
//	./astrobench -nest /opt/nest -nest-threads 1,2 -paths auto,off -runs 3
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/brunel"
	"github.com/astronb/astronb/astro/nestio"
	"github.com/astronb/astronb/internal/procstat"
)

func main() {
	threads := flag.Int("threads", 2, "worker threads")
	scale := flag.Float64("scale", 1, "network scale (sizes × scale, probabilities ÷ scale)")
	nEx := flag.Int("nex", 0, "override N_ex (e.g. 800 for a classroom network)")
	nIn := flag.Int("nin", 0, "override N_in")
	nAstro := flag.Int("nastro", 0, "override N_astro")
	seed := flag.Uint64("seed", 0, "kernel seed (0: NEST's default)")
	simTime := flag.Float64("simtime", 0, "override the simulated time after the pre-simulation, in ms (0: the example's 1000 ms; e.g. 100 for a short run under callgrind)")
	runs := flag.Int("runs", 1, "number of runs; more than one adds a line of medians")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile (pprof) to this file")
	exportNEST := flag.String("export-nest", "", "write the network as a PyNEST 3.8 script to this file instead of simulating")
	nestVPs := flag.Int("nest-vps", 0, "with -export-nest: total_num_virtual_procs for mpirun (0: local_num_threads = -threads)")
	memLimit := flag.Int64("memlimit", 0, "kernel memory budget in bytes (0: the memory the machine has available)")
	baseline := flag.Bool("parallel-baseline", false, "only measure the 1→2-thread speed-up of a trivially parallel loop on this machine (the hardware's limit for the simulation's speed-up)")
	digest := flag.Bool("digest", false, "record every neuron's spikes and print a SHA-256 of all recorded spikes, traces and counts (to check that two builds give bit-identical results)")
	flag.Parse()
	if *nestPrefix == "" && (*nestThreads != "" || *sidePaths != "") {
		fmt.Fprintln(os.Stderr, "astrobench: -nest-threads and -paths only go with -nest PREFIX (the side-by-side run with NEST)")
		os.Exit(2)
	}
	if *runs < 1 {
		fmt.Fprintf(os.Stderr, "astrobench: -runs = %d: must be ≥ 1\n", *runs)
		os.Exit(2)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "astrobench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "astrobench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *baseline {
		parallelBaseline()
		return
	}
	p := brunel.DefaultParams()
	p.Sim.NThreads, p.Scale, p.Sim.RNGSeed = *threads, *scale, *seed
	if *nEx > 0 {
		p.Network.NEx = *nEx
	}
	if *nIn > 0 {
		p.Network.NIn = *nIn
	}
	if *nAstro > 0 {
		p.Network.NAstro = *nAstro
	}
	if *simTime < 0 || math.IsNaN(*simTime) || *simTime > 1e7 {
		fmt.Fprintf(os.Stderr, "astrobench: -simtime = %g: must be in [0, 1e7] ms\n", *simTime)
		os.Exit(2)
	}
	if *simTime > 0 {
		p.Sim.SimTime = *simTime
	}
	if *exportNEST != "" {
		if err := exportScript(*exportNEST, p, *nestVPs); err != nil {
			fmt.Fprintln(os.Stderr, "astrobench:", err)
			os.Exit(1)
		}
		return
	}
	p.Sim.MemoryLimit = *memLimit
	if *sideChildRun {
		if err := sideChild(p); err != nil {
			fmt.Fprintln(os.Stderr, "astrobench:", err)
			os.Exit(1)
		}
		return
	}
	if *nestPrefix != "" { // side by side with NEST: sidebyside.go
		if err := sideBySide(p, *runs); err != nil {
			fmt.Fprintln(os.Stderr, "astrobench:", err)
			os.Exit(1)
		}
		return
	}
	if *digest {
		p.Sim.NRecSpk = int(float64(p.Network.NEx+p.Network.NIn) * p.Scale)
	}
	printEstimate(p)
	// The path every run takes, and why: the ASTRONB_VECTOR override, the
	// build, or the calibration's times of both paths (astro.ChooseVectorPath).
	vc, err := astro.ChooseVectorPath()
	if err != nil {
		fmt.Fprintln(os.Stderr, "astrobench:", err)
		os.Exit(2)
	}
	width := "scalar (1 lane)"
	if vc.Path == "avx2" {
		width = "AVX2, 4 lanes of float64 (256 bits)"
	}
	fmt.Printf("vector path: %s, %s\n", width, vc.Reason)
	var all []brunel.Phases
	for range *runs {
		res, err := brunel.Run(p, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "astrobench:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		ph := res.Phases
		all = append(all, ph)
		fmt.Printf("threads=%d scale=%g neurons=%d %s peakRSS=%dMB "+
			"tsodyks=%d sic=%d static=%d spikes=%d deliveries=%d vector=%s\n",
			*threads, *scale, res.NumNeurons, phaseFigures(ph), procstat.PeakRSSMB(), res.Connections["tsodyks_synapse"],
			res.Connections["sic_connection"], res.Connections["static_synapse"], res.Stats.Spikes, res.Stats.Deliveries,
			astro.VectorPath())
		if *digest {
			fmt.Printf("digest=%s\n", resultDigest(res))
		}
		runtime.GC()
		debug.FreeOSMemory() // the next run starts from a clean heap
	}
	if len(all) > 1 {
		med := func(f func(brunel.Phases) time.Duration) time.Duration { return median(all, f) }
		// Each phase's median on its own; total is the median of the runs'
		// totals, not the sum of the medians.
		fmt.Printf("median of %d runs: create=%.2fs connect=%.2fs presim=%.2fs sim=%.2fs total=%.2fs peakRSS=%dMB\n",
			len(all), med(func(p brunel.Phases) time.Duration { return p.Create }).Seconds(),
			med(func(p brunel.Phases) time.Duration { return p.Connect }).Seconds(),
			med(func(p brunel.Phases) time.Duration { return p.PreSim }).Seconds(),
			med(func(p brunel.Phases) time.Duration { return p.Sim }).Seconds(),
			med(brunel.Phases.Total).Seconds(), procstat.PeakRSSMB())
	}
}

// exportScript writes the example's network at p's scale as a PyNEST
// script, from a nestio.Plan (nothing is built or simulated).
func exportScript(path string, p brunel.Params, vps int) error {
	plan, err := nestio.NewPlan(astro.KernelConfig{Resolution: p.Sim.Dt, LocalNumThreads: p.Sim.NThreads, RNGSeed: p.Sim.RNGSeed})
	if err != nil {
		return err
	}
	_, rec, err := brunel.Build(plan, p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	opt := nestio.Options{
		Title: fmt.Sprintf("NEST's astrocyte_brunel example at scale %g (%d + %d neurons, %d astrocytes)", p.Scale,
			int(float64(p.Network.NEx)*p.Scale), int(float64(p.Network.NIn)*p.Scale), int(float64(p.Network.NAstro)*p.Scale)),
		TotalVPs: vps,
		Labels:   map[int]string{rec.Spikes.First(): "sr", rec.NeuronMM.First(): "mm_neuron", rec.AstroMM.First(): "mm_astro"},
		Simulate: []float64{p.Sim.PreSimTime, p.Sim.SimTime},
		DataPath: "astrocyte_brunel_nest_output",
	}
	v, err := plan.Export(&buf, opt)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	run := "python3 " + path + " [OUTPUT_DIR]"
	if vps > 0 {
		run = "mpirun -np P " + run + " (P dividing " + fmt.Sprint(vps) + ")"
	}
	// The multimeter of the astrocytes is the last node created.
	fmt.Printf("wrote %s (%d bytes, needs NEST %s): scale=%g, %d nodes; run it with %s\n",
		path, buf.Len(), v, p.Scale, rec.AstroMM.First(), run)
	return nil
}

// parallelBaseline prints the 1→2-thread speed-up of a trivially parallel
// loop: each goroutine runs the same fixed serial floating-point work (an
// exp-like polynomial chain on its own data, nothing shared), once alone and
// then two at a time. Two cores that share nothing give 2×; SMT siblings,
// shared caches, frequency limits or other load on the machine give less,
// and no simulation can beat it. The median of 5 alternating pairs.
func parallelBaseline() {
	const work = 1 << 24
	spin := func(seed float64) float64 {
		x := seed
		for i := 0; i < work; i++ {
			x = 0.5 + x*(0.25+x*(0.125-x*0.0625)) // stays in (0.5, 0.7)
		}
		return x
	}
	run := func(n int) time.Duration {
		t0 := time.Now()
		done := make(chan float64, n)
		for g := range n {
			go func() { done <- spin(0.5 + float64(g)/100) }()
		}
		for range n {
			<-done
		}
		return time.Since(t0)
	}
	var one, two []time.Duration
	for range 5 {
		one = append(one, run(1))
		two = append(two, run(2))
	}
	slices.Sort(one)
	slices.Sort(two)
	t1, t2 := one[len(one)/2], two[len(two)/2]
	fmt.Printf("parallel baseline (GOMAXPROCS=%d, %d CPUs): 1 thread %.3fs, 2 threads (twice the work) %.3fs: speed-up %.2f×\n",
		runtime.GOMAXPROCS(0), runtime.NumCPU(), t1.Seconds(), t2.Seconds(), 2*t1.Seconds()/t2.Seconds())
}

// phaseFigures formats the wall times of one run.
func phaseFigures(ph brunel.Phases) string {
	return fmt.Sprintf("create=%.2fs connect=%.2fs presim=%.2fs sim=%.2fs total=%.2fs",
		ph.Create.Seconds(), ph.Connect.Seconds(), ph.PreSim.Seconds(), ph.Sim.Seconds(), ph.Total().Seconds())
}

// printEstimate prints the network's estimated memory and the budget it is
// checked against (brunel.Run refuses it up front if it does not fit).
func printEstimate(p brunel.Params) {
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: p.Sim.Dt, MemoryLimit: p.Sim.MemoryLimit})
	if err != nil {
		return // Run reports it
	}
	need, err := brunel.EstimateMemory(k, p)
	if err != nil {
		return
	}
	budget, source := k.MemoryBudget()
	fmt.Printf("estimated memory %.0fMB; budget %dMB (%s)\n", need/1e6, budget/1e6, source)
}

// resultDigest is a SHA-256 over everything a run computed (spikes,
// multimeter traces, connection counts, statistics), not its timings: two
// builds or paths that agree bit for bit print the same digest.
func resultDigest(res *brunel.Result) string {
	h := sha256.New()
	put := func(vs ...any) {
		for _, v := range vs {
			if err := binary.Write(h, binary.LittleEndian, v); err != nil {
				panic(err) // only fixed-size values are written
			}
		}
	}
	ints := func(xs []int) {
		put(int64(len(xs)))
		for _, x := range xs {
			put(int64(x))
		}
	}
	floats := func(xs []float64) { put(int64(len(xs)), xs) }
	ints(res.Spikes.Senders)
	floats(res.Spikes.Times)
	for _, mm := range []astro.MultimeterEvents{res.NeuronMM, res.AstroMM} {
		ints(mm.Senders)
		floats(mm.Times)
		for _, name := range slices.Sorted(maps.Keys(mm.Values)) {
			h.Write([]byte(name))
			floats(mm.Values[name])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(res.Connections)) {
		h.Write([]byte(name))
		put(int64(res.Connections[name]))
	}
	put(res.Stats.Spikes, res.Stats.Deliveries)
	return hex.EncodeToString(h.Sum(nil))
}
