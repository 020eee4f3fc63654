package astro

import "unsafe"

// Helpers of the blocks' snapshot hooks (nodeBlock.saveState and
// loadState, in each model's file): every block saves and restores its own
// dynamic state; loadState reads it into a block that Create made from the
// same parameters (nodeBlock.params) and, if the kernel was prepared, that
// prepare allocated. What prepare or preRun derive again (constants,
// thread scratch, SIC routes) is not saved.

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
