package astro

import (
	"math"
	"math/bits"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// Random streams.
//
// NEST draws from per-virtual-process streams, so its results depend on the
// number of threads. astronb instead derives every stream from the kernel
// seed and the identity of what it serves (a target node, a Connect call, a
// generator→target connection). Draws therefore never depend on how nodes are
// spread over threads: same seed, same results, whatever the thread count.
// The distributions are the same as NEST's; the individual numbers are not
// (docs/semantics.md, "Threads and random streams": network results are
// compared statistically).

// Stream purposes, mixed into the seed of every stream.
const (
	streamPoisson     uint64 = 0x9e3779b97f4a7c15
	streamPairwise    uint64 = 0xc229212d37722d5e
	streamTripart     uint64 = 0xb84c9bae5851f42d
	streamIndegree    uint64 = 0x2545f4914f6cdd1d
	streamThirdFactor uint64 = 0x7f4a7c159e3779b9
)

// splitmix64 is the standard 64-bit mixing function; it turns structured
// seed material into well-spread PCG seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newPCG returns a PCG source for the stream identified by seed, purpose and
// up to two further identifiers (node IDs, call counters).
func newPCG(seed, purpose, a, b uint64) *rand.PCG {
	s1 := splitmix64(seed ^ splitmix64(purpose^splitmix64(a)))
	s2 := splitmix64(s1 ^ splitmix64(b+purpose))
	return rand.NewPCG(s1, s2)
}

// poissonSampler draws Poisson(λ) counts. For the small means of a Poisson
// generator per time step (0.2 in the example) it uses inversion, which
// needs one uniform draw per sample; for λ ≥ 10 it defers to gonum.
//
// Inversion returns the first n with u ≤ c_n, c_n = Σ_{i≤n} λ^i e^{-λ}/i!
// accumulated term by term (inversionCount in rng_test.go spells the loop
// out, and the tests compare the two). The sampler keeps those cumulative
// sums as 53-bit integer thresholds: with u = m·2^-53 for the integer
// m < 2^53 that uniform01 scales, u > c ⇔ m > c·2^53 ⇔ m > ⌊c·2^53⌋
// (scaling by 2^53 is exact), so comparing m with the table returns exactly
// the n of the loop, without its divisions.
type poissonSampler struct {
	lambda float64
	// thresh[n] = ⌊c_n·2^53⌋ up to the first n whose term underflows to 0
	// (where the loop stops) or whose c_n ≥ 1 (which every u is below).
	thresh []uint64
}

func newPoissonSampler(lambda float64) poissonSampler {
	p := poissonSampler{lambda: lambda}
	if !(lambda > 0 && lambda < 10) {
		return p
	}
	prob := math.Exp(-lambda)
	cum := prob
	for n := 1; ; n++ {
		p.thresh = append(p.thresh, uint64(math.Floor(cum*0x1p53)))
		if cum >= 1 {
			break
		}
		prob *= lambda / float64(n)
		cum += prob
		if prob == 0 {
			p.thresh = append(p.thresh, uint64(math.Floor(cum*0x1p53)))
			break
		}
	}
	return p
}

// draw returns one Poisson(λ) sample using src.
func (p poissonSampler) draw(src *rand.PCG) uint32 {
	if p.thresh != nil {
		return p.invert(src.Uint64() >> 11) // uniform01's 53 bits
	}
	return p.drawOther(src)
}

// drawOther draws for λ ≤ 0 (always 0) and λ ≥ 10 (gonum).
func (p poissonSampler) drawOther(src *rand.PCG) uint32 {
	if p.lambda <= 0 {
		return 0
	}
	return uint32(distuv.Poisson{Lambda: p.lambda, Src: src}.Rand())
}

// invert returns the count for the uniform draw u = m·2^-53 (λ in (0, 10)).
func (p poissonSampler) invert(m uint64) uint32 {
	n, last := 0, len(p.thresh)-1
	for n < last && m > p.thresh[n] {
		n++
	}
	return uint32(n)
}

// uniform01 returns a uniform double in [0, 1) with 53 random bits.
func uniform01(src *rand.PCG) float64 {
	return float64(src.Uint64()>>11) * 0x1p-53
}

// uniformInt returns a uniform integer in [0, n) (n > 0) without modulo bias.
// It is Lemire's multiply-and-reject method.
func uniformInt(src *rand.PCG, n int) int {
	hi, lo := bits.Mul64(src.Uint64(), uint64(n))
	if lo < uint64(n) {
		thresh := -uint64(n) % uint64(n)
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), uint64(n))
		}
	}
	return int(hi)
}

// binomial draws Binomial(n, p) using gonum.
func binomial(src *rand.PCG, n int, p float64) int {
	switch {
	case n == 0 || p <= 0:
		return 0
	case p >= 1:
		return n
	}
	return int(distuv.Binomial{N: float64(n), P: p, Src: src}.Rand())
}

// randPCG is the stream type stored per connection.
type randPCG = rand.PCG
