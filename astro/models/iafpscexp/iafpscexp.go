// Package iafpscexp is NEST's iaf_psc_exp (models/iaf_psc_exp.cpp, NEST
// 3.8): a leaky integrate-and-fire neuron with exponentially decaying
// current-based synapses, advanced by exact propagators. It is written at
// the engine's block level (astro.Block, docs/adding-a-model.md, "Block
// level"), as the built-in models are: it holds its nodes' state itself, in
// slices, and has its own update. It lives outside the engine and touches
// no other file: the proof that a model with its own integration scheme
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

// Params are iaf_psc_exp's parameters, shared by the nodes of one Create.
type Params struct {
	EL       float64 `nest:"E_L"`        // resting membrane potential (mV)
	CM       float64 `nest:"C_m"`        // membrane capacitance (pF), > 0
	TauM     float64 `nest:"tau_m"`      // membrane time constant (ms), > 0
	TauSynEx float64 `nest:"tau_syn_ex"` // excitatory synaptic time constant (ms), > 0
	TauSynIn float64 `nest:"tau_syn_in"` // inhibitory synaptic time constant (ms), > 0
	TRef     float64 `nest:"t_ref"`      // refractory period (ms), ≥ 0
	VTh      float64 `nest:"V_th"`       // spike threshold (mV)
	VReset   float64 `nest:"V_reset"`    // reset potential (mV), < V_th
	IE       float64 `nest:"I_e"`        // constant input current (pA)
}

// State is a node's initial state.
type State struct {
	VM     float64 `nest:"V_m"`      // membrane potential (mV)
	ISynEx float64 `nest:"I_syn_ex"` // excitatory synaptic current (pA)
	ISynIn float64 `nest:"I_syn_in"` // inhibitory synaptic current (pA)
}

// IAFPSCExp is the model value Kernel.Create takes: parameters and initial
// state, both set by NEST name (With, astro.SetParams) or as fields.
type IAFPSCExp struct {
	Params
	State
}

// Model returns iaf_psc_exp with NEST 3.8's defaults.
func Model() IAFPSCExp {
	return IAFPSCExp{
		Params{EL: -70, CM: 250, TauM: 10, TauSynEx: 2, TauSynIn: 2, TRef: 2, VTh: -55, VReset: -70},
		State{VM: -70},
	}
}

// With returns m with the parameters and state variables in d set by NEST
// name; the values are checked by Kernel.Create.
func (m IAFPSCExp) With(d astro.Dict) (IAFPSCExp, error) {
	err := astro.SetParams(&m, d)
	return m, err
}

// ModelName implements astro.Model.
func (IAFPSCExp) ModelName() string { return Name }

// NEST answers the NEST export (astro.NESTOf): NEST's model, the script's
// variable stem and the state variables that may change between runs.
func (IAFPSCExp) NEST() *astro.NESTModel {
	return &astro.NESTModel{Model: Name, Stem: "iaf", State: []string{"V_m", "I_syn_ex", "I_syn_in"}}
}

// NodeBytes implements astro.Model: three state values and a refractory
// counter per node, the kernel's tables, and two input channels.
func (IAFPSCExp) NodeBytes() (fixed, channels float64) { return 100, 2 }

// check applies NEST's rules (iaf_psc_exp.cpp, Parameters_::set and
// State_::set), and that every value is finite.
func (m IAFPSCExp) check() error {
	for _, x := range []struct {
		name, unit string
		v          float64
	}{
		{"E_L", "mV", m.EL}, {"C_m", "pF", m.CM}, {"tau_m", "ms", m.TauM}, {"tau_syn_ex", "ms", m.TauSynEx},
		{"tau_syn_in", "ms", m.TauSynIn}, {"t_ref", "ms", m.TRef}, {"V_th", "mV", m.VTh}, {"V_reset", "mV", m.VReset},
		{"I_e", "pA", m.IE}, {"V_m", "mV", m.VM}, {"I_syn_ex", "pA", m.ISynEx}, {"I_syn_in", "pA", m.ISynIn},
	} {
		if math.IsNaN(x.v) || math.IsInf(x.v, 0) {
			return fmt.Errorf("%s: %s = %g %s: must be finite", Name, x.name, x.v, x.unit)
		}
	}
	switch {
	case !(m.VReset < m.VTh):
		return fmt.Errorf("%s: V_reset = %g mV: must be < V_th = %g mV", Name, m.VReset, m.VTh)
	case !(m.CM > 0):
		return fmt.Errorf("%s: C_m = %g pF: must be > 0", Name, m.CM)
	case !(m.TauM > 0 && m.TauSynEx > 0 && m.TauSynIn > 0):
		return fmt.Errorf("%s: tau_m = %g, tau_syn_ex = %g, tau_syn_in = %g ms: must all be > 0", Name, m.TauM, m.TauSynEx, m.TauSynIn)
	case !(m.TRef >= 0):
		return fmt.Errorf("%s: t_ref = %g ms: must be ≥ 0", Name, m.TRef)
	}
	return nil
}

// NewBlock implements astro.Model: n nodes in the initial state.
func (m IAFPSCExp) NewBlock(k *astro.Kernel, n int) (astro.Block, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := k.CheckRefractory(Name, m.TRef); err != nil {
		return nil, err
	}
	b := &block{p: m.Params, v: make([]float64, n), ex: make([]float64, n), in: make([]float64, n), r: make([]int32, n)}
	for i := range n {
		b.v[i], b.ex[i], b.in[i] = m.VM-m.EL, m.ISynEx, m.ISynIn
	}
	return b, nil
}

func init() {
	if err := astro.Register(func() astro.Model { return Model() }); err != nil {
		panic(err)
	}
}

// block holds the nodes of one Create call. The state is NEST's S_, with
// V_m relative to E_L as NEST holds it.
type block struct {
	astro.BlockBase
	p Params

	v      []float64 // V_m − E_L (mV)
	ex, in []float64 // I_syn_ex, I_syn_in (pA)
	r      []int32   // refractory steps left

	spikesEx, spikesIn astro.RingBuffer // input per step (pA), after Prepare

	// NEST's V_ (pre_run_hook): propagators over one step h, the
	// threshold and reset relative to E_L, the refractory steps.
	p11ex, p11in, p22, p21ex, p21in, p20 float64
	theta, vReset                        float64
	refractoryCounts                     int32
}

// Prepare implements astro.Block: the input ring buffers.
func (b *block) Prepare(k *astro.Kernel) error {
	b.spikesEx = k.NewRingBuffer(b.Len())
	b.spikesIn = k.NewRingBuffer(b.Len())
	return nil
}

// PreRun implements astro.Block: the propagators for the kernel's step
// (iaf_psc_exp.cpp, pre_run_hook).
func (b *block) PreRun(k *astro.Kernel) error {
	if err := k.CheckRefractory(Name, b.p.TRef); err != nil {
		return err
	}
	h, p := k.Resolution(), b.p
	b.p11ex = math.Exp(-h / p.TauSynEx)
	b.p11in = math.Exp(-h / p.TauSynIn)
	b.p22 = math.Exp(-h / p.TauM)
	b.p21ex = propagator32(p.TauSynEx, p.TauM, p.CM, h)
	b.p21in = propagator32(p.TauSynIn, p.TauM, p.CM, h)
	b.p20 = -p.TauM / p.CM * math.Expm1(-h/p.TauM)
	b.theta, b.vReset = p.VTh-p.EL, p.VReset-p.EL
	b.refractoryCounts = int32(math.Round(p.TRef / h))
	return nil
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

// Update implements astro.Block (iaf_psc_exp.cpp, update()): per step the
// membrane (unless refractory) with the currents of the step's start, the
// currents' decay, the spikes arriving at the step's end, the threshold.
func (b *block) Update(k *astro.Kernel, tc *astro.Thread, lo, hi int, origin int64, from, to int) error {
	for i := lo; i < hi; i++ {
		recorded := b.Recorded(i)
		for lag := from; lag < to; lag++ {
			step := origin + int64(lag)
			if b.r[i] == 0 {
				b.v[i] = b.v[i]*b.p22 + b.ex[i]*b.p21ex + b.in[i]*b.p21in + b.p.IE*b.p20
			} else {
				b.r[i]--
			}
			b.ex[i] *= b.p11ex
			b.in[i] *= b.p11in
			b.ex[i] += b.spikesEx.Take(i, step)
			b.in[i] += b.spikesIn.Take(i, step)
			if b.v[i] >= b.theta {
				b.r[i] = b.refractoryCounts
				b.v[i] = b.vReset
				tc.Spike(&b.BlockBase, i, step, 1)
			}
			if recorded {
				tc.Sample(k, &b.BlockBase, b, i, step)
			}
		}
	}
	return nil
}

// AddSpike implements astro.SpikeSink (iaf_psc_exp.cpp, handle(SpikeEvent&)).
func (b *block) AddSpike(local int, step int64, w float64, mult int32) {
	if w >= 0 {
		b.spikesEx.Add(local, step, w*float64(mult))
	} else {
		b.spikesIn.Add(local, step, w*float64(mult))
	}
}

// AddSpikeSlot implements astro.SpikeSink.
func (b *block) AddSpikeSlot(local int, slot int64, w float64, mult int32) {
	if w >= 0 {
		b.spikesEx.AddSlot(local, slot, w*float64(mult))
	} else {
		b.spikesIn.AddSlot(local, slot, w*float64(mult))
	}
}

// AddSpikes implements astro.SpikeSink.
func (b *block) AddSpikes(locals []int32, step int64, w float64, mult int32) {
	if w >= 0 {
		b.spikesEx.AddAll(locals, step, w*float64(mult))
	} else {
		b.spikesIn.AddAll(locals, step, w*float64(mult))
	}
}

// SendsSpikes implements astro.SpikeSender.
func (b *block) SendsSpikes() {}

var recordables = []string{"V_m", "I_syn_ex", "I_syn_in"}

// Recordables implements astro.Recorder.
func (b *block) Recordables() []string { return recordables }

// Value implements astro.Recorder.
func (b *block) Value(local, idx int) float64 {
	switch idx {
	case 0:
		return b.v[local] + b.p.EL
	case 1:
		return b.ex[local]
	}
	return b.in[local]
}

func (b *block) model(local int) IAFPSCExp {
	return IAFPSCExp{b.p, State{VM: b.v[local] + b.p.EL, ISynEx: b.ex[local], ISynIn: b.in[local]}}
}

// Status implements astro.Block.
func (b *block) Status(local int) astro.Dict { return astro.GetParams(b.model(local)) }

// PlanStatus implements astro.Block: parameters for the whole block, state
// per node. As in NEST (Parameters_::set, State_::set), a new E_L leaves
// V_m, V_th and V_reset where they were unless they are given too.
func (b *block) PlanStatus(k *astro.Kernel, locals []int, d astro.Dict) (func(), error) {
	_, setV := d["V_m"]
	_, setEx := d["I_syn_ex"]
	_, setIn := d["I_syn_in"]
	var p Params
	next := make([]IAFPSCExp, len(locals))
	for j, local := range locals {
		m := b.model(local)
		if err := astro.SetParams(&m, d); err != nil {
			return nil, fmt.Errorf("SetStatus: %w", err)
		}
		if err := m.check(); err != nil {
			return nil, err
		}
		next[j], p = m, m.Params
	}
	if len(locals) > 0 {
		if err := k.CheckRefractory(Name, p.TRef); err != nil {
			return nil, err
		}
	}
	return func() {
		if len(locals) == 0 {
			return
		}
		deltaEL := p.EL - b.p.EL
		b.p = p
		for j, local := range locals {
			if setV {
				b.v[local] = next[j].VM - p.EL
			} else {
				b.v[local] -= deltaEL
			}
			if setEx {
				b.ex[local] = next[j].ISynEx
			}
			if setIn {
				b.in[local] = next[j].ISynIn
			}
		}
	}, nil
}

// Params implements astro.Block: the model with the parameters as they
// are now.
func (b *block) Params() astro.Model { return IAFPSCExp{b.p, State{VM: b.p.EL}} }

// SaveState implements astro.Block: the state and refractory counters,
// and once prepared the spikes in transit.
func (b *block) SaveState(e *astro.StateEncoder) error {
	e.PutFloat64s(b.v)
	e.PutFloat64s(b.ex)
	e.PutFloat64s(b.in)
	e.PutInt32s(b.r)
	if e.Prepared() {
		e.PutRing(&b.spikesEx)
		e.PutRing(&b.spikesIn)
	}
	return nil
}

// LoadState implements astro.Block.
func (b *block) LoadState(d *astro.StateDecoder) error {
	d.GetFloat64s(Name+" V_m", b.v)
	d.GetFloat64s(Name+" I_syn_ex", b.ex)
	d.GetFloat64s(Name+" I_syn_in", b.in)
	d.GetInt32s(Name+" refractory counters", b.r)
	if d.Prepared() {
		d.GetRing(Name+" excitatory input", &b.spikesEx)
		d.GetRing(Name+" inhibitory input", &b.spikesIn)
	}
	return d.Err()
}
