package nestio

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/models/lrode"
)

// Hostile export input: strings, times and values that used to reach the
// script as they were — a data path that ended the docstring and ran code
// before `import nest`, invalid UTF-8 and NUL bytes that made the script
// fail py_compile, Simulate times off the grid or beyond the time range,
// NaN parameters.

// pyChecker compiles scripts with py_compile and reports, from Python's
// own parser, the module's top-level statements before `import nest` and
// its TITLE, DATA_PATH and LABELS. One python3 process serves all checks
// of a test process (scripts are passed as file names on its stdin).
type pyChecker struct {
	mu  sync.Mutex
	in  io.WriteCloser
	out *bufio.Reader
	err error
}

const pyCheckSource = `
import ast, json, py_compile, sys
for line in sys.stdin:
    path = line.rstrip("\n")
    res = {}
    try:
        py_compile.compile(path, doraise=True)
        tree = ast.parse(open(path, "rb").read())
        before = []
        for st in tree.body:
            if isinstance(st, ast.Import) and any(a.name == "nest" for a in st.names):
                break
            before.append(type(st).__name__)
        res["before"] = before
        res["doc"] = ast.get_docstring(tree) or ""
        for st in tree.body:
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name) \
                    and st.targets[0].id in ("TITLE", "DATA_PATH", "LABELS"):
                res[st.targets[0].id] = ast.literal_eval(st.value)
    except Exception as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
    print(json.dumps(res), flush=True)
`

var (
	checkerOnce sync.Once
	checker     *pyChecker
)

func pyCheck(t testing.TB) *pyChecker {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	checkerOnce.Do(func() {
		cmd := exec.Command(py, "-c", pyCheckSource)
		c := &pyChecker{}
		c.in, c.err = cmd.StdinPipe()
		var out io.ReadCloser
		if c.err == nil {
			out, c.err = cmd.StdoutPipe()
		}
		if c.err == nil {
			c.out = bufio.NewReaderSize(out, 1<<20)
			c.err = cmd.Start()
		}
		checker = c // the process ends when the test process closes its stdin
	})
	if checker.err != nil {
		t.Fatal(checker.err)
	}
	return checker
}

// pyResult is what the checker reports of one script.
type pyResult struct {
	Error    string
	Before   []string
	Doc      string
	Title    string         `json:"TITLE"`
	DataPath string         `json:"DATA_PATH"`
	Labels   map[string]int `json:"LABELS"`
}

func (c *pyChecker) check(t testing.TB, script []byte) pyResult {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	p := filepath.Join(t.TempDir(), "script.py")
	if err := os.WriteFile(p, script, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintln(c.in, p); err != nil {
		t.Fatal(err)
	}
	line, err := c.out.ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	var r pyResult
	if err := json.Unmarshal(line, &r); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	return r
}

// hostileKernel is a small network with recorders.
func hostileKernel(t testing.TB, res float64) (*astro.Kernel, astro.NodeCollection, astro.NodeCollection) {
	k, sr, mm, err := buildHostile(res)
	if err != nil {
		t.Fatal(err)
	}
	return k, sr, mm
}

// buildHostile builds hostileKernel's network at resolution res (ms).
func buildHostile(res float64) (k *astro.Kernel, sr, mm astro.NodeCollection, err error) {
	if k, err = astro.NewKernel(astro.KernelConfig{Resolution: res}); err != nil {
		return
	}
	var n astro.NodeCollection
	if n, err = k.Create(astro.DefaultAeifCondAlphaAstro(), 2); err != nil {
		return
	}
	if sr, err = k.Create(astro.SpikeRecorder{}, 1); err != nil {
		return
	}
	if mm, err = k.Create(astro.Multimeter{Interval: 10 * res, RecordFrom: []string{"V_m"}}, 1); err != nil {
		return
	}
	if err = k.Connect(n, sr, nil, nil); err != nil {
		return
	}
	err = k.Connect(mm, n, nil, nil)
	return
}

// checkScript: the script compiles, nothing but the docstring and imports
// comes before `import nest`, the strings come back exactly, and the
// docstring is the one the script has without them: no option's text is
// spliced into it. export writes the script for other options.
func checkScript(t testing.TB, script []byte, opt Options, export func(Options) []byte) {
	t.Helper()
	r := pyCheck(t).check(t, script)
	if r.Error != "" {
		t.Fatalf("the script does not compile: %s\n%s", r.Error, script)
	}
	for i, st := range r.Before {
		if (i == 0 && st != "Expr") || (i > 0 && st != "Import") {
			t.Fatalf("statements before `import nest`: %v\n%s", r.Before, script)
		}
	}
	title := opt.Title
	if title == "" {
		title = "A network built with astronb"
	}
	dp := opt.DataPath
	if dp == "" {
		dp = "nest_output"
	}
	if r.Title != title || r.DataPath != dp {
		t.Fatalf("TITLE %q, DATA_PATH %q; want %q, %q", r.Title, r.DataPath, title, dp)
	}
	plain := opt
	plain.Title, plain.DataPath = "", ""
	if base := pyCheck(t).check(t, export(plain)); r.Doc != base.Doc {
		t.Fatalf("the docstring depends on the title or data path:\n%s\nwithout them:\n%s", r.Doc, base.Doc)
	}
	for id, l := range opt.Labels {
		if r.Labels[l] != id {
			t.Fatalf("LABELS %v: want %q: %d", r.Labels, l, id)
		}
	}
}

// exportOK exports k with opt and fails the test on an error.
func exportOK(t testing.TB, k *astro.Kernel, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := ExportKernel(&buf, k, opt); err != nil {
		t.Fatalf("%+v: %v", opt, err)
	}
	return buf.Bytes()
}

// Case 5: the data path ended the docstring and its next lines ran before
// `import nest`; the title could too with a quote at its end.
func TestExportInjection(t *testing.T) {
	k, sr, _ := hostileKernel(t, 0.1)
	for _, opt := range []Options{
		{DataPath: "x\"\"\"\nimport os; os.system(\"touch /tmp/astronb-pwned\")\n\"\"\""},
		{DataPath: `out" + __import__("os").getcwd() + "`},
		{DataPath: "a\\\nb'''c\r\n\t\u2028\u0085end\\"},
		{Title: `ends with a quote"`},
		{Title: "\"\"\"\nprint('run')\n#"},
		{Title: `\N{BULLET} \x41 \u0041 {braces} %s`, DataPath: `C:\new\table`},
		{Title: "ünïcödé ✓ 𝄞 and \x7f\x01 controls", Labels: map[int]string{sr.First(): "sr.1"}},
	} {
		checkScript(t, exportOK(t, k, opt), opt, func(o Options) []byte { return exportOK(t, k, o) })
	}
}

// Case 5: strings Python would refuse or read differently are refused with
// an error naming the field; so are times the kernel refuses, and values
// the kernel's own checks refuse.
func TestExportRefusals(t *testing.T) {
	k, sr, mm := hostileKernel(t, 0.05)
	cases := []struct {
		opt  Options
		want []string
	}{
		{Options{Title: "bad \xff byte"}, []string{"Options.Title", "UTF-8", "byte 4"}},
		{Options{Title: "nul \x00 byte"}, []string{"Options.Title", "NUL"}},
		{Options{DataPath: "out\x00/x"}, []string{"Options.DataPath", "NUL"}},
		{Options{DataPath: "\xc3("}, []string{"Options.DataPath", "UTF-8"}},
		{Options{Labels: map[int]string{sr.First(): "l\xff"}}, []string{"Options.Labels", "UTF-8"}},
		{Options{Labels: map[int]string{mm.First(): "a\"b"}}, []string{"label", "letters"}},
		{Options{Simulate: []float64{0.03}}, []string{"Options.Simulate[0]", "multiple of the resolution 0.05"}},
		{Options{Simulate: []float64{10, 1e300}}, []string{"Options.Simulate[1]", "time range"}},
		{Options{Simulate: []float64{4e15, 4e15}}, []string{"Options.Simulate[1]", "beyond the time range"}},
		{Options{Simulate: []float64{-1}}, []string{"Options.Simulate[0]", "≥ 0"}},
		{Options{Simulate: []float64{math.NaN()}}, []string{"Options.Simulate[0]", "finite"}},
		{Options{Simulate: []float64{math.Inf(1)}}, []string{"Options.Simulate[0]", "finite"}},
		{Options{TotalVPs: -4}, []string{"TotalVPs"}},
		{Options{TotalVPs: 1 << 40}, []string{"TotalVPs", "2147483647"}},
		{Options{Threads: 5000}, []string{"Threads", "1024"}},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		_, err := ExportKernel(&buf, k, c.opt)
		if err == nil {
			t.Errorf("%+v: no error", c.opt)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not mention %q", c.opt, err, w)
			}
		}
		if buf.Len() != 0 {
			t.Errorf("%+v: %d bytes written with the error", c.opt, buf.Len())
		}
	}
	// What the kernel accepts is exported: 0.05 ms steps, a long total.
	opt := Options{Simulate: []float64{0.05, 0, 1e6}}
	checkScript(t, exportOK(t, k, opt), opt, func(o Options) []byte { return exportOK(t, k, o) })
}

// Case 5: calls built by hand (not by a kernel) carrying values the kernel
// refuses, or strings that would not reach Python unchanged.
func TestExportHostileCalls(t *testing.T) {
	cfg := astro.KernelConfig{Resolution: 0.1}
	nan := math.NaN()
	aeif := astro.DefaultAeifCondAlphaAstro()
	aeifNaN := aeif
	aeifNaN.CM = nan
	create := func(m astro.Model, first, n int) astro.Call {
		ids := make([]int, n)
		for i := range ids {
			ids[i] = first + i
		}
		return astro.Call{Op: astro.OpCreate, Model: m, N: n, Nodes: astro.NodeIDs(ids...)}
	}
	two := []astro.Call{create(aeif, 1, 2)}
	conn := func(s astro.Synapse, r astro.ConnRule) astro.Call {
		return astro.Call{Op: astro.OpConnect, Pre: astro.NodeIDs(1), Post: astro.NodeIDs(2), Rule: r, Syn: s}
	}
	cases := []struct {
		name  string
		cfg   astro.KernelConfig
		calls []astro.Call
		want  []string
	}{
		{"NaN parameter", cfg, []astro.Call{create(aeifNaN, 1, 1)}, []string{"C_m"}},
		{"NaN rate", cfg, []astro.Call{create(astro.PoissonGenerator{Rate: nan}, 1, 1)}, []string{"rate"}},
		{"Inf spike time", cfg, []astro.Call{create(astro.SpikeGenerator{SpikeTimes: []float64{math.Inf(1)}}, 1, 1)}, []string{"spike"}},
		{"record_from invalid UTF-8", cfg, []astro.Call{create(astro.Multimeter{Interval: 1, RecordFrom: []string{"V_m", "\xfe"}}, 1, 1)}, []string{"record_from[1]", "UTF-8"}},
		{"record_from NUL", cfg, []astro.Call{create(astro.Multimeter{Interval: 1, RecordFrom: []string{"V\x00"}}, 1, 1)}, []string{"record_from[0]", "NUL"}},
		{"NaN weight", cfg, append(two, conn(astro.StaticSynapse{Weight: nan, Delay: 1}, astro.AllToAll{})), []string{"weight"}},
		{"off-grid delay", cfg, append(two, conn(astro.StaticSynapse{Weight: 1, Delay: 0.15}, astro.AllToAll{})), []string{"delay"}},
		{"NaN p", cfg, append(two, conn(nil, astro.PairwiseBernoulli{P: nan})), []string{"p = NaN"}},
		{"pool type", cfg, append(append(two, create(astro.DefaultAstrocyteLR1994(), 3, 1)), astro.Call{Op: astro.OpTripartiteConnect,
			Pre: astro.NodeIDs(1), Post: astro.NodeIDs(2), Third: astro.NodeIDs(3),
			Tripartite: astro.TripartiteBernoulliWithPool{PPrimary: 1, PoolType: "random\"\n"}}), []string{"pool_type"}},
		{"SetStatus NaN", cfg, append(two, astro.Call{Op: astro.OpSetStatus, Nodes: astro.NodeIDs(1), Params: astro.Dict{"V_m": nan}}), []string{"V_m"}},
		{"SetStatus string", cfg, append(two, astro.Call{Op: astro.OpSetStatus, Nodes: astro.NodeIDs(1), Params: astro.Dict{"V_m\xff": 1.0}}), []string{"UTF-8"}},
		{"simulate off grid", cfg, append(two, astro.Call{Op: astro.OpSimulate, Time: 0.25}), []string{"call 2 (Simulate)", "multiple of the resolution"}},
		{"NaN resolution", astro.KernelConfig{Resolution: nan}, two, []string{"kernel settings", "resolution"}},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		_, err := Export(&buf, c.cfg, c.calls, Options{})
		if err == nil {
			t.Errorf("%s: no error; the script:\n%s", c.name, buf.String())
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
}

// A model defined outside astro (an ODEModel) carries its own names into
// the export: its NEST name and variable names reach the script as string
// literals, its variable stem must be an identifier, and invalid UTF-8 or
// NUL in any of them is refused naming it.
func TestExportHostileModelNames(t *testing.T) {
	export := func(m astro.ODEModel) ([]byte, error) {
		k, err := astro.NewKernel(astro.KernelConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Create(m, 2); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		_, err = ExportKernel(&buf, k, Options{})
		return buf.Bytes(), err
	}
	m := lrode.Model()
	m.Name = "lr_copy"
	nm := *m.NESTExport
	nm.Model = "astro\"cyte\n\\lr"
	m.NESTExport = &nm
	script, err := export(m)
	if err != nil {
		t.Fatal(err)
	}
	checkScript(t, script, Options{}, func(Options) []byte { b, _ := export(m); return b })
	if !bytes.Contains(script, []byte(`nest.Create("astro\"cyte\n\\lr", 2,`)) {
		t.Errorf("the NEST model name is not a string literal:\n%s", script)
	}
	for _, c := range []struct {
		stem, model string
		want        []string
	}{
		{"x = 1\nimport os\ny", "astrocyte_lr_1994", []string{"stem", "Python identifier"}},
		{"2x", "astrocyte_lr_1994", []string{"stem"}},
		{"astro", "astrocyte\xff", []string{"UTF-8"}},
		{"astro", "astro\x00", []string{"NUL"}},
	} {
		nm := *m.NESTExport
		nm.Stem, nm.Model = c.stem, c.model
		m.NESTExport = &nm
		_, err := export(m)
		if err == nil {
			t.Errorf("stem %q, model %q: no error", c.stem, c.model)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("stem %q, model %q: %v does not mention %q", c.stem, c.model, err, w)
			}
		}
	}
}
