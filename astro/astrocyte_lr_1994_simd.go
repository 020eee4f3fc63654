//go:build goexperiment.simd && amd64

package astro

import (
	"simd/archsimd"
	"unsafe"
)

// astrocyte_lr_1994 on the vector path (see gsl_rkf45_simd.go): rhs below
// is astroRHS.rhs, and endOfStep is astrocyteBlock.endOfStep, for four
// astrocytes, operation for operation.

// astroVecSys is one thread's vector integrator and constants for a block.
type astroVecSys struct {
	vecRKF45[[vgroups * astroDim]f64x4]
	vecMath

	caTot, zero, one, kIP3RKdInh, kdIP31, kdIP32, kIP3R, rateSERCA, kmSERCA2 f64x4
	kdAct, invRatio, ratioRateL, ratioRateIP3R, ip30, invTauIP3              f64x4
	deltaIP3, sicTh, thousand, sicScale                                      f64x4
	allLanes                                                                 archsimd.Mask64x4
	touched                                                                  uint64 // touchSlots' result
}

func (s *astroVecSys) set(b *astrocyteBlock) {
	p, c := &b.p, &b.work[0].sys.c
	s.rkVec.set(&b.ctrl)
	s.vecMath.set()
	s.caTot, s.zero, s.one = bc(p.CaTot), bc(0), bc(1)
	s.kIP3RKdInh, s.kdIP31, s.kdIP32, s.kIP3R = bc(c.kIP3RKdInh), bc(p.KdIP31), bc(p.KdIP32), bc(p.KIP3R)
	s.rateSERCA, s.kmSERCA2, s.kdAct, s.invRatio = bc(p.RateSERCA), bc(c.kmSERCA2), bc(p.KdAct), bc(c.invRatio)
	s.ratioRateL, s.ratioRateIP3R, s.ip30, s.invTauIP3 = bc(c.ratioRateL), bc(c.ratioRateIP3R), bc(p.IP30), bc(c.invTauIP3)
	s.deltaIP3, s.sicTh, s.thousand = bc(p.DeltaIP3), bc(p.SICTh), bc(1000)
	s.sicScale = bc(p.SICScale)
	s.allLanes = s.one.Equal(s.one)
}

// rhs implements vecRHS.
func (s *astroVecSys) rhs(yy, ff *[vgroups * astroDim]f64x4, g0, g1 int) bool {
	y, f := groupAt[[astroDim]f64x4](yy, g0), groupAt[[astroDim]f64x4](ff, g0)
	for g := g0; g < g1; g++ {
		if g > g0 {
			y, f = nextGroup(y), nextGroup(f)
		}
		ip3, c, h := y[astroIP3], y[astroCa], y[astroH]
		c = s.caTot.Merge(c, c.Greater(s.caTot))    // if c > Ca_tot { c = Ca_tot }
		c = c.Merge(s.zero, c.GreaterEqual(s.zero)) // if !(c >= 0) { c = 0 }
		alphaH := s.kIP3RKdInh.Mul(ip3.Add(s.kdIP31)).Div(ip3.Add(s.kdIP32))
		betaH := s.kIP3R.Mul(c)
		c2 := c.Mul(c)
		jPump := s.rateSERCA.Mul(c2).Div(s.kmSERCA2.Add(c2))
		mInf := ip3.Div(ip3.Add(s.kdIP31))
		nInf := c.Div(c.Add(s.kdAct))
		caER := s.caTot.Sub(c).Mul(s.invRatio)
		jLeak := s.ratioRateL.Mul(caER.Sub(c))
		m3 := mInf.Mul(mInf).Mul(mInf)
		n3 := nInf.Mul(nInf).Mul(nInf)
		h3 := h.Mul(h).Mul(h)
		jChannel := s.ratioRateIP3R.Mul(m3).Mul(n3).Mul(h3).Mul(caER.Sub(c))
		f[astroIP3] = s.ip30.Sub(ip3).Mul(s.invTauIP3)
		f[astroCa] = jChannel.Sub(jPump).Add(jLeak)
		f[astroH] = alphaH.Mul(s.one.Sub(h)).Sub(betaH.Mul(h))
	}
	return true
}

// step advances the whole batch by one resolution step t1 (ms, setStep)
// if every lane's suggestion covers t1 and every lane's step is accepted
// and grown; otherwise it returns false, leaving the batch for the scalar
// path.
func (s *astroVecSys) step(b *astrocyteBlock, i0 int, valid *[vlanes]bool) bool {
	if s.hStepsCover(b.hstep, i0) != 1<<vlanes-1 || !s.refresh(s, valid) {
		return false
	}
	if small, ok := s.trial(s); !ok || small != 1<<vlanes-1 {
		return false
	}
	s.accept(1<<vlanes - 1)
	markValid(valid, 1<<vlanes-1)
	s.grown(b.hstep, i0, 1<<vlanes-1)
	return true
}

// endOfStep is astrocyteBlock.endOfStep for the vector state of a batch
// (recording aside): Ca clamp, IP3 input, SIC of the step.
func (s *astroVecSys) endOfStep(b *astrocyteBlock, i0 int, step int64, lag, md int, valid *[vlanes]bool) {
	base := b.exc.base(step)
	for g := range vgroups {
		o, j := g*astroDim, i0+4*g
		y := (*[astroDim]f64x4)(s.y[o : o+astroDim])
		ca := y[astroCa]
		// max(0, min(Ca, Ca_tot)) differs from Ca exactly where Ca > Ca_tot,
		// Ca < 0 or Ca is NaN (which the clamp keeps, as the scalar code).
		if m := ca.Greater(s.caTot).Or(ca.Less(s.zero)).Or(ca.IsNaN()); m.ToBits() != 0 {
			clamped := s.caTot.Merge(ca, ca.Greater(s.caTot))
			clamped = s.zero.Merge(clamped, ca.Less(s.zero))
			y[astroCa] = clamped
			invalidate(valid, 4*g, m.ToBits())
		}
		if x := takeVec(&b.exc, base, j, true, s.allLanes); x.NotEqual(s.zero).ToBits() != 0 {
			m := x.NotEqual(s.zero)
			y[astroIP3] = y[astroIP3].Add(s.deltaIP3.Mul(x)).Merge(y[astroIP3], m)
			invalidate(valid, 4*g, m.ToBits())
		}
		// if x > 1 { sic = log(x)·SIC_scale } else { sic = 0 }
		x := y[astroCa].Sub(s.sicTh).Mul(s.thousand)
		// The values go to sicVals as 64-bit words (see gsl_rkf45_simd.go's
		// file comment); sic != 0 is tested as a vector.
		sic, vals := &s.words, f64Words(b.sicVals)
		var nonzero uint8
		if m := x.Greater(s.one); m.ToBits() != 0 {
			v := s.log(x).Mul(s.sicScale).Masked(m)
			v.AsUint64x4().Store(sic)
			nonzero = v.NotEqual(s.zero).ToBits()
		} else {
			archsimd.Uint64x4{}.Store(sic)
		}
		for l := range 4 {
			vals[(j+l)*md+lag] = sic[l]
		}
		// sicAny: any non-zero value in the slice so far (set from
		// lag 0, only raised after it).
		if flags := b.sicAny[j : j+4]; lag == 0 {
			for l := range flags {
				flags[l] = nonzero&(1<<l) != 0
			}
		} else if nonzero != 0 {
			for l := range flags {
				flags[l] = flags[l] || nonzero&(1<<l) != 0
			}
		}
	}
}

// invalidate clears valid[off+l] for the lanes l set in the low 4 bits of
// bits, with one 4-byte store (the inverse of markValid).
func invalidate(valid *[vlanes]bool, off int, bits uint8) {
	w := (*uint32)(unsafe.Pointer(&valid[off : off+4][0]))
	*w &^= uint32(laneTrue[bits]) // lanes 4…7 of laneTrue fall outside the word
}

// vectorReady tells whether update may use updateVector, and prepares the
// thread's vector constants.
func (b *astrocyteBlock) vectorReady(w *astroWork) bool {
	if !simdAvailable || simdDisabled {
		return false
	}
	if w.simd == nil {
		w.simd = alignedNew[astroVecSys]()
	}
	w.simd.(*astroVecSys).set(b)
	return true
}

func init() {
	astroVector.ready, astroVector.update = (*astrocyteBlock).vectorReady, (*astrocyteBlock).updateVector
}

// updateVector is astrocyteBlock.update's loop over the lags [from, to)
// for the vlanes astrocytes starting at i0: the vector step where it
// applies, scalarStep (per group of four) where it does not.
func (b *astrocyteBlock) updateVector(k *Kernel, tc *Thread, w *astroWork, i0 int, origin int64, from, to, md int) {
	s := w.simd.(*astroVecSys)
	valid := (*[vlanes]bool)(b.fsal[i0 : i0+vlanes])
	recorded := b.recorded(i0, i0+vlanes)
	store := func() {
		vecStore(&s.vecRKF45, b.y, b.dydt, i0)
		clearUpper()
	}
	s.touched = touchSlots(&b.exc, origin, from, to, i0)
	s.setStep(k.h)
	vecLoad(&s.vecRKF45, b.y, b.dydt, i0)
	for lag := from; lag < to; lag++ {
		step := origin + int64(lag)
		if s.step(b, i0, valid) {
			s.endOfStep(b, i0, step, lag, md, valid)
			if recorded {
				store()
				for l := range vlanes {
					if b.subs[i0+l] != nil {
						k.sample(tc, &b.BlockBase, b, i0+l, step)
					}
				}
			}
			continue
		}
		store()
		ys, dydts, hss := scalarLanes(b.y, b.dydt, b.hstep, i0)
		for g := range vgroups {
			b.scalarStep(k, tc, w, i0+4*g, lanes, step, lag, md, &ys[g], &dydts[g], &hss[g], (*[lanes]bool)(valid[4*g:4*g+4]))
		}
		vecLoad(&s.vecRKF45, b.y, b.dydt, i0)
	}
	store()
}
