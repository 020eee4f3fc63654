package nestio

import (
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/astronb/astronb/astro"
)

// Options adjust the exported script.
type Options struct {
	// Title is the script's TITLE (default: "A network built with
	// astronb"). Like every string that reaches the script it is written as
	// a Python string literal; invalid UTF-8 and NUL bytes are refused.
	Title string
	// Threads is local_num_threads in the script (0: the kernel's; at
	// most 1024).
	Threads int
	// TotalVPs, when > 0, sets total_num_virtual_procs instead of
	// local_num_threads: the script then runs unchanged under
	// `mpirun -np P` with TotalVPs/P threads per process (TotalVPs must be a
	// multiple of P). Threads must then be 0.
	TotalVPs int
	// Labels names the recorders' output files, by recorder node ID:
	// LABEL-NODEID-VP.dat. Recorders without one are labelled with their
	// variable name in the script (e.g. "sr_9"). Labels must be distinct
	// and consist of letters, digits, '_' and '.'.
	Labels map[int]string
	// Precision is the number of digits after the decimal point the
	// recorders write (NEST's precision; default 17, which keeps times and
	// most values exact; NEST's own default is 3).
	Precision int
	// DataPath is the directory the script writes its files into when none
	// is given on its command line (default "nest_output"): its DATA_PATH.
	DataPath string
	// Simulate lists Simulate calls (ms) still planned after those in the
	// history, e.g. for a network built but not yet simulated. They are
	// checked as Kernel.Simulate checks them: ≥ 0, finite, multiples of
	// the resolution, the total inside the time range.
	Simulate []float64
}

// Version says which NEST an exported script needs: NEST 3.8 for the 3.8
// tripartite rule (removed in NEST 3.9), NEST ≥ 3.9 for the primary rule
// + third_factor_bernoulli_with_pool form.
type Version string

// NEST versions an exported script can need.
const (
	NEST38 Version = "3.8"
	NEST39 Version = "3.9"
)

// ExportKernel writes the network k was built with (its History and
// Config) as a standalone PyNEST script; see Export.
func ExportKernel(w io.Writer, k *astro.Kernel, opt Options) (Version, error) {
	return Export(w, k.Config(), k.History(), opt)
}

// Export writes a standalone PyNEST script that builds and runs the network
// of calls (a kernel's History) in NEST: the kernel settings of cfg; every
// Create in order, with the model's NEST name and its non-default
// parameters, so node IDs agree with astronb's; every Connect as a conn_spec
// rule and a syn_spec (explicit node lists as explicit NodeCollections);
// tripartite connections in NEST 3.8's or 3.9's syntax; recorders writing
// to NEST's ASCII backend with one label each; the Simulate calls in
// sequence, as Prepare, Run… and Cleanup, so that every recorder file
// holds the whole run (each Simulate would re-open and overwrite it).
//
// It returns the NEST version the script needs. Anything NEST cannot do the
// same way is an error naming the call and what cannot be expressed;
// nothing is written then.
func Export(w io.Writer, cfg astro.KernelConfig, calls []astro.Call, opt Options) (Version, error) {
	e := &exporter{cfg: cfg, opt: opt, vars: map[int]int{}}
	if err := e.run(calls); err != nil {
		return "", err
	}
	if _, err := io.WriteString(w, e.out.String()); err != nil {
		return "", fmt.Errorf("nestio: %w", err)
	}
	return e.version, nil
}

// block is one Create call: its variable and nodes.
type block struct {
	name  string
	model astro.Model
	first int
	n     int
}

type exporter struct {
	cfg     astro.KernelConfig
	opt     Options
	blocks  []block
	vars    map[int]int // node ID -> index in blocks (first node only)
	nodes   int
	labels  map[string]int // label -> recorder node ID
	body    strings.Builder
	out     strings.Builder
	version Version
	ran     bool // a Simulate call has been written
	has38   bool // a 3.8 TripartiteConnect has been written
	nRec    int
}

// label patterns NEST's file names can carry without surprises.
var labelOK = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)

// identOK matches the stems of the script's variable names (stem_ID).
var identOK = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Each model says how it is exported (astro.NESTOf): NEST's model name,
// the stem of its variable names, and its state variables — the only
// parameters SetStatus may change between Simulate calls in the script,
// since NEST's Run (unlike astronb's Simulate) does not re-derive a model's
// constants (nestkernel/simulation_manager.cpp, SimulationManager::run does
// not call NodeManager::prepare_nodes).

func (e *exporter) run(calls []astro.Call) error {
	cfg := e.cfg
	if cfg.Resolution == 0 {
		cfg.Resolution = 0.1
	}
	if cfg.LocalNumThreads == 0 {
		cfg.LocalNumThreads = 1
	}
	if cfg.RNGSeed == 0 {
		cfg.RNGSeed = astro.DefaultRNGSeed
	}
	e.cfg = cfg
	if cfg.RNGSeed >= 1<<32 {
		return fmt.Errorf("nestio: rng_seed = %d: NEST accepts only seeds in [1, 2^32 - 1]", cfg.RNGSeed)
	}
	if e.opt.TotalVPs < 0 || e.opt.Threads < 0 {
		return fmt.Errorf("nestio: Threads = %d, TotalVPs = %d: must be ≥ 0", e.opt.Threads, e.opt.TotalVPs)
	}
	if e.opt.Threads > maxThreads {
		return fmt.Errorf("nestio: Threads = %d: must be in [0, %d] (0: the kernel's)", e.opt.Threads, maxThreads)
	}
	if e.opt.TotalVPs > maxVPs {
		return fmt.Errorf("nestio: TotalVPs = %d: must be in [0, %d] (0: local_num_threads instead)", e.opt.TotalVPs, maxVPs)
	}
	if err := e.checkOptionText(); err != nil {
		return err
	}
	if err := e.checkSimulate(calls); err != nil {
		return err
	}
	if e.opt.TotalVPs > 0 && e.opt.Threads > 0 {
		return fmt.Errorf("nestio: set either Threads (local_num_threads) or TotalVPs (total_num_virtual_procs), not both")
	}
	if e.opt.Precision == 0 {
		e.opt.Precision = 17
	}
	if e.opt.Precision < 0 || e.opt.Precision > 30 {
		return fmt.Errorf("nestio: Precision = %d: must be in [1, 30]", e.opt.Precision)
	}
	if e.opt.DataPath == "" {
		e.opt.DataPath = "nest_output"
	}
	e.labels = map[string]int{}
	e.version = NEST38
	for i, c := range calls {
		if err := e.call(c); err != nil {
			return fmt.Errorf("nestio: call %d (%s): %w", i+1, c.Op, err)
		}
	}
	for _, t := range e.opt.Simulate {
		if err := e.call(astro.Call{Op: astro.OpSimulate, Time: t}); err != nil {
			return fmt.Errorf("nestio: planned Simulate(%g): %w", t, err)
		}
	}
	for id := range e.opt.Labels {
		b, ok := e.blockOf(id)
		if !ok || (b.model.ModelName() != "spike_recorder" && b.model.ModelName() != "multimeter") {
			return fmt.Errorf("nestio: Labels: node %d is not a recorder", id)
		}
	}
	e.header()
	e.out.WriteString(e.body.String())
	e.footer()
	return nil
}

func (e *exporter) call(c astro.Call) error {
	if err := checkStrings("", reflect.ValueOf(c)); err != nil {
		return err
	}
	if e.ran && c.Op != astro.OpSimulate && c.Op != astro.OpSetStatus {
		return fmt.Errorf("NEST cannot change the network after a simulation has run (astronb cannot either)")
	}
	switch c.Op {
	case astro.OpCreate:
		return e.create(c)
	case astro.OpConnect:
		return e.connect(c)
	case astro.OpTripartiteConnect, astro.OpTripartiteConnectWith:
		return e.tripartite(c)
	case astro.OpSetStatus:
		return e.setStatus(c)
	case astro.OpSimulate: // times checked by checkSimulate
		if !e.ran {
			e.body.WriteString("\n# Simulation. Prepare, Run… and Cleanup instead of Simulate calls: each Simulate would\n" +
				"# re-open the recorders' files and overwrite what the earlier ones wrote.\n")
			e.body.WriteString("nest.Prepare()\n")
			e.ran = true
		}
		fmt.Fprintf(&e.body, "nest.Run(%s)\n", pyFloat(c.Time))
		return nil
	}
	return fmt.Errorf("unknown call")
}

func (e *exporter) blockOf(id int) (block, bool) {
	i, ok := e.vars[id]
	if ok {
		return e.blocks[i], true
	}
	for _, b := range e.blocks {
		if id >= b.first && id < b.first+b.n {
			return b, true
		}
	}
	return block{}, false
}

func (e *exporter) create(c astro.Call) error {
	nm, err := astro.NESTOf(c.Model)
	if err != nil {
		return err
	}
	name, stem := c.Model.ModelName(), nm.Stem
	if !identOK.MatchString(stem) { // it names the script's variables
		return fmt.Errorf("model %s: NEST variable stem %q: must be a Python identifier (ASCII letters, digits and '_', not starting with a digit)", name, stem)
	}
	if c.N < 1 || c.Nodes.Len() != c.N || c.Nodes.First() != e.nodes+1 {
		return fmt.Errorf("create %s: nodes %v do not follow the %d nodes created before", name, c.Nodes, e.nodes)
	}
	var def any
	if d, err := astro.NewModel(name, nil); err == nil {
		def = d // write only what differs from the defaults
	}
	if err := astro.CheckModel(e.cfg, c.Model); err != nil {
		return err
	}
	b := block{name: fmt.Sprintf("%s_%d", stem, c.Nodes.First()), model: c.Model, first: c.Nodes.First(), n: c.N}
	e.vars[b.first] = len(e.blocks)
	e.blocks = append(e.blocks, b)
	e.nodes += c.N
	if len(e.blocks) == 1 {
		e.body.WriteString("\n# Nodes, in astronb's order, so that node IDs agree.\n")
	}
	names, vals := nonDefault(c.Model, def)
	for i := range names {
		names[i] = nm.NESTName(names[i])
	}
	params := pyDict(names, vals)
	ids := fmt.Sprintf("node %d", b.first)
	if c.N > 1 {
		ids = fmt.Sprintf("nodes %d–%d", b.first, b.first+c.N-1)
	}
	if name != "spike_recorder" && name != "multimeter" {
		if params == "{}" {
			fmt.Fprintf(&e.body, "%s = nest.Create(%s, %d)  # %s\n", b.name, pyStr(nm.Model), c.N, ids)
		} else {
			fmt.Fprintf(&e.body, "%s = nest.Create(%s, %d, params=%s)  # %s\n", b.name, pyStr(nm.Model), c.N, params, ids)
		}
		return nil
	}
	// Recorders: to files, one label per recorder.
	var dicts []string
	for i := range c.N {
		id := b.first + i
		label := e.opt.Labels[id]
		if label == "" {
			label = b.name
			if c.N > 1 {
				label = fmt.Sprintf("%s_%d", b.name, i)
			}
		}
		if !labelOK.MatchString(label) {
			return fmt.Errorf("recorder %d: label %q: use only letters, digits, '_' and '.'", id, label)
		}
		if other, dup := e.labels[label]; dup {
			return fmt.Errorf("recorder %d: label %q is already the label of recorder %d: each recorder needs its own", id, label, other)
		}
		e.labels[label] = id
		e.nRec++
		dn := append(slices.Clone(names), "record_to", "label", "precision")
		dv := append(slices.Clone(vals), "ascii", label, e.opt.Precision)
		dicts = append(dicts, pyDict(dn, dv))
	}
	if c.N == 1 {
		fmt.Fprintf(&e.body, "%s = nest.Create(%s, 1, params=%s)  # %s\n", b.name, pyStr(name), dicts[0], ids)
	} else {
		fmt.Fprintf(&e.body, "%s = nest.Create(%s, %d, params=[%s])  # %s\n", b.name, pyStr(name), c.N, strings.Join(dicts, ", "), ids)
	}
	return nil
}

// nonDefault lists, in field order, the NEST names and values of the
// parameters of v that differ from def.
func nonDefault(v, def any) ([]string, []any) {
	names, vals := ordered(v)
	dn, dv := ordered(def)
	var on []string
	var ov []any
	for i, n := range names {
		if j := slices.Index(dn, n); j >= 0 && reflect.DeepEqual(vals[i], dv[j]) {
			continue
		}
		on, ov = append(on, n), append(ov, vals[i])
	}
	return on, ov
}

// ordered returns the NEST-named fields of a parameter struct in field
// order, with astro.GetParams's values.
func ordered(v any) ([]string, []any) {
	d := astro.GetParams(v)
	var names []string
	var vals []any
	for _, name := range astro.ParamNames(v) {
		names, vals = append(names, name), append(vals, d[name])
	}
	return names, vals
}

// nodes writes a NodeCollection expression for c. Unless ordered, the IDs
// may be sorted (NEST's collections always are); role names c in errors.
func (e *exporter) nodesExpr(c astro.NodeCollection, role string, ordered bool) (string, error) {
	ids := c.IDs()
	if len(ids) == 0 {
		return "", fmt.Errorf("%s is empty", role)
	}
	seen := make(map[int]bool, len(ids))
	for _, id := range ids {
		if id < 1 || id > e.nodes {
			return "", fmt.Errorf("%s: node %d does not exist (nodes 1–%d)", role, id, e.nodes)
		}
		if seen[id] {
			return "", fmt.Errorf("%s: node %d appears twice; a NEST NodeCollection holds each node once", role, id)
		}
		seen[id] = true
	}
	if !slices.IsSorted(ids) {
		if ordered {
			return "", fmt.Errorf("%s is not in ascending node-ID order, which NEST NodeCollections always are, and the rule depends on the order", role)
		}
		slices.Sort(ids)
	}
	// Runs of consecutive IDs inside one Create.
	var parts []string
	for i := 0; i < len(ids); {
		b, _ := e.blockOf(ids[i])
		j := i + 1
		for j < len(ids) && ids[j] == ids[j-1]+1 && ids[j] < b.first+b.n {
			j++
		}
		lo, hi := ids[i]-b.first, ids[j-1]-b.first+1
		if lo == 0 && hi == b.n {
			parts = append(parts, b.name)
		} else {
			parts = append(parts, fmt.Sprintf("%s[%d:%d]", b.name, lo, hi))
		}
		i = j
	}
	if len(parts) <= 3 {
		return strings.Join(parts, " + "), nil
	}
	// An explicit list of node IDs.
	var sb strings.Builder
	sb.WriteString("nest.NodeCollection([")
	for i, id := range ids {
		if i > 0 {
			sb.WriteString(",")
			if i%20 == 0 {
				sb.WriteString("\n    ")
			} else {
				sb.WriteString(" ")
			}
		}
		sb.WriteString(strconv.Itoa(id))
	}
	sb.WriteString("])")
	return sb.String(), nil
}

// orderMatters tells whether a bipartite rule's result depends on the
// order of its node lists (beyond its random draws).
func orderMatters(r astro.ConnRule) bool {
	_, ok := r.(astro.OneToOne)
	return ok
}

func connSpec(r astro.ConnRule) (string, error) {
	switch x := r.(type) {
	case astro.AllToAll:
		return `{"rule": "all_to_all"}`, nil
	case astro.OneToOne:
		return `{"rule": "one_to_one"}`, nil
	case astro.PairwiseBernoulli:
		if err := checkRule("pairwise_bernoulli", x); err != nil {
			return "", err
		}
		return pyDict([]string{"rule", "p", "allow_autapses"}, []any{x.RuleName(), x.P, x.AllowAutapses}), nil
	case astro.FixedIndegree:
		if err := checkRule("fixed_indegree", x); err != nil {
			return "", err
		}
		return pyDict([]string{"rule", "indegree", "allow_autapses", "allow_multapses"},
			[]any{x.RuleName(), x.Indegree, x.AllowAutapses, x.AllowMultapses}), nil
	case nil:
		return "", fmt.Errorf("no connection rule")
	}
	return "", fmt.Errorf("connection rule %s (%T) cannot be exported", r.RuleName(), r)
}

func synSpec(cfg astro.KernelConfig, s astro.Synapse) (string, error) {
	if s == nil {
		s = astro.DefaultStaticSynapse()
	}
	def, err := astro.NewSynapse(s.SynapseModel(), nil)
	if err != nil {
		return "", err
	}
	if err := astro.CheckSynapse(cfg, s); err != nil {
		return "", err
	}
	names, vals := ordered(s)
	n, v := []string{"synapse_model"}, []any{s.SynapseModel()}
	// weight and delay always; the rest where not NEST's default.
	for i, name := range names {
		if name == "weight" || name == "delay" {
			n, v = append(n, name), append(v, vals[i])
		}
	}
	on, ov := nonDefault(s, def)
	for i, name := range on {
		if name != "weight" && name != "delay" {
			n, v = append(n, name), append(v, ov[i])
		}
	}
	return pyDict(n, v), nil
}

func (e *exporter) isRecorder(c astro.NodeCollection) bool {
	for _, id := range c.IDs() {
		if b, ok := e.blockOf(id); ok && (b.model.ModelName() == "spike_recorder" || b.model.ModelName() == "multimeter") {
			return true
		}
	}
	return false
}

func (e *exporter) connect(c astro.Call) error {
	if len(e.blocks) > 0 && !strings.Contains(e.body.String(), "\n# Connections") {
		e.body.WriteString("\n# Connections: rules, not connection lists (NEST draws its own random numbers).\n")
	}
	ordered := orderMatters(c.Rule)
	pre, err := e.nodesExpr(c.Pre, "pre", ordered)
	if err != nil {
		return err
	}
	post, err := e.nodesExpr(c.Post, "post", ordered)
	if err != nil {
		return err
	}
	rule, err := connSpec(c.Rule)
	if err != nil {
		return err
	}
	if e.isRecorder(c.Pre) || e.isRecorder(c.Post) {
		if _, ok := c.Rule.(astro.AllToAll); !ok {
			return fmt.Errorf("recorders connect with all_to_all only, not %s", c.Rule.RuleName())
		}
		if c.Syn == nil || c.Syn == astro.Synapse(astro.DefaultStaticSynapse()) {
			fmt.Fprintf(&e.body, "nest.Connect(%s, %s)\n", pre, post)
			return nil
		}
	}
	syn, err := synSpec(e.cfg, c.Syn)
	if err != nil {
		return err
	}
	fmt.Fprintf(&e.body, "nest.Connect(%s, %s,\n             conn_spec=%s,\n             syn_spec=%s)\n", pre, post, rule, syn)
	return nil
}

func (e *exporter) tripartite(c astro.Call) error {
	if !strings.Contains(e.body.String(), "\n# Connections") {
		e.body.WriteString("\n# Connections: rules, not connection lists (NEST draws its own random numbers).\n")
	}
	block := false
	var thirdSpec, rule string
	var err error
	if c.Op == astro.OpTripartiteConnect {
		if e.version == NEST39 {
			return fmt.Errorf("NEST 3.8's tripartite_bernoulli_with_pool and NEST 3.9's primary rule + third_factor_bernoulli_with_pool cannot be in one script: NEST 3.9 removed the 3.8 rule (express it as pairwise_bernoulli(p_primary) + third_factor_bernoulli_with_pool(p_third_if_primary) with TripartiteConnectWith)")
		}
		r := c.Tripartite
		poolSize, poolType := r.PoolSize, r.PoolType
		if poolSize == 0 {
			poolSize = c.Third.Len()
		}
		if poolType == "" {
			poolType = astro.PoolRandom
		}
		if err := checkTripartite(r.PPrimary, r.PThirdIfPrimary, poolSize, poolType); err != nil {
			return err
		}
		block = poolType == astro.PoolBlock
		rule = pyDict([]string{"rule", "p_primary", "p_third_if_primary", "pool_size", "pool_type", "allow_autapses"},
			[]any{r.RuleName(), r.PPrimary, r.PThirdIfPrimary, poolSize, string(poolType), r.AllowAutapses})
	} else {
		if e.version == NEST38 && e.has38 {
			return fmt.Errorf("NEST 3.9's primary rule + third_factor_bernoulli_with_pool and NEST 3.8's tripartite_bernoulli_with_pool cannot be in one script: NEST 3.9 removed the 3.8 rule")
		}
		e.version = NEST39
		tf := c.ThirdFactor
		poolSize, poolType := tf.PoolSize, tf.PoolType
		if poolSize == 0 {
			poolSize = c.Third.Len()
		}
		if poolType == "" {
			poolType = astro.PoolRandom
		}
		if err := checkTripartite(0, tf.P, poolSize, poolType); err != nil {
			return err
		}
		block = poolType == astro.PoolBlock || orderMatters(c.Rule)
		if rule, err = connSpec(c.Rule); err != nil {
			return fmt.Errorf("primary: %w", err)
		}
		thirdSpec = pyDict([]string{"rule", "p", "pool_size", "pool_type"},
			[]any{"third_factor_bernoulli_with_pool", tf.P, poolSize, string(poolType)})
	}
	if c.Op == astro.OpTripartiteConnect {
		e.has38 = true
	}
	pre, err := e.nodesExpr(c.Pre, "pre", c.Op == astro.OpTripartiteConnectWith && orderMatters(c.Rule))
	if err != nil {
		return err
	}
	post, err := e.nodesExpr(c.Post, "post", block)
	if err != nil {
		return err
	}
	third, err := e.nodesExpr(c.Third, "third", block)
	if err != nil {
		return err
	}
	var syns []string
	for _, r := range []struct {
		name string
		s    astro.Synapse
	}{{"primary", c.Syns.Primary}, {"third_in", c.Syns.ThirdIn}, {"third_out", c.Syns.ThirdOut}} {
		s, err := synSpec(e.cfg, r.s)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		syns = append(syns, fmt.Sprintf("%s: %s", pyStr(r.name), s))
	}
	fmt.Fprintf(&e.body, "nest.TripartiteConnect(%s, %s, %s,\n    conn_spec=%s,\n", pre, post, third, rule)
	if thirdSpec != "" {
		fmt.Fprintf(&e.body, "    third_factor_conn_spec=%s,\n", thirdSpec)
	}
	fmt.Fprintf(&e.body, "    syn_specs={%s})\n", strings.Join(syns, ",\n               "))
	return nil
}

func (e *exporter) setStatus(c astro.Call) error {
	if len(c.Params) == 0 {
		return nil
	}
	nodes, err := e.nodesExpr(c.Nodes, "nodes", false)
	if err != nil {
		return err
	}
	// Type the values as the model's fields (NEST refuses an int for a
	// double parameter), using the first node's model.
	b, _ := e.blockOf(c.Nodes.IDs()[0])
	model := b.model.ModelName()
	for _, id := range c.Nodes.IDs() {
		if bb, _ := e.blockOf(id); bb.model.ModelName() != model {
			return fmt.Errorf("SetStatus on nodes of two models (%s and %s): export it as one call per model", model, bb.model.ModelName())
		}
	}
	nm, err := astro.NESTOf(b.model)
	if err != nil {
		return err
	}
	cp := reflect.New(reflect.TypeOf(b.model))
	cp.Elem().Set(reflect.ValueOf(b.model))
	if err := astro.SetParams(cp.Interface(), c.Params); err != nil {
		return err
	}
	if err := astro.CheckModel(e.cfg, cp.Elem().Interface().(astro.Model)); err != nil {
		return err
	}
	typed := astro.GetParams(cp.Interface())
	names, _ := ordered(cp.Elem().Interface())
	var n []string
	var v []any
	for _, name := range names {
		if _, ok := c.Params[name]; !ok {
			continue
		}
		if e.ran && !slices.Contains(nm.State, nm.NESTName(name)) {
			return fmt.Errorf("SetStatus of %s %s after Simulate: NEST's Run does not re-derive a model's constants from its parameters "+
				"(only Prepare does, which would re-open and overwrite the recorders' files); only state variables (%s) can change between runs",
				model, name, strings.Join(nm.State, ", "))
		}
		val := typed[name]
		if name == "stop" && val == 0.0 {
			val = math.Inf(1) // astronb's stop 0 is NEST's stop ∞
		}
		n, v = append(n, nm.NESTName(name)), append(v, val)
	}
	fmt.Fprintf(&e.body, "nest.SetStatus(%s, %s)\n", nodes, pyDict(n, v))
	return nil
}

func (e *exporter) header() {
	o := &e.out
	title := e.opt.Title
	if title == "" {
		title = "A network built with astronb"
	}
	threads := e.opt.Threads
	if threads == 0 {
		threads = e.cfg.LocalNumThreads
	}
	need := "NEST 3.8 (its tripartite_bernoulli_with_pool rule was removed in NEST 3.9)"
	if e.version == NEST39 {
		need = "NEST 3.9 or later (TripartiteConnect with a primary rule + third_factor_bernoulli_with_pool)"
	}
	if !e.has38 && e.version != NEST39 {
		need = "NEST 3.8 (the astrocyte models and sic_connection exist since 3.6; later versions should work)"
	}
	// The docstring is fixed text: the title, the data path and the labels
	// reach the script only as Python literals (TITLE, DATA_PATH, LABELS).
	o.WriteString("#!/usr/bin/env python3\n\"\"\"PyNEST script exported by astronb (astro/nestio) from the calls that built the network there\n")
	o.WriteString("(its title: TITLE below).\n\n")
	fmt.Fprintf(o, "Needs %s.\n\n", need)
	o.WriteString("Run:\n")
	if e.opt.TotalVPs > 0 {
		fmt.Fprintf(o, "    mpirun -np P python3 SCRIPT.py [OUTPUT_DIR]   # %d virtual processes in all (P must divide %d)\n", e.opt.TotalVPs, e.opt.TotalVPs)
	} else {
		fmt.Fprintf(o, "    python3 SCRIPT.py [OUTPUT_DIR]   # %d thread(s)\n", threads)
	}
	o.WriteString("OUTPUT_DIR defaults to DATA_PATH below. Every recorder writes one file per virtual process,\n")
	o.WriteString("OUTPUT_DIR/LABEL-NODEID-VP.dat; read them back in Go with\n")
	o.WriteString("    nestio.ReadSpikeRecorder(dir, LABEL) / nestio.ReadMultimeterRecorder(dir, LABEL).\n")
	if len(e.labels) > 0 {
		o.WriteString("LABELS below lists the recorders' labels and node IDs.\n")
	}
	o.WriteString(`
The same as in astronb: the nodes and their order (so node IDs agree), every parameter, the
connection rules and synapses, the recorders and the sequence of simulation runs, the kernel's
resolution and rng_seed. Deterministic networks (spike generators, fixed wiring) give the same
results.
Not the same: NEST draws its own random numbers, so randomly wired connections and Poisson input
are the same statistically, not connection for connection or spike for spike. Results depend on
neither the number of threads nor the number of processes in astronb; in NEST they depend on the
number of virtual processes.
"""
import os
import sys

import nest

`)
	fmt.Fprintf(o, "TITLE = %s\n", pyStr(title))
	fmt.Fprintf(o, "DATA_PATH = %s\n", pyStr(e.opt.DataPath))
	if len(e.labels) > 0 {
		ls := slices.Sorted(maps.Keys(e.labels))
		vals := make([]any, len(ls))
		for i, l := range ls {
			vals[i] = e.labels[l]
		}
		fmt.Fprintf(o, "LABELS = %s\n", pyDict(ls, vals))
	}
	if e.version == NEST39 {
		o.WriteString(`
if tuple(int(x) for x in nest.__version__.split(".")[:2]) < (3, 9):
    sys.exit("this script needs NEST 3.9 or later, not " + nest.__version__)
`)
	} else if e.has38 {
		o.WriteString(`
if not nest.__version__.startswith("3.8"):
    sys.exit("this script needs NEST 3.8 (tripartite_bernoulli_with_pool), not " + nest.__version__)
`)
	}
	o.WriteString(`
data_path = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DATA_PATH)
os.makedirs(data_path, exist_ok=True)

nest.ResetKernel()
nest.set_verbosity("M_WARNING")
`)
	names := []string{"resolution", "rng_seed"}
	vals := []any{e.cfg.Resolution, int(e.cfg.RNGSeed)}
	if e.opt.TotalVPs > 0 {
		names, vals = append(names, "total_num_virtual_procs"), append(vals, e.opt.TotalVPs)
	} else {
		names, vals = append(names, "local_num_threads"), append(vals, threads)
	}
	fmt.Fprintf(o, "nest.SetKernelStatus(%s)\n", pyDict(names, vals))
	o.WriteString(`nest.SetKernelStatus({"data_path": data_path, "overwrite_files": True})
`)
}

func (e *exporter) footer() {
	if e.ran {
		e.out.WriteString("nest.Cleanup()\n")
	}
	if e.nRec > 0 {
		e.out.WriteString("\nif nest.Rank() == 0:\n    print(\"recordings in\", data_path)\n")
	}
}

// pyDict writes a Python dict literal with keys in the given order.
func pyDict(names []string, vals []any) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "%s: %s", pyStr(n), pyValue(vals[i]))
	}
	sb.WriteByte('}')
	return sb.String()
}

// pyValue writes a Python literal: floats always with a point or exponent
// (so NEST sees a double), ints, bools, strings, lists.
func pyValue(v any) string {
	switch x := v.(type) {
	case float64:
		return pyFloat(x)
	case int:
		return strconv.Itoa(x)
	case uint64:
		return strconv.FormatUint(x, 10)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return pyStr(x)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = pyValue(rv.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("%v", v)
}

// pyStr writes s as a Python string literal. Go's quoting escapes exactly
// as Python reads back: \a \b \f \n \r \t \v \\ \" and \xXX, \uXXXX,
// \UXXXXXXXX for other non-printable characters; everything else stands
// as it is. A byte of invalid UTF-8 would come out as \xXX, which Python
// reads as a different character, so every string is checked first
// (checkText, checkStrings).
func pyStr(s string) string { return strconv.Quote(s) }

// Largest thread and virtual-process counts an export accepts: the
// kernel's own local_num_threads range, and NEST's int.
const (
	maxThreads = 1024
	maxVPs     = math.MaxInt32
)

// checkText refuses a string that cannot reach the script unchanged:
// invalid UTF-8 (Python reads source as UTF-8) or a NUL byte (which no
// file name or label can hold), naming the field.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return fmt.Errorf("%s = %q: not valid UTF-8 (byte %d)", field, s, i)
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Errorf("%s = %q: contains a NUL byte (byte %d)", field, s, i)
	}
	return nil
}

// checkOptionText checks the strings of the options.
func (e *exporter) checkOptionText() error {
	if err := checkText("nestio: Options.Title", e.opt.Title); err != nil {
		return err
	}
	if err := checkText("nestio: Options.DataPath", e.opt.DataPath); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(e.opt.Labels)) {
		if err := checkText(fmt.Sprintf("nestio: Options.Labels[%d]", id), e.opt.Labels[id]); err != nil {
			return err
		}
	}
	return nil
}

// checkStrings checks every string inside v (a call: models, synapses,
// rules, SetStatus values) with checkText; path names the place, with
// NEST's parameter names where there are.
func checkStrings(path string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		return checkText(path, v.String())
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return checkStrings(path, v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name := f.Name
			if tag, _, _ := strings.Cut(f.Tag.Get("nest"), ","); tag != "" {
				name = tag
			}
			if path != "" {
				name = path + "." + name
			}
			if err := checkStrings(name, v.Field(i)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkStrings(fmt.Sprintf("%s[%d]", path, i), v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for _, key := range v.MapKeys() {
			if err := checkStrings(path+" key", key); err != nil {
				return err
			}
			if err := checkStrings(fmt.Sprintf("%s[%v]", path, key), v.MapIndex(key)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSimulate checks every Simulate duration, those of the calls and
// the planned ones (Options.Simulate), in order, with the kernel's own
// checks: ≥ 0, finite, on the time grid, the total inside the time range.
// It also has the kernel settings checked.
func (e *exporter) checkSimulate(calls []astro.Call) error {
	var times []float64
	var where []string
	for i, c := range calls {
		if c.Op == astro.OpSimulate {
			times, where = append(times, c.Time), append(where, fmt.Sprintf("call %d (%s)", i+1, c.Op))
		}
	}
	for i, t := range e.opt.Simulate {
		times, where = append(times, t), append(where, fmt.Sprintf("Options.Simulate[%d]", i))
	}
	i, err := astro.CheckSimulate(e.cfg, times)
	switch {
	case err == nil:
		return nil
	case i < 0:
		return fmt.Errorf("nestio: kernel settings: %w", err)
	}
	return fmt.Errorf("nestio: %s: %w", where[i], err)
}

// checkTripartite checks a tripartite rule's probabilities and pool.
func checkTripartite(pPrimary, pThird float64, poolSize int, poolType astro.PoolType) error {
	const what = "tripartite_connect"
	if err := checkP(what, "p_primary", pPrimary); err != nil {
		return err
	}
	if err := checkP(what, "p_third_if_primary", pThird); err != nil {
		return err
	}
	if poolSize < 1 {
		return fmt.Errorf("%s: pool_size = %d: must be ≥ 1", what, poolSize)
	}
	if poolType != astro.PoolRandom && poolType != astro.PoolBlock {
		return fmt.Errorf("%s: pool_type = %q: must be %q or %q", what, poolType, astro.PoolRandom, astro.PoolBlock)
	}
	return nil
}

// pyFloat writes the shortest literal that Python reads back as the same
// float64.
func pyFloat(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return `float("inf")`
	case math.IsInf(x, -1):
		return `float("-inf")`
	case math.IsNaN(x):
		return `float("nan")`
	}
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}
