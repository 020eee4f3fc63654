package astro

import "iter"

// rowStore keeps, per source row, a growable list of int32 values (target
// node IDs, or multiplicities) in fixed-size chunks carved from large slabs.
// Growing a list never copies it, so building millions of connections
// leaves no garbage behind and holds at most one partly used chunk per row.
type rowStore struct {
	rows  []chunkList
	slabs [][]int32
	free  int // next unused chunk in the last slab
}

type chunkList struct {
	chunks []int32 // chunk numbers
	n      int32   // number of values
}

const (
	chunkLen      = 64
	chunksPerSlab = 4096 // 1 MiB slabs
)

// addRow appends an empty row and returns its number.
func (s *rowStore) addRow() int32 {
	s.rows = append(s.rows, chunkList{})
	return int32(len(s.rows) - 1)
}

func (s *rowStore) chunk(c int32) []int32 {
	slab, off := int(c)/chunksPerSlab, int(c)%chunksPerSlab*chunkLen
	return s.slabs[slab][off : off+chunkLen]
}

// push appends v to row r.
func (s *rowStore) push(r int32, v int32) {
	row := &s.rows[r]
	if row.n%chunkLen == 0 {
		if len(s.slabs) == 0 || s.free == chunksPerSlab {
			s.slabs = append(s.slabs, make([]int32, chunksPerSlab*chunkLen))
			s.free = 0
		}
		row.chunks = append(row.chunks, int32((len(s.slabs)-1)*chunksPerSlab+s.free))
		s.free++
	}
	s.chunk(row.chunks[len(row.chunks)-1])[row.n%chunkLen] = v
	row.n++
}

// last returns a pointer to the last value of row r (which must not be empty).
func (s *rowStore) last(r int32) *int32 {
	row := &s.rows[r]
	return &s.chunk(row.chunks[len(row.chunks)-1])[(row.n-1)%chunkLen]
}

// each calls fn(j, v) for the values of row r in order.
func (s *rowStore) each(r int32, fn func(j int, v int32)) {
	j := 0
	for c := range s.chunks(r) {
		for _, v := range c {
			fn(j, v)
			j++
		}
	}
}

// chunks returns the values of row r chunk by chunk, in order: a loop
// over them does not call a function per value.
func (s *rowStore) chunks(r int32) iter.Seq[[]int32] {
	return func(yield func([]int32) bool) {
		row := s.rows[r]
		left := int(row.n)
		for _, c := range row.chunks {
			if !yield(s.chunk(c)[:min(chunkLen, left)]) {
				return
			}
			left -= chunkLen
		}
	}
}

// release drops all storage.
func (s *rowStore) release() { *s = rowStore{} }
