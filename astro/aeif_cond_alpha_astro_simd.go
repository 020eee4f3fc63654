//go:build goexperiment.simd && amd64

package astro

import "simd/archsimd"

// aeif_cond_alpha_astro on the vector path (see gsl_rkf45_simd.go): rhs
// below is aeifBlock.rhs, and endOfStep is aeifBlock.endOfStep, for four
// non-refractory neurons, operation for operation.

// aeifVecSys is one thread's vector integrator and constants for a block.
type aeifVecSys struct {
	vecRKF45[[aeifDim]f64x4]
	vecMath
	iSIC, sum f64x4 // I_SIC of each lane (pA); current sum of the last rhs

	vPeak, eEx, eIn, vTh, invDeltaT, gLDeltaT, negGL, eL, iE, invCM f64x4
	negInvTauEx, invTauEx, negInvTauIn, invTauIn, a, invTauW        f64x4
	g0Ex, g0In, instV, instWLo, instWHi, vPeakDet                   f64x4
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
func (s *aeifVecSys) rhs(y, f *[aeifDim]f64x4) bool {
	v := y[aeifV].Min(s.vPeak)
	iSynEx := y[aeifGEx].Mul(v.Sub(s.eEx))
	iSynIn := y[aeifGIn].Mul(v.Sub(s.eIn))
	e, ok := s.exp(v.Sub(s.vTh).Mul(s.invDeltaT))
	if !ok {
		return false
	}
	iSpike := s.gLDeltaT.Mul(e)
	sum := s.negGL.Mul(v.Sub(s.eL)).Add(iSpike).Sub(iSynEx).Sub(iSynIn).Sub(y[aeifW]).Add(s.iE)
	f[aeifV] = sum.Add(s.iSIC).Mul(s.invCM)
	f[aeifDGEx] = y[aeifDGEx].Mul(s.negInvTauEx) // dg·(−1/τ) = (−dg)·(1/τ) exactly
	f[aeifGEx] = y[aeifDGEx].Sub(y[aeifGEx].Mul(s.invTauEx))
	f[aeifDGIn] = y[aeifDGIn].Mul(s.negInvTauIn)
	f[aeifGIn] = y[aeifDGIn].Sub(y[aeifGIn].Mul(s.invTauIn))
	f[aeifW] = s.a.Mul(v.Sub(s.eL)).Sub(y[aeifW]).Mul(s.invTauW)
	s.sum = sum
	return true
}

// step advances the batch by one resolution step t1 (ms) if the vector
// path applies (no refractory lane, suggestions covering t1, every lane's
// step accepted and grown, no instability, no spike). Otherwise it returns
// false with the batch's state unchanged.
func (s *aeifVecSys) step(b *aeifBlock, i0 int, t1 float64, valid *[lanes]bool) bool {
	if b.r[i0]|b.r[i0+1]|b.r[i0+2]|b.r[i0+3] != 0 || !hStepsCover(b.hstep, i0, t1) {
		return false
	}
	if !s.refresh(s, valid) || !s.trial(s, t1) {
		return false
	}
	// afterSubstep's checks.
	v, w := s.yt[aeifV], s.yt[aeifW]
	if v.Less(s.instV).Or(w.Less(s.instWLo)).Or(w.Greater(s.instWHi)).Or(v.GreaterEqual(s.vPeakDet)).ToBits() != 0 {
		return false
	}
	s.accept()
	*valid = [lanes]bool{true, true, true, true}
	for l := range 4 {
		b.hstep[i0+l] = 5 * t1
	}
	return true
}

// endOfStep applies the step's inputs like aeifBlock.endOfStep; lanes
// without input keep their values exactly.
func (s *aeifVecSys) endOfStep(b *aeifBlock, i0 int, step int64) {
	zero := archsimd.Float64x4{}
	if x := takeVec(&b.exc, i0, step); x.NotEqual(zero).ToBits() != 0 {
		m := x.NotEqual(zero)
		dg := s.y[aeifDGEx].Add(x.Mul(s.g0Ex)).Merge(s.y[aeifDGEx], m)
		s.y[aeifDGEx] = dg
		s.k1[aeifDGEx] = dg.Mul(s.negInvTauEx).Merge(s.k1[aeifDGEx], m)
		s.k1[aeifGEx] = dg.Sub(s.y[aeifGEx].Mul(s.invTauEx)).Merge(s.k1[aeifGEx], m)
	}
	if x := takeVec(&b.inh, i0, step); x.NotEqual(zero).ToBits() != 0 {
		m := x.NotEqual(zero)
		dg := s.y[aeifDGIn].Add(x.Mul(s.g0In)).Merge(s.y[aeifDGIn], m)
		s.y[aeifDGIn] = dg
		s.k1[aeifDGIn] = dg.Mul(s.negInvTauIn).Merge(s.k1[aeifDGIn], m)
		s.k1[aeifGIn] = dg.Sub(s.y[aeifGIn].Mul(s.invTauIn)).Merge(s.k1[aeifGIn], m)
	}
	if x := takeVec(&b.sic, i0, step); x.NotEqual(s.iSIC).ToBits() != 0 {
		m := x.NotEqual(s.iSIC)
		s.iSIC = x.Merge(s.iSIC, m)
		s.k1[aeifV] = s.sum.Add(x).Mul(s.invCM).Merge(s.k1[aeifV], m)
	}
}

// vectorReady tells whether update may use updateBatch4, and prepares the
// thread's vector constants.
func (b *aeifBlock) vectorReady(w *aeifWork) bool {
	if !simdAvailable || simdDisabled || b.p.DeltaT == 0 {
		return false
	}
	w.simd.set(b)
	return true
}

// updateBatch4 is aeifBlock.update's loop over the lags [from, to) for the
// batch of four neurons starting at i0: the vector step where it applies,
// scalarStep where it does not.
func (b *aeifBlock) updateBatch4(k *Kernel, tc *threadCtx, w *aeifWork, i0 int, origin int64, from, to int,
	y, dydt *[lanes]*[aeifDim]float64, hs *[lanes]*float64, valid *[lanes]bool) error {
	s := &w.simd
	recorded := b.subs != nil && (b.subs[i0] != nil || b.subs[i0+1] != nil || b.subs[i0+2] != nil || b.subs[i0+3] != nil)
	load := func() {
		vecLoad(&s.vecRKF45, b.y, b.dydt, i0)
		s.iSIC = archsimd.LoadFloat64x4Slice(b.iSIC[i0 : i0+4])
	}
	store := func() {
		vecStore(&s.vecRKF45, b.y, b.dydt, i0)
		s.iSIC.StoreSlice(b.iSIC[i0 : i0+4])
		clearUpper()
	}
	load()
	for lag := from; lag < to; lag++ {
		step := origin + int64(lag)
		if s.step(b, i0, k.h, valid) {
			s.endOfStep(b, i0, step)
			if recorded {
				store()
				for l := range 4 {
					if b.subs[i0+l] != nil {
						k.sample(tc, &b.blockBase, b, i0+l, step)
					}
				}
			}
			continue
		}
		store()
		if err := b.scalarStep(k, tc, w, i0, lanes, step, y, dydt, hs, valid); err != nil {
			return err
		}
		load()
	}
	store()
	return nil
}
