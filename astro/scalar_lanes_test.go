package astro

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// TestNeuronsIndependentOfLaneMates: a neuron's trajectory does not depend
// on the neurons it is integrated with. The scalar path (runScalar) keeps
// four neurons in flight, each at its own lag and substep, and the vector
// path moves a neuron that leaves its batch (near a spike, refractory) to
// the scalar path for the rest of the slice while its batch runs on. Here
// 37 neurons (two vector batches and a remainder), driven to spike at
// different times, are simulated together — on the vector path where the
// build has one, and on the scalar path — and each one alone; every
// membrane potential sample, spike time and final state must be equal to
// the bit.
func TestNeuronsIndependentOfLaneMates(t *testing.T) {
	const n, simTime = 37, 150.0
	p := DefaultAeifCondAlphaAstro()
	p.TRef, p.IE = 0.5, 450
	spikeTimes := func(j int) []float64 { // on the 0.1 ms grid, a period of its own
		var ts []float64
		for s := 10 + j%5; float64(s)/10 < simTime; s += 3 + j%7 {
			ts = append(ts, float64(s)/10)
		}
		return ts
	}
	weight := func(j int) float64 { return []float64{25, 40, -15, 60}[j%4] } // nS
	type trace struct {
		v      []float64
		spikes []float64
		final  [aeifDim]float64
	}
	// run simulates the neurons js in one block and returns their traces.
	run := func(t *testing.T, js []int, vector bool) []trace {
		SetSIMDDisabled(!vector)
		defer SetSIMDDisabled(false)
		k := mustKernel(t, KernelConfig{Resolution: 0.1})
		neurons := mustCreate(t, k, p, len(js))
		for l, j := range js {
			gen := mustCreate(t, k, SpikeGenerator{SpikeTimes: spikeTimes(j)}, 1)
			mustConnect(t, k, gen, neurons.Slice(l, l+1), OneToOne{}, StaticSynapse{Weight: weight(j), Delay: 1})
		}
		mm := mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: []string{"V_m"}}, 1)
		sr := mustCreate(t, k, SpikeRecorder{}, 1)
		mustConnect(t, k, mm, neurons, nil, nil)
		mustConnect(t, k, neurons, sr, nil, nil)
		mustSimulate(t, k, simTime)
		out := make([]trace, len(js))
		ev := mustMM(t, k, mm)
		for e, id := range ev.Senders {
			out[id-neurons.At(0)].v = append(out[id-neurons.At(0)].v, ev.Values["V_m"][e])
		}
		sp := mustSR(t, k, sr)
		for e, id := range sp.Senders {
			out[id-neurons.At(0)].spikes = append(out[id-neurons.At(0)].spikes, sp.Times[e])
		}
		b, i := blockOf(t, k, neurons.At(0))
		for l := range js {
			out[l].final = b.(*aeifBlock).y[i+l]
		}
		return out
	}
	all := make([]int, n)
	for j := range all {
		all[j] = j
	}
	alone := make([]trace, n)
	spikes := 0
	for j := range n {
		alone[j] = run(t, []int{j}, false)[0]
		spikes += len(alone[j].spikes)
	}
	if spikes < 5*n {
		t.Fatalf("only %d spikes: too few near-spike steps to test", spikes)
	}
	same := func(a, b []float64) bool {
		return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
	}
	for _, vector := range []bool{false, true} {
		if vector && !simdAvailable {
			continue
		}
		t.Run(fmt.Sprintf("vector=%v", vector), func(t *testing.T) {
			together := run(t, all, vector)
			for j := range n {
				a, b := alone[j], together[j]
				if !same(a.v, b.v) || !same(a.spikes, b.spikes) || !same(a.final[:], b.final[:]) {
					t.Errorf("neuron %d: together with others (%d spikes) differs from alone (%d spikes)", j, len(b.spikes), len(a.spikes))
				}
			}
		})
	}
	t.Logf("%d spikes", spikes)
}
