package astro

import (
	"fmt"
	"math"
)

// AeifCondAlphaAstro is NEST's aeif_cond_alpha_astro: an adaptive
// exponential integrate-and-fire neuron with alpha-shaped conductances and
// an extra slow inward current I_SIC from astrocytes (spec section 2).
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

	// Initial state.
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
		CM: 281, GL: 30, EL: -70.6, VTh: -50.4, DeltaT: 2, VPeak: 0, VReset: -60, TRef: 0,
		A: 4, B: 80.5, TauW: 144, EEx: 0, EIn: -85, TauSynEx: 0.2, TauSynIn: 2, IE: 0,
		GSLErrorTol: 1e-6, VM: -70.6,
	}
}

// ModelName implements Model.
func (AeifCondAlphaAstro) ModelName() string { return "aeif_cond_alpha_astro" }

// Validate checks the parameters with NEST's rules and names the first
// offending parameter.
func (p AeifCondAlphaAstro) Validate() error {
	m := p.ModelName()
	fields := []struct {
		name string
		v    float64
	}{{"C_m", p.CM}, {"g_L", p.GL}, {"E_L", p.EL}, {"V_th", p.VTh}, {"Delta_T", p.DeltaT},
		{"V_peak", p.VPeak}, {"V_reset", p.VReset}, {"t_ref", p.TRef}, {"a", p.A}, {"b", p.B},
		{"tau_w", p.TauW}, {"E_ex", p.EEx}, {"E_in", p.EIn}, {"tau_syn_ex", p.TauSynEx},
		{"tau_syn_in", p.TauSynIn}, {"I_e", p.IE}, {"gsl_error_tol", p.GSLErrorTol},
		{"V_m", p.VM}, {"g_ex", p.GEx}, {"dg_ex", p.DGEx}, {"g_in", p.GIn}, {"dg_in", p.DGIn}, {"w", p.W}}
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
	case p.GEx < 0:
		return fmt.Errorf("%s: g_ex = %g nS: must be ≥ 0", m, p.GEx)
	case p.GIn < 0:
		return fmt.Errorf("%s: g_in = %g nS: must be ≥ 0", m, p.GIn)
	}
	return nil
}

// State vector layout, as integrated (spec 2.2).
const (
	aeifV = iota
	aeifDGEx
	aeifGEx
	aeifDGIn
	aeifGIn
	aeifW
	aeifDim
)

var aeifRecordables = []string{"V_m", "g_ex", "g_in", "w", "I_SIC"}

// aeifBlock holds n neurons sharing one parameter set.
type aeifBlock struct {
	blockBase
	p AeifCondAlphaAstro

	y     [][aeifDim]float64 // state per node
	r     []int32            // refractory counters (steps)
	hstep []float64          // integrator step suggestion per node (ms)
	iSIC  []float64          // SIC applied during the next step (pA)

	exc, inh, sic ringBuffer

	// SIC inputs, aggregated per (astrocyte, delay): node i's inputs are
	// sicIn[sicOff[i]:sicOff[i+1]], ordered by delay, then astrocyte node ID.
	sicOff []int32
	sicIn  []sicInput

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
	integ rkf45[[aeifDim]float64]
	batch batch[[aeifDim]float64]
	sys   aeifRHS
	lanes aeifLanes
	simd  *aeifVecSys // vector path (GOEXPERIMENT=simd builds), 64-byte aligned (alignedNew)
	// sicAcc sums one neuron's SIC inputs per lag (deliverSIC).
	sicAcc []float64
	_      [cacheLinePad]byte
}

// aeifConsts are reciprocals and products of parameters used by rhs.
type aeifConsts struct {
	gLDeltaT, invDeltaT, invCM, invTauEx, invTauIn, invTauW float64
}

type sicInput struct {
	astro *astrocyteBlock
	local int32
	delay int64
	w     float64 // summed weight of all sic_connections of this pair
}

func (p AeifCondAlphaAstro) newBlock(k *Kernel, n int) (nodeBlock, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := k.checkRefractory(p.ModelName(), p.TRef); err != nil {
		return nil, err
	}
	b := &aeifBlock{p: p}
	b.y = make([][aeifDim]float64, n)
	for i := range n {
		b.y[i] = p.initialState()
	}
	return b, nil
}

// initialState returns the state vector the parameters' initial-state
// fields describe.
func (p AeifCondAlphaAstro) initialState() (y [aeifDim]float64) {
	y[aeifV], y[aeifDGEx], y[aeifGEx], y[aeifDGIn], y[aeifGIn], y[aeifW] = p.VM, p.DGEx, p.GEx, p.DGIn, p.GIn, p.W
	return y
}

// aeifStateIndex maps the NEST names of the state variables to their
// position in the state vector.
var aeifStateIndex = map[string]int{"V_m": aeifV, "dg_ex": aeifDGEx, "g_ex": aeifGEx, "dg_in": aeifDGIn, "g_in": aeifGIn, "w": aeifW}

func (b *aeifBlock) prepare(k *Kernel) error {
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
		b.work[t].sys.b, b.work[t].lanes.b = b, b
	}
	b.dydt = make([][aeifDim]float64, n)
	b.fsal = make([]bool, n)
	return nil
}

// preRun re-derives everything that depends on the parameters (they may
// have changed through SetStatus since the last Simulate).
func (b *aeifBlock) preRun(k *Kernel) error {
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

// aeifRHS evaluates the right-hand side for node i of block b.
type aeifRHS struct {
	b   *aeifBlock
	i   int
	sum float64 // current sum of the last evaluation (see rhs)
}

func (s *aeifRHS) rhs(y, f *[aeifDim]float64) { s.sum = s.b.rhs(s.i, y, f) }

// aeifLanes evaluates the right-hand side of the nodes of a batch.
type aeifLanes struct {
	b   *aeifBlock
	idx [lanes]int
	sum [lanes]float64 // current sum of each lane's last evaluation
}

func (s *aeifLanes) rhsLane(l int, y, f *[aeifDim]float64) { s.sum[l] = s.b.rhs(s.idx[l], y, f) }

// rhs is the right-hand side of spec 2.5 for node i. Divisions by
// parameters are multiplications by reciprocals computed in preRun (a
// last-bit difference from NEST's expression, far inside the test
// tolerances, and a shorter dependency chain in every Runge–Kutta stage).
//
// It returns the sum of all currents but I_SIC, in NEST's order of
// summation: dV/dt = (sum + I_SIC)/C_m, so a new I_SIC gives the new dV/dt
// bit for bit without evaluating the rest again (see endOfStep).
func (b *aeifBlock) rhs(i int, y, f *[aeifDim]float64) (sum float64) {
	p, c := &b.p, &b.c
	refractory := b.r[i] > 0
	v := min(y[aeifV], p.VPeak)
	if refractory {
		v = p.VReset
	}
	dgEx, gEx, dgIn, gIn, w := y[aeifDGEx], y[aeifGEx], y[aeifDGIn], y[aeifGIn], y[aeifW]
	iSynEx := gEx * (v - p.EEx)
	iSynIn := gIn * (v - p.EIn)
	iSpike := 0.0
	if p.DeltaT != 0 {
		iSpike = c.gLDeltaT * expFast((v-p.VTh)*c.invDeltaT)
	}
	sum = -p.GL*(v-p.EL) + iSpike - iSynEx - iSynIn - w + p.IE
	if refractory {
		f[aeifV] = 0
	} else {
		f[aeifV] = (sum + b.iSIC[i]) * c.invCM
	}
	f[aeifDGEx] = -dgEx * c.invTauEx
	f[aeifGEx] = dgEx - gEx*c.invTauEx
	f[aeifDGIn] = -dgIn * c.invTauIn
	f[aeifGIn] = dgIn - gIn*c.invTauIn
	f[aeifW] = (p.A*(v-p.EL) - w) * c.invTauW
	return sum
}

// update is the node update of spec 2.6 for every node and lag. Nodes are
// advanced in batches (see lanes); within a resolution step each node
// follows NEST's loop exactly: integrator substeps, each followed by the
// refractory clamp or spike check, then the step's inputs.
func (b *aeifBlock) update(k *Kernel, tc *threadCtx, lo, hi int, origin int64, from, to int) error {
	w := &b.work[tc.id]
	i0 := lo
	if b.vectorReady(w) {
		for ; i0+vlanes <= hi; i0 += vlanes {
			if err := b.updateVector(k, tc, w, i0, origin, from, to); err != nil {
				return err
			}
		}
	}
	for ; i0 < hi; i0 += lanes {
		n := min(lanes, hi-i0)
		var idx [lanes]int
		for l := range n {
			idx[l] = i0 + l
		}
		for lag := from; lag < to; lag++ {
			if err := b.scalarStep(k, tc, w, &idx, n, origin+int64(lag)); err != nil {
				return err
			}
		}
	}
	return b.sliceCheck(k, lo, hi, origin+int64(to))
}

// scalarStep advances neurons idx[0..n-1] through the resolution step
// ending at step+1 (the scalar path: any neuron, any case).
func (b *aeifBlock) scalarStep(k *Kernel, tc *threadCtx, w *aeifWork, idx *[lanes]int, n int, step int64) error {
	integ, bt, sys, ls := &w.integ, &w.batch, &w.sys, &w.lanes
	h := k.h
	var y, dydt [lanes]*[aeifDim]float64
	var hs [lanes]*float64
	var valid [lanes]bool
	for l := range n {
		i := idx[l]
		ls.idx[l] = i
		y[l], dydt[l], hs[l], valid[l] = &b.y[i], &b.dydt[i], &b.hstep[i], b.fsal[i]
	}
	bt.firstSubstep(ls, &b.ctrl, h, n, &y, &dydt, &hs, &valid)
	for l := range n {
		i := idx[l]
		t, sum := bt.t[l], ls.sum[l]
		if t > 0 {
			if err := b.afterSubstep(k, tc, i, step, &valid[l]); err != nil {
				return err
			}
		}
		sys.i = i
		for sub, limit := 0, maxSubsteps(k.ticsPerStep); t < h; sub++ {
			if sub == limit {
				return substepError(k, b.model, b.first+i, step, fmt.Sprintf("gsl_error_tol = %g", b.p.GSLErrorTol))
			}
			t = integ.evolveApply(sys, &b.ctrl, t, h, hs[l], y[l], dydt[l], valid[l])
			valid[l], sum = true, sys.sum
			if err := b.afterSubstep(k, tc, i, step, &valid[l]); err != nil {
				return err
			}
		}
		b.endOfStep(k, tc, i, step, sum, &valid[l])
		b.fsal[i] = valid[l]
	}
	return nil
}

// afterSubstep follows every accepted integrator substep: instability
// check, refractory clamp, spike detection with reset (spec 2.6). It clears
// *valid when it changes y.
func (b *aeifBlock) afterSubstep(k *Kernel, tc *threadCtx, i int, step int64, valid *bool) error {
	y := &b.y[i]
	if y[aeifV] < -1e3 || y[aeifW] < -1e6 || y[aeifW] > 1e6 {
		return fmt.Errorf("%s %d: numerical instability at t = %g ms (V_m = %g mV, w = %g pA)",
			b.model, b.first+i, k.stepsToMs(step), y[aeifV], y[aeifW])
	}
	if err := b.checkNonFinite(k, i, step); err != nil {
		return err
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

// endOfStep applies the step's inputs and records (spec 2.6). While the
// stored f(y) is valid it is kept valid: an input changes only the
// derivatives that depend on it, and those are recomputed with rhs's exact
// expressions (sum is the current sum rhs returned for that f(y)); this
// avoids a full evaluation, with its exp, at almost every step.
func (b *aeifBlock) endOfStep(k *Kernel, tc *threadCtx, i int, step int64, sum float64, valid *bool) {
	y, f, c := &b.y[i], &b.dydt[i], &b.c
	if b.r[i] > 0 {
		b.r[i]--
		*valid = false
	}
	if x := b.exc.take(i, step); x != 0 {
		y[aeifDGEx] += x * b.g0Ex
		f[aeifDGEx] = -y[aeifDGEx] * c.invTauEx
		f[aeifGEx] = y[aeifDGEx] - y[aeifGEx]*c.invTauEx
	}
	if x := b.inh.take(i, step); x != 0 {
		y[aeifDGIn] += x * b.g0In
		f[aeifDGIn] = -y[aeifDGIn] * c.invTauIn
		f[aeifGIn] = y[aeifDGIn] - y[aeifGIn]*c.invTauIn
	}
	if x := b.sic.take(i, step); x != b.iSIC[i] {
		b.iSIC[i] = x
		f[aeifV] = (sum + x) * c.invCM // not refractory, or *valid is false
	}
	if b.subs != nil && b.subs[i] != nil {
		k.sample(tc, &b.blockBase, b, i, step)
	}
}

// addSpike implements spikeSink: positive weights are excitatory, others
// inhibitory (spec 2.7).
func (b *aeifBlock) addSpike(local int, step int64, w float64, mult int32) {
	if w > 0 {
		b.exc.add(local, step, w*float64(mult))
	} else {
		b.inh.add(local, step, -w*float64(mult))
	}
}

// addSpikeSlot implements spikeSink.
func (b *aeifBlock) addSpikeSlot(local int, slot int64, w float64, mult int32) {
	if w > 0 {
		b.exc.addSlot(local, slot, w*float64(mult))
	} else {
		b.inh.addSlot(local, slot, -w*float64(mult))
	}
}

// addSpikes implements spikeSink.
func (b *aeifBlock) addSpikes(locals []int32, step int64, w float64, mult int32) {
	if w > 0 {
		b.exc.addAll(locals, step, w*float64(mult))
	} else {
		b.inh.addAll(locals, step, -w*float64(mult))
	}
}

// deliverSIC implements sicSink: the SIC values the astrocytes computed in
// the slice starting at prevOrigin land at step (astrocyte step + delay).
// Inputs with the example's single SIC delay are summed per lag first and
// written to the ring buffer once per lag.
func (b *aeifBlock) deliverSIC(k *Kernel, tc *threadCtx, prevOrigin int64) {
	if b.sicOff == nil {
		return
	}
	md := int(k.minDelay)
	w := &b.work[tc.id]
	if cap(w.sicAcc) < md {
		w.sicAcc = make([]float64, md)
	}
	acc := w.sicAcc[:md]
	r := &b.sic
	for i := b.lo[tc.id]; i < b.hi[tc.id]; i++ {
		ins := b.sicIn[b.sicOff[i]:b.sicOff[i+1]]
		for len(ins) > 0 {
			d := ins[0].delay
			clear(acc)
			j, any := 0, false
			for ; j < len(ins) && ins[j].delay == d; j++ {
				in := &ins[j]
				if !in.astro.sicAny[in.local] {
					continue // all zero: adding them would change nothing
				}
				any = true
				vals := in.astro.sicVals[int(in.local)*md:][:len(acc)]
				for lag, v := range vals {
					acc[lag] += in.w * v
				}
			}
			if any {
				// Ring slots of consecutive steps are consecutive (mod slots).
				slot := (prevOrigin + d) % r.slots
				for _, v := range acc {
					r.v[slot*r.n+int64(i)] += v
					if slot++; slot == r.slots {
						slot = 0
					}
				}
			}
			ins = ins[j:]
		}
	}
}

func (b *aeifBlock) recordables() []string { return aeifRecordables }

func (b *aeifBlock) value(local, idx int) float64 {
	y := &b.y[local]
	switch idx {
	case 0:
		return y[aeifV]
	case 1:
		return y[aeifGEx]
	case 2:
		return y[aeifGIn]
	case 3:
		return y[aeifW]
	}
	return b.iSIC[local]
}
