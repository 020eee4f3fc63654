package astro

import "slices"

// Connection describes one connection, as NEST's GetConnections lists it.
type Connection struct {
	Source, Target int     // node IDs
	SynapseModel   string  // e.g. "tsodyks_synapse"
	Weight         float64 // the synapse's weight parameter
	Delay          float64 // ms
}

// GetConnections lists the connections from any node of source to any node
// of target made with the given synapse model; an empty collection or model
// name means "any" (NEST's GetConnections). Recorder connections are not
// listed. Connections come grouped by Connect call, then by source.
func (k *Kernel) GetConnections(source, target NodeCollection, synapseModel string) []Connection {
	in := func(c NodeCollection) func(int32) bool {
		if c.Len() == 0 {
			return func(int32) bool { return true }
		}
		set := make(map[int32]bool, c.Len())
		for _, id := range c.ids {
			set[int32(id)] = true
		}
		return func(id int32) bool { return set[id] }
	}
	srcOK, tgtOK := in(source), in(target)
	var out []Connection
	for _, p := range k.projs {
		if synapseModel != "" && p.model != synapseModel {
			continue
		}
		w, d := p.syn.weightDelay()
		add := func(s, t int32) {
			if tgtOK(t) {
				out = append(out, Connection{Source: int(s), Target: int(t), SynapseModel: p.model, Weight: w, Delay: d})
			}
		}
		for r, s := range p.srcIDs {
			if !srcOK(s) {
				continue
			}
			p.eachTarget(k, int32(r), func(t int32) { add(s, t) })
		}
	}
	return out
}

// eachTarget calls fn with the target node ID of every connection of source
// row r, before or after the network was prepared for simulation.
func (p *projection) eachTarget(k *Kernel, r int32, fn func(t int32)) {
	if p.parts == nil { // still the lists built by Connect (always for SIC)
		var mult []int32
		if p.traits.sic {
			p.mult.each(r, func(_ int, m int32) { mult = append(mult, m) })
		}
		p.rows.each(r, func(j int, t int32) {
			n := int32(1)
			if mult != nil {
				n = mult[j]
			}
			for range n {
				fn(t)
			}
		})
		return
	}
	var tgts []int32
	for _, parts := range p.parts {
		for _, part := range parts {
			first := int32(k.blocks[part.block].base().first)
			for _, t := range part.tgt[part.off[r]:part.off[r+1]] {
				tgts = append(tgts, first+t)
			}
		}
	}
	slices.Sort(tgts) // thread and block split undone: ascending target
	for _, t := range tgts {
		fn(t)
	}
}
