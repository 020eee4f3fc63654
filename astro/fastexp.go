package astro

import (
	"math"
	"math/big"
)

// expFast returns e^x with an error below one ulp, like glibc's exp that
// NEST calls, but with a short dependency chain. math.Exp on amd64 evaluates
// a long serial Taylor series (≈ 30 dependent operations); in the AdEx
// right-hand side every Runge–Kutta stage waits for it. This version uses
// the table method of glibc and ARM's optimized-routines: x = k·ln2/128 + r
// with |r| ≤ ln2/256, e^x = 2^(k/128)·e^r, where 2^(j/128) comes from a
// table (with its rounding error kept as a correction term) and e^r from a
// short Taylor polynomial. Results may differ from math.Exp and from glibc
// in the last bit (see the test), which the fidelity tests tolerate.
func expFast(x float64) float64 {
	const (
		invLn2N = expInvLn2N
		shift   = expShift
		ln2hiN  = expLn2hiN
		ln2loN  = expLn2loN
	)
	if !(x > -700 && x < 700) { // NaN, ±Inf, overflow and underflow: library
		if x < expZeroBelow {
			return 0 // what math.Exp returns there, without its cost
		}
		return math.Exp(x)
	}
	kd := x*invLn2N + shift
	ki := math.Float64bits(kd)
	kd -= shift
	r := x - kd*ln2hiN - kd*ln2loN
	j := ki & 127
	e := &expTab[j] // a pointer: copying the pair would go through the stack
	// e^r − 1 = r + r²/2 + r³/6 + r⁴/24 + r⁵/120 (truncation < 1e-18 relative).
	r2 := r * r
	p := r + r2*(0.5+r*(1.0/6)) + r2*r2*(1.0/24+r*(1.0/120))
	tmp := e[1] + p
	// scale = 2^(j/128) with the exponent of 2^(k>>7) added to its bits.
	scale := math.Float64frombits(math.Float64bits(e[0]) + (ki>>7)<<52)
	return scale + scale*tmp
}

// expFast's constants (shared with the vector form).
const (
	// Below it e^x is under half the smallest subnormal double, 2^-1075
	// (ln 2^-1075 ≈ -745.13), so math.Exp gives 0 (TestExpFastUnderflow).
	// The AdEx stages of a neuron about to spike reach such arguments.
	expZeroBelow = -746.0

	expInvLn2N = 128 / math.Ln2
	expShift   = 0x1.8p52 // rounds to an integer held in the low mantissa bits
	// ln2/128 split so that k·ln2hiN is exact for |k| < 2^20.
	expLn2hiN = 0x1.62e42fefa0000p-8
	expLn2loN = 0x1.cf79abc9e3b3ap-47
)

// expTab[j] holds 2^(j/128) rounded to a double ([0]) and its relative
// rounding error (tail), computed once with 256-bit arithmetic.
var expTab = func() (t [128][2]float64) {
	const prec = 256
	ln2 := new(big.Float).SetPrec(prec)
	ln2.SetString("0.693147180559945309417232121458176568075500134360255254120680009493393621969694715605863326996418687542001481021")
	for j := range t {
		// 2^(j/128) = exp(j·ln2/128) by its Taylor series.
		a := new(big.Float).SetPrec(prec).Mul(ln2, big.NewFloat(float64(j)).SetPrec(prec))
		a.Quo(a, big.NewFloat(128).SetPrec(prec))
		sum := big.NewFloat(1).SetPrec(prec)
		term := big.NewFloat(1).SetPrec(prec)
		for n := 1; n < 60; n++ {
			term.Mul(term, a)
			term.Quo(term, big.NewFloat(float64(n)).SetPrec(prec))
			sum.Add(sum, term)
		}
		hi, _ := sum.Float64()
		d := new(big.Float).SetPrec(prec).Sub(sum, big.NewFloat(hi).SetPrec(prec))
		d.Quo(d, big.NewFloat(hi).SetPrec(prec))
		t[j][0] = hi
		t[j][1], _ = d.Float64()
	}
	return t
}()
