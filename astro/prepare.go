package astro

import (
	"cmp"
	"runtime"
	"slices"
	"sync/atomic"
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
		b.Base().partition(k.threads)
		if err := b.Prepare(k); err != nil {
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
		th := k.blocks[r.block].Base().owner(int(r.local))
		k.nodeWhere[g] = int32(th*len(k.blocks)) + r.block
	}
	k.outProj = make([][]int32, len(k.nodes))
	var sics, spikes []*projection
	for _, p := range k.projs {
		p.finish()
		if p.traits.sic {
			sics = append(sics, p)
		} else {
			spikes = append(spikes, p)
		}
	}
	// The projections are independent of each other and of the SIC routes:
	// build them on the kernel's threads (parallel, which also turns a
	// worker's panic into an error), the largest first.
	var tasks []prepTask
	sicCount := 0
	for _, p := range spikes {
		tasks = append(tasks, prepTask{p.count, func() { k.buildProjection(p) }})
	}
	for _, p := range sics {
		sicCount += p.count
	}
	tasks = append(tasks, prepTask{sicCount, func() { k.buildSIC(sics) }})
	slices.SortStableFunc(tasks, func(a, b prepTask) int { return cmp.Compare(b.size, a.size) })
	k.tcs = make([]*Thread, k.threads)
	for t := range k.tcs {
		k.tcs[t] = &Thread{id: t, samples: make([]sampleBuf, len(k.mms))}
	}
	var next atomic.Int64 // each thread takes the next task until none is left
	if err := k.parallel(func(*Thread) error {
		for i := next.Add(1) - 1; i < int64(len(tasks)); i = next.Add(1) - 1 {
			tasks[i].run()
		}
		return nil
	}); err != nil {
		return err
	}
	for _, p := range spikes {
		for _, s := range p.srcIDs {
			k.outProj[s-1] = append(k.outProj[s-1], int32(p.id))
		}
	}
	k.nodeWhere = nil
	k.prepared = true
	return nil
}

// buildProjection splits a spike projection's connections by thread and
// target block (buildParts) and seeds its Poisson streams if it comes from
// a generator.
func (k *Kernel) buildProjection(p *projection) {
	fromPoisson := slices.ContainsFunc(p.srcIDs, func(s int32) bool {
		_, ok := k.blocks[k.nodes[s-1].block].(connectionStreams)
		return ok
	})
	k.buildParts(p, fromPoisson)
	if fromPoisson {
		k.seedPoisson(p)
	}
	if p.count > 1<<20 {
		// Return the released connection lists before the next large
		// allocation: keeps the peak memory of big networks near the
		// live size (a few tens of ms per call).
		runtime.GC()
	}
}

// prepTask is one independent part of prepare, of size connections.
type prepTask struct {
	size int
	run  func()
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
