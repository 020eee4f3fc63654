package astro

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// workers runs the phases of one Simulate call on the kernel's threads:
// thread 0's share on the calling goroutine, every other thread's on a
// goroutine that lives as long as the call. Between phases a worker first
// spins (yielding its P: runtime.Gosched) for up to spinFor, and only then
// sleeps; the caller waits for the workers the same way.
//
// A goroutine started per phase, or a sleeping one woken per phase, waits
// for the operating system to run a thread on an idle CPU, and a
// simulation has two phases per slice of min_delay (2 200 in the full
// example). On the virtual machines this project is measured on, the
// goroutine started last also ran its share 3–5 % slower, in every block
// (swapping the start order moved the slowness to the other thread;
// swapping the threads' node ranges did not). The full example's
// simulation phase took 6.1–6.4 s with goroutines started per phase and
// 5.8–5.9 s with these workers (2 threads, alternating quiet runs, Intel
// Xeon family 6 model 207), both threads' updates then taking the same
// time. The time a worker spins is bounded, so a Simulate that waits
// (a progress callback, a paused kernel) costs at most spinFor of one CPU
// per phase. With more threads than the Go scheduler runs at once
// (GOMAXPROCS) the kernel starts goroutines per phase instead
// (useWorkers): there, both spinning and sleeping workers ran 4 threads on
// 2 CPUs 8–12 % slower.
type workers struct {
	threads []*Thread
	fn      func(tc *Thread)
	// gen counts the phases started; a worker runs fn once per phase.
	gen atomic.Uint64
	// running counts the workers that have not finished the current phase.
	running atomic.Int32
	quit    bool
	spin    time.Duration // spinFor (tests: 0, to sleep at once)
	// The sleeping side: a worker (index 1…) or the caller (index 0) that
	// stops spinning sets its flag and waits for a token on its channel.
	asleep []atomic.Bool
	wake   []chan struct{}
	exited sync.WaitGroup
}

// spinFor is how long a waiting side spins before it sleeps.
const spinFor = 2 * time.Millisecond

// useWorkers tells whether a Simulate on this many threads runs them on
// workers: with more than one thread and no more than GOMAXPROCS.
func useWorkers(threads int) bool { return threads > 1 && threads <= runtime.GOMAXPROCS(0) }

// startWorkers starts the workers of threads[1:].
func startWorkers(threads []*Thread) *workers {
	return startWorkersSpin(threads, spinFor)
}

// startWorkersSpin is startWorkers with waiting sides that spin for spin.
func startWorkersSpin(threads []*Thread, spin time.Duration) *workers {
	w := &workers{threads: threads, asleep: make([]atomic.Bool, len(threads)), wake: make([]chan struct{}, len(threads)), spin: spin}
	for i := range w.wake {
		w.wake[i] = make(chan struct{}, 1)
	}
	for i := 1; i < len(threads); i++ {
		w.exited.Add(1)
		go w.work(i)
	}
	return w
}

// run runs fn once per thread and returns when every thread has finished.
func (w *workers) run(fn func(tc *Thread)) {
	w.fn = fn
	w.running.Store(int32(len(w.threads) - 1))
	w.gen.Add(1)
	for i := 1; i < len(w.threads); i++ {
		w.rouse(i)
	}
	fn(w.threads[0])
	w.wait(0, func() bool { return w.running.Load() == 0 })
}

// stop ends the workers and returns when they have exited.
func (w *workers) stop() {
	w.quit = true
	w.gen.Add(1)
	for i := 1; i < len(w.threads); i++ {
		w.rouse(i)
	}
	w.exited.Wait()
}

// work is worker i's loop.
func (w *workers) work(i int) {
	defer w.exited.Done()
	var seen uint64
	for {
		w.wait(i, func() bool { return w.gen.Load() != seen })
		seen = w.gen.Load()
		if w.quit {
			return
		}
		w.fn(w.threads[i])
		if w.running.Add(-1) == 0 {
			w.rouse(0)
		}
	}
}

// wait returns once ready() holds, spinning first and then sleeping as
// side i. Whoever makes ready() true calls rouse(i) afterwards. A token
// does not mean ready: a rouse can come late, after this side has moved
// on to the next phase (the worker that ended the last phase rouses the
// caller after the caller saw it end by spinning), so a woken side tests
// ready() again.
func (w *workers) wait(i int, ready func() bool) {
	began := time.Now()
	for !ready() {
		if time.Since(began) < w.spin {
			runtime.Gosched()
			continue
		}
		w.asleep[i].Store(true)
		if ready() {
			if !w.asleep[i].CompareAndSwap(true, false) {
				<-w.wake[i] // a rouse took the flag: take its token
			}
			return
		}
		<-w.wake[i]
	}
}

// rouse wakes side i if it sleeps. It must follow the change that makes
// side i's wait ready.
func (w *workers) rouse(i int) {
	if w.asleep[i].CompareAndSwap(true, false) {
		w.wake[i] <- struct{}{}
	}
}
