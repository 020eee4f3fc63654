package astro

import "unsafe"

// Helpers of the blocks' snapshot hooks (Block.SaveState and
// LoadState, in each model's file): every block saves and restores its own
// dynamic state; LoadState reads it into a block that Create made from the
// same parameters (Block.Params) and, if the kernel was prepared, that
// Prepare allocated. What Prepare or PreRun derive again (constants,
// thread scratch, SIC routes) is not saved.

// flatStates views per-node state vectors as one slice.
func flatStates[V vec](y []V) []float64 {
	if len(y) == 0 {
		return nil
	}
	var v V
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(y))), len(y)*len(v))
}

func saveRing(e *StateEncoder, r *RingBuffer) {
	e.uvarint(uint64(r.slots))
	e.f64s(r.v)
}

func loadRing(d *StateDecoder, what string, r *RingBuffer) {
	if s := d.uvarint(); d.err == nil && int64(s) != r.slots {
		d.corrupt("%s: ring buffer of %d slots, expected %d", what, s, r.slots)
		return
	}
	d.f64sInto(what, r.v)
}
