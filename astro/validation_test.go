package astro

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
)

// Validation: bad input returns a Go error naming the NEST parameter (and
// the allowed range), never a panic or a hang, and a rejected call leaves
// the kernel as it was.

var nan, inf = math.NaN(), math.Inf(1)

// expectErr checks that err is non-nil and mentions every sub.
func expectErr(t *testing.T, what string, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted, want an error", what)
		return
	}
	for _, s := range subs {
		if !contains(err.Error(), s) {
			t.Errorf("%s: error %q does not mention %q", what, err, s)
		}
	}
}

// createFails checks that Create(m, n) fails naming subs and adds no node.
func createFails(t *testing.T, k *Kernel, what string, m Model, n int, subs ...string) {
	t.Helper()
	before := k.NumNodes()
	err := noPanic(t, what, func() error {
		_, err := k.Create(m, n)
		return err
	})
	expectErr(t, what, err, subs...)
	if k.NumNodes() != before {
		t.Errorf("%s: rejected, but the kernel has %d nodes instead of %d", what, k.NumNodes(), before)
	}
}

// connectFails checks that Connect fails naming subs and adds nothing.
func connectFails(t *testing.T, k *Kernel, what string, pre, post NodeCollection, rule ConnRule, syn Synapse, subs ...string) {
	t.Helper()
	before, nProjs := k.NumConnections(), len(k.projs)
	err := noPanic(t, what, func() error { return k.Connect(pre, post, rule, syn) })
	expectErr(t, what, err, subs...)
	if after := k.NumConnections(); !maps.Equal(before, after) || len(k.projs) != nProjs {
		t.Errorf("%s: rejected, but connections changed from %v to %v", what, before, after)
	}
}

// tripartiteFails is connectFails for TripartiteConnect.
func tripartiteFails(t *testing.T, k *Kernel, what string, pre, post, third NodeCollection, rule TripartiteBernoulliWithPool, syn TripartiteSynSpecs, subs ...string) {
	t.Helper()
	before, nProjs := k.NumConnections(), len(k.projs)
	err := noPanic(t, what, func() error { return k.TripartiteConnect(pre, post, third, rule, syn) })
	expectErr(t, what, err, subs...)
	if after := k.NumConnections(); !maps.Equal(before, after) || len(k.projs) != nProjs {
		t.Errorf("%s: rejected, but connections changed from %v to %v", what, before, after)
	}
}

func TestValidateAeifParameters(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	for _, c := range []struct {
		name  string
		set   func(*AeifCondAlphaAstro)
		param string
	}{
		{"C_m 0", func(p *AeifCondAlphaAstro) { p.CM = 0 }, "C_m ="},
		{"C_m < 0", func(p *AeifCondAlphaAstro) { p.CM = -1 }, "C_m ="},
		{"C_m NaN", func(p *AeifCondAlphaAstro) { p.CM = nan }, "C_m ="},
		{"V_reset = V_peak", func(p *AeifCondAlphaAstro) { p.VReset = p.VPeak }, "V_reset ="},
		{"V_reset > V_peak", func(p *AeifCondAlphaAstro) { p.VReset = 10 }, "V_reset ="},
		{"V_peak < V_th", func(p *AeifCondAlphaAstro) { p.VPeak, p.VReset = -55, -70 }, "V_peak ="},
		{"tau_syn_ex 0", func(p *AeifCondAlphaAstro) { p.TauSynEx = 0 }, "tau_syn_ex ="},
		{"tau_syn_ex < 0", func(p *AeifCondAlphaAstro) { p.TauSynEx = -2 }, "tau_syn_ex ="},
		{"tau_syn_in 0", func(p *AeifCondAlphaAstro) { p.TauSynIn = 0 }, "tau_syn_in ="},
		{"tau_w 0", func(p *AeifCondAlphaAstro) { p.TauW = 0 }, "tau_w ="},
		{"t_ref < 0", func(p *AeifCondAlphaAstro) { p.TRef = -1 }, "t_ref ="},
		{"Delta_T < 0", func(p *AeifCondAlphaAstro) { p.DeltaT = -1 }, "Delta_T ="},
		{"gsl_error_tol 0", func(p *AeifCondAlphaAstro) { p.GSLErrorTol = 0 }, "gsl_error_tol ="},
		{"g_ex < 0", func(p *AeifCondAlphaAstro) { p.GEx = -1 }, "g_ex ="},
		{"g_in < 0", func(p *AeifCondAlphaAstro) { p.GIn = -1 }, "g_in ="},
		{"V_m NaN", func(p *AeifCondAlphaAstro) { p.VM = nan }, "V_m ="},
		{"I_e Inf", func(p *AeifCondAlphaAstro) { p.IE = inf }, "I_e ="},
		{"w NaN", func(p *AeifCondAlphaAstro) { p.W = nan }, "w ="},
	} {
		p := DefaultAeifCondAlphaAstro()
		c.set(&p)
		createFails(t, k, "aeif "+c.name, p, 3, c.param)
		if err := p.Validate(); err == nil || !contains(err.Error(), c.param) {
			t.Errorf("aeif %s: Validate() = %v, want an error naming %q", c.name, err, c.param)
		}
	}
	if err := DefaultAeifCondAlphaAstro().Validate(); err != nil {
		t.Errorf("defaults rejected: %v", err)
	}
	mustCreate(t, k, DefaultAeifCondAlphaAstro(), 1)
}

func TestValidateAstrocyteParameters(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	for _, c := range []struct {
		name  string
		set   func(*AstrocyteLR1994)
		param string
	}{
		{"h_IP3R > 1", func(p *AstrocyteLR1994) { p.HIP3R = 1.5 }, "h_IP3R ="},
		{"h_IP3R < 0", func(p *AstrocyteLR1994) { p.HIP3R = -0.1 }, "h_IP3R ="},
		{"h_IP3R NaN", func(p *AstrocyteLR1994) { p.HIP3R = nan }, "h_IP3R ="},
		{"tau_IP3 0", func(p *AstrocyteLR1994) { p.TauIP3 = 0 }, "tau_IP3 ="},
		{"tau_IP3 < 0", func(p *AstrocyteLR1994) { p.TauIP3 = -1 }, "tau_IP3 ="},
		{"IP3 < 0", func(p *AstrocyteLR1994) { p.IP3 = -0.1 }, "IP3 ="},
		{"Ca_astro < 0", func(p *AstrocyteLR1994) { p.CaAstro = -0.1 }, "Ca_astro ="},
		{"Ca_tot 0", func(p *AstrocyteLR1994) { p.CaTot = 0 }, "Ca_tot ="},
		{"IP3_0 < 0", func(p *AstrocyteLR1994) { p.IP30 = -1 }, "IP3_0 ="},
		{"Kd_IP3_1 0", func(p *AstrocyteLR1994) { p.KdIP31 = 0 }, "Kd_IP3_1 ="},
		{"Km_SERCA 0", func(p *AstrocyteLR1994) { p.KmSERCA = 0 }, "Km_SERCA ="},
		{"delta_IP3 NaN", func(p *AstrocyteLR1994) { p.DeltaIP3 = nan }, "delta_IP3 ="},
		{"delta_IP3 < 0", func(p *AstrocyteLR1994) { p.DeltaIP3 = -1 }, "delta_IP3 ="},
		{"ratio_ER_cyt 0", func(p *AstrocyteLR1994) { p.RatioERCyt = 0 }, "ratio_ER_cyt ="},
		{"rate_SERCA Inf", func(p *AstrocyteLR1994) { p.RateSERCA = inf }, "rate_SERCA ="},
	} {
		p := DefaultAstrocyteLR1994()
		c.set(&p)
		createFails(t, k, "astrocyte "+c.name, p, 2, c.param)
		if err := p.Validate(); err == nil || !contains(err.Error(), c.param) {
			t.Errorf("astrocyte %s: Validate() = %v, want an error naming %q", c.name, err, c.param)
		}
	}
	if err := DefaultAstrocyteLR1994().Validate(); err != nil {
		t.Errorf("defaults rejected: %v", err)
	}
}

func TestValidateDevices(t *testing.T) {
	k := mustKernel(t, KernelConfig{Resolution: 0.1})
	for _, c := range []struct {
		name  string
		m     Model
		param string
	}{
		{"poisson rate < 0", PoissonGenerator{Rate: -1}, "rate ="},
		{"poisson rate NaN", PoissonGenerator{Rate: nan}, "rate ="},
		{"poisson start off grid", PoissonGenerator{Rate: 10, Start: 0.05}, "start ="},
		{"poisson stop < start", PoissonGenerator{Rate: 10, Start: 5, Stop: 2}, "stop ="},
		{"spike_weights length", SpikeGenerator{SpikeTimes: []float64{1, 2}, SpikeWeights: []float64{1}}, "spike_weights"},
		{"spike_weights NaN", SpikeGenerator{SpikeTimes: []float64{1}, SpikeWeights: []float64{nan}}, "spike_weights"},
		{"spike_multiplicities 0", SpikeGenerator{SpikeTimes: []float64{1}, SpikeMultiplicities: []int{0}}, "spike_multiplicities"},
		{"spike_multiplicities length", SpikeGenerator{SpikeTimes: []float64{1}, SpikeMultiplicities: []int{1, 1}}, "spike_multiplicities"},
		{"spike_times 0", SpikeGenerator{SpikeTimes: []float64{0}}, "spike_times"},
		{"spike_times off grid", SpikeGenerator{SpikeTimes: []float64{1.05}}, "spike_times"},
		{"multimeter interval off grid", Multimeter{Interval: 0.05, RecordFrom: []string{"V_m"}}, "interval ="},
		{"multimeter interval < 0", Multimeter{Interval: -1, RecordFrom: []string{"V_m"}}, "interval ="},
		{"multimeter record_from empty", Multimeter{Interval: 1}, "record_from"},
	} {
		createFails(t, k, c.name, c.m, 1, c.param)
	}
	createFails(t, k, "Create n = 0", DefaultAeifCondAlphaAstro(), 0, "n = 0")
	createFails(t, k, "Create n < 0", ParrotNeuron{}, -3, "n = -3")
	createFails(t, k, "Create nil model", nil, 1, "model")
}

func TestValidateSynapses(t *testing.T) {
	k := mustKernel(t, KernelConfig{Resolution: 0.1})
	parrot := mustCreate(t, k, ParrotNeuron{}, 2)
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 2)
	a := mustCreate(t, k, DefaultAstrocyteLR1994(), 2)
	sg := mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{1}}, 1)
	pg := mustCreate(t, k, PoissonGenerator{Rate: 10}, 1)
	ts := func(set func(*TsodyksSynapse)) TsodyksSynapse {
		s := DefaultTsodyksSynapse()
		set(&s)
		return s
	}
	for _, c := range []struct {
		name      string
		pre, post NodeCollection
		rule      ConnRule
		syn       Synapse
		param     string
	}{
		{"tsodyks U > 1", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.U = 1.5 }), "U ="},
		{"tsodyks U < 0", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.U = -0.1 }), "U ="},
		{"tsodyks u > 1", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.UState = 2 }), "u ="},
		{"tsodyks tau_psc == tau_rec", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.TauPsc, s.TauRec = 5, 5 }), "tau_psc"},
		{"tsodyks tau_psc 0", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.TauPsc = 0 }), "tau_psc ="},
		{"tsodyks tau_rec 0", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.TauRec = 0 }), "tau_rec ="},
		{"tsodyks tau_fac < 0", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.TauFac = -1 }), "tau_fac ="},
		{"tsodyks x + y > 1", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.X, s.Y = 0.6, 0.6 }), "x ="},
		{"tsodyks weight NaN", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.Weight = nan }), "weight ="},
		{"tsodyks delay < h", parrot, n, nil, ts(func(s *TsodyksSynapse) { s.Delay = 0.05 }), "delay ="},
		{"static weight NaN", parrot, n, nil, StaticSynapse{Weight: nan, Delay: 1}, "weight ="},
		{"static weight Inf", parrot, n, nil, StaticSynapse{Weight: -inf, Delay: 1}, "weight ="},
		{"static delay 0", parrot, n, nil, StaticSynapse{Weight: 1, Delay: 0}, "delay ="},
		{"static delay < 0", parrot, n, nil, StaticSynapse{Weight: 1, Delay: -1}, "delay ="},
		{"static delay < h", parrot, n, nil, StaticSynapse{Weight: 1, Delay: 0.05}, "delay ="},
		{"static delay off grid", parrot, n, nil, StaticSynapse{Weight: 1, Delay: 1.05}, "delay ="},
		{"static delay NaN", parrot, n, nil, StaticSynapse{Weight: 1, Delay: nan}, "delay ="},
		{"static delay Inf", parrot, n, nil, StaticSynapse{Weight: 1, Delay: inf}, "delay ="},
		{"sic weight NaN", a, n, nil, SICConnection{Weight: nan, Delay: 1}, "weight ="},
		{"sic delay off grid", a, n, nil, SICConnection{Weight: 1, Delay: 0.15}, "delay ="},
		{"negative static weight into astrocyte", parrot, a, nil, StaticSynapse{Weight: -1, Delay: 1}, "weight ="},
		{"negative tsodyks weight into astrocyte", parrot, a, nil, ts(func(s *TsodyksSynapse) { s.Weight = -1 }), "weight ="},
		{"negative weight from a generator into astrocyte", sg, a, nil, StaticSynapse{Weight: -0.5, Delay: 1}, "weight ="},
		{"pairwise p > 1", parrot, n, NewPairwiseBernoulli(1.5), nil, "p ="},
		{"pairwise p < 0", parrot, n, NewPairwiseBernoulli(-0.1), nil, "p ="},
		{"pairwise p NaN", parrot, n, NewPairwiseBernoulli(nan), nil, "p ="},
		{"fixed_indegree < 0", parrot, n, NewFixedIndegree(-1), nil, "indegree ="},
		{"fixed_indegree > sources without multapses", parrot, n, FixedIndegree{Indegree: 3, AllowAutapses: true}, nil, "indegree ="},
		{"one_to_one sizes", parrot, Concat(n, a), OneToOne{}, nil, "one_to_one"},
		{"empty pre", NodeCollection{}, n, nil, nil, "empty"},
		{"unknown node", NodeIDs(999), n, nil, nil, "999"},
		{"astrocyte as spike source", a, n, nil, nil, "astrocyte"},
		{"device as target", parrot, pg, nil, nil, "poisson_generator"},
		{"spike_generator as target", parrot, sg, nil, nil, "spike_generator"},
		{"tsodyks from a device", sg, n, nil, DefaultTsodyksSynapse(), "parrot_neuron"},
	} {
		connectFails(t, k, c.name, c.pre, c.post, c.rule, c.syn, c.param)
	}
	// The kernel is still usable and min_delay ignores the rejected delays.
	mustConnect(t, k, parrot, n, nil, StaticSynapse{Weight: 1, Delay: 1})
	mustSimulate(t, k, 2)
	if k.MinDelay() != 1 || k.MaxDelay() != 1 {
		t.Errorf("min/max delay %g/%g after rejected connections, want 1/1", k.MinDelay(), k.MaxDelay())
	}
}

func TestValidateTripartite(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	pre := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 4)
	post := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 4)
	third := mustCreate(t, k, DefaultAstrocyteLR1994(), 4)
	rule := func(set func(*TripartiteBernoulliWithPool)) TripartiteBernoulliWithPool {
		r := NewTripartiteBernoulliWithPool()
		set(&r)
		return r
	}
	syn := TripartiteSynSpecs{ThirdOut: DefaultSICConnection()}
	for _, c := range []struct {
		name  string
		rule  TripartiteBernoulliWithPool
		syn   TripartiteSynSpecs
		param string
	}{
		{"p_primary > 1", rule(func(r *TripartiteBernoulliWithPool) { r.PPrimary = 1.5 }), syn, "p_primary ="},
		{"p_primary NaN", rule(func(r *TripartiteBernoulliWithPool) { r.PPrimary = nan }), syn, "p_primary ="},
		{"p_third_if_primary < 0", rule(func(r *TripartiteBernoulliWithPool) { r.PThirdIfPrimary = -0.5 }), syn, "p_third_if_primary ="},
		{"pool_size > third", rule(func(r *TripartiteBernoulliWithPool) { r.PoolSize = 5 }), syn, "pool_size ="},
		{"pool_size < 0", rule(func(r *TripartiteBernoulliWithPool) { r.PoolSize = -1 }), syn, "pool_size ="},
		{"pool_type unknown", rule(func(r *TripartiteBernoulliWithPool) { r.PoolType = "blocky" }), syn, "pool_type ="},
		{"primary weight NaN", NewTripartiteBernoulliWithPool(), TripartiteSynSpecs{Primary: StaticSynapse{Weight: nan, Delay: 1}, ThirdOut: DefaultSICConnection()}, "weight ="},
		{"third_in negative weight into astrocyte", NewTripartiteBernoulliWithPool(), TripartiteSynSpecs{ThirdIn: StaticSynapse{Weight: -1, Delay: 1}, ThirdOut: DefaultSICConnection()}, "weight ="},
		{"third_out delay off grid", NewTripartiteBernoulliWithPool(), TripartiteSynSpecs{ThirdOut: SICConnection{Weight: 1, Delay: 0.25}}, "delay ="},
		{"third_out static from astrocyte", NewTripartiteBernoulliWithPool(), TripartiteSynSpecs{}, "third_out"},
		{"tsodyks tau_psc == tau_rec", NewTripartiteBernoulliWithPool(), TripartiteSynSpecs{Primary: TsodyksSynapse{Weight: 1, Delay: 1, U: 0.5, TauPsc: 3, TauRec: 3, X: 1}, ThirdOut: DefaultSICConnection()}, "tau_psc"},
	} {
		tripartiteFails(t, k, c.name, pre, post, third, c.rule, c.syn, c.param)
	}
	tripartiteFails(t, k, "empty third", pre, post, NodeCollection{}, NewTripartiteBernoulliWithPool(), syn, "empty")
	before := k.NumConnections()
	err := noPanic(t, "With p > 1", func() error {
		return k.TripartiteConnectWith(pre, post, third, AllToAll{}, ThirdFactorBernoulliWithPool{P: 2}, syn)
	})
	expectErr(t, "TripartiteConnectWith p > 1", err, "p =")
	if !maps.Equal(before, k.NumConnections()) {
		t.Errorf("rejected TripartiteConnectWith changed connections to %v", k.NumConnections())
	}
	// Still usable.
	if err := k.TripartiteConnect(pre, post, third, NewTripartiteBernoulliWithPool(), syn); err != nil {
		t.Fatal(err)
	}
	if got := k.NumConnections()["sic_connection"]; got != 16 {
		t.Errorf("%d sic_connections after the rejections, want 16", got)
	}
	mustSimulate(t, k, 2)
}

func TestValidateKernelConfig(t *testing.T) {
	for _, c := range []struct {
		name  string
		cfg   KernelConfig
		param string
	}{
		{"resolution < 0", KernelConfig{Resolution: -0.1}, "resolution ="},
		{"resolution NaN", KernelConfig{Resolution: nan}, "resolution ="},
		{"resolution Inf", KernelConfig{Resolution: inf}, "resolution ="},
		{"resolution below 1 µs", KernelConfig{Resolution: 0.0005}, "resolution ="},
		{"resolution off the µs grid", KernelConfig{Resolution: 0.0105}, "resolution ="},
		{"local_num_threads < 0", KernelConfig{LocalNumThreads: -1}, "local_num_threads ="},
		{"local_num_threads huge", KernelConfig{LocalNumThreads: 1 << 20}, "local_num_threads ="},
	} {
		var k *Kernel
		err := noPanic(t, c.name, func() error {
			var err error
			k, err = NewKernel(c.cfg)
			return err
		})
		expectErr(t, c.name, err, c.param)
		if err != nil && k != nil {
			t.Errorf("%s: a kernel was returned with the error", c.name)
		}
	}
	k := mustKernel(t, KernelConfig{})
	if k.Resolution() != 0.1 || k.Threads() != 1 || k.seed != DefaultRNGSeed {
		t.Errorf("zero config: resolution %g, threads %d, seed %d; want NEST's defaults 0.1, 1, %d", k.Resolution(), k.Threads(), k.seed, DefaultRNGSeed)
	}
	k = mustKernel(t, KernelConfig{Resolution: 0.025, LocalNumThreads: 3})
	if k.Resolution() != 0.025 || k.Threads() != 3 {
		t.Errorf("resolution %g, threads %d; want 0.025, 3", k.Resolution(), k.Threads())
	}
}

func TestValidateSimulate(t *testing.T) {
	k := mustKernel(t, KernelConfig{Resolution: 0.1})
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 1)
	parrot := mustCreate(t, k, ParrotNeuron{}, 1)
	for _, c := range []struct {
		ms   float64
		subs []string
	}{
		{-1, []string{"simulate", "-1"}},
		{nan, []string{"simulate", "NaN"}},
		{inf, []string{"simulate", "Inf"}},
		{0.05, []string{"simulate", "resolution"}},
		{1.25, []string{"simulate", "resolution"}},
	} {
		err := noPanic(t, "simulate", func() error { return k.Simulate(c.ms) })
		expectErr(t, fmt.Sprintf("Simulate(%g)", c.ms), err, c.subs...)
		if k.Time() != 0 {
			t.Errorf("Simulate(%g) rejected, but time is %g", c.ms, k.Time())
		}
	}
	// Rejected Simulate calls before the first run leave the network
	// mutable; after a run it is frozen.
	mustConnect(t, k, parrot, n, nil, nil)
	mustSimulate(t, k, 0)
	mustSimulate(t, k, 1.5)
	if k.Time() != 1.5 {
		t.Errorf("time %g after Simulate(0) + Simulate(1.5), want 1.5", k.Time())
	}
	expectErr(t, "Simulate(-1) after a run", noPanic(t, "simulate", func() error { return k.Simulate(-1) }), "simulate")
	if k.Time() != 1.5 {
		t.Errorf("rejected Simulate changed the time to %g", k.Time())
	}
	connectFails(t, k, "Connect after Simulate", parrot, n, nil, nil, "Simulate")
	before := k.NumNodes()
	_, err := k.Create(ParrotNeuron{}, 1)
	expectErr(t, "Create after Simulate", err, "Simulate")
	if k.NumNodes() != before {
		t.Errorf("Create after Simulate added nodes")
	}
	a := NodeIDs(n.At(0))
	err = noPanic(t, "tripartite", func() error {
		return k.TripartiteConnect(parrot, a, parrot, NewTripartiteBernoulliWithPool(), TripartiteSynSpecs{})
	})
	expectErr(t, "TripartiteConnect after Simulate", err, "Simulate")
	mustSimulate(t, k, 1.5) // still runs
	if k.NumConnections()["static_synapse"] != 1 {
		t.Errorf("connections %v, want 1 static_synapse", k.NumConnections())
	}
}

// TestValidateRecorders: unknown recordables, recorders in the wrong
// place, events of nodes that are not recorders.
func TestValidateRecorders(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 2)
	a := mustCreate(t, k, DefaultAstrocyteLR1994(), 1)
	parrot := mustCreate(t, k, ParrotNeuron{}, 1)
	mmBad := mustCreate(t, k, Multimeter{RecordFrom: []string{"V_x"}}, 1)
	mmAstro := mustCreate(t, k, Multimeter{RecordFrom: []string{"IP3"}}, 1)
	mmOK := mustCreate(t, k, Multimeter{RecordFrom: []string{"V_m"}}, 1)
	sr := mustCreate(t, k, SpikeRecorder{}, 2)
	connectFails(t, k, "unknown recordable", mmBad, n, nil, nil, `"V_x"`, "recordable")
	connectFails(t, k, "astrocyte recordable on a neuron", mmAstro, n, nil, nil, `"IP3"`)
	connectFails(t, k, "multimeter on a parrot", mmOK, parrot, nil, nil, "parrot_neuron", "recordable")
	connectFails(t, k, "spike_recorder with one_to_one", n, sr, OneToOne{}, nil, "one_to_one")
	connectFails(t, k, "astrocyte into a spike_recorder", a, sr.Slice(0, 1), nil, nil, "astrocyte_lr_1994")
	connectFails(t, k, "spike_recorder as a source", sr.Slice(0, 1), n, nil, nil, "spike_recorder")
	connectFails(t, k, "multimeter as a target", n, mmOK, nil, nil, "multimeter")
	for _, c := range []struct {
		name string
		call func() error
		subs []string
	}{
		{"MultimeterEvents of a neuron", func() error { _, err := k.MultimeterEvents(n.Slice(0, 1)); return err }, []string{"aeif_cond_alpha_astro"}},
		{"MultimeterEvents of a spike_recorder", func() error { _, err := k.MultimeterEvents(sr.Slice(0, 1)); return err }, []string{"spike_recorder"}},
		{"SpikeEvents of a multimeter", func() error { _, err := k.SpikeEvents(mmOK); return err }, []string{"multimeter"}},
		{"SpikeEvents of a parrot", func() error { _, err := k.SpikeEvents(parrot); return err }, []string{"parrot_neuron"}},
		{"SpikeEvents of two recorders", func() error { _, err := k.SpikeEvents(sr); return err }, []string{"exactly one"}},
		{"SpikeEvents of nothing", func() error { _, err := k.SpikeEvents(NodeCollection{}); return err }, []string{"exactly one"}},
		{"SpikeEvents of an unknown node", func() error { _, err := k.SpikeEvents(NodeIDs(1000)); return err }, []string{"1000"}},
		{"MultimeterEvents of node 0", func() error { _, err := k.MultimeterEvents(NodeIDs(0)); return err }, []string{"0"}},
	} {
		expectErr(t, c.name, noPanic(t, c.name, c.call), c.subs...)
	}
	// After the rejections, the valid recorder connections work.
	mustConnect(t, k, mmOK, n, nil, nil)
	mustConnect(t, k, n, sr.Slice(0, 1), nil, nil)
	mustSimulate(t, k, 5)
	if got := len(mustMM(t, k, mmOK).Times); got != 8 {
		t.Errorf("%d samples, want 8 (2 neurons × 4 ms)", got)
	}
	if got := mustMM(t, k, mmBad); len(got.Times) != 0 {
		t.Errorf("the rejected multimeter recorded %d samples", len(got.Times))
	}
}

// TestRejectedConnectLeavesNoRecording: a rejected Connect involving
// several recorders must not leave some of them connected (no half-built
// kernel): a multimeter list whose second member has an unknown
// recordable, and a target list mixing a spike_recorder and a neuron.
func TestRejectedConnectLeavesNoRecording(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	p := DefaultAeifCondAlphaAstro()
	p.IE = 1000 // fires at 11.8 ms
	n := mustCreate(t, k, p, 2)
	mmGood := mustCreate(t, k, Multimeter{RecordFrom: []string{"V_m"}}, 1)
	mmBad := mustCreate(t, k, Multimeter{RecordFrom: []string{"V_x"}}, 1)
	sr := mustCreate(t, k, SpikeRecorder{}, 1)
	errMM := noPanic(t, "multimeters", func() error { return k.Connect(Concat(mmGood, mmBad), n, nil, nil) })
	expectErr(t, "Connect(good+bad multimeter, neurons)", errMM, `"V_x"`)
	errSR := noPanic(t, "mixed targets", func() error { return k.Connect(n.Slice(0, 1), Concat(sr, n.Slice(1, 2)), nil, nil) })
	mustSimulate(t, k, 20)
	if errMM != nil {
		if got := len(mustMM(t, k, mmGood).Times); got != 0 {
			t.Errorf("Connect(good+bad multimeter) was rejected, but the good multimeter recorded %d samples", got)
		}
	}
	if errSR != nil {
		if got := len(mustSR(t, k, sr).Times); got != 0 {
			t.Errorf("Connect(neuron, [spike_recorder, neuron]) was rejected (%v), but the recorder recorded %d spikes", errSR, got)
		}
	} else if got := len(mustSR(t, k, sr).Times); got == 0 {
		t.Errorf("Connect(neuron, [spike_recorder, neuron]) accepted, but nothing recorded")
	}
}

// TestNegativeSpikeWeightIntoAstrocyte: a spike_generator's spike_weights
// multiply the connection weight (models/spike_generator.cpp), so a negative spike weight
// sends a negative weight to an astrocyte, which NEST's astrocyte_lr_1994
// refuses ("cannot handle input spikes with negative weights"). It must
// be an error at Create, Connect or Simulate, not a silent negative IP3
// jump.
func TestNegativeSpikeWeightIntoAstrocyte(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	a := mustCreate(t, k, DefaultAstrocyteLR1994(), 1)
	mm := mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: []string{"IP3"}}, 1)
	var err error
	var sg NodeCollection
	sg, err = k.Create(SpikeGenerator{SpikeTimes: []float64{1}, SpikeWeights: []float64{-1}}, 1)
	if err == nil {
		err = k.Connect(sg, a, nil, StaticSynapse{Weight: 1, Delay: 1})
	}
	if err == nil {
		mustConnect(t, k, mm, a, nil, nil)
		err = noPanic(t, "simulate", func() error { return k.Simulate(5) })
	}
	if err == nil {
		ip3 := mustMM(t, k, mm).Values["IP3"]
		t.Errorf("negative spike weight into an astrocyte accepted at Create, Connect and Simulate; IP3 went from %g to %g (minimum %g)",
			ip3[0], ip3[len(ip3)-1], minOf(ip3))
		return
	}
	t.Logf("rejected: %v", err)
	if !contains(err.Error(), "weight") {
		t.Errorf("error %q does not mention the weight", err)
	}
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = math.Min(m, x)
	}
	return m
}

// TestNumericalInstabilityIsAnError: NEST throws NumericalInstability when
// |w| > 1e6 pA; here b = 2e6 pA makes w jump past it at the first spike.
// Simulate returns an error (no panic, no hang), and the kernel refuses
// further work instead of continuing from a broken state, until
// ResetKernel, after which a rebuilt network simulates normally.
func TestNumericalInstabilityIsAnError(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	p := DefaultAeifCondAlphaAstro()
	p.IE, p.B = 1000, 2e6
	mustCreate(t, k, p, 1)
	err := noPanic(t, "simulate", func() error { return k.Simulate(50) })
	expectErr(t, "w > 1e6", err, "instability")
	expectErr(t, "Simulate after the failure", noPanic(t, "simulate", func() error { return k.Simulate(1) }), "unusable")
	_, err = k.Create(ParrotNeuron{}, 1)
	expectErr(t, "Create after the failure", err)

	k.ResetKernel()
	if k.NumNodes() != 0 || k.Time() != 0 {
		t.Fatalf("after ResetKernel: %d nodes at %g ms, want an empty kernel at 0 ms", k.NumNodes(), k.Time())
	}
	p.B = 80.5
	mustCreate(t, k, p, 1)
	if err := k.Simulate(50); err != nil {
		t.Fatalf("simulate after ResetKernel: %v", err)
	}
	if k.Time() != 50 {
		t.Fatalf("time after ResetKernel and Simulate(50) = %g ms, want 50", k.Time())
	}
}

// TestResetKernelReproduces: a network built, simulated, reset and built
// again gives the same spikes as the first time.
func TestResetKernelReproduces(t *testing.T) {
	k := mustKernel(t, KernelConfig{LocalNumThreads: 2, RNGSeed: 7})
	run := func() SpikeEvents {
		pg := mustCreate(t, k, PoissonGenerator{Rate: 20000}, 1)
		n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 20)
		sr := mustCreate(t, k, SpikeRecorder{}, 1)
		if err := k.Connect(pg, n, AllToAll{}, StaticSynapse{Weight: 2, Delay: 1}); err != nil {
			t.Fatal(err)
		}
		if err := k.Connect(n, sr, AllToAll{}, DefaultStaticSynapse()); err != nil {
			t.Fatal(err)
		}
		if err := k.Simulate(200); err != nil {
			t.Fatal(err)
		}
		ev, err := k.SpikeEvents(sr)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	a := run()
	k.ResetKernel()
	b := run()
	if len(a.Times) == 0 || !slices.Equal(a.Times, b.Times) || !slices.Equal(a.Senders, b.Senders) {
		t.Fatalf("after ResetKernel: %d spikes, first run %d (or they differ)", len(b.Times), len(a.Times))
	}
}
