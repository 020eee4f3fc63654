package nbrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests start a real GoNB kernel built by `make tools`.

// gonbSetup returns Options to run a GoNB kernel from the repository's
// .build/bin, or skips the test.
func gonbSetup(t *testing.T) Options {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping GoNB kernel test in -short mode")
	}
	bin, err := filepath.Abs("../../.build/bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"gonb", "goimports"} {
		if _, err := os.Stat(filepath.Join(bin, tool)); err != nil {
			t.Skipf("skipping: %s not found; run `make tools` first", filepath.Join(bin, tool))
		}
	}
	path := []string{bin}
	if goBin, err := exec.LookPath("go"); err == nil {
		path = append(path, filepath.Dir(goBin))
	}
	return Options{
		KernelCmd:   GonbCommand(filepath.Join(bin, "gonb")),
		Path:        path,
		CellTimeout: 2 * time.Minute, // cold Go caches make first cells slow.
		Timeout:     5 * time.Minute,
		Log:         testLog{t},
	}
}

// testLog sends progress lines to t.Log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// writeNotebook writes an nbformat 4.5 notebook with a markdown cell
// followed by one code cell per source into dir/nb/name and returns its path.
// The notebook lives in a subfolder so that OutDir can be dir/out.
func writeNotebook(t *testing.T, dir, name string, sources ...string) string {
	t.Helper()
	cells := []map[string]any{{
		"cell_type": "markdown", "id": "intro", "metadata": map[string]any{}, "source": "# " + name,
	}}
	for i, src := range sources {
		cells = append(cells, map[string]any{
			"cell_type": "code", "id": "code" + string(rune('a'+i)), "metadata": map[string]any{},
			"execution_count": nil, "outputs": []any{}, "source": src,
		})
	}
	data, err := json.MarshalIndent(map[string]any{
		"cells": cells, "metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5,
	}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "nb", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readExecuted parses an executed notebook strictly: valid JSON, nbformat 4,
// code cells with outputs and execution_count, markdown cells without.
func readExecuted(t *testing.T, path string) []map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells         []map[string]json.RawMessage `json:"cells"`
		Metadata      map[string]json.RawMessage   `json:"metadata"`
		NBFormat      int                          `json:"nbformat"`
		NBFormatMinor *int                         `json:"nbformat_minor"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&nb); err != nil {
		t.Fatalf("executed notebook is not valid JSON: %v", err)
	}
	if nb.NBFormat != 4 || nb.NBFormatMinor == nil || nb.Metadata == nil {
		t.Fatalf("executed notebook: nbformat=%d minor=%v metadata=%v", nb.NBFormat, nb.NBFormatMinor, nb.Metadata)
	}
	for i, c := range nb.Cells {
		var typ string
		_ = json.Unmarshal(c["cell_type"], &typ)
		_, hasOut := c["outputs"]
		_, hasCount := c["execution_count"]
		if _, ok := c["id"]; !ok {
			t.Errorf("cell %d has no id", i)
		}
		if typ == "code" != (hasOut && hasCount) || (typ != "code" && (hasOut || hasCount)) {
			t.Errorf("cell %d (%s): outputs present=%v execution_count present=%v", i, typ, hasOut, hasCount)
		}
	}
	return nb.Cells
}

// cellOutputs decodes the outputs of cell i.
func cellOutputs(t *testing.T, cells []map[string]json.RawMessage, i int) []*Output {
	t.Helper()
	var outs []*Output
	if err := json.Unmarshal(cells[i]["outputs"], &outs); err != nil {
		t.Fatalf("cell %d outputs: %v", i, err)
	}
	return outs
}

// assertKernelGone checks that no process of the kernel's group survives.
func assertKernelGone(t *testing.T, res *Result) {
	t.Helper()
	if res == nil || res.KernelPID == 0 {
		t.Fatal("no kernel pid in result")
	}
	if err := syscall.Kill(-res.KernelPID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kernel process group %d still alive after Run (kill 0: %v)", res.KernelPID, err)
	}
}

const pinGonb = "!*go get github.com/janpfeifer/gonb@v0.11.4"

// kernelSpecDir is the kernelspec installed by `make tools`.
const kernelSpecDir = "../../.build/jupyter/kernels/gonb"

func TestRunPassing(t *testing.T) {
	opts := gonbSetup(t)
	if _, err := os.Stat(filepath.Join(kernelSpecDir, "kernel.json")); err == nil {
		// Use the kernelspec alone: its env must put goimports and go on PATH.
		t.Logf("using kernelspec %s", kernelSpecDir)
		opts.KernelCmd, opts.Path, opts.KernelSpecDir = nil, nil, kernelSpecDir
	}
	dir := t.TempDir()
	opts.Notebook = writeNotebook(t, dir, "pass.ipynb",
		"import \"fmt\"\n\n%%\nfmt.Println(\"hello\")\nfmt.Println(\"world\")",
		"%%\nfmt.Println(6 * 7)",
	)
	opts.OutDir = filepath.Join(dir, "out")
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	assertKernelGone(t, res)
	t.Logf("kernel start %v, run %v", res.KernelStart, res.Duration)
	if want := filepath.Join(opts.OutDir, "pass.ipynb"); res.Executed != want {
		t.Errorf("Executed = %q, want %q", res.Executed, want)
	}
	cells := readExecuted(t, res.Executed)
	for i, want := range map[int]string{1: "hello\nworld\n", 2: "42\n"} {
		outs := cellOutputs(t, cells, i)
		if len(outs) != 1 || outs[0].OutputType != "stream" || outs[0].Name != "stdout" || outs[0].Text != want {
			t.Errorf("cell %d outputs = %+v, want one stdout stream %q", i, outs, want)
		}
		var count int
		if err := json.Unmarshal(cells[i]["execution_count"], &count); err != nil || count != i {
			t.Errorf("cell %d execution_count = %s, want %d", i, cells[i]["execution_count"], i)
		}
	}
	if string(cells[0]["source"]) != `"# pass.ipynb"` {
		t.Errorf("markdown source changed: %s", cells[0]["source"])
	}
}

// runFailing runs a notebook whose last cell fails and checks the error
// names that cell and contains every string of want.
func runFailing(t *testing.T, opts Options, name string, sources []string, want ...string) *CellError {
	t.Helper()
	dir := t.TempDir()
	opts.Notebook = writeNotebook(t, dir, name, sources...)
	opts.OutDir = filepath.Join(dir, "out")
	start := time.Now()
	res, err := Run(context.Background(), opts)
	t.Logf("Run took %v; error:\n%v", time.Since(start), err)
	var ce *CellError
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v, want a *CellError", err)
	}
	n := len(sources)
	if ce.Cell != n || ce.NumCells != n || ce.Index != n {
		t.Errorf("CellError cell %d/%d index %d, want %d/%d index %d", ce.Cell, ce.NumCells, ce.Index, n, n, n)
	}
	msg := err.Error()
	want = append(want, name, "cell "+string(rune('0'+n))+"/")
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error message does not contain %q:\n%s", w, msg)
		}
	}
	assertKernelGone(t, res)
	// The partial notebook is written with the failing cell's outputs.
	if res.Executed == "" {
		t.Fatal("no partial notebook written")
	}
	readExecuted(t, res.Executed)
	return ce
}

func TestRunCompileError(t *testing.T) {
	ce := runFailing(t, gonbSetup(t), "compile.ipynb",
		[]string{"%%\nprintln(\"ok\")", "%%\nx := undefinedThing + 1"},
		"undefinedThing")
	if ce.EValue == "" && len(ce.Traceback) == 0 {
		t.Errorf("no kernel error text in %+v", ce)
	}
}

func TestRunPanic(t *testing.T) {
	runFailing(t, gonbSetup(t), "panic.ipynb",
		[]string{"%%\npanic(\"boom-from-cell\")"},
		"boom-from-cell")
}

func TestRunCellTimeout(t *testing.T) {
	opts := gonbSetup(t)
	opts.CellTimeout = 3 * time.Second
	start := time.Now()
	ce := runFailing(t, opts, "timeout.ipynb",
		[]string{"import \"time\"\n\n%%\ntime.Sleep(60 * time.Second)"},
		"timed out")
	if ce.Timeout != opts.CellTimeout {
		t.Errorf("CellError.Timeout = %v, want %v", ce.Timeout, opts.CellTimeout)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("timeout run took %v", d)
	}
}

func TestRunProgressUpdates(t *testing.T) {
	opts := gonbSetup(t)
	dir := t.TempDir()
	opts.Notebook = writeNotebook(t, dir, "progress.ipynb", pinGonb,
		`import (
	"fmt"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

%%
id := "progress_" + gonbui.UniqueId()
for i := 1; i <= 5; i++ {
	gonbui.UpdateHTML(id, fmt.Sprintf("<b>step %d of 5</b>", i))
	time.Sleep(20 * time.Millisecond)
}
gonbui.Sync()
fmt.Println("done")`)
	opts.OutDir = filepath.Join(dir, "out")
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	cells := readExecuted(t, res.Executed)
	var displays []*Output
	for _, o := range cellOutputs(t, cells, 2) {
		if o.OutputType == "display_data" {
			displays = append(displays, o)
		}
	}
	if len(displays) != 1 {
		t.Fatalf("got %d display_data outputs, want exactly 1: %+v", len(displays), displays)
	}
	if html := Multiline(displays[0].Data["text/html"]); !strings.Contains(html, "step 5 of 5") {
		t.Errorf("display shows %q, want the last update", html)
	}
}

func TestRunImages(t *testing.T) {
	opts := gonbSetup(t)
	dir := t.TempDir()
	opts.Notebook = writeNotebook(t, dir, "images.ipynb", pinGonb,
		`import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

%%
img := image.NewRGBA(image.Rect(0, 0, 4, 3))
img.Set(1, 1, color.RGBA{R: 255, A: 255})
var buf bytes.Buffer
if err := png.Encode(&buf, img); err != nil {
	panic(err)
}
gonbui.DisplayPng(buf.Bytes())
svg := "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><circle cx=\"5\" cy=\"5\" r=\"4\"/></svg>"
gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{protocol.MIMEImageSVG: svg}})
gonbui.Sync()`)
	opts.OutDir = filepath.Join(dir, "out")
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	cells := readExecuted(t, res.Executed)
	kinds := map[string]bool{}
	for _, o := range cellOutputs(t, cells, 2) {
		for _, k := range o.Kinds() {
			kinds[k] = true
		}
	}
	for _, k := range []string{"display_data:image/png", "display_data:image/svg+xml"} {
		if !kinds[k] {
			t.Errorf("missing output kind %s; got %v", k, kinds)
		}
	}
	if len(res.Images) != 2 {
		t.Fatalf("images written: %v, want 2", res.Images)
	}
	var sawPNG, sawSVG bool
	for _, p := range res.Images {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(filepath.Base(p), "images_cell02_") {
			t.Errorf("image file name %s, want images_cell02_N.ext", p)
		}
		switch filepath.Ext(p) {
		case ".png":
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if img.Bounds() != image.Rect(0, 0, 4, 3) || color.RGBAModel.Convert(img.At(1, 1)) != (color.RGBA{R: 255, A: 255}) {
				t.Errorf("%s: unexpected image content", p)
			}
			sawPNG = true
		case ".svg":
			if !strings.Contains(string(data), "<circle") {
				t.Errorf("%s: %q", p, data)
			}
			sawSVG = true
		}
	}
	if !sawPNG || !sawSVG {
		t.Errorf("want one .png and one .svg, got %v", res.Images)
	}
}

// imagesNotebook has text, PNG, SVG, a live-updated HTML display and
// markdown outputs. Every cell that displays ends with gonbui.Sync(): GoNB
// closes its display pipe when the cell's program exits, so data it has not
// read by then is dropped — with any runner, nbconvert included.
var imagesNotebook = []string{pinGonb, `import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

%%
fmt.Println("before")
fmt.Fprintln(os.Stderr, "to stderr")
var buf bytes.Buffer
_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)))
gonbui.DisplayPng(buf.Bytes())
gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
	protocol.MIMEImageSVG: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>"}})
id := "progress_" + gonbui.UniqueId()
for i := 1; i <= 3; i++ {
	gonbui.UpdateHTML(id, fmt.Sprintf("<b>%d</b>", i))
}
gonbui.Sync()
fmt.Println("after")`, "%%\ngonbui.DisplayMarkdown(\"**done**\")\ngonbui.Sync()"}

// TestCrossCheckNbconvert executes the same notebook with this runner and
// with `jupyter nbconvert --execute` (if installed, e.g. Debian's
// jupyter-nbconvert) on the kernelspec from `make tools`, and compares the
// output kinds per cell.
func TestCrossCheckNbconvert(t *testing.T) {
	opts := gonbSetup(t)
	if _, err := os.Stat(filepath.Join(kernelSpecDir, "kernel.json")); err != nil {
		t.Skipf("skipping: no kernelspec in %s; run `make tools`", kernelSpecDir)
	}
	if err := exec.Command("jupyter", "nbconvert", "--version").Run(); err != nil {
		t.Skipf("skipping: jupyter nbconvert not available (%v); apt-get install jupyter-nbconvert", err)
	}
	dir := t.TempDir()
	nbPath := writeNotebook(t, dir, "cross.ipynb", imagesNotebook...)
	opts.Notebook, opts.OutDir = nbPath, filepath.Join(dir, "ours")
	opts.KernelCmd, opts.Path, opts.KernelSpecDir = nil, nil, kernelSpecDir
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}

	jupyterData, err := filepath.Abs("../../.build/jupyter")
	if err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(dir, "nbconvert")
	cmd := exec.Command("jupyter", "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.kernel_name=gonb", "--ExecutePreprocessor.timeout=120",
		"--output-dir="+theirs, nbPath)
	cmd.Env = append(os.Environ(), "JUPYTER_DATA_DIR="+jupyterData)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nbconvert: %v\n%s", err, out)
	}
	t.Logf("nbrun %v, nbconvert %v", res.Duration, time.Since(start))

	ours, err := OutputKinds(res.Executed)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := OutputKinds(filepath.Join(theirs, "cross.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ours, ref) {
		t.Errorf("output kinds differ:\nnbrun:     %q\nnbconvert: %q", ours, ref)
	}
	if len(ours) != 3 || !slices.Contains(ours[1], "display_data:image/svg+xml") {
		t.Errorf("unexpected kinds %q", ours)
	}
}

// orderNotebook prints, shows a live-updated display, prints to stdout and
// stderr and shows another display, with pauses so that GoNB forwards each
// before the next (stdout and displays travel on different pipes).
var orderNotebook = []string{pinGonb, `import (
	"fmt"
	"os"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

%%
pause := func() { time.Sleep(500 * time.Millisecond) }
fmt.Println("Running simulation")
pause()
id := "progress_" + gonbui.UniqueId()
gonbui.UpdateHTML(id, "<b>0 %</b>")
gonbui.Sync()
pause()
fmt.Println("one")
fmt.Println("two")
pause()
fmt.Fprintln(os.Stderr, "warning")
pause()
gonbui.UpdateHTML(id, "<b>100 %</b>")
gonbui.DisplayHTML("<i>second</i>")
gonbui.Sync()
pause()
fmt.Println("done")`}

// TestOutputOrderMatchesNbconvert runs orderNotebook with this runner and
// with jupyter nbconvert --execute (Debian's) and compares each cell's
// sequence of outputs: the kernel's order is kept, and only adjacent chunks
// of one stream are merged.
func TestOutputOrderMatchesNbconvert(t *testing.T) {
	opts := gonbSetup(t)
	if _, err := os.Stat(filepath.Join(kernelSpecDir, "kernel.json")); err != nil {
		t.Skipf("skipping: no kernelspec in %s; run `make tools`", kernelSpecDir)
	}
	if err := exec.Command("jupyter", "nbconvert", "--version").Run(); err != nil {
		t.Skipf("skipping: jupyter nbconvert not available (%v); apt-get install jupyter-nbconvert", err)
	}
	dir := t.TempDir()
	nbPath := writeNotebook(t, dir, "order.ipynb", orderNotebook...)
	opts.Notebook, opts.OutDir = nbPath, filepath.Join(dir, "ours")
	opts.KernelCmd, opts.Path, opts.KernelSpecDir = nil, nil, kernelSpecDir
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	jupyterData, err := filepath.Abs("../../.build/jupyter")
	if err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(dir, "nbconvert")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "jupyter", "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.kernel_name=gonb", "--ExecutePreprocessor.timeout=120",
		"--output-dir="+theirs, nbPath)
	cmd.Env = append(os.Environ(), "JUPYTER_DATA_DIR="+jupyterData)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nbconvert: %v\n%s", err, out)
	}

	want := []string{"stream:stdout", "display_data:text/html", "stream:stdout", "stream:stderr",
		"display_data:text/html", "stream:stdout"}
	ours, err := OutputSequence(res.Executed)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := OutputSequence(filepath.Join(theirs, "order.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("nbrun:     %q\nnbconvert: %q", ours, ref)
	if !reflect.DeepEqual(ours, ref) {
		t.Errorf("output order differs:\nnbrun:     %q\nnbconvert: %q", ours, ref)
	}
	if len(ours) != 2 || !slices.Equal(ours[1], want) {
		t.Errorf("nbrun order %q, want %q", ours, want)
	}
	// Adjacent chunks are merged into one output; the live display shows
	// its last state.
	outs := cellOutputs(t, readExecuted(t, res.Executed), 2)
	if len(outs) != len(want) {
		t.Fatalf("%d outputs, want %d (adjacent stream chunks merged)", len(outs), len(want))
	}
	if outs[2].Text != "one\ntwo\n" || outs[5].Text != "done\n" {
		t.Errorf("stream texts %q, %q", outs[2].Text, outs[5].Text)
	}
	if h := Multiline(outs[1].Data["text/html"]); !strings.Contains(h, "100 %") {
		t.Errorf("live display shows %q, want its last update", h)
	}
}

// TestRunEndlessPrintBounded: a cell that prints without end runs into its
// timeout with the runner's memory bounded (its output beyond the limit
// dropped), and the executed notebook is written with the kept output and
// the marker.
func TestRunEndlessPrintBounded(t *testing.T) {
	opts := gonbSetup(t)
	opts.CellTimeout = 15 * time.Second
	opts.MaxCellOutput = 1 << 20
	dir := t.TempDir()
	opts.Notebook = writeNotebook(t, dir, "endless.ipynb", "import \"fmt\"\n\n%%\nfor i := 0; ; i++ {\n\tfmt.Println(i, \"0123456789012345678901234567890123456789\")\n}")
	opts.OutDir = filepath.Join(dir, "out")
	res, err := Run(context.Background(), opts)
	var ce *CellError
	if !errors.As(err, &ce) || ce.Timeout == 0 {
		t.Fatalf("Run: %v, want the cell's timeout", err)
	}
	assertKernelGone(t, res)
	st, err := os.Stat(res.Executed)
	if err != nil {
		t.Fatalf("no executed notebook: %v", err)
	}
	if st.Size() > 2<<20 {
		t.Errorf("executed notebook is %d bytes, want < 2 MiB", st.Size())
	}
	outs := cellOutputs(t, readExecuted(t, res.Executed), 1)
	if len(outs) == 0 || !strings.Contains(outs[len(outs)-1].Text, "output limit of 1048576 bytes") {
		t.Errorf("no marker in the executed notebook's outputs: %d outputs", len(outs))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("heap in use after the run: %d MiB; notebook %d bytes", ms.HeapInuse>>20, st.Size())
}

// TestRunStdinRefusedAtOnce: a cell that reads standard input — plainly
// (no input_request reaches the runner), or a shell command after
// %with_inputs (GoNB sends an input_request) — fails at once with an error that says why, shown in
// the executed notebook, instead of hanging until the cell timeout.
func TestRunStdinRefusedAtOnce(t *testing.T) {
	opts := gonbSetup(t)
	opts.CellTimeout = time.Minute
	for name, c := range map[string]struct{ src, want string }{
		"plain read":  {"import (\n\t\"bufio\"\n\t\"fmt\"\n\t\"os\"\n)\n\n%%\ns, err := bufio.NewReader(os.Stdin).ReadString('\\n')\nfmt.Printf(\"read %q %v\\n\", s, err)", "waiting for standard input"},
		"with_inputs": {"%with_inputs\n!read x && echo \"read $x\"", "asked for input"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			o := opts
			o.Notebook = writeNotebook(t, dir, "stdin.ipynb", "%%\nprintln(\"warm\")", c.src)
			o.OutDir = filepath.Join(dir, "out")
			res, err := Run(context.Background(), o)
			var ce *CellError
			if !errors.As(err, &ce) || ce.Cell != 2 || ce.Timeout != 0 || ce.EName != "StdinNotImplementedError" ||
				!strings.Contains(ce.EValue, c.want) || !strings.Contains(ce.EValue, "allow_stdin: false") {
				t.Fatalf("Run: %v", err)
			}
			assertKernelGone(t, res)
			if d := res.Cells[1].Duration; d > 20*time.Second {
				t.Errorf("the stdin cell took %v to fail", d)
			}
			outs := cellOutputs(t, readExecuted(t, res.Executed), 2)
			if len(outs) == 0 || outs[len(outs)-1].EName != "StdinNotImplementedError" {
				t.Errorf("no error output in the executed notebook: %+v", outs)
			}
		})
	}
}

// TestRunOwnPipeIsNotStdin: a cell that feeds a program of its own through
// a pipe, slowly (the program waits on that pipe for seconds), is not
// taken for a cell reading standard input.
func TestRunOwnPipeIsNotStdin(t *testing.T) {
	opts := gonbSetup(t)
	dir := t.TempDir()
	opts.Notebook = writeNotebook(t, dir, "pipe.ipynb", `import (
	"fmt"
	"os/exec"
	"time"
)

%%
cmd := exec.Command("cat")
in, _ := cmd.StdinPipe()
out := &strings.Builder{}
cmd.Stdout = out
if err := cmd.Start(); err != nil {
	panic(err)
}
time.Sleep(2 * time.Second)
fmt.Fprintln(in, "fed late")
in.Close()
if err := cmd.Wait(); err != nil {
	panic(err)
}
fmt.Print("cat: ", out.String())`)
	opts.OutDir = filepath.Join(dir, "out")
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	outs := cellOutputs(t, readExecuted(t, res.Executed), 1)
	if len(outs) == 0 || !strings.Contains(outs[0].Text, "cat: fed late") {
		t.Errorf("outputs %+v", outs)
	}
}
