package astro

import "reflect"

// CallOp names a public kernel call recorded in the kernel's history.
type CallOp string

// The calls a kernel records (see Kernel.History).
const (
	OpCreate                CallOp = "Create"
	OpConnect               CallOp = "Connect"
	OpTripartiteConnect     CallOp = "TripartiteConnect"
	OpTripartiteConnectWith CallOp = "TripartiteConnectWith"
	OpSetStatus             CallOp = "SetStatus"
	OpSimulate              CallOp = "Simulate"
)

// Call is one successful public call of a kernel, with its arguments as
// the kernel used them (nil rules and synapses replaced by the defaults the
// kernel applied). Which fields are set depends on Op:
//
//   - Create: Model, N, Nodes (the nodes created);
//   - Connect: Pre, Post, Rule, Syn;
//   - TripartiteConnect: Pre, Post, Third, Tripartite, Syns;
//   - TripartiteConnectWith: Pre, Post, Third, Rule (the primary rule),
//     ThirdFactor, Syns;
//   - SetStatus: Nodes, Params;
//   - Simulate: Time (ms).
type Call struct {
	Op          CallOp
	Model       Model
	N           int
	Nodes       NodeCollection
	Pre, Post   NodeCollection
	Third       NodeCollection
	Rule        ConnRule
	Syn         Synapse
	Tripartite  TripartiteBernoulliWithPool
	ThirdFactor ThirdFactorBernoulliWithPool
	Syns        TripartiteSynSpecs
	Params      Dict
	Time        float64 // ms
}

// History returns the kernel's successful public calls since NewKernel or
// the last ResetKernel, in order: everything needed to build the same
// network elsewhere (e.g. as a PyNEST script, see package astro/nestio). A
// call that returned an error is not in it. The calls are copies: changing
// them does not change the kernel.
func (k *Kernel) History() []Call {
	out := make([]Call, len(k.history))
	for i, c := range k.history {
		out[i] = c.clone()
	}
	return out
}

// Config returns the kernel's settings (with NEST's defaults filled in).
func (k *Kernel) Config() KernelConfig {
	return KernelConfig{Resolution: k.h, LocalNumThreads: k.threads, RNGSeed: k.seed}
}

// record appends a successful call to the history (as a copy, so later
// changes to the caller's slices do not alter it).
func (k *Kernel) record(c Call) {
	k.history = append(k.history, c.clone())
}

func (c Call) clone() Call {
	c.Model = cloneParams(c.Model)
	c.Rule = cloneParams(c.Rule)
	c.Syn = cloneParams(c.Syn)
	c.Syns = TripartiteSynSpecs{Primary: cloneParams(c.Syns.Primary), ThirdIn: cloneParams(c.Syns.ThirdIn), ThirdOut: cloneParams(c.Syns.ThirdOut)}
	if c.Params != nil {
		d := make(Dict, len(c.Params))
		for name, v := range c.Params {
			d[name] = cloneValue(v)
		}
		c.Params = d
	}
	return c
}

// cloneParams copies a parameter struct held in an interface, including
// its slices (spike_times, record_from, …).
func cloneParams[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	if rv.IsNil() {
		return v
	}
	inner := rv.Elem()
	if inner.Kind() != reflect.Struct {
		return v
	}
	cp := reflect.New(inner.Type()).Elem()
	cp.Set(inner)
	for i := range cp.NumField() {
		if f := cp.Field(i); f.Kind() == reflect.Slice && !f.IsNil() && f.CanSet() {
			s := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
			reflect.Copy(s, f)
			f.Set(s)
		}
	}
	rv.Set(cp)
	return v
}

// cloneValue copies slices among a Dict's values.
func cloneValue(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice || rv.IsNil() {
		return v
	}
	out := reflect.MakeSlice(rv.Type(), rv.Len(), rv.Len())
	for i := range rv.Len() {
		e := reflect.ValueOf(cloneValue(rv.Index(i).Interface()))
		if e.IsValid() {
			out.Index(i).Set(e)
		}
	}
	return out.Interface()
}

// withDefaults replaces nil synapses by the default static_synapse, as the
// tripartite calls do.
func (s TripartiteSynSpecs) withDefaults() TripartiteSynSpecs {
	for _, p := range []*Synapse{&s.Primary, &s.ThirdIn, &s.ThirdOut} {
		if *p == nil {
			*p = defaultSynapse()
		}
	}
	return s
}
