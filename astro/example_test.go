package astro_test

import (
	"fmt"

	"github.com/astronb/astronb/astro"
)

// A single aeif_cond_alpha_astro neuron driven by a constant current: the
// multimeter samples V_m every ms, the spike recorder its spikes.
func Example_singleNeuron() {
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: 0.1})
	if err != nil {
		panic(err)
	}
	neuron := astro.DefaultAeifCondAlphaAstro()
	neuron.IE = 800 // pA
	n, _ := k.Create(neuron, 1)
	mm, _ := k.Create(astro.Multimeter{Interval: 1, RecordFrom: []string{"V_m"}}, 1)
	sr, _ := k.Create(astro.SpikeRecorder{}, 1)
	_ = k.Connect(mm, n, nil, nil)
	_ = k.Connect(n, sr, nil, nil)
	if err := k.Simulate(100); err != nil { // ms
		panic(err)
	}
	spikes, _ := k.SpikeEvents(sr)
	v, _ := k.MultimeterEvents(mm)
	fmt.Printf("%d spikes, the first at %.1f ms\n", len(spikes.Times), spikes.Times[0])
	fmt.Printf("%d samples of V_m; V_m(1 ms) = %.2f mV\n", len(v.Times), v.Values["V_m"][0])
	// Output:
	// 3 spikes, the first at 17.8 ms
	// 99 samples of V_m; V_m(1 ms) = -67.90 mV
}

// Tripartite wiring with NEST 3.8's rule: every neuron pair connected with
// probability p_primary, and each such connection paired with one
// astrocyte of the target's pool, which receives the source's spikes
// (third_in) and sends SIC to the target (third_out).
func Example_tripartiteConnect() {
	k, _ := astro.NewKernel(astro.KernelConfig{})
	neurons, _ := k.Create(astro.DefaultAeifCondAlphaAstro(), 20)
	astrocytes, _ := k.Create(astro.DefaultAstrocyteLR1994(), 5)
	rule := astro.NewTripartiteBernoulliWithPool()
	rule.PPrimary, rule.PThirdIfPrimary, rule.PoolSize = 0.2, 0.5, 1
	err := k.TripartiteConnect(neurons, neurons, astrocytes, rule, astro.TripartiteSynSpecs{
		Primary:  astro.DefaultTsodyksSynapse(),
		ThirdIn:  astro.StaticSynapse{Weight: 1, Delay: 1},
		ThirdOut: astro.SICConnection{Weight: 1, Delay: 1},
	})
	if err != nil {
		panic(err)
	}
	c := k.NumConnections()
	fmt.Printf("neuron→neuron %d, neuron→astrocyte %d, astrocyte→neuron %d\n",
		c["tsodyks_synapse"], c["static_synapse"], c["sic_connection"])
	// Each target has a pool of one astrocyte, so all its SIC comes from it.
	sic := k.GetConnections(astrocytes, neurons, "sic_connection")
	pools := map[int]map[int]bool{}
	for _, s := range sic {
		if pools[s.Target] == nil {
			pools[s.Target] = map[int]bool{}
		}
		pools[s.Target][s.Source] = true
	}
	one := true
	for _, p := range pools {
		one = one && len(p) == 1
	}
	fmt.Println("one astrocyte per target:", one)
	// Output:
	// neuron→neuron 73, neuron→astrocyte 41, astrocyte→neuron 41
	// one astrocyte per target: true
}
