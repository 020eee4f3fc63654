package astro

import (
	"fmt"
	"reflect"
	"slices"
	"unsafe"
)

// A Block holds the nodes of one Create call in struct-of-arrays form: the
// model's parameters (shared) and the state of every node. It is the seam
// between the kernel and the models (NEST's Node, nestkernel/node.h, for a
// whole population at once): the kernel owns time, slices, delivery and
// threads and sees a model only through Block and the optional event
// interfaces below; it never names a model. The built-in models and models
// of other packages (astro/models/iafpscexp) use it alike;
// docs/adding-a-model.md, "Block level", describes the contract.
//
// Every method is required. The events (SpikeSink, SpikeSender, SICSender,
// SICReceiver, WeightChecker) and Recorder are optional: a block
// implements those its model has.
type Block interface {
	// Base returns the kernel's bookkeeping of the block: embed BlockBase
	// and this method comes with it.
	Base() *BlockBase
	// Prepare allocates buffers (input ring buffers from
	// Kernel.NewRingBuffer, …); it runs once, at the first Simulate.
	Prepare(k *Kernel) error
	// PreRun re-derives internal variables (propagators, step counts) from
	// the parameters; it runs at every Simulate (NEST's pre_run_hook).
	PreRun(k *Kernel) error
	// Update advances nodes [lo, hi) through the lags [from, to) of the
	// slice starting at step origin: step origin+lag of node i takes its
	// input for that step (RingBuffer.Take), emits its spikes
	// (Thread.Spike) and, once final, its multimeter samples
	// (Thread.Sample). Several threads call Update at once, on disjoint
	// node ranges; a block may write only its nodes' state and tc.
	Update(k *Kernel, tc *Thread, lo, hi int, origin int64, from, to int) error
	// Status returns node local's parameters and state by NEST name
	// (GetStatus), exactly the names PlanStatus accepts.
	Status(local int) Dict
	// PlanStatus checks d for nodes locals (SetStatus) and returns the
	// function that applies it; it changes nothing itself, so a bad value
	// leaves every node as it was.
	PlanStatus(k *Kernel, locals []int, d Dict) (func(), error)
	// Params returns the model the block was created with, with the
	// parameters as SetStatus left them: Create(Params(), n) rebuilds the
	// block (snapshots, the NEST export).
	Params() Model
	// SaveState writes every part of the block's dynamic state that
	// Prepare and PreRun do not derive; LoadState reads it back, in the
	// same order, into a block made by Create(Params(), n) (and prepared,
	// if the kernel was: StateEncoder.Prepared).
	SaveState(e *StateEncoder) error
	LoadState(d *StateDecoder) error
}

// The events a model handles and sends (NEST's handles_test_event and
// sends_secondary_event) are the interfaces it implements; Connect checks
// them, so a model that lacks one gets a clear error there.

// SpikeSink is implemented by blocks that receive spikes (optional). step
// is the absolute step at whose end the input is applied (docs/semantics.md,
// "When input arrives"); a block adds weight·mult to its RingBuffer for
// the step and takes it back in Update.
type SpikeSink interface {
	AddSpike(local int, step int64, weight float64, mult int32)
	// AddSpikeSlot is AddSpike with the arrival step given as its ring
	// slot (step mod the ring's length), RingBuffer.AddSlot.
	AddSpikeSlot(local int, slot int64, weight float64, mult int32)
	// AddSpikes is AddSpike for each node in locals, in order.
	AddSpikes(locals []int32, step int64, weight float64, mult int32)
}

// SpikeSender is implemented by blocks whose nodes emit spikes through the
// kernel's spike exchange (optional; Thread.Spike): they can be
// sources of any synapse and be recorded by a spike_recorder. Generators
// (BlockBase.replicated) instead hand their spikes to their targets
// directly.
type SpikeSender interface{ SendsSpikes() }

// SICSender is implemented (optionally) by blocks that emit a slow inward current, a
// continuous secondary value per step (NEST's SICEvent). vals holds, per
// node, the value of each lag of the current slice (node i's at
// vals[i·min_delay:]); nonzero[i] tells whether any of node i's values in
// the slice is non-zero. The kernel carries them to the connected
// receivers at the start of the next slice (secondary.go).
type SICSender interface {
	SICOutput() (vals []float64, nonzero []bool)
}

// SICReceiver is implemented (optionally) by blocks that handle SIC: the kernel adds
// weight·SIC into the returned ring buffer (one slot per step).
type SICReceiver interface {
	SICInput() *RingBuffer
}

// WeightChecker is implemented (optionally) by blocks that accept only some spike
// weights; Connect calls it with every weight a connection can carry. It
// returns "" for an accepted weight, otherwise the rule, e.g.
// "astrocyte_lr_1994 accepts only weights ≥ 0".
type WeightChecker interface {
	WeightRule(w float64) string
}

// weightScaler is implemented by generators whose spikes carry their own
// weight factors (spike_generator's spike_weights).
type weightScaler interface {
	weightScales() []float64
}

// connectionStreams is implemented by generators that draw random numbers
// per connection (poisson_generator): the kernel gives every connection
// from them its own stream (prepare.go, seedPoisson).
type connectionStreams interface{ perConnectionStreams() }

// eventFilter is implemented by blocks whose Go type has the methods of
// more events than their model handles or sends (one block type serves
// every ODEModel): implements reports whether the model has the event
// interface t.
type eventFilter interface{ implements(t reflect.Type) bool }

// as returns b as the event interface T if b's model has that event; the
// kernel asks for events only through it.
func as[T any](b Block) (T, bool) {
	x, ok := b.(T)
	if ok {
		if f, filtered := b.(eventFilter); filtered && !f.implements(reflect.TypeFor[T]()) {
			var zero T
			return zero, false
		}
	}
	return x, ok
}

// Recorder is implemented (optionally) by blocks with recordables
// (multimeter targets, NEST's RecordablesMap).
type Recorder interface {
	Recordables() []string
	// Value returns recordable number idx of node local.
	Value(local, idx int) float64
}

// recordables lists a model's recordables (NEST's RecordablesMap): names
// and getters, in the order GetStatus and record_from errors list them.
type recordables[B any] []struct {
	name string
	get  func(b B, local int) float64
}

func (r recordables[B]) names() []string {
	out := make([]string, len(r))
	for i, x := range r {
		out[i] = x.name
	}
	return out
}

// cacheLinePad separates per-thread data that is written often (two cache
// lines, covering adjacent-line prefetch).
const cacheLinePad = 128

// alignedNew returns a new zero T at a 64-byte boundary, with cacheLinePad
// unused bytes after it. The vector path keeps its per-thread state this
// way: its 32-byte vectors sit at multiples of 32 inside the state, so none
// straddles two cache lines. Go aligns them only to 8, and a thread whose
// state landed at a bad offset ran its vector steps 5–10 % slower than the
// other, which then waited for it at every phase. T must hold no pointers
// (the memory is a []byte, which the garbage collector does not scan);
// TestAlignedNew checks the types it is used for.
func alignedNew[T any]() *T {
	const align = 64
	buf := make([]byte, unsafe.Sizeof(*new(T))+align+cacheLinePad)
	off := (align - uintptr(unsafe.Pointer(unsafe.SliceData(buf)))%align) % align
	return (*T)(unsafe.Pointer(&buf[off]))
}

// BlockBase is what every block shares: the kernel's bookkeeping of it
// (model, node IDs, thread ranges, multimeters). A block embeds it; its
// fields are the kernel's, read through First, Len and Recorded.
type BlockBase struct {
	model string
	index int32 // position in Kernel.blocks
	first int   // node ID of the first node
	n     int
	// replicated devices (generators) are updated by every thread, each for
	// its local targets; other blocks are split into contiguous ranges.
	replicated bool
	lo, hi     []int // per thread: local index range
	// subs lists, per node, the multimeters recording it (nil if none).
	subs [][]int32
}

func (b *BlockBase) Base() *BlockBase { return b }

// recorded tells whether a multimeter records any of nodes [lo, hi).
func (b *BlockBase) recorded(lo, hi int) bool {
	return b.subs != nil && slices.ContainsFunc(b.subs[lo:hi], func(s []int32) bool { return s != nil })
}

// owner returns the thread that owns node local.
func (b *BlockBase) owner(local int) int {
	for t := range b.lo {
		if local >= b.lo[t] && local < b.hi[t] {
			return t
		}
	}
	return 0
}

// partition splits the block over threads.
func (b *BlockBase) partition(threads int) {
	b.lo, b.hi = make([]int, threads), make([]int, threads)
	for t := 0; t < threads; t++ {
		if b.replicated {
			b.lo[t], b.hi[t] = 0, b.n
			continue
		}
		b.lo[t] = b.n * t / threads
		b.hi[t] = b.n * (t + 1) / threads
	}
}

// Model is a node model with its parameters, passed to Kernel.Create. The
// Default… constructors return NEST's defaults.
type Model interface {
	// ModelName returns NEST's model name, e.g. "aeif_cond_alpha_astro".
	ModelName() string
	// NewBlock is called by Kernel.Create: it validates the parameters
	// (an error names the NEST parameter and its allowed range) and
	// returns a block of n nodes in their initial state.
	NewBlock(k *Kernel, n int) (Block, error)
	// NodeBytes estimates a node's memory, for the checks before anything
	// is allocated (limits.go): bytes per node (state, derivatives, step
	// sizes, the kernel's per-node tables) and the number of its input
	// channels with a ring buffer (8 bytes per slot each).
	NodeBytes() (fixed, channels float64)
}

// Create makes n nodes of the given model (NEST's Create) and returns them.
func (k *Kernel) Create(m Model, n int) (NodeCollection, error) {
	if err := k.enter("create"); err != nil {
		return NodeCollection{}, err
	}
	defer k.leave()
	if m == nil {
		return NodeCollection{}, fmt.Errorf("create: model is nil")
	}
	if err := k.checkMutable("create " + m.ModelName()); err != nil {
		return NodeCollection{}, err
	}
	if n < 1 || n > 1<<30 {
		return NodeCollection{}, fmt.Errorf("create %s: n = %d: must be in [1, 2^30]", m.ModelName(), n)
	}
	if len(k.nodes)+n > 1<<31-1 {
		return NodeCollection{}, fmt.Errorf("create %s: too many nodes", m.ModelName())
	}
	if err := k.reserveNodes(m, n); err != nil {
		return NodeCollection{}, err
	}
	b, err := m.NewBlock(k, n)
	if err != nil {
		return NodeCollection{}, err
	}
	bb := b.Base()
	bb.model, bb.first, bb.n = m.ModelName(), len(k.nodes)+1, n
	bb.index = int32(len(k.blocks))
	ids := make([]int, n)
	bi := int32(len(k.blocks))
	for i := range n {
		k.nodes = append(k.nodes, nodeRef{block: bi, local: int32(i)})
		ids[i] = bb.first + i
	}
	k.blocks = append(k.blocks, b)
	k.record(Call{Op: OpCreate, Model: m, N: n, Nodes: NodeCollection{ids: ids}})
	k.commitNodes(m, n)
	return NodeCollection{ids: ids}, nil
}

// RingBuffer is NEST's ring buffer for one input channel of n nodes
// (Kernel.NewRingBuffer; Add, Take): slot
// (absolute step mod ringLen), one value per node, laid out slot-major.
type RingBuffer struct {
	n, slots int64
	v        []float64
}

func newRingBuffer(n int, slots int64) RingBuffer {
	return RingBuffer{n: int64(n), slots: slots, v: make([]float64, int64(n)*slots)}
}

func (r *RingBuffer) add(local int, step int64, x float64) {
	r.v[(step%r.slots)*r.n+int64(local)] += x
}

// addSlot adds x to the value of node local in ring slot slot.
func (r *RingBuffer) addSlot(local int, slot int64, x float64) {
	r.v[slot*r.n+int64(local)] += x
}

// addAll adds x to the value of every node in locals for step; the slot is
// found once (one division instead of one per node).
func (r *RingBuffer) addAll(locals []int32, step int64, x float64) {
	v := r.v[(step%r.slots)*r.n:][:r.n]
	for _, l := range locals {
		v[l] += x
	}
}

// base returns the offset of step's slot in v (one division, which the
// vector path does once per step instead of once per node).
func (r *RingBuffer) base(step int64) int64 { return (step % r.slots) * r.n }

// take returns and clears the value of node local for step.
func (r *RingBuffer) take(local int, step int64) float64 {
	return r.takeAt(r.base(step), local)
}

// takeAt is take with the step's slot given as base(step): buffers of the
// same size and slot count share it, and one 64-bit division per step is
// cheaper than one per buffer.
func (r *RingBuffer) takeAt(base int64, local int) float64 {
	i := base + int64(local)
	x := r.v[i]
	r.v[i] = 0
	return x
}

// eachDeviceTarget calls fn for every part (thread-local targets in one
// block) of the projections of device node gid that live on thread tc,
// with the range [lo, hi) of the part's entries that belong to gid: a device
// replica serves its own thread's targets directly (docs/semantics.md, "Devices").
func (k *Kernel) eachDeviceTarget(tc *Thread, gid int, fn func(p *projection, part *projPart, lo, hi int32)) {
	for _, pi := range k.outProj[gid-1] {
		p := k.projs[pi]
		row := p.rowOf(int32(gid))
		for j := range p.parts[tc.id] {
			part := &p.parts[tc.id][j]
			if lo, hi := part.off[row], part.off[row+1]; lo < hi {
				fn(p, part, lo, hi)
			}
		}
	}
}
