package astro

import (
	"math"
	"reflect"
	"slices"
	"testing"
)

// NEST names: struct tags, SetParams/GetParams, Kernel.SetStatus/GetStatus.

// nestNames lists, per parameter struct, NEST's names of its fields (the
// names in the Validate functions and NEST's models/*.cpp Parameters_::get).
var nestNames = []struct {
	v     any
	names []string
}{
	{AeifCondAlphaAstro{}, []string{"C_m", "g_L", "E_L", "V_th", "Delta_T", "V_peak", "V_reset", "t_ref", "a", "b",
		"tau_w", "E_ex", "E_in", "tau_syn_ex", "tau_syn_in", "I_e", "gsl_error_tol",
		"V_m", "g_ex", "dg_ex", "g_in", "dg_in", "w"}},
	{AstrocyteLR1994{}, []string{"Ca_tot", "IP3_0", "Kd_IP3_1", "Kd_IP3_2", "Kd_act", "Kd_inh", "Km_SERCA",
		"SIC_scale", "SIC_th", "delta_IP3", "k_IP3R", "rate_IP3R", "rate_L", "rate_SERCA", "ratio_ER_cyt",
		"tau_IP3", "IP3", "Ca_astro", "h_IP3R"}},
	{PoissonGenerator{}, []string{"rate", "start", "stop", "origin"}},
	{SpikeGenerator{}, []string{"spike_times", "spike_weights", "spike_multiplicities"}},
	{ParrotNeuron{}, nil},
	{SpikeRecorder{}, []string{"start", "stop", "origin"}},
	{Multimeter{}, []string{"interval", "record_from", "start", "stop", "origin"}},
	{StaticSynapse{}, []string{"weight", "delay"}},
	{TsodyksSynapse{}, []string{"weight", "delay", "U", "tau_psc", "tau_rec", "tau_fac", "x", "y", "u"}},
	{SICConnection{}, []string{"weight", "delay"}},
	{AllToAll{}, nil},
	{OneToOne{}, nil},
	{PairwiseBernoulli{}, []string{"p", "allow_autapses"}},
	{FixedIndegree{}, []string{"indegree", "allow_autapses", "allow_multapses"}},
	{TripartiteBernoulliWithPool{}, []string{"p_primary", "p_third_if_primary", "pool_size", "pool_type", "allow_autapses"}},
	{ThirdFactorBernoulliWithPool{}, []string{"p", "pool_size", "pool_type"}},
	{KernelConfig{}, []string{"resolution", "local_num_threads", "rng_seed"}},
}

// fillParams gives every exported field of *v a distinct non-zero value
// (fields of embedded structs included).
func fillParams(v reflect.Value) { fillParamsFrom(v, 0) }

func fillParamsFrom(v reflect.Value, base int) int {
	for j := range v.NumField() {
		if !v.Type().Field(j).IsExported() {
			continue
		}
		f := v.Field(j)
		if v.Type().Field(j).Anonymous && f.Kind() == reflect.Struct {
			base = fillParamsFrom(f, base)
			continue
		}
		i := base
		base++
		switch f.Kind() {
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.25)
		case reflect.Int:
			f.SetInt(int64(i) + 2)
		case reflect.Uint64:
			f.SetUint(uint64(i) + 1<<40)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.String:
			f.SetString("block")
		case reflect.Slice:
			switch f.Interface().(type) {
			case []float64:
				f.Set(reflect.ValueOf([]float64{float64(i) + 0.5, 7}))
			case []int:
				f.Set(reflect.ValueOf([]int{i + 1, 3}))
			case []string:
				f.Set(reflect.ValueOf([]string{"V_m", "w"}))
			}
		}
	}
	return base
}

func TestParamTagsCoverEveryField(t *testing.T) {
	for _, c := range nestNames {
		typ := reflect.TypeOf(c.v)
		var tags []string
		// Embedded structs (a model's parameters and its state) count as
		// the struct's own fields.
		var walk func(typ reflect.Type)
		walk = func(typ reflect.Type) {
			for i := range typ.NumField() {
				f := typ.Field(i)
				if !f.IsExported() {
					continue
				}
				if f.Anonymous && f.Type.Kind() == reflect.Struct {
					walk(f.Type)
					continue
				}
				tag := f.Tag.Get("nest")
				if tag == "-" { // not a NEST parameter (KernelConfig.MemoryLimit)
					continue
				}
				if tag == "" {
					t.Errorf("%s.%s has no nest tag", typ.Name(), f.Name)
				}
				tags = append(tags, tag)
			}
		}
		walk(typ)
		if !slices.Equal(tags, c.names) {
			t.Errorf("%s: tags %v, want NEST's names %v", typ.Name(), tags, c.names)
		}
		got := GetParams(c.v)
		if len(got) != len(c.names) {
			t.Errorf("%s: GetParams has %d names, want %d", typ.Name(), len(got), len(c.names))
		}
		for _, n := range c.names {
			if _, ok := got[n]; !ok {
				t.Errorf("%s: GetParams lacks %s", typ.Name(), n)
			}
		}
	}
}

func TestParamsRoundTrip(t *testing.T) {
	for _, c := range nestNames {
		typ := reflect.TypeOf(c.v)
		src := reflect.New(typ)
		fillParams(src.Elem())
		d := GetParams(src.Interface())
		if d2 := GetParams(src.Elem().Interface()); !reflect.DeepEqual(d, d2) {
			t.Errorf("%s: GetParams of pointer and value differ: %v, %v", typ.Name(), d, d2)
		}
		dst := reflect.New(typ)
		if err := SetParams(dst.Interface(), d); err != nil {
			t.Errorf("%s: SetParams(GetParams): %v", typ.Name(), err)
			continue
		}
		if !reflect.DeepEqual(dst.Elem().Interface(), src.Elem().Interface()) {
			t.Errorf("%s: round trip gives %+v, want %+v", typ.Name(), dst.Elem().Interface(), src.Elem().Interface())
		}
		// GetParams copies slices: changing the dictionary leaves src alone.
		for _, v := range d {
			if s, ok := v.([]float64); ok && len(s) > 0 {
				s[0] = -99
			}
		}
		if !reflect.DeepEqual(dst.Elem().Interface(), src.Elem().Interface()) {
			t.Errorf("%s: GetParams returned a slice aliasing the struct", typ.Name())
		}
	}
	// The Go field and the NEST name reach the same parameter.
	p, q := DefaultAeifCondAlphaAstro(), DefaultAeifCondAlphaAstro()
	p.TauSynEx, p.TauSynIn = 2, 4
	if err := SetParams(&q, Dict{"tau_syn_ex": 2.0, "tau_syn_in": 4}); err != nil || p != q {
		t.Errorf("SetParams tau_syn_ex/in: %v, %+v != %+v", err, q, p)
	}
}

// TestValidateNamesReachable sets every float parameter to NaN by its NEST
// name and expects the model's check to name exactly that parameter: the
// tags and the names in the Validate functions agree.
func TestValidateNamesReachable(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	check := func(model string, base any, names []string, validate func(any) error) {
		t.Helper()
		for _, name := range names {
			p := reflect.New(reflect.TypeOf(base))
			p.Elem().Set(reflect.ValueOf(base))
			if err := SetParams(p.Interface(), Dict{name: math.NaN()}); err != nil {
				t.Errorf("%s: SetParams(%s): %v", model, name, err)
				continue
			}
			if v := GetParams(p.Interface())[name].(float64); !math.IsNaN(v) {
				t.Errorf("%s: SetParams(%s = NaN) did not reach the field (%g)", model, name, v)
			}
			err := validate(p.Elem().Interface())
			expectErr(t, model+" "+name+" = NaN", err, name+" =")
		}
	}
	check("aeif_cond_alpha_astro", DefaultAeifCondAlphaAstro(), nestNames[0].names,
		func(p any) error { return p.(AeifCondAlphaAstro).Validate() })
	check("astrocyte_lr_1994", DefaultAstrocyteLR1994(), nestNames[1].names,
		func(p any) error { return p.(AstrocyteLR1994).Validate() })
	check("tsodyks_synapse", DefaultTsodyksSynapse(), []string{"weight", "U", "u", "tau_psc", "tau_rec", "tau_fac", "x", "y"},
		func(p any) error { return p.(TsodyksSynapse).validate() })
	check("static_synapse", DefaultStaticSynapse(), []string{"weight"},
		func(p any) error { return p.(StaticSynapse).validate() })
	check("sic_connection", DefaultSICConnection(), []string{"weight"},
		func(p any) error { return p.(SICConnection).validate() })
	check("poisson_generator", PoissonGenerator{Rate: 10}, []string{"rate", "start", "stop", "origin"},
		func(p any) error { _, err := k.Create(p.(Model), 1); return err })
	check("multimeter", Multimeter{RecordFrom: []string{"V_m"}}, []string{"interval", "start", "stop", "origin"},
		func(p any) error { _, err := k.Create(p.(Model), 1); return err })
	check("spike_recorder", SpikeRecorder{}, []string{"start", "stop", "origin"},
		func(p any) error { _, err := k.Create(p.(Model), 1); return err })
	check("delay", DefaultTsodyksSynapse(), []string{"delay"},
		func(p any) error { _, err := k.delaySteps("tsodyks_synapse", p.(TsodyksSynapse).Delay); return err })
}

func TestSetParamsConversions(t *testing.T) {
	var g SpikeGenerator
	if err := SetParams(&g, Dict{"spike_times": []int{1, 2}, "spike_weights": []any{1, 2.5}, "spike_multiplicities": []float64{1, 3}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.SpikeTimes, []float64{1, 2}) || !slices.Equal(g.SpikeWeights, []float64{1, 2.5}) || !slices.Equal(g.SpikeMultiplicities, []int{1, 3}) {
		t.Errorf("converted lists: %+v", g)
	}
	in := []float64{5, 6}
	if err := SetParams(&g, Dict{"spike_times": in}); err != nil {
		t.Fatal(err)
	}
	in[0] = 99
	if g.SpikeTimes[0] != 5 {
		t.Errorf("SetParams kept the caller's slice")
	}
	if err := SetParams(&g, Dict{"spike_times": []float64(nil)}); err != nil || g.SpikeTimes != nil {
		t.Errorf("nil list: %v, %v", err, g.SpikeTimes)
	}
	var cfg KernelConfig
	if err := SetParams(&cfg, Dict{"resolution": 1, "local_num_threads": 4.0, "rng_seed": int64(12)}); err != nil {
		t.Fatal(err)
	}
	if cfg != (KernelConfig{Resolution: 1, LocalNumThreads: 4, RNGSeed: 12}) {
		t.Errorf("kernel settings: %+v", cfg)
	}
	r := NewTripartiteBernoulliWithPool()
	if err := SetParams(&r, Dict{"pool_type": "block", "pool_size": uint8(2), "p_primary": float32(0.5)}); err != nil {
		t.Fatal(err)
	}
	if r.PoolType != PoolBlock || r.PoolSize != 2 || r.PPrimary != 0.5 {
		t.Errorf("tripartite rule: %+v", r)
	}
	if err := SetParams(&r, Dict{"pool_type": PoolRandom}); err != nil || r.PoolType != PoolRandom {
		t.Errorf("typed pool type: %v, %+v", err, r)
	}
	if err := SetParams(&r, nil); err != nil {
		t.Errorf("empty dict: %v", err)
	}
}

func TestSetParamsErrors(t *testing.T) {
	p := DefaultAeifCondAlphaAstro()
	orig := p
	for _, c := range []struct {
		what string
		dst  any
		d    Dict
		subs []string
	}{
		{"unknown name", &p, Dict{"tau_syn": 2.0}, []string{"aeif_cond_alpha_astro", `"tau_syn"`, "valid:", "tau_syn_ex"}},
		{"case hint", &p, Dict{"v_m": 2.0}, []string{`did you mean "V_m"`}},
		{"string for float", &p, Dict{"C_m": "281"}, []string{"aeif_cond_alpha_astro", "C_m", `string "281"`, "number (float64)"}},
		{"bool for float", &p, Dict{"I_e": true}, []string{"I_e", "number"}},
		{"nil value", &p, Dict{"V_m": nil}, []string{"V_m", "got nil"}},
		{"valid then invalid", &p, Dict{"C_m": 100.0, "tau_w": "x"}, []string{"tau_w"}},
		{"non-integral int", &FixedIndegree{}, Dict{"indegree": 2.5}, []string{"fixed_indegree", "indegree", "not an integer", "integer (int)"}},
		{"int for bool", &FixedIndegree{}, Dict{"allow_autapses": 1}, []string{"allow_autapses", "a bool"}},
		{"bad enum", &TripartiteBernoulliWithPool{}, Dict{"pool_type": "ring"}, []string{"pool_type", `"ring"`, `"random", "block"`}},
		{"negative seed", &KernelConfig{}, Dict{"rng_seed": -1}, []string{"kernel", "rng_seed", "negative"}},
		{"int overflow", &FixedIndegree{}, Dict{"indegree": uint64(math.MaxUint64)}, []string{"indegree", "out of range"}},
		{"list of strings for floats", &SpikeGenerator{}, Dict{"spike_times": []string{"1"}}, []string{"spike_times", "element 0", "number"}},
		{"scalar for list", &SpikeGenerator{}, Dict{"spike_times": 1.0}, []string{"spike_times", "list of numbers"}},
		{"float for []int", &SpikeGenerator{}, Dict{"spike_multiplicities": []float64{1.5}}, []string{"spike_multiplicities", "not an integer"}},
		{"number for []string", &Multimeter{}, Dict{"record_from": []any{"V_m", 2}}, []string{"record_from", "element 1"}},
		{"no parameters", &ParrotNeuron{}, Dict{"V_m": 1.0}, []string{"parrot_neuron", "no parameters", "V_m"}},
		{"not a pointer", DefaultAeifCondAlphaAstro(), Dict{"C_m": 1.0}, []string{"pointer"}},
		{"nil pointer", (*AeifCondAlphaAstro)(nil), Dict{"C_m": 1.0}, []string{"pointer"}},
		{"nil dst", nil, Dict{"C_m": 1.0}, []string{"pointer"}},
	} {
		err := noPanic(t, c.what, func() error { return SetParams(c.dst, c.d) })
		expectErr(t, c.what, err, c.subs...)
	}
	if p != orig {
		t.Errorf("rejected SetParams changed the struct: %+v", p)
	}
	if GetParams(nil) != nil || GetParams(3) != nil || GetParams((*Multimeter)(nil)) != nil {
		t.Errorf("GetParams of a non-struct is not nil")
	}
}

// paramNet is a small deterministic network: a spike generator drives
// three neurons and two astrocytes, the first astrocyte sends SIC to the
// neurons (the second sends nothing); everything is recorded every step.
type paramNet struct {
	k                  *Kernel
	sg, n, a, mmN, mmA NodeCollection
	sr                 NodeCollection
}

func newParamNet(t *testing.T, np AeifCondAlphaAstro, ap AstrocyteLR1994, threads int) paramNet {
	t.Helper()
	k := mustKernel(t, KernelConfig{LocalNumThreads: threads})
	var s paramNet
	s.k = k
	s.sg = mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{5, 10, 10.5, 30, 60, 60.1, 90, 120, 121, 150}}, 1)
	s.n = mustCreate(t, k, np, 3)
	s.a = mustCreate(t, k, ap, 2)
	s.mmN = mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: []string{"V_m", "g_ex", "w", "I_SIC"}}, 1)
	s.mmA = mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: []string{"IP3", "Ca_astro", "h_IP3R"}}, 1)
	s.sr = mustCreate(t, k, SpikeRecorder{}, 1)
	for _, c := range []struct {
		pre, post NodeCollection
		syn       Synapse
	}{
		{s.sg, s.n, StaticSynapse{Weight: 30, Delay: 1}},
		{s.sg, s.a, StaticSynapse{Weight: 1, Delay: 1}},
		{s.a.Slice(0, 1), s.n, SICConnection{Weight: 20, Delay: 1}},
		{s.mmN, s.n, nil},
		{s.mmA, s.a, nil},
		{s.n, s.sr, nil},
	} {
		if err := k.Connect(c.pre, c.post, nil, c.syn); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// paramNetNeuron returns neuron parameters that spike under the input.
func paramNetNeuron() AeifCondAlphaAstro {
	p := DefaultAeifCondAlphaAstro()
	p.TauSynEx, p.TauSynIn, p.IE = 2, 4, 600
	return p
}

func paramNetAstro() AstrocyteLR1994 {
	p := DefaultAstrocyteLR1994()
	p.IP3, p.DeltaIP3, p.TauIP3 = 0.4, 0.5, 20
	return p
}

type paramTrace struct {
	n, a MultimeterEvents
	sp   SpikeEvents
}

func (s paramNet) run(t *testing.T, ms float64) paramTrace {
	t.Helper()
	if err := s.k.Simulate(ms); err != nil {
		t.Fatal(err)
	}
	return paramTrace{mustMM(t, s.k, s.mmN), mustMM(t, s.k, s.mmA), mustSR(t, s.k, s.sr)}
}

// sameEvents compares the samples of the given senders bit for bit.
func sameEvents(t *testing.T, what string, got, want MultimeterEvents, senders ...int) {
	t.Helper()
	pick := func(ev MultimeterEvents, s int) (times []float64, vals map[string][]float64) {
		vals = map[string][]float64{}
		for j, id := range ev.Senders {
			if id != s {
				continue
			}
			times = append(times, ev.Times[j])
			for name, col := range ev.Values {
				vals[name] = append(vals[name], col[j])
			}
		}
		return times, vals
	}
	for _, s := range senders {
		gt, gv := pick(got, s)
		wt, wv := pick(want, s)
		if len(wt) == 0 {
			t.Fatalf("%s: node %d has no samples", what, s)
		}
		if !slices.Equal(gt, wt) {
			t.Errorf("%s: node %d: sample times differ", what, s)
			continue
		}
		for name, w := range wv {
			g := gv[name]
			for j := range w {
				if math.Float64bits(g[j]) != math.Float64bits(w[j]) {
					t.Errorf("%s: node %d: %s at %g ms = %.17g, want %.17g", what, s, name, wt[j], g[j], w[j])
					break
				}
			}
		}
	}
}

func sameTrace(t *testing.T, what string, got, want paramTrace) {
	t.Helper()
	if !reflect.DeepEqual(got.n, want.n) || !reflect.DeepEqual(got.a, want.a) || !reflect.DeepEqual(got.sp, want.sp) {
		t.Errorf("%s: traces differ", what)
		sameEvents(t, what, got.n, want.n, slices.Compact(slices.Sorted(slices.Values(want.n.Senders)))...)
	}
}

// TestSetStatusStateEqualsCreate: state and shared parameters set with
// SetStatus before Simulate give bit-identical traces to a kernel whose
// Create parameters carried those values.
func TestSetStatusStateEqualsCreate(t *testing.T) {
	for _, threads := range []int{1, 2} {
		np, ap := paramNetNeuron(), paramNetAstro()
		np2, ap2 := np, ap
		np2.VM, np2.W, np2.GEx, np2.TauSynEx, np2.IE = -55, 30, 2, 3, 650
		ap2.IP3, ap2.CaAstro, ap2.HIP3R, ap2.TauIP3, ap2.DeltaIP3 = 1.2, 0.15, 0.5, 10, 0.8
		ref := newParamNet(t, np2, ap2, threads).run(t, 200)
		if len(ref.sp.Times) == 0 {
			t.Fatal("reference network does not spike")
		}
		s := newParamNet(t, np, ap, threads)
		if err := s.k.SetStatus(s.n, Dict{"V_m": -55, "w": 30.0, "g_ex": 2.0, "tau_syn_ex": 3.0, "I_e": 650.0}); err != nil {
			t.Fatal(err)
		}
		if err := s.k.SetStatus(s.a, Dict{"IP3": 1.2, "Ca_astro": 0.15, "h_IP3R": 0.5, "tau_IP3": 10.0, "delta_IP3": 0.8}); err != nil {
			t.Fatal(err)
		}
		sameTrace(t, "SetStatus vs Create", s.run(t, 200), ref)
	}
}

// TestSetStatusStatePerNode: a state variable changes on exactly the nodes
// given.
func TestSetStatusStatePerNode(t *testing.T) {
	np, ap := paramNetNeuron(), paramNetAstro()
	base := newParamNet(t, np, ap, 1).run(t, 200)
	np2, ap2 := np, ap
	np2.VM, np2.W = -52, 40
	ap2.IP3 = 1.5
	allN := newParamNet(t, np2, ap, 1).run(t, 200)
	allA := newParamNet(t, np, ap2, 1).run(t, 200)

	s := newParamNet(t, np, ap, 1)
	mid, lastA := s.n.At(1), s.a.At(1)
	if err := s.k.SetStatus(NodeIDs(mid), Dict{"V_m": -52.0, "w": 40.0}); err != nil {
		t.Fatal(err)
	}
	if err := s.k.SetStatus(NodeIDs(lastA), Dict{"IP3": 1.5}); err != nil {
		t.Fatal(err)
	}
	st, err := s.k.GetStatus(Concat(s.n, s.a))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range st[:3] {
		wantV := -70.6
		if i == 1 {
			wantV = -52
		}
		if d["V_m"] != wantV || d["tau_syn_ex"] != 2.0 {
			t.Errorf("GetStatus neuron %d: V_m %v tau_syn_ex %v", i, d["V_m"], d["tau_syn_ex"])
		}
	}
	if st[3]["IP3"] != 0.4 || st[4]["IP3"] != 1.5 {
		t.Errorf("GetStatus astrocytes: IP3 %v, %v", st[3]["IP3"], st[4]["IP3"])
	}
	got := s.run(t, 200)
	sameEvents(t, "untouched neurons", got.n, base.n, s.n.At(0), s.n.At(2))
	sameEvents(t, "untouched astrocyte", got.a, base.a, s.a.At(0))
	sameEvents(t, "changed astrocyte", got.a, allA.a, lastA)
	sameEvents(t, "changed neuron", got.n, allN.n, mid)
	if reflect.DeepEqual(base.n, allN.n) || reflect.DeepEqual(base.a, allA.a) {
		t.Errorf("the changed values make no difference: the test proves nothing")
	}
}

// TestSetStatusSharedNeedsWholeBlock: a shared parameter on part of a
// Create call's nodes is an error, and nothing changes (not even the state
// variables of the same call).
func TestSetStatusSharedNeedsWholeBlock(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	_ = mustCreate(t, k, ParrotNeuron{}, 2)
	n := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 10)
	before, _ := k.GetStatus(n)
	err := k.SetStatus(n.Slice(0, 5), Dict{"tau_syn_ex": 3.0, "V_m": -60.0})
	expectErr(t, "partial tau_syn_ex", err, "tau_syn_ex", "shared by all 10 nodes", "node IDs 3–12", "pass it to Create")
	after, _ := k.GetStatus(n)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("rejected SetStatus changed the nodes")
	}
	// Duplicates do not count as coverage.
	ids := append(n.Slice(0, 9).IDs(), n.At(0))
	expectErr(t, "partial with duplicates", k.SetStatus(NodeIDs(ids...), Dict{"I_e": 1.0}), "I_e", "shared")
	// The whole block, in any order, is fine.
	rev := n.IDs()
	slices.Reverse(rev)
	if err := k.SetStatus(NodeIDs(rev...), Dict{"tau_syn_ex": 3.0, "V_m": -60.0}); err != nil {
		t.Fatal(err)
	}
	after, _ = k.GetStatus(n)
	for _, d := range after {
		if d["tau_syn_ex"] != 3.0 || d["V_m"] != -60.0 {
			t.Fatalf("after SetStatus: %v", d)
		}
	}
	// GetStatus output goes back into SetStatus.
	if err := k.SetStatus(n, after[0]); err != nil {
		t.Errorf("SetStatus(GetStatus): %v", err)
	}
}

// TestSetStatusRejectedLeavesKernel: failing SetStatus calls between two
// Simulate calls leave the kernel exactly as before: it continues
// bit-identically to an untouched kernel.
func TestSetStatusRejectedLeavesKernel(t *testing.T) {
	k, mmN, mmA, sr := buildUnitScenario(t, 1)
	ref, rN, rA, rS := buildUnitScenario(t, 1)
	for _, kk := range []*Kernel{k, ref} {
		if err := kk.Simulate(50); err != nil {
			t.Fatal(err)
		}
	}
	all := NodeIDs(1, 2, 3, 4, 5, 6, 7, 8, 9) // sgE, parrot, neuron, astroA, astroB, sgI, mmN, mmA, sr
	before, err := k.GetStatus(all)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what  string
		nodes NodeCollection
		d     Dict
		subs  []string
	}{
		{"C_m < 0", NodeIDs(3), Dict{"C_m": -1.0}, []string{"C_m", "must be > 0"}},
		{"C_m < 0 with V_m", NodeIDs(3), Dict{"C_m": -1.0, "V_m": -50.0}, []string{"C_m"}},
		{"g_ex < 0", NodeIDs(3), Dict{"g_ex": -1.0}, []string{"g_ex"}},
		{"V_reset ≥ V_peak", NodeIDs(3), Dict{"V_reset": 10.0}, []string{"V_reset"}},
		{"tau_syn_ex 0", NodeIDs(3), Dict{"tau_syn_ex": 0}, []string{"tau_syn_ex"}},
		{"V_m on an astrocyte", NodeIDs(3, 4), Dict{"V_m": -50.0}, []string{"astrocyte_lr_1994", `"V_m"`}},
		{"unknown node", NodeIDs(3, 99), Dict{"V_m": -50.0}, []string{"99"}},
		{"node 0", NodeIDs(0), Dict{}, []string{"node ID 0"}},
		{"IP3 < 0", NodeIDs(4), Dict{"IP3": -1.0}, []string{"IP3"}},
		{"h_IP3R > 1", NodeIDs(4, 5), Dict{"h_IP3R": 2.0}, []string{"h_IP3R"}},
		{"Ca_astro string", NodeIDs(4), Dict{"Ca_astro": "high"}, []string{"Ca_astro", "number"}},
		{"spike_times after Simulate", NodeIDs(1), Dict{"spike_times": []float64{70}}, []string{"spike_generator", "spike_times", "first Simulate"}},
		{"spike_times off grid", NodeIDs(1), Dict{"spike_times": []float64{70.05}}, []string{"spike_times"}},
		{"parrot parameter", NodeIDs(2), Dict{"rate": 1.0}, []string{"parrot_neuron", "no parameters"}},
		{"multimeter interval", NodeIDs(7), Dict{"interval": 1.0}, []string{"multimeter", "interval", "Create"}},
		{"multimeter record_from", NodeIDs(8), Dict{"record_from": []string{"IP3"}}, []string{"record_from"}},
		{"recorder stop off grid", NodeIDs(9), Dict{"stop": 60.05}, []string{"spike_recorder", "stop"}},
		{"recorder stop < start", NodeIDs(9), Dict{"start": 80.0, "stop": 60.0}, []string{"stop"}},
	} {
		err := noPanic(t, c.what, func() error { return k.SetStatus(c.nodes, c.d) })
		expectErr(t, c.what, err, c.subs...)
	}
	after, err := k.GetStatus(all)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("rejected SetStatus calls changed GetStatus:\nbefore %v\nafter  %v", before, after)
	}
	// Setting the current values is allowed and changes nothing: for the
	// neuron and astrocyte it discards the cached f(y), which the next
	// step recomputes bit for bit.
	for i, id := range all.IDs() {
		if err := k.SetStatus(NodeIDs(id), before[i]); err != nil {
			t.Errorf("node %d: setting the current values: %v", id, err)
		}
	}
	for _, kk := range []*Kernel{k, ref} {
		if err := kk.Simulate(150); err != nil {
			t.Fatal(err)
		}
	}
	got := paramTrace{mustMM(t, k, mmN), mustMM(t, k, mmA), mustSR(t, k, sr)}
	want := paramTrace{mustMM(t, ref, rN), mustMM(t, ref, rA), mustSR(t, ref, rS)}
	sameTrace(t, "after rejected SetStatus", got, want)
}

// TestSetStatusAfterSimulate: state and parameters set between Simulate
// calls take effect; cached derivatives and derived constants are renewed.
func TestSetStatusAfterSimulate(t *testing.T) {
	s := newParamNet(t, paramNetNeuron(), paramNetAstro(), 1)
	s.run(t, 100)
	nb := s.k.blocks[s.k.nodes[s.n.At(0)-1].block].(*aeifBlock)
	ab := s.k.blocks[s.k.nodes[s.a.At(0)-1].block].(*astrocyteBlock)
	for i := range nb.fsal {
		nb.fsal[i] = true
	}
	if err := s.k.SetStatus(NodeIDs(s.n.At(1)), Dict{"V_m": -30.0}); err != nil {
		t.Fatal(err)
	}
	if !nb.fsal[0] || nb.fsal[1] || !nb.fsal[2] {
		t.Errorf("state change: fsal = %v, want [true false true]", nb.fsal)
	}
	if got := nb.y[1][aeifV]; got != -30 {
		t.Errorf("V_m = %g, want -30", got)
	}
	if err := s.k.SetStatus(s.n, Dict{"tau_syn_ex": 5.0, "t_ref": 2.0, "gsl_error_tol": 1e-5}); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(nb.fsal, true) {
		t.Errorf("parameter change: fsal = %v, want all false", nb.fsal)
	}
	if err := s.k.SetStatus(s.a, Dict{"tau_IP3": 10.0, "Ca_tot": 3.0}); err != nil {
		t.Fatal(err)
	}
	if err := s.k.SetStatus(NodeIDs(s.a.At(0)), Dict{"Ca_astro": 0.3}); err != nil {
		t.Fatal(err)
	}
	if err := s.k.SetStatus(s.sr, Dict{"stop": 150.0}); err != nil {
		t.Fatal(err)
	}
	tr := s.run(t, 100)
	e, tau := math.E, 5.0 // divided at run time, as PreRun does
	if nb.g0Ex != e/tau || nb.c.invTauEx != 1/tau || nb.refrCounts != 20 || nb.ctrl.epsAbs != 1e-5 {
		t.Errorf("aeif constants not re-derived: g0Ex %g invTauEx %g refrCounts %d eps %g", nb.g0Ex, nb.c.invTauEx, nb.refrCounts, nb.ctrl.epsAbs)
	}
	if c := ab.work[0].sys.c; c.invTauIP3 != 1.0/10 || ab.work[0].sys.p.CaTot != 3 {
		t.Errorf("astrocyte constants not re-derived: invTauIP3 %g, Ca_tot %g", c.invTauIP3, ab.work[0].sys.p.CaTot)
	}
	// The neuron set to −30 mV spikes at once (V_m ≥ V_th, exponential
	// run-away); the spike recorder stops at 150 ms.
	first := map[int]float64{}
	for j, id := range tr.sp.Senders {
		if tr.sp.Times[j] > 150 {
			t.Errorf("spike at %g ms recorded after stop = 150 ms", tr.sp.Times[j])
		}
		if _, ok := first[id]; !ok && tr.sp.Times[j] > 100 {
			first[id] = tr.sp.Times[j]
		}
	}
	if ft, ok := first[s.n.At(1)]; !ok || ft > 101 {
		t.Errorf("neuron set to V_m = −30 mV: first spike after 100 ms at %v (found %v), want ≤ 101 ms", ft, ok)
	}
	st, _ := s.k.GetStatus(s.a)
	if st[0]["Ca_tot"] != 3.0 || st[0]["tau_IP3"] != 10.0 {
		t.Errorf("astrocyte GetStatus: %v", st[0])
	}
}

// TestSetStatusDevices: generator parameters through SetStatus.
func TestSetStatusDevices(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	pg := mustCreate(t, k, PoissonGenerator{}, 1)
	sg := mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{1}}, 1)
	pn := mustCreate(t, k, ParrotNeuron{}, 2)
	sr := mustCreate(t, k, SpikeRecorder{}, 1)
	for _, c := range [][2]NodeCollection{{pg, pn.Slice(0, 1)}, {sg, pn.Slice(1, 2)}, {pn, sr}} {
		if err := k.Connect(c[0], c[1], nil, StaticSynapse{Weight: 1, Delay: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.SetStatus(sg, Dict{"spike_times": []float64{3, 4.5}, "spike_multiplicities": []int{1, 2}}); err != nil {
		t.Fatal(err)
	}
	expectErr(t, "weights of the wrong length", k.SetStatus(sg, Dict{"spike_weights": []float64{1}}), "spike_weights")
	expectErr(t, "rate < 0", k.SetStatus(pg, Dict{"rate": -1.0}), "poisson_generator", "rate")
	if err := k.Simulate(50); err != nil {
		t.Fatal(err)
	}
	ev := mustSR(t, k, sr)
	want := SpikeEvents{Senders: []int{pn.At(1), pn.At(1)}, Times: []float64{4, 5.5}}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("before rate change: %+v, want %+v", ev, want)
	}
	if err := k.SetStatus(pg, Dict{"rate": 20000, "stop": 60}); err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(50); err != nil {
		t.Fatal(err)
	}
	ev = mustSR(t, k, sr)
	n := 0
	for j, id := range ev.Senders {
		if id == pn.At(0) {
			n++
			if tt := ev.Times[j]; tt <= 51 || tt > 61 {
				t.Errorf("Poisson-driven parrot spike at %g ms, want in (51, 61]", tt)
			}
		}
	}
	if n < 50 {
		t.Errorf("%d Poisson-driven parrot spikes after rate = 20 kHz for 10 ms, want ~ 200", n)
	}
	st, _ := k.GetStatus(Concat(pg, sg, pn.Slice(0, 1)))
	if st[0]["rate"] != 20000.0 || !reflect.DeepEqual(st[1]["spike_times"], []float64{3, 4.5}) || len(st[2]) != 0 {
		t.Errorf("GetStatus devices: %v", st)
	}
}

// TestNewModelByName: models and synapses by NEST name, with NEST's
// defaults and a parameter dictionary; unknown names are errors.
func TestNewModelByName(t *testing.T) {
	m, err := NewModel("aeif_cond_alpha_astro", Dict{"tau_syn_ex": 2.0, "I_e": 700})
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultAeifCondAlphaAstro()
	want.TauSynEx, want.IE = 2, 700
	if m != Model(want) {
		t.Errorf("NewModel: got %+v, want %+v", m, want)
	}
	for name := range modelDefaults {
		m, err := NewModel(name, nil)
		if err != nil || m.ModelName() != name {
			t.Errorf("NewModel(%q): %v, %v", name, m, err)
		}
	}
	for name := range synapseDefaults {
		s, err := NewSynapse(name, Dict{"delay": 2.0})
		if err != nil || s.SynapseModel() != name {
			t.Errorf("NewSynapse(%q): %v, %v", name, s, err)
		}
	}
	_, err = NewModel("iaf_psc_alpha", nil)
	expectErr(t, "unknown model", err, "iaf_psc_alpha", "aeif_cond_alpha_astro")
	_, err = NewSynapse("stdp_synapse", nil)
	expectErr(t, "unknown synapse", err, "stdp_synapse", "tsodyks_synapse")
	_, err = NewModel("astrocyte_lr_1994", Dict{"tau_IP3": "slow"})
	expectErr(t, "wrong type", err, "tau_IP3")
	_, err = NewModel("parrot_neuron", Dict{"V_m": 1.0})
	expectErr(t, "parrot has no parameters", err, "V_m")
	k := mustKernel(t, KernelConfig{})
	bad, err := NewModel("aeif_cond_alpha_astro", Dict{"C_m": -1.0})
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Create(bad, 1)
	expectErr(t, "Create with C_m = -1", err, "C_m")
}
