package astro

import (
	"slices"
)

// projection stores the connections made by one Connect call (or one role
// of a TripartiteConnect call): all share one synapse model with the same
// parameters, weight and delay (NEST's example never randomises them).
//
// Layout: sources are rows; per thread and per target block, the targets of
// each row form a CSR list of local indices (32-bit). This is an exactly
// equivalent, more compact form of NEST's per-thread connectors.
type projection struct {
	id     int
	syn    Synapse
	model  string
	weight float64
	delay  int64 // steps
	kind   synKind

	// Sources: row r is node ID srcIDs[r]; rowIdx maps node ID - srcMin to row+1.
	srcIDs []int32
	srcMin int32
	rowIdx []int32

	// Edges as built, in creation order (row, target node ID).
	eRow []int32
	eTgt []int32

	// tsodyks state, one per source row. Every connection of a source in a
	// projection has the same parameters and initial state and sees the same
	// spike train, so their states are identical at all times: one shared
	// state is exactly equivalent to NEST's per-connection state.
	tso []tsodyksState

	parts [][]projPart // per thread, per target block
	count int          // number of connections
}

type synKind int

const (
	kindStatic synKind = iota
	kindTsodyks
	kindSIC
)

// projPart: the targets of one projection that live on one thread and in
// one block.
type projPart struct {
	block int32
	sink  spikeSink
	off   []int32 // per row, len rows+1
	tgt   []int32 // local indices within the block
	edge  []int32 // index of each entry in eRow/eTgt (for per-connection RNG)
	rng   []randPCG
}

func (p *projection) rowOf(gid int32) int32 { return p.rowIdx[gid-p.srcMin] - 1 }

// addEdge records one connection src -> tgt.
func (p *projection) addEdge(src, tgt int32) {
	p.eRow = append(p.eRow, src) // node ID for now; converted to rows in finish
	p.eTgt = append(p.eTgt, tgt)
	p.count++
}

// finish converts edge sources to rows once all edges are known.
func (p *projection) finish() {
	if len(p.eRow) == 0 {
		return
	}
	lo, hi := slices.Min(p.eRow), slices.Max(p.eRow)
	p.srcMin = lo
	p.rowIdx = make([]int32, hi-lo+1)
	for _, s := range p.eRow {
		if p.rowIdx[s-lo] == 0 {
			p.srcIDs = append(p.srcIDs, s)
			p.rowIdx[s-lo] = int32(len(p.srcIDs))
		}
	}
	for i, s := range p.eRow {
		p.eRow[i] = p.rowIdx[s-lo] - 1
	}
	if p.kind == kindTsodyks {
		ts := p.syn.(TsodyksSynapse)
		p.tso = make([]tsodyksState, len(p.srcIDs))
		for i := range p.tso {
			p.tso[i] = tsodyksState{x: ts.X, y: ts.Y, u: ts.UState}
		}
	}
}

// transmit runs the synapse dynamics for a spike of source row at time tMs
// and returns the transmitted weight.
func (p *projection) transmit(row int32, tMs float64) float64 {
	if p.kind == kindTsodyks {
		return p.syn.(TsodyksSynapse).send(&p.tso[row], tMs) * p.weight
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

// buildParts splits the edges by thread and target block (at prepare).
// Within a row, targets keep their creation order.
func (k *Kernel) buildParts(p *projection, withRNG bool) {
	rows := len(p.srcIDs)
	nb := len(k.blocks)
	p.parts = make([][]projPart, k.threads)
	slot := make([]int32, k.threads*nb) // (thread, block) -> index in parts[thread], +1
	where := make([]int32, len(p.eTgt)) // edge -> thread*nb + block
	for e, t := range p.eTgt {
		r := k.nodes[t-1]
		th := k.blocks[r.block].base().owner(int(r.local))
		w := int32(th*nb) + r.block
		where[e] = w
		if slot[w] == 0 {
			sink, _ := k.blocks[r.block].(spikeSink)
			p.parts[th] = append(p.parts[th], projPart{block: r.block, sink: sink, off: make([]int32, rows+1)})
			slot[w] = int32(len(p.parts[th]))
		}
	}
	part := func(e int) *projPart {
		w := int(where[e])
		return &p.parts[w/nb][slot[w]-1]
	}
	for e := range p.eTgt {
		part(e).off[p.eRow[e]+1]++
	}
	fill := make([][]int32, k.threads*nb)
	for w, s := range slot {
		if s == 0 {
			continue
		}
		pp := &p.parts[w/nb][s-1]
		for r := 0; r < rows; r++ {
			pp.off[r+1] += pp.off[r]
		}
		pp.tgt = make([]int32, pp.off[rows])
		if withRNG {
			pp.edge = make([]int32, pp.off[rows])
		}
		fill[w] = slices.Clone(pp.off[:rows])
	}
	for e := range p.eTgt {
		pp, f := part(e), fill[where[e]]
		row := p.eRow[e]
		pos := f[row]
		f[row]++
		pp.tgt[pos] = k.nodes[p.eTgt[e]-1].local
		if withRNG {
			pp.edge[pos] = int32(e)
		}
	}
}
