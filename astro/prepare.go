package astro

import (
	"cmp"
	"slices"
)

// prepare freezes the network at the first Simulate (NEST's Prepare plus
// connection finalisation): it fixes min/max delay, splits nodes and
// connections over threads and allocates all buffers.
func (k *Kernel) prepare() error {
	if k.minDelay == 0 { // no connections: one step, as NEST
		k.minDelay, k.maxDelay = 1, 1
	}
	k.ringLen = k.minDelay + k.maxDelay
	for _, b := range k.blocks {
		b.base().partition(k.threads)
		if err := b.prepare(k); err != nil {
			return err
		}
	}
	if len(k.recOf) < len(k.nodes) {
		k.recOf = append(k.recOf, make([][]int32, len(k.nodes)-len(k.recOf))...)
	}
	k.outProj = make([][]int32, len(k.nodes))
	var sics []*projection
	for _, p := range k.projs {
		p.finish()
		if p.kind == kindSIC {
			sics = append(sics, p)
			continue
		}
		_, fromPoisson := k.blocks[k.nodes[p.srcIDs[0]-1].block].(*poissonBlock)
		k.buildParts(p, fromPoisson)
		if fromPoisson {
			k.seedPoisson(p)
		}
		for _, s := range p.srcIDs {
			k.outProj[s-1] = append(k.outProj[s-1], int32(p.id))
		}
		p.eTgt, p.eRow = nil, nil // no longer needed
	}
	k.buildSIC(sics)
	k.tcs = make([]*threadCtx, k.threads)
	for t := range k.tcs {
		k.tcs[t] = &threadCtx{id: t, samples: make([]sampleBuf, len(k.mms))}
	}
	k.prepared = true
	return nil
}

// seedPoisson gives every poisson_generator → target connection its own
// stream, derived from the seed, the projection and the connection's
// position in it: independent of threads.
func (k *Kernel) seedPoisson(p *projection) {
	for th := range p.parts {
		for i := range p.parts[th] {
			pp := &p.parts[th][i]
			pp.rng = make([]randPCG, len(pp.tgt))
			for j, e := range pp.edge {
				pp.rng[j] = *newPCG(k.seed, streamPoisson, uint64(p.id), uint64(e))
			}
			pp.edge = nil
		}
	}
}

// buildSIC aggregates sic_connections per (neuron, astrocyte, delay): the
// neuron's SIC is Σ_c w_c·SIC_a(c), so the summed weight of all connections
// of one pair gives the same current (up to summation rounding) at a
// fraction of the work — the example has ~400 connections per neuron from
// ≤ 10 astrocytes. A neuron's inputs are ordered by delay, then astrocyte.
func (k *Kernel) buildSIC(sics []*projection) {
	type in struct {
		tgtLocal int32
		astroID  int32
		delay    int64
		w        float64
	}
	per := map[*aeifBlock][]in{}
	for _, p := range sics {
		for e, t := range p.eTgt {
			r := k.nodes[t-1]
			b := k.blocks[r.block].(*aeifBlock)
			per[b] = append(per[b], in{r.local, p.srcIDs[p.eRow[e]], p.delay, p.weight})
		}
		p.eTgt, p.eRow = nil, nil
	}
	for b, ins := range per {
		slices.SortStableFunc(ins, func(x, y in) int {
			return cmp.Or(cmp.Compare(x.tgtLocal, y.tgtLocal), cmp.Compare(x.delay, y.delay), cmp.Compare(x.astroID, y.astroID))
		})
		b.sicOff = make([]int32, b.n+1)
		for i, x := range ins {
			last := len(b.sicIn) - 1
			if i > 0 && last >= 0 && ins[i-1].tgtLocal == x.tgtLocal && ins[i-1].astroID == x.astroID && ins[i-1].delay == x.delay {
				b.sicIn[last].w += x.w
				continue
			}
			r := k.nodes[x.astroID-1]
			b.sicIn = append(b.sicIn, sicInput{astro: k.blocks[r.block].(*astrocyteBlock), local: r.local, delay: x.delay, w: x.w})
			b.sicOff[x.tgtLocal+1] = int32(len(b.sicIn))
		}
		for i := 1; i <= b.n; i++ { // nodes without inputs inherit the previous end
			b.sicOff[i] = max(b.sicOff[i], b.sicOff[i-1])
		}
	}
}
