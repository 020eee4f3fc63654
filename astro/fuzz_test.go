package astro

import (
	"context"
	"errors"
	"flag"
	"math"
	"slices"
	"testing"
	"time"
)

// Fuzz tests: model parameters, connection rules with synapse parameters,
// and Simulate durations, each on a tiny network. Whatever the input, a
// call returns (no panic, no hang), and a run that returns nil leaves every
// neuron and astrocyte state finite. Every Simulate runs under a short
// deadline (a valid but slow run is cut at a slice boundary, which is
// fine) and a watchdog: a call that has not returned long after its
// deadline hangs, and fails the input. The seed corpus (testdata/fuzz) holds
// every hostile case of the regression tests. Run one target for a while
// with e.g.
//
//	go test -run='^$' -fuzz='^FuzzModelParams$' -fuzztime=2m ./astro

// fuzzDeadline cancels one Simulate call of a fuzz input; fuzzHang is how
// long after that the call must have returned (a slice of the tiny
// networks takes milliseconds, even at the integrator's substep limit,
// also on a heavily loaded machine).
const fuzzDeadline = 250 * time.Millisecond

// fuzzHang is 8 s while fuzzing (Go's fuzzing stops a worker after 10 s
// per input), and generous when the corpus runs as a plain test (-race on
// a loaded machine).
func fuzzHang() time.Duration {
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		return 8 * time.Second
	}
	return 2 * time.Minute
}

// fuzzBudget keeps fuzz inputs from allocating much (explicit budget).
const fuzzBudget = 64 << 20

// fuzzSimulate runs SimulateContext with the given deadline and fails the
// input if the call does not return within fuzzHang after it.
func fuzzSimulate(t *testing.T, k *Kernel, ms float64, deadline time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- k.SimulateContext(ctx, ms) }()
	select {
	case err := <-done:
		return err
	case <-time.After(deadline + fuzzHang()):
		t.Fatalf("Simulate(%g) hangs: no return %v after its deadline", ms, fuzzHang())
		return nil
	}
}

// checkFiniteStates fails if a run that returned nil left a neuron or
// astrocyte state that is not finite.
func checkFiniteStates(t *testing.T, k *Kernel) {
	t.Helper()
	for _, b := range k.blocks {
		switch b := b.(type) {
		case *aeifBlock:
			for i := range b.y {
				if nonFinite(&b.y[i]) {
					t.Fatalf("Simulate returned nil with a non-finite neuron state %v", b.y[i])
				}
			}
		case *astrocyteBlock:
			for i := range b.y {
				if nonFinite(&b.y[i]) {
					t.Fatalf("Simulate returned nil with a non-finite astrocyte state %v", b.y[i])
				}
			}
		}
	}
}

var fuzzModels = []string{"aeif_cond_alpha_astro", "astrocyte_lr_1994", "poisson_generator", "spike_generator",
	"parrot_neuron", "spike_recorder", "multimeter"}

// paramName picks the i-th (mod count) parameter name of a model.
func paramName(m Model, i uint8) string {
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range GetParams(m) {
			if !yield(n) {
				return
			}
		}
	})
	if len(names) == 0 {
		return ""
	}
	return names[int(i)%len(names)]
}

// fuzzMs maps an arbitrary float to a short simulation time on the 0.1 ms
// grid (≤ 20 ms).
func fuzzMs(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 5
	}
	return math.Round(math.Mod(math.Abs(x), 20)*10) / 10
}

func FuzzModelParams(f *testing.F) {
	// model, name1, v1, name2, v2, viaSetStatus, simMs. Names are indices
	// into the sorted parameter names; the corpus in testdata/fuzz adds the
	// hostile cases (gsl_error_tol 1e-25, tau_w 1.2e-153, t_ref 2.2e8,
	// origin 1e18, rate 3e13, spike weights 1e300).
	f.Add(uint8(0), uint8(0), 1.0, uint8(1), 2.0, false, 10.0)
	f.Add(uint8(1), uint8(3), 0.5, uint8(5), 1.0, true, 10.0)
	f.Add(uint8(3), uint8(0), 1e300, uint8(1), 3.0, false, 20.0)
	f.Fuzz(func(t *testing.T, model, name1 uint8, v1 float64, name2 uint8, v2 float64, viaSetStatus bool, simMs float64) {
		name := fuzzModels[int(model)%len(fuzzModels)]
		def, _ := NewModel(name, nil)
		d := Dict{}
		if name == "spike_generator" {
			// v1: the spikes' weight, v2: the last spike time.
			d = Dict{"spike_times": []float64{1, 2, v2}, "spike_weights": []float64{v1, v1, v1}}
		} else if n := paramName(def, name1); n != "" {
			d[n] = v1
			if n2 := paramName(def, name2); n2 != n {
				d[n2] = v2
			}
		}
		k, err := NewKernel(KernelConfig{MemoryLimit: fuzzBudget})
		if err != nil {
			t.Fatal(err)
		}
		var x NodeCollection
		if viaSetStatus && name != "multimeter" {
			if x, err = k.Create(def, 2); err != nil {
				t.Fatalf("defaults of %s: %v", name, err)
			}
			if err := k.SetStatus(x, d); err != nil {
				return
			}
		} else {
			m, err := NewModel(name, d)
			if err != nil {
				return
			}
			if x, err = k.Create(m, 2); err != nil {
				return
			}
		}
		nrn, _ := k.Create(DefaultAeifCondAlphaAstro(), 2)
		pg, _ := k.Create(PoissonGenerator{Rate: 5000}, 1)
		must := func(err error) {
			if err != nil {
				t.Fatalf("wiring %s: %v", name, err)
			}
		}
		switch name {
		case "aeif_cond_alpha_astro", "parrot_neuron":
			must(k.Connect(pg, x, nil, StaticSynapse{Weight: 1, Delay: 1}))
			must(k.Connect(x, nrn, nil, StaticSynapse{Weight: 1, Delay: 1}))
		case "astrocyte_lr_1994":
			must(k.Connect(pg, x, nil, StaticSynapse{Weight: 1, Delay: 1}))
			must(k.Connect(x, nrn, nil, SICConnection{Weight: 1, Delay: 1}))
		case "poisson_generator", "spike_generator":
			must(k.Connect(x, nrn, nil, StaticSynapse{Weight: 1, Delay: 1}))
		case "spike_recorder":
			must(k.Connect(pg, nrn, nil, StaticSynapse{Weight: 2, Delay: 1}))
			must(k.Connect(nrn, x, nil, nil))
		case "multimeter":
			if err := k.Connect(x, nrn, nil, nil); err != nil {
				return // record_from names something a neuron lacks
			}
		}
		if fuzzSimulate(t, k, fuzzMs(simMs), fuzzDeadline) == nil {
			checkFiniteStates(t, k)
		}
	})
}

func FuzzConnect(f *testing.F) {
	// rule, preMask, postMask, dupPre, indegree, p, autapses, multapses,
	// syn, weight, delay, u, tau. Nodes 1–4 are neurons, 5–6 astrocytes,
	// 7 a parrot, 8 a poisson_generator.
	f.Add(uint8(0), uint8(0x0f), uint8(0x0f), false, 1, 0.5, true, true, uint8(0), 1.0, 1.0, 0.5, 3.0)
	f.Add(uint8(3), uint8(0x08), uint8(0x0f), false, 1, 0.5, false, true, uint8(0), 1.0, 1.0, 0.5, 3.0)
	f.Add(uint8(3), uint8(0x04), uint8(0x04), true, 1, 0.5, false, true, uint8(0), 1.0, 1.0, 0.5, 3.0)
	f.Add(uint8(4), uint8(0x0f), uint8(0x0f), false, 2, 0.5, true, true, uint8(1), 2.0, 1.5, 0.5, 800.0)
	f.Fuzz(func(t *testing.T, rule, preMask, postMask uint8, dupPre bool, indegree int, p float64, autapses, multapses bool,
		synKind uint8, weight, delay, u, tau float64) {
		k, err := NewKernel(KernelConfig{MemoryLimit: fuzzBudget})
		if err != nil {
			t.Fatal(err)
		}
		nrn, _ := k.Create(DefaultAeifCondAlphaAstro(), 4)
		ast, _ := k.Create(DefaultAstrocyteLR1994(), 2)
		if _, err := k.Create(ParrotNeuron{}, 1); err != nil {
			t.Fatal(err)
		}
		pg, _ := k.Create(PoissonGenerator{Rate: 5000}, 1)
		if err := k.Connect(pg, nrn, nil, StaticSynapse{Weight: 1, Delay: 1}); err != nil {
			t.Fatal(err)
		}
		pick := func(mask uint8) []int {
			var ids []int
			for i := range 8 {
				if mask&(1<<i) != 0 {
					ids = append(ids, i+1)
				}
			}
			return ids
		}
		pre, post := pick(preMask), pick(postMask)
		if dupPre && len(pre) > 0 {
			pre = append(pre, pre[0])
		}
		var syn Synapse
		switch synKind % 3 {
		case 0:
			syn = StaticSynapse{Weight: weight, Delay: delay}
		case 1:
			ts := DefaultTsodyksSynapse()
			ts.Weight, ts.Delay, ts.U, ts.TauRec = weight, delay, u, tau
			syn = ts
		case 2:
			syn = SICConnection{Weight: weight, Delay: delay}
		}
		before := k.NumConnections()
		var want int
		switch rule % 5 {
		case 0:
			err = k.Connect(NodeIDs(pre...), NodeIDs(post...), AllToAll{}, syn)
			want = len(pre) * len(post)
		case 1:
			err = k.Connect(NodeIDs(pre...), NodeIDs(post...), OneToOne{}, syn)
			want = len(post)
		case 2:
			err = k.Connect(NodeIDs(pre...), NodeIDs(post...), PairwiseBernoulli{P: p, AllowAutapses: autapses}, syn)
			want = -1
		case 3:
			err = k.Connect(NodeIDs(pre...), NodeIDs(post...), FixedIndegree{Indegree: indegree, AllowAutapses: autapses, AllowMultapses: multapses}, syn)
			want = indegree * len(post)
		case 4:
			rule := TripartiteBernoulliWithPool{PPrimary: p, PThirdIfPrimary: u, PoolSize: indegree, AllowAutapses: autapses}
			err = k.TripartiteConnect(NodeIDs(pre...), NodeIDs(post...), ast, rule, TripartiteSynSpecs{Primary: syn,
				ThirdOut: SICConnection{Weight: weight, Delay: delay}})
			want = -1
		}
		after := k.NumConnections()
		total := func(m map[string]int) (n int) {
			for _, c := range m {
				n += c
			}
			return n
		}
		if err != nil {
			if total(after) != total(before) {
				t.Fatalf("a failed Connect changed the connections: %v -> %v (%v)", before, after, err)
			}
		} else if want >= 0 && total(after)-total(before) != want {
			t.Fatalf("%d connections made, want %d", total(after)-total(before), want)
		}
		if fuzzSimulate(t, k, 5, fuzzDeadline) == nil {
			checkFiniteStates(t, k)
		}
	})
}

func FuzzSimulate(f *testing.F) {
	// resolution, three durations, threads. The corpus adds 1e18, 1e19,
	// 1e300, NaN, ±Inf, off-grid times and resolution 1e16.
	f.Add(0.1, 1.0, 2.5, 0.3, uint8(1))
	f.Add(0.05, 10.0, 0.0, 7.25, uint8(2))
	f.Fuzz(func(t *testing.T, res, d1, d2, d3 float64, threads uint8) {
		k, err := NewKernel(KernelConfig{Resolution: res, LocalNumThreads: 1 + int(threads%2), MemoryLimit: fuzzBudget})
		if err != nil {
			return
		}
		nrn, _ := k.Create(DefaultAeifCondAlphaAstro(), 3)
		if _, err := k.Create(DefaultAstrocyteLR1994(), 1); err != nil {
			t.Fatal(err)
		}
		pg, _ := k.Create(PoissonGenerator{Rate: 5000}, 1)
		sr, _ := k.Create(SpikeRecorder{}, 1)
		if err := k.Connect(pg, nrn, nil, StaticSynapse{Weight: 1, Delay: k.Resolution()}); err != nil {
			t.Fatalf("resolution %g: %v", k.Resolution(), err)
		}
		if err := k.Connect(nrn, sr, nil, StaticSynapse{Weight: 1, Delay: k.Resolution()}); err != nil {
			t.Fatal(err)
		}
		for _, d := range []float64{d1, d2, d3} {
			before := k.step
			// A short deadline: long valid runs are cut at a slice boundary.
			err := fuzzSimulate(t, k, d, 50*time.Millisecond)
			n, ok := k.msToSteps(d)
			switch {
			case err == nil:
				if !ok || k.step != before+n {
					t.Fatalf("Simulate(%g) returned nil but advanced %d steps (want %d, ok %v)", d, k.step-before, n, ok)
				}
				checkFiniteStates(t, k)
			case errors.Is(err, context.DeadlineExceeded):
				// Not started (the deadline passed first), or cut at a
				// slice boundary inside the run.
				if k.step != before && (k.step < before || k.step >= before+n || k.step%k.minDelay != 0) {
					t.Fatalf("Simulate(%g) cut at step %d (from %d, %d steps): not a slice boundary inside the run", d, k.step, before, n)
				}
			default:
				if k.failed == nil && k.step != before {
					t.Fatalf("Simulate(%g) failed (%v) but advanced the time", d, err)
				}
			}
			if k.failed != nil {
				return
			}
		}
	})
}
