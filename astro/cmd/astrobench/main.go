// Command astrobench builds and simulates NEST's astrocyte_brunel example
// network (100 ms pre-simulation + 1000 ms) and prints one line of figures:
// wall time per phase, peak RSS, connections per kind, spikes and
// deliveries, and whether the AVX2 vector path ran (GOEXPERIMENT=simd
// builds on CPUs with AVX2; results are bit-identical either way).
//
//	GOEXPERIMENT=simd go run ./astro/cmd/astrobench -threads 2 -scale 1
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"syscall"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/brunel"
)

func main() {
	threads := flag.Int("threads", 2, "worker threads")
	scale := flag.Float64("scale", 1, "network scale (sizes × scale, probabilities ÷ scale)")
	nEx := flag.Int("nex", 0, "override N_ex (e.g. 800 for a classroom network)")
	nIn := flag.Int("nin", 0, "override N_in")
	nAstro := flag.Int("nastro", 0, "override N_astro")
	seed := flag.Uint64("seed", 0, "kernel seed (0: NEST's default)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile (pprof) to this file")
	flag.Parse()
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
	res, err := brunel.Run(p, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "astrobench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	ph := res.Phases
	fmt.Printf("threads=%d scale=%g neurons=%d create=%.2fs connect=%.2fs presim=%.2fs sim=%.2fs total=%.2fs peakRSS=%dMB "+
		"tsodyks=%d sic=%d static=%d spikes=%d deliveries=%d vector=%s\n",
		*threads, *scale, res.NumNeurons, ph.Create.Seconds(), ph.Connect.Seconds(), ph.PreSim.Seconds(), ph.Sim.Seconds(),
		ph.Total().Seconds(), ru.Maxrss/1024, res.Connections["tsodyks_synapse"], res.Connections["sic_connection"],
		res.Connections["static_synapse"], res.Stats.Spikes, res.Stats.Deliveries, astro.VectorPath())
}
