package astro

import (
	"cmp"
	"maps"
	"runtime"
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
	// nodeWhere[gid-1] = owner thread·len(blocks) + block, looked up for
	// every connection below.
	k.nodeWhere = make([]int32, len(k.nodes))
	for g, r := range k.nodes {
		th := k.blocks[r.block].base().owner(int(r.local))
		k.nodeWhere[g] = int32(th*len(k.blocks)) + r.block
	}
	k.outProj = make([][]int32, len(k.nodes))
	var sics []*projection
	for _, p := range k.projs {
		p.finish()
		if p.kind == kindSIC {
			sics = append(sics, p)
			continue
		}
		fromPoisson := slices.ContainsFunc(p.srcIDs, func(s int32) bool {
			_, ok := k.blocks[k.nodes[s-1].block].(*poissonBlock)
			return ok
		})
		k.buildParts(p, fromPoisson)
		if fromPoisson {
			k.seedPoisson(p)
		}
		for _, s := range p.srcIDs {
			k.outProj[s-1] = append(k.outProj[s-1], int32(p.id))
		}
		if p.count > 1<<20 {
			// Return the released connection lists before the next large
			// allocation: keeps the peak memory of big networks near the
			// live size (a few tens of ms per call).
			runtime.GC()
		}
	}
	k.buildSIC(sics)
	k.nodeWhere = nil
	k.tcs = make([]*threadCtx, k.threads)
	for t := range k.tcs {
		k.tcs[t] = &threadCtx{id: t, samples: make([]sampleBuf, len(k.mms))}
	}
	k.prepared = true
	return nil
}

// seedPoisson gives every poisson_generator → target connection its own
// stream, derived from the seed, the projection and the connection's
// source and position: independent of threads.
func (k *Kernel) seedPoisson(p *projection) {
	for th := range p.parts {
		for i := range p.parts[th] {
			pp := &p.parts[th][i]
			pp.rng = make([]randPCG, len(pp.tgt))
			for r := 0; r+1 < len(pp.off); r++ {
				for e := pp.off[r]; e < pp.off[r+1]; e++ {
					pp.rng[e] = *newPCG(k.seed, streamPoisson, uint64(p.id), uint64(r)<<32|uint64(pp.pos[e]))
				}
			}
			pp.pos = nil
		}
	}
}

// buildSIC aggregates sic_connections per (neuron, astrocyte, delay): the
// neuron's SIC is Σ_c w_c·SIC_a(c), so the summed weight of all connections
// of one pair gives the same current (up to summation rounding) at a
// fraction of the work — the example has ~400 connections per neuron from
// ≤ 10 astrocytes. A neuron's inputs are ordered by delay, then astrocyte.
func (k *Kernel) buildSIC(sics []*projection) {
	type key struct {
		tgt   int32 // node ID
		delay int64
		astro int32 // node ID
	}
	sum := map[key]float64{}
	for _, p := range sics {
		for r, src := range p.srcIDs {
			mult := make([]int32, 0, p.mult.rows[r].n)
			p.mult.each(int32(r), func(_ int, m int32) { mult = append(mult, m) })
			p.rows.each(int32(r), func(j int, t int32) {
				sum[key{t, p.delay, src}] += p.weight * float64(mult[j])
			})
		}
		// The (small, run-length coded) lists stay for GetConnections.
	}
	keys := slices.SortedFunc(maps.Keys(sum), func(x, y key) int {
		return cmp.Or(cmp.Compare(x.tgt, y.tgt), cmp.Compare(x.delay, y.delay), cmp.Compare(x.astro, y.astro))
	})
	for _, kk := range keys {
		r := k.nodes[kk.tgt-1]
		b := k.blocks[r.block].(*aeifBlock)
		if b.sicOff == nil {
			b.sicOff = make([]int32, b.n+1)
		}
		a := k.nodes[kk.astro-1]
		b.sicIn = append(b.sicIn, sicInput{astro: k.blocks[a.block].(*astrocyteBlock), local: a.local, delay: kk.delay, w: sum[kk]})
		b.sicOff[r.local+1] = int32(len(b.sicIn))
	}
	for _, blk := range k.blocks {
		if b, ok := blk.(*aeifBlock); ok && b.sicOff != nil {
			for i := 1; i <= b.n; i++ { // nodes without inputs inherit the previous end
				b.sicOff[i] = max(b.sicOff[i], b.sicOff[i-1])
			}
		}
	}
}
