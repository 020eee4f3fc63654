package astro

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// SpikeRecorder is NEST's spike_recorder (spec 7.2): it records the spikes
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

// Multimeter is NEST's multimeter (spec 7.3): it samples recordables of the
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

func (b *deviceBlock) prepare(*Kernel) error { return nil }
func (b *deviceBlock) preRun(*Kernel) error  { return nil }
func (b *deviceBlock) update(*Kernel, *threadCtx, int, int, int64, int, int) error {
	return nil
}

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

// MultimeterEvents returns the samples of a multimeter (NEST's mm.events).
func (k *Kernel) MultimeterEvents(mm NodeCollection) (MultimeterEvents, error) {
	mi, err := k.device(mm, "multimeter")
	if err != nil {
		return MultimeterEvents{}, err
	}
	m := k.mms[mi]
	nv := len(m.recordFrom)
	type row struct {
		stamp int64
		gid   int32
		vals  []float64
	}
	var rows []row
	for _, tc := range k.tcs {
		buf := &tc.samples[mi]
		for j, s := range buf.stamps {
			if s > k.sliceStart { // not yet collected (spec 7.3)
				continue
			}
			rows = append(rows, row{s, buf.gids[j], buf.vals[j*nv : (j+1)*nv]})
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := cmp.Compare(a.stamp, b.stamp); c != 0 {
			return c
		}
		return cmp.Compare(a.gid, b.gid)
	})
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
