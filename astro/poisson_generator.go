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

// nodeBytes implements Model (its connections' streams are counted with
// the connections).
func (PoissonGenerator) nodeBytes() (fixed, channels float64) { return 150, 0 }

func init() { registerModel(func() Model { return PoissonGenerator{} }) }

func (p PoissonGenerator) newBlock(k *Kernel, n int) (nodeBlock, error) {
	win, err := p.check(k)
	if err != nil {
		return nil, err
	}
	return &poissonBlock{blockBase: blockBase{replicated: true}, p: p, win: win}, nil
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
	blockBase
	p       PoissonGenerator
	win     activeWindow
	sampler poissonSampler
	slots   [][]int64 // per thread: scratch of update
}

func (b *poissonBlock) prepare(k *Kernel) error {
	b.slots = make([][]int64, k.threads)
	return nil
}

func (b *poissonBlock) preRun(k *Kernel) error {
	b.sampler = newPoissonSampler(k.h * b.p.Rate * 1e-3)
	return nil
}

// update draws, for every local target and step, an independent Poisson
// count from that connection's own stream and delivers it directly.
func (b *poissonBlock) update(k *Kernel, tc *threadCtx, lo, hi int, origin int64, from, to int) error {
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
			for j := lo; j < hi; j++ {
				t, rng := part.tgt[j], &part.rng[j]
				for _, slot := range slots {
					if slot < 0 {
						continue
					}
					if n := b.sampler.draw(rng); n > 0 {
						part.sink.addSpikeSlot(int(t), slot, p.weight, int32(n))
					}
				}
			}
		})
	}
	b.slots[tc.id] = slots
	return nil
}

// perConnectionStreams implements connectionStreams: every target draws
// its own spike train.
func (b *poissonBlock) perConnectionStreams() {}

// status implements nodeBlock.
func (b *poissonBlock) status(int) Dict { return GetParams(b.p) }

// planStatus implements nodeBlock: the parameters are shared by the block.
func (b *poissonBlock) planStatus(k *Kernel, locals []int, d Dict) (func(), error) {
	np := b.p
	if err := SetParams(&np, d); err != nil {
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	if err := checkShared(&b.blockBase, locals, d, nil); err != nil {
		return nil, err
	}
	win, err := np.check(k)
	if err != nil {
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	return func() { b.p, b.win = np, win }, nil
}

// params implements nodeBlock.
func (b *poissonBlock) params() Model { return b.p }

// poisson_generator: no state of its own; the per-connection streams live
// with the connections (see saveProjectionState).
func (b *poissonBlock) saveState(*snapEncoder) error   { return nil }
func (b *poissonBlock) loadState(d *snapDecoder) error { return d.err }
