package astro

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestStepControlGrowCap: the step control skips pow where its result
// cannot matter: below rmaxGrowCap the increase factor min(S/rmax^(1/6), 5)
// is 5. Checked with pow at the cap's neighbouring double, at the end of
// the range, and at log-uniformly drawn values.
func TestStepControlGrowCap(t *testing.T) {
	const S = hadjSafety
	grow := func(rmax float64) float64 { return min(S/math.Pow(rmax, 1.0/(rkOrder+1.0)), 5.0) }
	rng := rand.New(rand.NewPCG(1, 2))
	logUniform := func(lo, hi float64) float64 {
		return math.Exp(math.Log(lo) + rng.Float64()*(math.Log(hi)-math.Log(lo)))
	}
	growCases := []float64{dblMin, math.Nextafter(rmaxGrowCap, 0), 1e-300, 1e-10}
	for range 100000 {
		growCases = append(growCases, logUniform(dblMin, rmaxGrowCap))
	}
	for _, rmax := range growCases {
		if rmax >= rmaxGrowCap {
			continue
		}
		if r := grow(rmax); r != 5 {
			t.Fatalf("rmax %g below rmaxGrowCap %g: increase factor %v, not 5", rmax, rmaxGrowCap, r)
		}
	}
	// The cap is close to where the factor leaves its bound: a cap 1 %
	// higher would be wrong.
	if r := grow(rmaxGrowCap * 1.01); r == 5 {
		t.Errorf("rmaxGrowCap %g is not tight: the factor is still 5 at 1 %% above it", rmaxGrowCap)
	}
}
