package kernelext

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/astronb/astronb/astro"
)

// An interrupt (SIGINT, what GoNB sends a running cell, twice: Jupyter
// signals the kernel's process group and GoNB the cell's program) stops the
// run at a slice boundary with an *InterruptError that wraps
// context.Canceled; the process lives on, the second signal is ignored, the
// kernel continues, and later interruptible runs of the program return at
// once.
func TestSimulateInterruptible(t *testing.T) {
	codes, _ := resetInterrupts(t)
	k, err := astro.NewKernel(astro.KernelConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Create(astro.DefaultAeifCondAlphaAstro(), 10); err != nil {
		t.Fatal(err)
	}
	sent := false
	k.SetProgress(func(p astro.Progress) {
		if p.NowMs >= 5 && !sent {
			sent = true
			for range 2 {
				if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
					t.Errorf("kill: %v", err)
				}
			}
		}
	})
	done := make(chan error, 1)
	go func() { done <- SimulateInterruptible(k, 1e7) }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the interrupt did not stop the run within 30 s")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	stopped := k.Time()
	at, ok := Interrupted(err)
	if !ok || at != stopped {
		t.Fatalf("Interrupted(%v) = %g, %v; want %g, true", err, at, ok, stopped)
	}
	if stopped < 5 || stopped >= 1e7 {
		t.Fatalf("stopped at %g ms", stopped)
	}
	if want := fmt.Sprintf("interrupted at t = %.1f ms (the run was to end at 10000000.0 ms)", stopped); err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	time.Sleep(100 * time.Millisecond) // the second signal arrives
	if len(*codes) != 0 {
		t.Fatalf("the second signal ended the program (exit %v)", *codes)
	}
	k.SetProgress(nil)
	// The program was interrupted: a further interruptible run stops at once.
	if err := SimulateInterruptible(k, 1); err == nil || k.Time() != stopped {
		t.Fatalf("run after the interrupt: %v, t = %g ms", err, k.Time())
	}
	if err := k.Simulate(1); err != nil || k.Time() != stopped+1 {
		t.Fatalf("continuing: %v, t = %g ms", err, k.Time())
	}
}

func TestInterruptedOtherErrors(t *testing.T) {
	if _, ok := Interrupted(nil); ok {
		t.Error("nil is an interrupt")
	}
	if _, ok := Interrupted(context.Canceled); ok {
		t.Error("a bare context.Canceled is an interrupt")
	}
	if at, ok := Interrupted(fmt.Errorf("cell: %w", &InterruptError{AtMs: 3})); !ok || at != 3 {
		t.Errorf("wrapped: %g, %v", at, ok)
	}
}
