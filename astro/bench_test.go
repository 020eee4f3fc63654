package astro

import (
	"testing"
)

// benchNeurons builds n example neurons driven by 2 kHz Poisson input and
// inhibitory spikes, warmed up for 50 ms.
func benchNeurons(b testing.TB, n, threads int) *Kernel {
	k := mustKernel(b, KernelConfig{LocalNumThreads: threads})
	p := DefaultAeifCondAlphaAstro()
	p.TauSynEx, p.TauSynIn = 2, 4
	nodes := mustCreate(b, k, p, n)
	pg := mustCreate(b, k, PoissonGenerator{Rate: 2000}, 1)
	if err := k.Connect(pg, nodes, nil, nil); err != nil {
		b.Fatal(err)
	}
	if err := k.Simulate(50); err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkNeuronStep: one aeif_cond_alpha_astro neuron advanced by one
// 0.1 ms step (including its Poisson input), per op.
func BenchmarkNeuronStep(b *testing.B) {
	const n = 1000
	benchSteps(b, benchNeurons(b, n, 1), n)
}

// benchSteps simulates k (n nodes of interest) in 1 ms calls until b.N
// node-steps of 0.1 ms are done.
func benchSteps(b *testing.B, k *Kernel, n int) {
	b.ResetTimer()
	for steps := 0; steps < b.N; steps += 10 * n {
		if err := k.Simulate(1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNeuronStep2Threads: as BenchmarkNeuronStep, on two threads
// (ns per neuron-step of wall time; ideal is half of BenchmarkNeuronStep).
func BenchmarkNeuronStep2Threads(b *testing.B) {
	const n = 2000
	benchSteps(b, benchNeurons(b, n, 2), n)
}

// BenchmarkAstrocyteStep: one astrocyte_lr_1994 advanced by one 0.1 ms
// step, driven by excitatory spikes, per op.
func BenchmarkAstrocyteStep(b *testing.B) {
	const n = 1000
	k := mustKernel(b, KernelConfig{})
	ap := DefaultAstrocyteLR1994()
	ap.IP3, ap.DeltaIP3, ap.TauIP3 = 0.4, 0.5, 2
	astros := mustCreate(b, k, ap, n)
	pg := mustCreate(b, k, PoissonGenerator{Rate: 400}, 1)
	if err := k.Connect(pg, astros, nil, StaticSynapse{Weight: 0.1, Delay: 1}); err != nil {
		b.Fatal(err)
	}
	benchSteps(b, k, n)
}

// BenchmarkTripartiteConnect: wiring 1000 targets from 800 sources with
// 1000 astrocytes (the example's probabilities), per target.
func BenchmarkTripartiteConnect(b *testing.B) {
	for i := 0; i < b.N; i += 1000 {
		k := mustKernel(b, KernelConfig{})
		p := DefaultAeifCondAlphaAstro()
		src := mustCreate(b, k, p, 800)
		tgt := mustCreate(b, k, p, 200)
		astros := mustCreate(b, k, DefaultAstrocyteLR1994(), 1000)
		rule := TripartiteBernoulliWithPool{PPrimary: 0.1, PThirdIfPrimary: 0.5, PoolSize: 10, PoolType: PoolRandom, AllowAutapses: true}
		if err := k.TripartiteConnect(src, Concat(src, tgt), astros, rule, TripartiteSynSpecs{ThirdOut: DefaultSICConnection()}); err != nil {
			b.Fatal(err)
		}
	}
}
