package astro

import (
	"fmt"
	"sync/atomic"
	"time"
)

// A Kernel is not safe for concurrent use, and its progress callback must
// not change it. Both mistakes used to lose work silently or crash; the
// kernel now holds a busy flag while a call that changes it runs (Create,
// Connect, TripartiteConnect, SetStatus, Simulate, ResetKernel), and a
// second such call meanwhile — from another goroutine or from inside the
// progress callback — fails with an error instead. Reading calls (Time,
// GetStatus, SpikeEvents, …) are allowed from the progress callback.

// Reading calls that return an error — Save, GetStatus, SpikeEvents,
// MultimeterEvents — take the flag shared (enterRead): several may run at
// once, but not while a changing call runs. The one exception is the
// progress callback: while Simulate waits for it, the kernel stands at the
// end of a slice and is consistent, so Simulate lets readers in (pause)
// and continues only after the last of them has left (resume). A Save
// from the callback thus writes a snapshot that continues exactly, and a
// Save from another goroutine gets an error while Simulate computes, or a
// consistent snapshot if it arrives while the callback runs. Time,
// NumNodes, Stats and GetConnections have no error to return and take no
// flag: call them from the goroutine that runs the kernel or from the
// progress callback.

// kernelGuard is the busy flag. It lives outside the Kernel value so that
// ResetKernel, which replaces the value, keeps it.
type kernelGuard struct {
	busy atomic.Bool
	op   atomic.Pointer[string] // the call holding the flag
	// misuse is a call that could not report its own error (ResetKernel
	// while busy): the running call, or else the next one, reports it.
	misuse atomic.Pointer[error]
	// readers counts reading calls in progress (enterRead); paused is set
	// while Simulate waits for its progress callback.
	readers atomic.Int32
	paused  atomic.Bool
	readOp  atomic.Pointer[string]
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
	if g.readers.Load() > 0 { // a reading call from another goroutine
		g.busy.Store(false)
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
func (k *Kernel) leave() {
	k.guard.paused.Store(false)
	k.guard.busy.Store(false)
}

// enterRead takes the flag shared for the reading call op: it fails while
// a changing call runs, unless that is Simulate waiting for its progress
// callback (see pause). leaveRead releases it.
func (k *Kernel) enterRead(op string) error {
	g := k.guard
	if g == nil { // a Kernel not made by NewKernel
		g = &kernelGuard{}
		k.guard = g
	}
	if g.busy.Load() && !g.paused.Load() {
		return k.busyError(op)
	}
	g.readers.Add(1)
	// Checked again after counting: either a changing call that starts now
	// sees this reader, or this reader sees it.
	if g.busy.Load() && !g.paused.Load() {
		g.readers.Add(-1)
		return k.busyError(op)
	}
	g.readOp.Store(&op)
	return nil
}

func (k *Kernel) leaveRead() { k.guard.readers.Add(-1) }

// pause lets reading calls in while Simulate waits for its progress
// callback; resume waits until the last of them has left.
func (k *Kernel) pause() { k.guard.paused.Store(true) }

func (k *Kernel) resume() {
	g := k.guard
	g.paused.Store(false)
	for g.readers.Load() > 0 { // a reading call from another goroutine
		time.Sleep(50 * time.Microsecond)
	}
}

func (k *Kernel) busyError(op string) error {
	running := "another call"
	if p := k.guard.op.Load(); p != nil && k.guard.busy.Load() {
		running = *p
	} else if p := k.guard.readOp.Load(); p != nil {
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
	if g.readers.Load() > 0 { // a reading call from another goroutine
		e := fmt.Errorf("%w; the kernel was not reset", k.busyError("ResetKernel"))
		g.busy.Store(false)
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
