package astro

import (
	"cmp"
	"fmt"
)

// ConnRule is a bipartite connection rule (NEST's conn_spec) for Connect
// and as the primary rule of TripartiteConnectWith. The set is closed: the
// rules are AllToAll, OneToOne, PairwiseBernoulli and FixedIndegree (the
// unexported method seals it), so passing the tripartite rule to Connect
// does not compile.
//
// Invariants every rule keeps, which the kernel relies on:
//   - connections come grouped by target, targets in the order of post
//     (TripartiteConnectWith draws the third factor per target group);
//   - random decisions come from streams keyed by (rng_seed, the rule's
//     stream, the kernel's Connect-call counter, the target node ID), so
//     the wiring depends neither on threads nor on other calls' outcomes;
//   - a rule checks its parameters before it reports any connection, so a
//     failed Connect leaves the kernel unchanged.
type ConnRule interface {
	// RuleName returns NEST's rule name, e.g. "pairwise_bernoulli".
	RuleName() string
	// edges calls add(source, target) for every connection the rule makes.
	edges(k *Kernel, pre, post NodeCollection, what string, add func(s, t int32)) error
}

// AllToAll connects every source to every target (NEST's default rule).
type AllToAll struct{}

// OneToOne connects source i to target i; both must have the same size.
type OneToOne struct{}

// PairwiseBernoulli connects each (source, target) pair with probability P.
// NEST's default for AllowAutapses is true; the Go zero value is false, so
// set it explicitly (NewPairwiseBernoulli does).
type PairwiseBernoulli struct {
	P             float64 `nest:"p"` // connection probability, in [0, 1]
	AllowAutapses bool    `nest:"allow_autapses"`
}

// NewPairwiseBernoulli returns the rule with NEST's defaults (autapses on).
func NewPairwiseBernoulli(p float64) PairwiseBernoulli {
	return PairwiseBernoulli{P: p, AllowAutapses: true}
}

// FixedIndegree draws Indegree sources per target uniformly with
// replacement (nestkernel/conn_builder.cpp, FixedInDegreeBuilder). NEST's defaults allow autapses and multapses.
type FixedIndegree struct {
	Indegree       int  `nest:"indegree"`
	AllowAutapses  bool `nest:"allow_autapses"`
	AllowMultapses bool `nest:"allow_multapses"`
}

// NewFixedIndegree returns the rule with NEST's defaults (autapses and
// multapses on).
func NewFixedIndegree(k int) FixedIndegree {
	return FixedIndegree{Indegree: k, AllowAutapses: true, AllowMultapses: true}
}

// RuleName implements ConnRule.
func (AllToAll) RuleName() string { return "all_to_all" }

// RuleName implements ConnRule.
func (OneToOne) RuleName() string { return "one_to_one" }

// RuleName implements ConnRule.
func (PairwiseBernoulli) RuleName() string { return "pairwise_bernoulli" }

// RuleName implements ConnRule.
func (FixedIndegree) RuleName() string { return "fixed_indegree" }

// RuleName returns NEST's rule name.
func (TripartiteBernoulliWithPool) RuleName() string { return "tripartite_bernoulli_with_pool" }

// Connect creates connections from pre to post (NEST's Connect). A nil rule
// means all_to_all, a nil synapse a default static_synapse. Recorders are
// connected the NEST way: Connect(neurons, spikeRecorder) and
// Connect(multimeter, nodes).
func (k *Kernel) Connect(pre, post NodeCollection, rule ConnRule, syn Synapse) error {
	if err := k.enter("connect"); err != nil {
		return err
	}
	defer k.leave()
	if rule == nil {
		rule = AllToAll{}
	}
	if syn == nil {
		syn = defaultSynapse()
	}
	what := "connect (" + rule.RuleName() + ", " + syn.SynapseModel() + ")"
	if err := k.checkMutable(what); err != nil {
		return err
	}
	if pre.Len() == 0 || post.Len() == 0 {
		return fmt.Errorf("%s: pre and post must not be empty (got %d and %d nodes)", what, pre.Len(), post.Len())
	}
	if err := syn.validate(); err != nil {
		return err
	}
	_, d := syn.weightDelay()
	delay, err := k.delaySteps(syn.SynapseModel(), d)
	if err != nil {
		return err
	}
	if err := k.reserveDelay(what, delay); err != nil {
		return err
	}
	preBlocks, err := k.blocksOf(pre)
	if err != nil {
		return fmt.Errorf("%s: pre: %w", what, err)
	}
	postBlocks, err := k.blocksOf(post)
	if err != nil {
		return fmt.Errorf("%s: post: %w", what, err)
	}
	// Recorders.
	if kind := cmp.Or(deviceKind(postBlocks), deviceKind(preBlocks)); kind != "" && syn.traits() != (synTraits{}) {
		return fmt.Errorf("%s: a %s connects only with static_synapse", what, kind)
	}
	if kind := deviceKind(postBlocks); kind != "" {
		if kind != "spike_recorder" {
			return fmt.Errorf("%s: a %s cannot be a target; connect it as Connect(multimeter, nodes)", what, kind)
		}
		if err := k.connectSpikeRecorder(pre, post, preBlocks, delay, rule); err != nil {
			return err
		}
		k.record(Call{Op: OpConnect, Pre: pre, Post: post, Rule: rule, Syn: syn})
		return nil
	}
	if kind := deviceKind(preBlocks); kind != "" {
		if kind != "multimeter" {
			return fmt.Errorf("%s: a %s cannot be a source; connect it as Connect(neurons, spike_recorder)", what, kind)
		}
		if err := k.connectMultimeter(pre, post, postBlocks, delay, rule); err != nil {
			return err
		}
		k.record(Call{Op: OpConnect, Pre: pre, Post: post, Rule: rule, Syn: syn})
		return nil
	}
	for _, sb := range preBlocks {
		for _, tb := range postBlocks {
			if err := checkPair(sb, tb, syn); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
	}
	if err := k.reserveEdges(what, preBlocks, syn, expectedEdges(rule, pre.Len(), post.Len())); err != nil {
		return err
	}
	p := k.newProjection(syn, delay)
	if err := rule.edges(k, pre, post, what, p.addEdge); err != nil {
		return err
	}
	k.connectCalls++
	k.addProjection(p)
	k.record(Call{Op: OpConnect, Pre: pre, Post: post, Rule: rule, Syn: syn})
	return nil
}

func (AllToAll) edges(_ *Kernel, pre, post NodeCollection, _ string, add func(s, t int32)) error {
	for _, t := range post.ids {
		for _, s := range pre.ids {
			add(int32(s), int32(t))
		}
	}
	return nil
}

func (OneToOne) edges(_ *Kernel, pre, post NodeCollection, what string, add func(s, t int32)) error {
	if pre.Len() != post.Len() {
		return fmt.Errorf("%s: pre has %d nodes and post %d: one_to_one needs equal sizes", what, pre.Len(), post.Len())
	}
	for i, t := range post.ids {
		add(int32(pre.ids[i]), int32(t))
	}
	return nil
}

func (r PairwiseBernoulli) edges(k *Kernel, pre, post NodeCollection, what string, add func(s, t int32)) error {
	if !(r.P >= 0 && r.P <= 1) {
		return fmt.Errorf("%s: p = %g: must be in [0, 1]", what, r.P)
	}
	call := k.connectCalls
	for _, t := range post.ids {
		rng := newPCG(k.seed, streamPairwise, call, uint64(t))
		for _, s := range pre.ids {
			if !r.AllowAutapses && s == t {
				continue
			}
			if uniform01(rng) < r.P {
				add(int32(s), int32(t))
			}
		}
	}
	return nil
}

func (r FixedIndegree) edges(k *Kernel, pre, post NodeCollection, what string, add func(s, t int32)) error {
	n := pre.Len()
	if r.Indegree < 0 {
		return fmt.Errorf("%s: indegree = %d: must be ≥ 0", what, r.Indegree)
	}
	if !r.AllowMultapses && r.Indegree > n {
		return fmt.Errorf("%s: indegree = %d: must be ≤ the number of sources (%d) without multapses", what, r.Indegree, n)
	}
	if !r.AllowAutapses && n == 1 && r.Indegree > 0 && pre.ids[0] == post.ids[0] {
		return fmt.Errorf("%s: indegree = %d: impossible without autapses from a single source onto itself", what, r.Indegree)
	}
	if err := fixedIndegreeFeasible(pre, post, r, what); err != nil {
		return err
	}
	call := k.connectCalls
	chosen := map[int]bool{}
	for _, t := range post.ids {
		rng := newPCG(k.seed, streamIndegree, call, uint64(t))
		clear(chosen)
		avail := n
		if !r.AllowAutapses {
			for _, s := range pre.ids {
				if s == t {
					avail--
				}
			}
		}
		if !r.AllowMultapses && r.Indegree > avail {
			return fmt.Errorf("%s: indegree = %d: target %d has only %d admissible sources", what, r.Indegree, t, avail)
		}
		for c := 0; c < r.Indegree; {
			s := pre.ids[uniformInt(rng, n)]
			if (!r.AllowAutapses && s == t) || (!r.AllowMultapses && chosen[s]) {
				continue
			}
			chosen[s] = true
			add(int32(s), int32(t))
			c++
		}
	}
	return nil
}

func (k *Kernel) newProjection(syn Synapse, delay int64) *projection {
	w, _ := syn.weightDelay()
	return &projection{syn: syn, model: syn.SynapseModel(), weight: w, delay: delay, traits: syn.traits()}
}

// addProjection registers a projection and its delay (if it has connections).
func (k *Kernel) addProjection(p *projection) {
	if p.count == 0 {
		return
	}
	p.id = len(k.projs)
	k.projs = append(k.projs, p)
	k.commitEdges(p)
	k.registerDelay(p.delay)
}

func (k *Kernel) registerDelay(d int64) {
	if k.minDelay == 0 || d < k.minDelay {
		k.minDelay = d
	}
	if d > k.maxDelay {
		k.maxDelay = d
	}
}

// blocksOf returns the distinct blocks of a collection.
func (k *Kernel) blocksOf(c NodeCollection) ([]nodeBlock, error) {
	seen := map[int32]bool{}
	var out []nodeBlock
	for _, id := range c.ids {
		if id < 1 || id > len(k.nodes) {
			return nil, fmt.Errorf("node ID %d does not exist (valid: 1..%d)", id, len(k.nodes))
		}
		b := k.nodes[id-1].block
		if !seen[b] {
			seen[b] = true
			out = append(out, k.blocks[b])
		}
	}
	return out, nil
}

// deviceKind returns "spike_recorder"/"multimeter" if any block is a
// recorder, else "".
func deviceKind(bs []nodeBlock) string {
	for _, b := range bs {
		if _, ok := b.(*deviceBlock); ok {
			return b.base().model
		}
	}
	return ""
}

// checkPair validates that syn may connect a node of block src to one of
// block tgt, from the events each declares it sends and handles.
func checkPair(src, tgt nodeBlock, syn Synapse) error {
	sm, tm := src.base().model, tgt.base().model
	if syn.traits().sic {
		// NEST's connection test (models/sic_connection.h, check_connection).
		_, sends := as[sicSender](src)
		_, handles := as[sicReceiver](tgt)
		if !sends || !handles {
			return fmt.Errorf("%s: %s -> %s: the source must send SIC and the target handle it (e.g. an astrocyte -> a neuron with an SIC input)",
				syn.SynapseModel(), sm, tm)
		}
		return nil
	}
	_, sender := as[spikeSender](src)
	generator := src.base().replicated
	switch {
	case !sender && !generator:
		if _, ok := as[sicSender](src); ok {
			return fmt.Errorf("%s -> %s: %s sends no spikes; connect it to neurons with sic_connection", sm, tm, sm)
		}
		return fmt.Errorf("%s -> %s: %s sends no spikes", sm, tm, sm)
	case generator && syn.traits().plastic:
		return fmt.Errorf("%s -> %s: devices cannot project through plastic synapses (%s); put a parrot_neuron in between",
			sm, tm, syn.SynapseModel())
	}
	if _, ok := as[spikeSink](tgt); !ok {
		return fmt.Errorf("%s -> %s: %s does not receive spikes", sm, tm, tm)
	}
	if wc, ok := tgt.(weightChecker); ok {
		w, _ := syn.weightDelay()
		if rule := wc.weightRule(w); rule != "" {
			return fmt.Errorf("%s -> %s: weight = %g: %s", sm, tm, w, rule)
		}
		if sc, ok := src.(weightScaler); ok {
			for i, sw := range sc.weightScales() {
				if rule := wc.weightRule(w * sw); rule != "" {
					return fmt.Errorf("%s -> %s: spike_weights[%d] = %g: %s", sm, tm, i, sw, rule)
				}
			}
		}
	}
	return nil
}

func (k *Kernel) connectSpikeRecorder(pre, post NodeCollection, preBlocks []nodeBlock, delay int64, rule ConnRule) error {
	if _, ok := rule.(AllToAll); !ok {
		return fmt.Errorf("connect to spike_recorder: rule %s: only all_to_all is supported", rule.RuleName())
	}
	for _, b := range preBlocks {
		if _, ok := as[spikeSender](b); !ok {
			return fmt.Errorf("connect to spike_recorder: %s nodes do not emit recordable spikes", b.base().model)
		}
	}
	// Validate every target before changing anything.
	recs := make([]int32, 0, post.Len())
	for _, r := range post.ids {
		ri, err := k.device(NodeIDs(r), "spike_recorder")
		if err != nil {
			return fmt.Errorf("connect to spike_recorder: post must hold only spike_recorders: %w", err)
		}
		recs = append(recs, int32(ri))
	}
	if len(k.recOf) < len(k.nodes) {
		k.recOf = append(k.recOf, make([][]int32, len(k.nodes)-len(k.recOf))...)
	}
	for _, ri := range recs {
		for _, s := range pre.ids {
			k.recOf[s-1] = append(k.recOf[s-1], ri)
		}
	}
	k.registerDelay(delay)
	return nil
}

func (k *Kernel) connectMultimeter(pre, post NodeCollection, postBlocks []nodeBlock, delay int64, rule ConnRule) error {
	if _, ok := rule.(AllToAll); !ok {
		return fmt.Errorf("connect multimeter: rule %s: only all_to_all is supported", rule.RuleName())
	}
	// Resolve every multimeter's record_from for every target block before
	// changing anything.
	type sub struct {
		mi  int
		idx map[int32][]int
	}
	subs := make([]sub, 0, pre.Len())
	for _, m := range pre.ids {
		mi, err := k.device(NodeIDs(m), "multimeter")
		if err != nil {
			return fmt.Errorf("connect multimeter: pre must hold only multimeters: %w", err)
		}
		mm := k.mms[mi]
		sb := sub{mi: mi, idx: map[int32][]int{}}
		for _, b := range postBlocks {
			rec, ok := b.(recorder)
			if !ok {
				return fmt.Errorf("connect multimeter: %s has no recordables", b.base().model)
			}
			var idx []int
			for _, name := range mm.recordFrom {
				j := indexOf(rec.recordables(), name)
				if j < 0 {
					return fmt.Errorf("connect multimeter: record_from: %s has no recordable %q (it has %v)", b.base().model, name, rec.recordables())
				}
				idx = append(idx, j)
			}
			sb.idx[b.base().index] = idx
		}
		subs = append(subs, sb)
	}
	for _, sb := range subs {
		for bi, idx := range sb.idx {
			k.mms[sb.mi].idx[bi] = idx
		}
		for _, t := range post.ids {
			r := k.nodes[t-1]
			bb := k.blocks[r.block].base()
			if bb.subs == nil {
				bb.subs = make([][]int32, bb.n)
			}
			bb.subs[r.local] = append(bb.subs[r.local], int32(sb.mi))
		}
	}
	k.registerDelay(delay)
	return nil
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}
