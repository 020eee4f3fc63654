package astro

import "time"

// Progress describes how far a Simulate call has come. It is handed to the
// function installed with Kernel.SetProgress once per completed slice
// (rate-limiting is the receiver's job) and once more when Simulate returns.
type Progress struct {
	// StartMs is the model time at which this Simulate call began (ms).
	StartMs float64
	// EndMs is the model time at which this Simulate call will end (ms).
	EndMs float64
	// NowMs is the model time reached so far (ms).
	NowMs float64
	// Elapsed is the wall-clock time spent in this Simulate call so far.
	Elapsed time.Duration
	// Done is true for the final report of a Simulate call.
	Done bool
}

// Fraction returns the completed fraction of this Simulate call, in [0, 1].
func (p Progress) Fraction() float64 {
	if p.EndMs <= p.StartMs {
		return 1
	}
	f := (p.NowMs - p.StartMs) / (p.EndMs - p.StartMs)
	if f < 0 {
		return 0
	}
	if f > 1 {
		return 1
	}
	return f
}

// RealTimeFactor returns simulated time per wall-clock time, as NEST's
// print_time reports it (model ms per real ms). It is 0 before any time passed.
func (p Progress) RealTimeFactor() float64 {
	wall := p.Elapsed.Seconds() * 1000
	if wall <= 0 {
		return 0
	}
	return (p.NowMs - p.StartMs) / wall
}
