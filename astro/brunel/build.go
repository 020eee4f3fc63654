package brunel

import (
	"slices"

	"github.com/astronb/astronb/astro"
)

// Setup names the nodes of a built network that a run records from. It is
// plain data (node IDs), so it can be kept with a kernel snapshot.
type Setup struct {
	Params Params
	Net    Network
	Rec    Recorders
}

// NewNetwork makes a kernel with the example's settings and builds the
// network and its recorders in it exactly as Run does, without simulating:
// Run(p) equals NewNetwork(p), then Simulate of the pre-simulation and the
// simulation time, then Setup.Collect.
func NewNetwork(p Params) (*astro.Kernel, Setup, error) { return newNetwork(p, nil, func() {}) }

// newNetwork is NewNetwork with a progress callback for the kernel;
// created is called when the nodes exist, before the wiring (Run times the
// phases).
func newNetwork(p Params, progress func(astro.Progress), created func()) (*astro.Kernel, Setup, error) {
	s := Setup{Params: p}
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: p.Sim.Dt, LocalNumThreads: p.Sim.NThreads, RNGSeed: p.Sim.RNGSeed,
		MemoryLimit: p.Sim.MemoryLimit})
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
	if s.Rec, err = Record(k, p, s.Net); err != nil {
		return nil, s, err
	}
	return k, s, nil
}

// Collect returns the recordings of a kernel built by NewNetwork (and
// possibly saved and loaded since), like Run's result without the phase
// times.
func (s Setup) Collect(k *astro.Kernel) (*Result, error) {
	res := &Result{Params: s.Params, RecordedSpikeIDs: slices.Clone(s.Rec.SpikeIDs),
		NumNeurons: s.Net.Exc.Len() + s.Net.Inh.Len(), Connections: k.NumConnections(), Stats: k.Stats()}
	var err error
	if res.Spikes, err = k.SpikeEvents(s.Rec.Spikes); err != nil {
		return nil, err
	}
	if res.NeuronMM, err = k.MultimeterEvents(s.Rec.NeuronMM); err != nil {
		return nil, err
	}
	if res.AstroMM, err = k.MultimeterEvents(s.Rec.AstroMM); err != nil {
		return nil, err
	}
	return res, nil
}
