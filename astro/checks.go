package astro

import (
	"fmt"
	"math"
)

// Checks for code that writes calls down instead of running them (the
// PyNEST export, astro/nestio): the kernel's own checks of a Simulate
// duration, of a model's parameters and of a synapse's, without building
// the network.

// simulateSteps checks a Simulate duration t (ms) from the current time,
// as Simulate does, and returns it in steps.
func (k *Kernel) simulateSteps(t float64) (int64, error) {
	if !(t >= 0) || math.IsInf(t, 0) {
		return 0, fmt.Errorf("simulate: time = %g ms: must be ≥ 0 and finite", t)
	}
	if err := k.checkTime("simulate", "time", t); err != nil {
		return 0, err
	}
	n, ok := k.msToSteps(t)
	if !ok {
		return 0, fmt.Errorf("simulate: time = %g ms: must be a multiple of the resolution %g ms", t, k.h)
	}
	if err := k.checkSimulateEnd(t, n); err != nil {
		return 0, err
	}
	return n, nil
}

// CheckSimulate checks a sequence of Simulate durations (ms) as a kernel
// with the settings cfg, starting at time 0, would check them: each ≥ 0,
// finite, a multiple of the resolution, and the total inside the time
// range. It returns the index of the first refused duration and the error
// Simulate would give (-1 and the error if cfg itself is refused).
func CheckSimulate(cfg KernelConfig, times []float64) (int, error) {
	k, err := NewKernel(cfg)
	if err != nil {
		return -1, err
	}
	for i, t := range times {
		n, err := k.simulateSteps(t)
		if err != nil {
			return i, err
		}
		k.step += n
	}
	return 0, nil
}

// CheckModel returns the error Kernel.Create would give for one node of m
// in a kernel with the settings cfg (NEST's parameter ranges, times on the
// grid, finite values), or nil.
func CheckModel(cfg KernelConfig, m Model) error {
	k, err := NewKernel(cfg)
	if err != nil {
		return err
	}
	_, err = k.Create(m, 1)
	return err
}

// CheckSynapse returns the error Connect would give for the parameters of
// synapse s (weight, delay on the grid, the model's own ranges) in a
// kernel with the settings cfg, or nil. Which models it may connect is
// not checked.
func CheckSynapse(cfg KernelConfig, s Synapse) error {
	k, err := NewKernel(cfg)
	if err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("synapse is nil")
	}
	if err := s.validate(); err != nil {
		return err
	}
	_, err = k.delaySteps(s.SynapseModel(), synDelay(s))
	return err
}
