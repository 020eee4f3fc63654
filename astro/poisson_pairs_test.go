package astro

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// addLog is a SpikeSink that records every addition in order.
type addLog struct{ adds []spikeAdd }

type spikeAdd struct {
	local  int
	slot   int64
	weight float64
	mult   int32
}

func (l *addLog) AddSpike(int, int64, float64, int32) { panic("not used") }
func (l *addLog) AddSpikes([]int32, int64, float64, int32) {
	panic("not used")
}
func (l *addLog) AddSpikeSlot(local int, slot int64, weight float64, mult int32) {
	l.adds = append(l.adds, spikeAdd{local: local, slot: slot, weight: weight, mult: mult})
}

// TestPoissonDrawPairs: drawing two targets' streams side by side gives
// every target the counts and every (target, slot) the additions, in the
// same order, that drawing them one by one (drawEach) gives, and leaves every stream in
// the same state: odd and even target counts, a target repeated next to
// itself (a multapse), lags outside the generator's window, and rates
// from sparse to many spikes per step.
func TestPoissonDrawPairs(t *testing.T) {
	slots := []int64{7, -1, 9, 10, -1, 12, 13, 14, 0, 1}
	compared := 0
	for _, lambda := range []float64{0.02, 0.9, 4, 9.5} {
		s := newPoissonSampler(lambda)
		if s.thresh == nil {
			t.Fatalf("λ = %g: no inversion table", lambda)
		}
		for _, n := range []int{1, 2, 5, 8} {
			tgt := make([]int32, n)
			for i := range tgt {
				tgt[i] = int32(3 * i)
			}
			if n >= 4 {
				tgt[2] = tgt[1] // a multapse, in one pair
				tgt[3] = tgt[2] // and across pairs
			}
			streams := make([]randPCG, n)
			for i := range streams {
				streams[i] = *rand.NewPCG(uint64(lambda*1000)+uint64(n), uint64(i))
			}
			var want, got addLog
			ref := projPart{sink: &want, tgt: tgt, rng: slices.Clone(streams)}
			s.drawEach(&ref, 0, int32(n), slots, 0.5)
			part := projPart{sink: &got, tgt: tgt, rng: slices.Clone(streams)}
			j := s.drawPairs(&part, 0, int32(n), slots, 0.5)
			if j != int32(n-n%2) {
				t.Fatalf("λ = %g, %d targets: drawPairs stopped at %d", lambda, n, j)
			}
			s.drawEach(&part, j, int32(n), slots, 0.5) // Update's remainder
			compared += len(want.adds)
			if !slices.Equal(perSlot(want.adds), perSlot(got.adds)) {
				t.Fatalf("λ = %g, %d targets: additions differ per (target, slot)", lambda, n)
			}
			for i := range streams {
				if ref.rng[i] != part.rng[i] {
					t.Fatalf("λ = %g, %d targets: stream %d ends in another state", lambda, n, i)
				}
			}
		}
	}
	if compared < 100 {
		t.Fatalf("only %d additions compared", compared)
	}
}

// perSlot orders additions by (target, slot), keeping the order of the
// additions to the same (target, slot): the order a ring buffer sums them
// in.
func perSlot(adds []spikeAdd) []spikeAdd {
	out := slices.Clone(adds)
	slices.SortStableFunc(out, func(a, b spikeAdd) int {
		if a.local != b.local {
			return a.local - b.local
		}
		return int(a.slot - b.slot)
	})
	return out
}
