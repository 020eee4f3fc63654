package iafpscexp

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/astronb/astronb/astro"
	"github.com/janpfeifer/must"
)

// odeVersion is iaf_psc_exp at the ODE level (ODEModel.Exact, V_m held
// absolute): the same propagators, a second, independent route through the
// engine.
func odeVersion() astro.ODEModel {
	const (
		vm, ex, in = 0, 1, 2
	)
	return astro.ODEModel{
		Name:  "iaf_psc_exp_ode",
		State: []astro.ODEVar{{Name: "V_m", Unit: "mV", Value: -70}, {Name: "I_syn_ex", Unit: "pA"}, {Name: "I_syn_in", Unit: "pA"}},
		Params: []astro.ODEVar{{Name: "E_L", Unit: "mV", Value: -70}, {Name: "C_m", Unit: "pF", Value: 250},
			{Name: "tau_m", Unit: "ms", Value: 10}, {Name: "tau_syn_ex", Unit: "ms", Value: 2}, {Name: "tau_syn_in", Unit: "ms", Value: 2},
			{Name: "t_ref", Unit: "ms", Value: 2}, {Name: "V_th", Unit: "mV", Value: -55}, {Name: "V_reset", Unit: "mV", Value: -70},
			{Name: "I_e", Unit: "pA"}},
		Derive: func(p []float64, h float64) []float64 {
			return []float64{math.Exp(-h / p[3]), math.Exp(-h / p[4]), math.Exp(-h / p[2]),
				propagator32(p[3], p[2], p[1], h), propagator32(p[4], p[2], p[1], h), -p[2] / p[1] * math.Expm1(-h/p[2])}
		},
		Exact: func(in_ *astro.ODEIn, y []float64, _ float64) {
			p, d := in_.P, in_.D
			if !in_.Refractory {
				y[vm] = (y[vm]-p[0])*d[2] + y[ex]*d[3] + y[in]*d[4] + p[8]*d[5] + p[0]
			}
			y[ex] *= d[0]
			y[in] *= d[1]
		},
		Spike:     &astro.ODESpikeInput{Var: "I_syn_ex", InhibitoryVar: "I_syn_in"},
		Threshold: &astro.ODEThreshold{Var: "V_m", Threshold: "V_th", Reset: "V_reset", Refractory: "t_ref"},
	}
}

// TestMatchesODELevel: driven by the same Poisson input, the block-level
// model and the ODE-level one spike at the same times and their traces
// differ only by rounding (V_m relative to E_L here, absolute there).
func TestMatchesODELevel(t *testing.T) {
	run := func(m astro.Model) (astro.SpikeEvents, astro.MultimeterEvents) {
		k := must.M1(astro.NewKernel(astro.KernelConfig{Resolution: 0.1, RNGSeed: 3}))
		n := must.M1(k.Create(m, 20))
		pg := must.M1(k.Create(astro.PoissonGenerator{Rate: 8000}, 1))
		ng := must.M1(k.Create(astro.PoissonGenerator{Rate: 2000}, 1))
		sr := must.M1(k.Create(astro.SpikeRecorder{}, 1))
		mm := must.M1(k.Create(astro.Multimeter{Interval: 0.1, RecordFrom: []string{"V_m", "I_syn_ex", "I_syn_in"}}, 1))
		check(t, k.Connect(pg, n, nil, astro.StaticSynapse{Weight: 90, Delay: 1}))
		check(t, k.Connect(ng, n, nil, astro.StaticSynapse{Weight: -60, Delay: 1}))
		check(t, k.Connect(n, sr, nil, nil))
		check(t, k.Connect(mm, n, nil, nil))
		check(t, k.Simulate(200))
		return must.M1(k.SpikeEvents(sr)), must.M1(k.MultimeterEvents(mm))
	}
	bs, bm := run(Model())
	odeS, odeM := run(odeVersion())
	if len(bs.Times) < 20 || !slices.Equal(bs.Times, odeS.Times) || !slices.Equal(bs.Senders, odeS.Senders) {
		t.Fatalf("spikes differ: block level %d, ODE level %d", len(bs.Times), len(odeS.Times))
	}
	worst := 0.0
	for q, v := range bm.Values {
		for i := range v {
			worst = max(worst, math.Abs(v[i]-odeM.Values[q][i]))
		}
	}
	if worst > 1e-9 {
		t.Errorf("traces differ by up to %g", worst)
	}
	t.Logf("%d spikes alike; traces within %.2g", len(bs.Times), worst)
}

// TestSetStatus: a new E_L leaves V_m where it was (NEST's State_::set);
// a bad value is refused naming the parameter and changes nothing.
func TestSetStatus(t *testing.T) {
	k := must.M1(astro.NewKernel(astro.KernelConfig{}))
	n := must.M1(k.Create(Model(), 2))
	check(t, k.SetStatus(n, astro.Dict{"V_m": -60.0}))
	check(t, k.SetStatus(n, astro.Dict{"E_L": -65.0}))
	st := must.M1(k.GetStatus(n))
	if st[0]["V_m"] != -60.0 || st[1]["E_L"] != -65.0 {
		t.Fatalf("after SetStatus: V_m %v, E_L %v; want -60, -65", st[0]["V_m"], st[1]["E_L"])
	}
	for _, c := range []struct {
		d    astro.Dict
		want string
	}{
		{astro.Dict{"C_m": -1.0}, "C_m = -1 pF: must be > 0"},
		{astro.Dict{"V_reset": -50.0}, "V_reset = -50 mV: must be < V_th"},
		{astro.Dict{"V_m": math.NaN()}, "V_m = NaN mV: must be finite"},
		{astro.Dict{"t_ref": -1.0}, "t_ref = -1 ms"},
		{astro.Dict{"tau_x": 1.0}, "tau_x"},
	} {
		err := k.SetStatus(n, c.d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SetStatus(%v): %v, want an error with %q", c.d, err, c.want)
		}
	}
	if after := must.M1(k.GetStatus(n)); after[0]["C_m"] != 250.0 || after[0]["V_m"] != -60.0 {
		t.Errorf("a refused SetStatus changed the node: %v", after[0])
	}
	if _, err := k.Create(IAFPSCExp{Params: Model().Params, State: State{VM: math.Inf(1)}}, 1); err == nil ||
		!strings.Contains(err.Error(), "V_m = +Inf mV: must be finite") {
		t.Errorf("Create with V_m = +Inf: %v", err)
	}
}

// TestSnapshotBeforeSimulate: a kernel saved before its first Simulate
// (no ring buffers yet) continues as the unsaved one; a snapshot cut short
// is an error, not a silently different kernel.
func TestSnapshotBeforeSimulate(t *testing.T) {
	build := func() (*astro.Kernel, astro.NodeCollection) {
		k := must.M1(astro.NewKernel(astro.KernelConfig{}))
		n := must.M1(k.Create(must.M1(Model().With(astro.Dict{"I_e": 400.0, "V_m": -60.0})), 3))
		sr := must.M1(k.Create(astro.SpikeRecorder{}, 1))
		check(t, k.Connect(n, sr, nil, nil))
		return k, sr
	}
	k, sr := build()
	var buf bytes.Buffer
	check(t, k.Save(&buf))
	data := buf.Bytes()
	k2 := must.M1(astro.Load(bytes.NewReader(data)))
	check(t, k.Simulate(100))
	check(t, k2.Simulate(100))
	a, b := must.M1(k.SpikeEvents(sr)), must.M1(k2.SpikeEvents(sr))
	if len(a.Times) == 0 || !slices.Equal(a.Times, b.Times) || !slices.Equal(a.Senders, b.Senders) {
		t.Errorf("loaded before Simulate: %d spikes, the original %d", len(b.Times), len(a.Times))
	}
	var mid bytes.Buffer
	check(t, k.Save(&mid))
	if _, err := astro.Load(bytes.NewReader(mid.Bytes()[:mid.Len()*2/3])); err == nil {
		t.Error("a snapshot cut short loaded without an error")
	} else if !errors.Is(err, astro.ErrSnapshotCorrupt) && !strings.Contains(err.Error(), "snapshot") {
		t.Errorf("a snapshot cut short: %v", err)
	}
}

// TestRegister: a built-in's name is refused (by Register and RegisterODE);
// the package's own name is known to NewModel.
func TestRegister(t *testing.T) {
	if err := astro.Register(func() astro.Model { return astro.ParrotNeuron{} }); err == nil ||
		!strings.Contains(err.Error(), "parrot_neuron is a built-in model") {
		t.Errorf("registering parrot_neuron again: %v", err)
	}
	builtin := odeVersion()
	builtin.Name = "parrot_neuron"
	if err := astro.RegisterODE(builtin); err == nil || !strings.Contains(err.Error(), "parrot_neuron is a built-in model") {
		t.Errorf("RegisterODE over parrot_neuron: %v", err)
	}
	if err := astro.Register(nil); err == nil {
		t.Error("Register(nil) accepted")
	}
	m := must.M1(astro.NewModel(Name, astro.Dict{"tau_m": 5.0}))
	if got, ok := m.(IAFPSCExp); !ok || got.TauM != 5 {
		t.Errorf("NewModel(%q) = %#v", Name, m)
	}
}
