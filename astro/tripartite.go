package astro

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
)

// PoolType selects how a target's astrocyte pool is chosen.
type PoolType string

// Pool types of tripartite_bernoulli_with_pool.
const (
	PoolRandom PoolType = "random"
	PoolBlock  PoolType = "block"
)

// TripartiteBernoulliWithPool is NEST 3.8's tripartite rule (nestkernel/conn_builder.cpp, TripartiteBernoulliWithPoolBuilder):
// each (source, target) pair is connected with probability PPrimary; each
// connection made is paired, with probability PThirdIfPrimary, with one
// astrocyte drawn uniformly from the target's pool of PoolSize astrocytes,
// which gets a third_in connection from the source and sends a third_out
// connection to the target.
type TripartiteBernoulliWithPool struct {
	PPrimary        float64  `nest:"p_primary"`          // in [0, 1]
	PThirdIfPrimary float64  `nest:"p_third_if_primary"` // in [0, 1]
	PoolSize        int      `nest:"pool_size"`          // in [1, number of astrocytes]; 0 means all astrocytes
	PoolType        PoolType `nest:"pool_type"`          // "random" (default when empty) or "block"
	// AllowAutapses: NEST's default is true; the Go zero value is false, so
	// set it explicitly (NewTripartiteBernoulliWithPool does).
	AllowAutapses bool `nest:"allow_autapses"`
}

// NewTripartiteBernoulliWithPool returns the rule with NEST's defaults
// (p_primary 1, p_third_if_primary 1, pool of all astrocytes, random pool,
// autapses on).
func NewTripartiteBernoulliWithPool() TripartiteBernoulliWithPool {
	return TripartiteBernoulliWithPool{PPrimary: 1, PThirdIfPrimary: 1, PoolType: PoolRandom, AllowAutapses: true}
}

// TripartiteSynSpecs holds the synapses of the three roles; nil means a
// default static_synapse (NEST's behaviour for a missing key).
type TripartiteSynSpecs struct {
	Primary  Synapse // source -> target
	ThirdIn  Synapse // source -> astrocyte
	ThirdOut Synapse // astrocyte -> target
}

// TripartiteConnect creates tripartite connectivity (NEST 3.8's
// TripartiteConnect with rule tripartite_bernoulli_with_pool).
//
// As in NEST 3.8, every structural decision comes from one stream that does
// not depend on threads, in NEST's order: per target a binomial in-degree,
// the pool (only if the in-degree is > 0), the sources, then per source one
// uniform draw for the third-factor decision and one for the pool member.
// Subsets are drawn with Floyd's algorithm and sorted, which gives the same
// distribution as NEST's order-preserving selection sampling.
func (k *Kernel) TripartiteConnect(pre, post, third NodeCollection, rule TripartiteBernoulliWithPool, syn TripartiteSynSpecs) error {
	const what = "tripartite_connect (tripartite_bernoulli_with_pool)"
	if err := k.enter("tripartite_connect"); err != nil {
		return err
	}
	defer k.leave()
	if !(rule.PPrimary >= 0 && rule.PPrimary <= 1) {
		return fmt.Errorf("%s: p_primary = %g: must be in [0, 1]", what, rule.PPrimary)
	}
	if !(rule.PThirdIfPrimary >= 0 && rule.PThirdIfPrimary <= 1) {
		return fmt.Errorf("%s: p_third_if_primary = %g: must be in [0, 1]", what, rule.PThirdIfPrimary)
	}
	tp, err := k.newTripartite(what, pre, post, third, rule.PoolSize, rule.PoolType, syn)
	if err != nil {
		return err
	}
	if err := k.reserveTripartite(what, rule.PPrimary*float64(pre.Len())*float64(post.Len()), rule.PThirdIfPrimary); err != nil {
		return err
	}
	nS := pre.Len()
	rng := newPCG(k.seed, streamTripart, k.connectCalls, 0)
	edges := tp.newEdgeSink(k.threads > 1)
	for j, t := range post.ids {
		kIn := binomial(rng, nS, rule.PPrimary)
		if kIn == 0 {
			continue
		}
		tp.choosePool(rng, j)
		for _, si := range tp.picker.pick(rng, nS, kIn) {
			s := pre.ids[si]
			if !rule.AllowAutapses && s == t {
				continue
			}
			a := 0
			if uniform01(rng) < rule.PThirdIfPrimary {
				a = tp.thirdFor(rng)
			}
			edges.add(s, t, a)
		}
	}
	edges.close()
	k.connectCalls++
	tp.register(k)
	k.record(Call{Op: OpTripartiteConnect, Pre: pre, Post: post, Third: third, Tripartite: rule, Syns: syn.withDefaults()})
	return nil
}

// ThirdFactorBernoulliWithPool is NEST 3.9+'s third-factor rule
// (NEST 3.9's nestkernel/conn_builder.cpp, ThirdFactorBernoulliWithPoolBuilder): each primary connection made is paired, with probability P, with
// one astrocyte drawn uniformly from the target's pool.
type ThirdFactorBernoulliWithPool struct {
	P        float64  `nest:"p"`         // in [0, 1]
	PoolSize int      `nest:"pool_size"` // in [1, number of astrocytes]; 0 means all astrocytes
	PoolType PoolType `nest:"pool_type"` // "random" (default when empty) or "block"
}

// TripartiteConnectWith is NEST 3.9+'s TripartiteConnect: any bipartite
// primary rule (e.g. FixedIndegree or PairwiseBernoulli) plus the
// third_factor_bernoulli_with_pool rule. As in NEST 3.9 the third-factor
// decisions use a stream per target, and a target's pool is drawn at its
// first third-factor connection.
func (k *Kernel) TripartiteConnectWith(pre, post, third NodeCollection, primary ConnRule, thirdFactor ThirdFactorBernoulliWithPool, syn TripartiteSynSpecs) error {
	what := "tripartite_connect (" + ruleName(primary) + " + third_factor_bernoulli_with_pool)"
	if err := k.enter("tripartite_connect"); err != nil {
		return err
	}
	defer k.leave()
	if primary == nil {
		return fmt.Errorf("%s: the primary rule is nil", what)
	}
	if !(thirdFactor.P >= 0 && thirdFactor.P <= 1) {
		return fmt.Errorf("%s: p = %g: must be in [0, 1]", what, thirdFactor.P)
	}
	tp, err := k.newTripartite(what, pre, post, third, thirdFactor.PoolSize, thirdFactor.PoolType, syn)
	if err != nil {
		return err
	}
	if err := k.reserveTripartite(what, expectedEdges(primary, pre.Len(), post.Len()), thirdFactor.P); err != nil {
		return err
	}
	call := k.connectCalls
	index := make(map[int32]int, post.Len()) // target node ID -> position in post
	for j, t := range post.ids {
		if _, ok := index[int32(t)]; !ok {
			index[int32(t)] = j
		}
	}
	var rng *randPCG
	last := int32(-1)
	pooled := false
	err = primary.edges(k, pre, post, what, func(s, t int32) {
		tp.primary.addEdge(s, t)
		if t != last { // connections come grouped by target
			last, pooled = t, false
			rng = newPCG(k.seed, streamThirdFactor, call, uint64(t))
		}
		if !(uniform01(rng) < thirdFactor.P) {
			return
		}
		if !pooled {
			tp.choosePool(rng, index[t])
			pooled = true
		}
		tp.pairThird(rng, int(s), int(t))
	})
	if err != nil {
		return err
	}
	k.connectCalls++
	tp.register(k)
	k.record(Call{Op: OpTripartiteConnectWith, Pre: pre, Post: post, Third: third, Rule: primary, ThirdFactor: thirdFactor, Syns: syn.withDefaults()})
	return nil
}

func ruleName(r ConnRule) string {
	if r == nil {
		return "nil"
	}
	return r.RuleName()
}

// tripartite holds the three projections of a tripartite call and the
// target's current astrocyte pool.
type tripartite struct {
	primary, thirdIn, thirdOut *projection
	third                      NodeCollection
	nT, poolSize               int
	poolType                   PoolType
	pool                       []int
	picker                     *subsetPicker
}

// newTripartite validates a tripartite call and prepares its projections.
func (k *Kernel) newTripartite(what string, pre, post, third NodeCollection, poolSize int, poolType PoolType, syn TripartiteSynSpecs) (*tripartite, error) {
	if err := k.checkMutable(what); err != nil {
		return nil, err
	}
	if syn.Primary == nil {
		syn.Primary = defaultSynapse()
	}
	if syn.ThirdIn == nil {
		syn.ThirdIn = defaultSynapse()
	}
	if syn.ThirdOut == nil {
		syn.ThirdOut = defaultSynapse()
	}
	nS, nT, nA := pre.Len(), post.Len(), third.Len()
	if nS == 0 || nT == 0 || nA == 0 {
		return nil, fmt.Errorf("%s: pre, post and third must not be empty (got %d, %d, %d nodes)", what, nS, nT, nA)
	}
	if poolSize == 0 {
		poolSize = nA
	}
	if poolType == "" {
		poolType = PoolRandom
	}
	switch {
	case poolSize < 1 || poolSize > nA:
		return nil, fmt.Errorf("%s: pool_size = %d: must be in [1, %d] (the number of third-factor nodes)", what, poolSize, nA)
	case poolType != PoolRandom && poolType != PoolBlock:
		return nil, fmt.Errorf("%s: pool_type = %q: must be %q or %q", what, poolType, PoolRandom, PoolBlock)
	case poolType == PoolBlock && !((poolSize > 1 && nT*poolSize == nA) || (poolSize == 1 && nT%nA == 0)):
		return nil, fmt.Errorf("%s: pool_type block: the sizes of target (%d) and third-factor (%d) populations and pool_size (%d) do not fit: "+
			"if pool_size == 1, the target population size must be a multiple of the third-factor population size; "+
			"for pool_size > 1, size(targets) * pool_size == size(third factor) is required; otherwise use random pools",
			what, nT, nA, poolSize)
	}
	roles := []struct {
		name     string
		syn      Synapse
		src, tgt NodeCollection
	}{{"primary", syn.Primary, pre, post}, {"third_in", syn.ThirdIn, pre, third}, {"third_out", syn.ThirdOut, third, post}}
	projs := make([]*projection, 3)
	for i, r := range roles {
		if err := r.syn.validate(); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", what, r.name, err)
		}
		_, d := r.syn.weightDelay()
		delay, err := k.delaySteps(r.syn.SynapseModel(), d)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", what, r.name, err)
		}
		if err := k.reserveDelay(what, delay); err != nil {
			return nil, err
		}
		sb, err := k.blocksOf(r.src)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", what, r.name, err)
		}
		tb, err := k.blocksOf(r.tgt)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", what, r.name, err)
		}
		if deviceKind(sb) != "" || deviceKind(tb) != "" {
			return nil, fmt.Errorf("%s: %s: recorders cannot take part in tripartite connections", what, r.name)
		}
		for _, s := range sb {
			for _, t := range tb {
				if err := checkPair(s, t, r.syn); err != nil {
					return nil, fmt.Errorf("%s: %s: %w", what, r.name, err)
				}
			}
		}
		projs[i] = k.newProjection(r.syn, delay)
	}
	return &tripartite{primary: projs[0], thirdIn: projs[1], thirdOut: projs[2], third: third,
		nT: nT, poolSize: poolSize, poolType: poolType, pool: make([]int, poolSize),
		picker: newSubsetPicker(max(nS, nA))}, nil
}

// choosePool sets the pool of the target at position j of post.
func (tp *tripartite) choosePool(rng *randPCG, j int) {
	if tp.poolType == PoolRandom {
		for i, a := range tp.picker.pick(rng, tp.third.Len(), tp.poolSize) {
			tp.pool[i] = tp.third.ids[a]
		}
		return
	}
	first := j * tp.poolSize
	if tp.poolSize == 1 {
		first = j / (tp.nT / tp.third.Len())
	}
	copy(tp.pool, tp.third.ids[first:first+tp.poolSize])
}

// pairThird adds a third_in/third_out pair for the primary connection
// s -> t through an astrocyte drawn uniformly from the pool.
func (tp *tripartite) pairThird(rng *randPCG, s, t int) {
	a := tp.thirdFor(rng)
	tp.thirdIn.addEdge(int32(s), int32(a))
	tp.thirdOut.addEdge(int32(a), int32(t))
}

// thirdFor draws the astrocyte of a primary connection from the pool.
func (tp *tripartite) thirdFor(rng *randPCG) int {
	if tp.poolSize > 1 {
		return tp.pool[uniformInt(rng, tp.poolSize)]
	}
	return tp.pool[0]
}

// tripEdge is a primary connection s → t and its astrocyte a (0: none).
type tripEdge struct{ s, t, a int32 }

// edgeSink stores a tripartite call's connections in the order they are
// drawn: directly, or — with more than one thread — in two more goroutines
// fed in chunks, one storing the primary connections and one the
// third-factor pairs, so drawing random numbers and storing connections
// overlap. Each projection receives its connections in the same order
// either way, so the result is identical.
type edgeSink struct {
	tp    *tripartite
	chunk *edgeChunk
	full  [2]chan *edgeChunk // to the primary and the third-factor storer
	free  chan *edgeChunk
	done  sync.WaitGroup
}

// edgeChunk is a chunk of connections on their way to both storers; the
// one that finishes it last returns it to free.
type edgeChunk struct {
	edges []tripEdge
	left  atomic.Int32 // storers still reading it
}

const edgeChunkLen = 4096 // connections per chunk

func (tp *tripartite) newEdgeSink(pipelined bool) *edgeSink {
	e := &edgeSink{tp: tp}
	if !pipelined {
		return e
	}
	const chunks = 6
	e.free = make(chan *edgeChunk, chunks)
	for range chunks {
		e.free <- &edgeChunk{edges: make([]tripEdge, 0, edgeChunkLen)}
	}
	e.chunk = <-e.free
	for i, store := range []func(tripEdge){e.storePrimary, e.storeThird} {
		e.full[i] = make(chan *edgeChunk, chunks)
		e.done.Add(1)
		go func() {
			defer e.done.Done()
			for c := range e.full[i] {
				for _, x := range c.edges {
					store(x)
				}
				if c.left.Add(-1) == 0 {
					c.edges = c.edges[:0]
					e.free <- c
				}
			}
		}()
	}
	return e
}

func (e *edgeSink) storePrimary(x tripEdge) { e.tp.primary.addEdge(x.s, x.t) }

func (e *edgeSink) storeThird(x tripEdge) {
	if x.a != 0 {
		e.tp.thirdIn.addEdge(x.s, x.a)
		e.tp.thirdOut.addEdge(x.a, x.t)
	}
}

func (e *edgeSink) add(s, t, a int) {
	x := tripEdge{int32(s), int32(t), int32(a)}
	if e.chunk == nil {
		e.storePrimary(x)
		e.storeThird(x)
		return
	}
	e.chunk.edges = append(e.chunk.edges, x)
	if len(e.chunk.edges) == edgeChunkLen {
		e.send()
		e.chunk = <-e.free
	}
}

// send hands the current chunk to both storers.
func (e *edgeSink) send() {
	e.chunk.left.Store(int32(len(e.full)))
	for _, f := range e.full {
		f <- e.chunk
	}
}

// close stores what is left and waits until everything is stored.
func (e *edgeSink) close() {
	if e.chunk == nil {
		return
	}
	e.send()
	for _, f := range e.full {
		close(f)
	}
	e.done.Wait()
}

func (tp *tripartite) register(k *Kernel) {
	for _, p := range []*projection{tp.primary, tp.thirdIn, tp.thirdOut} {
		k.addProjection(p)
	}
}

// subsetPicker draws k-subsets of {0..n-1} uniformly (Floyd's algorithm),
// returned in ascending order; it reuses its buffers.
//
// The subset is marked in a bitset. Dense subsets (the example's primary
// in-degree: ~1000 of 10 000 sources) are listed by scanning the bitset,
// sparse ones by sorting the drawn values; both give the same ascending
// list, so the choice only affects speed, never the result.
type subsetPicker struct {
	mark []uint64 // bit t set: t drawn
	out  []int
}

func newSubsetPicker(n int) *subsetPicker {
	return &subsetPicker{mark: make([]uint64, (n+63)/64)}
}

func (sp *subsetPicker) pick(src *rand.PCG, n, k int) []int {
	sp.out = sp.out[:0]
	for j := n - k; j < n; j++ {
		t := uniformInt(src, j+1)
		if sp.mark[t>>6]&(1<<(t&63)) != 0 {
			t = j
		}
		sp.mark[t>>6] |= 1 << (t & 63)
		sp.out = append(sp.out, t)
	}
	words := (n + 63) / 64
	if 4*k < words {
		// Sparse: sorting k values beats scanning the whole bitset.
		for _, t := range sp.out {
			sp.mark[t>>6] = 0
		}
		slices.Sort(sp.out)
		return sp.out
	}
	sp.out = sp.out[:0]
	for w, m := range sp.mark[:words] {
		for m != 0 {
			sp.out = append(sp.out, w*64+bits.TrailingZeros64(m))
			m &= m - 1
		}
	}
	clear(sp.mark[:words])
	return sp.out
}
