package astro

import (
	"fmt"
	"math"
)

// AstrocyteLR1994 is NEST's astrocyte_lr_1994 (models/astrocyte_lr_1994.cpp): the
// Li–Rinzel (1994) reduction of the De Young–Keizer IP3R model with IP3
// relaxing to IP3_0 and jumping by delta_IP3·w at each input spike, and a
// Nadkarni–Jung (2003) slow inward current sent to neurons:
//
//	dIP3/dt = (IP3_0 − IP3)/tau_IP3
//	dCa/dt  = J_channel − J_pump + J_leak
//	dh/dt   = α_h(1 − h) − β_h·h
//	SIC     = SIC_scale·ln(1000·(Ca − SIC_th))  if that argument > 1, else 0
//
// with c = clamp(Ca, 0, Ca_tot), m∞ = IP3/(IP3+Kd_IP3_1), n∞ = c/(c+Kd_act),
// Ca_ER = (Ca_tot − c)/ratio_ER_cyt, J_leak = ratio·rate_L·(Ca_ER − c),
// J_channel = ratio·rate_IP3R·m∞³n∞³h³·(Ca_ER − c),
// J_pump = rate_SERCA·c²/(Km_SERCA² + c²), α_h = k_IP3R·Kd_inh·(IP3+Kd_IP3_1)/(IP3+Kd_IP3_2),
// β_h = k_IP3R·c.
type AstrocyteLR1994 struct {
	AstrocyteLR1994Params
	// The state the nodes start from.
	AstrocyteLR1994State
}

// AstrocyteLR1994Params are the parameters of astrocyte_lr_1994, shared by
// the nodes of one Create call.
type AstrocyteLR1994Params struct {
	CaTot      float64 `nest:"Ca_tot"`       // Ca_tot: total free Ca²⁺ (µM), > 0
	IP30       float64 `nest:"IP3_0"`        // IP3_0: IP3 baseline (µM), ≥ 0
	KdIP31     float64 `nest:"Kd_IP3_1"`     // Kd_IP3_1 (µM), > 0
	KdIP32     float64 `nest:"Kd_IP3_2"`     // Kd_IP3_2 (µM), > 0
	KdAct      float64 `nest:"Kd_act"`       // Kd_act (µM), > 0
	KdInh      float64 `nest:"Kd_inh"`       // Kd_inh (µM), ≥ 0
	KmSERCA    float64 `nest:"Km_SERCA"`     // Km_SERCA (µM), > 0
	SICScale   float64 `nest:"SIC_scale"`    // SIC_scale (pA), > 0
	SICTh      float64 `nest:"SIC_th"`       // SIC_th: Ca²⁺ threshold of the SIC (µM), ≥ 0
	DeltaIP3   float64 `nest:"delta_IP3"`    // delta_IP3: IP3 jump per unit input weight (µM), ≥ 0
	KIP3R      float64 `nest:"k_IP3R"`       // k_IP3R (1/(µM·ms)), ≥ 0
	RateIP3R   float64 `nest:"rate_IP3R"`    // rate_IP3R (1/ms), ≥ 0
	RateL      float64 `nest:"rate_L"`       // rate_L (1/ms), ≥ 0
	RateSERCA  float64 `nest:"rate_SERCA"`   // rate_SERCA (µM/ms), ≥ 0
	RatioERCyt float64 `nest:"ratio_ER_cyt"` // ratio_ER_cyt, > 0
	TauIP3     float64 `nest:"tau_IP3"`      // tau_IP3 (ms), > 0
}

// AstrocyteLR1994State is the per-node state of astrocyte_lr_1994.
type AstrocyteLR1994State struct {
	IP3     float64 `nest:"IP3"`      // IP3 (µM), ≥ 0
	CaAstro float64 `nest:"Ca_astro"` // Ca_astro (µM), ≥ 0
	HIP3R   float64 `nest:"h_IP3R"`   // h_IP3R, in [0, 1]
}

// DefaultAstrocyteLR1994 returns NEST 3.8's defaults (delta_IP3 = 5 µM;
// NEST 3.9 changed it to 0.0002 µM).
func DefaultAstrocyteLR1994() AstrocyteLR1994 {
	return AstrocyteLR1994{
		AstrocyteLR1994Params{CaTot: 2, IP30: 0.16, KdIP31: 0.13, KdIP32: 0.9434, KdAct: 0.08234, KdInh: 1.049,
			KmSERCA: 0.1, SICScale: 1, SICTh: 0.19669, DeltaIP3: 5, KIP3R: 0.0002, RateIP3R: 0.006,
			RateL: 0.00011, RateSERCA: 0.0009, RatioERCyt: 0.185, TauIP3: 7142},
		AstrocyteLR1994State{IP3: 0.16, CaAstro: 0.073, HIP3R: 0.793},
	}
}

func init() { registerModel(func() Model { return DefaultAstrocyteLR1994() }) }

const astroName = "astrocyte_lr_1994"

// ModelName implements Model.
func (AstrocyteLR1994) ModelName() string { return astroName }

// NEST implements the export's question (astro.NESTOf).
func (AstrocyteLR1994) NEST() *NESTModel {
	return &NESTModel{Model: astroName, Stem: "astro", State: astroStateNames}
}

// NodeBytes implements Model: the input and the SIC values of a slice.
func (AstrocyteLR1994) NodeBytes() (fixed, channels float64) { return 130, 2 }

// Validate checks the parameters and the initial state with NEST's rules
// (astrocyte_lr_1994.cpp, Parameters_::set and State_::set).
func (p AstrocyteLR1994) Validate() error {
	if err := p.AstrocyteLR1994Params.validate(); err != nil {
		return err
	}
	return p.AstrocyteLR1994State.validate()
}

// astroRule is one range rule: v ≥ 0 and finite, or > 0 if positive.
type astroRule struct {
	name, unit string
	v          float64
	positive   bool
}

func checkAstroRules(rules []astroRule) error {
	for _, r := range rules {
		if math.IsNaN(r.v) || math.IsInf(r.v, 0) || r.v < 0 || (r.positive && r.v == 0) {
			bound := "≥ 0"
			if r.positive {
				bound = "> 0"
			}
			return fmt.Errorf("%s: %s = %g %s: must be %s and finite", astroName, r.name, r.v, r.unit, bound)
		}
	}
	return nil
}

func (p AstrocyteLR1994Params) validate() error {
	return checkAstroRules([]astroRule{
		{"Ca_tot", "µM", p.CaTot, true}, {"IP3_0", "µM", p.IP30, false}, {"Kd_IP3_1", "µM", p.KdIP31, true},
		{"Kd_IP3_2", "µM", p.KdIP32, true}, {"Kd_act", "µM", p.KdAct, true}, {"Kd_inh", "µM", p.KdInh, false},
		{"Km_SERCA", "µM", p.KmSERCA, true}, {"SIC_scale", "", p.SICScale, true}, {"SIC_th", "µM", p.SICTh, false},
		{"delta_IP3", "µM", p.DeltaIP3, false}, {"k_IP3R", "1/(µM·ms)", p.KIP3R, false},
		{"rate_IP3R", "1/ms", p.RateIP3R, false}, {"rate_L", "1/ms", p.RateL, false},
		{"rate_SERCA", "µM/ms", p.RateSERCA, false}, {"ratio_ER_cyt", "", p.RatioERCyt, true},
		{"tau_IP3", "ms", p.TauIP3, true},
	})
}

func (s AstrocyteLR1994State) validate() error {
	if err := checkAstroRules([]astroRule{{"IP3", "µM", s.IP3, false}, {"Ca_astro", "µM", s.CaAstro, false}}); err != nil {
		return err
	}
	if !(s.HIP3R >= 0 && s.HIP3R <= 1) {
		return fmt.Errorf("%s: h_IP3R = %g: must be in [0, 1]", astroName, s.HIP3R)
	}
	return nil
}

const (
	astroIP3 = iota
	astroCa
	astroH
	astroDim
)

// astrocyteBlock holds n astrocytes sharing one parameter set.
type astrocyteBlock struct {
	BlockBase
	p AstrocyteLR1994Params

	y     [][astroDim]float64 // state per node
	hstep []float64           // integrator step suggestion (ms)
	exc   RingBuffer
	// sicVals holds, per node, the SIC of each lag of the current slice; it
	// is sent to neurons at the start of the next slice.
	sicVals []float64
	// sicAny[i] tells whether any of node i's sicVals in the current slice
	// is non-zero; neurons skip the all-zero ones (adding +0 changes
	// nothing, so the sums are exactly the same).
	sicAny []bool
	ctrl   stepControl
	work   []astroWork // per thread
	// dydt[i] is f(y[i]) after the last step; fsal[i] tells whether it is
	// still valid (no IP3 jump or Ca clamp since).
	dydt [][astroDim]float64
	fsal []bool
}

func (p AstrocyteLR1994) NewBlock(k *Kernel, n int) (Block, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	b := &astrocyteBlock{p: p.AstrocyteLR1994Params}
	b.y = make([][astroDim]float64, n)
	y0 := p.AstrocyteLR1994State.vector()
	for i := range n {
		b.y[i] = y0
	}
	return b, nil
}

// vector returns the state as the integrated state vector.
func (s AstrocyteLR1994State) vector() [astroDim]float64 {
	return [astroDim]float64{astroIP3: s.IP3, astroCa: s.CaAstro, astroH: s.HIP3R}
}

// astroStateIndex maps the NEST names of the state variables to their
// position in the state vector.
var astroStateIndex = map[string]int{"IP3": astroIP3, "Ca_astro": astroCa, "h_IP3R": astroH}

// Status implements Block.
func (b *astrocyteBlock) Status(local int) Dict {
	y := &b.y[local]
	return GetParams(AstrocyteLR1994{b.p, AstrocyteLR1994State{IP3: y[astroIP3], CaAstro: y[astroCa], HIP3R: y[astroH]}})
}

// PlanStatus implements Block (see Kernel.SetStatus).
func (b *astrocyteBlock) PlanStatus(_ *Kernel, locals []int, d Dict) (func(), error) {
	m := AstrocyteLR1994{AstrocyteLR1994Params: b.p}
	return planODEStatus(&b.BlockBase, locals, d, &m, &b.p, &m.AstrocyteLR1994Params, &m.AstrocyteLR1994State,
		astroStateIndex, b.y, b.fsal)
}

func (b *astrocyteBlock) Prepare(k *Kernel) error {
	b.hstep = make([]float64, b.n)
	for i := range b.hstep {
		b.hstep[i] = k.h
	}
	b.exc = newRingBuffer(b.n, k.ringLen)
	b.sicVals = make([]float64, b.n*int(k.minDelay))
	b.sicAny = make([]bool, b.n)
	b.work = make([]astroWork, k.threads)
	b.dydt = make([][astroDim]float64, b.n)
	b.fsal = make([]bool, b.n)
	return nil
}

// PreRun re-derives everything that depends on the parameters (they may
// have changed through SetStatus since the last Simulate).
func (b *astrocyteBlock) PreRun(*Kernel) error {
	p := &b.p
	c := astroConsts{kIP3RKdInh: p.KIP3R * p.KdInh, kmSERCA2: p.KmSERCA * p.KmSERCA,
		ratioRateL: p.RatioERCyt * p.RateL, ratioRateIP3R: p.RatioERCyt * p.RateIP3R,
		invRatio: 1 / p.RatioERCyt, invTauIP3: 1 / p.TauIP3}
	for t := range b.work {
		b.work[t].sys = astroRHS{p: p, c: c}
	}
	b.ctrl = stepControl{epsAbs: 1e-3, epsRel: 0, aY: 1, aDydt: 0}
	return nil
}

// astroVector is the vector path, set by astrocyte_lr_1994_simd.go in
// builds that have one (see aeifVector).
var astroVector struct {
	ready  func(b *astrocyteBlock, w *astroWork) bool
	update func(b *astrocyteBlock, k *Kernel, tc *Thread, w *astroWork, i0 int, origin int64, from, to, md int)
}

// astroWork is one thread's scratch space, padded like aeifWork.
type astroWork struct {
	integ rkf45[[astroDim]float64]
	batch batch[[astroDim]float64]
	sys   astroRHS
	simd  any // vector path state, a 64-byte aligned *astroVecSys (alignedNew; GOEXPERIMENT=simd builds)
	_     [cacheLinePad]byte
}

// astroRHS evaluates the right-hand side (astrocyte_lr_1994.cpp,
// astrocyte_lr_1994_dynamics()) (J_noise = 0: no
// current generators are modelled). All astrocytes of a block share their
// parameters, so the function does not depend on the node.
type astroRHS struct {
	p *AstrocyteLR1994Params
	c astroConsts
}

// astroConsts are products and reciprocals of parameters used by rhs. The
// products group exactly as NEST's left-to-right expressions do; the two
// reciprocals replace divisions (a last-bit difference).
type astroConsts struct {
	kIP3RKdInh, kmSERCA2, ratioRateL, ratioRateIP3R, invRatio, invTauIP3 float64
}

func (s *astroRHS) rhsLane(_ int, y, f *[astroDim]float64) { s.rhs(y, f) }

func (s *astroRHS) rhsLanes(n int, y, f *[lanes][astroDim]float64) {
	for l := range n {
		s.rhs(&y[l], &f[l])
	}
}

func (s *astroRHS) rhs(y, f *[astroDim]float64) {
	p, k := s.p, &s.c
	ip3 := y[astroIP3]
	c := y[astroCa]
	if c > p.CaTot {
		c = p.CaTot
	}
	if !(c >= 0) {
		c = 0
	}
	h := y[astroH]
	alphaH := k.kIP3RKdInh * (ip3 + p.KdIP31) / (ip3 + p.KdIP32)
	betaH := p.KIP3R * c
	jPump := p.RateSERCA * (c * c) / (k.kmSERCA2 + c*c)
	mInf := ip3 / (ip3 + p.KdIP31)
	nInf := c / (c + p.KdAct)
	caER := (p.CaTot - c) * k.invRatio
	jLeak := k.ratioRateL * (caER - c)
	// NEST writes pow(x, 3); x·x·x differs from it by at most an ulp.
	jChannel := k.ratioRateIP3R * (mInf * mInf * mInf) * (nInf * nInf * nInf) * (h * h * h) * (caER - c)
	f[astroIP3] = (p.IP30 - ip3) * k.invTauIP3
	f[astroCa] = jChannel - jPump + jLeak
	f[astroH] = alphaH*(1-h) - betaH*h
}

// Update is the node Update (astrocyte_lr_1994.cpp, Update()), for every node and lag; nodes
// are advanced in batches (see lanes) with NEST's per-node arithmetic.
func (b *astrocyteBlock) Update(k *Kernel, tc *Thread, lo, hi int, origin int64, from, to int) error {
	w := &b.work[tc.id]
	md := int(k.minDelay)
	i0 := lo
	if astroVector.ready != nil && k.vecOn && astroVector.ready(b, w) {
		for ; i0+vlanes <= hi; i0 += vlanes {
			astroVector.update(b, k, tc, w, i0, origin, from, to, md)
		}
	}
	for ; i0 < hi; i0 += lanes {
		clearUpper()
		n := min(lanes, hi-i0)
		var y, dydt [lanes]*[astroDim]float64
		var hs [lanes]*float64
		var valid [lanes]bool
		for l := range n {
			i := i0 + l
			y[l], dydt[l], hs[l], valid[l] = &b.y[i], &b.dydt[i], &b.hstep[i], b.fsal[i]
		}
		for lag := from; lag < to; lag++ {
			b.scalarStep(k, tc, w, i0, n, origin+int64(lag), lag, md, &y, &dydt, &hs, &valid)
		}
		for l := range n {
			b.fsal[i0+l] = valid[l]
		}
	}
	return b.sliceCheck(k, tc, lo, hi, origin+int64(to))
}

// scalarStep advances the batch of n astrocytes starting at i0 through the
// resolution step ending at step+1 (lag within the slice).
func (b *astrocyteBlock) scalarStep(k *Kernel, tc *Thread, w *astroWork, i0, n int, step int64, lag, md int,
	y, dydt *[lanes]*[astroDim]float64, hs *[lanes]*float64, valid *[lanes]bool) {
	integ, bt, sys := &w.integ, &w.batch, &w.sys
	h, limit := k.h, maxSubsteps(k.ticsPerStep)
	bt.firstSubstep(sys, &b.ctrl, h, n, y, dydt, hs, valid)
	for l := range n {
		for t, sub := bt.t[l], 0; t < h; sub++ {
			if sub == limit {
				tc.fault = substepError(k, b.model, b.first+i0+l, step, "astrocyte_lr_1994's fixed tolerance")
				break
			}
			t = integ.evolveApply(sys, &b.ctrl, t, h, hs[l], y[l], dydt[l], valid[l])
			valid[l] = true
		}
		b.endOfStep(k, tc, i0+l, step, lag, md, &valid[l])
	}
}

// endOfStep clamps Ca, applies the step's IP3 input, computes the SIC and
// records (astrocyte_lr_1994.cpp, update()). It clears *valid when it changes y.
func (b *astrocyteBlock) endOfStep(k *Kernel, tc *Thread, i int, step int64, lag, md int, valid *bool) {
	y := &b.y[i]
	if ca := max(0, min(y[astroCa], b.p.CaTot)); ca != y[astroCa] {
		y[astroCa] = ca
		*valid = false
	}
	if x := b.exc.take(i, step); x != 0 {
		y[astroIP3] += b.p.DeltaIP3 * x
		*valid = false
	}
	sic := 0.0
	if x := (y[astroCa] - b.p.SICTh) * 1000.0; x > 1.0 {
		sic = math.Log(x) * b.p.SICScale
	}
	b.sicVals[i*md+lag] = sic
	b.sicAny[i] = sic != 0 || (lag > 0 && b.sicAny[i])
	if b.subs != nil && b.subs[i] != nil {
		k.sample(tc, &b.BlockBase, b, i, step)
	}
}

// AddSpike implements SpikeSink. Weights are ≥ 0 (checked at Connect).
func (b *astrocyteBlock) AddSpike(local int, step int64, w float64, mult int32) {
	b.exc.add(local, step, w*float64(mult))
}

// AddSpikeSlot implements SpikeSink.
func (b *astrocyteBlock) AddSpikeSlot(local int, slot int64, w float64, mult int32) {
	b.exc.addSlot(local, slot, w*float64(mult))
}

// AddSpikes implements SpikeSink.
func (b *astrocyteBlock) AddSpikes(locals []int32, step int64, w float64, mult int32) {
	b.exc.addAll(locals, step, w*float64(mult))
}

// SICOutput implements SICSender.
func (b *astrocyteBlock) SICOutput() (vals []float64, nonzero []bool) { return b.sicVals, b.sicAny }

// WeightRule implements WeightChecker: IP3 only rises with input
// (astrocyte_lr_1994.cpp, handle(SpikeEvent&)).
func (b *astrocyteBlock) WeightRule(w float64) string {
	if w < 0 {
		return b.model + " accepts only weights ≥ 0"
	}
	return ""
}

// astroRecordables is astrocyte_lr_1994's RecordablesMap.
var astroRecordables = recordables[*astrocyteBlock]{
	{"IP3", func(b *astrocyteBlock, i int) float64 { return b.y[i][astroIP3] }},
	{"Ca_astro", func(b *astrocyteBlock, i int) float64 { return b.y[i][astroCa] }},
	{"h_IP3R", func(b *astrocyteBlock, i int) float64 { return b.y[i][astroH] }},
}

func (b *astrocyteBlock) Recordables() []string { return astroRecordables.names() }

func (b *astrocyteBlock) Value(local, idx int) float64 { return astroRecordables[idx].get(b, local) }

// Params implements Block.
func (b *astrocyteBlock) Params() Model { return AstrocyteLR1994{AstrocyteLR1994Params: b.p} }

// astrocyte_lr_1994: state vectors; after prepare also the integrator's
// step size and f(y) memory, the input ring buffer and the SIC values of
// the current slice.
func (b *astrocyteBlock) SaveState(e *StateEncoder) error {
	e.f64s(flatStates(b.y))
	if !e.k.prepared {
		return nil
	}
	e.f64s(b.hstep)
	saveRing(e, &b.exc)
	e.f64s(b.sicVals)
	e.bools(b.sicAny)
	e.f64s(flatStates(b.dydt))
	e.bools(b.fsal)
	return nil
}

func (b *astrocyteBlock) LoadState(d *StateDecoder) error {
	d.f64sInto("astrocyte_lr_1994 state", flatStates(b.y))
	if b.hstep == nil {
		return d.err
	}
	d.f64sInto("astrocyte_lr_1994 step sizes", b.hstep)
	loadRing(d, "astrocyte_lr_1994 input", &b.exc)
	d.f64sInto("astrocyte_lr_1994 SIC of the slice", b.sicVals)
	d.boolsInto("astrocyte_lr_1994 SIC flags", b.sicAny)
	d.f64sInto("astrocyte_lr_1994 f(y)", flatStates(b.dydt))
	d.boolsInto("astrocyte_lr_1994 f(y) validity", b.fsal)
	return d.err
}

// astroStateNames are the state vector's components in order.
var astroStateNames = []string{"IP3", "Ca_astro", "h_IP3R"}

// sliceCheck ends an astrocyte update: it reports an integrator failure of
// the slice (tc.fault) or a state that is no longer finite at its end.
func (b *astrocyteBlock) sliceCheck(k *Kernel, tc *Thread, lo, hi int, end int64) error {
	if err := tc.fault; err != nil {
		tc.fault = nil
		return err
	}
	for i := lo; i < hi; i++ {
		if y := &b.y[i]; nonFinite(y) {
			return nonFiniteError(b.model, b.first+i, k.stepsToMs(end), astroStateNames, y)
		}
	}
	return nil
}
