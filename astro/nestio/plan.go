package nestio

import (
	"fmt"
	"io"
	"math"

	"github.com/astronb/astronb/astro"
)

// Plan records the calls that build a network without building it, so that
// networks larger than this machine can hold can still be exported for
// NEST. It has the kernel's building methods (Create, Connect,
// TripartiteConnect, TripartiteConnectWith, SetStatus, Simulate) with the
// same node IDs; code written against them (e.g. brunel.Build) runs on a
// Plan unchanged.
//
// A Plan checks what the export relies on: node IDs exist, collections are
// not empty, probabilities are in [0, 1], models validate their parameters.
// The remaining checks (ranges of delays and pool sizes, which pairs of
// models can be connected) happen when NEST runs the script, or when the
// same calls build a smaller astro.Kernel.
type Plan struct {
	cfg   astro.KernelConfig
	calls []astro.Call
	nodes int
}

// NewPlan returns an empty plan with the kernel settings cfg (zero values:
// NEST's defaults, as in astro.NewKernel).
func NewPlan(cfg astro.KernelConfig) (*Plan, error) {
	// Let the kernel check the settings; an empty kernel costs nothing.
	k, err := astro.NewKernel(cfg)
	if err != nil {
		return nil, err
	}
	return &Plan{cfg: k.Config()}, nil
}

// Config returns the plan's kernel settings.
func (p *Plan) Config() astro.KernelConfig { return p.cfg }

// History returns the recorded calls, in order.
func (p *Plan) History() []astro.Call { return append([]astro.Call(nil), p.calls...) }

// Export writes the plan as a PyNEST script (see Export).
func (p *Plan) Export(w io.Writer, opt Options) (Version, error) {
	return Export(w, p.cfg, p.calls, opt)
}

// Create records n nodes of model m and returns their IDs.
func (p *Plan) Create(m astro.Model, n int) (astro.NodeCollection, error) {
	if m == nil {
		return astro.NodeCollection{}, fmt.Errorf("create: model is nil")
	}
	if n < 1 || n > 1<<30 || p.nodes+n > math.MaxInt32 {
		return astro.NodeCollection{}, fmt.Errorf("create %s: n = %d: must be in [1, 2^30]", m.ModelName(), n)
	}
	if v, ok := m.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return astro.NodeCollection{}, fmt.Errorf("create: %w", err)
		}
	}
	ids := make([]int, n)
	for i := range ids {
		ids[i] = p.nodes + 1 + i
	}
	p.nodes += n
	c := astro.NodeIDs(ids...)
	p.calls = append(p.calls, astro.Call{Op: astro.OpCreate, Model: m, N: n, Nodes: c})
	return c, nil
}

func (p *Plan) check(what string, cs ...astro.NodeCollection) error {
	for _, c := range cs {
		if c.Len() == 0 {
			return fmt.Errorf("%s: empty node collection", what)
		}
		for _, id := range c.IDs() {
			if id < 1 || id > p.nodes {
				return fmt.Errorf("%s: node ID %d does not exist (valid: 1..%d)", what, id, p.nodes)
			}
		}
	}
	return nil
}

func checkP(what, name string, v float64) error {
	if !(v >= 0 && v <= 1) {
		return fmt.Errorf("%s: %s = %g: must be in [0, 1]", what, name, v)
	}
	return nil
}

func checkRule(what string, r astro.ConnRule) error {
	switch x := r.(type) {
	case astro.PairwiseBernoulli:
		return checkP(what, "p", x.P)
	case astro.FixedIndegree:
		if x.Indegree < 0 {
			return fmt.Errorf("%s: indegree = %d: must be ≥ 0", what, x.Indegree)
		}
	}
	return nil
}

// Connect records a connection call (nil rule: all_to_all; nil synapse:
// the default static_synapse).
func (p *Plan) Connect(pre, post astro.NodeCollection, rule astro.ConnRule, syn astro.Synapse) error {
	if rule == nil {
		rule = astro.AllToAll{}
	}
	if syn == nil {
		syn = astro.DefaultStaticSynapse()
	}
	what := "connect (" + rule.RuleName() + ", " + syn.SynapseModel() + ")"
	if err := p.check(what, pre, post); err != nil {
		return err
	}
	if err := checkRule(what, rule); err != nil {
		return err
	}
	p.calls = append(p.calls, astro.Call{Op: astro.OpConnect, Pre: pre, Post: post, Rule: rule, Syn: syn})
	return nil
}

func defaults(s astro.TripartiteSynSpecs) astro.TripartiteSynSpecs {
	for _, x := range []*astro.Synapse{&s.Primary, &s.ThirdIn, &s.ThirdOut} {
		if *x == nil {
			*x = astro.DefaultStaticSynapse()
		}
	}
	return s
}

// TripartiteConnect records a NEST 3.8 tripartite call.
func (p *Plan) TripartiteConnect(pre, post, third astro.NodeCollection, rule astro.TripartiteBernoulliWithPool, syn astro.TripartiteSynSpecs) error {
	const what = "tripartite_connect (tripartite_bernoulli_with_pool)"
	if err := p.check(what, pre, post, third); err != nil {
		return err
	}
	if err := checkP(what, "p_primary", rule.PPrimary); err != nil {
		return err
	}
	if err := checkP(what, "p_third_if_primary", rule.PThirdIfPrimary); err != nil {
		return err
	}
	p.calls = append(p.calls, astro.Call{Op: astro.OpTripartiteConnect, Pre: pre, Post: post, Third: third, Tripartite: rule, Syns: defaults(syn)})
	return nil
}

// TripartiteConnectWith records a NEST 3.9 tripartite call (primary rule
// + third_factor_bernoulli_with_pool).
func (p *Plan) TripartiteConnectWith(pre, post, third astro.NodeCollection, primary astro.ConnRule, thirdFactor astro.ThirdFactorBernoulliWithPool, syn astro.TripartiteSynSpecs) error {
	const what = "tripartite_connect (third_factor_bernoulli_with_pool)"
	if primary == nil {
		return fmt.Errorf("%s: the primary rule is nil", what)
	}
	if err := p.check(what, pre, post, third); err != nil {
		return err
	}
	if err := checkRule(what, primary); err != nil {
		return err
	}
	if err := checkP(what, "p", thirdFactor.P); err != nil {
		return err
	}
	p.calls = append(p.calls, astro.Call{Op: astro.OpTripartiteConnectWith, Pre: pre, Post: post, Third: third,
		Rule: primary, ThirdFactor: thirdFactor, Syns: defaults(syn)})
	return nil
}

// SetStatus records a SetStatus call.
func (p *Plan) SetStatus(nodes astro.NodeCollection, d astro.Dict) error {
	if err := p.check("SetStatus", nodes); err != nil {
		return err
	}
	cp := make(astro.Dict, len(d))
	for k, v := range d {
		cp[k] = v
	}
	p.calls = append(p.calls, astro.Call{Op: astro.OpSetStatus, Nodes: nodes, Params: cp})
	return nil
}

// Simulate records a simulation run of t ms.
func (p *Plan) Simulate(t float64) error {
	if !(t >= 0) || math.IsInf(t, 0) {
		return fmt.Errorf("simulate: time = %g ms: must be ≥ 0 and finite", t)
	}
	p.calls = append(p.calls, astro.Call{Op: astro.OpSimulate, Time: t})
	return nil
}
