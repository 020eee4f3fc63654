package astro_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/astronb/astronb/astro"
	"github.com/janpfeifer/must"
)

// sicProbe is an ODE model that holds, as its state, the SIC it receives
// during each step.
func sicProbe() astro.ODEModel {
	return astro.ODEModel{
		Name:  "sic_probe",
		State: []astro.ODEVar{{Name: "I_SIC", Unit: "pA"}},
		Exact: func(in *astro.ODEIn, y []float64, _ float64) { y[0] = in.ISIC },
		SICIn: true,
	}
}

// TestODESICInput: an ODE model with SICIn receives exactly the SIC a
// built-in neuron receives from the same astrocytes through the same
// sic_connections, in the same step.
func TestODESICInput(t *testing.T) {
	k := must.M1(astro.NewKernel(astro.KernelConfig{Resolution: 0.1}))
	a := astro.DefaultAstrocyteLR1994()
	a.IP3 = 2 // enough IP3 for Ca2+ to cross the SIC threshold
	astros := must.M1(k.Create(a, 2))
	neuron := must.M1(k.Create(astro.DefaultAeifCondAlphaAstro(), 1))
	probe := must.M1(k.Create(sicProbe(), 1))
	for _, tgt := range []astro.NodeCollection{neuron, probe} {
		must.M(k.Connect(astros, tgt, nil, astro.SICConnection{Weight: 1.5, Delay: 2}))
	}
	mmN := must.M1(k.Create(astro.Multimeter{Interval: 0.1, RecordFrom: []string{"I_SIC"}}, 1))
	mmP := must.M1(k.Create(astro.Multimeter{Interval: 0.1, RecordFrom: []string{"I_SIC"}}, 1))
	must.M(k.Connect(mmN, neuron, nil, nil))
	must.M(k.Connect(mmP, probe, nil, nil))
	must.M(k.Simulate(2000))
	n, p := must.M1(k.MultimeterEvents(mmN)), must.M1(k.MultimeterEvents(mmP))
	// The neuron's recordable I_SIC is, as in NEST, the SIC read at the end
	// of a step for the next one; the probe holds the SIC of the step
	// that ended: one sample later.
	nv, pv := n.Values["I_SIC"], p.Values["I_SIC"]
	if !slices.Equal(n.Times, p.Times) || pv[0] != 0 || !slices.Equal(nv[:len(nv)-1], pv[1:]) {
		t.Fatal("the ODE model's SIC input differs from the built-in neuron's")
	}
	if slices.Max(p.Values["I_SIC"]) <= 0 {
		t.Fatal("no SIC arrived: the test shows nothing")
	}
}

// TestODEModelRefused: definitions and connections the model cannot take
// are errors that name it.
func TestODEModelRefused(t *testing.T) {
	k := must.M1(astro.NewKernel(astro.KernelConfig{Resolution: 0.1}))
	bad := sicProbe()
	bad.Exact = nil
	if _, err := k.Create(bad, 1); err == nil || !strings.Contains(err.Error(), "sic_probe") {
		t.Errorf("a model without RHS or Exact: %v", err)
	}
	probe := must.M1(k.Create(sicProbe(), 1))
	pg := must.M1(k.Create(astro.PoissonGenerator{Rate: 10}, 1))
	if err := k.Connect(pg, probe, nil, nil); err == nil || !strings.Contains(err.Error(), "sic_probe") {
		t.Errorf("spikes to a model without spike input: %v", err)
	}
	if err := k.Connect(probe, probe, nil, astro.SICConnection{Weight: 1, Delay: 1}); err == nil {
		t.Error("sic_connection from a model that sends no SIC accepted")
	}
	if err := astro.RegisterODE(astro.ODEModel{Name: "astrocyte_lr_1994", State: []astro.ODEVar{{Name: "x"}},
		Exact: func(*astro.ODEIn, []float64, float64) {}}); err == nil {
		t.Error("a built-in's name accepted")
	}
}
