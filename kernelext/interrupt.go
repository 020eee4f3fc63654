package kernelext

import (
	"context"
	"os"
	"os/signal"

	"github.com/astronb/astronb/astro"
)

// SimulateInterruptible is k.Simulate(ms) that the notebook's stop button
// ends cleanly: GoNB interrupts a running cell by sending its program
// SIGINT (and kills it a little later if it is still running), and this
// turns the signal into a cancelled context for astro's SimulateContext.
// The run then stops at the next slice boundary (within milliseconds) and
// returns an error wrapping context.Canceled; the kernel stays consistent,
// and a later Simulate continues from where it stopped. Outside a notebook
// it does the same for Control-C.
func SimulateInterruptible(k *astro.Kernel, ms float64) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return k.SimulateContext(ctx, ms)
}
