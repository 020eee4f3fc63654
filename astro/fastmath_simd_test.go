//go:build goexperiment.simd && amd64

package astro

import (
	"math"
	"math/rand/v2"
	"simd/archsimd"
	"testing"
)

// TestVecMath: the vector exp and log give, lane by lane, exactly the
// scalar expFast and math.Log (the functions the scalar path calls), over
// the ranges the models use and beyond.
func TestVecMath(t *testing.T) {
	if !simdAvailable {
		t.Skip("no AVX2")
	}
	var m vecMath
	m.set()
	rng := rand.New(rand.NewPCG(1, 2))
	var x, got [4]float64
	for n := 0; n < 400000; n++ {
		for l := range 4 {
			switch n % 4 {
			case 0:
				x[l] = rng.Float64()*1398 - 699 // expFast's whole table range
			case 1:
				x[l] = rng.NormFloat64() * 3 // AdEx's usual arguments
			case 2:
				x[l] = 1 + rng.Float64()*1000 // SIC arguments, > 1
			default:
				x[l] = math.Exp(rng.Float64()*1400 - 700) // every exponent
			}
		}
		v := archsimd.LoadFloat64x4(&x)
		if n%4 < 2 {
			e, ok := m.exp(v)
			if !ok {
				t.Fatalf("exp refused %v", x)
			}
			e.Store(&got)
			for l := range 4 {
				if want := expFast(x[l]); math.Float64bits(got[l]) != math.Float64bits(want) {
					t.Fatalf("exp(%v): vector %v, scalar %v", x[l], got[l], want)
				}
			}
		} else {
			m.log(v).Store(&got)
			for l := range 4 {
				if want := math.Log(x[l]); math.Float64bits(got[l]) != math.Float64bits(want) {
					t.Fatalf("log(%v): vector %v, math.Log %v", x[l], got[l], want)
				}
			}
		}
	}
	x = [4]float64{-800, 0, 1, 2}
	if _, ok := m.exp(archsimd.LoadFloat64x4(&x)); ok {
		t.Error("exp accepted -800 (outside the table range)")
	}
}
