// Package lrode is NEST's astrocyte_lr_1994 written at the ODE level
// (astro.ODEModel), outside the engine: state variables, parameters, the
// right-hand side in Go, the IP3 jump of an incoming spike, the Ca²⁺ clamp
// and the slow inward current. With the same operations in the same order
// as the built-in (astro/astrocyte_lr_1994.go), its traces and the
// network's spikes are bit-identical to the built-in's (lrode_test.go).
package lrode

import (
	"fmt"
	"math"

	"github.com/astronb/astronb/astro"
)

// Name is the model's name in the registry.
const Name = "astrocyte_lr_1994_ode"

// Positions of the state variables and parameters.
const (
	IP3 = iota // IP3 (µM)
	Ca         // Ca_astro (µM)
	H          // h_IP3R
)

const (
	CaTot = iota
	IP30
	KdIP31
	KdIP32
	KdAct
	KdInh
	KmSERCA
	SICScale
	SICTh
	DeltaIP3
	KIP3R
	RateIP3R
	RateL
	RateSERCA
	RatioERCyt
	TauIP3
)

// Derived constants (Derive), grouped as the built-in groups them.
const (
	dKIP3RKdInh = iota
	dKmSERCA2
	dRatioRateL
	dRatioRateIP3R
	dInvRatio
	dInvTauIP3
)

// Model returns astrocyte_lr_1994 with NEST 3.8's defaults.
func Model() astro.ODEModel {
	return astro.ODEModel{
		Name: Name,
		State: []astro.ODEVar{
			{Name: "IP3", Unit: "µM", Value: 0.16},
			{Name: "Ca_astro", Unit: "µM", Value: 0.073},
			{Name: "h_IP3R", Unit: "", Value: 0.793},
		},
		Params: []astro.ODEVar{
			{Name: "Ca_tot", Unit: "µM", Value: 2},
			{Name: "IP3_0", Unit: "µM", Value: 0.16},
			{Name: "Kd_IP3_1", Unit: "µM", Value: 0.13},
			{Name: "Kd_IP3_2", Unit: "µM", Value: 0.9434},
			{Name: "Kd_act", Unit: "µM", Value: 0.08234},
			{Name: "Kd_inh", Unit: "µM", Value: 1.049},
			{Name: "Km_SERCA", Unit: "µM", Value: 0.1},
			{Name: "SIC_scale", Unit: "pA", Value: 1},
			{Name: "SIC_th", Unit: "µM", Value: 0.19669},
			{Name: "delta_IP3", Unit: "µM", Value: 5},
			{Name: "k_IP3R", Unit: "1/(µM·ms)", Value: 0.0002},
			{Name: "rate_IP3R", Unit: "1/ms", Value: 0.006},
			{Name: "rate_L", Unit: "1/ms", Value: 0.00011},
			{Name: "rate_SERCA", Unit: "µM/ms", Value: 0.0009},
			{Name: "ratio_ER_cyt", Unit: "", Value: 0.185},
			{Name: "tau_IP3", Unit: "ms", Value: 7142},
		},
		Validate: validate,
		Derive: func(p []float64, _ float64) []float64 {
			return []float64{
				dKIP3RKdInh: p[KIP3R] * p[KdInh], dKmSERCA2: p[KmSERCA] * p[KmSERCA],
				dRatioRateL: p[RatioERCyt] * p[RateL], dRatioRateIP3R: p[RatioERCyt] * p[RateIP3R],
				dInvRatio: 1 / p[RatioERCyt], dInvTauIP3: 1 / p[TauIP3],
			}
		},
		RHS:    rhs,
		AbsTol: 1e-3, // NEST: gsl_odeiv_control_y_new(1e-3, 0.0)
		AfterStep: func(p, y []float64) {
			y[Ca] = max(0, min(y[Ca], p[CaTot]))
		},
		Spike: &astro.ODESpikeInput{Var: "IP3", Scale: func(p, _ []float64) float64 { return p[DeltaIP3] }},
		SICOut: func(p, y []float64) float64 {
			if x := (y[Ca] - p[SICTh]) * 1000.0; x > 1.0 {
				return math.Log(x) * p[SICScale]
			}
			return 0
		},
		NESTExport: &astro.NESTModel{Model: "astrocyte_lr_1994", Stem: "astro"},
	}
}

// rhs is astrocyte_lr_1994_dynamics (NEST's models/astrocyte_lr_1994.cpp).
func rhs(in *astro.ODEIn, y, f []float64) {
	p, k := in.P, in.D
	ip3 := y[IP3]
	c := y[Ca]
	if c > p[CaTot] {
		c = p[CaTot]
	}
	if !(c >= 0) {
		c = 0
	}
	h := y[H]
	alphaH := k[dKIP3RKdInh] * (ip3 + p[KdIP31]) / (ip3 + p[KdIP32])
	betaH := p[KIP3R] * c
	jPump := p[RateSERCA] * (c * c) / (k[dKmSERCA2] + c*c)
	mInf := ip3 / (ip3 + p[KdIP31])
	nInf := c / (c + p[KdAct])
	caER := (p[CaTot] - c) * k[dInvRatio]
	jLeak := k[dRatioRateL] * (caER - c)
	jChannel := k[dRatioRateIP3R] * (mInf * mInf * mInf) * (nInf * nInf * nInf) * (h * h * h) * (caER - c)
	f[IP3] = (p[IP30] - ip3) * k[dInvTauIP3]
	f[Ca] = jChannel - jPump + jLeak
	f[H] = alphaH*(1-h) - betaH*h
}

// validate applies NEST's rules (Parameters_::set and State_::set).
func validate(p, y []float64) error {
	positive := []int{CaTot, KdIP31, KdIP32, KdAct, KmSERCA, SICScale, RatioERCyt, TauIP3}
	names := Model().Params // a variant may append parameters of its own
	for i := range names {
		if v := p[i]; v < 0 {
			return fmt.Errorf("%s: %s = %g %s: must be ≥ 0", Name, names[i].Name, v, names[i].Unit)
		}
	}
	for _, i := range positive {
		if p[i] <= 0 {
			return fmt.Errorf("%s: %s = %g %s: must be > 0", Name, names[i].Name, p[i], names[i].Unit)
		}
	}
	if y[IP3] < 0 || y[Ca] < 0 {
		return fmt.Errorf("%s: IP3 = %g µM, Ca_astro = %g µM: must be ≥ 0", Name, y[IP3], y[Ca])
	}
	if !(y[H] >= 0 && y[H] <= 1) {
		return fmt.Errorf("%s: h_IP3R = %g: must be in [0, 1]", Name, y[H])
	}
	return nil
}

func init() {
	if err := astro.RegisterODE(Model()); err != nil {
		panic(err)
	}
}
