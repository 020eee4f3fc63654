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
	// NeuronEx and NeuronIn are the two populations' neurons. As in NEST's
	// example, the synapses' tau_psc are the neurons' synaptic time
	// constants: NeuronEx.TauSynEx for the excitatory tsodyks_synapses,
	// NeuronEx.TauSynIn for the inhibitory ones (ms).
	NeuronEx astro.AeifCondAlphaAstro
	NeuronIn astro.AeifCondAlphaAstro
	Scale    float64 // population sizes × Scale, probabilities ÷ Scale (≥ 1)
}

// DefaultParams returns the example's values (NEST 3.8 astrocyte_brunel.py),
// with 2 threads.
func DefaultParams() Params {
	p := Params{
		Sim: SimParams{Dt: 0.1, PreSimTime: 100, SimTime: 1000, NRecSpk: 100, NRecMM: 50, NThreads: 2, Seed: 100},
		Network: NetworkParams{NEx: 8000, NIn: 2000, NAstro: 10000, PPrimary: 0.1, PThirdIfPrimary: 0.5,
			PoolSize: 10, PoolType: astro.PoolRandom, PoissonRate: 2000},
		Syn:   SynParams{WA2N: 0.01, WE: 1.0, WI: -4.0, DE: 2.0, DI: 1.0},
		Scale: 1,
	}
	p.Astrocyte = astro.DefaultAstrocyteLR1994()
	p.Astrocyte.IP3, p.Astrocyte.DeltaIP3, p.Astrocyte.TauIP3 = 0.4, 0.5, 2.0
	p.NeuronEx = astro.DefaultAeifCondAlphaAstro()
	p.NeuronEx.TauSynEx, p.NeuronEx.TauSynIn = 2.0, 4.0 // ms
	p.NeuronIn = p.NeuronEx
	return p
}

// Builder is what builds the network: an *astro.Kernel, or a
// nestio.Plan, which records the same calls without building them (to
// export networks of any size to NEST).
type Builder interface {
	Create(m astro.Model, n int) (astro.NodeCollection, error)
	Connect(pre, post astro.NodeCollection, rule astro.ConnRule, syn astro.Synapse) error
	TripartiteConnect(pre, post, third astro.NodeCollection, rule astro.TripartiteBernoulliWithPool, syn astro.TripartiteSynSpecs) error
}

// Network holds the created populations.
type Network struct {
	Exc, Inh, Astro, Noise astro.NodeCollection
}

// Create makes the nodes (the example's create_astro_network).
func Create(k Builder, p Params) (Network, error) {
	if !(p.Scale >= 1) {
		return Network{}, fmt.Errorf("brunel: scale = %g: must be ≥ 1", p.Scale)
	}
	if err := checkScale(p); err != nil {
		return Network{}, err
	}
	if kk, ok := k.(*astro.Kernel); ok { // a Plan allocates nothing
		if err := checkPlan(kk, p); err != nil {
			return Network{}, err
		}
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
func Connect(k Builder, p Params, n Network) error {
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
	exc.Weight, exc.TauPsc, exc.Delay = p.Syn.WE, p.NeuronEx.TauSynEx, p.Syn.DE
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
	inh.Weight, inh.TauPsc, inh.Delay = p.Syn.WI, p.NeuronEx.TauSynIn, p.Syn.DI
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
	t0 := time.Now()
	var t1 time.Time
	k, setup, err := newNetwork(p, progress, func() { t1 = time.Now() })
	if err != nil {
		return nil, err
	}
	t2 := time.Now()
	if err := k.Simulate(p.Sim.PreSimTime); err != nil {
		return nil, err
	}
	t3 := time.Now()
	if err := k.Simulate(p.Sim.SimTime); err != nil {
		return nil, err
	}
	t4 := time.Now()
	res, err := setup.Collect(k)
	if err != nil {
		return nil, err
	}
	res.Phases = Phases{Create: t1.Sub(t0), Connect: t2.Sub(t1), PreSim: t3.Sub(t2), Sim: t4.Sub(t3)}
	return res, nil
}

// Recorders are the example's recorders.
type Recorders struct {
	Spikes   astro.NodeCollection // spike_recorder of the first NRecSpk neurons
	NeuronMM astro.NodeCollection // multimeter of I_SIC in NRecMM random neurons
	AstroMM  astro.NodeCollection // multimeter of IP3 and Ca_astro in NRecMM random astrocytes
	SpikeIDs []int                // the neurons the spike recorder records
}

// Record creates the recorders and connects them like the example: a
// spike recorder for the first NRecSpk neurons, multimeters (every 1 ms)
// for NRecMM neurons and NRecMM astrocytes chosen at random with
// Sim.Seed.
func Record(k Builder, p Params, net Network) (Recorders, error) {
	var r Recorders
	var err error
	if r.Spikes, err = k.Create(astro.SpikeRecorder{}, 1); err != nil {
		return r, err
	}
	if r.NeuronMM, err = k.Create(astro.Multimeter{RecordFrom: []string{"I_SIC"}}, 1); err != nil {
		return r, err
	}
	if r.AstroMM, err = k.Create(astro.Multimeter{RecordFrom: []string{"IP3", "Ca_astro"}}, 1); err != nil {
		return r, err
	}
	neurons := astro.Concat(net.Exc, net.Inh).IDs()
	rng := rand.New(rand.NewPCG(p.Sim.Seed, 0))
	nSpk := min(len(neurons), p.Sim.NRecSpk)
	r.SpikeIDs = slices.Clone(neurons[:nSpk])
	recN := sample(rng, neurons, min(len(neurons), p.Sim.NRecMM))
	recA := sample(rng, net.Astro.IDs(), min(net.Astro.Len(), p.Sim.NRecMM))
	if err := k.Connect(astro.NodeIDs(r.SpikeIDs...), r.Spikes, nil, nil); err != nil {
		return r, err
	}
	if err := k.Connect(r.NeuronMM, astro.NodeIDs(recN...), nil, nil); err != nil {
		return r, err
	}
	if err := k.Connect(r.AstroMM, astro.NodeIDs(recA...), nil, nil); err != nil {
		return r, err
	}
	return r, nil
}

// Build creates, connects and records the network (Create, Connect,
// Record) without simulating it.
func Build(k Builder, p Params) (Network, Recorders, error) {
	net, err := Create(k, p)
	if err != nil {
		return net, Recorders{}, err
	}
	if err := Connect(k, p, net); err != nil {
		return net, Recorders{}, err
	}
	rec, err := Record(k, p, net)
	return net, rec, err
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
