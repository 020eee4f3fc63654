package astro

import (
	"fmt"
	"math"
)

// PoissonGenerator is NEST's poisson_generator (models/poisson_generator.cpp): every target
// receives its own independent Poisson spike train of the given rate,
// delivered as one event per step with the drawn count as multiplicity.
type PoissonGenerator struct {
	// Rate in spikes/s (Hz), ≥ 0.
	Rate float64 `nest:"rate"`
	// Start and Stop bound the active window (ms, relative to Origin): the
	// generator fires in steps k with start < k·h ≤ stop. Stop 0 means ∞.
	Start  float64 `nest:"start"`
	Stop   float64 `nest:"stop"`
	Origin float64 `nest:"origin"` // ms
}

// ModelName implements Model.
func (PoissonGenerator) ModelName() string { return "poisson_generator" }

// NEST implements the export's question (astro.NESTOf).
func (PoissonGenerator) NEST() *NESTModel { return &NESTModel{Model: "poisson_generator", Stem: "pg"} }

// NodeBytes implements Model (its connections' streams are counted with
// the connections).
func (PoissonGenerator) NodeBytes() (fixed, channels float64) { return 150, 0 }

func init() { registerModel(func() Model { return PoissonGenerator{} }) }

func (p PoissonGenerator) NewBlock(k *Kernel, n int) (Block, error) {
	win, err := p.check(k)
	if err != nil {
		return nil, err
	}
	return &poissonBlock{BlockBase: BlockBase{replicated: true}, p: p, win: win}, nil
}

// check validates the parameters and returns the active window.
func (p PoissonGenerator) check(k *Kernel) (activeWindow, error) {
	m := p.ModelName()
	if math.IsNaN(p.Rate) || math.IsInf(p.Rate, 0) || p.Rate < 0 {
		return activeWindow{}, fmt.Errorf("%s: rate = %g Hz: must be ≥ 0 and finite", m, p.Rate)
	}
	if err := k.checkPoissonRate(m, p.Rate); err != nil {
		return activeWindow{}, err
	}
	return newActiveWindow(k, m, p.Start, p.Stop, p.Origin)
}

type poissonBlock struct {
	BlockBase
	p       PoissonGenerator
	win     activeWindow
	sampler poissonSampler
	slots   [][]int64 // per thread: scratch of update
}

func (b *poissonBlock) Prepare(k *Kernel) error {
	b.slots = make([][]int64, k.threads)
	return nil
}

func (b *poissonBlock) PreRun(k *Kernel) error {
	b.sampler = newPoissonSampler(k.h * b.p.Rate * 1e-3)
	return nil
}

// Update draws, for every local target and step, an independent Poisson
// count from that connection's own stream and delivers it directly.
func (b *poissonBlock) Update(k *Kernel, tc *Thread, lo, hi int, origin int64, from, to int) error {
	// The ring slot of each lag's arrival (one division per lag and
	// projection instead of one per spike), or -1 outside the window.
	slots := b.slots[tc.id][:0]
	for i := lo; i < hi; i++ {
		k.eachDeviceTarget(tc, b.first+i, func(p *projection, part *projPart, lo, hi int32) {
			slots = slots[:0]
			for lag := from; lag < to; lag++ {
				step := origin + int64(lag)
				slot := int64(-1)
				if b.win.active(step) {
					slot = (step + p.delay) % k.ringLen
				}
				slots = append(slots, slot)
			}
			j := lo
			if b.sampler.thresh != nil {
				j = b.sampler.drawPairs(part, j, hi, slots, p.weight)
			}
			b.sampler.drawEach(part, j, hi, slots, p.weight)
		})
	}
	b.slots[tc.id] = slots
	return nil
}

// drawEach draws, for the targets lo … hi−1 of part one after another,
// a count per ring slot (a negative slot: a lag outside the generator's
// window, no draw) and adds it, times weight, to the target's slot.
func (s poissonSampler) drawEach(part *projPart, lo, hi int32, slots []int64, weight float64) {
	for j := lo; j < hi; j++ {
		t, rng := part.tgt[j], &part.rng[j]
		for _, slot := range slots {
			if slot < 0 {
				continue
			}
			if n := s.draw(rng); n > 0 {
				part.sink.AddSpikeSlot(int(t), slot, weight, int32(n))
			}
		}
	}
}

// drawPairs is drawEach over the targets lo, lo+1, … of part
// for a sampler that inverts (λ in (0, 10)), two targets at a time: each
// stream's draws form a chain (the next state needs the last), so drawing
// for two targets side by side lets the CPU work on both chains at once.
// Every target gets the same draws in the same order, and each ring slot
// the same additions in the same order (a slot of target t gets target
// j's count before target j+1's, as in drawEach, also when both are the
// same node), so the result is the same. It returns the first target it
// left for drawEach.
func (s poissonSampler) drawPairs(part *projPart, lo, hi int32, slots []int64, weight float64) int32 {
	j := lo
	for ; j+1 < hi; j += 2 {
		t0, t1 := int(part.tgt[j]), int(part.tgt[j+1])
		r0, r1 := part.rng[j], part.rng[j+1] // in registers while drawing
		for _, slot := range slots {
			if slot < 0 {
				continue
			}
			n0, n1 := s.invert(r0.Uint64()>>11), s.invert(r1.Uint64()>>11)
			if n0 > 0 {
				part.sink.AddSpikeSlot(t0, slot, weight, int32(n0))
			}
			if n1 > 0 {
				part.sink.AddSpikeSlot(t1, slot, weight, int32(n1))
			}
		}
		part.rng[j], part.rng[j+1] = r0, r1
	}
	return j
}

// perConnectionStreams implements connectionStreams: every target draws
// its own spike train.
func (b *poissonBlock) perConnectionStreams() {}

// Status implements Block.
func (b *poissonBlock) Status(int) Dict { return GetParams(b.p) }

// PlanStatus implements Block: the parameters are shared by the block.
func (b *poissonBlock) PlanStatus(k *Kernel, locals []int, d Dict) (func(), error) {
	np := b.p
	if err := SetParams(&np, d); err != nil {
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	if err := checkShared(&b.BlockBase, locals, d, nil); err != nil {
		return nil, err
	}
	win, err := np.check(k)
	if err != nil {
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	return func() { b.p, b.win = np, win }, nil
}

// Params implements Block.
func (b *poissonBlock) Params() Model { return b.p }

// poisson_generator: no state of its own; the per-connection streams live
// with the connections (see saveProjectionState).
func (b *poissonBlock) SaveState(*StateEncoder) error   { return nil }
func (b *poissonBlock) LoadState(d *StateDecoder) error { return d.err }
