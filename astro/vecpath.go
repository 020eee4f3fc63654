package astro

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"time"
)

// Choosing between the vector path and the scalar path.
//
// Both paths give bit-identical results (gsl_rkf45_simd.go), so the choice
// changes the speed only. Which one is faster depends on the CPU: on some
// the 256-bit vector units are fast, on others slow or shared. The first
// kernel of a process that simulates therefore times both paths on a small
// network of example neurons (calibrateVector, ~50 ms) and every kernel of
// the process then takes the faster one. The environment variable
// ASTRONB_VECTOR overrides the calibration:
//
//	ASTRONB_VECTOR=auto   calibrate (the default, also when unset or empty)
//	ASTRONB_VECTOR=off    scalar path
//	ASTRONB_VECTOR=avx2   vector path (an error in builds or on CPUs without it)

// VectorEnv is the environment variable that overrides the choice.
const VectorEnv = "ASTRONB_VECTOR"

// VectorChoice is the path the neuron and astrocyte updates take.
type VectorChoice struct {
	// Path is "avx2" (4-lane 256-bit vectors) or "off" (scalar).
	Path string
	// Reason says why: the override, the build, or the calibration.
	Reason string
	// VectorNs and ScalarNs are the calibration's times per neuron-step
	// (ns, the fastest of its repetitions); 0 if it did not run.
	VectorNs, ScalarNs float64
}

func (c VectorChoice) String() string { return c.Path + " (" + c.Reason + ")" }

// calibration is the process's calibration, run once.
var calibration struct {
	once sync.Once
	c    VectorChoice
	err  error
}

// ChooseVectorPath returns the path kernels of this process take: the
// override of ASTRONB_VECTOR if set, otherwise the faster path by the
// process's calibration (run on the first call). A bad ASTRONB_VECTOR value
// is an error.
func ChooseVectorPath() (VectorChoice, error) {
	env := os.Getenv(VectorEnv)
	switch env {
	case "", "auto":
	case "off":
		return VectorChoice{Path: "off", Reason: VectorEnv + "=off"}, nil
	case "avx2":
		if !simdAvailable {
			return VectorChoice{}, fmt.Errorf("%s=avx2: this build or CPU has no vector path "+
				"(it needs GOEXPERIMENT=simd on amd64 and a CPU with AVX2); allowed here: auto, off", VectorEnv)
		}
		return VectorChoice{Path: "avx2", Reason: VectorEnv + "=avx2"}, nil
	default:
		return VectorChoice{}, fmt.Errorf("%s = %q: must be auto, off or avx2", VectorEnv, env)
	}
	if !simdAvailable {
		return VectorChoice{Path: "off", Reason: "no vector path in this build or CPU (GOEXPERIMENT=simd on amd64 with AVX2)"}, nil
	}
	calibration.once.Do(func() {
		v, s, err := calibrateVector()
		if err != nil {
			calibration.err = fmt.Errorf("vector path calibration: %w", err)
			return
		}
		c := VectorChoice{Path: "off", VectorNs: v, ScalarNs: s}
		if v < s {
			c.Path = "avx2"
		}
		c.Reason = fmt.Sprintf("calibration: vector %.0f ns, scalar %.0f ns per neuron-step", v, s)
		calibration.c = c
	})
	return calibration.c, calibration.err
}

// VectorPath names the path the neuron and astrocyte updates take in this
// process: "avx2" or "off" (see ChooseVectorPath; "off" too if
// ASTRONB_VECTOR is invalid). Results are bit-identical either way; only
// the speed differs.
func VectorPath() string {
	c, err := ChooseVectorPath()
	if err != nil {
		return "off"
	}
	return c.Path
}

// processStart is the reference of wallClock.
var processStart = time.Now()

// wallClock is the wall time since the package was initialised.
func wallClock() time.Duration { return time.Since(processStart) }

// chooseVector fixes the kernel's path when it prepares.
func (k *Kernel) chooseVector() error {
	if k.vecForced {
		return nil
	}
	c, err := ChooseVectorPath()
	if err != nil {
		return err
	}
	k.vecOn = c.Path != "off"
	return nil
}

// vectorCalibrations are the small networks calibrateVector times, one
// per model with a vector path: each model's _simd.go file registers its
// own (registerVectorCalibration), so this file names no model.
var vectorCalibrations []func(k *Kernel) (nodes int, err error)

// registerVectorCalibration adds a calibration network: build creates its
// nodes and their input in k and returns the number of nodes whose update
// has a vector path.
func registerVectorCalibration(build func(k *Kernel) (nodes int, err error)) {
	vectorCalibrations = append(vectorCalibrations, build)
}

// calibrateVector times both paths on the registered calibration networks
// (e.g. 64 neurons driven by Poisson input, as BenchmarkNeuronStep),
// alternating, and returns the fastest of five 10 ms runs of each in ns per
// node-step, by the process's CPU time where it is available
// (calibrationClock).
func calibrateVector() (vectorNs, scalarNs float64, err error) {
	const runs, ms = 5, 10
	if len(vectorCalibrations) == 0 {
		return 0, 0, fmt.Errorf("no model registered a calibration network")
	}
	var ks [2]*Kernel
	n := 0
	for i := range ks {
		k, err := NewKernel(KernelConfig{})
		if err != nil {
			return 0, 0, err
		}
		n = 0
		for _, build := range vectorCalibrations {
			m, err := build(k)
			if err != nil {
				return 0, 0, err
			}
			n += m
		}
		k.vecForced, k.vecOn = true, i == 0
		if err := k.Simulate(ms); err != nil { // warm-up
			return 0, 0, err
		}
		ks[i] = k
	}
	var ts [2][]time.Duration
	for range runs {
		for i, k := range ks {
			t0 := calibrationClock()
			if err := k.Simulate(ms); err != nil {
				return 0, 0, err
			}
			ts[i] = append(ts[i], calibrationClock()-t0)
		}
	}
	steps := float64(n) * ms / ks[0].h
	return float64(slices.Min(ts[0]).Nanoseconds()) / steps, float64(slices.Min(ts[1]).Nanoseconds()) / steps, nil
}
