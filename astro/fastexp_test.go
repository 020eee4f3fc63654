package astro

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// bigExp returns e^x to 200 bits.
func bigExp(x float64) *big.Float {
	const prec = 200
	// e^x = (e^(x/2^m))^(2^m) with a small argument for the series.
	m := 0
	for math.Abs(x)/math.Pow(2, float64(m)) > 0.01 {
		m++
	}
	a := new(big.Float).SetPrec(prec).SetFloat64(x)
	a.SetMantExp(a, -m)
	sum := big.NewFloat(1).SetPrec(prec)
	term := big.NewFloat(1).SetPrec(prec)
	for n := 1; n < 40; n++ {
		term.Mul(term, a)
		term.Quo(term, big.NewFloat(float64(n)).SetPrec(prec))
		sum.Add(sum, term)
	}
	for range m {
		sum.Mul(sum, sum)
	}
	return sum
}

// TestExpFastAccuracy: expFast must be within one ulp of the exact e^x
// (i.e. one of the two doubles around it), like glibc's and Go's exp.
func TestExpFastAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	worst := 0.0
	for i := 0; i < n; i++ {
		var x float64
		switch i % 3 {
		case 0:
			x = rng.Float64()*1398 - 699
		case 1:
			x = rng.Float64()*60 - 40 // the AdEx range of (V−V_th)/Δ_T
		default:
			x = (rng.Float64()*2 - 1) * math.Pow(2, -float64(rng.IntN(50)))
		}
		got := expFast(x)
		exact := bigExp(x)
		ulp := math.Nextafter(got, math.Inf(1)) - got
		diff := new(big.Float).Sub(big.NewFloat(got), exact)
		d, _ := diff.Float64()
		e := math.Abs(d) / ulp
		worst = math.Max(worst, e)
		if e >= 1 {
			t.Fatalf("expFast(%v) = %v, error %.3f ulp", x, got, e)
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 699.9, -699.9, 700, -700, 710, -746, math.Inf(1), math.Inf(-1)} {
		if got, want := expFast(x), math.Exp(x); got != want {
			t.Errorf("expFast(%v) = %v, math.Exp %v", x, got, want)
		}
	}
	if !math.IsNaN(expFast(math.NaN())) {
		t.Error("expFast(NaN) is not NaN")
	}
	t.Logf("worst error %.3f ulp over %d arguments", worst, n)
}

// BenchmarkExpLatency measures exp in a dependent chain, as in the AdEx
// right-hand side (expFast against math.Exp).
func BenchmarkExpLatency(b *testing.B) {
	for _, c := range []struct {
		name string
		f    func(float64) float64
	}{{"expFast", expFast}, {"math.Exp", math.Exp}} {
		b.Run(c.name, func(b *testing.B) {
			x := -10.0
			for i := 0; i < b.N; i++ {
				x = -10 + c.f(x)
			}
			sinkF = x
		})
	}
}

var sinkF float64

// TestExpFastUnderflow: below expZeroBelow expFast returns 0 without
// calling math.Exp, which gives 0 there too; just above, it still calls
// math.Exp (subnormal results).
func TestExpFastUnderflow(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	xs := []float64{expZeroBelow, math.Nextafter(expZeroBelow, math.Inf(-1)), -1e3, -1e9, -1e300, -math.MaxFloat64}
	for range 1000 {
		xs = append(xs, expZeroBelow-math.Exp(rng.Float64()*700))
	}
	for _, x := range xs {
		if got, want := expFast(x), math.Exp(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("expFast(%g) = %g, math.Exp gives %g", x, got, want)
		}
	}
	for _, x := range []float64{-745.1, -745, -740, -720, -700.5} {
		if got, want := expFast(x), math.Exp(x); got != want || got == 0 {
			t.Fatalf("expFast(%g) = %g, want math.Exp's %g (non-zero)", x, got, want)
		}
	}
	if got := expFast(math.Inf(-1)); got != 0 {
		t.Fatalf("expFast(-Inf) = %g, want 0", got)
	}
	if got := expFast(math.NaN()); !math.IsNaN(got) {
		t.Fatalf("expFast(NaN) = %g, want NaN", got)
	}
}
