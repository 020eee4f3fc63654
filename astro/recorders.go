package astro

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
)

// SpikeRecorder is NEST's spike_recorder (models/spike_recorder.cpp): it records the spikes
// of the nodes connected to it (Connect(neurons, recorder)), at emission.
type SpikeRecorder struct {
	// Start and Stop bound the recording window (ms, relative to Origin): a
	// spike at time t is recorded if start < t ≤ stop. Stop 0 means ∞.
	Start  float64 `nest:"start"`
	Stop   float64 `nest:"stop"`
	Origin float64 `nest:"origin"` // ms
}

// ModelName implements Model.
func (SpikeRecorder) ModelName() string { return "spike_recorder" }

// NEST implements the export's question (astro.NESTOf).
func (SpikeRecorder) NEST() *NESTModel { return &NESTModel{Model: "spike_recorder", Stem: "sr"} }

// nodeBytes implements Model (events are not estimated).
func (SpikeRecorder) nodeBytes() (fixed, channels float64) { return 150, 0 }

func init() {
	registerModel(func() Model { return SpikeRecorder{} })
	registerModel(func() Model { return Multimeter{} })
}

func (r SpikeRecorder) newBlock(k *Kernel, n int) (nodeBlock, error) {
	win, err := newActiveWindow(k, r.ModelName(), r.Start, r.Stop, r.Origin)
	if err != nil {
		return nil, err
	}
	b := &deviceBlock{first: len(k.spikeRecs), spec: r}
	for range n {
		k.spikeRecs = append(k.spikeRecs, &spikeRecorder{win: win})
	}
	return b, nil
}

// Multimeter is NEST's multimeter (docs/semantics.md, "Recorder timing"): it samples recordables of the
// nodes it is connected to (Connect(multimeter, nodes)) every Interval ms,
// at times Interval, 2·Interval, …. As in NEST, samples of the last slice
// (min_delay) of the run so far are not yet visible.
type Multimeter struct {
	// Interval in ms: a multiple of the resolution (default 1.0 when 0).
	Interval float64 `nest:"interval"`
	// RecordFrom names the recordables, e.g. "V_m", "I_SIC", "IP3", "Ca_astro".
	RecordFrom []string `nest:"record_from"`
	// Start and Stop bound the recording window (ms, relative to Origin): a
	// sample at time t is kept if start < t ≤ stop. Stop 0 means ∞.
	Start  float64 `nest:"start"`
	Stop   float64 `nest:"stop"`
	Origin float64 `nest:"origin"` // ms
}

// ModelName implements Model.
func (Multimeter) ModelName() string { return "multimeter" }

// NEST implements the export's question (astro.NESTOf).
func (Multimeter) NEST() *NESTModel { return &NESTModel{Model: "multimeter", Stem: "mm"} }

// nodeBytes implements Model (samples are not estimated).
func (Multimeter) nodeBytes() (fixed, channels float64) { return 300, 0 }

func (m Multimeter) newBlock(k *Kernel, n int) (nodeBlock, error) {
	iv := m.Interval
	if iv == 0 {
		iv = 1.0
	}
	if err := k.checkTime(m.ModelName(), "interval", iv); err != nil {
		return nil, err
	}
	s, ok := k.msToSteps(iv)
	if !ok || s < 1 || math.IsInf(iv, 0) {
		return nil, fmt.Errorf("multimeter: interval = %g ms: must be a positive multiple of the resolution %g ms", iv, k.h)
	}
	if len(m.RecordFrom) == 0 {
		return nil, fmt.Errorf("multimeter: record_from is empty: name at least one recordable")
	}
	win, err := newActiveWindow(k, m.ModelName(), m.Start, m.Stop, m.Origin)
	if err != nil {
		return nil, err
	}
	m.RecordFrom = slices.Clone(m.RecordFrom)
	b := &deviceBlock{first: len(k.mms), spec: m}
	for range n {
		k.mms = append(k.mms, &multimeter{interval: s, recordFrom: slices.Clone(m.RecordFrom), idx: map[int32][]int{}, win: win})
	}
	return b, nil
}

// deviceBlock holds recorders; they have no dynamics.
type deviceBlock struct {
	blockBase
	first int   // index of the first device in k.spikeRecs or k.mms
	spec  Model // the parameters: a SpikeRecorder or a Multimeter
}

// status implements nodeBlock.
func (b *deviceBlock) status(int) Dict { return GetParams(b.spec) }

// planStatus implements nodeBlock: start, stop and origin of all recorders
// of the block; a multimeter's interval and record_from are fixed at
// Create.
func (b *deviceBlock) planStatus(k *Kernel, locals []int, d Dict) (func(), error) {
	fail := func(err error) (func(), error) { return nil, fmt.Errorf("SetStatus: %w", err) }
	var win activeWindow
	var spec Model
	switch s := b.spec.(type) {
	case SpikeRecorder:
		if err := SetParams(&s, d); err != nil {
			return fail(err)
		}
		w, err := newActiveWindow(k, s.ModelName(), s.Start, s.Stop, s.Origin)
		if err != nil {
			return fail(err)
		}
		win, spec = w, s
	case Multimeter:
		old := s
		if err := SetParams(&s, d); err != nil {
			return fail(err)
		}
		if s.Interval != old.Interval {
			return nil, fmt.Errorf("SetStatus: multimeter: interval cannot be changed after Create; pass it to Create")
		}
		if !slices.Equal(s.RecordFrom, old.RecordFrom) {
			return nil, fmt.Errorf("SetStatus: multimeter: record_from cannot be changed after Create; pass it to Create")
		}
		w, err := newActiveWindow(k, s.ModelName(), s.Start, s.Stop, s.Origin)
		if err != nil {
			return fail(err)
		}
		win, spec = w, s
	}
	if err := checkShared(&b.blockBase, locals, d, nil); err != nil {
		return nil, err
	}
	return func() {
		b.spec = spec
		for i := range b.n {
			switch spec.(type) {
			case SpikeRecorder:
				k.spikeRecs[b.first+i].win = win
			case Multimeter:
				k.mms[b.first+i].win = win
			}
		}
	}, nil
}

func (b *deviceBlock) prepare(*Kernel) error { return nil }
func (b *deviceBlock) preRun(*Kernel) error  { return nil }
func (b *deviceBlock) update(*Kernel, *threadCtx, int, int, int64, int, int) error {
	return nil
}

// activeWindow is a device's (start, stop] window in steps.
type activeWindow struct{ tMin, tMax int64 }

func newActiveWindow(k *Kernel, model string, start, stop, origin float64) (activeWindow, error) {
	check := func(name string, v float64) (int64, error) {
		if err := k.checkTime(model, name, v); err != nil {
			return 0, err
		}
		s, ok := k.msToSteps(v)
		if !ok || v < 0 {
			return 0, fmt.Errorf("%s: %s = %g ms: must be ≥ 0 and a multiple of the resolution %g ms", model, name, v, k.h)
		}
		return s, nil
	}
	st, err := check("start", start)
	if err != nil {
		return activeWindow{}, err
	}
	or, err := check("origin", origin)
	if err != nil {
		return activeWindow{}, err
	}
	w := activeWindow{tMin: or + st, tMax: math.MaxInt64}
	if stop != 0 {
		sp, err := check("stop", stop)
		if err != nil {
			return activeWindow{}, err
		}
		if sp < st {
			return activeWindow{}, fmt.Errorf("%s: stop = %g ms: must be ≥ start = %g ms", model, stop, start)
		}
		w.tMax = or + sp
	}
	return w, nil
}

func (w activeWindow) active(step int64) bool { return step > w.tMin && step <= w.tMax }

type spikeRecorder struct {
	win     activeWindow
	senders []int32
	stamps  []int64
}

func (r *spikeRecorder) record(sp spikeEvent) {
	if !r.win.active(sp.stamp) {
		return
	}
	r.senders = append(r.senders, sp.gid)
	r.stamps = append(r.stamps, sp.stamp)
}

type multimeter struct {
	interval   int64 // steps
	recordFrom []string
	idx        map[int32][]int // block index -> recordable indices
	win        activeWindow
}

// sampleBuf collects one multimeter's samples on one thread.
type sampleBuf struct {
	stamps []int64
	gids   []int32
	vals   []float64 // len(recordFrom) per sample
}

// sample records node local of block bb for every multimeter due at step.
func (k *Kernel) sample(tc *threadCtx, bb *blockBase, rec recorder, local int, step int64) {
	for _, mi := range bb.subs[local] {
		mm := k.mms[mi]
		if (step+1)%mm.interval != 0 || !mm.win.active(step+1) {
			continue
		}
		buf := &tc.samples[mi]
		buf.stamps = append(buf.stamps, step+1)
		buf.gids = append(buf.gids, int32(bb.first+local))
		for _, ri := range mm.idx[bb.index] {
			buf.vals = append(buf.vals, rec.value(local, ri))
		}
	}
}

// SpikeEvents are a spike recorder's events: sender node IDs and spike
// times (ms), sorted by time and then sender.
type SpikeEvents struct {
	Senders []int
	Times   []float64
}

// MultimeterEvents are a multimeter's samples, sorted by time and then
// sender; Values holds one slice per recorded quantity, aligned with Times.
type MultimeterEvents struct {
	Senders []int
	Times   []float64
	Values  map[string][]float64
}

// device returns the recorder index behind a single-node collection.
func (k *Kernel) device(c NodeCollection, model string) (int, error) {
	if c.Len() != 1 {
		return 0, fmt.Errorf("%s events: need exactly one %s node, got %d nodes", model, model, c.Len())
	}
	b, _, err := k.ref(c.At(0))
	if err != nil {
		return 0, err
	}
	d, ok := b.(*deviceBlock)
	if !ok || d.model != model {
		return 0, fmt.Errorf("%s events: node %d is a %s, not a %s", model, c.At(0), b.base().model, model)
	}
	return d.first + c.At(0) - d.blockBase.first, nil
}

// SpikeEvents returns the events of a spike_recorder (NEST's sr.events).
func (k *Kernel) SpikeEvents(sr NodeCollection) (SpikeEvents, error) {
	if err := k.enterRead("spike_recorder events"); err != nil {
		return SpikeEvents{}, err
	}
	defer k.leaveRead()
	i, err := k.device(sr, "spike_recorder")
	if err != nil {
		return SpikeEvents{}, err
	}
	r := k.spikeRecs[i]
	ev := SpikeEvents{Senders: make([]int, len(r.senders)), Times: make([]float64, len(r.stamps))}
	for j := range r.senders {
		ev.Senders[j] = int(r.senders[j])
		ev.Times[j] = k.stepsToMs(r.stamps[j])
	}
	return ev, nil
}

// sampleRow is one multimeter sample: stamp (steps), sender and the values
// of its record_from quantities.
type sampleRow struct {
	stamp int64
	gid   int32
	vals  []float64
}

// sampleRows gathers multimeter mi's samples with stamps ≤ upTo from all
// threads, sorted by time and then sender: an order that does not depend
// on the thread count.
func (k *Kernel) sampleRows(mi int, upTo int64) []sampleRow {
	nv := len(k.mms[mi].recordFrom)
	var rows []sampleRow
	for _, tc := range k.tcs {
		buf := &tc.samples[mi]
		for j, s := range buf.stamps {
			if s <= upTo {
				rows = append(rows, sampleRow{s, buf.gids[j], buf.vals[j*nv : (j+1)*nv]})
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b sampleRow) int {
		return cmp.Or(cmp.Compare(a.stamp, b.stamp), cmp.Compare(a.gid, b.gid))
	})
	return rows
}

// MultimeterEvents returns the samples of a multimeter (NEST's mm.events).
func (k *Kernel) MultimeterEvents(mm NodeCollection) (MultimeterEvents, error) {
	if err := k.enterRead("multimeter events"); err != nil {
		return MultimeterEvents{}, err
	}
	defer k.leaveRead()
	mi, err := k.device(mm, "multimeter")
	if err != nil {
		return MultimeterEvents{}, err
	}
	m := k.mms[mi]
	// Samples of the running slice are not yet collected
	// (docs/semantics.md, "Recorder timing").
	rows := k.sampleRows(mi, k.sliceStart)
	ev := MultimeterEvents{Senders: make([]int, len(rows)), Times: make([]float64, len(rows)), Values: map[string][]float64{}}
	for v, name := range m.recordFrom {
		col := make([]float64, len(rows))
		for j, r := range rows {
			col[j] = r.vals[v]
		}
		ev.Values[name] = col
	}
	for j, r := range rows {
		ev.Senders[j] = int(r.gid)
		ev.Times[j] = k.stepsToMs(r.stamp)
	}
	return ev, nil
}

// params implements nodeBlock.
func (b *deviceBlock) params() Model { return b.spec }

// spike_recorder and multimeter: the events recorded so far. A multimeter's
// samples are kept per thread while simulating; they are saved merged in
// (time, sender) order, so the snapshot does not depend on the thread
// count, and restored on thread 0 (MultimeterEvents sorts them anyway).
func (b *deviceBlock) saveState(e *snapEncoder) error {
	k := e.k
	for i := range b.n {
		switch b.spec.(type) {
		case SpikeRecorder:
			r := k.spikeRecs[b.first+i]
			e.i32s(r.senders)
			e.i64s(r.stamps)
		case Multimeter:
			mi := b.first + i
			mm := k.mms[mi]
			// The recordables per recorded block (Connect(multimeter, …)).
			keys := slices.Sorted(maps.Keys(mm.idx))
			e.uvarint(uint64(len(keys)))
			for _, bi := range keys {
				e.varint(int64(bi))
				e.uvarint(uint64(len(mm.idx[bi])))
				for _, x := range mm.idx[bi] {
					e.uvarint(uint64(x))
				}
			}
			saveSamples(e, k, mi, len(mm.recordFrom))
		}
	}
	return nil
}

func saveSamples(e *snapEncoder, k *Kernel, mi, nv int) {
	rows := k.sampleRows(mi, math.MaxInt64)
	e.uvarint(uint64(len(rows)))
	for _, r := range rows {
		e.varint(r.stamp)
		e.varint(int64(r.gid))
		for _, v := range r.vals {
			e.f64(v)
		}
	}
}

func (b *deviceBlock) loadState(d *snapDecoder) error {
	k := d.k
	for i := range b.n {
		switch b.spec.(type) {
		case SpikeRecorder:
			r := k.spikeRecs[b.first+i]
			r.senders = d.i32s("spike_recorder senders")
			r.stamps = d.i64s("spike_recorder times")
			if d.err == nil && len(r.senders) != len(r.stamps) {
				d.corrupt("spike_recorder: %d senders, %d times", len(r.senders), len(r.stamps))
			}
			for _, g := range r.senders {
				if d.err == nil && (g < 1 || int(g) > len(k.nodes)) {
					d.corrupt("spike_recorder: sender %d does not exist", g)
				}
			}
		case Multimeter:
			mi := b.first + i
			mm := k.mms[mi]
			nb := d.length("multimeter targets", len(k.blocks))
			for range nb {
				bi := d.varint()
				n := d.length("multimeter recordables", 1024)
				if d.err != nil {
					return d.err
				}
				if bi < 0 || bi >= int64(len(k.blocks)) {
					d.corrupt("multimeter records block %d of %d", bi, len(k.blocks))
					return d.err
				}
				rec, ok := k.blocks[bi].(recorder)
				if !ok {
					d.corrupt("multimeter records %s, which has no recordables", k.blocks[bi].base().model)
					return d.err
				}
				idx := make([]int, n)
				for j := range idx {
					idx[j] = int(d.uvarint())
					if d.err == nil && idx[j] >= len(rec.recordables()) {
						d.corrupt("multimeter: recordable %d of %s does not exist", idx[j], k.blocks[bi].base().model)
					}
				}
				mm.idx[int32(bi)] = idx
			}
			n := d.length("multimeter samples", maxLen)
			if d.err != nil {
				return d.err
			}
			if n > 0 && k.tcs == nil {
				d.corrupt("multimeter samples in a kernel that never simulated")
				return d.err
			}
			nv := len(mm.recordFrom)
			for range n {
				s, g := d.varint(), d.varint()
				if d.err != nil {
					return d.err
				}
				buf := &k.tcs[0].samples[mi]
				buf.stamps = append(buf.stamps, s)
				buf.gids = append(buf.gids, int32(g))
				for range nv {
					buf.vals = append(buf.vals, d.f64())
				}
			}
		}
	}
	return d.err
}
