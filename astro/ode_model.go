package astro

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"unsafe"
)

// ODEModel is a node model defined by its equations: state variables,
// parameters, a right-hand side written in Go, what an incoming spike does
// and, for neurons, threshold, reset and refractory period; optionally it
// sends a slow inward current (like astrocyte_lr_1994) or receives one
// (like aeif_cond_alpha_astro). The engine integrates it with the same
// GSL-faithful adaptive RKF45 the built-in models use (gsl_rkf45.go), or
// with the model's own exact update (Exact). Its nodes get what a
// built-in's get: Create and Connect with every rule, spikes in and out,
// SIC in or out, multimeters and GetStatus/SetStatus by name, snapshots,
// results independent of the thread count.
//
// An ODEModel is a plain value (usable from package main, e.g. a notebook
// cell): fill in the fields, Register it if NewModel, Load or the NEST
// export should find it by name, and pass it to Kernel.Create. With
// returns a copy with other parameter values or initial state.
//
// Each resolution step h of a node runs, in this order (as NEST's
// update() of iaf_psc_exp and astrocyte_lr_1994 do):
//
//  1. the state is advanced by h: RKF45 over RHS, or Exact;
//  2. a refractory node counts its remaining steps down;
//  3. AfterStep, if set (e.g. a clamp);
//  4. the spikes arriving at the end of the step are added: the summed
//     weights times the Spike input's scale to its state variable;
//  5. a threshold crossing (Threshold) resets the node, starts its
//     refractory period and emits a spike at the end of the step;
//  6. the SIC of the step is computed (SICOut) and the SIC arriving for
//     the next step is read (SICIn);
//  7. multimeters sample the state.
type ODEModel struct {
	// Name is the model name (used by NewModel, snapshots, errors). It
	// must not be a built-in model's name.
	Name string
	// State lists the state variables in the order of the state vector,
	// with their initial values (Value).
	State []ODEVar
	// Params lists the parameters with their values (Value; the defaults
	// in the model Register is given).
	Params []ODEVar
	// Validate checks parameter values p and a state y (both in the order
	// of Params and State); nil accepts every finite value. The error
	// should name the parameter and its allowed range.
	Validate func(p, y []float64) error
	// Derive computes constants from the parameters and the resolution h
	// (ms) before every Simulate (NEST's pre_run_hook); the right-hand side
	// reads them as ODEIn.D. Optional.
	Derive func(p []float64, h float64) []float64
	// RHS writes dy/dt at state y into dydt (both of length len(State)).
	// Required unless Exact is set.
	RHS func(in *ODEIn, y, dydt []float64)
	// Exact, if set, replaces the integrator: it advances y by h ms
	// itself (e.g. exact propagators, as NEST's iaf_psc_exp).
	Exact func(in *ODEIn, y []float64, h float64)
	// AbsTol and RelTol are the integrator's error tolerances (GSL's
	// gsl_odeiv_control_y_new(eps_abs, eps_rel)); at least one must be > 0
	// unless Exact is set.
	AbsTol, RelTol float64
	// AfterStep adjusts the state after each step, before inputs (e.g.
	// astrocyte_lr_1994 clamps Ca²⁺ to [0, Ca_tot]). Optional.
	AfterStep func(p, y []float64)
	// Spike says what an incoming spike does; without it the model
	// receives no spikes.
	Spike *ODESpikeInput
	// Threshold makes the model a neuron that emits spikes. Optional.
	Threshold *ODEThreshold
	// SICOut makes the model send a slow inward current (sic_connection
	// from it): the SIC (pA per unit weight) of the step that ended in
	// state y. Optional.
	SICOut func(p, y []float64) float64
	// SICIn makes the model receive SIC: the summed weight·SIC arriving
	// for a step is ODEIn.ISIC (pA) during the following step.
	SICIn bool
	// NESTExport says how to export the model to PyNEST; nil: the model
	// has no NEST counterpart and the export refuses it.
	NESTExport *NESTModel
}

// ODEVar is a state variable or a parameter: its NEST-style name, its unit
// (for documentation and errors) and its value.
type ODEVar struct {
	Name, Unit string
	Value      float64
}

// ODEIn is what RHS and Exact read besides the state.
type ODEIn struct {
	P []float64 // parameter values, in the order of ODEModel.Params
	D []float64 // what ODEModel.Derive returned (nil without Derive)
	// ISIC is the slow inward current of the step (pA), for SICIn models:
	// what arrived for it, which a built-in neuron's I_SIC recordable shows
	// at the end of the step before (TestODESICInput).
	ISIC float64
	// Refractory tells whether the node is refractory during the step.
	Refractory bool
}

// ODESpikeInput is the effect of incoming spikes: at the end of the step
// they arrive, the state variable Var jumps by Scale·(summed weights) of
// the spikes with weight ≥ 0, and InhibitoryVar by InhibitoryScale·(summed
// weights) of those with weight < 0. Without InhibitoryVar, negative
// weights are refused by Connect.
type ODESpikeInput struct {
	Var string
	// Scale returns the jump per unit weight from the parameters and the
	// derived constants; nil means 1.
	Scale                  func(p, d []float64) float64
	InhibitoryVar          string
	InhibitoryScale        func(p, d []float64) float64
	inVar, inInh           int
	scale, inhibitoryScale float64
}

// ODEThreshold makes a model a neuron: when state variable Var is ≥ the
// parameter named Threshold at the end of a step, Var is set to the
// parameter named Reset, OnSpike (optional) adjusts the state (e.g. an
// adaptation jump), the node emits a spike and is refractory for the
// parameter named Refractory (ms; "" for none) rounded to steps.
type ODEThreshold struct {
	Var, Threshold, Reset, Refractory string
	OnSpike                           func(p, y []float64)
}

// ModelName implements Model.
func (m ODEModel) ModelName() string { return m.Name }

// NodeBytes implements Model: state, f(y), step size, refractory counter
// and flags per node; spike channels and the SIC input.
func (m ODEModel) NodeBytes() (fixed, channels float64) {
	fixed = float64(16*odeDim(len(m.State))) + 32
	if m.Spike != nil {
		channels += 2
	}
	if m.SICIn {
		channels++
	}
	if m.SICOut != nil {
		fixed += 64
	}
	return fixed, channels
}

// With returns a copy of m with the parameters and initial state in d set
// by name (NEST's Create(model, params=d)).
func (m ODEModel) With(d Dict) (ODEModel, error) {
	out := m.clone()
	for _, name := range slices.Sorted(maps.Keys(d)) {
		i, isState := out.index(name)
		if i < 0 {
			return m, unknownParam(m.Name, name, out.names())
		}
		v, ok := toFloat(d[name])
		if !ok {
			return m, fmt.Errorf("%s: parameter %s: want a number, got %T", m.Name, name, d[name])
		}
		if isState {
			out.State[i].Value = v
		} else {
			out.Params[i].Value = v
		}
	}
	return out, nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	}
	return 0, false
}

// clone copies the value slices, so that a copy's values are its own.
func (m ODEModel) clone() ODEModel {
	m.State, m.Params = slices.Clone(m.State), slices.Clone(m.Params)
	return m
}

// index returns the position of name in State (isState) or Params, -1 if
// neither has it.
func (m *ODEModel) index(name string) (i int, isState bool) {
	if i := slices.IndexFunc(m.State, func(v ODEVar) bool { return v.Name == name }); i >= 0 {
		return i, true
	}
	return slices.IndexFunc(m.Params, func(v ODEVar) bool { return v.Name == name }), false
}

func (m *ODEModel) names() []string {
	var out []string
	for _, v := range m.Params {
		out = append(out, v.Name)
	}
	for _, v := range m.State {
		out = append(out, v.Name)
	}
	return out
}

func values(vs []ODEVar) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = v.Value
	}
	return out
}

// Fingerprint identifies the model's layout: its name, the names and units
// of its state variables and parameters in order, and which optional parts
// it has. Snapshots store it; loading one into a program whose model of
// that name has another fingerprint is an error.
func (m ODEModel) Fingerprint() string {
	h := sha256.New()
	put := func(s string) {
		binary.Write(h, binary.LittleEndian, uint64(len(s)))
		h.Write([]byte(s))
	}
	put(m.Name)
	for _, group := range [][]ODEVar{m.State, m.Params} {
		put(fmt.Sprint(len(group)))
		for _, v := range group {
			put(v.Name)
			put(v.Unit)
		}
	}
	put(fmt.Sprint(m.RHS != nil, m.Exact != nil, m.AfterStep != nil, m.SICOut != nil, m.SICIn))
	if s := m.Spike; s != nil {
		put("spike " + s.Var + " " + s.InhibitoryVar)
	}
	if t := m.Threshold; t != nil {
		put("threshold " + t.Var + " " + t.Threshold + " " + t.Reset + " " + t.Refractory)
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:8])
}

// check validates the definition (names, required parts) and the values.
func (m *ODEModel) check() error {
	if m.Name == "" {
		return fmt.Errorf("ODE model: Name is empty")
	}
	if len(m.State) == 0 {
		return fmt.Errorf("%s: State is empty: an ODE model needs at least one state variable", m.Name)
	}
	if len(m.State) > vecDims[len(vecDims)-1] {
		return fmt.Errorf("%s: %d state variables: must be at most %d", m.Name, len(m.State), vecDims[len(vecDims)-1])
	}
	seen := map[string]bool{}
	for _, v := range append(slices.Clone(m.State), m.Params...) {
		if v.Name == "" || seen[v.Name] {
			return fmt.Errorf("%s: name %q of a state variable or parameter: must be non-empty and unique", m.Name, v.Name)
		}
		seen[v.Name] = true
		if err := checkFinite(m.Name, v.Name, v.Value, " "+v.Unit); err != nil {
			return err
		}
	}
	if m.RHS == nil && m.Exact == nil {
		return fmt.Errorf("%s: RHS and Exact are nil: one of them must advance the state", m.Name)
	}
	if m.Exact == nil && !(m.AbsTol > 0 || m.RelTol > 0) || m.AbsTol < 0 || m.RelTol < 0 ||
		math.IsInf(m.AbsTol, 0) || math.IsInf(m.RelTol, 0) {
		return fmt.Errorf("%s: AbsTol = %g, RelTol = %g: must be finite and ≥ 0, at least one > 0", m.Name, m.AbsTol, m.RelTol)
	}
	stateVar := func(what, name string) (int, error) {
		if i := slices.IndexFunc(m.State, func(v ODEVar) bool { return v.Name == name }); i >= 0 {
			return i, nil
		}
		return -1, fmt.Errorf("%s: %s %q is not a state variable", m.Name, what, name)
	}
	param := func(what, name string) error {
		if name != "" && !slices.ContainsFunc(m.Params, func(v ODEVar) bool { return v.Name == name }) {
			return fmt.Errorf("%s: %s %q is not a parameter", m.Name, what, name)
		}
		return nil
	}
	if s := m.Spike; s != nil {
		if _, err := stateVar("Spike.Var", s.Var); err != nil {
			return err
		}
		if s.InhibitoryVar != "" {
			if _, err := stateVar("Spike.InhibitoryVar", s.InhibitoryVar); err != nil {
				return err
			}
		}
	}
	if t := m.Threshold; t != nil {
		if _, err := stateVar("Threshold.Var", t.Var); err != nil {
			return err
		}
		if t.Threshold == "" || t.Reset == "" {
			return fmt.Errorf("%s: Threshold.Threshold and Threshold.Reset must name parameters", m.Name)
		}
		for _, x := range [][2]string{{"Threshold.Threshold", t.Threshold}, {"Threshold.Reset", t.Reset}, {"Threshold.Refractory", t.Refractory}} {
			if err := param(x[0], x[1]); err != nil {
				return err
			}
		}
	}
	if m.Validate != nil {
		if err := m.Validate(values(m.Params), values(m.State)); err != nil {
			return err
		}
	}
	return nil
}

// odeDim is the length of the integrated vector for n state variables:
// the smallest length vec admits. The extra components stay 0 and change
// no result: their derivatives are 0, and GSL's step control ignores a
// component whose error is 0 (its ratio is 0, or NaN when both
// tolerances' terms are 0, and neither raises the maximum ratio).
func odeDim(n int) int {
	i, _ := slices.BinarySearch(vecDims, n)
	return vecDims[min(i, len(vecDims)-1)]
}

func (m ODEModel) NewBlock(k *Kernel, n int) (Block, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if t := m.Threshold; t != nil && t.Refractory != "" {
		i, _ := m.index(t.Refractory)
		if err := k.checkRefractory(m.Name, m.Params[i].Value); err != nil {
			return nil, err
		}
	}
	m = m.clone()
	switch odeDim(len(m.State)) {
	case 1:
		return newODEBlock[[1]float64](m, n), nil
	case 2:
		return newODEBlock[[2]float64](m, n), nil
	case 3:
		return newODEBlock[[3]float64](m, n), nil
	case 4:
		return newODEBlock[[4]float64](m, n), nil
	case 5:
		return newODEBlock[[5]float64](m, n), nil
	case 6:
		return newODEBlock[[6]float64](m, n), nil
	case 7:
		return newODEBlock[[7]float64](m, n), nil
	case 8:
		return newODEBlock[[8]float64](m, n), nil
	case 9, 10, 11, 12, 13, 14, 15, 16:
		return newODEBlock[[16]float64](m, n), nil
	case 24, 32:
		return newODEBlock[[32]float64](m, n), nil
	default:
		return newODEBlock[[64]float64](m, n), nil
	}
}

// odeBlock holds n nodes of an ODE model; V is the padded state vector.
type odeBlock[V vec] struct {
	BlockBase
	m       ODEModel
	dim     int
	p       []float64 // parameter values
	derived []float64
	y       []V
	r       []int32 // refractory steps left
	iSIC    []float64
	hstep   []float64
	dydt    []V
	fsal    []bool

	exc, inh, sicIn RingBuffer
	sicVals         []float64
	sicAny          []bool

	ctrl       stepControl
	refrCounts int32
	thr        [3]int // threshold variable, threshold and reset parameters
	work       []odeWork[V]
}

type odeWork[V vec] struct {
	integ rkf45[V]
	batch batch[V]
	sys   odeSys[V]
	y0    V
	_     [cacheLinePad]byte
}

// odeSys adapts the model's RHS to the integrator: in is the input of the
// node evolveApply advances, ins those of a batch's lanes.
type odeSys[V vec] struct {
	fn  func(in *ODEIn, y, dydt []float64)
	in  ODEIn
	ins [lanes]ODEIn
	dim int
}

func (s *odeSys[V]) rhs(y, f *V) {
	s.fn(&s.in, unsafe.Slice(&(*y)[0], s.dim), unsafe.Slice(&(*f)[0], s.dim))
}

func (s *odeSys[V]) rhsLane(l int, y, f *V) {
	s.fn(&s.ins[l], unsafe.Slice(&(*y)[0], s.dim), unsafe.Slice(&(*f)[0], s.dim))
}

func (s *odeSys[V]) rhsLanes(n int, y, f *[lanes]V) {
	for l := range n {
		s.rhsLane(l, &y[l], &f[l])
	}
}

func newODEBlock[V vec](m ODEModel, n int) *odeBlock[V] {
	b := &odeBlock[V]{m: m, dim: len(m.State), p: values(m.Params)}
	var y0 V
	for i, v := range m.State {
		y0[i] = v.Value
	}
	b.y = make([]V, n)
	for i := range b.y {
		b.y[i] = y0
	}
	b.r = make([]int32, n)
	b.iSIC = make([]float64, n)
	if t := m.Threshold; t != nil {
		b.thr[0], _ = m.index(t.Var)
		b.thr[1], _ = m.index(t.Threshold)
		b.thr[2], _ = m.index(t.Reset)
	}
	if s := m.Spike; s != nil {
		s2 := *s
		s2.inVar, _ = m.index(s.Var)
		s2.inInh = -1
		if s.InhibitoryVar != "" {
			s2.inInh, _ = m.index(s.InhibitoryVar)
		}
		b.m.Spike = &s2
	}
	return b
}

func (b *odeBlock[V]) Prepare(k *Kernel) error {
	b.hstep = make([]float64, b.n)
	for i := range b.hstep {
		b.hstep[i] = k.h
	}
	b.dydt = make([]V, b.n)
	b.fsal = make([]bool, b.n)
	b.work = make([]odeWork[V], k.threads)
	if b.m.Spike != nil {
		b.exc = newRingBuffer(b.n, k.ringLen)
		b.inh = newRingBuffer(b.n, k.ringLen)
	}
	if b.m.SICIn {
		b.sicIn = newRingBuffer(b.n, k.ringLen)
	}
	if b.m.SICOut != nil {
		b.sicVals = make([]float64, b.n*int(k.minDelay))
		b.sicAny = make([]bool, b.n)
	}
	return nil
}

func (b *odeBlock[V]) PreRun(k *Kernel) error {
	if b.m.Derive != nil {
		b.derived = b.m.Derive(slices.Clone(b.p), k.h)
	}
	if s := b.m.Spike; s != nil {
		s.scale, s.inhibitoryScale = 1, 1
		if s.Scale != nil {
			s.scale = s.Scale(b.p, b.derived)
		}
		if s.InhibitoryScale != nil {
			s.inhibitoryScale = s.InhibitoryScale(b.p, b.derived)
		}
	}
	b.refrCounts = 0
	if t := b.m.Threshold; t != nil && t.Refractory != "" {
		i, _ := b.m.index(t.Refractory)
		if err := k.checkRefractory(b.model, b.p[i]); err != nil {
			return err
		}
		b.refrCounts = int32(math.Round(b.p[i] / k.h))
	}
	// GSL's y control: D0 = eps_rel·|y| + eps_abs.
	b.ctrl = stepControl{epsAbs: b.m.AbsTol, epsRel: b.m.RelTol, aY: 1, aDydt: 0}
	for t := range b.work {
		b.work[t].sys = odeSys[V]{fn: b.m.RHS, dim: b.dim, in: ODEIn{P: b.p, D: b.derived}}
	}
	return nil
}

func (b *odeBlock[V]) Update(k *Kernel, tc *Thread, lo, hi int, origin int64, from, to int) error {
	w := &b.work[tc.id]
	md := int(k.minDelay)
	h := k.h
	limit := maxSubsteps(k.ticsPerStep)
	// Nodes are advanced in batches of `lanes`, stage by stage (see lanes),
	// each with exactly the scalar integrator's operations.
	for i0 := lo; i0 < hi; i0 += lanes {
		clearUpper()
		n := min(lanes, hi-i0)
		var y, dydt [lanes]*V
		var hs [lanes]*float64
		var valid [lanes]bool
		for l := range n {
			i := i0 + l
			y[l], dydt[l], hs[l] = &b.y[i], &b.dydt[i], &b.hstep[i]
		}
		for lag := from; lag < to; lag++ {
			step := origin + int64(lag)
			for l := range n {
				i := i0 + l
				w.sys.ins[l] = ODEIn{P: b.p, D: b.derived, ISIC: b.iSIC[i], Refractory: b.r[i] > 0}
				valid[l] = b.fsal[i]
			}
			if b.m.Exact != nil {
				for l := range n {
					b.m.Exact(&w.sys.ins[l], unsafe.Slice(&(*y[l])[0], b.dim), h)
					b.fsal[i0+l] = false
				}
			} else {
				w.batch.firstSubstep(&w.sys, &b.ctrl, h, n, &y, &dydt, &hs, &valid)
				for l := range n {
					w.sys.in = w.sys.ins[l]
					for t, sub := w.batch.t[l], 0; t < h; sub++ {
						if sub == limit {
							return substepError(k, b.model, b.first+i0+l, step, "the model's AbsTol and RelTol")
						}
						t = w.integ.evolveApply(&w.sys, &b.ctrl, t, h, hs[l], y[l], dydt[l], valid[l])
						valid[l] = true
					}
					b.fsal[i0+l] = valid[l]
				}
			}
			for l := range n {
				i := i0 + l
				if w.sys.ins[l].Refractory {
					if b.r[i]--; b.r[i] == 0 {
						b.fsal[i] = false // the right-hand side changes
					}
				}
				b.endOfStep(k, tc, w, i, step, lag, md)
			}
		}
	}
	for i := lo; i < hi; i++ {
		if y := &b.y[i]; nonFinite(y) {
			return nonFiniteError(b.model, b.first+i, k.stepsToMs(origin+int64(to)), b.stateNames(), y)
		}
	}
	return nil
}

// endOfStep is steps 3–7 of ODEModel's update order.
func (b *odeBlock[V]) endOfStep(k *Kernel, tc *Thread, w *odeWork[V], i int, step int64, lag, md int) {
	y := &b.y[i]
	ys := unsafe.Slice(&(*y)[0], b.dim)
	if b.m.AfterStep != nil {
		w.y0 = *y
		b.m.AfterStep(b.p, ys)
		if w.y0 != *y {
			b.fsal[i] = false
		}
	}
	if s := b.m.Spike; s != nil {
		if x := b.exc.take(i, step); x != 0 {
			ys[s.inVar] += s.scale * x
			b.fsal[i] = false
		}
		if x := b.inh.take(i, step); x != 0 {
			ys[s.inInh] += s.inhibitoryScale * x
			b.fsal[i] = false
		}
	}
	if t := b.m.Threshold; t != nil && ys[b.thr[0]] >= b.p[b.thr[1]] {
		ys[b.thr[0]] = b.p[b.thr[2]]
		if t.OnSpike != nil {
			t.OnSpike(b.p, ys)
		}
		b.r[i] = b.refrCounts
		b.fsal[i] = false
		tc.spikes = append(tc.spikes, spikeEvent{stamp: step + 1, gid: int32(b.first + i), mult: 1})
	}
	if b.m.SICOut != nil {
		sic := b.m.SICOut(b.p, ys)
		b.sicVals[i*md+lag] = sic
		b.sicAny[i] = sic != 0 || (lag > 0 && b.sicAny[i])
	}
	if b.m.SICIn {
		if x := b.sicIn.take(i, step); x != b.iSIC[i] {
			b.iSIC[i] = x
			b.fsal[i] = false // the right-hand side changes
		}
	}
	if b.subs != nil && b.subs[i] != nil {
		k.sample(tc, &b.BlockBase, b, i, step)
	}
}

func (b *odeBlock[V]) stateNames() []string {
	out := make([]string, b.dim)
	for i, v := range b.m.State {
		out[i] = v.Name
	}
	return out
}

// AddSpike implements SpikeSink: weights ≥ 0 go to the excitatory channel,
// negative ones to the inhibitory channel (NEST's split by sign).
func (b *odeBlock[V]) AddSpike(local int, step int64, w float64, mult int32) {
	if w >= 0 {
		b.exc.add(local, step, w*float64(mult))
	} else {
		b.inh.add(local, step, w*float64(mult))
	}
}

func (b *odeBlock[V]) AddSpikeSlot(local int, slot int64, w float64, mult int32) {
	if w >= 0 {
		b.exc.addSlot(local, slot, w*float64(mult))
	} else {
		b.inh.addSlot(local, slot, w*float64(mult))
	}
}

func (b *odeBlock[V]) AddSpikes(locals []int32, step int64, w float64, mult int32) {
	if w >= 0 {
		b.exc.addAll(locals, step, w*float64(mult))
	} else {
		b.inh.addAll(locals, step, w*float64(mult))
	}
}

// WeightRule implements WeightChecker.
func (b *odeBlock[V]) WeightRule(w float64) string {
	if s := b.m.Spike; s == nil || (w < 0 && s.InhibitoryVar == "") {
		return b.model + " accepts only weights ≥ 0"
	}
	return ""
}

func (b *odeBlock[V]) Status(local int) Dict {
	d := Dict{}
	for i, v := range b.m.Params {
		d[v.Name] = b.p[i]
	}
	for i, v := range b.m.State {
		d[v.Name] = b.y[local][i]
	}
	return d
}

func (b *odeBlock[V]) PlanStatus(k *Kernel, locals []int, d Dict) (func(), error) {
	m := b.Params().(ODEModel)
	m2, err := m.With(d)
	if err != nil {
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	stateIndex := map[string]int{}
	for i, v := range m.State {
		stateIndex[v.Name] = i
	}
	if err := checkShared(&b.BlockBase, locals, d, stateIndex); err != nil {
		return nil, err
	}
	// Check the new parameters with each node's new state.
	for _, l := range locals {
		y := slices.Clone(unsafe.Slice(&b.y[l][0], b.dim))
		for name, i := range stateIndex {
			if _, ok := d[name]; ok {
				y[i] = m2.State[i].Value
			}
		}
		for i := range m2.State {
			m2.State[i].Value = y[i]
		}
		if err := m2.check(); err != nil {
			return nil, fmt.Errorf("SetStatus: %w", err)
		}
	}
	np := values(m2.Params)
	return func() {
		for _, l := range locals {
			for name, i := range stateIndex {
				if _, ok := d[name]; ok {
					if v, ok := toFloat(d[name]); ok {
						b.y[l][i] = v
					}
				}
			}
			if b.fsal != nil {
				b.fsal[l] = false
			}
		}
		copy(b.p, np)
		clear(b.fsal)
	}, nil
}

// Params implements Block: the model with its current parameters (the
// initial state as defined).
func (b *odeBlock[V]) Params() Model {
	m := b.m.clone()
	for i := range m.Params {
		m.Params[i].Value = b.p[i]
	}
	if b.m.Spike != nil {
		s := *b.m.Spike
		m.Spike = &s
	}
	return m
}

func (b *odeBlock[V]) Recordables() []string { return b.stateNames() }

func (b *odeBlock[V]) Value(local, idx int) float64 { return b.y[local][idx] }

func (b *odeBlock[V]) SICOutput() (vals []float64, nonzero []bool) { return b.sicVals, b.sicAny }

func (b *odeBlock[V]) SICInput() *RingBuffer { return &b.sicIn }

// SaveState implements Block: the state vectors and refractory
// counters; after prepare the step sizes, f(y) memory, the SIC of the next
// step, the input ring buffers and the SIC values of the slice.
func (b *odeBlock[V]) SaveState(e *StateEncoder) error {
	e.f64s(flatStates(b.y))
	e.i32s(b.r)
	if !e.k.prepared {
		return nil
	}
	e.f64s(b.hstep)
	e.f64s(flatStates(b.dydt))
	e.bools(b.fsal)
	e.f64s(b.iSIC)
	if b.m.Spike != nil {
		saveRing(e, &b.exc)
		saveRing(e, &b.inh)
	}
	if b.m.SICIn {
		saveRing(e, &b.sicIn)
	}
	if b.m.SICOut != nil {
		e.f64s(b.sicVals)
		e.bools(b.sicAny)
	}
	return nil
}

func (b *odeBlock[V]) LoadState(d *StateDecoder) error {
	name := b.model
	d.f64sInto(name+" state", flatStates(b.y))
	d.i32sInto(name+" refractory counters", b.r)
	if b.hstep == nil {
		return d.err
	}
	d.f64sInto(name+" step sizes", b.hstep)
	d.f64sInto(name+" f(y)", flatStates(b.dydt))
	d.boolsInto(name+" f(y) validity", b.fsal)
	d.f64sInto(name+" SIC of the step", b.iSIC)
	if b.m.Spike != nil {
		loadRing(d, name+" excitatory input", &b.exc)
		loadRing(d, name+" inhibitory input", &b.inh)
	}
	if b.m.SICIn {
		loadRing(d, name+" SIC input", &b.sicIn)
	}
	if b.m.SICOut != nil {
		d.f64sInto(name+" SIC of the slice", b.sicVals)
		d.boolsInto(name+" SIC flags", b.sicAny)
	}
	return d.err
}

func (b *odeBlock[V]) SendsSpikes() {}

// implements implements eventFilter: the events of the model, not of the
// block type.
func (b *odeBlock[V]) implements(t reflect.Type) bool {
	switch t {
	case reflect.TypeFor[SpikeSink]():
		return b.m.Spike != nil
	case reflect.TypeFor[SpikeSender]():
		return b.m.Threshold != nil
	case reflect.TypeFor[SICSender]():
		return b.m.SICOut != nil
	case reflect.TypeFor[SICReceiver]():
		return b.m.SICIn
	}
	return true
}

// RegisterODE makes m known by its name to NewModel and Load, with its
// current values as the defaults. Registering a model of the same name
// again replaces it (a notebook cell run twice); a built-in model's name
// is refused. Register before building kernels.
func RegisterODE(m ODEModel) error {
	if err := m.check(); err != nil {
		return fmt.Errorf("RegisterODE: %w", err)
	}
	if builtinModels[m.Name] {
		return fmt.Errorf("RegisterODE: %s is a built-in model; choose another name", m.Name)
	}
	m = m.clone()
	modelDefaults[m.Name] = func() Model { return m.clone() }
	return nil
}

func (m ODEModel) with(d Dict) (Model, error) { return m.With(d) }

func (m *ODEModel) setDict(d Dict) error {
	m2, err := m.With(d)
	if err == nil {
		*m = m2
	}
	return err
}

func (m ODEModel) dict() Dict {
	d := Dict{}
	for _, v := range append(slices.Clone(m.Params), m.State...) {
		d[v.Name] = v.Value
	}
	return d
}

func (m ODEModel) paramNames() []string { return m.names() }

func (m ODEModel) paramValues() []float64 { return values(m.Params) }

func (m ODEModel) withParamValues(p []float64) (Model, error) {
	if len(p) != len(m.Params) {
		return nil, fmt.Errorf("%s: %d parameter values, the model has %d", m.Name, len(p), len(m.Params))
	}
	m = m.clone()
	for i := range p {
		m.Params[i].Value = p[i]
	}
	return m, nil
}

// NEST implements the export's question (NESTOf): the model's
// NESTExport, with its state variables (by NEST name) as those that may
// change between runs; nil without a NEST counterpart.
func (m ODEModel) NEST() *NESTModel {
	if m.NESTExport == nil {
		return nil
	}
	n := *m.NESTExport
	if n.State == nil {
		for _, v := range m.State {
			n.State = append(n.State, n.NESTName(v.Name))
		}
	}
	return &n
}

// String describes the model for error messages and notebooks.
func (m ODEModel) String() string {
	var s []string
	for _, v := range m.State {
		s = append(s, v.Name)
	}
	return fmt.Sprintf("%s (ODE model, state %s)", m.Name, strings.Join(s, ", "))
}
