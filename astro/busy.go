package astro

import (
	"fmt"
	"sync/atomic"
)

// A Kernel is not safe for concurrent use, and its progress callback must
// not change it. Both mistakes used to lose work silently or crash; the
// kernel now holds a busy flag while a call that changes it runs (Create,
// Connect, TripartiteConnect, SetStatus, Simulate, ResetKernel), and a
// second such call meanwhile — from another goroutine or from inside the
// progress callback — fails with an error instead. Reading calls (Time,
// GetStatus, SpikeEvents, …) are allowed from the progress callback.

// kernelGuard is the busy flag. It lives outside the Kernel value so that
// ResetKernel, which replaces the value, keeps it.
type kernelGuard struct {
	busy atomic.Bool
	op   atomic.Pointer[string] // the call holding the flag
	// misuse is a call that could not report its own error (ResetKernel
	// while busy): the running call, or else the next one, reports it.
	misuse atomic.Pointer[error]
}

// enter takes the busy flag for the call op, or returns why it cannot.
func (k *Kernel) enter(op string) error {
	g := k.guard
	if g == nil { // a Kernel not made by NewKernel
		g = &kernelGuard{}
		k.guard = g
	}
	if !g.busy.CompareAndSwap(false, true) {
		return k.busyError(op)
	}
	g.op.Store(&op)
	if e := g.misuse.Swap(nil); e != nil {
		g.busy.Store(false)
		return *e
	}
	return nil
}

// leave releases the busy flag.
func (k *Kernel) leave() { k.guard.busy.Store(false) }

func (k *Kernel) busyError(op string) error {
	running := "another call"
	if p := k.guard.op.Load(); p != nil {
		running = *p
	}
	return fmt.Errorf("%s: the kernel is busy with %s: a Kernel must not be used from two goroutines at once, "+
		"nor changed from its progress callback", op, running)
}

// enterReset is enter for ResetKernel, which has no error to return: if
// the kernel is busy, the reset is not done and the running call (or else
// the next call) reports it. It tells whether ResetKernel may proceed.
func (k *Kernel) enterReset() bool {
	if k.guard == nil {
		k.guard = &kernelGuard{}
	}
	g := k.guard
	if !g.busy.CompareAndSwap(false, true) {
		e := fmt.Errorf("%w; the kernel was not reset", k.busyError("ResetKernel"))
		g.misuse.Store(&e)
		return false
	}
	op := "ResetKernel"
	g.op.Store(&op)
	g.misuse.Store(nil) // this reset supersedes one that was refused earlier
	return true
}

// takeMisuse returns (and clears) a recorded misuse.
func (k *Kernel) takeMisuse() error {
	if e := k.guard.misuse.Swap(nil); e != nil {
		return *e
	}
	return nil
}
