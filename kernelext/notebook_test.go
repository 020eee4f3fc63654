//go:build unix

package kernelext

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/nbtools/markup"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// fakeKernel plays GoNB's side of the named pipes $GONB_PIPE and
// $GONB_PIPE_BACK: it decodes every protocol.DisplayData the cell program
// sends, acknowledges gonbui.Sync requests, and hands everything else over
// on msgs.
type fakeKernel struct {
	msgs  chan *protocol.DisplayData
	syncs chan int
}

var (
	fakeKernelOnce sync.Once
	theFakeKernel  *fakeKernel
	fakeKernelDir  string
	fakeKernelErr  error
)

// TestMain removes the fake kernel's pipes after all tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if fakeKernelDir != "" {
		_ = os.RemoveAll(fakeKernelDir)
	}
	os.Exit(code)
}

// getFakeKernel starts the fake kernel once per process: gonbui opens its
// pipes on first use and keeps them for the life of the process, so every
// test (and every -count repetition) must talk to the same kernel.
func getFakeKernel(t *testing.T) *fakeKernel {
	t.Helper()
	fakeKernelOnce.Do(func() {
		fakeKernelDir, fakeKernelErr = os.MkdirTemp("", "kernelext_fakekernel")
		if fakeKernelErr != nil {
			return
		}
		pipe, back := filepath.Join(fakeKernelDir, "pipe"), filepath.Join(fakeKernelDir, "back")
		for _, p := range []string{pipe, back} {
			if fakeKernelErr = syscall.Mkfifo(p, 0o600); fakeKernelErr != nil {
				return
			}
		}
		os.Setenv(protocol.GONB_PIPE_ENV, pipe)
		os.Setenv(protocol.GONB_PIPE_BACK_ENV, back)
		k := &fakeKernel{msgs: make(chan *protocol.DisplayData, 100), syncs: make(chan int, 100)}
		theFakeKernel = k
		go k.serve(pipe, back)
	})
	if fakeKernelErr != nil {
		t.Skipf("cannot set up named pipes: %v", fakeKernelErr)
	}
	// Drop leftovers of an earlier (failed) run.
	for {
		select {
		case <-theFakeKernel.msgs:
		case <-theFakeKernel.syncs:
		default:
			return theFakeKernel
		}
	}
}

func (k *fakeKernel) serve(pipe, back string) {
	// Same order as gonbui.Open: its writer end first, then its reader.
	r, err := os.OpenFile(pipe, os.O_RDONLY, 0)
	if err != nil {
		return
	}
	defer r.Close()
	w, err := os.OpenFile(back, os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer w.Close()
	dec, enc := gob.NewDecoder(r), gob.NewEncoder(w)
	for {
		d := &protocol.DisplayData{}
		if err := dec.Decode(d); err != nil {
			return
		}
		if cv, ok := d.Data[protocol.MIMECommValue].(protocol.CommValue); ok && cv.Address == protocol.GonbuiSyncAddress {
			id, _ := cv.Value.(int)
			k.syncs <- id
			if err := enc.Encode(&protocol.CommValue{Address: protocol.GonbuiSyncAckAddress, Value: id}); err != nil {
				return
			}
			continue
		}
		k.msgs <- d
	}
}

// within runs f and fails the test if it does not return in time (a broken
// pipe handshake blocks forever).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: timed out", what)
	}
}

func (k *fakeKernel) next(t *testing.T) *protocol.DisplayData {
	t.Helper()
	select {
	case d := <-k.msgs:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no display data received")
		return nil
	}
}

// TestNotebookThroughGonbuiPipes runs Display and the progress bar against
// the real gonbui package talking to a fake kernel over named pipes.
func TestNotebookThroughGonbuiPipes(t *testing.T) {
	k := getFakeKernel(t)
	gonbui.IsNotebook = true
	defer func() { gonbui.IsNotebook = false }()

	// Display: one message per figure, both MIME types.
	a, b := newFake("raster"), newFake("rates")
	t.Setenv(FiguresEnv, t.TempDir())
	var err error
	within(t, "Display", func() { err = Display(a, b) })
	if err != nil {
		t.Fatalf("Display: %v", err)
	}
	for _, f := range []*fakeFigure{a, b} {
		d := k.next(t)
		png, ok := d.Data[protocol.MIMEImagePNG].([]byte)
		if !ok || !bytes.Equal(png, f.png) {
			t.Errorf("%s: image/png = %T %q", f.name, d.Data[protocol.MIMEImagePNG], d.Data[protocol.MIMEImagePNG])
		}
		if svg, _ := d.Data[protocol.MIMEImageSVG].(string); svg != string(f.svg) {
			t.Errorf("%s: image/svg+xml = %q", f.name, svg)
		}
		if name, _ := d.Metadata[markup.FigureMetadata].(string); name != f.name {
			t.Errorf("%s: metadata names the figure %q", f.name, name)
		}
		// What the kernel then puts on the wire: JSON, where []byte becomes
		// the base64 string Jupyter requires for image/png.
		j, _ := json.Marshal(map[string]any{"image/png": png})
		var wire map[string]string
		if err := json.Unmarshal(j, &wire); err != nil {
			t.Fatal(err)
		}
		if dec, err := base64.StdEncoding.DecodeString(wire["image/png"]); err != nil || !bytes.Equal(dec, f.png) {
			t.Errorf("PNG does not JSON-encode as base64: %s", j)
		}
	}
	if entries, _ := os.ReadDir(os.Getenv(FiguresEnv)); len(entries) != 0 {
		t.Errorf("Display in a notebook wrote files: %v", entries)
	}

	// Progress: HTML updates with a display id, Sync at Done. The clock
	// stands still, so the second report is always within the rate limit.
	frozen := time.Now()
	newProgressClock = func() time.Time { return frozen }
	defer func() { newProgressClock = nil }()
	report := NewProgress("brunel")
	within(t, "progress", func() {
		report(astro.Progress{EndMs: 100, NowMs: 1, Elapsed: time.Millisecond})
		report(astro.Progress{EndMs: 100, NowMs: 2, Elapsed: 2 * time.Millisecond}) // rate-limited away
		report(astro.Progress{EndMs: 100, NowMs: 100, Elapsed: 1500 * time.Millisecond, Done: true})
	})
	first, last := k.next(t), k.next(t)
	if first.DisplayID == "" || first.DisplayID != last.DisplayID || !strings.HasPrefix(first.DisplayID, "astronb_progress_") {
		t.Errorf("display ids %q, %q", first.DisplayID, last.DisplayID)
	}
	if h, _ := first.Data[protocol.MIMETextHTML].(string); !strings.Contains(h, "1 %") {
		t.Errorf("first update: %q", h)
	}
	if h, _ := last.Data[protocol.MIMETextHTML].(string); !strings.Contains(h, "done, 100 %, wall time 1.5 s") {
		t.Errorf("final update: %q", h)
	}
	if txt, _ := last.Data[protocol.MIMETextPlain].(string); !strings.Contains(txt, "[100 %]") || !strings.Contains(txt, "done in 1.5 s") {
		t.Errorf("final update's text/plain: %q", txt)
	}
	select {
	case <-k.syncs:
	default:
		t.Error("no Sync at Done")
	}
	select {
	case d := <-k.msgs:
		t.Errorf("unexpected extra message %+v", d)
	default:
	}
	if err := gonbui.Error(); err != nil {
		t.Errorf("gonbui error: %v", err)
	}
}
