package astro

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSICDeliveryOrder checks deliverSIC's arithmetic against a direct
// reading of its contract: per receiver and delay (ascending), the inputs'
// weight·value summed per lag from +0 in ascending sender node ID (senders
// whose slice was all zero skipped), then added to the ring slot of step
// (sender step + delay). The network mixes two sender blocks whose node IDs
// surround the receivers', two delays, repeated pairs (whose weights are
// summed first) and one to three threads; the values span 32 orders of
// magnitude, so any other summation order gives other bits.
func TestSICDeliveryOrder(t *testing.T) {
	for _, threads := range []int{1, 2, 3} {
		k := mustKernel(t, KernelConfig{Resolution: 0.1, LocalNumThreads: threads, RNGSeed: 1})
		a1 := mustCreate(t, k, DefaultAstrocyteLR1994(), 3)
		nrn := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 5)
		a2 := mustCreate(t, k, DefaultAstrocyteLR1994(), 4)
		type conn struct {
			pre   NodeCollection
			w, d  float64 // weight, delay (ms)
			steps int64
		}
		// a2's three connections at 1 ms sum to 2.4000000000000004 in
		// connection order, to 2.4 in reverse.
		conns := []conn{{a2, 0.7, 1.5, 15}, {a1, 1.3, 1.0, 10}, {a2, -0.4, 1.0, 10}, {a1, 0.9, 1.5, 15}, {a2, 2.1, 1.0, 10}, {a2, 0.7, 1.0, 10}}
		for _, c := range conns {
			if err := k.Connect(c.pre, nrn, nil, SICConnection{Weight: c.w, Delay: c.d}); err != nil {
				t.Fatal(err)
			}
		}
		if err := k.prepare(); err != nil {
			t.Fatal(err)
		}
		md := int(k.minDelay)
		rng := rand.New(rand.NewPCG(7, uint64(threads)))
		value := func() float64 { return (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(33)-16)) }
		ring := k.blocks[k.nodes[nrn.ids[0]-1].block].(SICReceiver).SICInput()
		for i := range ring.v {
			ring.v[i] = value()
		}
		// Two slices in a row, each with one or two senders all zero: the
		// sums of the first must not leak into the second.
		for slice, zeros := range [][]int{{a1.ids[1], a2.ids[2]}, {a2.ids[0]}} {
			type sender struct {
				vals    []float64
				nonzero bool
			}
			senders := map[int]sender{}
			for _, c := range []NodeCollection{a1, a2} {
				vals, nonzero := k.blocks[k.nodes[c.ids[0]-1].block].(SICSender).SICOutput()
				for i, id := range c.ids {
					zero := slices.Contains(zeros, id)
					for lag := range md {
						vals[i*md+lag] = 0
						if !zero {
							vals[i*md+lag] = value()
						}
					}
					nonzero[i] = !zero
					senders[id] = sender{vals[i*md : (i+1)*md], !zero}
				}
			}
			prevOrigin := int64(37 + slice*md)
			want := slices.Clone(ring.v)
			for j := range nrn.ids {
				for _, steps := range []int64{10, 15} {
					// The summed weight of each sender, in connection order.
					w := map[int]float64{}
					for _, c := range conns {
						if c.steps == steps {
							for _, id := range c.pre.ids {
								w[id] += c.w
							}
						}
					}
					ids := slices.Sorted(maps.Keys(w))
					for lag := range md {
						acc := 0.0
						for _, id := range ids {
							if s := senders[id]; s.nonzero {
								acc += w[id] * s.vals[lag]
							}
						}
						want[((prevOrigin+steps+int64(lag))%ring.slots)*ring.n+int64(j)] += acc
					}
				}
			}
			for _, tc := range k.tcs {
				k.deliverSIC(tc, prevOrigin)
			}
			for i := range want {
				if math.Float64bits(ring.v[i]) != math.Float64bits(want[i]) {
					t.Fatalf("threads=%d, slice %d: ring value %d (slot %d, neuron %d) = %v, want %v",
						threads, slice, i, int64(i)/ring.n, int64(i)%ring.n, ring.v[i], want[i])
				}
			}
		}
	}
}

// TestSortedByNode: ordered by node ID, equal IDs in their first order.
func TestSortedByNode(t *testing.T) {
	type x struct{ id, seq int32 }
	rng := rand.New(rand.NewPCG(3, 4))
	var xs []x
	for i := range 500 {
		xs = append(xs, x{int32(1 + rng.IntN(40)), int32(i)})
	}
	got := sortedByNode(slices.Values(xs), 40, func(v x) int32 { return v.id })
	want := slices.Clone(xs)
	slices.SortStableFunc(want, func(a, b x) int { return int(a.id - b.id) })
	if !slices.Equal(got, want) {
		t.Fatalf("sortedByNode = %v, want %v", got[:10], want[:10])
	}
}
