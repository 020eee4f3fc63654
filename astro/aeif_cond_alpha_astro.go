package astro

import (
	"fmt"
	"math"
)

// AeifCondAlphaAstro is NEST's aeif_cond_alpha_astro: an adaptive
// exponential integrate-and-fire neuron with alpha-shaped conductances and
// an extra slow inward current I_SIC from astrocytes (models/aeif_cond_alpha_astro.cpp).
//
//	C_m dV/dt = −g_L(V−E_L) + g_L·Δ_T·exp((V−V_th)/Δ_T) − g_ex(V−E_ex)
//	            − g_in(V−E_in) − w + I_e + I_stim + I_SIC
//	τ_w dw/dt = a(V−E_L) − w
//	dg/dt = dg' − g/τ_syn,  d(dg')/dt = −dg'/τ_syn   (excitatory and inhibitory)
//
// A spike is emitted when V ≥ V_peak (after any internal integrator step);
// then V ← V_reset and w ← w + b. An arriving spike of weight W adds W·e/τ_syn
// to dg', so g peaks at W nS after τ_syn.
type AeifCondAlphaAstro struct {
	AeifCondAlphaAstroParams
	// The state the nodes start from.
	AeifCondAlphaAstroState
}

// AeifCondAlphaAstroParams are the parameters of aeif_cond_alpha_astro,
// shared by the nodes of one Create call.
type AeifCondAlphaAstroParams struct {
	CM       float64 `nest:"C_m"`        // C_m: membrane capacitance (pF), > 0
	GL       float64 `nest:"g_L"`        // g_L: leak conductance (nS)
	EL       float64 `nest:"E_L"`        // E_L: leak reversal potential (mV)
	VTh      float64 `nest:"V_th"`       // V_th: spike initiation threshold (mV)
	DeltaT   float64 `nest:"Delta_T"`    // Delta_T: slope factor (mV), ≥ 0
	VPeak    float64 `nest:"V_peak"`     // V_peak: spike detection threshold (mV), ≥ V_th
	VReset   float64 `nest:"V_reset"`    // V_reset: reset potential (mV), < V_peak
	TRef     float64 `nest:"t_ref"`      // t_ref: refractory period (ms), ≥ 0
	A        float64 `nest:"a"`          // a: subthreshold adaptation (nS)
	B        float64 `nest:"b"`          // b: spike-triggered adaptation (pA)
	TauW     float64 `nest:"tau_w"`      // tau_w: adaptation time constant (ms), > 0
	EEx      float64 `nest:"E_ex"`       // E_ex: excitatory reversal potential (mV)
	EIn      float64 `nest:"E_in"`       // E_in: inhibitory reversal potential (mV)
	TauSynEx float64 `nest:"tau_syn_ex"` // tau_syn_ex: excitatory synaptic time constant (ms), > 0
	TauSynIn float64 `nest:"tau_syn_in"` // tau_syn_in: inhibitory synaptic time constant (ms), > 0
	IE       float64 `nest:"I_e"`        // I_e: constant input current (pA)
	// GSLErrorTol is the integrator's absolute and relative tolerance, > 0.
	GSLErrorTol float64 `nest:"gsl_error_tol"`
}

// AeifCondAlphaAstroState is the per-node state of aeif_cond_alpha_astro.
type AeifCondAlphaAstroState struct {
	VM   float64 `nest:"V_m"`   // V_m: membrane potential (mV)
	GEx  float64 `nest:"g_ex"`  // g_ex: excitatory conductance (nS), ≥ 0
	DGEx float64 `nest:"dg_ex"` // dg_ex (nS/ms)
	GIn  float64 `nest:"g_in"`  // g_in: inhibitory conductance (nS), ≥ 0
	DGIn float64 `nest:"dg_in"` // dg_in (nS/ms)
	W    float64 `nest:"w"`     // w: adaptation current (pA)
}

// DefaultAeifCondAlphaAstro returns NEST 3.8's defaults (V_m = E_L).
func DefaultAeifCondAlphaAstro() AeifCondAlphaAstro {
	return AeifCondAlphaAstro{
		AeifCondAlphaAstroParams{CM: 281, GL: 30, EL: -70.6, VTh: -50.4, DeltaT: 2, VPeak: 0, VReset: -60, TRef: 0,
			A: 4, B: 80.5, TauW: 144, EEx: 0, EIn: -85, TauSynEx: 0.2, TauSynIn: 2, IE: 0, GSLErrorTol: 1e-6},
		AeifCondAlphaAstroState{VM: -70.6},
	}
}

func init() { registerModel(func() Model { return DefaultAeifCondAlphaAstro() }) }

// ModelName implements Model.
func (AeifCondAlphaAstro) ModelName() string { return aeifName }

// NEST implements the export's question (astro.NESTOf).
func (AeifCondAlphaAstro) NEST() *NESTModel {
	return &NESTModel{Model: aeifName, Stem: "neuron", State: []string{"V_m", "g_ex", "dg_ex", "g_in", "dg_in", "w"}}
}

// NodeBytes implements Model: inputs excitatory, inhibitory and SIC.
func (AeifCondAlphaAstro) NodeBytes() (fixed, channels float64) { return 200, 3 }

// Validate checks the parameters and the initial state with NEST's rules
// (aeif_cond_alpha_astro.cpp, Parameters_::set and State_::set) and names
// the first offending parameter.
func (p AeifCondAlphaAstro) Validate() error {
	if err := p.AeifCondAlphaAstroParams.validate(); err != nil {
		return err
	}
	return p.AeifCondAlphaAstroState.validate()
}

const aeifName = "aeif_cond_alpha_astro"

func (p AeifCondAlphaAstroParams) validate() error {
	m := aeifName
	fields := []struct {
		name string
		v    float64
	}{{"C_m", p.CM}, {"g_L", p.GL}, {"E_L", p.EL}, {"V_th", p.VTh}, {"Delta_T", p.DeltaT},
		{"V_peak", p.VPeak}, {"V_reset", p.VReset}, {"t_ref", p.TRef}, {"a", p.A}, {"b", p.B},
		{"tau_w", p.TauW}, {"E_ex", p.EEx}, {"E_in", p.EIn}, {"tau_syn_ex", p.TauSynEx},
		{"tau_syn_in", p.TauSynIn}, {"I_e", p.IE}, {"gsl_error_tol", p.GSLErrorTol}}
	for _, f := range fields {
		if err := checkFinite(m, f.name, f.v, ""); err != nil {
			return err
		}
	}
	switch {
	case p.VReset >= p.VPeak:
		return fmt.Errorf("%s: V_reset = %g mV: must be < V_peak = %g mV", m, p.VReset, p.VPeak)
	case p.VPeak < p.VTh:
		return fmt.Errorf("%s: V_peak = %g mV: must be ≥ V_th = %g mV", m, p.VPeak, p.VTh)
	case p.DeltaT < 0:
		return fmt.Errorf("%s: Delta_T = %g mV: must be ≥ 0", m, p.DeltaT)
	case p.DeltaT > 0 && (p.VPeak-p.VTh)/p.DeltaT >= math.Log(math.MaxFloat64/1e20):
		return fmt.Errorf("%s: (V_peak − V_th)/Delta_T = %g: must be < ln(DBL_MAX/1e20) = %.4g to avoid overflow",
			m, (p.VPeak-p.VTh)/p.DeltaT, math.Log(math.MaxFloat64/1e20))
	case p.CM <= 0:
		return fmt.Errorf("%s: C_m = %g pF: must be > 0", m, p.CM)
	case p.TRef < 0:
		return fmt.Errorf("%s: t_ref = %g ms: must be ≥ 0", m, p.TRef)
	case p.TauW <= 0:
		return fmt.Errorf("%s: tau_w = %g ms: must be > 0", m, p.TauW)
	case p.TauSynEx <= 0:
		return fmt.Errorf("%s: tau_syn_ex = %g ms: must be > 0", m, p.TauSynEx)
	case p.TauSynIn <= 0:
		return fmt.Errorf("%s: tau_syn_in = %g ms: must be > 0", m, p.TauSynIn)
	case p.GSLErrorTol <= 0:
		return fmt.Errorf("%s: gsl_error_tol = %g: must be > 0", m, p.GSLErrorTol)
	}
	return nil
}

func (s AeifCondAlphaAstroState) validate() error {
	m := aeifName
	for _, f := range []struct {
		name string
		v    float64
	}{{"V_m", s.VM}, {"g_ex", s.GEx}, {"dg_ex", s.DGEx}, {"g_in", s.GIn}, {"dg_in", s.DGIn}, {"w", s.W}} {
		if err := checkFinite(m, f.name, f.v, ""); err != nil {
			return err
		}
	}
	switch {
	case s.GEx < 0:
		return fmt.Errorf("%s: g_ex = %g nS: must be ≥ 0", m, s.GEx)
	case s.GIn < 0:
		return fmt.Errorf("%s: g_in = %g nS: must be ≥ 0", m, s.GIn)
	}
	return nil
}

// State vector layout, as integrated (aeif_cond_alpha_astro.h, State_::StateVecElems).
const (
	aeifV = iota
	aeifDGEx
	aeifGEx
	aeifDGIn
	aeifGIn
	aeifW
	aeifDim
)

// aeifBlock holds n neurons sharing one parameter set.
type aeifBlock struct {
	BlockBase
	p AeifCondAlphaAstroParams

	y     [][aeifDim]float64 // state per node
	r     []int32            // refractory counters (steps)
	hstep []float64          // integrator step suggestion per node (ms)
	iSIC  []float64          // SIC applied during the next step (pA)

	// Input buffers: spikes (split by the weight's sign) and SIC, which the
	// kernel writes (SICReceiver).
	exc, inh, sic RingBuffer

	// Derived (pre_run_hook).
	c                    aeifConsts
	g0Ex, g0In, vPeakDet float64
	refrCounts           int32
	ctrl                 stepControl
	work                 []aeifWork // per thread

	// dydt[i] is f(y[i]) after the last step; fsal[i] tells whether it is
	// still valid (no input, reset or refractory change since).
	dydt [][aeifDim]float64
	fsal []bool
}

// aeifWork is one thread's scratch space. The padding keeps two threads'
// scratch out of each other's cache lines: the fields are written for
// every node, and sharing a line would make the cores fight over it.
type aeifWork struct {
	batch batch[[aeifDim]float64]
	lanes aeifLanes
	jobs  []scalarJob // Update's work for runScalar
	simd  any         // vector path state, a 64-byte aligned *aeifVecSys (alignedNew; GOEXPERIMENT=simd builds)
	_     [cacheLinePad]byte
}

// aeifVector is the vector path, set by aeif_cond_alpha_astro_simd.go in
// builds that have one (GOEXPERIMENT=simd on amd64): ready tells whether
// update may use it and prepares the thread's vector constants, update
// advances the vlanes neurons from i0 through the lags [from, to).
var aeifVector struct {
	ready  func(b *aeifBlock, w *aeifWork) bool
	update func(b *aeifBlock, k *Kernel, tc *Thread, w *aeifWork, i0 int, origin int64, from, to int) error
}

// aeifConsts are reciprocals and products of parameters used by rhs.
type aeifConsts struct {
	gLDeltaT, invDeltaT, invCM, invTauEx, invTauIn, invTauW float64
}

func (p AeifCondAlphaAstro) NewBlock(k *Kernel, n int) (Block, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := k.checkRefractory(p.ModelName(), p.TRef); err != nil {
		return nil, err
	}
	b := &aeifBlock{p: p.AeifCondAlphaAstroParams}
	b.y = make([][aeifDim]float64, n)
	y0 := p.AeifCondAlphaAstroState.vector()
	for i := range n {
		b.y[i] = y0
	}
	return b, nil
}

// vector returns the state as the integrated state vector.
func (s AeifCondAlphaAstroState) vector() (y [aeifDim]float64) {
	y[aeifV], y[aeifDGEx], y[aeifGEx], y[aeifDGIn], y[aeifGIn], y[aeifW] = s.VM, s.DGEx, s.GEx, s.DGIn, s.GIn, s.W
	return y
}

// aeifStateIndex maps the NEST names of the state variables to their
// position in the state vector.
var aeifStateIndex = map[string]int{"V_m": aeifV, "dg_ex": aeifDGEx, "g_ex": aeifGEx, "dg_in": aeifDGIn, "g_in": aeifGIn, "w": aeifW}

// aeifStateOf returns the state vector y as named variables.
func aeifStateOf(y *[aeifDim]float64) AeifCondAlphaAstroState {
	return AeifCondAlphaAstroState{VM: y[aeifV], GEx: y[aeifGEx], DGEx: y[aeifDGEx], GIn: y[aeifGIn], DGIn: y[aeifDGIn], W: y[aeifW]}
}

// Status implements Block.
func (b *aeifBlock) Status(local int) Dict {
	return GetParams(AeifCondAlphaAstro{b.p, aeifStateOf(&b.y[local])})
}

// PlanStatus implements Block: parameters for the whole block, state
// variables per node (see Kernel.SetStatus).
func (b *aeifBlock) PlanStatus(_ *Kernel, locals []int, d Dict) (func(), error) {
	m := AeifCondAlphaAstro{AeifCondAlphaAstroParams: b.p}
	return planODEStatus(&b.BlockBase, locals, d, &m, &b.p, &m.AeifCondAlphaAstroParams, &m.AeifCondAlphaAstroState,
		aeifStateIndex, b.y, b.fsal)
}

func (b *aeifBlock) Prepare(k *Kernel) error {
	n := b.n
	b.r = make([]int32, n)
	b.hstep = make([]float64, n)
	for i := range b.hstep {
		b.hstep[i] = min(0.01, k.h) // NEST ≤ 3.9 initial trial step
	}
	b.iSIC = make([]float64, n)
	b.exc = newRingBuffer(n, k.ringLen)
	b.inh = newRingBuffer(n, k.ringLen)
	b.sic = newRingBuffer(n, k.ringLen)
	b.work = make([]aeifWork, k.threads)
	for t := range b.work {
		b.work[t].lanes.b = b
	}
	b.dydt = make([][aeifDim]float64, n)
	b.fsal = make([]bool, n)
	return nil
}

// PreRun re-derives everything that depends on the parameters (they may
// have changed through SetStatus since the last Simulate).
func (b *aeifBlock) PreRun(k *Kernel) error {
	b.g0Ex = math.E / b.p.TauSynEx
	b.g0In = math.E / b.p.TauSynIn
	b.vPeakDet = b.p.VTh
	if b.p.DeltaT > 0 {
		b.vPeakDet = b.p.VPeak
	}
	if err := k.checkRefractory(b.model, b.p.TRef); err != nil {
		return err
	}
	b.refrCounts = int32(math.Round(b.p.TRef / k.h))
	b.c = aeifConsts{gLDeltaT: b.p.GL * b.p.DeltaT, invDeltaT: 1 / b.p.DeltaT, invCM: 1 / b.p.CM,
		invTauEx: 1 / b.p.TauSynEx, invTauIn: 1 / b.p.TauSynIn, invTauW: 1 / b.p.TauW}
	tol := b.p.GSLErrorTol
	b.ctrl = stepControl{epsAbs: tol, epsRel: tol, aY: 0, aDydt: 1}
	return nil
}

// aeifLanes evaluates the right-hand side of the nodes of a batch.
type aeifLanes struct {
	b   *aeifBlock
	idx [lanes]int
	// refr and iSIC are each lane's refractory state and I_SIC (pA) as
	// rhs reads them (runScalar keeps them current).
	refr [lanes]bool
	iSIC [lanes]float64
	sum  [lanes]float64 // current sum of each lane's last evaluation
	// v and iSpike are rhsLanes's V_m (mV) and spike current (pA) per lane.
	v, iSpike [lanes]float64
}

func (s *aeifLanes) rhsLane(l int, y, f *[aeifDim]float64) { s.sum[l] = s.b.rhs(s.idx[l], y, f) }

// rhsLanes evaluates the lanes' right-hand sides with exactly rhs's
// operations, the exponentials first: no lane's other values are then live
// across the calls of expFast.
func (s *aeifLanes) rhsLanes(n int, y, f *[lanes][aeifDim]float64) {
	b := s.b
	n = min(n, lanes)
	for l := range n {
		s.v[l] = b.membraneV(s.refr[l], &y[l])
	}
	if b.p.DeltaT != 0 {
		for l := range n {
			s.iSpike[l] = b.spikeCurrent(s.v[l])
		}
	} else {
		clear(s.iSpike[:n])
	}
	for l := range n {
		s.sum[l] = b.deriv(s.refr[l], s.v[l], s.iSIC[l], s.iSpike[l], &y[l], &f[l])
	}
}

// rhs is the right-hand side for node i (aeif_cond_alpha_astro.cpp,
// aeif_cond_alpha_astro_dynamics()). Divisions by
// parameters are multiplications by reciprocals computed in PreRun (a
// last-bit difference from NEST's expression, far inside the test
// tolerances, and a shorter dependency chain in every Runge–Kutta stage).
//
// It returns the sum of all currents but I_SIC, in NEST's order of
// summation: dV/dt = (sum + I_SIC)/C_m, so a new I_SIC gives the new dV/dt
// bit for bit without evaluating the rest again (see endOfStep).
func (b *aeifBlock) rhs(i int, y, f *[aeifDim]float64) (sum float64) {
	refractory := b.r[i] > 0
	v := b.membraneV(refractory, y)
	iSpike := 0.0
	if b.p.DeltaT != 0 {
		iSpike = b.spikeCurrent(v)
	}
	return b.deriv(refractory, v, b.iSIC[i], iSpike, y, f)
}

// membraneV is the V_m the right-hand side uses (mV): clamped to V_peak,
// V_reset while refractory.
func (b *aeifBlock) membraneV(refractory bool, y *[aeifDim]float64) float64 {
	v := y[aeifV]
	if !(v < b.p.VPeak) { // min's full rules (NaN, ±0) only where they matter
		v = min(v, b.p.VPeak)
	}
	if refractory {
		v = b.p.VReset
	}
	return v
}

// spikeCurrent is the exponential term g_L·Δ_T·exp((V−V_th)/Δ_T) (pA) for
// Δ_T ≠ 0.
func (b *aeifBlock) spikeCurrent(v float64) float64 {
	return b.c.gLDeltaT * expFast((v-b.p.VTh)*b.c.invDeltaT)
}

// deriv is rhs given membraneV's v (mV), the spike current iSpike (pA, 0
// for Δ_T = 0) and I_SIC (pA).
func (b *aeifBlock) deriv(refractory bool, v, iSIC, iSpike float64, y, f *[aeifDim]float64) (sum float64) {
	p, c := &b.p, &b.c
	dgEx, gEx, dgIn, gIn, w := y[aeifDGEx], y[aeifGEx], y[aeifDGIn], y[aeifGIn], y[aeifW]
	iSynEx := gEx * (v - p.EEx)
	iSynIn := gIn * (v - p.EIn)
	sum = -p.GL*(v-p.EL) + iSpike - iSynEx - iSynIn - w + p.IE
	if refractory {
		f[aeifV] = 0
	} else {
		f[aeifV] = (sum + iSIC) * c.invCM
	}
	f[aeifDGEx] = -dgEx * c.invTauEx
	f[aeifGEx] = dgEx - gEx*c.invTauEx
	f[aeifDGIn] = -dgIn * c.invTauIn
	f[aeifGIn] = dgIn - gIn*c.invTauIn
	f[aeifW] = (p.A*(v-p.EL) - w) * c.invTauW
	return sum
}

// Update is the node Update (aeif_cond_alpha_astro.cpp, Update()) for
// every node and lag. Nodes are
// advanced in batches (see lanes); within a resolution step each node
// follows NEST's loop exactly: integrator substeps, each followed by the
// refractory clamp or spike check, then the step's inputs.
func (b *aeifBlock) Update(k *Kernel, tc *Thread, lo, hi int, origin int64, from, to int) error {
	w := &b.work[tc.id]
	w.jobs = w.jobs[:0] // the neurons left to the scalar path (runScalar)
	i0 := lo
	if aeifVector.ready != nil && k.vecOn && aeifVector.ready(b, w) {
		for ; i0+vlanes <= hi; i0 += vlanes {
			if err := aeifVector.update(b, k, tc, w, i0, origin, from, to); err != nil {
				return err
			}
		}
	}
	for ; i0 < hi; i0++ {
		w.jobs = append(w.jobs, scalarJob{i0, from, to})
	}
	if err := b.runScalar(k, tc, w, w.jobs, origin); err != nil {
		return err
	}
	return b.sliceCheck(k, lo, hi, origin+int64(to))
}

// scalarJob is a neuron to advance on the scalar path through the lags
// [lag, end) of a slice.
type scalarJob struct{ i, lag, end int }

// laneRun is where one lane of runScalar stands, besides its time within
// the step and its valid flag (the batch's t and runScalar's valid).
type laneRun struct {
	scalarJob
	sum   float64 // current sum of the last accepted evaluation (pA)
	calls int     // evolveApply calls begun after the step's first substep (maxSubsteps)
	first bool    // the next attempt is the step's first substep
}

// runScalar advances the neurons of jobs on the scalar path, each through
// its lags, with NEST's loop per resolution step: integrator substeps, each
// followed by the refractory clamp or spike check (afterSubstep), then the
// step's inputs (endOfStep). It keeps lanes neurons in flight and makes one
// attempt of each lane's current evolveApply call per round (batch.substep),
// so neurons at different lags and in different substeps share a round and
// their work overlaps; a lane whose job ends takes the next job. Every neuron
// gets exactly the operations of its own scalar loop, so results do not
// depend on which neurons share a round.
func (b *aeifBlock) runScalar(k *Kernel, tc *Thread, w *aeifWork, jobs []scalarJob, origin int64) error {
	bt, ls := &w.batch, &w.lanes
	h, limit := k.h, maxSubsteps(k.ticsPerStep)
	var run [lanes]laneRun
	var y, dydt [lanes]*[aeifDim]float64
	var hs [lanes]*float64
	var valid [lanes]bool
	// inputs sets what rhs reads of lane l's neuron besides y: its
	// refractory state and I_SIC, which afterSubstep and endOfStep change.
	inputs := func(l int) {
		i := run[l].i
		ls.refr[l], ls.iSIC[l] = b.r[i] > 0, b.iSIC[i]
	}
	set := func(l int) { // lane l's neuron
		i := run[l].i
		ls.idx[l], y[l], dydt[l], hs[l] = i, &b.y[i], &b.dydt[i], &b.hstep[i]
		inputs(l)
	}
	n, next := 0, 0
	start := func(l int) { // lane l takes the next job
		j := jobs[next]
		next++
		run[l], valid[l], bt.t[l] = laneRun{scalarJob: j, first: true}, b.fsal[j.i], 0
		set(l)
	}
	for n < lanes && next < len(jobs) {
		start(n)
		n++
	}
	for n > 0 {
		clearUpper() // see clearUpper: a round is a few µs of scalar work
		bt.substep(ls, &b.ctrl, h, n, &y, &dydt, &hs, &valid)
		// From the last lane down, so that a lane whose job ends can be
		// replaced by the last one, already handled.
		for l := n - 1; l >= 0; l-- {
			r := &run[l]
			step := origin + int64(r.lag)
			accepted := !bt.retry[l]
			if accepted {
				r.sum = ls.sum[l]
				if err := b.afterSubstep(k, tc, r.i, step, &valid[l]); err != nil {
					return err
				}
				inputs(l)
			}
			begins := r.first || accepted // the next attempt begins an evolveApply call
			r.first = false
			if bt.t[l] < h {
				if begins {
					if r.calls == limit {
						return substepError(k, b.model, b.first+r.i, step, fmt.Sprintf("gsl_error_tol = %g", b.p.GSLErrorTol))
					}
					r.calls++
				}
				continue
			}
			b.endOfStep(k, tc, r.i, step, r.sum, &valid[l])
			b.fsal[r.i] = valid[l]
			if r.lag++; r.lag < r.end {
				r.calls, r.first, bt.t[l] = 0, true, 0
				inputs(l)
				continue
			}
			if next < len(jobs) {
				start(l)
				continue
			}
			n--
			run[l], valid[l], bt.t[l] = run[n], valid[n], bt.t[n]
			set(l)
		}
	}
	return nil
}

// afterSubstep follows every accepted integrator substep: instability
// check, refractory clamp, spike detection with reset (aeif_cond_alpha_astro.cpp, update()). It clears
// *valid when it changes y.
func (b *aeifBlock) afterSubstep(k *Kernel, tc *Thread, i int, step int64, valid *bool) error {
	y := &b.y[i]
	// NEST's check, written so that a NaN V_m or w fails it too; a
	// non-finite value elsewhere in the state reaches V_m within a substep
	// or is caught at the end of the slice (sliceCheck).
	if !(y[aeifV] >= -1e3 && y[aeifW] >= -1e6 && y[aeifW] <= 1e6) {
		if nonFinite(y) {
			return nonFiniteError(b.model, b.first+i, k.stepsToMs(step), aeifStateNames, y)
		}
		return fmt.Errorf("%s %d: numerical instability at t = %g ms (V_m = %g mV, w = %g pA)",
			b.model, b.first+i, k.stepsToMs(step), y[aeifV], y[aeifW])
	}
	if b.r[i] > 0 {
		y[aeifV] = b.p.VReset
		*valid = false
	} else if y[aeifV] >= b.vPeakDet {
		y[aeifV] = b.p.VReset
		y[aeifW] += b.p.B
		b.r[i] = 0
		if b.refrCounts > 0 {
			b.r[i] = b.refrCounts + 1
		}
		*valid = false
		tc.spikes = append(tc.spikes, spikeEvent{stamp: step + 1, gid: int32(b.first + i), mult: 1})
	}
	return nil
}

// endOfStep applies the step's inputs and records (aeif_cond_alpha_astro.cpp, update()). While the
// stored f(y) is valid it is kept valid: an input changes only the
// derivatives that depend on it, and those are recomputed with rhs's exact
// expressions (sum is the current sum rhs returned for that f(y)); this
// avoids a full evaluation, with its exp, at almost every step.
func (b *aeifBlock) endOfStep(k *Kernel, tc *Thread, i int, step int64, sum float64, valid *bool) {
	y, f, c := &b.y[i], &b.dydt[i], &b.c
	if b.r[i] > 0 {
		b.r[i]--
		*valid = false
	}
	base := b.exc.base(step) // the same for inh and sic: same size and slots
	if x := b.exc.takeAt(base, i); x != 0 {
		y[aeifDGEx] += x * b.g0Ex
		f[aeifDGEx] = -y[aeifDGEx] * c.invTauEx
		f[aeifGEx] = y[aeifDGEx] - y[aeifGEx]*c.invTauEx
	}
	if x := b.inh.takeAt(base, i); x != 0 {
		y[aeifDGIn] += x * b.g0In
		f[aeifDGIn] = -y[aeifDGIn] * c.invTauIn
		f[aeifGIn] = y[aeifDGIn] - y[aeifGIn]*c.invTauIn
	}
	if x := b.sic.takeAt(base, i); x != b.iSIC[i] {
		b.iSIC[i] = x
		f[aeifV] = (sum + x) * c.invCM // not refractory, or *valid is false
	}
	if b.subs != nil && b.subs[i] != nil {
		k.sample(tc, &b.BlockBase, b, i, step)
	}
}

// AddSpike implements SpikeSink: positive weights are excitatory, others
// inhibitory (aeif_cond_alpha_astro.cpp, handle(SpikeEvent&)).
func (b *aeifBlock) AddSpike(local int, step int64, w float64, mult int32) {
	if w > 0 {
		b.exc.add(local, step, w*float64(mult))
	} else {
		b.inh.add(local, step, -w*float64(mult))
	}
}

// AddSpikeSlot implements SpikeSink.
func (b *aeifBlock) AddSpikeSlot(local int, slot int64, w float64, mult int32) {
	if w > 0 {
		b.exc.addSlot(local, slot, w*float64(mult))
	} else {
		b.inh.addSlot(local, slot, -w*float64(mult))
	}
}

// AddSpikes implements SpikeSink.
func (b *aeifBlock) AddSpikes(locals []int32, step int64, w float64, mult int32) {
	if w > 0 {
		b.exc.addAll(locals, step, w*float64(mult))
	} else {
		b.inh.addAll(locals, step, -w*float64(mult))
	}
}

// SICInput implements SICReceiver.
func (b *aeifBlock) SICInput() *RingBuffer { return &b.sic }

// SendsSpikes implements SpikeSender.
func (b *aeifBlock) SendsSpikes() {}

// aeifRecordables is aeif_cond_alpha_astro's RecordablesMap.
var aeifRecordables = recordables[*aeifBlock]{
	{"V_m", func(b *aeifBlock, i int) float64 { return b.y[i][aeifV] }},
	{"g_ex", func(b *aeifBlock, i int) float64 { return b.y[i][aeifGEx] }},
	{"g_in", func(b *aeifBlock, i int) float64 { return b.y[i][aeifGIn] }},
	{"w", func(b *aeifBlock, i int) float64 { return b.y[i][aeifW] }},
	{"I_SIC", func(b *aeifBlock, i int) float64 { return b.iSIC[i] }},
}

func (b *aeifBlock) Recordables() []string { return aeifRecordables.names() }

func (b *aeifBlock) Value(local, idx int) float64 { return aeifRecordables[idx].get(b, local) }

// Params implements Block.
func (b *aeifBlock) Params() Model { return AeifCondAlphaAstro{AeifCondAlphaAstroParams: b.p} }

// aeif_cond_alpha_astro: state vectors; after prepare also refractory
// counters, the integrator's step size and f(y) memory (FSAL), the applied
// I_SIC and the excitatory, inhibitory and SIC ring buffers.
func (b *aeifBlock) SaveState(e *StateEncoder) error {
	e.f64s(flatStates(b.y))
	if !e.k.prepared {
		return nil
	}
	e.i32s(b.r)
	e.f64s(b.hstep)
	e.f64s(b.iSIC)
	saveRing(e, &b.exc)
	saveRing(e, &b.inh)
	saveRing(e, &b.sic)
	e.f64s(flatStates(b.dydt))
	e.bools(b.fsal)
	return nil
}

func (b *aeifBlock) LoadState(d *StateDecoder) error {
	d.f64sInto("aeif_cond_alpha_astro state", flatStates(b.y))
	if b.r == nil { // not prepared
		return d.err
	}
	d.i32sInto("aeif_cond_alpha_astro refractory counters", b.r)
	d.f64sInto("aeif_cond_alpha_astro step sizes", b.hstep)
	d.f64sInto("aeif_cond_alpha_astro I_SIC", b.iSIC)
	loadRing(d, "aeif_cond_alpha_astro excitatory input", &b.exc)
	loadRing(d, "aeif_cond_alpha_astro inhibitory input", &b.inh)
	loadRing(d, "aeif_cond_alpha_astro SIC input", &b.sic)
	d.f64sInto("aeif_cond_alpha_astro f(y)", flatStates(b.dydt))
	d.boolsInto("aeif_cond_alpha_astro f(y) validity", b.fsal)
	return d.err
}

// aeifStateNames are the state vector's components in order.
var aeifStateNames = []string{"V_m", "dg_ex", "g_ex", "dg_in", "g_in", "w"}

// sliceCheck ends a neuron update: the inputs of a step are applied after
// its substeps were checked, so an input that makes the state non-finite
// (an inhibitory weight of -1e308) is caught here at the latest, also in
// the last step of a Simulate call.
func (b *aeifBlock) sliceCheck(k *Kernel, lo, hi int, end int64) error {
	for i := lo; i < hi; i++ {
		if y := &b.y[i]; nonFinite(y) {
			return nonFiniteError(b.model, b.first+i, k.stepsToMs(end), aeifStateNames, y)
		}
	}
	return nil
}
