// Command astrosnap measures kernel snapshots of NEST's astrocyte_brunel
// example network: write time, read time, file size and peak RSS.
//
// Save: build the network, simulate -t ms, then write the snapshot -runs
// times (SaveFile: temporary file, fsync, rename) and print the peak RSS
// after simulating and after saving, each write's wall and CPU time and
// their medians:
//
//	GOEXPERIMENT=simd go run ./astro/cmd/astrosnap -save /tmp/k.snap -runs 3
//
// Load, in a fresh process (so its peak RSS is the load's alone): read the
// snapshot -runs times and print each read's time, the median and the peak
// RSS; with -continue ms, simulate on and print the spike count:
//
//	GOEXPERIMENT=simd go run ./astro/cmd/astrosnap -load /tmp/k.snap -runs 3
//
// With -save … -verify ms, it then loads the snapshot on -verify-threads
// threads, simulates the original and the restored kernel ms more and
// checks that their spikes, traces and statistics are bit-identical.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/brunel"
	"github.com/astronb/astronb/internal/procstat"
)

func main() {
	save := flag.String("save", "", "build, simulate and write the snapshot to this file")
	load := flag.String("load", "", "read the snapshot from this file")
	threads := flag.Int("threads", 2, "worker threads (for -load: 0 keeps the saved count)")
	scale := flag.Float64("scale", 1, "network scale (sizes × scale, probabilities ÷ scale)")
	simT := flag.Float64("t", 150.3, "ms to simulate before saving (150.3 ends inside a min_delay slice)")
	cont := flag.Float64("continue", 0, "after -load, simulate this many ms more")
	verify := flag.Float64("verify", 0, "after -save, load the snapshot on -verify-threads threads, continue both kernels this many ms and compare their recordings bit for bit (doubles the memory)")
	verifyThreads := flag.Int("verify-threads", 3, "threads of the kernel loaded by -verify")
	runs := flag.Int("runs", 3, "repetitions (the median is printed)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile (pprof) to this file")
	flag.Parse()
	if (*save == "") == (*load == "") || *runs < 1 {
		fmt.Fprintln(os.Stderr, "astrosnap: give exactly one of -save FILE and -load FILE, and -runs ≥ 1")
		os.Exit(2)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "astrosnap:", err)
			os.Exit(1)
		}
	}
	var err error
	if *save != "" {
		err = doSave(*save, *threads, *scale, *simT, *runs, *verify, *verifyThreads)
	} else {
		err = doLoad(*load, *threads, *cont, *runs)
	}
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "astrosnap:", err)
		os.Exit(1)
	}
}

func doSave(path string, threads int, scale, simT float64, runs int, verify float64, verifyThreads int) error {
	p := brunel.DefaultParams()
	p.Sim.NThreads, p.Scale = threads, scale
	t0 := time.Now()
	k, setup, err := brunel.NewNetwork(p)
	if err != nil {
		return err
	}
	if err := k.Simulate(simT); err != nil {
		return err
	}
	fmt.Printf("built and simulated %g ms in %.2fs (vector=%s), peakRSS=%dMB\n", simT, time.Since(t0).Seconds(), astro.VectorPath(), procstat.PeakRSSMB())
	simRSS := procstat.PeakRSSMB()
	var ds, cs []time.Duration
	for range runs {
		runtime.GC()
		t, c := time.Now(), procstat.CPUTime()
		if err := k.SaveFile(path); err != nil {
			return err
		}
		ds, cs = append(ds, time.Since(t)), append(cs, procstat.CPUTime()-c)
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Printf("save: wall %s median=%.3fs; cpu %s median=%.3fs; size=%.1fMB peakRSS=%dMB (%.2f× the simulation's)\n",
		durations(ds), median(ds).Seconds(), durations(cs), median(cs).Seconds(), float64(st.Size())/1e6, procstat.PeakRSSMB(), float64(procstat.PeakRSSMB())/float64(simRSS))
	if verify <= 0 {
		return nil
	}
	k2, err := astro.LoadFile(path, astro.LoadOptions{LocalNumThreads: verifyThreads})
	if err != nil {
		return err
	}
	for _, kk := range []*astro.Kernel{k, k2} {
		if err := kk.Simulate(verify); err != nil {
			return err
		}
	}
	a, err := setup.Collect(k)
	if err != nil {
		return err
	}
	b, err := setup.Collect(k2)
	if err != nil {
		return err
	}
	same := slices.Equal(a.Spikes.Senders, b.Spikes.Senders) && sameBits(a.Spikes.Times, b.Spikes.Times) &&
		sameEvents(a.NeuronMM, b.NeuronMM) && sameEvents(a.AstroMM, b.AstroMM) && a.Stats == b.Stats
	fmt.Printf("verify: continued %g ms on %d and %d threads: %d spikes, %d+%d samples; recordings identical: %v\n",
		verify, k.Threads(), k2.Threads(), len(a.Spikes.Times), len(a.NeuronMM.Times), len(a.AstroMM.Times), same)
	if !same {
		return fmt.Errorf("the restored kernel's recordings differ from the original's")
	}
	return nil
}

func doLoad(path string, threads int, cont float64, runs int) error {
	var ds, cs []time.Duration
	var k *astro.Kernel
	for range runs {
		k = nil
		runtime.GC()
		debug.FreeOSMemory()
		t, c := time.Now(), procstat.CPUTime()
		var err error
		if k, err = astro.LoadFile(path, astro.LoadOptions{LocalNumThreads: threads}); err != nil {
			return err
		}
		ds, cs = append(ds, time.Since(t)), append(cs, procstat.CPUTime()-c)
	}
	fmt.Printf("load: wall %s median=%.3fs; cpu %s median=%.3fs; peakRSS=%dMB (t=%g ms, %d threads, vector=%s)\n",
		durations(ds), median(ds).Seconds(), durations(cs), median(cs).Seconds(), procstat.PeakRSSMB(), k.Time(), k.Threads(), astro.VectorPath())
	if cont > 0 {
		t := time.Now()
		if err := k.Simulate(cont); err != nil {
			return err
		}
		fmt.Printf("continued %g ms in %.2fs: t=%g ms spikes=%d peakRSS=%dMB\n", cont, time.Since(t).Seconds(), k.Time(), k.Stats().Spikes, procstat.PeakRSSMB())
	}
	return nil
}

// sameBits tells whether two series are equal bit for bit.
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// sameEvents tells whether two multimeters' recordings are equal bit for bit.
func sameEvents(a, b astro.MultimeterEvents) bool {
	if !slices.Equal(a.Senders, b.Senders) || !sameBits(a.Times, b.Times) || len(a.Values) != len(b.Values) {
		return false
	}
	for name, v := range a.Values {
		if !sameBits(v, b.Values[name]) {
			return false
		}
	}
	return true
}

func durations(ds []time.Duration) string {
	s := ""
	for i, d := range ds {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf("%.3fs", d.Seconds())
	}
	return s
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
