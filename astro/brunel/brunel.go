// Package brunel builds and runs NEST's astrocyte_brunel example — a random
// balanced network of aeif_cond_alpha_astro neurons with astrocyte_lr_1994
// astrocytes paired to its excitatory connections — with the astro engine.
// The notebook notebooks/astrocyte_brunel.ipynb spells the same steps out
// cell by cell; this package serves the benchmark, the tests and the
// classroom notebooks.
package brunel

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/astronb/astronb/astro"
)

// SimParams mirrors the example's sim_params.
type SimParams struct {
	Dt         float64 // resolution (ms)
	PreSimTime float64 // pre-simulation time (ms)
	SimTime    float64 // simulation time (ms)
	NRecSpk    int     // neurons recorded by the spike recorder (the first ones)
	NRecMM     int     // neurons and astrocytes recorded by the multimeters (random)
	NThreads   int     // worker threads (results do not depend on it)
	Seed       uint64  // seed for choosing the recorded nodes
	RNGSeed    uint64  // kernel seed (0: NEST's default 143202461)
	// MemoryLimit is the kernel's memory budget in bytes (0: the memory the
	// machine has available; see astro.KernelConfig).
	MemoryLimit int64
}

// NetworkParams mirrors the example's network_params.
type NetworkParams struct {
	NEx, NIn, NAstro int
	PPrimary         float64 // connection probability between neurons
	PThirdIfPrimary  float64 // probability that an excitatory connection is paired with an astrocyte
	PoolSize         int     // astrocyte pool size per target neuron
	PoolType         astro.PoolType
	PoissonRate      float64 // Poisson input rate per neuron (Hz)
}

// SynParams mirrors the example's syn_params.
type SynParams struct {
	WA2N float64 // weight of astrocyte-to-neuron (sic_connection)
	WE   float64 // excitatory weight (nS)
	WI   float64 // inhibitory weight (nS)
	DE   float64 // excitatory delay (ms)
	DI   float64 // inhibitory delay (ms)
}

// Params is the whole example's configuration.
type Params struct {
	Sim       SimParams
	Network   NetworkParams
	Syn       SynParams
	Astrocyte astro.AstrocyteLR1994
	NeuronEx  astro.AeifCondAlphaAstro
	NeuronIn  astro.AeifCondAlphaAstro
	TauSynEx  float64 // ms
	TauSynIn  float64 // ms
	Scale     float64 // population sizes × Scale, probabilities ÷ Scale (≥ 1)
}

// DefaultParams returns the example's values (NEST 3.8 astrocyte_brunel.py),
// with 2 threads.
func DefaultParams() Params {
	p := Params{
		Sim: SimParams{Dt: 0.1, PreSimTime: 100, SimTime: 1000, NRecSpk: 100, NRecMM: 50, NThreads: 2, Seed: 100},
		Network: NetworkParams{NEx: 8000, NIn: 2000, NAstro: 10000, PPrimary: 0.1, PThirdIfPrimary: 0.5,
			PoolSize: 10, PoolType: astro.PoolRandom, PoissonRate: 2000},
		Syn:      SynParams{WA2N: 0.01, WE: 1.0, WI: -4.0, DE: 2.0, DI: 1.0},
		TauSynEx: 2.0, TauSynIn: 4.0, Scale: 1,
	}
	p.Astrocyte = astro.DefaultAstrocyteLR1994()
	p.Astrocyte.IP3, p.Astrocyte.DeltaIP3, p.Astrocyte.TauIP3 = 0.4, 0.5, 2.0
	p.NeuronEx = astro.DefaultAeifCondAlphaAstro()
	p.NeuronEx.TauSynEx, p.NeuronEx.TauSynIn = p.TauSynEx, p.TauSynIn
	p.NeuronIn = p.NeuronEx
	return p
}

// Network holds the created populations.
type Network struct {
	Exc, Inh, Astro, Noise astro.NodeCollection
}

// Create makes the nodes (the example's create_astro_network).
func Create(k *astro.Kernel, p Params) (Network, error) {
	if !(p.Scale >= 1) {
		return Network{}, fmt.Errorf("brunel: scale = %g: must be ≥ 1", p.Scale)
	}
	if err := checkPlan(k, p); err != nil {
		return Network{}, err
	}
	var n Network
	var err error
	size := func(x int) int { return int(float64(x) * p.Scale) }
	if n.Exc, err = k.Create(p.NeuronEx, size(p.Network.NEx)); err != nil {
		return n, err
	}
	if n.Inh, err = k.Create(p.NeuronIn, size(p.Network.NIn)); err != nil {
		return n, err
	}
	if n.Astro, err = k.Create(p.Astrocyte, size(p.Network.NAstro)); err != nil {
		return n, err
	}
	n.Noise, err = k.Create(astro.PoissonGenerator{Rate: p.Network.PoissonRate}, 1)
	return n, err
}

// Connect wires the network (the example's connect_astro_network).
func Connect(k *astro.Kernel, p Params, n Network) error {
	if !(p.Scale >= 1) {
		return fmt.Errorf("brunel: scale = %g: must be ≥ 1", p.Scale)
	}
	if err := checkScale(p); err != nil {
		return err
	}
	neurons := astro.Concat(n.Exc, n.Inh)
	if err := k.Connect(n.Noise, neurons, nil, astro.StaticSynapse{Weight: p.Syn.WE, Delay: 1.0}); err != nil {
		return err
	}
	exc := astro.DefaultTsodyksSynapse()
	exc.Weight, exc.TauPsc, exc.Delay = p.Syn.WE, p.TauSynEx, p.Syn.DE
	rule := astro.TripartiteBernoulliWithPool{
		PPrimary:        p.Network.PPrimary / p.Scale,
		PThirdIfPrimary: p.Network.PThirdIfPrimary,
		PoolSize:        p.Network.PoolSize,
		PoolType:        p.Network.PoolType,
		AllowAutapses:   true,
	}
	syns := astro.TripartiteSynSpecs{Primary: exc, ThirdIn: exc,
		ThirdOut: astro.SICConnection{Weight: p.Syn.WA2N, Delay: 1.0}}
	if err := k.TripartiteConnect(n.Exc, neurons, n.Astro, rule, syns); err != nil {
		return err
	}
	inh := astro.DefaultTsodyksSynapse()
	inh.Weight, inh.TauPsc, inh.Delay = p.Syn.WI, p.TauSynIn, p.Syn.DI
	return k.Connect(n.Inh, neurons, astro.NewPairwiseBernoulli(p.Network.PPrimary/p.Scale), inh)
}

// Result is what a run produces: plain data that survives caching (gob).
type Result struct {
	Params Params
	// RecordedSpikeIDs are the neurons recorded by the spike recorder.
	RecordedSpikeIDs []int
	Spikes           astro.SpikeEvents      // of RecordedSpikeIDs
	NeuronMM         astro.MultimeterEvents // I_SIC of NRecMM random neurons
	AstroMM          astro.MultimeterEvents // IP3, Ca_astro of NRecMM random astrocytes
	NumNeurons       int
	Connections      map[string]int // per synapse model
	Stats            astro.Stats
	Phases           Phases
}

// Phases are wall-clock times of a run.
type Phases struct {
	Create, Connect, PreSim, Sim time.Duration
}

// Total returns the sum of all phases.
func (p Phases) Total() time.Duration { return p.Create + p.Connect + p.PreSim + p.Sim }

// Run builds the network, records like the example, simulates the
// pre-simulation and the simulation time and returns the recordings (the
// example's run_simulation, without the plots).
func Run(p Params, progress func(astro.Progress)) (*Result, error) {
	res := &Result{Params: p}
	t0 := time.Now()
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: p.Sim.Dt, LocalNumThreads: p.Sim.NThreads, RNGSeed: p.Sim.RNGSeed,
		MemoryLimit: p.Sim.MemoryLimit})
	if err != nil {
		return nil, err
	}
	k.SetProgress(progress)
	net, err := Create(k, p)
	if err != nil {
		return nil, err
	}
	t1 := time.Now()
	if err := Connect(k, p, net); err != nil {
		return nil, err
	}
	sr, err := k.Create(astro.SpikeRecorder{}, 1)
	if err != nil {
		return nil, err
	}
	mmN, err := k.Create(astro.Multimeter{RecordFrom: []string{"I_SIC"}}, 1)
	if err != nil {
		return nil, err
	}
	mmA, err := k.Create(astro.Multimeter{RecordFrom: []string{"IP3", "Ca_astro"}}, 1)
	if err != nil {
		return nil, err
	}
	neurons := astro.Concat(net.Exc, net.Inh).IDs()
	rng := rand.New(rand.NewPCG(p.Sim.Seed, 0))
	nSpk := min(len(neurons), p.Sim.NRecSpk)
	res.RecordedSpikeIDs = slices.Clone(neurons[:nSpk])
	recN := sample(rng, neurons, min(len(neurons), p.Sim.NRecMM))
	recA := sample(rng, net.Astro.IDs(), min(net.Astro.Len(), p.Sim.NRecMM))
	if err := k.Connect(astro.NodeIDs(res.RecordedSpikeIDs...), sr, nil, nil); err != nil {
		return nil, err
	}
	if err := k.Connect(mmN, astro.NodeIDs(recN...), nil, nil); err != nil {
		return nil, err
	}
	if err := k.Connect(mmA, astro.NodeIDs(recA...), nil, nil); err != nil {
		return nil, err
	}
	res.Connections = k.NumConnections()
	t2 := time.Now()
	if err := k.Simulate(p.Sim.PreSimTime); err != nil {
		return nil, err
	}
	t3 := time.Now()
	if err := k.Simulate(p.Sim.SimTime); err != nil {
		return nil, err
	}
	t4 := time.Now()
	res.Phases = Phases{Create: t1.Sub(t0), Connect: t2.Sub(t1), PreSim: t3.Sub(t2), Sim: t4.Sub(t3)}
	if res.Spikes, err = k.SpikeEvents(sr); err != nil {
		return nil, err
	}
	if res.NeuronMM, err = k.MultimeterEvents(mmN); err != nil {
		return nil, err
	}
	if res.AstroMM, err = k.MultimeterEvents(mmA); err != nil {
		return nil, err
	}
	res.NumNeurons = len(neurons)
	res.Stats = k.Stats()
	return res, nil
}

// sample returns n distinct elements of xs chosen uniformly, sorted (the
// example's sorted(random.sample(...))).
func sample(rng *rand.Rand, xs []int, n int) []int {
	perm := rng.Perm(len(xs))[:n]
	out := make([]int, n)
	for i, j := range perm {
		out[i] = xs[j]
	}
	slices.Sort(out)
	return out
}
