package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astronb/astronb/nbtools/markup"
	"github.com/astronb/astronb/nbtools/nbfmt"
)

// tinyPNG returns a base64-encoded 2x2 PNG.
func tinyPNG(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

const tinySVG = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>
`

const doneHTML = `<div class="` + markup.ProgressClass + `"><nobr><b>Simulation</b> <progress max="100" value="100">100 %</progress> done, 100 %, wall time 1.2 s &middot; t = 10.0 / 10.0 ms</nobr></div>`

// nb builds an nbformat 4 notebook from cells.
func nb(cells ...map[string]any) map[string]any {
	return map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "gonb"}},
		"cells":    cells,
	}
}

func md(src string) map[string]any {
	return map[string]any{"cell_type": "markdown", "metadata": map[string]any{}, "source": src}
}

func code(count any, src string, outputs ...map[string]any) map[string]any {
	if outputs == nil {
		outputs = []map[string]any{}
	}
	return map[string]any{
		"cell_type": "code", "execution_count": count, "metadata": map[string]any{},
		"source": src, "outputs": outputs,
	}
}

func stream(text string) map[string]any {
	return map[string]any{"output_type": "stream", "name": "stdout", "text": text}
}

func display(data map[string]any) map[string]any {
	return map[string]any{"output_type": "display_data", "data": data, "metadata": map[string]any{}}
}

func errorOutput(ename, evalue string) map[string]any {
	return map[string]any{"output_type": "error", "ename": ename, "evalue": evalue,
		"traceback": []string{"\x1b[0;31mpanic: " + evalue + "\x1b[0m", "goroutine 1 [running]:"}}
}

// figure is an output with both renderings; the SVG is split into lines as
// Jupyter stores multiline strings.
func figure(t *testing.T) map[string]any {
	return display(map[string]any{
		"image/png":     tinyPNG(t),
		"image/svg+xml": strings.SplitAfter(tinySVG, "\n"),
		"text/plain":    "<Figure>",
	})
}

// goodNotebook is what a healthy execution of a small notebook looks like.
func goodNotebook(t *testing.T) map[string]any {
	return nb(
		md("# Title"),
		code(1, "!*go mod edit -replace=x=../"),
		code(2, "import \"fmt\""),
		code(nil, "  \n"), // empty cells are not executed by Jupyter front ends
		code(3, "%%\nfmt.Println(\"hi\")\nrun()", stream("hi\n"),
			display(map[string]any{"text/html": doneHTML}), figure(t), figure(t)),
	)
}

func write(t *testing.T, dir, name string, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runCheck runs nbcheck with args and returns its status, stdout and stderr.
func runCheck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	status := run(args, &out, &errb)
	t.Logf("nbcheck %s -> %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), status, out.String(), errb.String())
	return status, out.String(), errb.String()
}

func TestGoodNotebookPasses(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "good.ipynb", goodNotebook(t))
	other := write(t, dir, "other.ipynb", goodNotebook(t))
	status, out, _ := runCheck(t, "-images", "2", "-progress", "-compare", other, p)
	if status != 0 {
		t.Fatalf("status %d, want 0", status)
	}
	for _, want := range []string{"ok", "3/4 code cells executed", "2 figure(s)", "1 finished progress bar(s)", "output kinds match"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout %q lacks %q", out, want)
		}
	}
}

func TestErrorOutputFailsNamingTheCell(t *testing.T) {
	n := goodNotebook(t)
	cells := n["cells"].([]map[string]any)
	cells[2] = code(2, "%%\nboom()", stream("partial\n"), errorOutput("ERROR", "runtime error: index out of range"))
	p := write(t, t.TempDir(), "bad.ipynb", n)
	status, _, stderr := runCheck(t, p)
	if status != 1 {
		t.Fatalf("status %d, want 1", status)
	}
	for _, want := range []string{"FAIL", "cell 2/4 (index 2)", `"boom()"`, "error output", "index out of range", "goroutine 1"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if strings.Contains(stderr, "\x1b[") {
		t.Errorf("stderr keeps ANSI escapes: %q", stderr)
	}
}

func TestUnexecutedCellFails(t *testing.T) {
	n := goodNotebook(t)
	n["cells"].([]map[string]any)[2]["execution_count"] = nil
	p := write(t, t.TempDir(), "notrun.ipynb", n)
	status, _, stderr := runCheck(t, p)
	if status != 1 || !strings.Contains(stderr, "cell 2/4") || !strings.Contains(stderr, "not executed") {
		t.Fatalf("status %d, stderr %q: want a failure naming cell 2/4 as not executed", status, stderr)
	}
}

func TestMissingSVGFails(t *testing.T) {
	n := goodNotebook(t)
	cells := n["cells"].([]map[string]any)
	// Only one of the two figures keeps its SVG rendering.
	cells[4] = code(3, "%%\nrun()", display(map[string]any{"text/html": doneHTML}), figure(t),
		display(map[string]any{"image/png": tinyPNG(t)}))
	p := write(t, t.TempDir(), "nosvg.ipynb", n)
	if status, _, _ := runCheck(t, "-images", "1", p); status != 0 {
		t.Errorf("-images 1: status %d, want 0", status)
	}
	status, _, stderr := runCheck(t, "-images", "2", p)
	if status != 1 || !strings.Contains(stderr, "1 figure output(s) with both image/png and image/svg+xml, want at least 2") {
		t.Fatalf("-images 2: status %d, stderr %q", status, stderr)
	}
}

func TestBrokenImagesFail(t *testing.T) {
	n := goodNotebook(t)
	cells := n["cells"].([]map[string]any)
	cells[4] = code(3, "%%\nrun()",
		display(map[string]any{"image/png": base64.StdEncoding.EncodeToString([]byte("not a png")), "image/svg+xml": tinySVG}),
		display(map[string]any{"image/png": tinyPNG(t), "image/svg+xml": "<svg><g></svg>"}),
		display(map[string]any{"image/png": tinyPNG(t), "image/svg+xml": "<html></html>"}))
	p := write(t, t.TempDir(), "broken.ipynb", n)
	status, _, stderr := runCheck(t, p)
	if status != 1 {
		t.Fatalf("status %d, want 1", status)
	}
	for _, want := range []string{"output 1: image/png: decoding PNG", "output 2: image/svg+xml: invalid XML", "output 3: image/svg+xml: root element is <html>"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
}

func TestProgress(t *testing.T) {
	n := goodNotebook(t)
	cells := n["cells"].([]map[string]any)
	cells[4] = code(3, "%%\nrun()", figure(t),
		display(map[string]any{"text/html": strings.Split(`<div class="`+markup.ProgressClass+`">`+"\n"+`73 % &middot; t = 7.3 / 10.0 ms</div>`, "\n")}))
	p := write(t, t.TempDir(), "stuck.ipynb", n)
	if status, _, _ := runCheck(t, p); status != 0 {
		t.Errorf("without -progress: status %d, want 0", status)
	}
	status, _, stderr := runCheck(t, "-progress", p)
	if status != 1 || !strings.Contains(stderr, "not in its final state: 73 %") || !strings.Contains(stderr, "no finished progress bar") {
		t.Fatalf("-progress: status %d, stderr %q", status, stderr)
	}
}

func TestCompareMismatchFails(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "ours.ipynb", goodNotebook(t))

	// Same cells, but the last one has no figure and an extra stderr stream.
	n := goodNotebook(t)
	n["cells"].([]map[string]any)[4] = code(3, "%%\nrun()", stream("hi\n"),
		map[string]any{"output_type": "stream", "name": "stderr", "text": "warning\n"},
		display(map[string]any{"text/html": doneHTML}))
	other := write(t, dir, "theirs.ipynb", n)
	status, _, stderr := runCheck(t, "-compare", other, p)
	if status != 1 {
		t.Fatalf("status %d, want 1", status)
	}
	for _, want := range []string{"cell 4/4: output kinds differ", "display_data:image/svg+xml", "stream:stderr"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}

	// A different number of code cells.
	n = goodNotebook(t)
	n["cells"] = append(n["cells"].([]map[string]any), code(4, "fmt.Println()", stream("\n")))
	other = write(t, dir, "longer.ipynb", n)
	status, _, stderr = runCheck(t, "-compare", other, p)
	if status != 1 || !strings.Contains(stderr, "4 code cells, but 5 in") {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
}

func TestCompareIgnoresOrderAndRepetition(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "ours.ipynb", goodNotebook(t))
	n := goodNotebook(t)
	// Text after the images, and the two stream chunks not merged.
	n["cells"].([]map[string]any)[4] = code(7, "%%\nrun()", figure(t),
		display(map[string]any{"text/html": doneHTML}), figure(t), stream("h"), stream("i\n"))
	other := write(t, dir, "theirs.ipynb", n)
	if status, _, _ := runCheck(t, "-compare", other, p); status != 0 {
		t.Fatalf("status %d, want 0", status)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "good.ipynb", goodNotebook(t))
	for _, args := range [][]string{
		nil,
		{"-compare", p, p, p},
		{"-images", "x", p},
	} {
		if status, _, _ := runCheck(t, args...); status != 2 {
			t.Errorf("nbcheck %q: status %d, want 2", args, status)
		}
	}
	if status, _, stderr := runCheck(t, filepath.Join(dir, "missing.ipynb")); status != 1 || !strings.Contains(stderr, "missing.ipynb") {
		t.Errorf("missing file: status %d, stderr %q", status, stderr)
	}
	bad := filepath.Join(dir, "v3.ipynb")
	os.WriteFile(bad, []byte(`{"nbformat": 3, "worksheets": []}`), 0o644)
	if status, _, stderr := runCheck(t, bad); status != 1 || !strings.Contains(stderr, "nbformat 3") {
		t.Errorf("nbformat 3: status %d, stderr %q", status, stderr)
	}
}

// TestCommittedForm: -committed accepts a notebook exactly as nbfmt (i.e.
// Jupyter) writes it and rejects the same notebook in another JSON layout
// or with stale language_info, naming the first differing line and the fix.
func TestCommittedForm(t *testing.T) {
	dir := t.TempDir()
	raw := write(t, dir, "raw.ipynb", nb(md("# T"), code(nil, "x := 1")))
	data, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	canon, err := nbfmt.Format(data, nbfmt.Default())
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.ipynb")
	if err := os.WriteFile(good, canon, 0o644); err != nil {
		t.Fatal(err)
	}
	if status, out, _ := runCheck(t, "-committed", good); status != 0 || !strings.Contains(out, "ok") {
		t.Errorf("canonical notebook: status %d", status)
	}
	stale := filepath.Join(dir, "stale.ipynb")
	if err := os.WriteFile(stale, bytes.Replace(canon, []byte(`"mimetype": "text/x-go"`), []byte(`"mimetype": ""`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{raw, stale} {
		status, _, errOut := runCheck(t, "-committed", p)
		if status != 1 || !strings.Contains(errOut, "not in the form Jupyter saves it") || !strings.Contains(errOut, "nbtools/cmd/nbfmt "+p) {
			t.Errorf("%s: status %d, stderr %q", filepath.Base(p), status, errOut)
		}
	}
}
