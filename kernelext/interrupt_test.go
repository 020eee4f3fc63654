package kernelext

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/astronb/astronb/astro"
)

// An interrupt (SIGINT, what GoNB sends a running cell) stops the run at a
// slice boundary with context.Canceled; the process lives on and the kernel
// continues.
func TestSimulateInterruptible(t *testing.T) {
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
			if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
				t.Errorf("kill: %v", err)
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
	if stopped < 5 || stopped >= 1e7 {
		t.Fatalf("stopped at %g ms", stopped)
	}
	k.SetProgress(nil)
	if err := k.Simulate(1); err != nil || k.Time() != stopped+1 {
		t.Fatalf("continuing: %v, t = %g ms", err, k.Time())
	}
}
