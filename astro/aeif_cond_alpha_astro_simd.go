//go:build goexperiment.simd && amd64

package astro

import (
	"math"
	"simd/archsimd"
)

// This file is the AVX2 form of aeif_cond_alpha_astro's update for batches
// of four neurons, built with GOEXPERIMENT=simd on amd64 (without it,
// aeif_cond_alpha_astro_scalar.go reports the vector path unavailable and
// the scalar batch path runs). The equations are those of rhs in
// aeif_cond_alpha_astro.go, written with vector operations.
//
// A batch's state is held component-major (one vector per state variable,
// one lane per neuron) for all the steps of a slice. A step takes the
// vector route in the common case — no refractory neuron, f(y) from the
// previous step still valid, a step suggestion covering the whole step,
// every error ratio in GSL's "grow by 5" range, no spike, no instability;
// otherwise the state is written back and that step runs on the scalar
// path, which handles everything.
//
// Each lane performs exactly the operations of the scalar code (rhs,
// rkf45.step, hadjust, expFast, endOfStep) in the same order, without fused
// multiply-adds, so the results are bit-identical to the scalar path: which
// path a neuron takes (it depends on its batch, and so on the thread
// partition, and on the build) never changes a number. TestSIMDMatchesScalar
// checks this.

type f64x4 = archsimd.Float64x4

// simdAvailable tells whether this build and CPU run the vector path.
var simdAvailable = archsimd.X86.AVX2()

// simdDisabled turns the vector path off (tests compare both paths).
var simdDisabled bool

func bc(x float64) f64x4 { return archsimd.BroadcastFloat64x4(x) }

// aeifVec is one vector per state component (lane l = neuron i0+l).
type aeifVec [aeifDim]f64x4

// aeifSIMDWork is one thread's vector state and constants.
type aeifSIMDWork struct {
	y, k1, k2, k3, k4, k5, k6, yt, out aeifVec
	iSIC, sum                          f64x4

	// Broadcast parameters and coefficients (set per update call).
	vPeak, eEx, eIn, vTh, invDeltaT, gLDeltaT, negGL, eL, iE, invCM f64x4
	negInvTauEx, invTauEx, negInvTauIn, invTauIn, a, invTauW        f64x4
	g0Ex, g0In, absMask                                             f64x4
	b30, b31, b40, b41, b42, b50, b51, b52, b53                     f64x4
	b60, b61, b62, b63, b64, c1, c3, c4, c5, c6                     f64x4
	e1, e3, e4, e5, e6                                              f64x4
	epsRel, aY, aDydt, epsAbs                                       f64x4
	expLo, expHi, invLn2N, shift, ln2hiN, ln2loN                    f64x4
	half, sixth, twentyFourth, oneTwentieth                         f64x4
	instV, instWLo, instWHi, vPeakDet                               f64x4
}

const (
	expInvLn2N = 128 / math.Ln2
	expShift   = 0x1.8p52
	expLn2hiN  = 0x1.62e42fefa0000p-8
	expLn2loN  = 0x1.cf79abc9e3b3ap-47
)

func (s *aeifSIMDWork) setConsts(b *aeifBlock) {
	p, c := &b.p, &b.c
	s.vPeak, s.eEx, s.eIn, s.vTh = bc(p.VPeak), bc(p.EEx), bc(p.EIn), bc(p.VTh)
	s.invDeltaT, s.gLDeltaT, s.negGL, s.eL, s.iE, s.invCM = bc(c.invDeltaT), bc(c.gLDeltaT), bc(-p.GL), bc(p.EL), bc(p.IE), bc(c.invCM)
	s.negInvTauEx, s.invTauEx, s.negInvTauIn, s.invTauIn = bc(-c.invTauEx), bc(c.invTauEx), bc(-c.invTauIn), bc(c.invTauIn)
	s.a, s.invTauW, s.g0Ex, s.g0In = bc(p.A), bc(c.invTauW), bc(b.g0Ex), bc(b.g0In)
	s.absMask = archsimd.BroadcastUint64x4(1<<63 - 1).AsFloat64x4()
	s.b30, s.b31, s.b40, s.b41, s.b42 = bc(rkB30), bc(rkB31), bc(rkB40), bc(rkB41), bc(rkB42)
	s.b50, s.b51, s.b52, s.b53 = bc(rkB50), bc(rkB51), bc(rkB52), bc(rkB53)
	s.b60, s.b61, s.b62, s.b63, s.b64 = bc(rkB60), bc(rkB61), bc(rkB62), bc(rkB63), bc(rkB64)
	s.c1, s.c3, s.c4, s.c5, s.c6 = bc(rkC1), bc(rkC3), bc(rkC4), bc(rkC5), bc(rkC6)
	s.e1, s.e3, s.e4, s.e5, s.e6 = bc(rkEc1), bc(rkEc3), bc(rkEc4), bc(rkEc5), bc(rkEc6)
	s.epsRel, s.aY, s.aDydt, s.epsAbs = bc(b.ctrl.epsRel), bc(b.ctrl.aY), bc(b.ctrl.aDydt), bc(b.ctrl.epsAbs)
	s.expLo, s.expHi = bc(-700), bc(700)
	s.invLn2N, s.shift, s.ln2hiN, s.ln2loN = bc(expInvLn2N), bc(expShift), bc(expLn2hiN), bc(expLn2loN)
	s.half, s.sixth, s.twentyFourth, s.oneTwentieth = bc(0.5), bc(1.0/6), bc(1.0/24), bc(1.0/120)
	s.instV, s.instWLo, s.instWHi, s.vPeakDet = bc(-1e3), bc(-1e6), bc(1e6), bc(b.vPeakDet)
}

func (s *aeifSIMDWork) abs(x f64x4) f64x4 {
	return x.AsUint64x4().And(s.absMask.AsUint64x4()).AsFloat64x4()
}

// exp is expFast lane-wise; ok is false if a lane is outside the table
// method's range (the scalar path then uses math.Exp).
func (s *aeifSIMDWork) exp(x f64x4) (e f64x4, ok bool) {
	if x.Greater(s.expLo).And(x.Less(s.expHi)).ToBits() != 0xF {
		return x, false
	}
	kd := x.Mul(s.invLn2N).Add(s.shift)
	ki := kd.AsUint64x4()
	kd = kd.Sub(s.shift)
	r := x.Sub(kd.Mul(s.ln2hiN)).Sub(kd.Mul(s.ln2loN))
	var ks [4]uint64
	ki.Store(&ks)
	var hi, tail [4]float64
	for l := range 4 {
		t := &expTab[ks[l]&127]
		hi[l], tail[l] = t.hi, t.tail
	}
	r2 := r.Mul(r)
	p := r.Add(r2.Mul(s.half.Add(r.Mul(s.sixth)))).Add(r2.Mul(r2).Mul(s.twentyFourth.Add(r.Mul(s.oneTwentieth))))
	tmp := archsimd.LoadFloat64x4(&tail).Add(p)
	scale := archsimd.LoadFloat64x4(&hi).AsUint64x4().Add(ki.ShiftAllRight(7).ShiftAllLeft(52)).AsFloat64x4()
	return scale.Add(scale.Mul(tmp)), true
}

// rhs is aeifBlock.rhs for four non-refractory neurons with Delta_T ≠ 0.
func (s *aeifSIMDWork) rhs(y, f *aeifVec) (sum f64x4, ok bool) {
	v := y[aeifV].Min(s.vPeak)
	iSynEx := y[aeifGEx].Mul(v.Sub(s.eEx))
	iSynIn := y[aeifGIn].Mul(v.Sub(s.eIn))
	e, ok := s.exp(v.Sub(s.vTh).Mul(s.invDeltaT))
	if !ok {
		return sum, false
	}
	iSpike := s.gLDeltaT.Mul(e)
	sum = s.negGL.Mul(v.Sub(s.eL)).Add(iSpike).Sub(iSynEx).Sub(iSynIn).Sub(y[aeifW]).Add(s.iE)
	f[aeifV] = sum.Add(s.iSIC).Mul(s.invCM)
	f[aeifDGEx] = y[aeifDGEx].Mul(s.negInvTauEx) // dg·(−1/τ) = (−dg)·(1/τ) exactly
	f[aeifGEx] = y[aeifDGEx].Sub(y[aeifGEx].Mul(s.invTauEx))
	f[aeifDGIn] = y[aeifDGIn].Mul(s.negInvTauIn)
	f[aeifGIn] = y[aeifDGIn].Sub(y[aeifGIn].Mul(s.invTauIn))
	f[aeifW] = s.a.Mul(v.Sub(s.eL)).Sub(y[aeifW]).Mul(s.invTauW)
	return sum, true
}

// load copies neurons i0..i0+3 into the vector state.
func (s *aeifSIMDWork) load(b *aeifBlock, i0 int) {
	var t, u [4]float64
	for c := range aeifDim {
		for l := range 4 {
			t[l], u[l] = b.y[i0+l][c], b.dydt[i0+l][c]
		}
		s.y[c], s.k1[c] = archsimd.LoadFloat64x4(&t), archsimd.LoadFloat64x4(&u)
	}
	s.iSIC = archsimd.LoadFloat64x4Slice(b.iSIC[i0 : i0+4])
}

// store copies the vector state back to neurons i0..i0+3.
func (s *aeifSIMDWork) store(b *aeifBlock, i0 int) {
	var t, u [4]float64
	for c := range aeifDim {
		s.y[c].Store(&t)
		s.k1[c].Store(&u)
		for l := range 4 {
			b.y[i0+l][c], b.dydt[i0+l][c] = t[l], u[l]
		}
	}
	s.iSIC.StoreSlice(b.iSIC[i0 : i0+4])
}

// step advances the vector state through one resolution step of length t1
// (ms) as firstSubstep + afterSubstep would, if the common case applies;
// otherwise it returns false and the vector state is unchanged. On success
// k1 holds f(y) and sum the current sums of that evaluation.
func (s *aeifSIMDWork) step(b *aeifBlock, i0 int, t1 float64, valid *[lanes]bool) bool {
	for l := range 4 {
		i := i0 + l
		if !valid[l] || b.r[i] != 0 || !(b.hstep[i] >= t1) {
			return false
		}
	}
	// rkf45.step with h = t1 for every lane.
	h := bc(t1)
	y, k1, k2, k3, k4, k5, k6, yt := &s.y, &s.k1, &s.k2, &s.k3, &s.k4, &s.k5, &s.k6, &s.yt
	ah := bc(rkAh0 * t1)
	for i := range aeifDim {
		yt[i] = y[i].Add(ah.Mul(k1[i]))
	}
	if _, ok := s.rhs(yt, k2); !ok {
		return false
	}
	for i := range aeifDim {
		yt[i] = y[i].Add(h.Mul(s.b30.Mul(k1[i]).Add(s.b31.Mul(k2[i]))))
	}
	if _, ok := s.rhs(yt, k3); !ok {
		return false
	}
	for i := range aeifDim {
		yt[i] = y[i].Add(h.Mul(s.b40.Mul(k1[i]).Add(s.b41.Mul(k2[i])).Add(s.b42.Mul(k3[i]))))
	}
	if _, ok := s.rhs(yt, k4); !ok {
		return false
	}
	for i := range aeifDim {
		yt[i] = y[i].Add(h.Mul(s.b50.Mul(k1[i]).Add(s.b51.Mul(k2[i])).Add(s.b52.Mul(k3[i])).Add(s.b53.Mul(k4[i]))))
	}
	if _, ok := s.rhs(yt, k5); !ok {
		return false
	}
	for i := range aeifDim {
		yt[i] = y[i].Add(h.Mul(s.b60.Mul(k1[i]).Add(s.b61.Mul(k2[i])).Add(s.b62.Mul(k3[i])).Add(s.b63.Mul(k4[i])).Add(s.b64.Mul(k5[i]))))
	}
	if _, ok := s.rhs(yt, k6); !ok {
		return false
	}
	// The new state goes to yt; y stays the start of the step until the
	// step is known to be accepted.
	for i := range aeifDim {
		di := s.c1.Mul(k1[i]).Add(s.c3.Mul(k3[i])).Add(s.c4.Mul(k4[i])).Add(s.c5.Mul(k5[i])).Add(s.c6.Mul(k6[i]))
		yt[i] = y[i].Add(h.Mul(di))
	}
	sum, ok := s.rhs(yt, &s.out)
	if !ok {
		return false
	}

	// hadjust's division-free "small" test (see hadjust) with
	// hOld = hMax = t1: if it holds for every lane, every lane's step grows
	// to 5·t1.
	const S = 0.9
	q := S * t1 / t1
	q2 := q * q
	capped := rmaxGrowCap
	if 5*t1 > t1*(1+1e-9) {
		capped = max(capped, q2*q2*q2*(1-1e-9))
	}
	capped = min(capped, 0.5) * (1 - 1e-12)
	cv := bc(capped)
	var small archsimd.Mask64x4
	for i := range aeifDim {
		yerr := h.Mul(s.e1.Mul(k1[i]).Add(s.e3.Mul(k3[i])).Add(s.e4.Mul(k4[i])).Add(s.e5.Mul(k5[i])).Add(s.e6.Mul(k6[i])))
		d0 := s.epsRel.Mul(s.aY.Mul(s.abs(yt[i])).Add(s.aDydt.Mul(s.abs(h.Mul(s.out[i]))))).Add(s.epsAbs)
		m := s.abs(yerr).Less(cv.Mul(s.abs(d0)))
		if i == 0 {
			small = m
		} else {
			small = small.And(m)
		}
	}
	if small.ToBits() != 0xF {
		return false
	}
	// afterSubstep: no instability, no spike.
	v, w := yt[aeifV], yt[aeifW]
	if v.Less(s.instV).Or(w.Less(s.instWLo)).Or(w.Greater(s.instWHi)).Or(v.GreaterEqual(s.vPeakDet)).ToBits() != 0 {
		return false
	}
	s.y, s.k1, s.sum = *yt, s.out, sum
	for l := range 4 {
		b.hstep[i0+l] = 5 * t1
	}
	return true
}

// endOfStep is aeifBlock.endOfStep for the vector state of a batch that
// just took the vector step (no lane refractory, f(y) valid): the step's
// inputs are applied, and each input changes only the derivatives that
// depend on it. Lanes without input keep their values exactly.
func (s *aeifSIMDWork) endOfStep(b *aeifBlock, i0 int, step int64) {
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

// takeVec is ringBuffer.take for nodes i0..i0+3 (adjacent in a slot).
func takeVec(r *ringBuffer, i0 int, step int64) f64x4 {
	j := (step%r.slots)*r.n + int64(i0)
	v := r.v[j : j+4 : j+4]
	x := archsimd.LoadFloat64x4Slice(v)
	archsimd.Float64x4{}.StoreSlice(v)
	return x
}

// vectorReady tells whether update may use updateBatch4, and prepares the
// thread's vector constants for it.
func (b *aeifBlock) vectorReady(w *aeifWork) bool {
	if !simdAvailable || simdDisabled || b.p.DeltaT == 0 {
		return false
	}
	w.simd.setConsts(b)
	return true
}

// updateBatch4 is aeifBlock.update's loop over the lags [from, to) for the
// batch of four neurons starting at i0, with the vector path where it
// applies and scalarStep where it does not.
func (b *aeifBlock) updateBatch4(k *Kernel, tc *threadCtx, w *aeifWork, i0 int, origin int64, from, to int,
	y, dydt *[lanes]*[aeifDim]float64, hs *[lanes]*float64, valid *[lanes]bool) error {
	s := &w.simd
	h := k.h
	recorded := false
	for l := range 4 {
		recorded = recorded || (b.subs != nil && b.subs[i0+l] != nil)
	}
	s.load(b, i0)
	for lag := from; lag < to; lag++ {
		step := origin + int64(lag)
		if s.step(b, i0, h, valid) {
			s.endOfStep(b, i0, step)
			if recorded {
				s.store(b, i0)
				for l := range 4 {
					if b.subs[i0+l] != nil {
						k.sample(tc, &b.blockBase, b, i0+l, step)
					}
				}
			}
			continue
		}
		s.store(b, i0)
		archsimd.ClearAVXUpperBits()
		if err := b.scalarStep(k, tc, w, i0, lanes, step, y, dydt, hs, valid); err != nil {
			return err
		}
		s.load(b, i0)
	}
	s.store(b, i0)
	archsimd.ClearAVXUpperBits()
	return nil
}
