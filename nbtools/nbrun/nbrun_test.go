package nbrun

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Unit tests of the pure parts; they need no kernel and run in -short mode.

func TestCodecRoundTrip(t *testing.T) {
	c := &codec{key: []byte("secret"), session: "sess"}
	m, err := c.newMessage("execute_request", map[string]any{"code": "1", "silent": false})
	if err != nil {
		t.Fatal(err)
	}
	m.Identities = [][]byte{[]byte("id1"), []byte("id2")}
	frames, err := c.encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 8 || string(frames[2]) != delimiter {
		t.Fatalf("frames: %q", frames)
	}
	// The signature is the hex HMAC-SHA256 of header, parent, metadata, content.
	mac := hmac.New(sha256.New, []byte("secret"))
	for _, f := range frames[4:] {
		mac.Write(f)
	}
	if got, want := string(frames[3]), hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
	if string(frames[5]) != "{}" || string(frames[6]) != "{}" {
		t.Errorf("parent/metadata frames = %s %s, want {} {}", frames[5], frames[6])
	}
	got, err := c.decode(frames)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != m.Header || got.Header.Version != "5.3" || got.Header.Session != "sess" {
		t.Errorf("header %+v, want %+v", got.Header, m.Header)
	}
	if len(got.Identities) != 2 || string(got.Identities[1]) != "id2" {
		t.Errorf("identities %q", got.Identities)
	}
	var content struct {
		Code   string `json:"code"`
		Silent *bool  `json:"silent"`
	}
	if err := json.Unmarshal(got.Content, &content); err != nil || content.Code != "1" || content.Silent == nil {
		t.Errorf("content %s (%v)", got.Content, err)
	}
}

func TestCodecRejects(t *testing.T) {
	c := &codec{key: []byte("secret")}
	m, _ := c.newMessage("status", map[string]any{"execution_state": "idle"})
	frames, _ := c.encode(m)

	tampered := append([][]byte(nil), frames...)
	tampered[len(tampered)-1] = []byte(`{"execution_state":"busy"}`)
	if _, err := c.decode(tampered); !errors.Is(err, errBadSignature) {
		t.Errorf("tampered content: err = %v, want errBadSignature", err)
	}
	other := &codec{key: []byte("other")}
	if _, err := other.decode(frames); !errors.Is(err, errBadSignature) {
		t.Errorf("wrong key: err = %v, want errBadSignature", err)
	}
	if _, err := c.decode(frames[1:]); err == nil {
		t.Error("missing delimiter accepted")
	}
	if _, err := c.decode(frames[:4]); err == nil {
		t.Error("truncated message accepted")
	}
	// Without a key, messages are neither signed nor checked.
	unsigned := &codec{}
	f2, _ := unsigned.encode(m)
	if len(f2[1]) != 0 {
		t.Errorf("unsigned signature frame %q", f2[1])
	}
	if _, err := unsigned.decode(tampered); err != nil {
		t.Errorf("unsigned decode: %v", err)
	}
}

func TestNewIDUnique(t *testing.T) {
	a, b := newID(), newID()
	if a == b || len(a) != 36 || strings.Count(a, "-") != 4 {
		t.Errorf("newID: %q %q", a, b)
	}
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// bounded fails the test if f takes longer than d (a hang fails instead of
// blocking the suite).
func bounded(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	// f runs on the test's goroutine (so it may call t.Fatal); a hang
	// ends the test binary with this message, as go test's -timeout
	// would, but after d.
	timer := time.AfterFunc(d, func() { panic(fmt.Sprintf("%s: did not finish within %v", t.Name(), d)) })
	defer timer.Stop()
	f()
}

func TestOutputsMerge(t *testing.T) {
	bounded(t, 10*time.Second, func() {
		var o outputs
		o.add(&Output{OutputType: "stream", Name: "stdout", Text: "a"})
		o.add(&Output{OutputType: "stream", Name: "stdout", Text: "a2"})
		o.add(&Output{OutputType: "display_data", Data: map[string]json.RawMessage{"text/html": raw(`"<b>1</b>"`)}, displayID: "p1"})
		o.add(&Output{OutputType: "stream", Name: "stderr", Text: "e1"})
		o.add(&Output{OutputType: "stream", Name: "stdout", Text: "b\n"})
		o.add(&Output{OutputType: "stream", Name: "stderr", Text: "e2"})
		o.add(&Output{OutputType: "stream", Name: "stderr", Text: "e3"})
		if !o.update("p1", map[string]json.RawMessage{"text/html": raw(`"<b>3</b>"`)}, nil) {
			t.Error("update found no display")
		}
		if o.update("nope", nil, nil) || o.update("", nil, nil) {
			t.Error("update matched an unknown display id")
		}
		// The kernel's order is kept; only adjacent chunks of one stream merge
		// (as Jupyter's output area does).
		want := []string{"stdout:aa2", "display", "stderr:e1", "stdout:b\n", "stderr:e2e3"}
		var got []string
		for _, out := range o.result() {
			if out.OutputType == "stream" {
				got = append(got, out.Name+":"+out.Text)
			} else {
				got = append(got, "display")
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("outputs %q, want %q", got, want)
		}
		if o.text("stdout") != "aa2b\n" || o.text("stderr") != "e1e2e3" {
			t.Errorf("streams: %q %q", o.text("stdout"), o.text("stderr"))
		}
		// Reading the text does not stop later chunks from merging.
		o.add(&Output{OutputType: "stream", Name: "stderr", Text: "e4"})
		if l := o.result(); len(l) != 5 || l[4].Text != "e2e3e4" {
			t.Errorf("after a read, chunk not merged: %+v", l)
		}
		if got := string(o.list[1].Data["text/html"]); got != `"<b>3</b>"` {
			t.Errorf("updated display = %s", got)
		}

		o.clear(true) // wait: cleared on the next output only.
		if len(o.result()) != 5 {
			t.Error("clear_output(wait) cleared at once")
		}
		o.add(&Output{OutputType: "stream", Name: "stdout", Text: "new"})
		if l := o.result(); len(l) != 1 || o.text("stdout") != "new" {
			t.Errorf("after clear(wait)+add: %+v", l)
		}
		o.clear(false)
		if len(o.result()) != 0 {
			t.Error("clear_output did not clear")
		}
	})
}

// 50 MB of stream output in 4 KiB chunks took minutes when every chunk
// re-concatenated the text; merging must be linear.
func TestOutputsMergeLinear(t *testing.T) {
	const total, chunk = 50 << 20, 4 << 10
	piece := strings.Repeat("x", chunk-1) + "\n"
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	done := make(chan []*Output)
	go func() {
		o := outputs{limit: 2 * total} // the limit is not what is tested here
		for i := 0; i < total/chunk; i++ {
			o.add(&Output{OutputType: "stream", Name: "stdout", Text: piece})
			if i%1000 == 0 { // a display now and then: the stream restarts.
				o.add(&Output{OutputType: "display_data", Data: map[string]json.RawMessage{"text/plain": raw(`"d"`)}})
			}
		}
		done <- o.result()
	}()
	var list []*Output
	select {
	case list = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("merging 50 MB of output did not finish within 20 s")
	}
	d := time.Since(start)
	runtime.ReadMemStats(&ms1)
	n := 0
	for _, o := range list {
		n += len(o.Text)
	}
	if n != total {
		t.Errorf("merged %d bytes, want %d", n, total)
	}
	alloc := ms1.TotalAlloc - ms0.TotalAlloc
	t.Logf("50 MB in %d chunks merged in %v, %d outputs, %.0f MB allocated", total/chunk, d, len(list), float64(alloc)/(1<<20))
	if alloc > 4*total {
		t.Errorf("merging 50 MB allocated %d MB, want < %d MB", alloc>>20, 4*total>>20)
	}
}

func TestParseNotebookRejectsMalformed(t *testing.T) {
	bounded(t, 10*time.Second, func() {
		for _, c := range []struct{ json, want string }{
			{`{"nbformat":4,"cells":[{"cell_type":"code","source":42}]}`, "cell 0 (index among all cells): source: 42, want a string or a list of strings"},
			{`{"nbformat":4,"cells":[{"cell_type":"code","source":["a",null]}]}`, "source: a list with null"},
			{`{"nbformat":4,"cells":[{"cell_type":"code","source":{"a":1}}]}`, "want a string or a list"},
			{`{"nbformat":4,"cells":[{"cell_type":"code"}]}`, "source: missing"},
			{`{"nbformat":4,"cells":[{"source":""}]}`, "cell_type is missing"},
			{`{"nbformat":4,"cells":[{"cell_type":"python","source":""}]}`, `cell_type "python"`},
			{`{"nbformat":4,"cells":[null]}`, "cell 0 (index among all cells) is null, want an object"},
			{`{"nbformat":4,"cells":[{"cell_type":"code","source":"","metadata":[]}]}`, "metadata is [], want an object"},
			{`{"nbformat":4,"cells":null}`, "cells is null, want a list"},
			{`{"nbformat":4}`, "cells is missing"},
			{`{"nbformat":4,"cells":[],"metadata":"x"}`, "metadata is \"x\""},
			{`{"nbformat":4,"nbformat_minor":-1,"cells":[]}`, "nbformat_minor is -1"},
			{`null`, "top level is null"},
			{`{"nbformat":3,"cells":[]}`, "nbformat 3"},
		} {
			_, err := parseNotebook([]byte(c.json))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: err = %v, want it to contain %q", c.json, err, c.want)
			}
		}
		nb, err := parseNotebook([]byte(`{"nbformat":4,"cells":[{"cell_type":"code","source":["a","b"]},{"cell_type":"raw","source":""}]}`))
		if err != nil || nb.source(0) != "ab" {
			t.Errorf("valid notebook: %v", err)
		}
	})
}

func TestCheckOutDirResolvesLinks(t *testing.T) {
	dir := t.TempDir()
	nbPath := writeNotebook(t, dir, "x.ipynb", "%%\nprintln(1)")
	src, _ := os.ReadFile(nbPath)
	nbDir := filepath.Dir(nbPath)
	link := filepath.Join(dir, "link-to-nb")
	if err := os.Symlink(nbDir, link); err != nil {
		t.Fatal(err)
	}
	fileLinks := filepath.Join(dir, "filelinks")
	if err := os.MkdirAll(fileLinks, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(nbPath, filepath.Join(fileLinks, "x.ipynb")); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{nbDir, link, filepath.Join(link, "."), fileLinks} {
		start := time.Now()
		// The kernel command does not exist: a run that got past the guard
		// would fail differently.
		_, err := Run(context.Background(), Options{Notebook: nbPath, OutDir: out, KernelCmd: []string{"/nonexistent/kernel"}})
		if err == nil || !strings.Contains(err.Error(), "overwrit") {
			t.Errorf("OutDir %s: err = %v, want a refusal to overwrite the notebook", out, err)
		}
		if err := CheckBatch([]string{nbPath}, out); err == nil {
			t.Errorf("CheckBatch accepted OutDir %s", out)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("refusal took %v", d)
		}
	}
	if now, _ := os.ReadFile(nbPath); !bytes.Equal(now, src) {
		t.Error("the source notebook was changed")
	}
	if err := CheckBatch([]string{nbPath}, filepath.Join(dir, "out")); err != nil {
		t.Errorf("a fresh output dir: %v", err)
	}
}

func TestCheckBatchDuplicateNames(t *testing.T) {
	bounded(t, 10*time.Second, func() {
		dir := t.TempDir()
		a := writeNotebook(t, filepath.Join(dir, "a"), "x.ipynb", "%%\nprintln(1)")
		b := writeNotebook(t, filepath.Join(dir, "b"), "x.ipynb", "%%\nprintln(2)")
		c := writeNotebook(t, filepath.Join(dir, "c"), "y.ipynb", "%%\nprintln(3)")
		out := filepath.Join(dir, "o")
		for _, nbs := range [][]string{{a, b}, {a, c, b}, {c, c}} {
			err := CheckBatch(nbs, out)
			if err == nil || !strings.Contains(err.Error(), "would both be written as") {
				t.Errorf("CheckBatch(%q) = %v, want a name clash", nbs, err)
			}
		}
		if err := CheckBatch([]string{a, c}, out); err != nil {
			t.Errorf("distinct names: %v", err)
		}
		if err := CheckBatch([]string{filepath.Join(dir, "missing.ipynb")}, out); err == nil {
			t.Error("missing notebook accepted")
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("CheckBatch created the output dir (%v)", err)
		}
	})
}

func TestToOutput(t *testing.T) {
	var c iopubContent
	if err := json.Unmarshal([]byte(`{"data":{"image/png":"iVBO"},"metadata":{},"transient":{"display_id":"d"},"execution_count":4}`), &c); err != nil {
		t.Fatal(err)
	}
	if o := toOutput("display_data", &c); o.displayID != "d" || string(o.Data["image/png"]) != `"iVBO"` {
		t.Errorf("display_data: %+v", o)
	}
	if o := toOutput("execute_result", &c); *o.ExecutionCount != 4 {
		t.Errorf("execute_result: %+v", o)
	}
	for _, typ := range []string{"status", "execute_input", "clear_output", "comm_open"} {
		if o := toOutput(typ, &c); o != nil {
			t.Errorf("%s produced an output", typ)
		}
	}
}

func TestOutputJSONShapes(t *testing.T) {
	four := 4
	for _, tc := range []struct {
		out  *Output
		want string
	}{
		{&Output{OutputType: "stream", Name: "stdout", Text: "hi\n"},
			`{"output_type":"stream","name":"stdout","text":"hi\n"}`},
		{&Output{OutputType: "display_data", Data: map[string]json.RawMessage{"text/plain": raw(`"x"`)}, displayID: "d"},
			`{"output_type":"display_data","data":{"text/plain":"x"},"metadata":{}}`},
		{&Output{OutputType: "execute_result", ExecutionCount: &four, Data: map[string]json.RawMessage{"text/plain": raw(`"x"`)}},
			`{"output_type":"execute_result","execution_count":4,"data":{"text/plain":"x"},"metadata":{}}`},
		{&Output{OutputType: "error", EName: "ERROR", EValue: "boom"},
			`{"output_type":"error","ename":"ERROR","evalue":"boom","traceback":[]}`},
	} {
		b, err := json.Marshal(tc.out)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("got  %s\nwant %s", b, tc.want)
		}
		var back Output
		if err := json.Unmarshal(b, &back); err != nil || back.OutputType != tc.out.OutputType {
			t.Errorf("round trip of %s: %+v %v", b, back, err)
		}
	}
	if _, err := json.Marshal(&Output{OutputType: "bogus"}); err == nil {
		t.Error("unknown output type marshalled")
	}
}

const testNotebook = `{
 "cells": [
  {"cell_type": "markdown", "metadata": {"tags": ["x"]}, "source": ["# T\n", "text"]},
  {"cell_type": "code", "metadata": {}, "execution_count": 7, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["old\n"]}], "source": ["%%\n", "fmt.Println(1)"]},
  {"cell_type": "raw", "metadata": {}, "source": "raw"}
 ],
 "metadata": {"custom": {"a": 1}},
 "nbformat": 4,
 "nbformat_minor": 5
}`

func TestNotebookRoundTrip(t *testing.T) {
	nb, err := parseNotebook([]byte(testNotebook))
	if err != nil {
		t.Fatal(err)
	}
	if nb.cellType(1) != "code" || nb.source(1) != "%%\nfmt.Println(1)" || nb.source(0) != "# T\ntext" {
		t.Errorf("cell parsing: %q %q", nb.cellType(1), nb.source(1))
	}
	one := 1
	if err := nb.setCodeResult(1, &one, []*Output{{OutputType: "stream", Name: "stdout", Text: "<1>\n"}}); err != nil {
		t.Fatal(err)
	}
	nb.setMetadata("language_info", raw(`{"name":"go"}`), false)
	nb.setMetadata("custom", raw(`"replaced"`), true)
	data, err := nb.encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"<1>\n"`)) {
		t.Errorf("HTML escaped or output missing:\n%s", data)
	}
	var back struct {
		Cells    []map[string]any `json:"cells"`
		Metadata map[string]any   `json:"metadata"`
		NBFormat int              `json:"nbformat"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Metadata["custom"] == "replaced" || back.Metadata["language_info"] == nil {
		t.Errorf("metadata: %v", back.Metadata)
	}
	for i, c := range back.Cells {
		if c["id"] == nil {
			t.Errorf("cell %d got no id (nbformat 4.5)", i)
		}
		_, hasOut := c["outputs"]
		if (c["cell_type"] == "code") != hasOut {
			t.Errorf("cell %d: outputs present = %v", i, hasOut)
		}
	}
	if !reflect.DeepEqual(back.Cells[0]["metadata"], map[string]any{"tags": []any{"x"}}) {
		t.Errorf("markdown metadata changed: %v", back.Cells[0]["metadata"])
	}
	if _, err := parseNotebook([]byte(`{"nbformat": 3, "cells": []}`)); err == nil {
		t.Error("nbformat 3 accepted")
	}
	if _, err := parseNotebook([]byte(`{`)); err == nil {
		t.Error("invalid JSON accepted")
	}
}

func TestOutputKinds(t *testing.T) {
	nb, _ := parseNotebook([]byte(testNotebook))
	_ = nb.setCodeResult(1, nil, []*Output{
		{OutputType: "stream", Name: "stdout", Text: "a"},
		{OutputType: "display_data", Data: map[string]json.RawMessage{"image/png": raw(`""`), "text/plain": raw(`""`)}},
		{OutputType: "stream", Name: "stdout", Text: "b"},
		{OutputType: "error", EName: "E"},
	})
	data, _ := nb.encode()
	p := filepath.Join(t.TempDir(), "k.ipynb")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	kinds, err := OutputKinds(p)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"display_data:image/png", "display_data:text/plain", "error", "stream:stdout"}}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("OutputKinds = %v, want %v", kinds, want)
	}
}

func TestWriteImages(t *testing.T) {
	dir := t.TempDir()
	pngData := []byte("\x89PNG\r\n\x1a\nfake")
	b64 := base64.StdEncoding.EncodeToString(pngData)
	pngJSON, _ := json.Marshal(b64[:8] + "\n" + b64[8:]) // line breaks are allowed.
	outs := []*Output{
		{OutputType: "stream", Name: "stdout", Text: "x"},
		{OutputType: "display_data", Data: map[string]json.RawMessage{"image/png": pngJSON, "text/plain": raw(`"fig"`)}},
		{OutputType: "display_data", Data: map[string]json.RawMessage{"image/svg+xml": raw(`["<svg>", "</svg>"]`), "image/png": pngJSON}},
		{OutputType: "display_data", Data: map[string]json.RawMessage{"text/html": raw(`"<b>"`)}},
	}
	paths, err := writeImages(dir, "nb", 7, outs, map[string]int{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	if want := []string{"nb_cell07_1.png", "nb_cell07_2.png", "nb_cell07_2.svg"}; !reflect.DeepEqual(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "nb_cell07_1.png")); !bytes.Equal(b, pngData) {
		t.Errorf("png content %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "nb_cell07_2.svg")); string(b) != "<svg></svg>" {
		t.Errorf("svg content %q", b)
	}
	if _, err := writeImages(dir, "bad", 1, []*Output{{OutputType: "display_data", Data: map[string]json.RawMessage{"image/png": raw(`"!!"`)}}}, map[string]int{}); err == nil {
		t.Error("invalid base64 accepted")
	}
}

func TestWriteImagesNamedFigures(t *testing.T) {
	dir := t.TempDir()
	pngJSON, _ := json.Marshal(base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nfake")))
	fig := func(md string) *Output {
		o := &Output{OutputType: "display_data", Data: map[string]json.RawMessage{"image/png": pngJSON, "image/svg+xml": raw(`"<svg/>"`)}}
		if md != "" {
			o.Metadata = map[string]json.RawMessage{FigureMetadata: raw(md)}
		}
		return o
	}
	used := map[string]int{}
	p1, err := writeImages(dir, "nb", 3, []*Output{fig(`"raster"`), fig(`"../evil"`)}, used)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := writeImages(dir, "nb", 5, []*Output{fig(`"raster"`)}, used)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range append(p1, p2...) {
		names = append(names, filepath.Base(p))
	}
	want := []string{"nb_raster.png", "nb_raster.svg", "nb_cell03_2.png", "nb_cell03_2.svg", "nb_raster_2.png", "nb_raster_2.svg"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
}

func TestBuildEnv(t *testing.T) {
	env := buildEnv(
		[]string{"HOME=/h", "PATH=/usr/bin"},
		[]string{"/tools", "/go/bin"},
		map[string]string{"PATH": "/spec:${PATH}", "X": "$HOME/x"},
		[]string{"HOME=/other"},
	)
	want := []string{"HOME=/other", "PATH=/spec:/tools:/go/bin:/usr/bin", "X=/h/x"}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("buildEnv = %q, want %q", env, want)
	}
}

func TestCellErrorMessage(t *testing.T) {
	e := &CellError{
		Notebook: "dir/a.ipynb", Cell: 3, NumCells: 5, EName: "ERROR", EValue: "\x1b[31mboom\x1b[0m",
		Traceback: []string{"Cell[3]: Line 2", "x := y"}, Stderr: "panic: boom\n",
	}
	msg := e.Error()
	for _, w := range []string{"a.ipynb: cell 3/5 failed: ERROR: boom", "Cell[3]: Line 2", "stderr:\npanic: boom"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message lacks %q:\n%s", w, msg)
		}
	}
	if strings.Contains(msg, "\x1b") {
		t.Errorf("ANSI escapes kept: %q", msg)
	}
	to := (&CellError{Notebook: "a.ipynb", Cell: 1, NumCells: 1, Timeout: 3 * time.Second}).Error()
	if to != "a.ipynb: cell 1/1 timed out after 3s" {
		t.Errorf("timeout message %q", to)
	}
	cause := errors.New("kernel died")
	if err := (&CellError{Err: cause}); !errors.Is(err, cause) {
		t.Error("Unwrap")
	}
}

func TestFirstLine(t *testing.T) {
	if got := CellTitle("\n%%\n  fmt.Println(1)\n"); got != "fmt.Println(1)" {
		t.Errorf("firstLine = %q", got)
	}
	if got := CellTitle(strings.Repeat("é", 70)); len([]rune(got)) != 61 {
		t.Errorf("not shortened: %q", got)
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.ipynb")
	if err := os.WriteFile(p, []byte(testNotebook), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string]Options{
		"no out dir":       {Notebook: p},
		"out is nb dir":    {Notebook: p, OutDir: dir, KernelCmd: []string{"true"}},
		"no kernel":        {Notebook: p, OutDir: filepath.Join(dir, "out")},
		"missing notebook": {Notebook: filepath.Join(dir, "nope.ipynb"), OutDir: filepath.Join(dir, "out"), KernelCmd: []string{"true"}},
	} {
		if _, err := Run(t.Context(), opts); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRunKernelExitsEarly(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "nb", "a.ipynb")
	_ = os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(testNotebook), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(t.Context(), Options{
		Notebook: p, OutDir: filepath.Join(dir, "out"),
		KernelCmd: []string{"sh", "-c", "echo kernel-says-no >&2; exit 3"},
	})
	if err == nil || !strings.Contains(err.Error(), "kernel-says-no") {
		t.Errorf("err = %v, want the kernel's output quoted", err)
	}
}

// A malformed cell stops the run before the kernel starts (it was skipped
// in silence and the run reported success).
func TestRunRejectsMalformedCell(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nb", "bad.ipynb")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	bad := `{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[` +
		`{"cell_type":"code","id":"a","metadata":{},"execution_count":null,"outputs":[],"source":"%%\nprintln(1)"},` +
		`{"cell_type":"code","id":"b","metadata":{},"execution_count":null,"outputs":[],"source":{"not":"a string"}}]}`
	if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// A kernel command that would fail differently if it were started.
	res, err := Run(t.Context(), Options{Notebook: p, OutDir: filepath.Join(dir, "out"), KernelCmd: []string{"/nonexistent/kernel"}})
	if err == nil || !strings.Contains(err.Error(), "cell 1 (index among all cells): source:") || res != nil {
		t.Errorf("Run = %v, %v; want the malformed source of cell index 1 named", res, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusal took %v", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "bad.ipynb")); err == nil {
		t.Error("an executed notebook was written")
	}
}

// TestOutputsBounded: a cell that prints 256 MiB (in 32 KiB chunks, as
// GoNB sends a program's stdout) keeps at most the cell's limit (16 MiB by
// default) and ends with a marker saying what was dropped; memory stays
// bounded. Huge displays and display updates are bounded alike.
func TestOutputsBounded(t *testing.T) {
	bounded(t, time.Minute, func() {
		const limit = 16 << 20
		chunk := strings.Repeat("x", 32<<10-1) + "\n"
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := &outputs{}
		for range 256 << 20 / len(chunk) {
			c.add(&Output{OutputType: "stream", Name: "stdout", Text: chunk})
		}
		big := raw(`"` + strings.Repeat("A", 4<<20) + `"`)
		for range 16 {
			c.add(&Output{OutputType: "display_data", Data: map[string]json.RawMessage{"image/png": big}, displayID: "d"})
		}
		for range 16 {
			c.update("d", map[string]json.RawMessage{"image/png": big, "text/plain": big}, nil)
		}
		outs := c.result()
		runtime.GC()
		runtime.ReadMemStats(&after)
		kept := 0
		for _, o := range outs {
			kept += len(o.Text)
			for _, v := range o.Data {
				kept += len(v)
			}
		}
		if kept > limit+1<<10 {
			t.Errorf("kept %d bytes of output, limit %d", kept, limit)
		}
		if held := int64(after.HeapInuse) - int64(before.HeapInuse); held > 64<<20 {
			t.Errorf("%d MiB held after 256 MiB of output", held>>20)
		}
		last := outs[len(outs)-1]
		if last.OutputType != "stream" || last.Name != "stderr" || !strings.Contains(last.Text, "output limit of 16777216 bytes") ||
			!strings.Contains(last.Text, "dropped") {
			t.Errorf("no marker at the end: %+v", last)
		}
		// Many tiny outputs and one-byte chunks are bounded by memory too.
		c.clear(false)
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range 1 << 21 {
			if i%2 == 0 {
				c.add(&Output{OutputType: "display_data", Data: map[string]json.RawMessage{"text/plain": raw(`"."`)}})
			}
			c.add(&Output{OutputType: "stream", Name: "stdout", Text: "."})
		}
		outs = c.result()
		runtime.GC()
		runtime.ReadMemStats(&after)
		if held := int64(after.HeapInuse) - int64(before.HeapInuse); held > 64<<20 || len(outs) > limit/512+1 {
			t.Errorf("2^21 tiny outputs: %d kept, %d MiB held", len(outs), held>>20)
		}
		// clear_output starts the count afresh.
		c.clear(false)
		c.add(&Output{OutputType: "stream", Name: "stdout", Text: "after clear\n"})
		if outs := c.result(); len(outs) != 1 || outs[0].Text != "after clear\n" {
			t.Errorf("after clear_output: %+v", outs)
		}
	})
}
