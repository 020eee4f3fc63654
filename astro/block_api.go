package astro

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The block level of the model API: what a model needs that holds its
// nodes itself, with its own integration scheme (docs/adding-a-model.md,
// "Block level"; astro/models/iafpscexp is a complete example outside the
// package). The built-in models use the same seam (blocks.go); the kernel's
// internals stay hidden behind these methods.

// First returns the node ID of the block's first node; node local has ID
// First()+local.
func (b *BlockBase) First() int { return b.first }

// Len returns the number of nodes in the block.
func (b *BlockBase) Len() int { return b.n }

// ModelName returns the name of the model the block was created with.
func (b *BlockBase) ModelName() string { return b.model }

// Recorded tells whether a multimeter records node local: only then need
// Update call Thread.Sample for it.
func (b *BlockBase) Recorded(local int) bool { return b.subs != nil && b.subs[local] != nil }

// ID returns the thread's number, in [0, Kernel.Threads()).
func (tc *Thread) ID() int { return tc.id }

// Spike emits a spike of node local of block b (multiplicity mult ≥ 1) in
// the resolution step step: the spike belongs to the end of the step
// (time (step+1)·h, NEST's set_spiketime(origin + lag + 1)). Only blocks
// that implement SpikeSender may call it, from Update.
func (tc *Thread) Spike(b *BlockBase, local int, step int64, mult int32) {
	tc.spikes = append(tc.spikes, spikeEvent{stamp: step + 1, gid: int32(b.first + local), mult: mult})
}

// Sample hands the multimeters recording node local of block b their
// samples for step step (taken if the step's end is on a multimeter's
// interval and in its window). Call it once the step's state is final, for
// nodes with b.Recorded(local); rec is the block (NEST's
// logger_.record_data).
func (tc *Thread) Sample(k *Kernel, b *BlockBase, rec Recorder, local int, step int64) {
	k.sample(tc, b, rec, local, step)
}

// NewRingBuffer returns a ring buffer for one input channel of n nodes,
// with one slot per step of the longest delay (allocate it in Prepare).
func (k *Kernel) NewRingBuffer(n int) RingBuffer { return newRingBuffer(n, k.ringLen) }

// CheckRefractory checks a refractory period t_ref (ms) of model model
// against the longest period a step counter holds at this resolution.
// Round(t_ref / Resolution()) is then NEST's RefractoryCounts.
func (k *Kernel) CheckRefractory(model string, tRef float64) error {
	if !(tRef >= 0) {
		return fmt.Errorf("%s: t_ref = %g ms: must be ≥ 0", model, tRef)
	}
	return k.checkRefractory(model, tRef)
}

// Add adds x to the value of node local for the absolute step step.
func (r *RingBuffer) Add(local int, step int64, x float64) { r.add(local, step, x) }

// AddSlot adds x to the value of node local in ring slot slot (step mod the
// number of slots).
func (r *RingBuffer) AddSlot(local int, slot int64, x float64) { r.addSlot(local, slot, x) }

// AddAll adds x to the value of every node in locals for step.
func (r *RingBuffer) AddAll(locals []int32, step int64, x float64) { r.addAll(locals, step, x) }

// Take returns and clears the value of node local for step (NEST's
// RingBuffer::get_value).
func (r *RingBuffer) Take(local int, step int64) float64 { return r.take(local, step) }

// Prepared tells whether the kernel has simulated (and the blocks'
// Prepare has run): before, a block saves only the state that exists
// without Prepare (docs/adding-a-model.md, "Snapshots").
func (e *StateEncoder) Prepared() bool { return e.k.prepared }

// PutFloat64s writes a float64 slice (state vector, one value per node).
func (e *StateEncoder) PutFloat64s(v []float64) { e.f64s(v) }

// PutInt32s writes an int32 slice (e.g. refractory counters).
func (e *StateEncoder) PutInt32s(v []int32) { e.i32s(v) }

// PutBools writes a bool slice.
func (e *StateEncoder) PutBools(v []bool) { e.bools(v) }

// PutRing writes a ring buffer's contents.
func (e *StateEncoder) PutRing(r *RingBuffer) { saveRing(e, r) }

// GetFloat64s reads a slice written by PutFloat64s into dst, which must
// have the length it had when saved: any other length, or a short or
// corrupt snapshot, is an error naming what (it never allocates).
func (d *StateDecoder) GetFloat64s(what string, dst []float64) { d.f64sInto(what, dst) }

// GetInt32s is GetFloat64s for PutInt32s.
func (d *StateDecoder) GetInt32s(what string, dst []int32) { d.i32sInto(what, dst) }

// GetBools is GetFloat64s for PutBools.
func (d *StateDecoder) GetBools(what string, dst []bool) { d.boolsInto(what, dst) }

// GetRing reads a ring buffer written by PutRing into r, which must have
// the same size (made by Kernel.NewRingBuffer of a kernel with the same
// delays).
func (d *StateDecoder) GetRing(what string, r *RingBuffer) { loadRing(d, what, r) }

// Prepared tells whether the kernel being loaded is prepared (the saved
// one had simulated): then the block's Prepare has run and LoadState reads
// what SaveState wrote under StateEncoder.Prepared.
func (d *StateDecoder) Prepared() bool { return d.k.prepared }

// Err returns the first error of the reads so far; LoadState returns it.
func (d *StateDecoder) Err() error { return d.err }

// builtinModels holds the names the package registers itself.
var builtinModels = map[string]bool{}

// Register makes a model from another package known by its name to
// NewModel and Load (a snapshot rebuilds its nodes by name); defaults
// returns the model with its default parameters. Registering the same name
// again replaces it (a notebook cell run twice); a built-in model's name is
// refused. Register before building kernels. Models whose parameters are a
// struct are stored in snapshots by their nest-tagged fields (SetParams).
func Register(defaults func() Model) error {
	if defaults == nil {
		return fmt.Errorf("Register: defaults is nil")
	}
	m := defaults()
	if m == nil {
		return fmt.Errorf("Register: defaults returned a nil model")
	}
	name := m.ModelName()
	if name == "" || strings.ContainsAny(name, " \t\n") {
		return fmt.Errorf("Register: model name %q: must be non-empty, without spaces", name)
	}
	if builtinModels[name] {
		return fmt.Errorf("Register: %s is a built-in model; choose another name (built-ins: %s)",
			name, strings.Join(slices.Sorted(maps.Keys(builtinModels)), ", "))
	}
	modelDefaults[name] = defaults
	return nil
}
