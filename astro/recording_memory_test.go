package astro

import (
	"context"
	"testing"
	"time"
)

// A multimeter on 5000 neurons every 0.1 ms with Simulate(100000) used to
// be accepted and die of out-of-memory after over a minute (10^6 samples
// per neuron). Simulate now refuses it up front with the estimate and the
// budget, and the kernel stays usable.
func TestRecordingMemory(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 5000)
	mm := mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: []string{"V_m"}}, 1)
	if err := k.Connect(mm, n, nil, nil); err != nil {
		t.Fatal(err)
	}
	// A time-out, so that a kernel that accepts the run stops early (and
	// the test fails) instead of filling the memory.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	began := time.Now()
	err := k.SimulateContext(ctx, 100000)
	took := time.Since(began)
	wantErr(t, err, "multimeters would record", "memory", "more than the")
	t.Logf("refused in %v: %v", took, err)
	if k.Time() != 0 {
		t.Errorf("the refused run advanced the time to %g ms", k.Time())
	}
	if err := k.Simulate(10); err != nil {
		t.Fatalf("a short run after the refusal: %v", err)
	}
	if ev := mustMM(t, k, mm); len(ev.Times) < 5000*90 {
		t.Errorf("%d samples in 10 ms, want at least %d", len(ev.Times), 5000*90)
	}

	// With a budget: what fits runs, what does not is refused, counting
	// the samples held so far and the recording window.
	k = mustKernel(t, KernelConfig{MemoryLimit: 128 << 20})
	n = mustCreate(t, k, DefaultAeifCondAlphaAstro(), 100)
	mm = mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: []string{"V_m", "w"}}, 1)
	if err := k.Connect(mm, n, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantErr(t, k.Simulate(20000), "multimeters would record ≈ 2e+07 more samples", "128 MiB budget set by KernelConfig.MemoryLimit")
	if err := k.Simulate(1000); err != nil { // ≈ 1e6 samples, 56 MB with growth
		t.Fatal(err)
	}
	wantErr(t, k.Simulate(2000), "multimeters would record") // the 1e6 held count too
	if err := k.SetStatus(mm, Dict{"stop": 1500.0}); err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(2000); err != nil { // only 500 ms more are recorded
		t.Errorf("a run whose window ends early: %v", err)
	}
}
