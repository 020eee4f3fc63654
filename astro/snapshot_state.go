package astro

import (
	"cmp"
	"maps"
	"slices"
	"unsafe"
)

// Per-block snapshot hooks. Every block type saves and restores its own
// dynamic state here: saveState writes it, loadState reads it into a block
// that Create made from the same parameters (snapshotModel) and, if the
// kernel was prepared, that prepare allocated. What prepare or preRun
// derive again (constants, thread scratch, SIC input lists) is not saved.

// snapBlock is implemented by every block type.
type snapBlock interface {
	saveState(e *snapEncoder) error
	loadState(d *snapDecoder) error
}

var (
	_ snapBlock = (*aeifBlock)(nil)
	_ snapBlock = (*astrocyteBlock)(nil)
	_ snapBlock = (*parrotBlock)(nil)
	_ snapBlock = (*poissonBlock)(nil)
	_ snapBlock = (*spikeGenBlock)(nil)
	_ snapBlock = (*deviceBlock)(nil)
)

// snapshotModel returns the parameters a block was created with (as
// changed by SetStatus since): Create(snapshotModel(b), n) rebuilds it.
func snapshotModel(b nodeBlock) Model {
	switch b := b.(type) {
	case *aeifBlock:
		return b.p
	case *astrocyteBlock:
		return b.p
	case *parrotBlock:
		return ParrotNeuron{}
	case *poissonBlock:
		return b.p
	case *spikeGenBlock:
		return b.g
	case *deviceBlock:
		return b.spec
	}
	return nil
}

// flatStates views per-node state vectors as one slice.
func flatStates[V vec](y []V) []float64 {
	if len(y) == 0 {
		return nil
	}
	var v V
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(y))), len(y)*len(v))
}

func saveRing(e *snapEncoder, r *ringBuffer) {
	e.uvarint(uint64(r.slots))
	e.f64s(r.v)
}

func loadRing(d *snapDecoder, what string, r *ringBuffer) {
	if s := d.uvarint(); d.err == nil && int64(s) != r.slots {
		d.corrupt("%s: ring buffer of %d slots, expected %d", what, s, r.slots)
		return
	}
	d.f64sInto(what, r.v)
}

// aeif_cond_alpha_astro: state vectors; after prepare also refractory
// counters, the integrator's step size and f(y) memory (FSAL), the applied
// I_SIC and the excitatory, inhibitory and SIC ring buffers.
func (b *aeifBlock) saveState(e *snapEncoder) error {
	e.f64s(flatStates(b.y))
	if !e.k.prepared {
		return nil
	}
	e.i32s(b.r)
	e.f64s(b.hstep)
	e.f64s(b.iSIC)
	saveRing(e, &b.exc)
	saveRing(e, &b.inh)
	saveRing(e, &b.sic)
	e.f64s(flatStates(b.dydt))
	e.bools(b.fsal)
	return nil
}

func (b *aeifBlock) loadState(d *snapDecoder) error {
	d.f64sInto("aeif_cond_alpha_astro state", flatStates(b.y))
	if b.r == nil { // not prepared
		return d.err
	}
	d.i32sInto("aeif_cond_alpha_astro refractory counters", b.r)
	d.f64sInto("aeif_cond_alpha_astro step sizes", b.hstep)
	d.f64sInto("aeif_cond_alpha_astro I_SIC", b.iSIC)
	loadRing(d, "aeif_cond_alpha_astro excitatory input", &b.exc)
	loadRing(d, "aeif_cond_alpha_astro inhibitory input", &b.inh)
	loadRing(d, "aeif_cond_alpha_astro SIC input", &b.sic)
	d.f64sInto("aeif_cond_alpha_astro f(y)", flatStates(b.dydt))
	d.boolsInto("aeif_cond_alpha_astro f(y) validity", b.fsal)
	return d.err
}

// astrocyte_lr_1994: state vectors; after prepare also the integrator's
// step size and f(y) memory, the input ring buffer and the SIC values of
// the current slice.
func (b *astrocyteBlock) saveState(e *snapEncoder) error {
	e.f64s(flatStates(b.y))
	if !e.k.prepared {
		return nil
	}
	e.f64s(b.hstep)
	saveRing(e, &b.exc)
	e.f64s(b.sicVals)
	e.bools(b.sicAny)
	e.f64s(flatStates(b.dydt))
	e.bools(b.fsal)
	return nil
}

func (b *astrocyteBlock) loadState(d *snapDecoder) error {
	d.f64sInto("astrocyte_lr_1994 state", flatStates(b.y))
	if b.hstep == nil {
		return d.err
	}
	d.f64sInto("astrocyte_lr_1994 step sizes", b.hstep)
	loadRing(d, "astrocyte_lr_1994 input", &b.exc)
	d.f64sInto("astrocyte_lr_1994 SIC of the slice", b.sicVals)
	d.boolsInto("astrocyte_lr_1994 SIC flags", b.sicAny)
	d.f64sInto("astrocyte_lr_1994 f(y)", flatStates(b.dydt))
	d.boolsInto("astrocyte_lr_1994 f(y) validity", b.fsal)
	return d.err
}

// parrot_neuron: the spike counts in transit.
func (b *parrotBlock) saveState(e *snapEncoder) error {
	if e.k.prepared {
		saveRing(e, &b.counts)
	}
	return nil
}

func (b *parrotBlock) loadState(d *snapDecoder) error {
	if b.counts.v != nil {
		loadRing(d, "parrot_neuron input", &b.counts)
	}
	return d.err
}

// poisson_generator: no state of its own; the per-connection streams live
// with the connections (see saveProjectionState).
func (b *poissonBlock) saveState(*snapEncoder) error   { return nil }
func (b *poissonBlock) loadState(d *snapDecoder) error { return d.err }

// spike_generator: its parameters are all its state.
func (b *spikeGenBlock) saveState(*snapEncoder) error   { return nil }
func (b *spikeGenBlock) loadState(d *snapDecoder) error { return d.err }

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
	type row struct {
		stamp int64
		gid   int32
		vals  []float64
	}
	var rows []row
	for _, tc := range k.tcs {
		buf := &tc.samples[mi]
		for j, s := range buf.stamps {
			rows = append(rows, row{s, buf.gids[j], buf.vals[j*nv : (j+1)*nv]})
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.stamp, b.stamp), cmp.Compare(a.gid, b.gid))
	})
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
