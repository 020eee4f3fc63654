package nestio

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/brunel"
)

var update = flag.Bool("update", false, "rewrite the golden scripts in testdata/golden")

// unitKernel builds the single-cell scenario of
// astro/testdata/nest-3.8/unit_scenario.sli and runs it as NEST's
// reference did (Simulate 100, then 200 ms).
func unitKernel(t *testing.T) (*astro.Kernel, map[int]string) {
	t.Helper()
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: 0.1, LocalNumThreads: 2})
	if err != nil {
		t.Fatal(err)
	}
	create := func(m astro.Model) astro.NodeCollection {
		c, err := k.Create(m, 1)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	sgE := create(astro.SpikeGenerator{SpikeTimes: []float64{5, 10, 10.5, 11, 30, 30.1, 50, 100, 150, 151, 152, 153, 154, 200, 250}})
	pn := create(astro.ParrotNeuron{})
	np := astro.DefaultAeifCondAlphaAstro()
	np.TauSynEx, np.TauSynIn, np.IE = 2, 4, 700
	n1 := create(np)
	ap := astro.DefaultAstrocyteLR1994()
	ap.IP3, ap.DeltaIP3, ap.TauIP3 = 0.4, 0.5, 2.0
	astroA := create(ap)
	bp := astro.DefaultAstrocyteLR1994()
	bp.CaAstro, bp.IP3, bp.DeltaIP3 = 0.2, 1.0, 5.0
	astroB := create(bp)
	sgI := create(astro.SpikeGenerator{SpikeTimes: []float64{20, 60, 60, 120}})
	mmN := create(astro.Multimeter{Interval: 0.1, RecordFrom: []string{"V_m", "g_ex", "g_in", "w", "I_SIC"}})
	mmA := create(astro.Multimeter{Interval: 0.1, RecordFrom: []string{"IP3", "Ca_astro", "h_IP3R"}})
	sr := create(astro.SpikeRecorder{})
	ts := astro.DefaultTsodyksSynapse()
	ts.Weight, ts.TauPsc, ts.Delay = 1, 2, 2
	for _, c := range []struct {
		pre, post astro.NodeCollection
		syn       astro.Synapse
	}{
		{sgE, pn, astro.StaticSynapse{Weight: 1, Delay: 1}},
		{pn, n1, ts},
		{pn, astroA, ts},
		{sgI, n1, astro.StaticSynapse{Weight: -4, Delay: 1}},
		{astroB, n1, astro.DefaultSICConnection()},
		{mmN, n1, nil},
		{mmA, astro.Concat(astroA, astroB), nil},
		{n1, sr, nil},
	} {
		if err := k.Connect(c.pre, c.post, nil, c.syn); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []float64{100, 200} {
		if err := k.Simulate(d); err != nil {
			t.Fatal(err)
		}
	}
	return k, map[int]string{mmN.First(): "mm_n", mmA.First(): "mm_a", sr.First(): "sr"}
}

// brunelPlan records the example's network at full scale; with39 it uses
// NEST 3.9's form: pairwise_bernoulli primary + third_factor_bernoulli_with_pool.
func brunelPlan(t *testing.T, with39 bool) (*Plan, Options) {
	t.Helper()
	p := brunel.DefaultParams()
	plan, err := NewPlan(astro.KernelConfig{Resolution: p.Sim.Dt, LocalNumThreads: p.Sim.NThreads})
	if err != nil {
		t.Fatal(err)
	}
	var b brunel.Builder = plan
	if with39 {
		b = tripartite39{plan}
	}
	_, rec, err := brunel.Build(b, p)
	if err != nil {
		t.Fatal(err)
	}
	return plan, Options{
		Title:    "NEST's astrocyte_brunel example",
		Labels:   map[int]string{rec.Spikes.First(): "sr", rec.NeuronMM.First(): "mm_neuron", rec.AstroMM.First(): "mm_astro"},
		Simulate: []float64{p.Sim.PreSimTime, p.Sim.SimTime},
	}
}

// tripartite39 turns the 3.8 tripartite call into its NEST 3.9 equivalent.
type tripartite39 struct{ *Plan }

func (p tripartite39) TripartiteConnect(pre, post, third astro.NodeCollection, r astro.TripartiteBernoulliWithPool, syn astro.TripartiteSynSpecs) error {
	return p.TripartiteConnectWith(pre, post, third, astro.PairwiseBernoulli{P: r.PPrimary, AllowAutapses: r.AllowAutapses},
		astro.ThirdFactorBernoulliWithPool{P: r.PThirdIfPrimary, PoolSize: r.PoolSize, PoolType: r.PoolType}, syn)
}

type exported struct {
	name    string
	script  []byte
	version Version
	calls   []astro.Call
	cfg     astro.KernelConfig
	opt     Options
}

func exports(t *testing.T) []exported {
	t.Helper()
	var out []exported
	k, labels := unitKernel(t)
	uo := Options{Title: "The single-cell scenario (astro/testdata/nest-3.8/unit_scenario.sli)", Labels: labels}
	var buf bytes.Buffer
	v, err := ExportKernel(&buf, k, uo)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, exported{"unit_scenario.py", slices.Clone(buf.Bytes()), v, k.History(), k.Config(), uo})
	for _, c := range []struct {
		name string
		with bool
		vps  int
	}{{"astrocyte_brunel.py", false, 0}, {"astrocyte_brunel_39.py", true, 0}, {"astrocyte_brunel_vps4.py", false, 4}} {
		plan, opt := brunelPlan(t, c.with)
		opt.TotalVPs = c.vps
		buf.Reset()
		v, err := plan.Export(&buf, opt)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, exported{c.name, slices.Clone(buf.Bytes()), v, plan.History(), plan.Config(), opt})
	}
	return out
}

// TestExportGolden compares the exported scripts with the reviewed ones in
// testdata/golden (go test -run TestExportGolden -update rewrites them).
func TestExportGolden(t *testing.T) {
	all := exports(t)
	for _, e := range all {
		path := filepath.Join("testdata", "golden", e.name)
		if *update {
			if err := os.WriteFile(path, e.script, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestExportGolden -update to create it)", err)
		}
		if !bytes.Equal(e.script, want) {
			t.Errorf("%s differs from the golden file; review the diff and run with -update:\n%s", e.name, firstDiff(string(want), string(e.script)))
		}
		if len(e.script) > 8000 {
			t.Errorf("%s: %d bytes; the full example should stay a few kB", e.name, len(e.script))
		}
	}
	for name, want := range map[string]Version{"unit_scenario.py": NEST38, "astrocyte_brunel.py": NEST38, "astrocyte_brunel_39.py": NEST39} {
		for _, e := range all {
			if e.name == name && e.version != want {
				t.Errorf("%s needs NEST %s, want %s", name, e.version, want)
			}
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n- " + x + "\n+ " + y
		}
	}
	return ""
}

func python(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: skipping the checks that run the exported scripts")
	}
	return py
}

// TestExportPyCompile: every exported script is valid Python.
func TestExportPyCompile(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	for _, e := range exports(t) {
		p := filepath.Join(dir, e.name)
		if err := os.WriteFile(p, e.script, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, py, "-m", "py_compile", p).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("%s: py_compile: %v\n%s", e.name, err, out)
		}
	}
}

// fakeCall is one call recorded by testdata/fakenest.
type fakeCall struct {
	Op                  string
	Params              json.RawMessage
	Model               string
	N                   int
	Pre, Post, Third    []int
	Nodes               []int
	ConnSpec            map[string]any            `json:"conn_spec"`
	ThirdFactorConnSpec map[string]any            `json:"third_factor_conn_spec"`
	SynSpec             map[string]any            `json:"syn_spec"`
	SynSpecs            map[string]map[string]any `json:"syn_specs"`
	T                   float64
}

// runFake runs an exported script against the stand-in PyNEST of
// testdata/fakenest and returns the calls it made.
func runFake(t *testing.T, py string, e exported, version string) []fakeCall {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, e.name)
	if err := os.WriteFile(script, e.script, 0o644); err != nil {
		t.Fatal(err)
	}
	fake, _ := filepath.Abs(filepath.Join("testdata", "fakenest"))
	out := filepath.Join(dir, "calls.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, script, filepath.Join(dir, "data"))
	cmd.Env = append(os.Environ(), "PYTHONPATH="+fake, "FAKENEST_OUT="+out, "FAKENEST_VERSION="+version)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", e.name, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var calls []fakeCall
	if err := json.Unmarshal(b, &calls); err != nil {
		t.Fatal(err)
	}
	return calls
}

// TestExportRoundTrip runs every exported script against a stand-in PyNEST
// that records its calls, parses the parameters back and checks them
// against the astronb calls that were exported: the kernel settings, every
// Create (model, size and every parameter, applied to the model's defaults
// by NEST name), every connection (nodes, rule, synapse with all its
// parameters), the tripartite calls and the Simulate sequence.
func TestExportRoundTrip(t *testing.T) {
	py := python(t)
	for _, e := range exports(t) {
		t.Run(e.name, func(t *testing.T) {
			ver := "3.8.0"
			if e.version == NEST39 {
				ver = "3.9.0"
			}
			got := runFake(t, py, e, ver)
			var i int
			next := func(op string) fakeCall {
				t.Helper()
				for i < len(got) && (got[i].Op == "ResetKernel" || got[i].Op == "SetKernelStatus" && op != "SetKernelStatus") {
					i++
				}
				if i >= len(got) || got[i].Op != op {
					t.Fatalf("call %d: want %s, script made %+v", i, op, got[min(i, len(got)-1)])
				}
				i++
				return got[i-1]
			}
			ks := next("SetKernelStatus")
			var kd map[string]any
			if err := json.Unmarshal(ks.Params, &kd); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"resolution": e.cfg.Resolution, "rng_seed": float64(e.cfg.RNGSeed)}
			if e.opt.TotalVPs > 0 {
				want["total_num_virtual_procs"] = float64(e.opt.TotalVPs)
			} else {
				want["local_num_threads"] = float64(e.cfg.LocalNumThreads)
			}
			if !reflect.DeepEqual(kd, want) {
				t.Errorf("kernel settings %v, want %v", kd, want)
			}
			recorders := 0
			prepared := false
			for _, c := range e.calls {
				switch c.Op {
				case astro.OpCreate:
					f := next("Create")
					if f.Model != c.Model.ModelName() || f.N != c.N {
						t.Fatalf("Create %s %d, want %s %d", f.Model, f.N, c.Model.ModelName(), c.N)
					}
					params := decodeParams(t, f.Params)
					if m := c.Model.ModelName(); m == "spike_recorder" || m == "multimeter" {
						recorders++
						if params["record_to"] != "ascii" || params["precision"] != 17.0 {
							t.Errorf("recorder %d: %v, want record_to ascii and precision 17", c.Nodes.First(), params)
						}
						if l, ok := e.opt.Labels[c.Nodes.First()]; ok && params["label"] != l {
							t.Errorf("recorder %d: label %v, want %s", c.Nodes.First(), params["label"], l)
						}
						delete(params, "record_to")
						delete(params, "label")
						delete(params, "precision")
					}
					back, err := astro.NewModel(f.Model, astro.Dict(params))
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(astro.GetParams(back), astro.GetParams(c.Model)) {
						t.Errorf("%s: parameters read back %v, exported %v", f.Model, astro.GetParams(back), astro.GetParams(c.Model))
					}
				case astro.OpConnect:
					f := next("Connect")
					checkNodes(t, "pre", f.Pre, c.Pre)
					checkNodes(t, "post", f.Post, c.Post)
					if f.ConnSpec == nil { // recorder connections: NEST's defaults
						f.ConnSpec = map[string]any{"rule": "all_to_all"}
					}
					checkRuleBack(t, f.ConnSpec, c.Rule)
					checkSyn(t, "syn_spec", f.SynSpec, c.Syn)
				case astro.OpTripartiteConnect, astro.OpTripartiteConnectWith:
					f := next("TripartiteConnect")
					checkNodes(t, "pre", f.Pre, c.Pre)
					checkNodes(t, "post", f.Post, c.Post)
					checkNodes(t, "third", f.Third, c.Third)
					checkSyn(t, "primary", f.SynSpecs["primary"], c.Syns.Primary)
					checkSyn(t, "third_in", f.SynSpecs["third_in"], c.Syns.ThirdIn)
					checkSyn(t, "third_out", f.SynSpecs["third_out"], c.Syns.ThirdOut)
					if c.Op == astro.OpTripartiteConnect {
						checkRuleBack(t, f.ConnSpec, c.Tripartite)
						if f.ThirdFactorConnSpec != nil {
							t.Error("3.8 call written with a third_factor_conn_spec")
						}
					} else {
						checkRuleBack(t, f.ConnSpec, c.Rule)
						tf := f.ThirdFactorConnSpec
						if tf["rule"] != "third_factor_bernoulli_with_pool" {
							t.Fatalf("third_factor_conn_spec %v", tf)
						}
						delete(tf, "rule")
						var back astro.ThirdFactorBernoulliWithPool
						if err := astro.SetParams(&back, astro.Dict(tf)); err != nil {
							t.Fatal(err)
						}
						if back != c.ThirdFactor {
							t.Errorf("third factor %+v, want %+v", back, c.ThirdFactor)
						}
					}
				case astro.OpSimulate:
					if !prepared {
						next("Prepare")
						prepared = true
					}
					if f := next("Run"); f.T != c.Time {
						t.Errorf("Run(%g), want %g", f.T, c.Time)
					}
				default:
					t.Fatalf("unexpected %s in the test's history", c.Op)
				}
			}
			for _, tm := range e.opt.Simulate {
				if !prepared {
					next("Prepare")
					prepared = true
				}
				if f := next("Run"); f.T != tm {
					t.Errorf("Run(%g), want %g", f.T, tm)
				}
			}
			next("Cleanup")
			if i != len(got) {
				t.Errorf("%d extra calls: %+v", len(got)-i, got[i:])
			}
			t.Logf("%d calls, %d recorders: all parameters read back equal", len(got), recorders)
		})
	}
}

func decodeParams(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func checkNodes(t *testing.T, role string, got []int, c astro.NodeCollection) {
	t.Helper()
	want := c.IDs()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: %d nodes read back, exported %d (%v…)", role, len(got), len(want), got[:min(5, len(got))])
	}
}

// checkRuleBack sets a zero rule of r's type from spec and compares.
func checkRuleBack(t *testing.T, spec map[string]any, r any) {
	t.Helper()
	name := spec["rule"]
	if rn, ok := r.(interface{ RuleName() string }); !ok || name != rn.RuleName() {
		t.Fatalf("rule %v, want %T", name, r)
	}
	d := astro.Dict{}
	for k, v := range spec {
		if k != "rule" {
			d[k] = v
		}
	}
	back := reflect.New(reflect.TypeOf(r))
	if err := astro.SetParams(back.Interface(), d); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Elem().Interface(), r) {
		t.Errorf("rule read back %+v, exported %+v", back.Elem().Interface(), r)
	}
}

func checkSyn(t *testing.T, role string, spec map[string]any, s astro.Synapse) {
	t.Helper()
	if spec == nil {
		spec = map[string]any{"synapse_model": "static_synapse"}
	}
	d := astro.Dict{}
	for k, v := range spec {
		if k != "synapse_model" {
			d[k] = v
		}
	}
	back, err := astro.NewSynapse(spec["synapse_model"].(string), d)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Errorf("%s: synapse read back %+v, exported %+v", role, back, s)
	}
}

// TestExportErrors: what NEST cannot do the same way is an error naming it,
// and nothing is written.
func TestExportErrors(t *testing.T) {
	newK := func() (*astro.Kernel, astro.NodeCollection, astro.NodeCollection) {
		k, err := astro.NewKernel(astro.KernelConfig{})
		if err != nil {
			t.Fatal(err)
		}
		n, _ := k.Create(astro.DefaultAeifCondAlphaAstro(), 4)
		a, _ := k.Create(astro.DefaultAstrocyteLR1994(), 4)
		return k, n, a
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		build func() (*astro.Kernel, Options)
		want  string
	}{
		{"one_to_one on unsorted nodes", func() (*astro.Kernel, Options) {
			k, n, _ := newK()
			must(k.Connect(astro.NodeIDs(2, 1), n.Slice(0, 2), astro.OneToOne{}, nil))
			return k, Options{}
		}, "pre is not in ascending node-ID order"},
		{"node twice", func() (*astro.Kernel, Options) {
			k, n, _ := newK()
			must(k.Connect(astro.Concat(n, n), n, nil, nil))
			return k, Options{}
		}, "node 1 appears twice"},
		{"3.8 and 3.9 tripartite", func() (*astro.Kernel, Options) {
			k, n, a := newK()
			syn := astro.TripartiteSynSpecs{ThirdOut: astro.DefaultSICConnection()}
			must(k.TripartiteConnect(n, n, a, astro.NewTripartiteBernoulliWithPool(), syn))
			must(k.TripartiteConnectWith(n, n, a, astro.AllToAll{}, astro.ThirdFactorBernoulliWithPool{P: 1}, syn))
			return k, Options{}
		}, "cannot be in one script"},
		{"block pool on unsorted targets", func() (*astro.Kernel, Options) {
			k, n, a := newK()
			r := astro.NewTripartiteBernoulliWithPool()
			r.PoolSize, r.PoolType = 1, astro.PoolBlock
			must(k.TripartiteConnect(n, astro.NodeIDs(4, 3, 2, 1), a, r, astro.TripartiteSynSpecs{ThirdOut: astro.DefaultSICConnection()}))
			return k, Options{}
		}, "post is not in ascending node-ID order"},
		{"parameter change between runs", func() (*astro.Kernel, Options) {
			k, n, _ := newK()
			must(k.Simulate(1))
			must(k.SetStatus(n, astro.Dict{"I_e": 100.0}))
			return k, Options{}
		}, "SetStatus of aeif_cond_alpha_astro I_e after Simulate"},
		{"seed out of NEST's range", func() (*astro.Kernel, Options) {
			k, err := astro.NewKernel(astro.KernelConfig{RNGSeed: 1 << 40})
			must(err)
			return k, Options{}
		}, "rng_seed = 1099511627776"},
		{"label twice", func() (*astro.Kernel, Options) {
			k, _, _ := newK()
			a, _ := k.Create(astro.SpikeRecorder{}, 1)
			b, _ := k.Create(astro.SpikeRecorder{}, 1)
			return k, Options{Labels: map[int]string{a.First(): "sr", b.First(): "sr"}}
		}, `label "sr" is already the label of recorder`},
		{"bad label", func() (*astro.Kernel, Options) {
			k, _, _ := newK()
			a, _ := k.Create(astro.SpikeRecorder{}, 1)
			return k, Options{Labels: map[int]string{a.First(): "a b"}}
		}, `label "a b"`},
		{"label of a neuron", func() (*astro.Kernel, Options) {
			k, _, _ := newK()
			return k, Options{Labels: map[int]string{1: "x"}}
		}, "Labels: node 1 is not a recorder"},
		{"threads and vps", func() (*astro.Kernel, Options) {
			k, _, _ := newK()
			return k, Options{Threads: 2, TotalVPs: 4}
		}, "not both"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, opt := c.build()
			var buf bytes.Buffer
			_, err := ExportKernel(&buf, k, opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written despite the error", buf.Len())
			}
		})
	}
}

// TestExportSetStatusAndOrder: SetStatus calls are exported in place with
// values typed as NEST expects, state variables may change between runs,
// unsorted collections of order-free rules are sorted, and explicit lists
// become NodeCollections.
func TestExportSetStatusAndOrder(t *testing.T) {
	k, err := astro.NewKernel(astro.KernelConfig{})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := k.Create(astro.DefaultAeifCondAlphaAstro(), 10)
	if err := k.SetStatus(n, astro.Dict{"I_e": 700}); err != nil {
		t.Fatal(err)
	}
	if err := k.Connect(astro.NodeIDs(9, 3, 1), astro.NodeIDs(2, 4, 6, 8, 10, 5), astro.NewPairwiseBernoulli(0.5), nil); err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(5); err != nil {
		t.Fatal(err)
	}
	if err := k.SetStatus(n.Slice(2, 5), astro.Dict{"V_m": -60}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := ExportKernel(&buf, k, Options{Simulate: []float64{5}}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{
		`nest.SetStatus(neuron_1, {"I_e": 700.0})`,
		"nest.Connect(neuron_1[0:1] + neuron_1[2:3] + neuron_1[8:9], nest.NodeCollection([2, 4, 5, 6, 8, 10]),",
		"nest.Prepare()\nnest.Run(5.0)\nnest.SetStatus(neuron_1[2:5], {\"V_m\": -60.0})\nnest.Run(5.0)\nnest.Cleanup()",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
}

// TestPlanMatchesKernel: a Plan records the same calls as a kernel that
// builds the network, so both export the same script.
func TestPlanMatchesKernel(t *testing.T) {
	p := brunel.DefaultParams()
	p.Network.NEx, p.Network.NIn, p.Network.NAstro = 800, 200, 100
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: p.Sim.Dt, LocalNumThreads: p.Sim.NThreads})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(k.Config())
	if err != nil {
		t.Fatal(err)
	}
	var scripts [2]bytes.Buffer
	for _, b := range []brunel.Builder{k, plan} {
		if _, _, err := brunel.Build(b, p); err != nil {
			t.Fatal(err)
		}
	}
	opt := Options{Simulate: []float64{p.Sim.PreSimTime, p.Sim.SimTime}}
	if _, err := ExportKernel(&scripts[0], k, opt); err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Export(&scripts[1], opt); err != nil {
		t.Fatal(err)
	}
	if scripts[0].String() != scripts[1].String() {
		t.Errorf("kernel and plan export differently:\n%s", firstDiff(scripts[0].String(), scripts[1].String()))
	}
}

// TestExportTitleIsQuoted: a title cannot end the docstring early.
func TestExportTitleIsQuoted(t *testing.T) {
	py := python(t)
	k, err := astro.NewKernel(astro.KernelConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := ExportKernel(&buf, k, Options{Title: `a """ title \ with "quotes"`}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "t.py")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, py, "-m", "py_compile", p).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, buf.String())
	}
}
