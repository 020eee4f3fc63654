package astro

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// DefaultRNGSeed is NEST's default rng_seed.
const DefaultRNGSeed = 143202461

// KernelConfig holds the kernel settings NEST calls resolution,
// local_num_threads and rng_seed. Zero values select NEST's defaults.
type KernelConfig struct {
	// Resolution is the simulation step h in ms (default 0.1). It must be a
	// whole number of microseconds (NEST's 1000 tics per ms).
	Resolution float64 `nest:"resolution"`
	// LocalNumThreads is the number of worker threads (default 1). Results do
	// not depend on it.
	LocalNumThreads int `nest:"local_num_threads"`
	// RNGSeed seeds every random stream (default 143202461, NEST's default).
	RNGSeed uint64 `nest:"rng_seed"`
	// MemoryLimit is the memory budget in bytes for the kernel's estimated
	// size (nodes, connections, ring buffers); Create, Connect and Simulate
	// refuse work beyond it before allocating. 0 (default): the memory the
	// machine has available (see Kernel.MemoryBudget).
	MemoryLimit int64 `nest:"-"`
}

// Kernel is one simulation: nodes, connections, time. It mirrors NEST's
// kernel: Create, Connect, TripartiteConnect, Simulate, and the recorders'
// events. A Kernel is not safe for concurrent use; it runs its own threads.
// A call that changes it while another one runs (from a second goroutine
// or from the progress callback) fails with an error.
type Kernel struct {
	h           float64 // resolution (ms)
	ticsPerStep int64   // tics (µs) per step
	threads     int
	seed        uint64

	nodes  []nodeRef // indexed by node ID - 1
	blocks []Block

	projs        []*projection
	connectCalls uint64

	spikeRecs []*spikeRecorder
	mms       []*multimeter

	prepared   bool
	vecOn      bool // the updates take the vector path (vecpath.go)
	vecForced  bool // vecOn was set by the calibration, not chosen at prepare
	failed     error
	minDelay   int64 // steps
	maxDelay   int64 // steps
	ringLen    int64 // minDelay + maxDelay
	step       int64 // current time in steps (steps simulated so far)
	sliceStart int64 // origin of the most recently started slice
	slices     int64 // completed slices

	sicSrcs   []sicSource    // SIC senders (secondary.go)
	sicPlans  []sicPlan      // per thread: SIC receivers and their inputs
	outProj   [][]int32      // node ID - 1 -> spike-carrying projections it is a source of
	nodeWhere []int32        // node ID - 1 -> owner thread·len(blocks) + block (during prepare)
	recOf     [][]int32      // node ID - 1 -> spike recorders it is connected to
	tcs       []*Thread      // one per thread
	workers   *workers       // during Simulate with more than one thread
	pending   []spikeEvent   // spikes of the last completed slice, sorted
	deliv     []delivery     // the pending spikes, resolved per projection
	progress  func(Progress) // optional Simulate progress callback

	stats Stats

	history  []Call       // successful public calls, for export (history.go)
	guard    *kernelGuard // busy flag (busy.go); kept by ResetKernel
	memLimit int64        // KernelConfig.MemoryLimit
	mem      memAccount   // estimated size (limits.go)
	// loadCheck, while a snapshot loads, checks an estimate (bytes) against
	// the data still to come (snapshot_format.go).
	loadCheck func(what string, total float64) error
}

// Stats counts what a simulation did; see Kernel.Stats.
type Stats struct {
	// Spikes is the number of spike events emitted by nodes that go through
	// the spike exchange (neurons and parrots), multiplicity not counted.
	Spikes int64
	// Deliveries is the number of spike events handed to targets through
	// connections of neurons (not devices).
	Deliveries int64
}

// nodeRef locates a node: its block and index inside the block.
type nodeRef struct {
	block int32
	local int32
}

// spikeEvent is one emitted spike: stamp in steps (time = stamp·h), sender
// node ID and multiplicity.
type spikeEvent struct {
	stamp int64
	gid   int32
	mult  int32
}

// delivery is a pending spike resolved for one projection: the absolute step
// at whose end it is applied, and the weight the synapse transmits.
type delivery struct {
	proj   *projection
	row    int32
	step   int64
	weight float64
	mult   int32
}

// Thread is the per-thread scratch and output space.
type Thread struct {
	id      int
	spikes  []spikeEvent
	samples []sampleBuf // per multimeter
	err     error
	fault   error // an update's error found where it cannot be returned
}

// NewKernel returns an empty kernel (NEST's ResetKernel plus settings).
func NewKernel(cfg KernelConfig) (*Kernel, error) {
	if cfg.Resolution == 0 {
		cfg.Resolution = 0.1
	}
	if cfg.LocalNumThreads == 0 {
		cfg.LocalNumThreads = 1
	}
	if cfg.RNGSeed == 0 {
		cfg.RNGSeed = DefaultRNGSeed
	}
	if !(cfg.Resolution > 0) || math.IsInf(cfg.Resolution, 0) {
		return nil, fmt.Errorf("kernel: resolution = %g ms: must be > 0", cfg.Resolution)
	}
	tics := math.Round(cfg.Resolution * 1000)
	if tics < 1 || math.Abs(tics-cfg.Resolution*1000) > 1e-9*tics {
		return nil, fmt.Errorf("kernel: resolution = %g ms: must be a positive multiple of 0.001 ms", cfg.Resolution)
	}
	if err := checkResolution(cfg.Resolution); err != nil {
		return nil, err
	}
	if cfg.MemoryLimit < 0 {
		return nil, fmt.Errorf("kernel: MemoryLimit = %d bytes: must be ≥ 0 (0: the memory the machine has available)", cfg.MemoryLimit)
	}
	if cfg.LocalNumThreads < 1 || cfg.LocalNumThreads > 1024 {
		return nil, fmt.Errorf("kernel: local_num_threads = %d: must be in [1, 1024]", cfg.LocalNumThreads)
	}
	return &Kernel{h: cfg.Resolution, ticsPerStep: int64(tics), threads: cfg.LocalNumThreads, seed: cfg.RNGSeed,
		guard: &kernelGuard{}, memLimit: cfg.MemoryLimit}, nil
}

// ResetKernel empties the kernel (NEST's ResetKernel): all nodes,
// connections, recorded events and the time are gone, and a kernel that
// refused to continue after an error becomes usable again. Unlike NEST's,
// it keeps the settings (resolution, local_num_threads, rng_seed) and the
// progress callback, so a reset kernel rebuilt the same way reproduces the
// same results.
func (k *Kernel) ResetKernel() {
	if !k.enterReset() {
		return
	}
	*k = Kernel{h: k.h, ticsPerStep: k.ticsPerStep, threads: k.threads, seed: k.seed, progress: k.progress,
		guard: k.guard, memLimit: k.memLimit}
	k.leave()
}

// Resolution returns the step h in ms.
func (k *Kernel) Resolution() float64 { return k.h }

// Threads returns the number of worker threads.
func (k *Kernel) Threads() int { return k.threads }

// Time returns the current model time in ms.
func (k *Kernel) Time() float64 { return k.stepsToMs(k.step) }

// MinDelay and MaxDelay return the smallest and largest connection delay in
// ms; they are fixed by the first Simulate call.
func (k *Kernel) MinDelay() float64 { return k.stepsToMs(k.minDelay) }

// MaxDelay returns the largest connection delay in ms (see MinDelay).
func (k *Kernel) MaxDelay() float64 { return k.stepsToMs(k.maxDelay) }

// NumNodes returns the number of nodes created so far.
func (k *Kernel) NumNodes() int { return len(k.nodes) }

// Stats returns counters of the work done so far.
func (k *Kernel) Stats() Stats { return k.stats }

// SetProgress installs a function called after every slice of Simulate and
// once at its end (nil removes it). NEST's print_time, as a callback.
func (k *Kernel) SetProgress(fn func(Progress)) { k.progress = fn }

// stepsToMs converts steps to ms the way NEST does: tics × 0.001.
func (k *Kernel) stepsToMs(s int64) float64 { return float64(s*k.ticsPerStep) * 0.001 }

// msToSteps converts a time or delay in ms to whole steps; ok is false if
// it is not on the time grid.
func (k *Kernel) msToSteps(ms float64) (int64, bool) {
	s := math.Round(ms / k.h)
	if !(math.Abs(s) <= float64(k.maxSteps())) {
		return 0, false
	}
	return int64(s), math.Abs(s*k.h-ms) <= 1e-9*math.Max(1, math.Abs(ms))
}

// delaySteps validates a connection delay (ms) and converts it to steps.
func (k *Kernel) delaySteps(model string, d float64) (int64, error) {
	if !(d > 0) || math.IsInf(d, 0) {
		return 0, fmt.Errorf("%s: delay = %g ms: must be ≥ the resolution %g ms", model, d, k.h)
	}
	if err := k.checkTime(model, "delay", d); err != nil {
		return 0, err
	}
	s, ok := k.msToSteps(d)
	if !ok || s < 1 {
		return 0, fmt.Errorf("%s: delay = %g ms: must be a multiple of the resolution %g ms and ≥ it", model, d, k.h)
	}
	return s, nil
}

func (k *Kernel) checkMutable(what string) error {
	if k.failed != nil {
		return fmt.Errorf("%s: kernel is unusable after an earlier error (%v); call ResetKernel", what, k.failed)
	}
	if k.prepared {
		return fmt.Errorf("%s: not possible after Simulate was called (the network is frozen)", what)
	}
	return nil
}

// ref returns the block and local index of a node ID.
func (k *Kernel) ref(gid int) (Block, int, error) {
	if gid < 1 || gid > len(k.nodes) {
		return nil, 0, fmt.Errorf("node ID %d does not exist (valid: 1..%d)", gid, len(k.nodes))
	}
	r := k.nodes[gid-1]
	return k.blocks[r.block], int(r.local), nil
}

// simulate is Simulate and SimulateContext (cancel.go): it advances the
// network by t ms, stopping early at a slice boundary if ctx is done.
func (k *Kernel) simulate(ctx context.Context, t float64) error {
	if k.failed != nil {
		return fmt.Errorf("simulate: kernel is unusable after an earlier error (%v); call ResetKernel", k.failed)
	}
	n, err := k.simulateSteps(t)
	if err != nil {
		return err
	}
	if err := k.checkRecordingMemory(t, n); err != nil {
		return err
	}
	if err := k.checkPrepareMemory(); err != nil {
		return err
	}
	if !k.prepared {
		if err := k.prepare(); err != nil {
			k.failed = err
			return err
		}
	}
	for _, b := range k.blocks {
		if err := b.PreRun(k); err != nil {
			return err
		}
	}
	if useWorkers(k.threads) {
		k.workers = startWorkers(k.tcs)
		defer func() {
			k.workers.stop()
			k.workers = nil
		}()
	}
	startMs, endMs := k.Time(), k.stepsToMs(k.step+n)
	began := time.Now()
	report := func(done bool) {
		if k.progress != nil {
			k.pause() // reading calls (Save, GetStatus, events) may run meanwhile
			k.progress(Progress{StartMs: startMs, EndMs: endMs, NowMs: k.Time(), Elapsed: time.Since(began), Done: done})
			k.resume()
		}
	}
	report(false)
	end := k.step + n
	for k.step < end {
		origin := k.step - k.step%k.minDelay // slices start at multiples of min_delay
		from := int(k.step - origin)
		to := int(min(k.minDelay, int64(from)+end-k.step))
		if from == 0 {
			k.sliceStart = origin
		}
		if from == 0 && k.slices > 0 {
			k.resolveDeliveries()
			// Delivery reads the astrocytes' SIC values of the last slice on
			// every thread, so all of it must finish before any thread
			// updates (and overwrites them): two phases, one barrier.
			if err := k.parallel(func(tc *Thread) error {
				k.deliver(tc)
				return nil
			}); err != nil {
				k.failed = err
				return err
			}
		}
		if err := k.parallel(func(tc *Thread) error {
			return k.updateThread(tc, origin, from, to)
		}); err != nil {
			k.failed = err
			return err
		}
		k.step = origin + int64(to)
		if int64(to) == k.minDelay {
			k.gather()
			k.slices++
			report(false)
			if err := k.interrupted(ctx, end); err != nil {
				report(true)
				// The time that did run is part of the kernel's history.
				k.record(Call{Op: OpSimulate, Time: k.stepsToMs(k.step - (end - n))})
				return err
			}
		}
	}
	report(true)
	k.record(Call{Op: OpSimulate, Time: t})
	return nil
}

// parallel runs fn once per thread and returns the first error (in thread
// order, so the reported error does not depend on timing). A panic in a
// worker (an engine bug) is returned as an error rather than crashing the
// caller's program.
func (k *Kernel) parallel(fn func(tc *Thread) error) error {
	run := func(tc *Thread) {
		defer func() {
			if r := recover(); r != nil {
				tc.err = fmt.Errorf("astro: internal error on thread %d at t = %g ms: %v", tc.id, k.Time(), r)
			}
		}()
		tc.err = fn(tc)
	}
	if k.threads == 1 {
		run(k.tcs[0])
		return k.tcs[0].err
	}
	if k.workers != nil {
		k.workers.run(run)
		return k.firstError()
	}
	var wg sync.WaitGroup
	for _, tc := range k.tcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(tc)
		}()
	}
	wg.Wait()
	return k.firstError()
}

// firstError returns the first thread's error, in thread order.
func (k *Kernel) firstError() error {
	for _, tc := range k.tcs {
		if tc.err != nil {
			return tc.err
		}
	}
	return nil
}

// updateThread updates all nodes local to the thread for lags [from, to).
func (k *Kernel) updateThread(tc *Thread, origin int64, from, to int) error {
	for _, b := range k.blocks {
		bb := b.Base()
		lo, hi := bb.lo[tc.id], bb.hi[tc.id]
		if lo >= hi {
			continue
		}
		clearUpper() // whatever ran before (a preemption, too): see clearUpper
		if err := b.Update(k, tc, lo, hi, origin, from, to); err != nil {
			return err
		}
	}
	return nil
}

// gather collects the spikes of the completed slice from all threads in a
// canonical order (time, then node ID) and hands them to spike recorders.
func (k *Kernel) gather() {
	k.pending = k.pending[:0]
	for _, tc := range k.tcs {
		k.pending = append(k.pending, tc.spikes...)
		tc.spikes = tc.spikes[:0]
	}
	slices.SortFunc(k.pending, func(a, b spikeEvent) int {
		if c := cmp.Compare(a.stamp, b.stamp); c != 0 {
			return c
		}
		return cmp.Compare(a.gid, b.gid)
	})
	k.stats.Spikes += int64(len(k.pending))
	for _, sp := range k.pending {
		for _, r := range k.recOf[sp.gid-1] {
			k.spikeRecs[r].record(sp)
		}
	}
}

// resolveDeliveries runs the synapse dynamics of every pending spike once
// per projection (serially, in time order), before the parallel delivery.
func (k *Kernel) resolveDeliveries() {
	k.deliv = k.deliv[:0]
	for _, sp := range k.pending {
		for _, pi := range k.outProj[sp.gid-1] {
			p := k.projs[pi]
			row := p.rowOf(sp.gid)
			w := p.transmit(row, k.stepsToMs(sp.stamp))
			k.deliv = append(k.deliv, delivery{proj: p, row: row, step: sp.stamp + p.delay - 1, weight: w, mult: sp.mult})
			k.stats.Deliveries += int64(p.outDegree(row))
		}
	}
}

// deliver hands the resolved spikes and the astrocytes' SIC of the last slice
// to the targets local to this thread.
func (k *Kernel) deliver(tc *Thread) {
	for _, d := range k.deliv {
		clearUpper()
		for _, part := range d.proj.parts[tc.id] {
			lo, hi := part.off[d.row], part.off[d.row+1]
			if lo < hi {
				part.sink.AddSpikes(part.tgt[lo:hi], d.step, d.weight, d.mult)
			}
		}
	}
	k.deliverSIC(tc, k.sliceStart-k.minDelay)
}

// NumConnections returns the number of connections per synapse model
// (recorder connections not included).
func (k *Kernel) NumConnections() map[string]int {
	out := map[string]int{}
	for _, p := range k.projs {
		out[p.model] += p.count
	}
	return out
}
