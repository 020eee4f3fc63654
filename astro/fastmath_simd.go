//go:build goexperiment.simd && amd64

package astro

import (
	"simd/archsimd"
	"unsafe"
)

// Vector forms of the two transcendental functions the models call, each
// bit-identical to its scalar counterpart lane by lane (TestVecMath).

// vecMath holds their broadcast constants.
type vecMath struct {
	expLo, expHi, invLn2N, shift, ln2hiN, ln2loN f64x4
	half, sixth, twentyFourth, oneTwentieth      f64x4
	ks                                           [4]uint64 // scratch
	tabMask                                      archsimd.Uint64x4

	mantMask, halfBits, expBits, topBits   archsimd.Uint64x4
	c52                                    archsimd.Uint64x4
	kBias, hSqrt2, one, two                f64x4
	l1, l2, l3, l4, l5, l6, l7, lnHi, lnLo f64x4
}

func (s *vecMath) set() {
	s.expLo, s.expHi = bc(-700), bc(700)
	s.invLn2N, s.shift, s.ln2hiN, s.ln2loN = bc(expInvLn2N), bc(expShift), bc(expLn2hiN), bc(expLn2loN)
	s.half, s.sixth, s.twentyFourth, s.oneTwentieth = bc(0.5), bc(1.0/6), bc(1.0/24), bc(1.0/120)

	s.tabMask = archsimd.BroadcastUint64x4(uint64(len(expTab) - 1))
	s.mantMask = archsimd.BroadcastUint64x4(0x000FFFFFFFFFFFFF)
	s.halfBits = archsimd.BroadcastUint64x4(0x3FE0000000000000)
	s.expBits = archsimd.BroadcastUint64x4(0x4330000000000000) // 2^52
	s.topBits = archsimd.BroadcastUint64x4(0xFFF << 52)
	s.c52 = archsimd.BroadcastUint64x4(52)
	s.kBias = bc(0x1p52 + 0x3FE)
	s.hSqrt2, s.one, s.two = bc(7.07106781186547524401e-01), bc(1), bc(2)
	s.l1, s.l2, s.l3 = bc(6.666666666666735130e-01), bc(3.999999999940941908e-01), bc(2.857142874366239149e-01)
	s.l4, s.l5, s.l6 = bc(2.222219843214978396e-01), bc(1.818357216161805012e-01), bc(1.531383769920937332e-01)
	s.l7, s.lnHi, s.lnLo = bc(1.479819860511658591e-01), bc(6.93147180369123816490e-01), bc(1.90821492927058770002e-10)
}

// exp is expFast lane-wise; ok is false if a lane is outside the table
// method's range (where expFast calls math.Exp).
func (s *vecMath) exp(x f64x4) (e f64x4, ok bool) {
	if x.Greater(s.expLo).And(x.Less(s.expHi)).ToBits() != 0xF {
		return x, false
	}
	kd := x.Mul(s.invLn2N).Add(s.shift)
	ki := kd.AsUint64x4()
	kd = kd.Sub(s.shift)
	r := x.Sub(kd.Mul(s.ln2hiN)).Sub(kd.Mul(s.ln2loN))
	// Table lookup without a gather: each entry (hi, tail) is one 16-byte
	// load, and unzipPairs gives hi = (e0.hi, e1.hi, e2.hi, e3.hi) and tail
	// likewise. The entries' byte offsets in expTab, 16·(ki mod 128), are
	// computed for all lanes at once.
	ki.And(s.tabMask).ShiftAllLeft(4).Store(&s.ks)
	entry := func(l int) archsimd.Float64x2 {
		return archsimd.LoadFloat64x2((*[2]float64)(unsafe.Add(unsafe.Pointer(&expTab), s.ks[l])))
	}
	hi, tail := unzipPairs(entry(0), entry(1), entry(2), entry(3))
	r2 := r.Mul(r)
	p := r.Add(r2.Mul(s.half.Add(r.Mul(s.sixth)))).Add(r2.Mul(r2).Mul(s.twentyFourth.Add(r.Mul(s.oneTwentieth))))
	tmp := tail.Add(p)
	// (ki >> 7) << 52, written without ShiftAllRight, whose count Go moves
	// into an XMM register with a legacy-SSE MOVQ (see gsl_rkf45_simd.go).
	scale := hi.AsUint64x4().Add(ki.ShiftAllLeft(45).And(s.topBits)).AsFloat64x4()
	return scale.Add(scale.Mul(tmp)), true
}

// log is math.Log lane-wise for positive normal finite x (other lanes give
// meaningless values): the operations of Go's amd64 archLog (FreeBSD's
// algorithm), in its order.
func (s *vecMath) log(x f64x4) f64x4 {
	bits := x.AsUint64x4()
	f1 := bits.And(s.mantMask).Or(s.halfBits).AsFloat64x4() // frexp: x = f1·2^k, f1 ∈ [0.5, 1)
	// k = biased exponent − 1022, exactly, through 2^52 + E − (2^52 + 1022).
	k := bits.ShiftRight(s.c52).Or(s.expBits).AsFloat64x4().Sub(s.kBias) // not ShiftAllRight (see exp)
	// if f1 < √2/2 { k -= 1; f1 *= 2 }, as archLog: k − (0|1), f1·(1|2).
	m := f1.Less(s.hSqrt2)
	d := s.one.Masked(m)
	k = k.Sub(d)
	f1 = f1.Mul(s.one.Add(d))
	f := f1.Sub(s.one)
	sv := f.Div(s.two.Add(f))
	s2 := sv.Mul(sv)
	s4 := s2.Mul(s2)
	t1 := s2.Mul(s.l1.Add(s4.Mul(s.l3.Add(s4.Mul(s.l5.Add(s4.Mul(s.l7)))))))
	t2 := s4.Mul(s.l2.Add(s4.Mul(s.l4.Add(s4.Mul(s.l6)))))
	r := t1.Add(t2)
	hfsq := s.half.Mul(f).Mul(f)
	return k.Mul(s.lnHi).Sub(hfsq.Sub(sv.Mul(hfsq.Add(r)).Add(k.Mul(s.lnLo))).Sub(f))
}
