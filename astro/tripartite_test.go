package astro

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/astronb/astronb/internal/reftest"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Tripartite connectivity: ports of test_tripartite_connect.py and
// test_tripartite_connect.py and test_connect_tripartite_bernoulli.py and a statistical
// comparison with NEST 3.8's counts over 200 seeds.

const tripartiteDir = "testdata/nest-3.8/tripartite/"

// edge is one connection (node IDs); multapses appear repeatedly.
type edge struct{ src, tgt int }

// projEdges lists the connections of a projection as the engine stores
// them before the first Simulate: per source row, the target node IDs in
// creation order (sic_connection rows hold repeated targets once, with a
// count in mult).
func projEdges(t *testing.T, p *projection) []edge {
	t.Helper()
	if len(p.rows.rows) != len(p.srcIDs) {
		t.Fatalf("projection %d: %d rows for %d sources (connections already released by Simulate?)", p.id, len(p.rows.rows), len(p.srcIDs))
	}
	var out []edge
	for r, s := range p.srcIDs {
		var mult []int32
		if p.traits.sic {
			p.mult.each(int32(r), func(_ int, m int32) { mult = append(mult, m) })
		}
		p.rows.each(int32(r), func(j int, tg int32) {
			n := int32(1)
			if p.traits.sic {
				n = mult[j]
			}
			for range n {
				out = append(out, edge{int(s), int(tg)})
			}
		})
	}
	if len(out) != p.count {
		t.Fatalf("projection %d: %d edges enumerated, count says %d", p.id, len(out), p.count)
	}
	return out
}

// roles holds the connections of one tripartite call, per role.
type roles struct {
	primary, thirdIn, thirdOut []edge
	models                     [3]string
}

// tripartiteCall runs connect and returns the connections it added, taken
// from the (up to) three projections it appended to k.projs: primary,
// third_in, third_out in that order (empty ones are not stored, so a call
// without third-factor connections adds only the primary projection).
func tripartiteCall(t *testing.T, k *Kernel, connect func() error) roles {
	t.Helper()
	before := len(k.projs)
	if err := connect(); err != nil {
		t.Fatal(err)
	}
	added := k.projs[before:]
	var r roles
	switch len(added) {
	case 0:
	case 1:
		r.primary, r.models[0] = projEdges(t, added[0]), added[0].model
	case 3:
		r.primary, r.thirdIn, r.thirdOut = projEdges(t, added[0]), projEdges(t, added[1]), projEdges(t, added[2])
		r.models = [3]string{added[0].model, added[1].model, added[2].model}
	default:
		t.Fatalf("tripartite call added %d projections", len(added))
	}
	return r
}

// checkTripartiteStructure checks the invariants of the rule: roles connect
// the right populations, no primary multapses, third_in and third_out
// come in pairs through the same astrocyte, each target's third-factor
// pairs ≤ its primary in-degree and its astrocytes ≤ pool_size distinct.
func checkTripartiteStructure(t *testing.T, what string, r roles, pre, post, third NodeCollection, poolSize int) {
	t.Helper()
	in := func(c NodeCollection) map[int]bool {
		m := map[int]bool{}
		for _, id := range c.ids {
			m[id] = true
		}
		return m
	}
	preS, postS, thirdS := in(pre), in(post), in(third)
	seen := map[edge]bool{}
	inPrimary := map[int]int{}
	for _, e := range r.primary {
		if !preS[e.src] || !postS[e.tgt] {
			t.Fatalf("%s: primary %d->%d not pre->post", what, e.src, e.tgt)
		}
		if seen[e] {
			t.Fatalf("%s: primary multapse %d->%d", what, e.src, e.tgt)
		}
		seen[e] = true
		inPrimary[e.tgt]++
	}
	if len(r.thirdIn) != len(r.thirdOut) {
		t.Fatalf("%s: %d third_in, %d third_out", what, len(r.thirdIn), len(r.thirdOut))
	}
	aIn, aOut := map[int]int{}, map[int]int{}
	for _, e := range r.thirdIn {
		if !preS[e.src] || !thirdS[e.tgt] {
			t.Fatalf("%s: third_in %d->%d not pre->third", what, e.src, e.tgt)
		}
		aIn[e.tgt]++
	}
	pool := map[int]map[int]bool{}
	outT := map[int]int{}
	for _, e := range r.thirdOut {
		if !thirdS[e.src] || !postS[e.tgt] {
			t.Fatalf("%s: third_out %d->%d not third->post", what, e.src, e.tgt)
		}
		aOut[e.src]++
		outT[e.tgt]++
		if pool[e.tgt] == nil {
			pool[e.tgt] = map[int]bool{}
		}
		pool[e.tgt][e.src] = true
	}
	for a, n := range aIn {
		if aOut[a] != n {
			t.Fatalf("%s: astrocyte %d has %d third_in and %d third_out", what, a, n, aOut[a])
		}
	}
	for tg, n := range outT {
		if n > inPrimary[tg] {
			t.Fatalf("%s: target %d has %d third_out but %d primary connections", what, tg, n, inPrimary[tg])
		}
		if len(pool[tg]) > poolSize {
			t.Fatalf("%s: target %d gets third_out from %d distinct astrocytes, pool_size %d", what, tg, len(pool[tg]), poolSize)
		}
	}
}

// TestTripartiteCounts ports the counting cases of test_tripartite_connect.py
// (p_primary = p_third_if_primary = 1).
func TestTripartiteCounts(t *testing.T) {
	parrot := func(*Kernel) Model { return ParrotNeuron{} }
	for _, c := range []struct {
		name                string
		nPre, nPost, nThird int
		neuron, third       func(*Kernel) Model
		rule                TripartiteBernoulliWithPool
		syn                 TripartiteSynSpecs
		want                int
	}{
		{"connect_all", 4, 2, 3, parrot, parrot, NewTripartiteBernoulliWithPool(), TripartiteSynSpecs{}, 8},
		{"connect_astro", 4, 2, 3,
			func(*Kernel) Model { return DefaultAeifCondAlphaAstro() }, func(*Kernel) Model { return DefaultAstrocyteLR1994() },
			NewTripartiteBernoulliWithPool(), TripartiteSynSpecs{ThirdOut: DefaultSICConnection()}, 8},
		{"explicit_random_pool", 4, 2, 3, parrot, parrot,
			TripartiteBernoulliWithPool{PPrimary: 1, PThirdIfPrimary: 1, PoolSize: 2, PoolType: PoolRandom, AllowAutapses: true}, TripartiteSynSpecs{}, 8},
		{"block_pool_single", 4, 4, 2, parrot, parrot,
			TripartiteBernoulliWithPool{PPrimary: 1, PThirdIfPrimary: 1, PoolSize: 1, PoolType: PoolBlock, AllowAutapses: true}, TripartiteSynSpecs{}, 16},
		{"block_pool_wide", 4, 2, 8, parrot, parrot,
			TripartiteBernoulliWithPool{PPrimary: 1, PThirdIfPrimary: 1, PoolSize: 4, PoolType: PoolBlock, AllowAutapses: true}, TripartiteSynSpecs{}, 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, threads := range []int{1, 2} {
				k := mustKernel(t, KernelConfig{LocalNumThreads: threads})
				pre := mustCreate(t, k, c.neuron(k), c.nPre)
				post := mustCreate(t, k, c.neuron(k), c.nPost)
				third := mustCreate(t, k, c.third(k), c.nThird)
				r := tripartiteCall(t, k, func() error { return k.TripartiteConnect(pre, post, third, c.rule, c.syn) })
				if len(r.primary) != c.want || len(r.thirdIn) != c.want || len(r.thirdOut) != c.want {
					t.Errorf("threads %d: primary/third_in/third_out = %d/%d/%d, want %d each",
						threads, len(r.primary), len(r.thirdIn), len(r.thirdOut), c.want)
				}
				pool := c.rule.PoolSize
				if pool == 0 {
					pool = c.nThird
				}
				checkTripartiteStructure(t, c.name, r, pre, post, third, pool)
				if c.rule.PoolType == PoolBlock {
					for _, e := range r.thirdOut {
						j := slices.Index(post.ids, e.tgt)
						first := j * pool
						if pool == 1 {
							first = j / (c.nPost / c.nThird)
						}
						if a := slices.Index(third.ids, e.src); a < first || a >= first+pool {
							t.Errorf("block pool: target #%d gets third_out from astrocyte #%d, want #%d..#%d", j, a, first, first+pool-1)
						}
					}
				}
				total := 0
				for _, n := range k.NumConnections() {
					total += n
				}
				if total != 3*c.want {
					t.Errorf("NumConnections %v, want %d in total", k.NumConnections(), 3*c.want)
				}
				if c.syn.ThirdOut != nil && k.NumConnections()["sic_connection"] != c.want {
					t.Errorf("NumConnections %v, want %d sic_connection", k.NumConnections(), c.want)
				}
				mustSimulate(t, k, 2) // the wired network runs
			}
		})
	}
}

// TestTripartiteRejections: a block pool that does not fit, an out-of-range
// pool_size, and the tripartite rule passed to Connect or as the primary
// rule of TripartiteConnectWith are errors that leave no connections.
func TestTripartiteRejections(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	pre := mustCreate(t, k, ParrotNeuron{}, 4)
	post := mustCreate(t, k, ParrotNeuron{}, 4)
	third := mustCreate(t, k, ParrotNeuron{}, 3)
	big := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 100)
	astros := mustCreate(t, k, DefaultAstrocyteLR1994(), 100)
	check := func(what string, err error, want ...string) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: accepted, want an error", what)
			return
		}
		for _, w := range want {
			if !contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", what, err, w)
			}
		}
		if len(k.projs) != 0 || len(k.NumConnections()) != 0 {
			t.Errorf("%s: rejected, but connections exist: %v", what, k.NumConnections())
		}
	}
	block := func(pool int) TripartiteBernoulliWithPool {
		r := NewTripartiteBernoulliWithPool()
		r.PoolType, r.PoolSize = PoolBlock, pool
		return r
	}
	check("block 4x4x3 pool 2", noPanic(t, "block", func() error {
		return k.TripartiteConnect(pre, post, third, block(2), TripartiteSynSpecs{})
	}), "pool_size", "block")
	check("block 4x4x3 pool 1", noPanic(t, "block", func() error {
		return k.TripartiteConnect(pre, post, third, block(1), TripartiteSynSpecs{})
	}), "pool_size")
	// NEST's e6 case: 100 x 100 x 100, block, pool_size 10.
	check("e6 block 100x100x100 pool 10", noPanic(t, "e6", func() error {
		r := block(10)
		r.PPrimary, r.PThirdIfPrimary = 0.1, 0.5
		return k.TripartiteConnect(big, big, astros, r, TripartiteSynSpecs{ThirdOut: SICConnection{Weight: 0.01, Delay: 1}})
	}), "pool_size")
	for _, ps := range []int{-1, 4} {
		r := NewTripartiteBernoulliWithPool()
		r.PoolSize = ps
		check(fmt.Sprintf("pool_size %d of 3", ps), noPanic(t, "pool", func() error {
			return k.TripartiteConnect(pre, post, third, r, TripartiteSynSpecs{})
		}), "pool_size")
	}
	// The tripartite rule is not a ConnRule, so Connect and
	// TripartiteConnectWith do not even compile with it.
	if _, ok := any(NewTripartiteBernoulliWithPool()).(ConnRule); ok {
		t.Error("TripartiteBernoulliWithPool implements ConnRule: Connect would accept it")
	}
	check("TripartiteConnectWith a nil primary rule", noPanic(t, "With nil", func() error {
		return k.TripartiteConnectWith(pre, post, third, nil, ThirdFactorBernoulliWithPool{P: 1}, TripartiteSynSpecs{})
	}))
	// The kernel is still usable.
	r := tripartiteCall(t, k, func() error {
		return k.TripartiteConnect(pre, post, third, NewTripartiteBernoulliWithPool(), TripartiteSynSpecs{})
	})
	if len(r.primary) != 16 || len(r.thirdIn) != 16 {
		t.Errorf("after the rejections: %d primary, %d third_in, want 16 each", len(r.primary), len(r.thirdIn))
	}
}

// TestTripartiteSlicedThird ports test_tripartite_connect_sliced_third: 4
// threads, 20 parrots, third = (nrn[:3] + nrn[5:])[::3], random pool 2: the
// third_in targets and third_out sources are subsets of third, and the
// counts are equal.
func TestTripartiteSlicedThird(t *testing.T) {
	k := mustKernel(t, KernelConfig{LocalNumThreads: 4})
	nrn := mustCreate(t, k, ParrotNeuron{}, 20)
	joined := Concat(nrn.Slice(0, 3), nrn.Slice(5, 20))
	var ids []int
	for i := 0; i < joined.Len(); i += 3 {
		ids = append(ids, joined.At(i))
	}
	third := NodeIDs(ids...)
	rule := NewTripartiteBernoulliWithPool()
	rule.PoolSize = 2
	r := tripartiteCall(t, k, func() error { return k.TripartiteConnect(nrn, nrn, third, rule, TripartiteSynSpecs{}) })
	if len(r.primary) != 400 || len(r.thirdIn) != 400 || len(r.thirdOut) != 400 {
		t.Errorf("primary/third_in/third_out = %d/%d/%d, want 400 each", len(r.primary), len(r.thirdIn), len(r.thirdOut))
	}
	for _, e := range r.thirdIn {
		if !slices.Contains(ids, e.tgt) {
			t.Fatalf("third_in target %d not in third %v", e.tgt, ids)
		}
	}
	for _, e := range r.thirdOut {
		if !slices.Contains(ids, e.src) {
			t.Fatalf("third_out source %d not in third %v", e.src, ids)
		}
	}
	checkTripartiteStructure(t, "sliced third", r, nrn, nrn, third, 2)
	// Sliced pre and post too (non-contiguous, reordered).
	pre := NodeIDs(nrn.At(7), nrn.At(2), nrn.At(15))
	post := Concat(nrn.Slice(10, 12), nrn.Slice(0, 1))
	r = tripartiteCall(t, k, func() error { return k.TripartiteConnect(pre, post, third, rule, TripartiteSynSpecs{}) })
	if len(r.primary) != 9 || len(r.thirdOut) != 9 {
		t.Errorf("sliced pre/post: %d primary, %d third_out, want 9 each", len(r.primary), len(r.thirdOut))
	}
	checkTripartiteStructure(t, "sliced pre/post", r, pre, post, third, 2)
	mustSimulate(t, k, 2)
}

// TestTripartiteAutapses ports test_autapses (test_connect_tripartite_bernoulli.py): N = 50 aeif as
// pre and post, 50 astrocytes, p_primary = 1: the diagonal is present
// iff allow_autapses, and there are N² or N² − N primary connections.
func TestTripartiteAutapses(t *testing.T) {
	const n = 50
	for _, allow := range []bool{true, false} {
		k := mustKernel(t, KernelConfig{})
		nrn := mustCreate(t, k, DefaultAeifCondAlphaAstro(), n)
		astro := mustCreate(t, k, DefaultAstrocyteLR1994(), n)
		rule := TripartiteBernoulliWithPool{PPrimary: 1, PThirdIfPrimary: 1, PoolSize: 5, PoolType: PoolRandom, AllowAutapses: allow}
		r := tripartiteCall(t, k, func() error {
			return k.TripartiteConnect(nrn, nrn, astro, rule, TripartiteSynSpecs{ThirdOut: DefaultSICConnection()})
		})
		diag := 0
		for _, e := range r.primary {
			if e.src == e.tgt {
				diag++
			}
		}
		wantDiag, wantTotal := 0, n*n-n
		if allow {
			wantDiag, wantTotal = n, n*n
		}
		if diag != wantDiag || len(r.primary) != wantTotal {
			t.Errorf("allow_autapses %v: %d diagonal, %d total, want %d and %d", allow, diag, len(r.primary), wantDiag, wantTotal)
		}
		if len(r.thirdIn) != wantTotal || len(r.thirdOut) != wantTotal {
			t.Errorf("allow_autapses %v: %d third_in, %d third_out, want %d", allow, len(r.thirdIn), len(r.thirdOut), wantTotal)
		}
		checkTripartiteStructure(t, "autapses", r, nrn, nrn, astro, 5)
	}
}

// TestTripartitePoolBound (test_connect_tripartite_bernoulli.py): each target's third_out sources come
// from at most pool_size distinct astrocytes (random pools, several seeds
// and p_primary), and with block pools from its own block.
func TestTripartitePoolBound(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		for _, p := range []float64{0.1, 0.3, 0.5} {
			k := mustKernel(t, KernelConfig{RNGSeed: seed, LocalNumThreads: 2})
			pre := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 50)
			post := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 50)
			astro := mustCreate(t, k, DefaultAstrocyteLR1994(), 50)
			rule := TripartiteBernoulliWithPool{PPrimary: p, PThirdIfPrimary: 1, PoolSize: 5, PoolType: PoolRandom, AllowAutapses: true}
			r := tripartiteCall(t, k, func() error {
				return k.TripartiteConnect(pre, post, astro, rule, TripartiteSynSpecs{ThirdOut: DefaultSICConnection()})
			})
			checkTripartiteStructure(t, fmt.Sprintf("seed %d p %g", seed, p), r, pre, post, astro, 5)
			// With p_third_if_primary 1 and ≥ 5 pairs, a pool of 5 is
			// usually fully used: the bound is reached, not just respected.
			distinct := map[int]map[int]bool{}
			for _, e := range r.thirdOut {
				if distinct[e.tgt] == nil {
					distinct[e.tgt] = map[int]bool{}
				}
				distinct[e.tgt][e.src] = true
			}
			full := 0
			for _, s := range distinct {
				if len(s) == 5 {
					full++
				}
			}
			if p == 0.5 && full < 40 {
				t.Errorf("seed %d p %g: only %d of 50 targets use all 5 pool astrocytes", seed, p, full)
			}
		}
	}
}

// readNESTConnections reads a NEST connections CSV (source, target,
// synapse_model, kind, weight, delay) into roles.
func readNESTConnections(t *testing.T, path string) roles {
	t.Helper()
	recs := reftest.Records(t, path)
	var r roles
	for _, rec := range recs[1:] {
		s, err1 := strconv.Atoi(rec[0])
		d, err2 := strconv.Atoi(rec[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad row %v", path, rec)
		}
		switch rec[3] {
		case "primary":
			r.primary = append(r.primary, edge{s, d})
		case "third_in":
			r.thirdIn = append(r.thirdIn, edge{s, d})
		case "third_out":
			r.thirdOut = append(r.thirdOut, edge{s, d})
		default:
			t.Fatalf("%s: unknown kind %q", path, rec[3])
		}
	}
	return r
}

// exampleSyn is the syn_specs of astrocyte_brunel.py used by the NEST
// reference cases.
func exampleSyn() TripartiteSynSpecs {
	ts := DefaultTsodyksSynapse()
	ts.Weight, ts.TauPsc, ts.Delay = 1, 2, 2
	return TripartiteSynSpecs{Primary: ts, ThirdIn: ts, ThirdOut: SICConnection{Weight: 0.01, Delay: 1}}
}

// TestTripartiteBlockPoolsMatchNEST: for NEST's block-pool cases e2 (pool
// 10, 1000 astrocytes), e3 (pool 1, 100) and e4 (pool 1, 50), NEST's
// connection files and our wiring (same sizes and node IDs) both put every
// target's third_out sources inside the same block; with pool_size 1 the
// astrocyte of each target is determined, so ours must be NEST's.
func TestTripartiteBlockPoolsMatchNEST(t *testing.T) {
	for _, c := range []struct {
		file          string
		nAstro, pool  int
		deterministic bool
	}{
		{"e2_block_pool10_100x100x1000_connections.csv", 1000, 10, false},
		{"e3_block_pool1_100x100x100_connections.csv", 100, 1, true},
		{"e4_block_pool1_100x100x50_connections.csv", 50, 1, true},
	} {
		nest := readNESTConnections(t, tripartiteDir+c.file)
		k := mustKernel(t, KernelConfig{})
		src := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 100) // 1..100
		tgt := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 100) // 101..200
		astro := mustCreate(t, k, DefaultAstrocyteLR1994(), c.nAstro)
		rule := TripartiteBernoulliWithPool{PPrimary: 0.1, PThirdIfPrimary: 0.5, PoolSize: c.pool, PoolType: PoolBlock, AllowAutapses: true}
		ours := tripartiteCall(t, k, func() error { return k.TripartiteConnect(src, tgt, astro, rule, exampleSyn()) })
		if ours.models != [3]string{"tsodyks_synapse", "tsodyks_synapse", "sic_connection"} {
			t.Fatalf("%s: role models %v", c.file, ours.models)
		}
		block := func(target int) (int, int) { // astrocyte node ID range [lo, hi)
			j := target - tgt.First()
			first := j * c.pool
			if c.pool == 1 {
				first = j / (100 / c.nAstro)
			}
			return astro.First() + first, astro.First() + first + c.pool
		}
		for who, r := range map[string]roles{"NEST": nest, "ours": ours} {
			checkTripartiteStructure(t, c.file+" "+who, r, src, tgt, astro, c.pool)
			for _, e := range r.thirdOut {
				if lo, hi := block(e.tgt); e.src < lo || e.src >= hi {
					t.Errorf("%s %s: third_out %d->%d outside the block [%d, %d)", c.file, who, e.src, e.tgt, lo, hi)
				}
			}
		}
		if c.deterministic {
			astroOf := func(r roles) map[int]int {
				m := map[int]int{}
				for _, e := range r.thirdOut {
					m[e.tgt] = e.src
				}
				return m
			}
			n, o := astroOf(nest), astroOf(ours)
			same := 0
			for tg, a := range n {
				if b, ok := o[tg]; ok {
					if a != b {
						t.Errorf("%s: target %d: NEST's astrocyte %d, ours %d", c.file, tg, a, b)
					}
					same++
				}
			}
			if same < 90 {
				t.Errorf("%s: only %d targets with third-factor connections in both", c.file, same)
			}
		}
	}
}

// tripartiteCase describes one of NEST's statistical reference cases.
type tripartiteCase struct {
	name                string
	nSrc, nTgt, nAstro  int
	pool                int
	poolType            PoolType
	sourcesAreTargets   bool
	nPrimary, nThird    float64 // expected values
	distinctPerTargetEV float64
}

// counts wires one case with the given seed and returns (n_primary,
// n_third_in, n_third_out, mean distinct astrocytes per target).
func (c tripartiteCase) counts(t *testing.T, seed uint64) (float64, float64, float64, float64) {
	t.Helper()
	k := mustKernel(t, KernelConfig{RNGSeed: seed})
	var src, tgt NodeCollection
	if c.sourcesAreTargets {
		tgt = mustCreate(t, k, DefaultAeifCondAlphaAstro(), c.nTgt)
		src = tgt.Slice(0, c.nSrc)
	} else {
		src = mustCreate(t, k, DefaultAeifCondAlphaAstro(), c.nSrc)
		tgt = mustCreate(t, k, DefaultAeifCondAlphaAstro(), c.nTgt)
	}
	astro := mustCreate(t, k, DefaultAstrocyteLR1994(), c.nAstro)
	rule := TripartiteBernoulliWithPool{PPrimary: 0.1, PThirdIfPrimary: 0.5, PoolSize: c.pool, PoolType: c.poolType, AllowAutapses: true}
	r := tripartiteCall(t, k, func() error { return k.TripartiteConnect(src, tgt, astro, rule, exampleSyn()) })
	checkTripartiteStructure(t, fmt.Sprintf("%s seed %d", c.name, seed), r, src, tgt, astro, c.pool)
	distinct := map[int]map[int]bool{}
	for _, e := range r.thirdOut {
		if distinct[e.tgt] == nil {
			distinct[e.tgt] = map[int]bool{}
		}
		distinct[e.tgt][e.src] = true
	}
	sum := 0
	for _, s := range distinct {
		sum += len(s)
	}
	return float64(len(r.primary)), float64(len(r.thirdIn)), float64(len(r.thirdOut)), float64(sum) / float64(c.nTgt)
}

func meanSD(xs []float64) (float64, float64) {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(len(xs)-1))
}

// TestTripartiteStatisticsMatchNEST compares our mean counts over seeds
// 1..50 (1..20 with -short) with NEST 3.8's over seeds 1..200
// (counts_by_seed.csv) for cases e1, e2 and e5: n_primary, n_third (in
// and out) and distinct astrocytes per target must agree within 4
// standard errors of the difference of the means, and our means must be
// within 4 standard errors of the exact expectations.
func TestTripartiteStatisticsMatchNEST(t *testing.T) {
	nSeeds := 50
	if testing.Short() {
		nSeeds = 20
	}
	recs := reftest.Records(t, tripartiteDir+"counts_by_seed.csv")
	// E[distinct] = pool·(1 − E[(1 − 1/pool)^M]), M ~ Bin(n_src, 0.05).
	ev := func(nSrc, pool int) float64 {
		return float64(pool) * (1 - math.Pow(1-0.05/float64(pool), float64(nSrc)))
	}
	for _, c := range []tripartiteCase{
		{"e1_random_pool10_100x100x100", 100, 100, 100, 10, PoolRandom, false, 1000, 500, ev(100, 10)},
		{"e2_block_pool10_100x100x1000", 100, 100, 1000, 10, PoolBlock, false, 1000, 500, ev(100, 10)},
		{"e5_examplelike_random_pool10_src80_of_tgt100_astro100", 80, 100, 100, 10, PoolRandom, true, 800, 400, ev(80, 10)},
	} {
		nest := make([][]float64, 4)
		for _, rec := range recs[1:] {
			if rec[0] != c.name {
				continue
			}
			for j := range 4 {
				v, err := strconv.ParseFloat(rec[2+j], 64)
				if err != nil {
					t.Fatal(err)
				}
				nest[j] = append(nest[j], v)
			}
		}
		if len(nest[0]) != 200 {
			t.Fatalf("%s: %d NEST seeds, want 200", c.name, len(nest[0]))
		}
		ours := make([][]float64, 4)
		for seed := 1; seed <= nSeeds; seed++ {
			a, b, cc, d := c.counts(t, uint64(seed))
			for j, v := range []float64{a, b, cc, d} {
				ours[j] = append(ours[j], v)
			}
		}
		for j, name := range []string{"n_primary", "n_third_in", "n_third_out", "distinct_astro_per_target"} {
			mo, so := meanSD(ours[j])
			mn, sn := meanSD(nest[j])
			se := math.Sqrt(so*so/float64(len(ours[j])) + sn*sn/float64(len(nest[j])))
			z := (mo - mn) / se
			expect := []float64{c.nPrimary, c.nThird, c.nThird, c.distinctPerTargetEV}[j]
			t.Logf("%s %s: ours %.4g (sd %.3g, %d seeds), NEST %.4g (sd %.3g, 200 seeds), z = %.2f; expectation %.4g",
				c.name[:2], name, mo, so, len(ours[j]), mn, sn, z, expect)
			if math.Abs(z) > 4 {
				t.Errorf("%s %s: our mean %.4g differs from NEST's %.4g by %.1f standard errors", c.name, name, mo, mn, z)
			}
			if ze := (mo - expect) / (so / math.Sqrt(float64(len(ours[j])))); math.Abs(ze) > 4 {
				t.Errorf("%s %s: our mean %.4g differs from the expectation %.4g by %.1f standard errors", c.name, name, mo, expect, ze)
			}
			// The spread must match too (a factor 1.6 is far outside the
			// sampling error of the sd with ≥ 20 seeds).
			if so > 1.6*sn || so < sn/1.6 {
				t.Errorf("%s %s: our sd %.3g, NEST's %.3g", c.name, name, so, sn)
			}
		}
	}
}

// TestTripartiteConnectWithPrimaryRules ports HEAD's
// test_third_works_for_all_primary_rules (test_tripartite_connect.py) for the rules this
// engine has: 6 neurons, p = 1 third factor.
func TestTripartiteConnectWithPrimaryRules(t *testing.T) {
	for _, c := range []struct {
		rule ConnRule
		want int
	}{
		{OneToOne{}, 6},
		{AllToAll{}, 36},
		{NewFixedIndegree(3), 18},
		{NewPairwiseBernoulli(1), 36},
	} {
		k := mustKernel(t, KernelConfig{})
		nrn := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 6)
		astro := mustCreate(t, k, DefaultAstrocyteLR1994(), 6)
		r := tripartiteCall(t, k, func() error {
			return k.TripartiteConnectWith(nrn, nrn, astro, c.rule, ThirdFactorBernoulliWithPool{P: 1, PoolSize: 2}, TripartiteSynSpecs{ThirdOut: DefaultSICConnection()})
		})
		if len(r.primary) != c.want || len(r.thirdIn) != c.want || len(r.thirdOut) != c.want {
			t.Errorf("%s: primary/third_in/third_out = %d/%d/%d, want %d each", c.rule.RuleName(), len(r.primary), len(r.thirdIn), len(r.thirdOut), c.want)
		}
		if _, ok := c.rule.(FixedIndegree); !ok {
			checkTripartiteStructure(t, c.rule.RuleName(), r, nrn, nrn, astro, 2)
		}
	}
}

// degreeChiSquared is NEST's chi_squared_check for a Bernoulli degree
// distribution (test_connect_tripartite_bernoulli.py): the
// histogram of the degrees (each a count out of nTrials possible partners)
// against Binomial(nTrials, p)·len(degrees) expected counts. Bins are merged
// from both tails until every expected count is ≥ 5 (with 50 targets the
// binomial's peak expects only ~5.6–9 counts, so besides the far tails whole
// flanks are merged: p = 0.5 keeps 5 bins, p = 0.3 keeps 6, p = 0.1 keeps
// 7); the statistic has (bins − 1) degrees of freedom (scipy.stats.chisquare,
// ddof 0).
func degreeChiSquared(t *testing.T, degrees []int, nTrials int, p float64) (chi2 float64, dof int, pValue float64) {
	t.Helper()
	obs := make([]float64, nTrials+1)
	exp := make([]float64, nTrials+1)
	for _, d := range degrees {
		obs[d]++
	}
	bin := distuv.Binomial{N: float64(nTrials), P: p}
	for k := range exp {
		exp[k] = bin.Prob(float64(k)) * float64(len(degrees))
	}
	// The left tail (bins 0..lo) absorbs its neighbour while its own sum or
	// that neighbour's expected count is below 5, and so does the right tail
	// (hi..nTrials); the binomial is unimodal, so the bins left between the
	// tails, around the mode, all expect ≥ 5 (checked below).
	mode := 0
	for k := range exp {
		if exp[k] > exp[mode] {
			mode = k
		}
	}
	lo, sumLE, sumLO := 0, exp[0], obs[0]
	for lo+1 < mode && (sumLE < 5 || exp[lo+1] < 5) {
		lo++
		sumLE, sumLO = sumLE+exp[lo], sumLO+obs[lo]
	}
	hi, sumRE, sumRO := nTrials, exp[nTrials], obs[nTrials]
	for hi-1 > mode && (sumRE < 5 || exp[hi-1] < 5) {
		hi--
		sumRE, sumRO = sumRE+exp[hi], sumRO+obs[hi]
	}
	exp = slices.Concat([]float64{sumLE}, exp[lo+1:hi], []float64{sumRE})
	obs = slices.Concat([]float64{sumLO}, obs[lo+1:hi], []float64{sumRO})
	sumO, sumE := 0.0, 0.0
	for k, e := range exp {
		if e < 5 {
			t.Fatalf("Binomial(%d, %g): expected count %.3g < 5 inside the merged bins %v", nTrials, p, e, exp)
		}
		chi2 += (obs[k] - e) * (obs[k] - e) / e
		sumO += obs[k]
		sumE += e
	}
	if sumO != float64(len(degrees)) || math.Abs(sumE-sumO) > 1e-9*sumO {
		t.Fatalf("chi-squared bins hold %g observed and %g expected counts, want %d", sumO, sumE, len(degrees))
	}
	dof = len(exp) - 1
	return chi2, dof, distuv.ChiSquared{K: float64(dof)}.Survival(chi2)
}

// kolmogorovCDF returns K(n, d) = P(D_n < d), the exact distribution of the
// two-sided one-sample Kolmogorov–Smirnov statistic D_n, by the matrix
// method of Marsaglia, Tsang & Wang, "Evaluating Kolmogorov's
// distribution", J. Stat. Softw. 8(18), 2003 (their function K without the
// large-n shortcut and without exponent tracking, so it is meant for small
// n, as here: n = 20). With k = ⌊n·d⌋ + 1, m = 2k − 1 and h = k − n·d, H is
// the m×m matrix with H[i][j] = 1 for i − j + 1 ≥ 0 and 0 otherwise, whose
// first column and last row are reduced by h^(i+1) and h^(m−j), whose corner
// H[m−1][0] gets (2h − 1)^m added when 2h > 1, and whose entry (i, j) is then
// divided by (i − j + 1)! for i − j + 1 > 0. K(n, d) = n!/nⁿ · (Hⁿ)[k−1][k−1].
func kolmogorovCDF(t *testing.T, n int, d float64) float64 {
	t.Helper()
	switch {
	case d <= 1/(2*float64(n)):
		return 0
	case d >= 1:
		return 1
	}
	k := int(float64(n)*d) + 1
	m := 2*k - 1
	h := float64(k) - float64(n)*d
	H := mat.NewDense(m, m, nil)
	for i := range m {
		for j := range m {
			if i-j+1 >= 0 {
				H.Set(i, j, 1)
			}
		}
	}
	for i := range m {
		H.Set(i, 0, H.At(i, 0)-math.Pow(h, float64(i+1)))
		H.Set(m-1, i, H.At(m-1, i)-math.Pow(h, float64(m-i)))
	}
	if 2*h-1 > 0 {
		H.Set(m-1, 0, H.At(m-1, 0)+math.Pow(2*h-1, float64(m)))
	}
	for i := range m {
		for j := range m {
			for g := 2; g <= i-j+1; g++ {
				H.Set(i, j, H.At(i, j)/float64(g))
			}
		}
	}
	var Q mat.Dense
	Q.Pow(H, n)
	s := Q.At(k-1, k-1)
	for i := 1; i <= n; i++ {
		s = s * float64(i) / float64(n)
	}
	if math.IsNaN(s) || math.IsInf(s, 0) {
		t.Fatalf("K(%d, %g) overflows: use a smaller n", n, d)
	}
	return s
}

// ksUniform is scipy.stats.kstest(xs, "uniform") (two-sided, exact): the
// statistic D = max_i max(i/n − u_(i), u_(i) − (i−1)/n) over the sorted
// sample u and the p-value P(D_n ≥ D) = 1 − K(n, D).
func ksUniform(t *testing.T, xs []float64) (d, p float64) {
	t.Helper()
	u := slices.Sorted(slices.Values(xs))
	n := float64(len(u))
	for i, x := range u {
		d = max(d, float64(i+1)/n-x, x-float64(i)/n)
	}
	return d, 1 - kolmogorovCDF(t, len(u), d)
}

// TestKolmogorovDistribution checks kolmogorovCDF against the value
// Marsaglia, Tsang & Wang (2003) quote, K(10, 0.274) = 0.6284796154565043,
// against the closed form for n = 1 (P(D_1 < d) = 2d − 1 for d ≥ ½), and
// ksUniform on a sample that is exactly the uniform grid.
func TestKolmogorovDistribution(t *testing.T) {
	if got, want := kolmogorovCDF(t, 10, 0.274), 0.6284796154565043; math.Abs(got-want) > 1e-13 {
		t.Errorf("K(10, 0.274) = %.16g, want %.16g", got, want)
	}
	for _, d := range []float64{0.5, 0.6, 0.75, 0.99} {
		if got := kolmogorovCDF(t, 1, d); math.Abs(got-(2*d-1)) > 1e-15 {
			t.Errorf("K(1, %g) = %g, want %g", d, got, 2*d-1)
		}
	}
	grid := make([]float64, 20)
	for i := range grid {
		grid[i] = (float64(i) + 0.5) / 20 // D = 1/(2n), the smallest possible
	}
	if d, p := ksUniform(t, grid); math.Abs(d-0.025) > 1e-15 || p != 1 {
		t.Errorf("uniform grid: D = %g, p = %g, want 0.025 and 1", d, p)
	}
	if _, p := ksUniform(t, []float64{0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1}); p > 1e-8 {
		t.Errorf("ten p-values below 0.1: KS p = %g, want tiny", p)
	}
}

// TestConnectTripartiteBernoulliStatistics ports test_statistics of NEST's
// test_connect_tripartite_bernoulli.py. For p_primary 0.1, 0.3
// and 0.5: 50 pre and 50 post aeif_cond_alpha_astro, 50 astrocytes, random
// pools of 5, third_out = sic_connection, 2 threads, rng_seed 1…20. Each
// run's in-degrees and out-degrees of the primary pre→post matrix are
// χ²-tested against Binomial(50, p)·50 (degreeChiSquared); the 20 p-values
// of each fan must pass a KS test for Uniform(0, 1) with p > 0.05. Every
// target must get third_out from at most pool_size distinct astrocytes
// (checkTripartiteStructure). NEST builds a fresh network per fan with the
// same seeds, so one network per seed serves both fans here.
func TestConnectTripartiteBernoulliStatistics(t *testing.T) {
	const n, nRuns, poolSize, alpha = 50, 20, 5, 0.05
	for _, p := range []float64{0.1, 0.3, 0.5} {
		var pIn, pOut []float64
		for seed := uint64(1); seed <= nRuns; seed++ {
			k := mustKernel(t, KernelConfig{LocalNumThreads: 2, RNGSeed: seed})
			pre := mustCreate(t, k, DefaultAeifCondAlphaAstro(), n)
			post := mustCreate(t, k, DefaultAeifCondAlphaAstro(), n)
			astros := mustCreate(t, k, DefaultAstrocyteLR1994(), n)
			rule := NewTripartiteBernoulliWithPool()
			rule.PPrimary, rule.PoolSize = p, poolSize
			r := tripartiteCall(t, k, func() error {
				return k.TripartiteConnect(pre, post, astros, rule, TripartiteSynSpecs{ThirdOut: DefaultSICConnection()})
			})
			what := fmt.Sprintf("p_primary %g seed %d", p, seed)
			if r.models[2] != "sic_connection" {
				t.Fatalf("%s: third_out model %q, want sic_connection", what, r.models[2])
			}
			checkTripartiteStructure(t, what, r, pre, post, astros, poolSize)
			// The primary matrix through GetConnections (pre→post only; the
			// primary synapse is static_synapse) is the primary role.
			if got := k.GetConnections(pre, post, "static_synapse"); len(got) != len(r.primary) {
				t.Fatalf("%s: GetConnections lists %d pre→post connections, the primary role has %d", what, len(got), len(r.primary))
			}
			inDeg, outDeg := make([]int, n), make([]int, n)
			for _, e := range r.primary {
				inDeg[slices.Index(post.ids, e.tgt)]++
				outDeg[slices.Index(pre.ids, e.src)]++
			}
			_, _, pi := degreeChiSquared(t, inDeg, n, p)
			_, _, po := degreeChiSquared(t, outDeg, n, p)
			pIn, pOut = append(pIn, pi), append(pOut, po)
		}
		for _, f := range []struct {
			fan string
			ps  []float64
		}{{"in", pIn}, {"out", pOut}} {
			d, pks := ksUniform(t, f.ps)
			t.Logf("p_primary %.1f %s-degree: KS D = %.4f, p = %.4f over %d chi-squared p-values", p, f.fan, d, pks, len(f.ps))
			if !(pks > alpha) {
				t.Errorf("p_primary %g %s-degree: KS p = %.4g ≤ %g; chi-squared p-values %.3f", p, f.fan, pks, alpha, f.ps)
			}
		}
	}
}

// TestSubsetPicker checks both ways subsetPicker lists a subset (bitset scan
// for dense, sort for sparse subsets) against Floyd's algorithm written out
// plainly: the same draws give the same ascending k-subset, and the picker
// is clean for the next call.
func TestSubsetPicker(t *testing.T) {
	sp := newSubsetPicker(10000)
	for _, c := range []struct{ n, k int }{
		{1, 0}, {1, 1}, {50, 0}, {50, 8}, {50, 50}, {64, 64}, {65, 3}, {10000, 10}, {10000, 39}, {10000, 40}, {10000, 1000}, {10000, 10000},
	} {
		for seed := range uint64(3) {
			got := slices.Clone(sp.pick(rand.NewPCG(seed, 7), c.n, c.k))
			src := rand.NewPCG(seed, 7)
			seen := map[int]bool{}
			var want []int
			for j := c.n - c.k; j < c.n; j++ {
				v := uniformInt(src, j+1)
				if seen[v] {
					v = j
				}
				seen[v] = true
				want = append(want, v)
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("n=%d k=%d seed %d: got %v, want %v", c.n, c.k, seed, got, want)
			}
		}
	}
	for w, m := range sp.mark {
		if m != 0 {
			t.Fatalf("mark word %d not cleared: %#x", w, m)
		}
	}
}

// TestTripartiteStoredInDrawOrder checks that the tripartite rule stores
// the same connections in the same order whether it stores them as it
// draws them (one thread) or hands them in chunks to its storing
// goroutines (more than one thread): many chunks and a partial last one,
// sic_connection's repeated pairs counted, astrocytes drawn from pools.
func TestTripartiteStoredInDrawOrder(t *testing.T) {
	run := func(threads int) roles {
		k := mustKernel(t, KernelConfig{Resolution: 0.1, LocalNumThreads: threads, RNGSeed: 11})
		pre := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 250)
		post := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 120)
		third := mustCreate(t, k, DefaultAstrocyteLR1994(), 12)
		rule := TripartiteBernoulliWithPool{PPrimary: 0.6, PThirdIfPrimary: 0.7, PoolSize: 3, PoolType: PoolRandom, AllowAutapses: true}
		return tripartiteCall(t, k, func() error {
			return k.TripartiteConnect(pre, post, third, rule, TripartiteSynSpecs{ThirdOut: DefaultSICConnection()})
		})
	}
	want := run(1)
	if n := len(want.primary); n < 3*edgeChunkLen || n%edgeChunkLen == 0 {
		t.Fatalf("%d primary connections: the test needs several chunks and a partial last one", n)
	}
	for _, threads := range []int{2, 3} {
		got := run(threads)
		for i, pair := range [][2][]edge{{got.primary, want.primary}, {got.thirdIn, want.thirdIn}, {got.thirdOut, want.thirdOut}} {
			if !slices.Equal(pair[0], pair[1]) {
				t.Fatalf("threads=%d: role %d (%s) differs from the one-thread connections (%d vs %d)", threads, i, got.models[i], len(pair[0]), len(pair[1]))
			}
		}
	}
}
