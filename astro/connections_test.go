package astro

import (
	"slices"
	"testing"
)

// TestGetConnections lists the connections of a small tripartite network
// before and after Simulate (which rebuilds the storage) and checks they
// agree, per role, with the counts and the wiring rules.
func TestGetConnections(t *testing.T) {
	k := mustKernel(t, KernelConfig{LocalNumThreads: 2})
	p := DefaultAeifCondAlphaAstro()
	pre := mustCreate(t, k, p, 4)
	post := mustCreate(t, k, p, 2)
	third := mustCreate(t, k, DefaultAstrocyteLR1994(), 3)
	inh := mustCreate(t, k, p, 3)
	ts := DefaultTsodyksSynapse()
	if err := k.TripartiteConnect(pre, post, third, NewTripartiteBernoulliWithPool(),
		TripartiteSynSpecs{Primary: ts, ThirdIn: StaticSynapse{Weight: 2, Delay: 1.5}, ThirdOut: SICConnection{Weight: 0.5, Delay: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := k.Connect(inh, post, nil, StaticSynapse{Weight: -1, Delay: 1}); err != nil {
		t.Fatal(err)
	}
	before := k.GetConnections(NodeCollection{}, NodeCollection{}, "")
	if err := k.Simulate(5); err != nil {
		t.Fatal(err)
	}
	after := k.GetConnections(NodeCollection{}, NodeCollection{}, "")
	key := func(c Connection) [3]int { return [3]int{c.Source, c.Target, int(c.Delay * 10)} }
	sorted := func(cs []Connection) [][3]int {
		var out [][3]int
		for _, c := range cs {
			out = append(out, key(c))
		}
		slices.SortFunc(out, func(a, b [3]int) int { return slices.Compare(a[:], b[:]) })
		return out
	}
	if !slices.Equal(sorted(before), sorted(after)) {
		t.Errorf("connections differ before and after Simulate:\n%v\n%v", sorted(before), sorted(after))
	}
	count := func(model string, src, tgt NodeCollection) int {
		return len(k.GetConnections(src, tgt, model))
	}
	// p_primary = p_third = 1: 8 primary, 8 third_in, 8 third_out (NEST's test_tripartite_connect.py).
	if n := count("tsodyks_synapse", pre, post); n != 8 {
		t.Errorf("primary: %d connections, want 8", n)
	}
	if n := count("static_synapse", pre, third); n != 8 {
		t.Errorf("third_in: %d connections, want 8", n)
	}
	if n := count("sic_connection", third, post); n != 8 {
		t.Errorf("third_out: %d connections, want 8", n)
	}
	if n := count("", inh, post); n != 6 {
		t.Errorf("inhibitory: %d connections, want 6", n)
	}
	if got, want := len(after), 8+8+8+6; got != want {
		t.Errorf("%d connections in all, want %d", got, want)
	}
	for _, c := range k.GetConnections(third, NodeCollection{}, "") {
		if c.SynapseModel != "sic_connection" || c.Weight != 0.5 || c.Delay != 1 {
			t.Errorf("third_out connection %+v", c)
		}
	}
	for _, c := range k.GetConnections(pre, third, "") {
		if c.Weight != 2 || c.Delay != 1.5 {
			t.Errorf("third_in connection %+v", c)
		}
	}
}

// TestMixedSourcesWithPoissonGenerator: one Connect from a Poisson
// generator and a neuron together must work (each source keeps its own
// behaviour: per-connection Poisson streams, spikes through the exchange).
func TestMixedSourcesWithPoissonGenerator(t *testing.T) {
	k := mustKernel(t, KernelConfig{LocalNumThreads: 2})
	p := DefaultAeifCondAlphaAstro()
	p.IE = 1000
	driver := mustCreate(t, k, p, 1)
	pg := mustCreate(t, k, PoissonGenerator{Rate: 5000}, 1)
	targets := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 4)
	if err := k.Connect(Concat(driver, pg), targets, nil, StaticSynapse{Weight: 2, Delay: 1}); err != nil {
		t.Fatal(err)
	}
	mm := mustCreate(t, k, Multimeter{Interval: 1, RecordFrom: []string{"g_ex"}}, 1)
	if err := k.Connect(mm, targets, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(50); err != nil {
		t.Fatal(err)
	}
	ev := mustMM(t, k, mm)
	if slices.Max(ev.Values["g_ex"]) == 0 {
		t.Error("targets received no input")
	}
}
