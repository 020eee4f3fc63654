package astro

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// Regression tests for bad input: each case used to hang, return a wrong
// result silently or crash the process. Every test that could hang runs
// under a time bound (within), so a regression fails instead of hanging.

// within runs f and fails the test if it does not return within d.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not finish within %v (hang)", d)
	}
}

// wantErr fails unless err is non-nil and mentions every fragment.
func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

const bound = 20 * time.Second // generous: -race and a loaded machine

// Case 1: fixed_indegree draws that can never be satisfied.
func TestHostileFixedIndegreeImpossible(t *testing.T) {
	cases := []struct {
		name      string
		pre, post []int
		rule      FixedIndegree
	}{
		{"only source is the target itself", []int{5}, []int{1, 2, 3, 4, 5}, FixedIndegree{Indegree: 1, AllowMultapses: true}},
		{"pre {3,3} post {3}", []int{3, 3}, []int{3}, FixedIndegree{Indegree: 1, AllowMultapses: true}},
		{"duplicates without multapses", []int{3, 3}, []int{1}, FixedIndegree{Indegree: 2, AllowAutapses: true}},
		{"no autapses, no multapses", []int{1, 2}, []int{2}, FixedIndegree{Indegree: 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := mustKernel(t, KernelConfig{})
			mustCreate(t, k, DefaultAeifCondAlphaAstro(), 5)
			var err error
			within(t, bound, func() { err = k.Connect(NodeIDs(c.pre...), NodeIDs(c.post...), c.rule, nil) })
			wantErr(t, err, "indegree")
			if n := k.NumConnections(); len(n) != 0 {
				t.Errorf("connections after the error: %v", n)
			}
		})
	}
	// Possible draws still work: 4 admissible sources for every target.
	k := mustKernel(t, KernelConfig{})
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 5)
	if err := k.Connect(n, n, FixedIndegree{Indegree: 4}, nil); err != nil {
		t.Fatal(err)
	}
	if got := k.NumConnections()["static_synapse"]; got != 20 {
		t.Errorf("connections = %d, want 20", got)
	}
}

// Case 2: a tolerance no step can meet used to shrink the step for ever.
func TestHostileTinyTolerance(t *testing.T) {
	for _, tol := range []float64{1e-25, 1e-30, 1e-100} {
		p := DefaultAeifCondAlphaAstro()
		p.GSLErrorTol = tol
		k := mustKernel(t, KernelConfig{})
		mustCreate(t, k, p, 1)
		var err error
		within(t, bound, func() { err = k.Simulate(1) })
		wantErr(t, err, "numerical instability", "gsl_error_tol")
		wantErr(t, k.Simulate(1), "ResetKernel") // refuses work until ResetKernel, as NEST
	}
	p := DefaultAeifCondAlphaAstro()
	p.GSLErrorTol = 1e-20
	k := mustKernel(t, KernelConfig{})
	mustCreate(t, k, p, 1)
	within(t, bound, func() {
		if err := k.Simulate(1); err != nil {
			t.Errorf("gsl_error_tol = 1e-20: %v", err)
		}
	})
}

// smallNet builds a network with spikes, plasticity, astrocytes and
// recorders, for comparing runs.
func smallNet(t *testing.T, k *Kernel) (sr, mm NodeCollection) {
	t.Helper()
	nrn := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 40)
	ast := mustCreate(t, k, DefaultAstrocyteLR1994(), 20)
	pg := mustCreate(t, k, PoissonGenerator{Rate: 10000}, 1)
	if err := k.Connect(pg, nrn, nil, StaticSynapse{Weight: 3, Delay: 1}); err != nil {
		t.Fatal(err)
	}
	rule := NewTripartiteBernoulliWithPool()
	rule.PPrimary, rule.PThirdIfPrimary, rule.PoolSize = 0.2, 0.5, 5
	if err := k.TripartiteConnect(nrn, nrn, ast, rule, TripartiteSynSpecs{Primary: DefaultTsodyksSynapse(),
		ThirdOut: SICConnection{Weight: 0.05, Delay: 1}}); err != nil {
		t.Fatal(err)
	}
	sr = mustCreate(t, k, SpikeRecorder{}, 1)
	mm = mustCreate(t, k, Multimeter{Interval: 0.5, RecordFrom: []string{"V_m", "I_SIC"}}, 1)
	if err := k.Connect(nrn, sr, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := k.Connect(mm, nrn.Slice(0, 5), nil, nil); err != nil {
		t.Fatal(err)
	}
	return sr, mm
}

// Case 2: SimulateContext stops at a slice boundary and the run continues
// exactly as an uninterrupted one.
func TestHostileCancelThenContinue(t *testing.T) {
	for _, threads := range []int{1, 2} {
		ref := mustKernel(t, KernelConfig{LocalNumThreads: threads})
		srR, mmR := smallNet(t, ref)
		if err := ref.Simulate(60); err != nil {
			t.Fatal(err)
		}

		k := mustKernel(t, KernelConfig{LocalNumThreads: threads})
		sr, mm := smallNet(t, k)
		ctx, cancel := context.WithCancel(context.Background())
		k.SetProgress(func(p Progress) {
			if p.NowMs >= 23 {
				cancel()
			}
		})
		var err error
		within(t, bound, func() { err = k.SimulateContext(ctx, 60) })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("threads %d: err = %v, want context.Canceled", threads, err)
		}
		stopped := k.Time()
		if stopped < 23 || stopped >= 60 || math.Mod(stopped, k.MinDelay()) > 1e-9 {
			t.Fatalf("threads %d: stopped at %g ms, want a slice boundary in [23, 60)", threads, stopped)
		}
		// An already cancelled context changes nothing.
		wantErr(t, k.SimulateContext(ctx, 10), "not started")
		if k.Time() != stopped {
			t.Fatalf("a cancelled context advanced the time to %g", k.Time())
		}
		// The history (what an export replays) holds the time that ran.
		ran := 0.0
		for _, c := range k.History() {
			if c.Op == OpSimulate {
				ran += c.Time
			}
		}
		if ran != stopped {
			t.Errorf("threads %d: the history's Simulate calls add up to %g ms, the kernel ran %g ms", threads, ran, stopped)
		}
		k.SetProgress(nil)
		if err := k.Simulate(60 - stopped); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(mustSR(t, k, sr), mustSR(t, ref, srR)) {
			t.Errorf("threads %d: spikes differ from the uninterrupted run", threads)
		}
		if !reflect.DeepEqual(mustMM(t, k, mm), mustMM(t, ref, mmR)) {
			t.Errorf("threads %d: multimeter samples differ from the uninterrupted run", threads)
		}
		if len(mustSR(t, k, sr).Times) == 0 {
			t.Errorf("no spikes: the comparison would be vacuous")
		}
	}
	// A time-out stops a long run promptly.
	k := mustKernel(t, KernelConfig{})
	mustCreate(t, k, DefaultAeifCondAlphaAstro(), 10)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var err error
	within(t, bound, func() { err = k.SimulateContext(ctx, 1e9) })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
}

// Case 3: times that do not fit the integer time grid.
func TestHostileTimeOverflow(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 2)
	for _, ms := range []float64{1e18, 1e19, 1e300} {
		within(t, bound, func() { wantErr(t, k.Simulate(ms), "time", "range") })
	}
	if k.Time() != 0 {
		t.Fatalf("time = %g after refused calls", k.Time())
	}
	for _, m := range []Model{PoissonGenerator{Rate: 10, Origin: 1e18}, PoissonGenerator{Rate: 10, Start: 1e18},
		PoissonGenerator{Rate: 10, Stop: 1e18}, SpikeRecorder{Origin: 1e18}, Multimeter{RecordFrom: []string{"V_m"}, Origin: 1e18},
		Multimeter{RecordFrom: []string{"V_m"}, Interval: 1e18}, SpikeGenerator{SpikeTimes: []float64{1, 1e18}}} {
		_, err := k.Create(m, 1)
		wantErr(t, err, m.ModelName(), "range")
	}
	wantErr(t, k.Connect(n, n, nil, StaticSynapse{Weight: 1, Delay: 1e18}), "delay", "range")
	_, err := NewKernel(KernelConfig{Resolution: 1e16})
	wantErr(t, err, "resolution", "must be in")

	// t_ref beyond the int32 refractory counter: at Create and, after
	// SetStatus, at Simulate.
	p := DefaultAeifCondAlphaAstro()
	p.TRef = 2.2e8
	_, err = k.Create(p, 1)
	wantErr(t, err, "t_ref", "must be in")
	if err := k.SetStatus(n, Dict{"t_ref": 3e8}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, k.Simulate(1), "t_ref")
	if err := k.SetStatus(n, Dict{"t_ref": 2.0}); err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(1); err != nil {
		t.Fatalf("after fixing t_ref: %v", err)
	}
	// A run whose end lies beyond the range.
	k.step = k.maxSteps() - 5
	wantErr(t, k.Simulate(1), "beyond the time range")

	// A Poisson rate whose count per step overflows the multiplicity.
	k2 := mustKernel(t, KernelConfig{})
	_, err = k2.Create(PoissonGenerator{Rate: 3e13}, 1)
	wantErr(t, err, "rate = 3e+13 Hz", "must be in [0, 1e+13] Hz")
	pg := mustCreate(t, k2, PoissonGenerator{Rate: 1e13}, 1)
	wantErr(t, k2.SetStatus(pg, Dict{"rate": 3e13}), "rate")
}

// Case 3: a legal large t_ref keeps the neuron refractory (no int32 wrap).
func TestHostileLongRefractory(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	p := DefaultAeifCondAlphaAstro()
	p.TRef, p.IE = 1e8, 1000
	n := mustCreate(t, k, p, 1)
	sr := mustCreate(t, k, SpikeRecorder{}, 1)
	if err := k.Connect(n, sr, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(200); err != nil {
		t.Fatal(err)
	}
	if got := len(mustSR(t, k, sr).Times); got != 1 {
		t.Errorf("%d spikes in 200 ms with t_ref = 1e8 ms, want 1", got)
	}
}

// Case 4: a state that is no longer finite is NEST's instability error.
func TestHostileNonFinite(t *testing.T) {
	for _, w := range []float64{1e300, 1e308, -1e308} {
		k := mustKernel(t, KernelConfig{})
		n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 1)
		sg := mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{1, 2, 3, 4}, SpikeWeights: []float64{w, w, w, w}}, 1)
		if err := k.Connect(sg, n, nil, StaticSynapse{Weight: 1, Delay: 1}); err != nil {
			t.Fatal(err)
		}
		var err error
		within(t, bound, func() { err = k.Simulate(190) })
		wantErr(t, err, "numerical instability")
	}
	// An input that makes the state infinite in the last step of a call.
	k := mustKernel(t, KernelConfig{})
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 1)
	sg := mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{1}, SpikeWeights: []float64{-1e308}}, 1)
	if err := k.Connect(sg, n, nil, StaticSynapse{Weight: 10, Delay: 1}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, k.Simulate(2), "numerical instability", "dg_in = +Inf")

	p := DefaultAeifCondAlphaAstro()
	p.TauW = 1.2e-153
	k = mustKernel(t, KernelConfig{})
	mustCreate(t, k, p, 1)
	var err error
	within(t, bound, func() { err = k.Simulate(190) })
	wantErr(t, err, "numerical instability")

	// Astrocytes: an input so large that IP3 overflows.
	k = mustKernel(t, KernelConfig{})
	a := mustCreate(t, k, DefaultAstrocyteLR1994(), 1)
	sg = mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{1, 1}, SpikeWeights: []float64{1e308, 1e308}}, 1)
	if err := k.Connect(sg, a, nil, StaticSynapse{Weight: 1e10, Delay: 1}); err != nil {
		t.Fatal(err)
	}
	within(t, bound, func() { err = k.Simulate(20) })
	wantErr(t, err, "numerical instability", "astrocyte_lr_1994")
}

// Case 7: two goroutines using one kernel get an error, never lost nodes.
func TestHostileConcurrentCreate(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, busy := 0, 0
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2000 {
				_, err := k.Create(DefaultAeifCondAlphaAstro(), 1)
				mu.Lock()
				switch {
				case err == nil:
					created++
				case strings.Contains(err.Error(), "busy"):
					busy++
				default:
					t.Errorf("unexpected error: %v", err)
				}
				mu.Unlock()
			}
		}()
	}
	within(t, bound, wg.Wait)
	if k.NumNodes() != created || created+busy != 4000 {
		t.Errorf("nodes = %d, created = %d, refused as busy = %d: nodes were lost", k.NumNodes(), created, busy)
	}
}

// Case 7: kernel calls from inside the progress callback.
func TestHostileCallbackMisuse(t *testing.T) {
	// A nested Simulate is refused; the outer one ends where it should.
	k := mustKernel(t, KernelConfig{})
	mustCreate(t, k, DefaultAeifCondAlphaAstro(), 2)
	if err := k.Simulate(1); err != nil {
		t.Fatal(err)
	}
	var nested []error
	k.SetProgress(func(Progress) { nested = append(nested, k.Simulate(1)) })
	within(t, bound, func() {
		if err := k.Simulate(3); err != nil {
			t.Errorf("outer Simulate: %v", err)
		}
	})
	if k.Time() != 4 {
		t.Errorf("time = %g ms, want 4", k.Time())
	}
	if len(nested) == 0 {
		t.Fatal("callback not called")
	}
	for _, err := range nested {
		wantErr(t, err, "busy")
	}
	_, err := func() (NodeCollection, error) {
		var e error
		k.SetProgress(func(Progress) { _, e = k.Create(ParrotNeuron{}, 1) })
		defer k.SetProgress(nil)
		return NodeCollection{}, errors.Join(k.Simulate(1), e)
	}()
	wantErr(t, err, "busy")

	// ResetKernel from the callback: no panic; the run stops with an error
	// and the kernel is not reset, and it continues afterwards.
	k = mustKernel(t, KernelConfig{})
	mustCreate(t, k, DefaultAeifCondAlphaAstro(), 2)
	once := false
	k.SetProgress(func(p Progress) {
		if p.NowMs >= 2 && !once {
			once = true
			k.ResetKernel()
		}
	})
	within(t, bound, func() { err = k.Simulate(5) })
	wantErr(t, err, "ResetKernel", "not reset")
	if k.NumNodes() != 2 || k.Time() < 2 || k.Time() >= 5 {
		t.Errorf("after the refused reset: %d nodes, t = %g ms", k.NumNodes(), k.Time())
	}
	k.SetProgress(nil)
	if err := k.Simulate(1); err != nil {
		t.Errorf("continuing: %v", err)
	}
	k.ResetKernel()
	if k.NumNodes() != 0 || k.Time() != 0 {
		t.Errorf("ResetKernel outside a call did not reset")
	}
	// A reset refused in the final report is reported by the next call.
	mustCreate(t, k, DefaultAeifCondAlphaAstro(), 1)
	k.SetProgress(func(p Progress) {
		if p.Done {
			k.ResetKernel()
		}
	})
	if err := k.Simulate(1); err != nil {
		t.Fatal(err)
	}
	k.SetProgress(nil)
	wantErr(t, k.Simulate(1), "ResetKernel")
	if err := k.Simulate(1); err != nil {
		t.Errorf("the misuse is reported once: %v", err)
	}
}

// Case 8: requests beyond the memory budget are refused before allocating.
func TestHostileMemory(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	// The fastest of a few tries: on a loaded machine one try may be
	// descheduled for milliseconds; the refusal itself allocates nothing.
	var err error
	took := time.Hour
	for range 5 {
		k.mem.budget = 0 // read the machine's memory anew each time
		start := time.Now()
		_, err = k.Create(DefaultAeifCondAlphaAstro(), 1e9)
		took = min(took, time.Since(start))
	}
	wantErr(t, err, "n = 1000000000", "would need", "GiB")
	if took > time.Millisecond {
		t.Errorf("refusing Create(1e9) took %v, want < 1 ms", took)
	}
	t.Logf("Create(neuron, 1e9): %v in %v", err, took)
	if k.NumNodes() != 0 {
		t.Fatal("nodes created")
	}

	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 1000)
	within(t, bound, func() {
		wantErr(t, k.Connect(n, n, nil, StaticSynapse{Weight: 1, Delay: 1e9}), "delay", "would need")
		wantErr(t, k.Connect(n, n, OneToOne{}, StaticSynapse{Weight: 1, Delay: 1e6}), "delay", "would need")
		wantErr(t, k.Connect(n, n, NewFixedIndegree(1<<40), nil), "fixed_indegree", "would need")
	})
	if len(k.NumConnections()) != 0 {
		t.Fatal("connections made")
	}
	if err := k.Simulate(1); err != nil {
		t.Fatalf("the kernel is still usable: %v", err)
	}

	// An explicit budget.
	k = mustKernel(t, KernelConfig{MemoryLimit: 100 << 20})
	_, err = k.Create(DefaultAeifCondAlphaAstro(), 1_000_000)
	wantErr(t, err, "would need", "KernelConfig.MemoryLimit")
	mustCreate(t, k, DefaultAeifCondAlphaAstro(), 100_000)
	_, err = NewKernel(KernelConfig{MemoryLimit: -1})
	wantErr(t, err, "MemoryLimit")
}
