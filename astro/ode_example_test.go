package astro_test

import (
	"fmt"

	"github.com/astronb/astronb/astro"
)

// A leaky integrate-and-fire neuron written at the ODE level, from package
// main as well as from any other: state, parameters, the right-hand side,
// the spike effect and threshold/reset/refractoriness. docs/adding-a-model.md
// explains each field.
func ExampleODEModel() {
	const (
		vM = iota // state: V_m
		iSyn
	)
	const (
		eL = iota // parameters
		cM
		tauM
		tauSyn
		iE
		vTh
		vReset
		tRef
	)
	lif := astro.ODEModel{
		Name:  "my_lif",
		State: []astro.ODEVar{{Name: "V_m", Unit: "mV", Value: -70}, {Name: "I_syn", Unit: "pA"}},
		Params: []astro.ODEVar{{Name: "E_L", Unit: "mV", Value: -70}, {Name: "C_m", Unit: "pF", Value: 250},
			{Name: "tau_m", Unit: "ms", Value: 10}, {Name: "tau_syn", Unit: "ms", Value: 2},
			{Name: "I_e", Unit: "pA", Value: 400}, {Name: "V_th", Unit: "mV", Value: -55},
			{Name: "V_reset", Unit: "mV", Value: -70}, {Name: "t_ref", Unit: "ms", Value: 2}},
		RHS: func(in *astro.ODEIn, y, dydt []float64) {
			p := in.P
			dydt[vM] = (-(y[vM]-p[eL])/p[tauM] + (y[iSyn]+p[iE])/p[cM])
			if in.Refractory {
				dydt[vM] = 0 // clamped at V_reset
			}
			dydt[iSyn] = -y[iSyn] / p[tauSyn]
		},
		AbsTol: 1e-6, RelTol: 1e-6,
		Spike:     &astro.ODESpikeInput{Var: "I_syn", InhibitoryVar: "I_syn"}, // weight in pA
		Threshold: &astro.ODEThreshold{Var: "V_m", Threshold: "V_th", Reset: "V_reset", Refractory: "t_ref"},
	}
	if err := astro.RegisterODE(lif); err != nil { // for NewModel and Load
		fmt.Println(err)
		return
	}
	k, _ := astro.NewKernel(astro.KernelConfig{Resolution: 0.1})
	neuron, err := k.Create(lif, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	sr, _ := k.Create(astro.SpikeRecorder{}, 1)
	_ = k.Connect(neuron, sr, nil, nil)
	if err := k.Simulate(100); err != nil {
		fmt.Println(err)
		return
	}
	ev, _ := k.SpikeEvents(sr)
	// V_m relaxes towards E_L + I_e·tau_m/C_m = −54 mV and crosses V_th =
	// −55 mV after tau_m·ln 16 = 27.7 ms, in the step ending at 27.8 ms;
	// then every 27.7 ms + t_ref.
	fmt.Printf("%d spikes, the first at %.1f ms\n", len(ev.Times), ev.Times[0])
	// Output:
	// 3 spikes, the first at 27.8 ms
}

// A model without NEST counterpart is refused by the NEST export; one
// that declares it (ODEModel.NESTExport) is written as that NEST model.
func ExampleNESTOf() {
	m := astro.ODEModel{Name: "my_model"}
	_, err := astro.NESTOf(m)
	fmt.Println(err)
	n, _ := astro.NESTOf(astro.DefaultAstrocyteLR1994())
	fmt.Println(n.Model, n.State)
	// Output:
	// model my_model has no NEST counterpart: it declares none, so it cannot be exported to NEST
	// astrocyte_lr_1994 [IP3 Ca_astro h_IP3R]
}
