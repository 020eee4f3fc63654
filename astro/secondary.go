package astro

import (
	"cmp"
	"iter"
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

// sicPlan is one thread's part of SIC delivery: its receivers (the SIC
// receivers the thread updates) and, per delay, the senders that reach
// them. Delivery runs sender by sender, so a sender whose values were all
// zero in the slice costs one test (49 % of the example's inputs, counted
// over a run, come from such senders); each receiver sums its inputs of
// one delay per lag in acc and adds the sums to its ring buffer once.
type sicPlan struct {
	recv   []sicRecv
	layers []sicLayer // ascending delay
	// acc holds per receiver one value per lag of the slice: at most half
	// the size of the receivers' SIC ring buffers.
	acc     []float64
	touched []bool // per receiver: acc holds a non-zero sender's input
}

// sicRecv is a receiving node: its block's SIC ring buffer and its index
// in the block.
type sicRecv struct {
	ring  *RingBuffer
	local int64
}

// sicLayer holds the inputs of one delay: senders in ascending node ID,
// sender i's inputs in inputs[senders[i-1].end:senders[i].end].
type sicLayer struct {
	delay   int64 // steps
	senders []sicSend
	inputs  []sicInput
}

type sicSend struct {
	src   int32 // index in Kernel.sicSrcs
	local int32 // sender node within its block
	end   int32
}

type sicInput struct {
	recv int32 // index in sicPlan.recv
	w    float64
}

// buildSIC aggregates the SIC projections per (receiver, sender, delay):
// the receiver's SIC is Σ_c w_c·SIC_a(c), so the summed weight of all
// connections of one pair gives the same current (up to summation
// rounding) at a fraction of the work — the example has ~400 connections
// per neuron from ≤ 10 astrocytes. It then splits the inputs by the
// receiver's thread and by delay (one sicPlan per thread).
func (k *Kernel) buildSIC(sics []*projection) {
	// Every (receiver, delay, sender) of a connection, with its weight
	// times its multiplicity, ordered by receiver node ID (sortedByNode
	// reads the connections twice and allocates the pairs once); the
	// connections of one receiver keep their order.
	type pair struct {
		tgt, src int32 // node IDs
		delay    int64
		w        float64
	}
	var mult []int32 // one row's multiplicities
	connections := func(yield func(pair) bool) {
		for _, p := range sics {
			for r, src := range p.srcIDs {
				mult = mult[:0]
				p.mult.each(int32(r), func(_ int, m int32) { mult = append(mult, m) })
				j := 0 // position in the row
				for c := range p.rows.chunks(int32(r)) {
					for _, t := range c {
						if !yield(pair{t, src, p.delay, p.weight * float64(mult[j])}) {
							return
						}
						j++
					}
				}
			}
		}
		// The (small, run-length coded) lists stay for GetConnections.
	}
	pairs := sortedByNode(connections, len(k.nodes), func(x pair) int32 { return x.tgt })
	// Then each receiver's few pairs by delay and sender, stably: the
	// connections of one triple keep their order, so their weights are
	// summed in connection order, starting from 0.
	for lo := 0; lo < len(pairs); {
		hi := lo + 1
		for hi < len(pairs) && pairs[hi].tgt == pairs[lo].tgt {
			hi++
		}
		slices.SortStableFunc(pairs[lo:hi], func(x, y pair) int {
			return cmp.Or(cmp.Compare(x.delay, y.delay), cmp.Compare(x.src, y.src))
		})
		lo = hi
	}
	keys := pairs[:0] // the triples, each with its summed weight (in place: never ahead of the reading)
	for _, x := range pairs {
		if n := len(keys); n == 0 || keys[n-1].tgt != x.tgt || keys[n-1].delay != x.delay || keys[n-1].src != x.src {
			keys = append(keys, pair{x.tgt, x.src, x.delay, 0})
		}
		keys[len(keys)-1].w += x.w
	}
	// One input of a thread's layer, before the senders are grouped.
	type input struct {
		src  int32 // node ID
		recv int32
		w    float64
	}
	k.sicPlans = make([]sicPlan, k.threads)
	layerInputs := make([]map[int64][]input, k.threads) // per thread, per delay
	lastRecv := make([]int32, k.threads)                // per thread: the node ID of its last receiver (keys come by receiver)
	for t := range k.threads {
		layerInputs[t] = map[int64][]input{}
	}
	srcOf := map[int32]int32{} // sender block -> index in k.sicSrcs
	for _, kk := range keys {
		a := k.nodes[kk.src-1]
		if _, ok := srcOf[a.block]; !ok {
			vals, nonzero := k.blocks[a.block].(SICSender).SICOutput()
			srcOf[a.block] = int32(len(k.sicSrcs))
			k.sicSrcs = append(k.sicSrcs, sicSource{vals: vals, nonzero: nonzero})
		}
		r := k.nodes[kk.tgt-1]
		blk := k.blocks[r.block]
		bb := blk.Base()
		for t := range k.threads {
			if int(r.local) < bb.lo[t] || int(r.local) >= bb.hi[t] {
				continue
			}
			pl := &k.sicPlans[t]
			if lastRecv[t] != kk.tgt {
				lastRecv[t] = kk.tgt
				pl.recv = append(pl.recv, sicRecv{ring: blk.(SICReceiver).SICInput(), local: int64(r.local)})
			}
			ri := int32(len(pl.recv) - 1)
			layerInputs[t][kk.delay] = append(layerInputs[t][kk.delay], input{src: kk.src, recv: ri, w: kk.w})
		}
	}
	md := int(k.minDelay)
	for t := range k.sicPlans {
		pl := &k.sicPlans[t]
		pl.acc = make([]float64, len(pl.recv)*md)
		pl.touched = make([]bool, len(pl.recv))
		for _, d := range slices.Sorted(maps.Keys(layerInputs[t])) {
			// Each receiver sums its senders in ascending node ID, as
			// the keys are ordered.
			ins := sortedByNode(slices.Values(layerInputs[t][d]), len(k.nodes), func(x input) int32 { return x.src })
			l := sicLayer{delay: d, inputs: make([]sicInput, len(ins))}
			for i, in := range ins {
				l.inputs[i] = sicInput{recv: in.recv, w: in.w}
				if i == 0 || in.src != ins[i-1].src {
					a := k.nodes[in.src-1]
					l.senders = append(l.senders, sicSend{src: srcOf[a.block], local: a.local})
				}
				l.senders[len(l.senders)-1].end = int32(i + 1)
			}
			pl.layers = append(pl.layers, l)
		}
	}
}

// sortedByNode returns the values of seq ordered by node ID (1 … n),
// keeping the order of equal IDs: a counting sort that reads seq twice,
// once to count and once to place, and allocates the result once. seq
// must give the same values both times.
func sortedByNode[T any](seq iter.Seq[T], n int, id func(T) int32) []T {
	start := make([]int, n+2) // start[i+1]: first position of node ID i
	for x := range seq {
		start[id(x)+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	out := make([]T, start[len(start)-1])
	for x := range seq {
		out[start[id(x)]] = x
		start[id(x)]++
	}
	return out
}

// deliverSIC adds the SIC values the senders computed in the slice
// starting at prevOrigin to the receivers local to this thread, at step
// (sender step + delay): per delay, each receiver's inputs are summed per
// lag first, in ascending sender node ID, and written to its ring buffer
// once per lag. Senders whose values were all zero in the slice are
// skipped (adding +0 changes nothing).
func (k *Kernel) deliverSIC(tc *Thread, prevOrigin int64) {
	pl := &k.sicPlans[tc.id]
	md := int(k.minDelay)
	for li := range pl.layers {
		l := &pl.layers[li]
		begin := int32(0)
		for _, s := range l.senders {
			ins := l.inputs[begin:s.end]
			begin = s.end
			src := &k.sicSrcs[s.src]
			if !src.nonzero[s.local] {
				continue
			}
			clearUpper()
			vals := src.vals[int(s.local)*md:][:md]
			for _, in := range ins {
				acc := pl.acc[int(in.recv)*md:][:md]
				for lag, v := range vals {
					acc[lag] += in.w * v
				}
				pl.touched[in.recv] = true
			}
		}
		for ri, on := range pl.touched {
			if !on {
				continue
			}
			pl.touched[ri] = false
			rc := &pl.recv[ri]
			r := rc.ring
			// Ring slots of consecutive steps are consecutive (mod slots).
			slot := (prevOrigin + l.delay) % r.slots
			acc := pl.acc[ri*md:][:md]
			for lag, v := range acc {
				r.v[slot*r.n+rc.local] += v
				acc[lag] = 0
				if slot++; slot == r.slots {
					slot = 0
				}
			}
		}
	}
}
