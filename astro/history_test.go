package astro

import (
	"slices"
	"testing"
)

// TestHistory: the kernel remembers its successful public calls in order,
// with the defaults it applied, as copies; failed calls leave nothing, and
// ResetKernel forgets everything.
func TestHistory(t *testing.T) {
	k, _, mmA, _ := buildUnitScenario(t, 2)
	if err := k.SetStatus(mmA, Dict{"start": 5.0}); err != nil {
		t.Fatal(err)
	}
	// Failing calls of every kind.
	if _, err := k.Create(DefaultAeifCondAlphaAstro(), 0); err == nil {
		t.Fatal("Create of 0 nodes succeeded")
	}
	if err := k.Connect(NodeIDs(99), NodeIDs(3), nil, nil); err == nil {
		t.Fatal("Connect of a missing node succeeded")
	}
	if err := k.TripartiteConnect(NodeIDs(2), NodeIDs(3), NodeIDs(4), TripartiteBernoulliWithPool{PPrimary: 2}, TripartiteSynSpecs{}); err == nil {
		t.Fatal("p_primary 2 accepted")
	}
	if err := k.SetStatus(NodeIDs(3), Dict{"no_such": 1.0}); err == nil {
		t.Fatal("unknown parameter accepted")
	}
	if err := k.Simulate(-1); err == nil {
		t.Fatal("Simulate(-1) succeeded")
	}
	if err := k.Simulate(100); err != nil {
		t.Fatal(err)
	}
	h := k.History()
	var ops []CallOp
	for _, c := range h {
		ops = append(ops, c.Op)
	}
	want := slices.Repeat([]CallOp{OpCreate}, 9)
	want = append(want, slices.Repeat([]CallOp{OpConnect}, 8)...)
	want = append(want, OpSetStatus, OpSimulate)
	if !slices.Equal(ops, want) {
		t.Fatalf("history %v, want %v", ops, want)
	}
	sg := h[0].Model.(SpikeGenerator)
	if h[0].N != 1 || h[0].Nodes.First() != 1 || len(sg.SpikeTimes) != 15 {
		t.Errorf("first Create: %+v", h[0])
	}
	// nil rule and synapse are recorded as the defaults the kernel used.
	if c := h[14]; c.Rule != (AllToAll{}) || c.Syn != DefaultStaticSynapse() || c.Pre.First() != 7 {
		t.Errorf("Connect(mm_n, n1, nil, nil) recorded as %+v", c)
	}
	if c := h[17]; c.Params["start"] != 5.0 || c.Nodes.First() != mmA.First() {
		t.Errorf("SetStatus recorded as %+v", c)
	}
	if c := h[18]; c.Time != 100 {
		t.Errorf("Simulate recorded as %+v", c)
	}
	// Copies: changing what History returned changes nothing.
	sg.SpikeTimes[0] = 99
	h[17].Params["start"] = 7.0
	if h2 := k.History(); h2[0].Model.(SpikeGenerator).SpikeTimes[0] != 5 || h2[17].Params["start"] != 5.0 {
		t.Error("History returned the kernel's own slices or maps")
	}
	if cfg := k.Config(); cfg != (KernelConfig{Resolution: 0.1, LocalNumThreads: 2, RNGSeed: DefaultRNGSeed}) {
		t.Errorf("Config() = %+v", cfg)
	}
	k.ResetKernel()
	if n := len(k.History()); n != 0 {
		t.Errorf("%d calls after ResetKernel", n)
	}
}

// TestHistoryTripartite: both tripartite forms are recorded with their
// rules, and nil synapses as the default static_synapse.
func TestHistoryTripartite(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 10)
	a := mustCreate(t, k, DefaultAstrocyteLR1994(), 5)
	rule := NewTripartiteBernoulliWithPool()
	rule.PPrimary, rule.PoolSize = 0.5, 2
	syns := TripartiteSynSpecs{ThirdOut: SICConnection{Weight: 0.1, Delay: 1}}
	if err := k.TripartiteConnect(n, n, a, rule, syns); err != nil {
		t.Fatal(err)
	}
	tf := ThirdFactorBernoulliWithPool{P: 0.5, PoolSize: 1, PoolType: PoolBlock}
	if err := k.TripartiteConnectWith(n, n, a, NewFixedIndegree(3), tf, syns); err != nil {
		t.Fatal(err)
	}
	h := k.History()
	if len(h) != 4 {
		t.Fatalf("%d calls, want 4", len(h))
	}
	if c := h[2]; c.Op != OpTripartiteConnect || c.Tripartite != rule || c.Syns.Primary != DefaultStaticSynapse() || c.Syns.ThirdOut != syns.ThirdOut || c.Third.Len() != 5 {
		t.Errorf("TripartiteConnect recorded as %+v", c)
	}
	if c := h[3]; c.Op != OpTripartiteConnectWith || c.Rule != NewFixedIndegree(3) || c.ThirdFactor != tf || c.Syns.ThirdIn != DefaultStaticSynapse() {
		t.Errorf("TripartiteConnectWith recorded as %+v", c)
	}
}
