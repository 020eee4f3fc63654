package astro

// projection stores the connections made by one Connect call (or one role
// of a TripartiteConnect call): all share one synapse model with the same
// parameters, weight and delay (NEST's example never randomises them).
//
// Layout: sources are rows. While connecting, each row collects its target
// node IDs; at the first Simulate they are split per thread and per target
// block into CSR lists of local indices (32-bit), and the per-row lists are
// released as they are consumed. This is an exactly equivalent, more compact
// form of NEST's per-thread connectors.
type projection struct {
	id     int
	syn    Synapse
	model  string
	weight float64
	delay  int64 // steps
	traits synTraits

	// Sources: row r is node ID srcIDs[r]; rowIdx[node ID - 1] is row+1
	// (0: not a source).
	srcIDs []int32
	rowIdx []int32
	// rows[r] lists the target node IDs of row r in creation order (until
	// prepare). For sic_connection, repeated connections to the same target
	// are stored once with their count in mult[r] (the kernel sums their
	// weights anyway, see buildSIC).
	rows rowStore
	mult rowStore

	// state is the synapses' dynamic state (plasticSynapse), nil for
	// static connections.
	state synapseState

	parts [][]projPart // per thread, per target block
	count int          // number of connections
}

// projPart: the targets of one projection that live on one thread and in
// one block.
type projPart struct {
	block int32
	sink  SpikeSink
	off   []int32 // per row, len rows+1
	tgt   []int32 // local indices within the block
	pos   []int32 // position of each entry in its row (for per-connection RNG)
	rng   []randPCG
}

func (p *projection) rowOf(gid int32) int32 { return p.rowIdx[gid-1] - 1 }

// addEdge records one connection src -> tgt (node IDs).
func (p *projection) addEdge(src, tgt int32) {
	for int(src) > len(p.rowIdx) {
		p.rowIdx = append(p.rowIdx, make([]int32, int(src)-len(p.rowIdx))...)
	}
	r := p.rowIdx[src-1] - 1
	if r < 0 {
		p.srcIDs = append(p.srcIDs, src)
		r = p.rows.addRow()
		if p.traits.sic {
			p.mult.addRow()
		}
		p.rowIdx[src-1] = r + 1
	}
	p.count++
	if p.traits.sic {
		if p.rows.rows[r].n > 0 && *p.rows.last(r) == tgt {
			*p.mult.last(r)++
			return
		}
		p.mult.push(r, 1)
	}
	p.rows.push(r, tgt)
}

// finish prepares the per-source synapse state once all edges are known.
func (p *projection) finish() {
	if ps, ok := p.syn.(plasticSynapse); ok && p.state == nil {
		p.state = ps.newState(len(p.srcIDs))
	}
}

// transmit runs the synapse dynamics for a spike of source row at time tMs
// and returns the transmitted weight.
func (p *projection) transmit(row int32, tMs float64) float64 {
	if p.state != nil {
		return p.state.transmit(row, tMs) * p.weight
	}
	return p.weight
}

// outDegree returns the number of connections of source row.
func (p *projection) outDegree(row int32) int {
	n := 0
	for _, parts := range p.parts {
		for _, pp := range parts {
			n += int(pp.off[row+1] - pp.off[row])
		}
	}
	return n
}

// buildParts splits the rows by thread and target block (at prepare) and
// releases them. Within a row, targets keep their creation order.
func (k *Kernel) buildParts(p *projection, withPos bool) {
	rows := len(p.srcIDs)
	nb := len(k.blocks)
	p.parts = make([][]projPart, k.threads)
	// The parts in the order they are found: number[w] is the part's
	// number + 1 for w = thread·nb + block (k.nodeWhere), and parts[n]
	// the part itself while it is built.
	number := make([]int32, k.threads*nb)
	var parts []*projPart
	var threadOf []int
	for r := range int32(rows) {
		for c := range p.rows.chunks(r) {
			for _, t := range c {
				w := k.nodeWhere[t-1]
				n := number[w]
				if n == 0 {
					blk := k.nodes[t-1].block
					sink, _ := as[SpikeSink](k.blocks[blk])
					parts = append(parts, &projPart{block: blk, sink: sink, off: make([]int32, rows+1)})
					threadOf = append(threadOf, int(w)/nb)
					n = int32(len(parts))
					number[w] = n
				}
				parts[n-1].off[r+1]++
			}
		}
	}
	for _, pp := range parts {
		for r := 0; r < rows; r++ {
			pp.off[r+1] += pp.off[r]
		}
		pp.tgt = make([]int32, pp.off[rows])
		if withPos {
			pp.pos = make([]int32, pp.off[rows])
		}
	}
	fill := make([]int32, len(parts)) // next free entry of the current row per part
	for r := range int32(rows) {
		for i, pp := range parts {
			fill[i] = pp.off[r]
		}
		j := int32(0) // position in the row
		for c := range p.rows.chunks(r) {
			for _, t := range c {
				i := number[k.nodeWhere[t-1]] - 1
				pp := parts[i]
				pp.tgt[fill[i]] = k.nodes[t-1].local
				if withPos {
					pp.pos[fill[i]] = j
				}
				fill[i]++
				j++
			}
		}
	}
	for i, pp := range parts {
		p.parts[threadOf[i]] = append(p.parts[threadOf[i]], *pp)
	}
	p.rows.release()
}
