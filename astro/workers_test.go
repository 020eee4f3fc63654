package astro

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestWorkersPhases runs phases on four threads, with pauses between them
// longer than spinFor (the workers sleep) and a slow thread (the caller
// sleeps): every thread must run every phase exactly once, in order, and
// see the phase's function, and no phase may begin before the previous
// one ended on every thread.
func TestWorkersPhases(t *testing.T) {
	before := runtime.NumGoroutine()
	tcs := make([]*Thread, 4)
	for i := range tcs {
		tcs[i] = &Thread{id: i}
	}
	w := startWorkers(tcs)
	const phases = 40
	seen := make([][]int, len(tcs))
	var inPhase atomic.Int32
	for p := range phases {
		if p%10 == 3 {
			time.Sleep(3 * spinFor) // the workers go to sleep
		}
		w.run(func(tc *Thread) {
			if n := inPhase.Add(1); n > int32(len(tcs)) {
				t.Errorf("phase %d: %d threads inside at once", p, n)
			}
			if p%10 == 7 && tc.id == 2 {
				time.Sleep(3 * spinFor) // the caller goes to sleep
			}
			seen[tc.id] = append(seen[tc.id], p)
		})
		if n := inPhase.Swap(0); n != int32(len(tcs)) {
			t.Fatalf("phase %d: run returned after %d of %d threads", p, n, len(tcs))
		}
	}
	w.stop()
	for i, s := range seen {
		if len(s) != phases {
			t.Fatalf("thread %d ran %d phases, want %d", i, len(s), phases)
		}
		for p, q := range s {
			if p != q {
				t.Fatalf("thread %d: run %d was phase %d", i, p, q)
			}
		}
	}
	waitGoroutines(t, before)
}

// waitGoroutines fails unless the number of goroutines falls back to n
// within a second.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); runtime.NumGoroutine() > n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left, want %d", runtime.NumGoroutine(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSimulateWorkers checks the kernel's use of the workers: a Simulate
// on three threads leaves no goroutine behind, whether it ends, is
// interrupted or fails, and a phase's errors come back in thread order
// with a worker's panic turned into an error.
func TestSimulateWorkers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(3, runtime.GOMAXPROCS(0)))) // useWorkers(3)
	before := runtime.NumGoroutine()
	k := mustKernel(t, KernelConfig{LocalNumThreads: 3})
	nodes := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 40)
	pg := mustCreate(t, k, PoissonGenerator{Rate: 8000}, 1)
	if err := k.Connect(pg, nodes, nil, nil); err != nil {
		t.Fatal(err)
	}
	during := false
	k.SetProgress(func(Progress) { during = during || k.workers != nil })
	if err := k.Simulate(20); err != nil {
		t.Fatal(err)
	}
	if !during {
		t.Fatal("no workers during Simulate")
	}
	if k.workers != nil {
		t.Fatal("workers kept after Simulate")
	}
	waitGoroutines(t, before)

	ctx, cancel := context.WithCancel(context.Background())
	k.SetProgress(func(p Progress) {
		if p.NowMs > p.StartMs {
			cancel()
		}
	})
	if err := k.SimulateContext(ctx, 20); !errors.Is(err, context.Canceled) || k.Time() >= 40 {
		t.Fatalf("interrupted Simulate: %v at %g ms", err, k.Time())
	}
	k.SetProgress(nil)
	waitGoroutines(t, before)

	// A failing Simulate (the neurons' state is no longer finite).
	if err := k.SetStatus(nodes, Dict{"g_ex": 1e308}); err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(20); err == nil || !strings.Contains(err.Error(), "no longer finite") {
		t.Fatalf("Simulate with g_ex = 1e308 nS: %v", err)
	}
	waitGoroutines(t, before)

	k.workers = startWorkers(k.tcs)
	err := k.parallel(func(tc *Thread) error {
		switch tc.id {
		case 1:
			return errors.New("thread 1 failed")
		case 2:
			panic("thread 2 broke")
		}
		return nil
	})
	if err == nil || err.Error() != "thread 1 failed" {
		t.Fatalf("first error in thread order: got %v", err)
	}
	err = k.parallel(func(tc *Thread) error {
		if tc.id == 2 {
			panic("thread 2 broke")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "internal error on thread 2") || !strings.Contains(err.Error(), "thread 2 broke") {
		t.Fatalf("a worker's panic: got %v", err)
	}
	k.workers.stop()
	k.workers = nil
	waitGoroutines(t, before)
}

// TestWorkersSleeping runs many short phases with every waiting side
// going to sleep at once (no spinning), and then wakes each side when it
// should not: a rouse can come late, after its side moved on to the next
// phase (the worker that ended a phase rouses the caller after the caller
// saw the end by spinning), and such a wake-up must not end a wait. Every
// thread must run every phase exactly once, and run must return only
// after all of them; a hang fails the test after 30 s.
func TestWorkersSleeping(t *testing.T) {
	for _, n := range []int{2, 3, 4} {
		tcs := make([]*Thread, n)
		for i := range tcs {
			tcs[i] = &Thread{id: i}
		}
		const phases = 3000
		runs := make([]atomic.Int32, n)
		done := make(chan string, 1)
		go func() {
			w := startWorkersSpin(tcs, 0)
			msg := ""
			for p := range phases {
				w.run(func(tc *Thread) {
					if p%7 == tc.id {
						runtime.Gosched()
					}
					runs[tc.id].Add(1)
				})
				if msg = countsAre(runs, p+1); msg != "" {
					break
				}
			}
			if msg == "" {
				msg = lateWakeUps(w, runs, phases)
			}
			w.stop()
			done <- msg
		}()
		select {
		case msg := <-done:
			if msg != "" {
				t.Fatalf("%d threads: %s", n, msg)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%d threads: phases hang (a lost wake-up)", n)
		}
	}
}

// countsAre reports a thread whose count of phases run is not want.
func countsAre(runs []atomic.Int32, want int) string {
	for i := range runs {
		if got := runs[i].Load(); got != int32(want) {
			return fmt.Sprintf("after phase %d: thread %d ran %d phases", want-1, i, got)
		}
	}
	return ""
}

// lateWakeUps wakes the caller while it waits for a worker that has not
// finished, and the last worker while it waits for the next phase:
// neither may move on.
func lateWakeUps(w *workers, runs []atomic.Int32, phases int) string {
	last := len(w.threads) - 1
	var finished atomic.Bool
	w.run(func(tc *Thread) {
		if tc.id == last {
			for !w.asleep[0].Load() {
				runtime.Gosched()
			}
			w.rouse(0)
			time.Sleep(5 * time.Millisecond)
			finished.Store(true)
		}
		runs[tc.id].Add(1)
	})
	if !finished.Load() {
		return "run returned before a worker finished (a late wake-up ended the caller's wait)"
	}
	for !w.asleep[last].Load() {
		runtime.Gosched()
	}
	w.rouse(last)
	time.Sleep(5 * time.Millisecond)
	return countsAre(runs, phases+1)
}
