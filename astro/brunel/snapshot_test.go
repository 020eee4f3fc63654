package brunel

import (
	"bytes"
	"slices"
	"testing"

	"github.com/astronb/astronb/analysis"
	"github.com/astronb/astronb/astro"
)

// TestSnapshotContinues: the 800/200/100 network (with -short a smaller
// one) simulated on 1 thread,
// saved inside a min_delay slice after the SIC has set in, restored on 3
// threads and continued gives the same spikes (senders and times) and the
// same I_SIC, IP3 and Ca_astro traces, bit for bit, as the uninterrupted
// 1-thread run. Built with GOEXPERIMENT=simd it covers the vector path.
func TestSnapshotContinues(t *testing.T) {
	p := classroomParams(1)
	cut, total := 450.3, 600.0
	if testing.Short() {
		// TestThreadInvariance's small network, whose SIC starts at ~200 ms.
		p.Network.NEx, p.Network.NIn, p.Network.NAstro = 200, 50, 10
		p.Network.PThirdIfPrimary = 1
		p.Astrocyte.DeltaIP3 = 1.5
		cut, total = 240.3, 300.0
	}
	run := func(first float64) (*astro.Kernel, Setup) {
		k, s, err := NewNetwork(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Simulate(first); err != nil {
			t.Fatal(err)
		}
		return k, s
	}
	k, s := run(total)
	want, err := s.Collect(k)
	if err != nil {
		t.Fatal(err)
	}
	k1, s1 := run(cut)
	var buf bytes.Buffer
	if err := k1.Save(&buf); err != nil {
		t.Fatal(err)
	}
	t.Logf("snapshot at %g ms: %d bytes (vector path %s)", cut, buf.Len(), astro.VectorPath())
	k3, err := astro.LoadWith(&buf, astro.LoadOptions{LocalNumThreads: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := k3.Simulate(total - cut); err != nil {
		t.Fatal(err)
	}
	got, err := s1.Collect(k3)
	if err != nil {
		t.Fatal(err)
	}
	if on := analysis.FirstTimeAbove(want.NeuronMM, "I_SIC", 0); len(want.Spikes.Times) == 0 || !(on < cut) {
		t.Fatalf("%d spikes, I_SIC from %g ms: the run does not test SIC in transit", len(want.Spikes.Times), on)
	}
	if !slices.Equal(got.Spikes.Senders, want.Spikes.Senders) || !sameBits(got.Spikes.Times, want.Spikes.Times) {
		t.Errorf("spikes differ: %d restored, %d uninterrupted", len(got.Spikes.Times), len(want.Spikes.Times))
	}
	if d := diffEvents(got.NeuronMM, want.NeuronMM); d != "" {
		t.Errorf("neuron multimeter: %s", d)
	}
	if d := diffEvents(got.AstroMM, want.AstroMM); d != "" {
		t.Errorf("astrocyte multimeter: %s", d)
	}
	if got.Stats != want.Stats {
		t.Errorf("stats %+v, uninterrupted %+v", got.Stats, want.Stats)
	}
}
