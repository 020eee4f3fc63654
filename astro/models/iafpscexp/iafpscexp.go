// Package iafpscexp is NEST's iaf_psc_exp (models/iaf_psc_exp.cpp, NEST
// 3.8): a leaky integrate-and-fire neuron with exponentially decaying
// current-based synapses, advanced by exact propagators (ODEModel.Exact)
// instead of an integrator. It lives outside the engine and touches no
// other file: the proof that a model with its own integration scheme
// needs nothing but its own package.
//
//	C_m dV/dt = −(C_m/tau_m)(V − E_L) + I_syn_ex + I_syn_in + I_e
//	dI_syn_X/dt = −I_syn_X/tau_syn_X
//
// A spike of weight w ≥ 0 adds w pA to I_syn_ex, one of weight w < 0 adds
// w to I_syn_in. At V_m ≥ V_th the neuron spikes, V_m is set to V_reset and
// held there for t_ref.
package iafpscexp

import (
	"fmt"
	"math"

	"github.com/astronb/astronb/astro"
)

// Name is the model's name in the registry (NEST's).
const Name = "iaf_psc_exp"

// Positions of the state variables.
const (
	VM    = iota // V_m (mV)
	ISynE        // I_syn_ex (pA)
	ISynI        // I_syn_in (pA)
)

// Positions of the parameters.
const (
	EL = iota
	CM
	TauM
	TauSynEx
	TauSynIn
	TRef
	VTh
	VReset
	IE
)

// Propagators (Derive), NEST's V_.P… (iaf_psc_exp.cpp, pre_run_hook).
const (
	p11ex = iota
	p11in
	p22
	p21ex
	p21in
	p20
)

// Model returns iaf_psc_exp with NEST 3.8's defaults.
func Model() astro.ODEModel {
	return astro.ODEModel{
		Name: Name,
		State: []astro.ODEVar{
			{Name: "V_m", Unit: "mV", Value: -70},
			{Name: "I_syn_ex", Unit: "pA"},
			{Name: "I_syn_in", Unit: "pA"},
		},
		Params: []astro.ODEVar{
			{Name: "E_L", Unit: "mV", Value: -70},
			{Name: "C_m", Unit: "pF", Value: 250},
			{Name: "tau_m", Unit: "ms", Value: 10},
			{Name: "tau_syn_ex", Unit: "ms", Value: 2},
			{Name: "tau_syn_in", Unit: "ms", Value: 2},
			{Name: "t_ref", Unit: "ms", Value: 2},
			{Name: "V_th", Unit: "mV", Value: -55},
			{Name: "V_reset", Unit: "mV", Value: -70},
			{Name: "I_e", Unit: "pA", Value: 0},
		},
		Validate:   validate,
		Derive:     propagators,
		Exact:      exact,
		Spike:      &astro.ODESpikeInput{Var: "I_syn_ex", InhibitoryVar: "I_syn_in"},
		Threshold:  &astro.ODEThreshold{Var: "V_m", Threshold: "V_th", Reset: "V_reset", Refractory: "t_ref"},
		NESTExport: &astro.NESTModel{Model: Name, Stem: "iaf"},
	}
}

// propagators computes the exact propagators for the step h (ms).
func propagators(p []float64, h float64) []float64 {
	d := make([]float64, 6)
	d[p11ex] = math.Exp(-h / p[TauSynEx])
	d[p11in] = math.Exp(-h / p[TauSynIn])
	d[p22] = math.Exp(-h / p[TauM])
	d[p21ex] = propagator32(p[TauSynEx], p[TauM], p[CM], h)
	d[p21in] = propagator32(p[TauSynIn], p[TauM], p[CM], h)
	d[p20] = -p[TauM] / p[CM] * math.Expm1(-h/p[TauM])
	return d
}

// propagator32 is the propagator from a synaptic current (time constant
// tauSyn) to the membrane (tau, C) over h, with the singular case
// tauSyn = tau and its numerically unstable neighbourhood handled as NEST
// does (libnestutil/propagator_stability.cpp, propagator_32).
func propagator32(tauSyn, tau, c, h float64) float64 {
	linear := 1/(2*c*tau*tau)*h*h*(tauSyn-tau) + h/c
	singular := h / c * math.Exp(-h/tau)
	regular := -tau / (c * (1 - tau/tauSyn)) * math.Exp(-h/tauSyn) * math.Expm1(h*(1/tauSyn-1/tau))
	if tau == tauSyn || (math.Abs(tau-tauSyn) < 0.1 && math.Abs(regular-singular) > 2*math.Abs(linear)) {
		return singular
	}
	return regular
}

// exact advances the state by one step (iaf_psc_exp.cpp, update()): the
// membrane (unless refractory) with the currents of the step's start, then
// the currents' decay. The membrane is propagated relative to E_L, as NEST
// holds it.
func exact(in *astro.ODEIn, y []float64, _ float64) {
	p, d := in.P, in.D
	if !in.Refractory {
		v := y[VM] - p[EL]
		v = v*d[p22] + y[ISynE]*d[p21ex] + y[ISynI]*d[p21in] + p[IE]*d[p20]
		y[VM] = v + p[EL]
	}
	y[ISynE] *= d[p11ex]
	y[ISynI] *= d[p11in]
}

// validate applies NEST's rules (iaf_psc_exp.cpp, Parameters_::set).
func validate(p, _ []float64) error {
	switch {
	case !(p[VReset] < p[VTh]):
		return fmt.Errorf("%s: V_reset = %g mV: must be < V_th = %g mV", Name, p[VReset], p[VTh])
	case !(p[CM] > 0):
		return fmt.Errorf("%s: C_m = %g pF: must be > 0", Name, p[CM])
	case !(p[TauM] > 0 && p[TauSynEx] > 0 && p[TauSynIn] > 0):
		return fmt.Errorf("%s: tau_m = %g, tau_syn_ex = %g, tau_syn_in = %g ms: must all be > 0", Name, p[TauM], p[TauSynEx], p[TauSynIn])
	case !(p[TRef] >= 0):
		return fmt.Errorf("%s: t_ref = %g ms: must be ≥ 0", Name, p[TRef])
	}
	return nil
}

func init() {
	if err := astro.RegisterODE(Model()); err != nil {
		panic(err)
	}
}
