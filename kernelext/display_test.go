package kernelext

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astronb/astronb/nbtools/markup"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// fakeFigure is a Figure with fixed contents and optional failures.
type fakeFigure struct {
	name     string
	png, svg []byte
	pngErr   error
	svgErr   error
}

func (f *fakeFigure) Name() string         { return f.name }
func (f *fakeFigure) PNG() ([]byte, error) { return f.png, f.pngErr }
func (f *fakeFigure) SVG() ([]byte, error) { return f.svg, f.svgErr }

func newFake(name string) *fakeFigure {
	return &fakeFigure{
		name: name,
		png:  []byte("\x89PNG\r\n\x1a\n" + name + "\x00\xff"),
		svg:  []byte(`<svg xmlns="http://www.w3.org/2000/svg"><title>` + name + `</title></svg>`),
	}
}

// captureStdout runs f with os.Stdout redirected and returns what it printed.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	return captureFile(t, &os.Stdout, f)
}

// captureFile runs f with *file (os.Stdout or os.Stderr) redirected to a
// pipe and returns what was written to it.
func captureFile(t *testing.T, file **os.File, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := *file
	*file = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	defer func() { *file = old }()
	f()
	*file = old
	w.Close()
	return <-done
}

func TestFiguresDir(t *testing.T) {
	t.Setenv(FiguresEnv, "")
	if got := FiguresDir(); got != "figures" {
		t.Errorf("FiguresDir() without env = %q, want figures", got)
	}
	t.Setenv(FiguresEnv, "/some/where")
	if got := FiguresDir(); got != "/some/where" {
		t.Errorf("FiguresDir() = %q, want /some/where", got)
	}
}

func TestDisplayWritesFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "figs") // not yet existing
	t.Setenv(FiguresEnv, dir)
	a, b := newFake("raster"), newFake("rates")
	var err error
	out := captureStdout(t, func() { err = Display(a, b) })
	if err != nil {
		t.Fatalf("Display: %v", err)
	}
	var want []string
	for _, f := range []*fakeFigure{a, b} {
		for _, c := range []struct {
			ext  string
			data []byte
		}{{".png", f.png}, {".svg", f.svg}} {
			p := filepath.Join(dir, f.name+c.ext)
			want = append(want, p)
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("reading %s: %v", p, err)
			}
			if !bytes.Equal(got, c.data) {
				t.Errorf("%s = %q, want %q", p, got, c.data)
			}
		}
	}
	if got := strings.Fields(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("printed paths = %q, want %q", got, want)
	}
	// Nothing but the four figures (no temp files left behind).
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("figures folder has %d entries, want 4: %v", len(entries), entries)
	}
	// Overwriting works.
	a.svg = []byte("<svg/>")
	captureStdout(t, func() { err = Display(a) })
	if got, _ := os.ReadFile(filepath.Join(dir, "raster.svg")); err != nil || string(got) != "<svg/>" {
		t.Errorf("after overwrite: err=%v svg=%q", err, got)
	}
}

func TestDisplayErrors(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(FiguresEnv, dir)
	boom := errors.New("boom")
	bad := newFake("bad")
	bad.svgErr = boom
	good := newFake("good")
	var err error
	captureStdout(t, func() { err = Display(bad, nil, newFake("../escape"), newFake(""), good) })
	if err == nil || !errors.Is(err, boom) {
		t.Fatalf("Display error = %v, want one wrapping boom", err)
	}
	for _, s := range []string{`"bad"`, "#1 is nil", "not a plain file name", "empty figure name"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	// The good figure is still written, the bad one not at all.
	if _, e := os.Stat(filepath.Join(dir, "good.png")); e != nil {
		t.Errorf("good figure not written: %v", e)
	}
	if _, e := os.Stat(filepath.Join(dir, "bad.png")); e == nil {
		t.Errorf("bad figure written although its SVG failed")
	}
	if _, e := os.Stat(filepath.Join(filepath.Dir(dir), "escape.png")); e == nil {
		t.Errorf("figure escaped its folder")
	}
	// No figures: nothing happens, no folder needed.
	t.Setenv(FiguresEnv, filepath.Join(dir, "never"))
	if err := Display(); err != nil {
		t.Errorf("Display() = %v", err)
	}
	if _, e := os.Stat(filepath.Join(dir, "never")); e == nil {
		t.Errorf("Display() created the folder")
	}
}

func TestDisplayNotebookBundle(t *testing.T) {
	var got []*protocol.DisplayData
	old := sendData
	sendData = func(d *protocol.DisplayData) { got = append(got, d) }
	defer func() { sendData = old }()
	syncedAfter := -1
	oldSync := syncNotebook
	syncNotebook = func() { syncedAfter = len(got) }
	defer func() { syncNotebook = oldSync }()

	a, b := newFake("a"), newFake("b")
	if err := displayNotebook([]Figure{a, b}, nil); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d messages, want one per figure", len(got))
	}
	if syncedAfter != 2 {
		t.Errorf("sync after %d messages, want after all 2 (figures of a short cell are lost otherwise)", syncedAfter)
	}
	for i, f := range []*fakeFigure{a, b} {
		d := got[i]
		if len(d.Data) != 2 || d.DisplayID != "" {
			t.Errorf("message %d: %+v, want exactly png+svg, no display id", i, d)
		}
		if png, ok := d.Data[protocol.MIMEImagePNG].([]byte); !ok || !bytes.Equal(png, f.png) {
			t.Errorf("message %d: image/png = %T %v", i, d.Data[protocol.MIMEImagePNG], d.Data[protocol.MIMEImagePNG])
		}
		if svg, ok := d.Data[protocol.MIMEImageSVG].(string); !ok || svg != string(f.svg) {
			t.Errorf("message %d: image/svg+xml = %T %v", i, d.Data[protocol.MIMEImageSVG], d.Data[protocol.MIMEImageSVG])
		}
	}
}

// A View's second Show updates the outputs of the first (same display ids)
// and empties those it no longer needs.
func TestViewShowsInPlace(t *testing.T) {
	var got []*protocol.DisplayData
	old := sendData
	sendData = func(d *protocol.DisplayData) { got = append(got, d) }
	defer func() { sendData = old }()
	oldSync := syncNotebook
	syncNotebook = func() {}
	defer func() { syncNotebook = oldSync }()

	v := NewView()
	if err := v.show([]Figure{newFake("a"), newFake("b")}); err != nil {
		t.Fatal(err)
	}
	if err := v.show([]Figure{newFake("c")}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d messages, want 2 + 1 figure + 1 emptied output", len(got))
	}
	if got[0].DisplayID == "" || got[0].DisplayID == got[1].DisplayID {
		t.Fatalf("display ids %q, %q: want two distinct ids", got[0].DisplayID, got[1].DisplayID)
	}
	if got[2].DisplayID != got[0].DisplayID || got[2].Metadata[markup.FigureMetadata] != "c" {
		t.Errorf("second Show: %+v, want figure c in the first output (%s)", got[2], got[0].DisplayID)
	}
	if got[3].DisplayID != got[1].DisplayID || got[3].Data[protocol.MIMETextPlain] != "" || len(got[3].Data) != 1 {
		t.Errorf("left-over output: %+v, want %s emptied", got[3], got[1].DisplayID)
	}
}
