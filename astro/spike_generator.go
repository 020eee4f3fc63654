package astro

import (
	"fmt"
	"math"
	"slices"
)

// SpikeGenerator is NEST's spike_generator (models/spike_generator.cpp): it emits spikes at
// given times, directly to each target.
type SpikeGenerator struct {
	// SpikeTimes in ms: > 0, on the resolution grid, non-decreasing.
	SpikeTimes []float64 `nest:"spike_times"`
	// SpikeWeights, if given (one per time), multiply the connection weight.
	SpikeWeights []float64 `nest:"spike_weights"`
	// SpikeMultiplicities, if given (one per time, ≥ 1), set each spike's
	// multiplicity.
	SpikeMultiplicities []int `nest:"spike_multiplicities"`
}

// ModelName implements Model.
func (SpikeGenerator) ModelName() string { return "spike_generator" }

// NEST implements the export's question (astro.NESTOf).
func (SpikeGenerator) NEST() *NESTModel { return &NESTModel{Model: "spike_generator", Stem: "sg"} }

// nodeBytes implements Model: the spike list is stored once per node.
func (g SpikeGenerator) nodeBytes() (fixed, channels float64) {
	return 80 + 48*float64(len(g.SpikeTimes)), 0
}

func init() { registerModel(func() Model { return SpikeGenerator{} }) }

func (g SpikeGenerator) newBlock(k *Kernel, n int) (nodeBlock, error) {
	b, err := g.compile(k)
	if err != nil {
		return nil, err
	}
	b.blockBase.replicated = true
	return b, nil
}

// compile validates the parameters and converts them to a block's spike
// list (a block without blockBase settings).
func (g SpikeGenerator) compile(k *Kernel) (*spikeGenBlock, error) {
	m := g.ModelName()
	if len(g.SpikeWeights) != 0 && len(g.SpikeWeights) != len(g.SpikeTimes) {
		return nil, fmt.Errorf("%s: spike_weights has %d entries: must be empty or one per spike time (%d)", m, len(g.SpikeWeights), len(g.SpikeTimes))
	}
	if len(g.SpikeMultiplicities) != 0 && len(g.SpikeMultiplicities) != len(g.SpikeTimes) {
		return nil, fmt.Errorf("%s: spike_multiplicities has %d entries: must be empty or one per spike time (%d)", m, len(g.SpikeMultiplicities), len(g.SpikeTimes))
	}
	b := &spikeGenBlock{g: SpikeGenerator{SpikeTimes: slices.Clone(g.SpikeTimes),
		SpikeWeights: slices.Clone(g.SpikeWeights), SpikeMultiplicities: slices.Clone(g.SpikeMultiplicities)}}
	for i, t := range g.SpikeTimes {
		if err := k.checkTime(m, fmt.Sprintf("spike_times[%d]", i), t); err != nil {
			return nil, err
		}
		s, ok := k.msToSteps(t)
		if !ok || !(t > 0) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("%s: spike_times[%d] = %g ms: must be > 0 and a multiple of the resolution %g ms", m, i, t, k.h)
		}
		if i > 0 && s < b.stamps[i-1] {
			return nil, fmt.Errorf("%s: spike_times[%d] = %g ms: times must be non-decreasing", m, i, t)
		}
		w, mult := 1.0, 1
		if len(g.SpikeWeights) > 0 {
			w = g.SpikeWeights[i]
			if err := checkFinite(m, fmt.Sprintf("spike_weights[%d]", i), w, ""); err != nil {
				return nil, err
			}
		}
		if len(g.SpikeMultiplicities) > 0 {
			mult = g.SpikeMultiplicities[i]
			if mult < 1 || mult > math.MaxInt32 {
				return nil, fmt.Errorf("%s: spike_multiplicities[%d] = %d: must be ≥ 1", m, i, mult)
			}
		}
		b.stamps = append(b.stamps, s)
		b.weights = append(b.weights, w)
		b.mults = append(b.mults, int32(mult))
	}
	return b, nil
}

type spikeGenBlock struct {
	blockBase
	g       SpikeGenerator // the parameters (for GetStatus and SetStatus)
	stamps  []int64        // spike times in steps
	weights []float64
	mults   []int32
}

func (b *spikeGenBlock) prepare(*Kernel) error { return nil }
func (b *spikeGenBlock) preRun(*Kernel) error  { return nil }

// update emits the spikes stamped within this slice part: a spike at time
// s·h behaves as if fired in the step ending at s·h (stamp s).
func (b *spikeGenBlock) update(k *Kernel, tc *threadCtx, lo, hi int, origin int64, from, to int) error {
	first, last := origin+int64(from)+1, origin+int64(to) // stamps covered
	i0, _ := slices.BinarySearch(b.stamps, first)
	for s := i0; s < len(b.stamps) && b.stamps[s] <= last; s++ {
		for i := lo; i < hi; i++ {
			k.eachDeviceTarget(tc, b.first+i, func(p *projection, part *projPart, lo, hi int32) {
				for _, t := range part.tgt[lo:hi] {
					part.sink.addSpike(int(t), b.stamps[s]+p.delay-1, p.weight*b.weights[s], b.mults[s])
				}
			})
		}
	}
	return nil
}

// weightScales implements weightScaler.
func (b *spikeGenBlock) weightScales() []float64 { return b.weights }

// status implements nodeBlock.
func (b *spikeGenBlock) status(int) Dict { return GetParams(b.g) }

// planStatus implements nodeBlock: the spike list is shared by the block
// and can change only before the first Simulate.
func (b *spikeGenBlock) planStatus(k *Kernel, locals []int, d Dict) (func(), error) {
	np := b.g
	if err := SetParams(&np, d); err != nil {
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	changed := !slices.Equal(np.SpikeTimes, b.g.SpikeTimes) || !slices.Equal(np.SpikeWeights, b.g.SpikeWeights) ||
		!slices.Equal(np.SpikeMultiplicities, b.g.SpikeMultiplicities)
	if changed && k.prepared {
		return nil, fmt.Errorf("SetStatus: spike_generator: %s cannot be changed after the first Simulate (only before it)", sortedNames(d))
	}
	if err := checkShared(&b.blockBase, locals, d, nil); err != nil {
		return nil, err
	}
	nb, err := np.compile(k)
	if err != nil {
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	return func() { b.g, b.stamps, b.weights, b.mults = nb.g, nb.stamps, nb.weights, nb.mults }, nil
}

// params implements nodeBlock.
func (b *spikeGenBlock) params() Model { return b.g }

// spike_generator: its parameters are all its state.
func (b *spikeGenBlock) saveState(*snapEncoder) error   { return nil }
func (b *spikeGenBlock) loadState(d *snapDecoder) error { return d.err }
