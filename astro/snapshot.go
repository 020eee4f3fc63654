package astro

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
)

// Snapshots: Save writes the complete state of a kernel, Load builds a new
// kernel from it, and Simulate on the loaded kernel continues exactly where
// the saved one stood: spikes, senders and every recorded value are
// bit-identical to a run that was never interrupted. This holds at any
// time, also after a Simulate that ended inside a min_delay slice, with a
// different LocalNumThreads after loading (results never depend on it), and
// on the vector path.
//
// What is saved: the settings; every node's parameters and state, including
// each neuron's and astrocyte's current RKF45 step size and f(y) memory,
// refractory counters, ring buffers (spikes and SIC in transit) and the SIC
// values of the current slice; the wiring (compactly: delta-coded target
// IDs); the tsodyks state per source; every per-connection random stream;
// the spikes waiting for delivery and those of an unfinished slice; the
// recorders' events; time, slice position, statistics and the call counter
// that seeds later Connect calls. What is derived again on Load (thread
// partition, per-thread connection lists, SIC input lists, constants) is
// not saved, so the file does not depend on the thread count.
//
// The progress callback (SetProgress) is not saved.

// LoadOptions adjust a loaded kernel.
type LoadOptions struct {
	// LocalNumThreads replaces the saved thread count when > 0. Results do
	// not depend on it.
	LocalNumThreads int
}

// Save writes a snapshot of the kernel to w (see Load). A kernel that
// refused to continue after an error cannot be saved. Save is a reading
// call: it works from the progress callback, and is refused with an error
// while another call changes the kernel (busy.go).
func (k *Kernel) Save(w io.Writer) error {
	if err := k.enterRead("save"); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer k.leaveRead()
	if k.failed != nil {
		return fmt.Errorf("snapshot: kernel is unusable after an earlier error (%v)", k.failed)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := writeSnapHeader(bw); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	e := newSnapEncoder(k, bw)
	k.saveKernel(e)
	if err := e.finish(); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

// Load builds a kernel from a snapshot written by Save, with the saved
// thread count. See LoadWith.
func Load(r io.Reader) (*Kernel, error) { return LoadWith(r, LoadOptions{}) }

// LoadWith builds a kernel from a snapshot written by Save. Data that is not
// a snapshot, a snapshot of another format or engine version, a truncated
// or a corrupted one each give their own error (ErrNotSnapshot,
// ErrSnapshotVersion, ErrSnapshotEngine, ErrSnapshotTruncated,
// ErrSnapshotCorrupt; test with errors.Is), and no kernel. Every part of
// the data is checked against its checksum before it is used.
func LoadWith(r io.Reader, opt LoadOptions) (k *Kernel, err error) {
	if opt.LocalNumThreads < 0 || opt.LocalNumThreads > 1024 {
		return nil, fmt.Errorf("snapshot: local_num_threads = %d: must be in [1, 1024] (0: as saved)", opt.LocalNumThreads)
	}
	defer func() {
		// Checked data cannot get here; a snapshot built by hand can.
		if p := recover(); p != nil {
			k, err = nil, fmt.Errorf("snapshot: %w: inconsistent state (%v)", ErrSnapshotCorrupt, p)
		}
	}()
	br := bufio.NewReaderSize(r, 1<<16)
	off, err := readSnapHeader(br)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	d := newSnapDecoder(br, off)
	k = loadKernel(d, opt)
	if err := d.finish(); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if err := k.checkLoadedRecorders(); err != nil {
		return nil, fmt.Errorf("snapshot: %w: %v", ErrSnapshotCorrupt, err)
	}
	k.loadCheck = nil
	return k, nil
}

// SaveFile writes a snapshot to path. It writes a temporary file in the
// same folder and renames it into place, so a crash during Save never
// leaves a partial snapshot and never destroys the previous one.
func (k *Kernel) SaveFile(path string) error {
	return WriteFileAtomic(path, k.Save)
}

// LoadFile builds a kernel from a snapshot file written by SaveFile.
func LoadFile(path string, opt LoadOptions) (*Kernel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	k, err := LoadWith(f, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// WriteFileAtomic creates path with the content write produces: it writes a
// temporary file in the same folder, syncs it and renames it into place, so
// readers see either the old file or the complete new one.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// A snapshot's payload is five sections, written by saveKernel and read
// by loadKernel in the same order; each section's save and load functions
// are mirror images of each other:
//
//	settings  resolution, seed, threads, clocks and counters (snapSettings)
//	nodes     one entry per Create call: model, size, parameters
//	recording which multimeters and spike recorders record which nodes
//	wiring    the projections: synapse, delay, sources, targets
//	dynamics  every block's state, the synapses' state, spikes in transit
func (k *Kernel) saveKernel(e *snapEncoder) {
	k.snapSettings().save(e)
	k.saveNodes(e)
	k.saveRecording(e)
	k.saveWiring(e)
	k.saveDynamics(e)
}

func loadKernel(d *snapDecoder, opt LoadOptions) *Kernel {
	var s snapSettings
	s.load(d)
	k := s.newKernel(d, opt)
	if k == nil {
		return nil
	}
	d.k = k
	k.loadCheck = d.checkLoadMemory
	if k.loadNodes(d); d.err != nil {
		return nil
	}
	if k.loadRecording(d); d.err != nil {
		return nil
	}
	if k.loadWiring(d); d.err != nil {
		return nil
	}
	if s.prepared {
		if err := k.checkPrepareMemory(); err != nil {
			d.corrupt("%v", err)
			return nil
		}
		if err := k.prepare(); err != nil {
			d.corrupt("%v", err)
			return nil
		}
	}
	if k.loadDynamics(d); d.err != nil {
		return nil
	}
	if s.restoreClocks(d, k); d.err != nil {
		return nil
	}
	return k
}

// snapSettings is the settings section: what NewKernel takes, and the
// clocks and counters.
type snapSettings struct {
	resolution   float64 // ms
	ticsPerStep  int64
	seed         uint64
	threads      int
	connectCalls uint64 // seeds later Connect calls
	prepared     bool
	minDelay     int64 // steps
	maxDelay     int64 // steps
	step         int64 // current time in steps
	sliceStart   int64 // step at which the current slice began
	slices       int64
	stats        Stats
}

func (k *Kernel) snapSettings() snapSettings {
	return snapSettings{resolution: k.h, ticsPerStep: k.ticsPerStep, seed: k.seed, threads: k.threads,
		connectCalls: k.connectCalls, prepared: k.prepared, minDelay: k.minDelay, maxDelay: k.maxDelay,
		step: k.step, sliceStart: k.sliceStart, slices: k.slices, stats: k.stats}
}

func (s snapSettings) save(e *snapEncoder) {
	e.f64(s.resolution)
	e.varint(s.ticsPerStep)
	e.u64(s.seed)
	e.uvarint(uint64(s.threads))
	e.u64(s.connectCalls)
	e.bool(s.prepared)
	e.varint(s.minDelay)
	e.varint(s.maxDelay)
	e.varint(s.step)
	e.varint(s.sliceStart)
	e.varint(s.slices)
	e.varint(s.stats.Spikes)
	e.varint(s.stats.Deliveries)
}

func (s *snapSettings) load(d *snapDecoder) {
	s.resolution = d.f64()
	s.ticsPerStep = d.varint()
	s.seed = d.u64()
	s.threads = d.length("local_num_threads", 1024)
	s.connectCalls = d.u64()
	s.prepared = d.bool()
	s.minDelay = d.varint()
	s.maxDelay = d.varint()
	s.step = d.varint()
	s.sliceStart = d.varint()
	s.slices = d.varint()
	s.stats.Spikes = d.varint()
	s.stats.Deliveries = d.varint()
}

// newKernel makes the kernel the settings describe (with opt's thread
// count, if given), its delays set; the clocks follow at the end
// (restoreClocks), once the state they describe is loaded.
func (s *snapSettings) newKernel(d *snapDecoder, opt LoadOptions) *Kernel {
	if d.err != nil {
		return nil
	}
	threads := s.threads
	if opt.LocalNumThreads > 0 {
		threads = opt.LocalNumThreads
	}
	k, err := NewKernel(KernelConfig{Resolution: s.resolution, LocalNumThreads: threads, RNGSeed: s.seed})
	if err != nil || k.ticsPerStep != s.ticsPerStep || k.seed != s.seed {
		d.corrupt("kernel settings: resolution %g ms, %d threads, seed %d: %v", s.resolution, threads, s.seed, err)
		return nil
	}
	if s.minDelay < 0 || s.maxDelay < s.minDelay || s.maxDelay > 1<<30 || (s.prepared && s.minDelay < 1) {
		d.corrupt("min_delay %d, max_delay %d steps", s.minDelay, s.maxDelay)
		return nil
	}
	k.connectCalls = s.connectCalls
	k.minDelay, k.maxDelay = s.minDelay, s.maxDelay
	return k
}

// restoreClocks sets the time, slice position and statistics.
func (s *snapSettings) restoreClocks(d *snapDecoder, k *Kernel) {
	if s.step < 0 || s.sliceStart < 0 || s.sliceStart > s.step || s.slices < 0 ||
		(s.prepared && s.step-s.sliceStart > s.minDelay) {
		d.corrupt("time %d steps, slice start %d, %d slices", s.step, s.sliceStart, s.slices)
		return
	}
	k.step, k.sliceStart, k.slices = s.step, s.sliceStart, s.slices
	k.stats = s.stats
}

// saveNodes writes the nodes section: one entry per Create call.
func (k *Kernel) saveNodes(e *snapEncoder) {
	e.uvarint(uint64(len(k.blocks)))
	for _, b := range k.blocks {
		bb := b.base()
		e.str(bb.model)
		e.uvarint(uint64(bb.n))
		saveModelParams(e, b.params())
	}
}

func (k *Kernel) loadNodes(d *snapDecoder) {
	nb := d.length("number of Create calls", math.MaxInt32)
	for range nb {
		name := d.str()
		n := d.length("number of nodes", 1<<30)
		if d.err != nil {
			return
		}
		mk, ok := modelDefaults[name]
		if !ok {
			d.fail(fmt.Errorf("%w: model %q is not registered in this program (a snapshot stores state, not code: register the model's definition before loading)", ErrSnapshotModel, name))
			return
		}
		m := loadModelParams(d, mk())
		if d.err != nil {
			return
		}
		if _, err := k.Create(m, n); err != nil {
			d.corrupt("%v", err)
			return
		}
	}
}

// saveRecording writes the recording section: per block, the multimeters
// of each node (multimeters may be created after their targets), and per
// node its spike recorders.
func (k *Kernel) saveRecording(e *snapEncoder) {
	for _, b := range k.blocks {
		bb := b.base()
		e.bool(bb.subs != nil)
		for _, s := range bb.subs {
			e.i32s(s)
		}
	}
	e.uvarint(uint64(len(k.recOf)))
	for _, r := range k.recOf {
		e.i32s(r)
	}
}

func (k *Kernel) loadRecording(d *snapDecoder) {
	for _, b := range k.blocks {
		bb := b.base()
		if d.bool() {
			bb.subs = make([][]int32, bb.n)
			for i := range bb.subs {
				s := d.i32s("multimeters of a node")
				if len(s) > 0 {
					bb.subs[i] = s
				}
				for _, mi := range s {
					if mi < 0 || int(mi) >= len(k.mms) {
						d.corrupt("multimeter %d does not exist", mi)
					}
				}
			}
		}
		if d.err != nil {
			return
		}
	}
	nr := d.length("spike recorder wiring", len(k.nodes))
	k.recOf = make([][]int32, nr)
	for i := range k.recOf {
		s := d.i32s("spike recorders of a node")
		if len(s) > 0 {
			k.recOf[i] = s
		}
		for _, ri := range s {
			if ri < 0 || int(ri) >= len(k.spikeRecs) {
				d.corrupt("spike recorder %d does not exist", ri)
			}
		}
	}
}

// saveWiring writes the wiring section: the projections.
func (k *Kernel) saveWiring(e *snapEncoder) {
	e.uvarint(uint64(len(k.projs)))
	for _, p := range k.projs {
		k.saveProjection(e, p)
	}
}

func (k *Kernel) loadWiring(d *snapDecoder) {
	np := d.length("number of projections", math.MaxInt32)
	for i := range np {
		p := k.loadProjection(d)
		if d.err != nil {
			return
		}
		p.id = i
		k.projs = append(k.projs, p)
		k.commitEdges(p)
	}
}

// saveDynamics writes the dynamics section: each block's state (its own
// hooks), each projection's synapse state and random streams, and, once
// prepared, the spikes waiting for delivery and those of an unfinished
// slice.
func (k *Kernel) saveDynamics(e *snapEncoder) {
	for _, b := range k.blocks {
		if err := b.saveState(e); err != nil {
			e.fail(err)
		}
	}
	for _, p := range k.projs {
		k.saveProjectionState(e, p)
	}
	if k.prepared {
		saveSpikes(e, k.pending)
		var open []spikeEvent // of an unfinished slice, all threads
		for _, tc := range k.tcs {
			open = append(open, tc.spikes...)
		}
		slices.SortStableFunc(open, func(a, b spikeEvent) int {
			return cmp.Or(cmp.Compare(a.stamp, b.stamp), cmp.Compare(a.gid, b.gid))
		})
		saveSpikes(e, open)
	}
}

func (k *Kernel) loadDynamics(d *snapDecoder) {
	for _, b := range k.blocks {
		if err := b.loadState(d); err != nil {
			return
		}
	}
	for _, p := range k.projs {
		k.loadProjectionState(d, p)
	}
	if k.prepared {
		k.pending = loadSpikes(d, k, "pending spikes")
		k.tcs[0].spikes = loadSpikes(d, k, "spikes of the unfinished slice")
	}
}

func saveSpikes(e *snapEncoder, s []spikeEvent) {
	e.uvarint(uint64(len(s)))
	for _, sp := range s {
		e.varint(sp.stamp)
		e.varint(int64(sp.gid))
		e.varint(int64(sp.mult))
	}
}

func loadSpikes(d *snapDecoder, k *Kernel, what string) []spikeEvent {
	n := d.length(what, maxLen)
	out := make([]spikeEvent, 0, min(n, 1<<16))
	for range n {
		sp := spikeEvent{stamp: d.varint(), gid: int32(d.varint()), mult: int32(d.varint())}
		if d.err != nil {
			return nil
		}
		if sp.gid < 1 || int(sp.gid) > len(k.nodes) {
			d.corrupt("%s: sender %d does not exist", what, sp.gid)
			return nil
		}
		out = append(out, sp)
	}
	return out
}

// saveProjection writes a projection's synapse and connections. Targets
// are written per source row, delta-coded, in a canonical order that does
// not depend on the thread count (see canonicalRow).
func (k *Kernel) saveProjection(e *snapEncoder, p *projection) {
	e.str(p.model)
	e.params(p.syn)
	e.varint(p.delay)
	e.uvarint(uint64(p.count))
	e.i32s(p.srcIDs)
	writeRow := func(tgts []int32) {
		e.uvarint(uint64(len(tgts)))
		prev := int32(0)
		for _, t := range tgts {
			e.varint(int64(t - prev))
			prev = t
		}
	}
	var tgts []int32
	if p.parts == nil { // the lists Connect built (always for SIC)
		e.bool(p.traits.sic)
		for r := range int32(len(p.srcIDs)) {
			tgts = tgts[:0]
			p.rows.each(r, func(_ int, t int32) { tgts = append(tgts, t) })
			writeRow(tgts)
			if p.traits.sic {
				tgts = tgts[:0]
				p.mult.each(r, func(_ int, m int32) { tgts = append(tgts, m) })
				e.i32s(tgts)
			}
		}
		return
	}
	e.bool(false)
	var cr canonRow
	for r := range int32(len(p.srcIDs)) {
		tgts = tgts[:0]
		for _, en := range cr.entries(k, p, r) {
			tgts = append(tgts, en.tgt)
		}
		writeRow(tgts)
	}
}

func (k *Kernel) saveProjectionState(e *snapEncoder, p *projection) {
	e.bool(p.state != nil)
	if p.state != nil {
		p.state.saveState(e)
	}
	hasRNG := p.parts != nil && slices.ContainsFunc(p.parts, func(ps []projPart) bool {
		return slices.ContainsFunc(ps, func(pp projPart) bool { return pp.rng != nil })
	})
	e.bool(hasRNG)
	if !hasRNG {
		return
	}
	var cr canonRow
	for r := range int32(len(p.srcIDs)) {
		for _, en := range cr.entries(k, p, r) {
			b, err := en.part.rng[en.e].MarshalBinary()
			if err != nil {
				e.fail(err)
				return
			}
			e.raw(b[len(b)-16:]) // the two state words after the "pcg:" tag
		}
	}
}

// canonRow lists the connections of one source row of a prepared
// projection in a canonical order: by target node ID, connections to the
// same target in their order in the (thread, block) list that holds them.
// Whatever the thread count, that order is the same — and restoring the
// rows in it makes buildParts keep it — so the per-target order in which
// inputs are summed, and thus every result, is preserved.
type canonRow struct {
	parts []*projPart
	start []int32
	out   []canonEntry
	p     *projection
}

type canonEntry struct {
	tgt  int32 // node ID
	part *projPart
	e    int32 // entry in part
}

func (c *canonRow) entries(k *Kernel, p *projection, r int32) []canonEntry {
	if c.p != p { // the parts in order of the node IDs they cover
		c.p, c.parts, c.start = p, c.parts[:0], c.start[:0]
		type ps struct {
			start int32
			part  *projPart
		}
		var all []ps
		for th := range p.parts {
			for j := range p.parts[th] {
				pp := &p.parts[th][j]
				bb := k.blocks[pp.block].base()
				all = append(all, ps{int32(bb.first + bb.lo[th]), pp})
			}
		}
		slices.SortFunc(all, func(a, b ps) int { return cmp.Compare(a.start, b.start) })
		for _, a := range all {
			c.parts = append(c.parts, a.part)
			first := int32(k.blocks[a.part.block].base().first)
			c.start = append(c.start, first)
		}
	}
	c.out = c.out[:0]
	for j, pp := range c.parts {
		for e := pp.off[r]; e < pp.off[r+1]; e++ {
			c.out = append(c.out, canonEntry{tgt: c.start[j] + pp.tgt[e], part: pp, e: e})
		}
	}
	if !slices.IsSortedFunc(c.out, func(a, b canonEntry) int { return cmp.Compare(a.tgt, b.tgt) }) {
		slices.SortStableFunc(c.out, func(a, b canonEntry) int { return cmp.Compare(a.tgt, b.tgt) })
	}
	return c.out
}

// ErrSnapshotModel: the snapshot holds nodes of a model this program does
// not have, or has with another definition (ODEModel.Fingerprint).
var ErrSnapshotModel = errors.New("snapshot of a model this program defines differently")

// listedParams is implemented by models whose parameters are a list, not
// struct fields (ODEModel): a snapshot stores the fingerprint of the
// model's layout and the values.
type listedParams interface {
	Fingerprint() string
	paramValues() []float64
	withParamValues(p []float64) (Model, error)
}

// saveModelParams writes the parameters of a Create call's model;
// loadModelParams is its mirror image.
func saveModelParams(e *snapEncoder, m Model) {
	lp, listed := m.(listedParams)
	if !listed {
		e.params(m) // starts with the struct type's name
		return
	}
	e.str(listedParamsTag)
	e.str(lp.Fingerprint())
	e.f64s(lp.paramValues())
}

// listedParamsTag starts listed parameters where a struct's parameters
// start with its type name (snapEncoder.params); no Go type has this name.
const listedParamsTag = "(listed parameters)"

func loadModelParams(d *snapDecoder, m Model) Model {
	lp, listed := m.(listedParams)
	if !listed {
		return decodeParams(d, m)
	}
	if tag := d.str(); d.err == nil && tag != listedParamsTag {
		d.fail(fmt.Errorf("%w: model %s: saved as a model of another kind (%s)", ErrSnapshotModel, m.ModelName(), tag))
	}
	fp := d.str()
	p := d.f64s(m.ModelName() + " parameters")
	if d.err != nil {
		return nil
	}
	if fp != lp.Fingerprint() {
		d.fail(fmt.Errorf("%w: model %s: the snapshot was saved with a definition of layout %s, this program's has layout %s (other state variables or parameters)",
			ErrSnapshotModel, m.ModelName(), fp, lp.Fingerprint()))
		return nil
	}
	out, err := lp.withParamValues(p)
	if err != nil {
		d.fail(fmt.Errorf("%w: %v", ErrSnapshotModel, err))
		return nil
	}
	return out
}

// decodeParams reads parameters into a copy of m (a Model or Synapse
// holding a parameter struct).
func decodeParams[T any](d *snapDecoder, m T) T {
	pv := reflect.New(reflect.TypeOf(m))
	pv.Elem().Set(reflect.ValueOf(m))
	d.params(pv.Interface())
	return pv.Elem().Interface().(T)
}

func (k *Kernel) loadProjection(d *snapDecoder) *projection {
	name := d.str()
	mk, ok := synapseDefaults[name]
	if d.err == nil && !ok {
		d.corrupt("unknown synapse model %q", name)
	}
	if d.err != nil {
		return nil
	}
	syn := decodeParams(d, mk())
	delay := d.varint()
	count := d.length("number of connections", math.MaxInt)
	if d.err != nil {
		return nil
	}
	if err := syn.validate(); err != nil {
		d.corrupt("%v", err)
		return nil
	}
	if s, err := k.delaySteps(name, synDelay(syn)); err != nil || s != delay {
		d.corrupt("%s: delay of %d steps does not match its parameters", name, delay)
		return nil
	}
	p := k.newProjection(syn, delay)
	p.count = count
	p.srcIDs = d.i32s("sources")
	maxSrc := int32(0)
	for _, s := range p.srcIDs {
		if s < 1 || int(s) > len(k.nodes) {
			d.corrupt("%s: source %d does not exist", name, s)
			return nil
		}
		maxSrc = max(maxSrc, s)
	}
	p.rowIdx = make([]int32, maxSrc)
	for r, s := range p.srcIDs {
		if p.rowIdx[s-1] != 0 {
			d.corrupt("%s: source %d listed twice", name, s)
			return nil
		}
		p.rowIdx[s-1] = int32(r) + 1
	}
	withMult := d.bool()
	if d.err == nil && withMult != (p.traits.sic) {
		d.corrupt("%s: multiplicities do not match the synapse model", name)
	}
	n := int32(len(k.nodes))
	total := 0
	for r := range int32(len(p.srcIDs)) {
		p.rows.addRow()
		m := d.length("connections of a source", math.MaxInt32)
		prev := int32(0)
		for range m {
			t := prev + int32(d.varint())
			if d.err != nil {
				return nil
			}
			if t < 1 || t > n {
				d.corrupt("%s: target %d does not exist", name, t)
				return nil
			}
			p.rows.push(r, t)
			prev = t
		}
		if withMult {
			p.mult.addRow()
			ms := d.i32s("multiplicities")
			if d.err == nil && len(ms) != m {
				d.corrupt("%s: %d multiplicities for %d targets", name, len(ms), m)
			}
			for _, x := range ms {
				p.mult.push(r, x)
				total += int(x)
			}
		} else {
			total += m
		}
	}
	if d.err == nil && total != p.count {
		d.corrupt("%s: %d connections listed, %d expected", name, total, p.count)
	}
	if d.err == nil {
		if err := k.checkLoadedPairs(p); err != nil {
			d.corrupt("%s: %v", name, err)
		}
	}
	return p
}

// synDelay returns a synapse's delay parameter (ms).
func synDelay(s Synapse) float64 { _, d := s.weightDelay(); return d }

func (k *Kernel) loadProjectionState(d *snapDecoder, p *projection) {
	if hasState := d.bool(); d.err == nil && hasState != (p.state != nil) {
		d.corrupt("%s: synapse state does not match the kernel's state", p.model)
		return
	}
	if p.state != nil {
		p.state.loadState(d)
	}
	hasRNG := d.bool()
	if d.err != nil || !hasRNG {
		return
	}
	if p.parts == nil {
		d.corrupt("%s: random streams for connections that were never prepared", p.model)
		return
	}
	var cr canonRow
	buf := []byte("pcg:0123456789abcdef")
	for r := range int32(len(p.srcIDs)) {
		for _, en := range cr.entries(k, p, r) {
			if en.part.rng == nil {
				d.corrupt("%s: a random stream for a connection that has none", p.model)
				return
			}
			d.rawInto(buf[4:])
			if d.err != nil {
				return
			}
			if err := en.part.rng[en.e].UnmarshalBinary(buf); err != nil {
				d.corrupt("%s: random stream: %v", p.model, err)
				return
			}
		}
	}
}
