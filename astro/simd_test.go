package astro_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/brunel"
)

// TestSIMDMatchesScalar: the vector path (GOEXPERIMENT=simd builds on AVX2
// machines) gives bit-identical results to the scalar path. The 800/200/100
// example network is chaotic, so a difference in any bit of any neuron's
// state would change spike times within a few hundred ms; every spike of
// every neuron and every recorded I_SIC, IP3 and Ca value must be equal.
// The vector run uses 3 threads, so its batches are formed over other
// neuron ranges than in the scalar run. A second case gives the neurons a
// refractory period, so batches mix refractory lanes (scalar path) with
// vector lanes at many steps.
func TestSIMDMatchesScalar(t *testing.T) {
	if !astro.SIMDAvailable() {
		t.Skip("no vector path in this build (build with GOEXPERIMENT=simd on amd64 with AVX2)")
	}
	for _, tRef := range []float64{0, 2} {
		t.Run(fmt.Sprintf("t_ref=%g", tRef), func(t *testing.T) { simdMatchesScalar(t, tRef) })
	}
}

func simdMatchesScalar(t *testing.T, tRef float64) {
	p := brunel.DefaultParams()
	p.Network.NEx, p.Network.NIn, p.Network.NAstro = 800, 200, 100
	p.NeuronEx.TRef, p.NeuronIn.TRef = tRef, tRef
	p.Sim.NRecSpk = 1000
	if testing.Short() {
		p.Sim.SimTime = 400
	}
	run := func(threads int, disabled bool) *brunel.Result {
		astro.SetSIMDDisabled(disabled)
		defer astro.SetSIMDDisabled(false)
		p.Sim.NThreads = threads
		res, err := brunel.Run(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	scalar := run(1, true)
	vector := run(3, false)
	if len(scalar.Spikes.Times) < 1000 {
		t.Fatalf("only %d spikes: the comparison would be weak", len(scalar.Spikes.Times))
	}
	if !slices.Equal(scalar.Spikes.Times, vector.Spikes.Times) || !slices.Equal(scalar.Spikes.Senders, vector.Spikes.Senders) {
		t.Fatalf("spikes differ: scalar %d, vector %d", len(scalar.Spikes.Times), len(vector.Spikes.Times))
	}
	for name, mm := range map[string][2]astro.MultimeterEvents{
		"neurons": {scalar.NeuronMM, vector.NeuronMM}, "astrocytes": {scalar.AstroMM, vector.AstroMM},
	} {
		for rec, v := range mm[0].Values {
			if !slices.Equal(v, mm[1].Values[rec]) {
				t.Errorf("%s: %s differs between the scalar and the vector path", name, rec)
			}
		}
	}
	t.Logf("%d spikes identical", len(scalar.Spikes.Times))
}
