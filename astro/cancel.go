package astro

import (
	"context"
	"fmt"
)

// Simulate advances the network by t ms (NEST's Simulate). t must be ≥ 0 and
// a multiple of the resolution. Consecutive calls continue seamlessly.
func (k *Kernel) Simulate(t float64) error {
	return k.SimulateContext(context.Background(), t)
}

// SimulateContext is Simulate that stops early when ctx is done (a notebook
// interrupt, a time-out, a progress callback's cancel function). It stops
// at the end of a slice (min_delay), so the kernel stays consistent: Time
// tells how far it got, and further Simulate calls continue from there
// exactly as if the run had not been interrupted. The error then wraps
// ctx.Err(). A ctx that is already done changes nothing.
func (k *Kernel) SimulateContext(ctx context.Context, t float64) error {
	if err := k.enter("simulate"); err != nil {
		return err
	}
	defer k.leave()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("simulate: not started at t = %g ms: %w", k.Time(), err)
	}
	return k.simulate(ctx, t)
}

// interrupted is checked at every slice boundary of a run that is to end
// at step end: it returns an error if ctx is done or a misuse of the
// kernel (ResetKernel from the progress callback or another goroutine)
// was recorded, and the run has not reached its end.
func (k *Kernel) interrupted(ctx context.Context, end int64) error {
	if k.step >= end {
		return nil
	}
	if err := k.takeMisuse(); err != nil {
		return fmt.Errorf("simulate: stopped at t = %g ms: %w", k.Time(), err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("simulate: interrupted at t = %g ms (of %g ms): %w", k.Time(), k.stepsToMs(end), err)
	}
	return nil
}
