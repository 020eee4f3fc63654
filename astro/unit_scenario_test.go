package astro

import (
	"cmp"
	"math"
	"slices"
	"testing"
)

// buildUnitScenario builds the deterministic single-cell scenario whose
// NEST 3.8 output is in testdata/nest-3.8 (testdata/nest-3.8/unit_scenario.sli).
func buildUnitScenario(t *testing.T, threads int) (k *Kernel, mmN, mmA, sr NodeCollection) {
	t.Helper()
	k = mustKernel(t, (KernelConfig{Resolution: 0.1, LocalNumThreads: threads}))
	sgE := mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{5, 10, 10.5, 11, 30, 30.1, 50, 100, 150, 151, 152, 153, 154, 200, 250}}, 1)
	pn := mustCreate(t, k, ParrotNeuron{}, 1)
	np := DefaultAeifCondAlphaAstro()
	np.TauSynEx, np.TauSynIn, np.IE = 2, 4, 700
	n1 := mustCreate(t, k, np, 1)
	ap := DefaultAstrocyteLR1994()
	ap.IP3, ap.DeltaIP3, ap.TauIP3 = 0.4, 0.5, 2.0
	astroA := mustCreate(t, k, ap, 1)
	bp := DefaultAstrocyteLR1994()
	bp.CaAstro, bp.IP3, bp.DeltaIP3 = 0.2, 1.0, 5.0
	astroB := mustCreate(t, k, bp, 1)
	sgI := mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{20, 60, 60, 120}}, 1)
	mmN = mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: []string{"V_m", "g_ex", "g_in", "w", "I_SIC"}}, 1)
	mmA = mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: []string{"IP3", "Ca_astro", "h_IP3R"}}, 1)
	sr = mustCreate(t, k, SpikeRecorder{}, 1)
	ts := DefaultTsodyksSynapse()
	ts.Weight, ts.TauPsc, ts.Delay = 1, 2, 2
	for _, c := range []struct {
		pre, post NodeCollection
		syn       Synapse
	}{
		{sgE, pn, StaticSynapse{Weight: 1, Delay: 1}},
		{pn, n1, ts},
		{pn, astroA, ts},
		{sgI, n1, StaticSynapse{Weight: -4, Delay: 1}},
		{astroB, n1, DefaultSICConnection()},
		{mmN, n1, nil},
		{mmA, Concat(astroA, astroB), nil},
		{n1, sr, nil},
	} {
		if err := k.Connect(c.pre, c.post, nil, c.syn); err != nil {
			t.Fatal(err)
		}
	}
	return k, mmN, mmA, sr
}

// TestUnitScenarioMatchesNEST compares every recorded value of the scenario
// with NEST 3.8's output. Tolerance: 1e-9 relative (plus 1e-12 absolute for
// values near 0); the spec reports agreement to ~1e-12 when only libm
// rounding differs. Spike times must be identical.
func TestUnitScenarioMatchesNEST(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k, mmN, mmA, sr := buildUnitScenario(t, threads)
		if err := k.Simulate(100); err != nil {
			t.Fatal(err)
		}
		if err := k.Simulate(200); err != nil {
			t.Fatal(err)
		}
		if got := k.MinDelay(); got != 1.0 {
			t.Errorf("min_delay = %g ms, want 1.0", got)
		}
		spikes := mustSR(t, k, sr)
		want := []float64{23.2, 60.2, 168.6, 275.7}
		if len(spikes.Times) != len(want) {
			t.Fatalf("threads %d: spikes %v, want %v", threads, spikes.Times, want)
		}
		for i := range want {
			if math.Round(spikes.Times[i]*10) != math.Round(want[i]*10) {
				t.Errorf("threads %d: spike %d at %g ms, want %g", threads, i, spikes.Times[i], want[i])
			}
		}
		neuron := readTable(t, "testdata/nest-3.8/unit_neuron.tsv")
		evN := mustMM(t, k, mmN)
		compareTrace(t, "neuron", evN, neuron, []string{"V_m", "g_ex", "g_in", "w", "I_SIC"})
		astro := readTable(t, "testdata/nest-3.8/unit_astro.tsv")
		evA := mustMM(t, k, mmA)
		compareTrace(t, "astrocytes", evA, astro, []string{"IP3", "Ca_astro", "h_IP3R"})
	}
}

// compareTrace compares multimeter events with rows (sender, time, values…).
func compareTrace(t *testing.T, what string, ev MultimeterEvents, rows [][]float64, names []string) {
	t.Helper()
	// Our events are sorted by time, then sender; NEST's files are in
	// arrival order, so sort them the same way.
	slices.SortStableFunc(rows, func(a, b []float64) int {
		return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0]))
	})
	if len(ev.Times) != len(rows) {
		t.Fatalf("%s: %d samples, NEST has %d", what, len(ev.Times), len(rows))
	}
	worst := 0.0
	for i, r := range rows {
		if ev.Senders[i] != int(r[0]) || math.Abs(ev.Times[i]-r[1]) > 1e-9 {
			t.Fatalf("%s row %d: sender/time %d/%g, NEST %g/%g", what, i, ev.Senders[i], ev.Times[i], r[0], r[1])
		}
		for j, name := range names {
			got, want := ev.Values[name][i], r[2+j]
			d := math.Abs(got - want)
			if d > 1e-12 && relErr(got, want) > 1e-9 {
				t.Fatalf("%s %s at t=%g (sender %d): got %.17g, NEST %.17g (rel %.2g)", what, name, r[1], int(r[0]), got, want, relErr(got, want))
			}
			if d > 1e-12 {
				worst = math.Max(worst, relErr(got, want))
			}
		}
	}
	t.Logf("%s: %d samples, worst relative difference %.2g", what, len(rows), worst)
}

// TestSimulateInPiecesIsSeamless: Simulate calls of any length, also ones
// that end inside a min_delay slice, continue exactly where the last one
// stopped (docs/semantics.md, "Slices and min_delay"): the same traces and spikes as one call.
func TestSimulateInPiecesIsSeamless(t *testing.T) {
	run := func(pieces ...float64) (MultimeterEvents, MultimeterEvents, SpikeEvents) {
		k, mmN, mmA, sr := buildUnitScenario(t, 2)
		for _, p := range pieces {
			if err := k.Simulate(p); err != nil {
				t.Fatal(err)
			}
		}
		return mustMM(t, k, mmN), mustMM(t, k, mmA), mustSR(t, k, sr)
	}
	n1, a1, s1 := run(300)
	n2, a2, s2 := run(0.3, 37.4, 62.3, 0.1, 100, 99.9)
	if !slices.Equal(s1.Times, s2.Times) {
		t.Errorf("spikes differ: %v vs %v", s1.Times, s2.Times)
	}
	for name, pair := range map[string][2][]float64{
		"V_m": {n1.Values["V_m"], n2.Values["V_m"]}, "I_SIC": {n1.Values["I_SIC"], n2.Values["I_SIC"]},
		"IP3": {a1.Values["IP3"], a2.Values["IP3"]}, "Ca_astro": {a1.Values["Ca_astro"], a2.Values["Ca_astro"]},
	} {
		if len(pair[0]) == 0 || !slices.Equal(pair[0], pair[1]) {
			t.Errorf("%s differs between one Simulate(300) and pieces (%d vs %d samples)", name, len(pair[0]), len(pair[1]))
		}
	}
}
