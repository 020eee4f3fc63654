package astro

import (
	"fmt"
	"reflect"
	"slices"
	"unsafe"
)

// A block holds the nodes of one Create call in struct-of-arrays form: the
// model's parameters (shared) and the state of every node. It is the seam
// between the kernel and the models (NEST's Node, nestkernel/node.h, for a
// whole population at once): the kernel owns time, slices, delivery and
// threads and sees a model only through nodeBlock and the optional event
// interfaces below; it never names a model. docs/adding-a-model.md
// describes the contract.
type nodeBlock interface {
	base() *blockBase
	// prepare allocates buffers; it runs once, at the first Simulate.
	prepare(k *Kernel) error
	// preRun re-derives internal variables; it runs at every Simulate
	// (NEST's pre_run_hook).
	preRun(k *Kernel) error
	// update advances nodes [lo, hi) through the lags [from, to) of the slice
	// starting at step origin.
	update(k *Kernel, tc *threadCtx, lo, hi int, origin int64, from, to int) error
	// status returns node local's parameters and state by NEST name
	// (GetStatus), exactly the names planStatus accepts.
	status(local int) Dict
	// planStatus checks d for nodes locals (SetStatus) and returns the
	// function that applies it; it changes nothing itself.
	planStatus(k *Kernel, locals []int, d Dict) (func(), error)
	// params returns the model the block was created with, with the
	// parameters as SetStatus left them: Create(params(), n) rebuilds the
	// block (snapshots, the NEST export).
	params() Model
	// saveState writes every part of the block's dynamic state that
	// prepare and preRun do not derive; loadState reads it back into a
	// block made by Create(params(), n) (and prepared, if the kernel was).
	saveState(e *snapEncoder) error
	loadState(d *snapDecoder) error
}

// The events a model handles and sends (NEST's handles_test_event and
// sends_secondary_event) are the interfaces it implements; Connect checks
// them, so a model that lacks one gets a clear error there.

// spikeSink is implemented by blocks that receive spikes. step is the
// absolute step at whose end the input is applied (docs/semantics.md,
// "When input arrives").
type spikeSink interface {
	addSpike(local int, step int64, weight float64, mult int32)
	// addSpikeSlot is addSpike with the arrival step given as its ring
	// slot, (step mod the kernel's ringLen).
	addSpikeSlot(local int, slot int64, weight float64, mult int32)
	// addSpikes is addSpike for each node in locals, in order.
	addSpikes(locals []int32, step int64, weight float64, mult int32)
}

// spikeSender is implemented by blocks whose nodes emit spikes through the
// kernel's spike exchange (appended to threadCtx.spikes): they can be
// sources of any synapse and be recorded by a spike_recorder. Generators
// (blockBase.replicated) instead hand their spikes to their targets
// directly.
type spikeSender interface{ sendsSpikes() }

// sicSender is implemented by blocks that emit a slow inward current, a
// continuous secondary value per step (NEST's SICEvent). vals holds, per
// node, the value of each lag of the current slice (node i's at
// vals[i·min_delay:]); nonzero[i] tells whether any of node i's values in
// the slice is non-zero. The kernel carries them to the connected
// receivers at the start of the next slice (secondary.go).
type sicSender interface {
	sicOutput() (vals []float64, nonzero []bool)
}

// sicReceiver is implemented by blocks that handle SIC: the kernel adds
// weight·SIC into the returned ring buffer (one slot per step).
type sicReceiver interface {
	sicInput() *ringBuffer
}

// weightChecker is implemented by blocks that accept only some spike
// weights; Connect calls it with every weight a connection can carry. It
// returns "" for an accepted weight, otherwise the rule, e.g.
// "astrocyte_lr_1994 accepts only weights ≥ 0".
type weightChecker interface {
	weightRule(w float64) string
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
func as[T any](b nodeBlock) (T, bool) {
	x, ok := b.(T)
	if ok {
		if f, filtered := b.(eventFilter); filtered && !f.implements(reflect.TypeFor[T]()) {
			var zero T
			return zero, false
		}
	}
	return x, ok
}

// recorder is implemented by blocks with recordables (multimeter targets).
type recorder interface {
	recordables() []string
	// value returns recordable number idx of node local.
	value(local, idx int) float64
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

// blockBase is what every block shares.
type blockBase struct {
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

func (b *blockBase) base() *blockBase { return b }

// recorded tells whether a multimeter records any of nodes [lo, hi).
func (b *blockBase) recorded(lo, hi int) bool {
	return b.subs != nil && slices.ContainsFunc(b.subs[lo:hi], func(s []int32) bool { return s != nil })
}

// owner returns the thread that owns node local.
func (b *blockBase) owner(local int) int {
	for t := range b.lo {
		if local >= b.lo[t] && local < b.hi[t] {
			return t
		}
	}
	return 0
}

// partition splits the block over threads.
func (b *blockBase) partition(threads int) {
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
	newBlock(k *Kernel, n int) (nodeBlock, error)
	// nodeBytes estimates a node's memory, for the checks before anything
	// is allocated (limits.go): bytes per node (state, derivatives, step
	// sizes, the kernel's per-node tables) and the number of its input
	// channels with a ring buffer (8 bytes per slot each).
	nodeBytes() (fixed, channels float64)
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
	b, err := m.newBlock(k, n)
	if err != nil {
		return NodeCollection{}, err
	}
	bb := b.base()
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

// ringBuffer is NEST's ring buffer for one input channel of n nodes: slot
// (absolute step mod ringLen), one value per node, laid out slot-major.
type ringBuffer struct {
	n, slots int64
	v        []float64
}

func newRingBuffer(n int, slots int64) ringBuffer {
	return ringBuffer{n: int64(n), slots: slots, v: make([]float64, int64(n)*slots)}
}

func (r *ringBuffer) add(local int, step int64, x float64) {
	r.v[(step%r.slots)*r.n+int64(local)] += x
}

// addSlot adds x to the value of node local in ring slot slot.
func (r *ringBuffer) addSlot(local int, slot int64, x float64) {
	r.v[slot*r.n+int64(local)] += x
}

// addAll adds x to the value of every node in locals for step; the slot is
// found once (one division instead of one per node).
func (r *ringBuffer) addAll(locals []int32, step int64, x float64) {
	v := r.v[(step%r.slots)*r.n:][:r.n]
	for _, l := range locals {
		v[l] += x
	}
}

// base returns the offset of step's slot in v (one division, which the
// vector path does once per step instead of once per node).
func (r *ringBuffer) base(step int64) int64 { return (step % r.slots) * r.n }

// take returns and clears the value of node local for step.
func (r *ringBuffer) take(local int, step int64) float64 {
	i := (step%r.slots)*r.n + int64(local)
	x := r.v[i]
	r.v[i] = 0
	return x
}

// eachDeviceTarget calls fn for every part (thread-local targets in one
// block) of the projections of device node gid that live on thread tc,
// with the range [lo, hi) of the part's entries that belong to gid: a device
// replica serves its own thread's targets directly (docs/semantics.md, "Devices").
func (k *Kernel) eachDeviceTarget(tc *threadCtx, gid int, fn func(p *projection, part *projPart, lo, hi int32)) {
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
