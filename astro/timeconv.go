package astro

import (
	"fmt"
	"math"
)

// Times are whole numbers of tics (µs, NEST's default 1000 tics per ms)
// held in int64, as NEST's Time class holds them. Every conversion of a
// time in ms to steps is checked against the range below, so a time that
// does not fit is an error instead of a wrapped integer.

// maxTics bounds every time and delay: 2^62 tics (about 4.6·10^15 ms), half
// of int64's range, so the sum of two times (origin + start, now + delay)
// never overflows.
const maxTics = 1 << 62

// maxResolutionTics bounds the resolution (2^40 µs, about 1.1·10^9 ms), so
// that at least 2^22 steps fit in the time range.
const maxResolutionTics = 1 << 40

// maxPoissonMean bounds a poisson_generator's mean count per step: counts
// travel as 32-bit multiplicities, and a Poisson count with mean 10^9
// stays below 2^31 by more than 30 standard deviations.
const maxPoissonMean = 1e9

// maxSteps returns the largest number of steps a time may have.
func (k *Kernel) maxSteps() int64 { return maxTics / k.ticsPerStep }

// maxTimeMs returns the largest time in ms the kernel can represent.
func (k *Kernel) maxTimeMs() float64 { return k.stepsToMs(k.maxSteps()) }

// checkTime reports a time or delay (ms) that is outside the kernel's time
// range. NaN is left to the caller's own checks.
func (k *Kernel) checkTime(model, name string, ms float64) error {
	if math.Abs(ms) > k.maxTimeMs() {
		return fmt.Errorf("%s: %s = %g ms: outside the time range: must be at most %g ms in magnitude (2^62 tics of 0.001 ms)",
			model, name, ms, k.maxTimeMs())
	}
	return nil
}

// checkResolution rejects resolutions that do not fit the time grid.
func checkResolution(h float64) error {
	if h*1000 > maxResolutionTics {
		return fmt.Errorf("kernel: resolution = %g ms: must be in [0.001, %g] ms", h, float64(maxResolutionTics)/1000)
	}
	return nil
}

// checkSimulateEnd rejects a Simulate call of n steps whose end lies beyond
// the time range.
func (k *Kernel) checkSimulateEnd(t float64, n int64) error {
	if n > k.maxSteps()-k.step {
		return fmt.Errorf("simulate: time = %g ms: the run would end at %g ms, beyond the time range (at most %g ms)",
			t, k.Time()+t, k.maxTimeMs())
	}
	return nil
}

// checkRefractory rejects a t_ref whose step count does not fit the
// refractory counter (int32, as NEST's aeif models keep it).
func (k *Kernel) checkRefractory(model string, tRef float64) error {
	if maxMs := float64(math.MaxInt32-1) * k.h; tRef > maxMs {
		return fmt.Errorf("%s: t_ref = %g ms: must be in [0, %g] ms at resolution %g ms (2^31 − 2 steps)", model, tRef, maxMs, k.h)
	}
	return nil
}

// checkPoissonRate rejects rates whose count per step could overflow a
// spike's 32-bit multiplicity.
func (k *Kernel) checkPoissonRate(model string, rate float64) error {
	if maxRate := maxPoissonMean / (k.h * 1e-3); rate > maxRate {
		return fmt.Errorf("%s: rate = %g Hz: must be in [0, %g] Hz at resolution %g ms (a step's spike count must fit a 32-bit multiplicity)",
			model, rate, maxRate, k.h)
	}
	return nil
}
