//go:build goexperiment.simd && amd64

package astro

import "simd/archsimd"

// aeif_cond_alpha_astro on the vector path (see gsl_rkf45_simd.go): rhs
// below is aeifBlock.rhs, and endOfStep is aeifBlock.endOfStep, for groups
// of four non-refractory neurons, operation for operation.

// aeifVecSys is one thread's vector integrator and constants for a block.
type aeifVecSys struct {
	vecRKF45[[vgroups * aeifDim]f64x4]
	vecMath
	iSIC, sum [vgroups]f64x4 // I_SIC of each lane (pA); current sum of the last rhs

	vPeak, eEx, eIn, vTh, invDeltaT, gLDeltaT, negGL, eL, iE, invCM f64x4
	negInvTauEx, invTauEx, negInvTauIn, invTauIn, a, invTauW        f64x4
	g0Ex, g0In, instV, instWLo, instWHi, vPeakDet                   f64x4

	kept [vlanes]keptLane // the state of the neurons that left the batch (leave)
}

func (s *aeifVecSys) set(b *aeifBlock) {
	p, c := &b.p, &b.c
	s.rkVec.set(&b.ctrl)
	s.vecMath.set()
	s.vPeak, s.eEx, s.eIn, s.vTh = bc(p.VPeak), bc(p.EEx), bc(p.EIn), bc(p.VTh)
	s.invDeltaT, s.gLDeltaT, s.negGL, s.eL, s.iE, s.invCM = bc(c.invDeltaT), bc(c.gLDeltaT), bc(-p.GL), bc(p.EL), bc(p.IE), bc(c.invCM)
	s.negInvTauEx, s.invTauEx, s.negInvTauIn, s.invTauIn = bc(-c.invTauEx), bc(c.invTauEx), bc(-c.invTauIn), bc(c.invTauIn)
	s.a, s.invTauW, s.g0Ex, s.g0In = bc(p.A), bc(c.invTauW), bc(b.g0Ex), bc(b.g0In)
	s.instV, s.instWLo, s.instWHi, s.vPeakDet = bc(-1e3), bc(-1e6), bc(1e6), bc(b.vPeakDet)
}

// rhs implements vecRHS (Delta_T ≠ 0, no lane refractory).
func (s *aeifVecSys) rhs(yy, ff *[vgroups * aeifDim]f64x4, g0, g1 int) bool {
	y, f := groupAt[[aeifDim]f64x4](yy, g0), groupAt[[aeifDim]f64x4](ff, g0)
	for g := g0; g < g1; g++ {
		if g > g0 {
			y, f = nextGroup(y), nextGroup(f)
		}
		v := y[aeifV].Min(s.vPeak)
		iSynEx := y[aeifGEx].Mul(v.Sub(s.eEx))
		iSynIn := y[aeifGIn].Mul(v.Sub(s.eIn))
		e, ok := s.exp(v.Sub(s.vTh).Mul(s.invDeltaT))
		if !ok {
			return false
		}
		iSpike := s.gLDeltaT.Mul(e)
		sum := s.negGL.Mul(v.Sub(s.eL)).Add(iSpike).Sub(iSynEx).Sub(iSynIn).Sub(y[aeifW]).Add(s.iE)
		f[aeifV] = sum.Add(s.iSIC[g]).Mul(s.invCM)
		f[aeifDGEx] = y[aeifDGEx].Mul(s.negInvTauEx) // dg·(−1/τ) = (−dg)·(1/τ) exactly
		f[aeifGEx] = y[aeifDGEx].Sub(y[aeifGEx].Mul(s.invTauEx))
		f[aeifDGIn] = y[aeifDGIn].Mul(s.negInvTauIn)
		f[aeifGIn] = y[aeifDGIn].Sub(y[aeifGIn].Mul(s.invTauIn))
		f[aeifW] = s.a.Mul(v.Sub(s.eL)).Sub(y[aeifW]).Mul(s.invTauW)
		s.sum[g] = sum
	}
	return true
}

// step advances the batch by one resolution step t1 (ms, setStep) for the
// lanes where the vector path applies (not refractory, suggestion covering
// t1, step accepted and grown, no instability, no spike) and returns them
// (bit 4g+l: lane l of group g). The other lanes are left unchanged for the
// scalar path.
func (s *aeifVecSys) step(b *aeifBlock, i0 int, valid *[vlanes]bool, left uint16) uint16 {
	// Not refractory (r = 0), with a suggestion covering t1, still in the
	// batch.
	var pre uint16
	for l := 0; l < vlanes; l += 8 {
		pre |= uint16(archsimd.LoadInt32x8((*[8]int32)(b.r[i0+l:i0+l+8])).Equal(archsimd.Int32x8{}).ToBits()) << l
	}
	pre &= s.hStepsCover(b.hstep, i0) &^ left
	if pre == 0 || !s.refresh(s, valid) {
		return 0
	}
	small, ok := s.trial(s)
	if !ok {
		return 0
	}
	for g := range vgroups { // afterSubstep's checks
		v, w := s.yt[g*aeifDim+aeifV], s.yt[g*aeifDim+aeifW]
		bad := v.Less(s.instV).Or(w.Less(s.instWLo)).Or(w.Greater(s.instWHi)).Or(v.GreaterEqual(s.vPeakDet))
		// A NaN V_m goes to the scalar path: min(V, V_peak) keeps the NaN
		// there, while the vector minimum would not.
		bad = bad.Or(s.y[g*aeifDim+aeifV].IsNaN())
		small &^= uint16(bad.ToBits()) << (4 * g)
	}
	done := pre & small
	s.accept(done)
	markValid(valid, done)
	s.grown(b.hstep, i0, done)
	return done
}

// endOfStep applies the step's inputs like aeifBlock.endOfStep, for the
// lanes in done; lanes without input keep their values exactly.
func (s *aeifVecSys) endOfStep(b *aeifBlock, i0 int, step int64, done uint16) {
	base := b.exc.base(step) // the same for inh and sic: same size and slots
	for g := range vgroups {
		bits := uint8(done >> (4 * g) & 0xF)
		if bits == 0 {
			continue
		}
		all, on := bits == 0xF, bitsMask(bits)
		o, j := g*aeifDim, i0+4*g
		y, f := (*[aeifDim]f64x4)(s.y[o:o+aeifDim]), (*[aeifDim]f64x4)(s.k1[o:o+aeifDim])
		synInput(y, f, aeifDGEx, aeifGEx, takeVec(&b.exc, base, j, all, on), s.g0Ex, s.negInvTauEx, s.invTauEx)
		synInput(y, f, aeifDGIn, aeifGIn, takeVec(&b.inh, base, j, all, on), s.g0In, s.negInvTauIn, s.invTauIn)
		x := takeVec(&b.sic, base, j, all, on)
		if m := x.NotEqual(s.iSIC[g]).And(on); m.ToBits() != 0 {
			s.iSIC[g] = x.Merge(s.iSIC[g], m)
			f[aeifV] = s.sum[g].Add(x).Mul(s.invCM).Merge(f[aeifV], m)
		}
	}
}

// synInput adds the spike input x (nS) of a step to the conductance
// derivative dg (components dgI, gI of y) and patches f exactly where
// x ≠ 0, as endOfStep does per neuron.
func synInput(y, f *[aeifDim]f64x4, dgI, gI int, x, g0, negInvTau, invTau f64x4) {
	m := x.NotEqual(f64x4{})
	if m.ToBits() == 0 {
		return
	}
	dg := y[dgI].Add(x.Mul(g0)).Merge(y[dgI], m)
	y[dgI] = dg
	f[dgI] = dg.Mul(negInvTau).Merge(f[dgI], m)
	f[gI] = dg.Sub(y[gI].Mul(invTau)).Merge(f[gI], m)
}

// vectorReady tells whether update may use updateVector, and prepares the
// thread's vector constants.
func (b *aeifBlock) vectorReady(w *aeifWork) bool {
	if !simdAvailable || simdDisabled || b.p.DeltaT == 0 {
		return false
	}
	if w.simd == nil {
		w.simd = alignedNew[aeifVecSys]()
	}
	w.simd.(*aeifVecSys).set(b)
	return true
}

func init() {
	aeifVector.ready, aeifVector.update = (*aeifBlock).vectorReady, (*aeifBlock).updateVector
	// The vector path's calibration (vecpath.go): 64 neurons driven by
	// Poisson input, as BenchmarkNeuronStep.
	registerVectorCalibration(func(k *Kernel) (int, error) {
		const n = 64
		p := DefaultAeifCondAlphaAstro()
		p.TauSynEx, p.TauSynIn = 2, 4
		nodes, err := k.Create(p, n)
		if err != nil {
			return 0, err
		}
		pg, err := k.Create(PoissonGenerator{Rate: 2000}, 1)
		if err != nil {
			return 0, err
		}
		return n, k.Connect(pg, nodes, nil, nil)
	})
}

// updateVector is aeifBlock.update's loop over the lags [from, to) for the
// vlanes neurons starting at i0: the vector step where it applies. A
// neuron where it does not (near a spike, refractory, a short step) leaves
// the batch for the rest of the slice: it is appended to w.jobs from that
// lag on, for runScalar, which gathers such neurons from all batches so
// that their many short substeps run side by side. Its state stays as it
// was at the start of that lag, so it continues exactly where the vector
// path stopped (the paths are bit-identical); its lane in the batch runs
// on with a harmless state and is masked out of every result.
func (b *aeifBlock) updateVector(k *Kernel, tc *Thread, w *aeifWork, i0 int, origin int64, from, to int) error {
	s := w.simd.(*aeifVecSys)
	valid := (*[vlanes]bool)(b.fsal[i0 : i0+vlanes])
	recorded := b.recorded(i0, i0+vlanes)
	store := func() {
		vecStore(&s.vecRKF45, b.y, b.dydt, i0)
		for g := range vgroups {
			s.iSIC[g].StoreSlice(b.iSIC[i0+4*g : i0+4*g+4])
		}
	}
	const all = 1<<vlanes - 1
	var left uint16 // lanes whose neuron left the batch
	s.setStep(k.h)
	vecLoad(&s.vecRKF45, b.y, b.dydt, i0)
	for g := range vgroups {
		s.iSIC[g] = archsimd.LoadFloat64x4Slice(b.iSIC[i0+4*g : i0+4*g+4])
	}
	for lag := from; lag < to && left != all; lag++ {
		step := origin + int64(lag)
		done := s.step(b, i0, valid, left)
		if done != 0 {
			s.endOfStep(b, i0, step, done)
		}
		leaving := all &^ (done | left)
		if recorded && done != 0 || leaving != 0 {
			store()
			clearUpper() // scalar code follows
		}
		if recorded {
			for l := range vlanes {
				if done&(1<<l) != 0 && b.subs[i0+l] != nil {
					k.sample(tc, &b.BlockBase, b, i0+l, step)
				}
			}
		}
		if leaving == 0 {
			continue
		}
		s.leave(b, w, i0, lag, to, leaving, valid)
		left |= leaving
	}
	store()
	clearUpper()
	for l := range vlanes {
		if left&(1<<l) != 0 {
			i := i0 + l
			kl := &s.kept[l]
			b.y[i], b.dydt[i], b.iSIC[i], b.fsal[i] = kl.y, kl.dydt, kl.iSIC, kl.fsal
		}
	}
	return nil
}

// keptLane is the state of a neuron that left its batch, kept while the
// batch runs on (its stores overwrite the neuron's state).
type keptLane struct {
	y, dydt [aeifDim]float64
	iSIC    float64 // pA
	fsal    bool
}

// leave takes the lanes in leaving out of the batch at lag: b.y, b.dydt and
// b.iSIC hold their neurons' state at the start of lag (updateVector has
// just stored the batch); it keeps that state and queues the neurons for
// runScalar from lag on. Parked lanes stay parked: step never accepts them.
func (s *aeifVecSys) leave(b *aeifBlock, w *aeifWork, i0, lag, to int, leaving uint16, valid *[vlanes]bool) {
	for l := range vlanes {
		if leaving&(1<<l) != 0 {
			i := i0 + l
			s.kept[l] = keptLane{b.y[i], b.dydt[i], b.iSIC[i], b.fsal[i]}
			w.jobs = append(w.jobs, scalarJob{i, lag, to})
		}
	}
	s.park(leaving, valid)
}

// park gives the lanes in parked a harmless state (V_m = V_th, the rest 0,
// f = 0, marked valid), whatever they held: their right-hand sides then
// stay in exp's fast range and never refuse the batch's step. step masks
// them out of every result.
func (s *aeifVecSys) park(parked uint16, valid *[vlanes]bool) {
	for g := range vgroups {
		bits := uint8(parked >> (4 * g) & 0xF)
		if bits == 0 {
			continue
		}
		m, o := bitsMask(bits), g*aeifDim
		for c := range aeifDim {
			v := f64x4{}
			if c == aeifV {
				v = s.vTh
			}
			s.y[o+c] = v.Merge(s.y[o+c], m)
			s.k1[o+c] = f64x4{}.Merge(s.k1[o+c], m)
		}
	}
	markValid(valid, parked)
}
