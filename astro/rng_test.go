package astro

import (
	"math"
	"math/rand/v2"
	"testing"
)

// inversionCount is the inversion loop poissonSampler's table reproduces:
// the first n with u ≤ Σ_{i≤n} λ^i e^{-λ}/i!, summed term by term, stopping
// where a term underflows to 0.
func inversionCount(lambda, u float64) uint32 {
	n := uint32(0)
	prob := math.Exp(-lambda)
	cum := prob
	for u > cum {
		n++
		prob *= lambda / float64(n)
		cum += prob
		if prob == 0 {
			break
		}
	}
	return n
}

// TestPoissonSamplerMatchesInversion checks that the threshold table gives
// the inversion loop's count for every draw: at and around each threshold
// (where float and integer comparisons could part), at the ends of the
// range, and for a million random draws per λ, with the same generator.
func TestPoissonSamplerMatchesInversion(t *testing.T) {
	for _, lambda := range []float64{1e-9, 0.002, 0.2, 1, 3.7, 9.999} {
		p := newPoissonSampler(lambda)
		if len(p.thresh) == 0 {
			t.Fatalf("λ = %g: no table", lambda)
		}
		check := func(m uint64) {
			t.Helper()
			if got, want := p.invert(m), inversionCount(lambda, float64(m)*0x1p-53); got != want {
				t.Fatalf("λ = %g, m = %d: table gives %d, inversion %d", lambda, m, got, want)
			}
		}
		check(0)
		check(1<<53 - 1)
		for _, th := range p.thresh {
			for _, m := range []uint64{th - 1, th, th + 1} {
				if m < 1<<53 {
					check(m)
				}
			}
		}
		a, b := rand.NewPCG(3, uint64(lambda*1e9)), rand.NewPCG(3, uint64(lambda*1e9))
		for range 1_000_000 {
			if got, want := p.draw(a), inversionCount(lambda, uniform01(b)); got != want {
				t.Fatalf("λ = %g: draw %d, inversion %d", lambda, got, want)
			}
		}
	}
	for _, lambda := range []float64{0, -1} {
		if n := newPoissonSampler(lambda).draw(rand.NewPCG(1, 1)); n != 0 {
			t.Errorf("λ = %g: draw %d, want 0", lambda, n)
		}
	}
}

// TestPoissonSamplerMoments checks the counts' distribution: mean and
// variance λ and P(0) = e^{-λ}, within 5 standard errors over 10^6 draws,
// for the example's λ = 0.2 and for the gonum path (λ ≥ 10).
func TestPoissonSamplerMoments(t *testing.T) {
	const draws = 1_000_000
	for _, lambda := range []float64{0.2, 4, 25} {
		p, src := newPoissonSampler(lambda), rand.NewPCG(11, 12)
		var sum, sum2, zeros float64
		for range draws {
			n := float64(p.draw(src))
			sum += n
			sum2 += n * n
			if n == 0 {
				zeros++
			}
		}
		mean := sum / draws
		variance := sum2/draws - mean*mean
		p0 := math.Exp(-lambda)
		// SE of the mean √(λ/N); of the variance ≈ √((μ4 − σ⁴)/N) with
		// μ4 = λ + 3λ² for a Poisson law; of P(0) √(p0(1−p0)/N).
		if se := math.Sqrt(lambda / draws); math.Abs(mean-lambda) > 5*se {
			t.Errorf("λ = %g: mean %.5f, |Δ| > 5 SE (%.5f)", lambda, mean, se)
		}
		if se := math.Sqrt((lambda + 2*lambda*lambda) / draws); math.Abs(variance-lambda) > 5*se {
			t.Errorf("λ = %g: variance %.5f, |Δ| > 5 SE (%.5f)", lambda, variance, se)
		}
		if se := math.Sqrt(p0 * (1 - p0) / draws); math.Abs(zeros/draws-p0) > 5*se+1e-12 {
			t.Errorf("λ = %g: P(0) %.6f, want %.6f ± %.6f", lambda, zeros/draws, p0, 5*se)
		}
	}
}
