package astro

import "testing"

// TestRecorderWindows: start/stop/origin of spike_recorder and multimeter
// keep exactly the events with start < t ≤ stop (relative to origin).
func TestRecorderWindows(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	sg := mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{1, 2, 3, 4, 5, 6}}, 1)
	pn := mustCreate(t, k, ParrotNeuron{}, 1)
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 1)
	sr := mustCreate(t, k, SpikeRecorder{Start: 2, Stop: 4, Origin: 1}, 1) // window (3, 5] ms
	mm := mustCreate(t, k, Multimeter{Interval: 1, RecordFrom: []string{"V_m"}, Start: 2, Stop: 5}, 1)
	if err := k.Connect(sg, pn, nil, StaticSynapse{Weight: 1, Delay: 1}); err != nil {
		t.Fatal(err)
	}
	if err := k.Connect(pn, sr, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := k.Connect(mm, n, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(20); err != nil {
		t.Fatal(err)
	}
	// The parrot fires 1 ms after each generator spike: 2 … 7 ms.
	if got := mustSR(t, k, sr).Times; len(got) != 2 || got[0] != 4 || got[1] != 5 {
		t.Errorf("spike times %v, want [4 5] (window (3, 5] ms)", got)
	}
	if got := mustMM(t, k, mm).Times; len(got) != 3 || got[0] != 3 || got[2] != 5 {
		t.Errorf("sample times %v, want [3 4 5] (window (2, 5] ms)", got)
	}
	if _, err := k.Create(Multimeter{RecordFrom: []string{"V_m"}, Start: 5, Stop: 2}, 1); err == nil {
		t.Error("stop < start accepted")
	}
}
