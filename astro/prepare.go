package astro

import (
	"runtime"
	"slices"
)

// prepare freezes the network at the first Simulate (NEST's Prepare plus
// connection finalisation): it fixes min/max delay, splits nodes and
// connections over threads and allocates all buffers.
func (k *Kernel) prepare() error {
	if err := k.chooseVector(); err != nil {
		return err
	}
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
		if p.traits.sic {
			sics = append(sics, p)
			continue
		}
		fromPoisson := slices.ContainsFunc(p.srcIDs, func(s int32) bool {
			_, ok := k.blocks[k.nodes[s-1].block].(connectionStreams)
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
