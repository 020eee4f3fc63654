package astro

import (
	"cmp"
	"maps"
	"slices"
)

// Secondary events: the slow inward current (SIC) that senders such as
// astrocyte_lr_1994 emit as one value per step, carried by sic_connection
// (NEST's SICEvent, delivered through the kernel's secondary-event buffers
// once per min_delay slice: nestkernel/event_delivery_manager.cpp,
// deliver_secondary_events). A sender writes the values of the slice
// into its SICOutput; at the start of the next slice the kernel adds
// weight·value to each receiver's SICInput ring buffer at step
// (sender step + delay). docs/semantics.md, "SIC", has the timing.

// sicSource is one sending block's output, as SICSender returns it.
type sicSource struct {
	vals    []float64 // per node, one value per lag of the slice
	nonzero []bool    // per node: any non-zero value in the slice
}

// sicRoute holds the SIC inputs of one receiving block, aggregated per
// (sender node, delay): node i's inputs are in[off[i]:off[i+1]], ordered
// by delay, then sender node ID.
type sicRoute struct {
	bb   *BlockBase
	ring *RingBuffer
	off  []int32
	in   []sicIn
}

type sicIn struct {
	src   int32 // index in Kernel.sicSrcs
	local int32 // sender node within its block
	delay int64 // steps
	w     float64
}

// buildSIC aggregates the SIC projections per (receiver, sender, delay):
// the receiver's SIC is Σ_c w_c·SIC_a(c), so the summed weight of all
// connections of one pair gives the same current (up to summation
// rounding) at a fraction of the work — the example has ~400 connections
// per neuron from ≤ 10 astrocytes.
func (k *Kernel) buildSIC(sics []*projection) {
	type key struct {
		tgt   int32 // node ID
		delay int64
		src   int32 // node ID
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
		return cmp.Or(cmp.Compare(x.tgt, y.tgt), cmp.Compare(x.delay, y.delay), cmp.Compare(x.src, y.src))
	})
	srcOf := map[int32]int32{} // sender block -> index in k.sicSrcs
	routeOf := map[int32]int{} // receiver block -> index in k.sicRoutes
	for _, kk := range keys {
		a := k.nodes[kk.src-1]
		si, ok := srcOf[a.block]
		if !ok {
			vals, nonzero := k.blocks[a.block].(SICSender).SICOutput()
			si = int32(len(k.sicSrcs))
			srcOf[a.block] = si
			k.sicSrcs = append(k.sicSrcs, sicSource{vals: vals, nonzero: nonzero})
		}
		r := k.nodes[kk.tgt-1]
		ri, ok := routeOf[r.block]
		if !ok {
			blk := k.blocks[r.block]
			ri = len(k.sicRoutes)
			routeOf[r.block] = ri
			k.sicRoutes = append(k.sicRoutes, sicRoute{bb: blk.Base(), ring: blk.(SICReceiver).SICInput(), off: make([]int32, blk.Base().n+1)})
		}
		rt := &k.sicRoutes[ri]
		rt.in = append(rt.in, sicIn{src: si, local: a.local, delay: kk.delay, w: sum[kk]})
		rt.off[r.local+1] = int32(len(rt.in))
	}
	for i := range k.sicRoutes {
		off := k.sicRoutes[i].off
		for j := 1; j < len(off); j++ { // nodes without inputs inherit the previous end
			off[j] = max(off[j], off[j-1])
		}
	}
}

// deliverSIC adds the SIC values the senders computed in the slice
// starting at prevOrigin to the receivers local to this thread, at step
// (sender step + delay). Inputs with the same delay are summed per lag
// first and written to the ring buffer once per lag; senders whose values
// were all zero in the slice are skipped (adding +0 changes nothing).
func (k *Kernel) deliverSIC(tc *Thread, prevOrigin int64) {
	md := int(k.minDelay)
	if cap(tc.sicAcc) < md {
		tc.sicAcc = make([]float64, md)
	}
	acc := tc.sicAcc[:md]
	for ri := range k.sicRoutes {
		rt := &k.sicRoutes[ri]
		r := rt.ring
		for i := rt.bb.lo[tc.id]; i < rt.bb.hi[tc.id]; i++ {
			clearUpper()
			ins := rt.in[rt.off[i]:rt.off[i+1]]
			for len(ins) > 0 {
				d := ins[0].delay
				clear(acc)
				j, any := 0, false
				for ; j < len(ins) && ins[j].delay == d; j++ {
					in := &ins[j]
					src := &k.sicSrcs[in.src]
					if !src.nonzero[in.local] {
						continue
					}
					any = true
					vals := src.vals[int(in.local)*md:][:len(acc)]
					for lag, v := range vals {
						acc[lag] += in.w * v
					}
				}
				if any {
					// Ring slots of consecutive steps are consecutive (mod slots).
					slot := (prevOrigin + d) % r.slots
					for _, v := range acc {
						r.v[slot*r.n+int64(i)] += v
						if slot++; slot == r.slots {
							slot = 0
						}
					}
				}
				ins = ins[j:]
			}
		}
	}
}
