package brunel

import (
	"math/rand/v2"
	"slices"

	"github.com/astronb/astronb/astro"
)

// Setup names the nodes of a built network that a run records from. It is
// plain data (node IDs), so it can be kept with a kernel snapshot.
type Setup struct {
	Params Params
	Net    Network
	// SR records the spikes of RecordedSpikeIDs; MMN samples I_SIC of
	// NRecMM random neurons, MMA IP3 and Ca_astro of NRecMM random
	// astrocytes, every 1 ms.
	SR, MMN, MMA     astro.NodeCollection
	RecordedSpikeIDs []int
}

// Build creates and wires the network and its recorders exactly as Run
// does, without simulating: Run(p) equals Build(p), then Simulate of the
// pre-simulation and the simulation time, then Setup.Collect.
func Build(p Params) (*astro.Kernel, Setup, error) { return build(p, nil, func() {}) }

// build is Build with a progress callback for the kernel; created is
// called when the nodes exist, before the wiring (Run times the phases).
func build(p Params, progress func(astro.Progress), created func()) (*astro.Kernel, Setup, error) {
	s := Setup{Params: p}
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: p.Sim.Dt, LocalNumThreads: p.Sim.NThreads, RNGSeed: p.Sim.RNGSeed})
	if err != nil {
		return nil, s, err
	}
	k.SetProgress(progress)
	if s.Net, err = Create(k, p); err != nil {
		return nil, s, err
	}
	created()
	if err := Connect(k, p, s.Net); err != nil {
		return nil, s, err
	}
	if s.SR, err = k.Create(astro.SpikeRecorder{}, 1); err != nil {
		return nil, s, err
	}
	if s.MMN, err = k.Create(astro.Multimeter{RecordFrom: []string{"I_SIC"}}, 1); err != nil {
		return nil, s, err
	}
	if s.MMA, err = k.Create(astro.Multimeter{RecordFrom: []string{"IP3", "Ca_astro"}}, 1); err != nil {
		return nil, s, err
	}
	neurons := astro.Concat(s.Net.Exc, s.Net.Inh).IDs()
	rng := rand.New(rand.NewPCG(p.Sim.Seed, 0))
	s.RecordedSpikeIDs = slices.Clone(neurons[:min(len(neurons), p.Sim.NRecSpk)])
	recN := sample(rng, neurons, min(len(neurons), p.Sim.NRecMM))
	recA := sample(rng, s.Net.Astro.IDs(), min(s.Net.Astro.Len(), p.Sim.NRecMM))
	if err := k.Connect(astro.NodeIDs(s.RecordedSpikeIDs...), s.SR, nil, nil); err != nil {
		return nil, s, err
	}
	if err := k.Connect(s.MMN, astro.NodeIDs(recN...), nil, nil); err != nil {
		return nil, s, err
	}
	if err := k.Connect(s.MMA, astro.NodeIDs(recA...), nil, nil); err != nil {
		return nil, s, err
	}
	return k, s, nil
}

// Collect returns the recordings of a kernel built by Build (and possibly
// saved and loaded since), like Run's result without the phase times.
func (s Setup) Collect(k *astro.Kernel) (*Result, error) {
	res := &Result{Params: s.Params, RecordedSpikeIDs: slices.Clone(s.RecordedSpikeIDs),
		NumNeurons: s.Net.Exc.Len() + s.Net.Inh.Len(), Connections: k.NumConnections(), Stats: k.Stats()}
	var err error
	if res.Spikes, err = k.SpikeEvents(s.SR); err != nil {
		return nil, err
	}
	if res.NeuronMM, err = k.MultimeterEvents(s.MMN); err != nil {
		return nil, err
	}
	if res.AstroMM, err = k.MultimeterEvents(s.MMA); err != nil {
		return nil, err
	}
	return res, nil
}
