package kernelext

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/astronb/astronb/astro"
)

type smallNodes struct {
	Neurons, SR astro.NodeCollection
	Note        string
}

// buildSmall is a small network with Poisson input and recurrent
// connections.
func buildSmall() (*astro.Kernel, smallNodes, error) {
	k, err := astro.NewKernel(astro.KernelConfig{RNGSeed: 5})
	if err != nil {
		return nil, smallNodes{}, err
	}
	n, _ := k.Create(astro.DefaultAeifCondAlphaAstro(), 20)
	pg, _ := k.Create(astro.PoissonGenerator{Rate: 12000}, 1)
	sr, _ := k.Create(astro.SpikeRecorder{}, 1)
	for _, err := range []error{
		k.Connect(pg, n, nil, astro.StaticSynapse{Weight: 2, Delay: 1}),
		k.Connect(n, n, astro.NewPairwiseBernoulli(0.3), astro.StaticSynapse{Weight: 0.5, Delay: 1.5}),
		k.Connect(n, sr, nil, nil),
	} {
		if err != nil {
			return nil, smallNodes{}, err
		}
	}
	return k, smallNodes{Neurons: n, SR: sr, Note: "small"}, nil
}

// buildSmallOther has other source text (a stale-build stand-in).
func buildSmallOther() (*astro.Kernel, smallNodes, error) {
	k, nodes, err := buildSmall()
	nodes.Note = "other"
	return k, nodes, err
}

func TestNotebookKernelContinues(t *testing.T) {
	dir := t.TempDir()
	key := map[string]any{"rate": 12000, "seed": 5}
	// The uninterrupted run.
	k, nodes, err := buildSmall()
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(100); err != nil {
		t.Fatal(err)
	}
	want, _ := k.SpikeEvents(nodes.SR)
	if len(want.Times) == 0 {
		t.Fatal("no spikes")
	}

	// Cell 1: built, simulated to 40.5 ms (inside a slice), kept.
	nk, err := OpenKernelIn(dir, key, buildSmall)
	if err != nil {
		t.Fatal(err)
	}
	if nk.Loaded || nk.Path == "" {
		t.Fatalf("first open: Loaded %v, Path %q", nk.Loaded, nk.Path)
	}
	if err := nk.Kernel.Simulate(40.5); err != nil {
		t.Fatal(err)
	}
	if err := nk.Keep(); err != nil {
		t.Fatal(err)
	}
	// Cell 2 (a new process): continues from the snapshot, twice (not kept).
	for range 2 {
		nk2, err := OpenKernelIn(dir, key, buildSmall)
		if err != nil {
			t.Fatal(err)
		}
		if !nk2.Loaded || nk2.Kernel.Time() != 40.5 || nk2.Nodes.Note != "small" || nk2.Nodes.SR.At(0) != nodes.SR.At(0) {
			t.Fatalf("second open: Loaded %v at %g ms, nodes %+v", nk2.Loaded, nk2.Kernel.Time(), nk2.Nodes)
		}
		if err := nk2.Kernel.Simulate(59.5); err != nil {
			t.Fatal(err)
		}
		got, _ := nk2.Kernel.SpikeEvents(nk2.Nodes.SR)
		if !slices.Equal(got.Senders, want.Senders) || !slices.Equal(got.Times, want.Times) {
			t.Fatalf("continued run: %d spikes, uninterrupted %d (or different)", len(got.Times), len(want.Times))
		}
	}
	// Another key or another build function: not this snapshot.
	for name, open := range map[string]func() (*NotebookKernel[smallNodes], error){
		"other key":   func() (*NotebookKernel[smallNodes], error) { return OpenKernelIn(dir, "other", buildSmall) },
		"other build": func() (*NotebookKernel[smallNodes], error) { return OpenKernelIn(dir, key, buildSmallOther) },
	} {
		nk3, err := open()
		if err != nil {
			t.Fatal(err)
		}
		if nk3.Loaded || nk3.Kernel.Time() != 0 {
			t.Errorf("%s: loaded a snapshot (t = %g ms)", name, nk3.Kernel.Time())
		}
	}
	// A damaged snapshot is an error, not a silent rebuild.
	data, _ := os.ReadFile(nk.Path)
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(nk.Path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = OpenKernelIn(dir, key, buildSmall)
	if !errors.Is(err, astro.ErrSnapshotCorrupt) || !strings.Contains(err.Error(), "DiscardKernel") {
		t.Errorf("damaged snapshot: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the folder, want 1 (no temporary files left)", len(ents))
	}
}

func TestNotebookKernelOff(t *testing.T) {
	nk, err := OpenKernelIn("", 1, buildSmall)
	if err != nil {
		t.Fatal(err)
	}
	if nk.Loaded || nk.Path != "" {
		t.Errorf("snapshots off: Loaded %v, Path %q", nk.Loaded, nk.Path)
	}
	if err := nk.Keep(); err != nil {
		t.Errorf("Keep with snapshots off: %v", err)
	}
	if _, err := OpenKernelIn[int]("", 1, nil); err == nil {
		t.Error("nil build: no error")
	}
	if _, err := OpenKernelIn(t.TempDir(), func() {}, buildSmall); err == nil {
		t.Error("a func as key: no error")
	}
}

func TestDiscardKernel(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	t.Setenv("GONB_TMP_DIR", "")
	t.Setenv(CacheDirEnv, dir)
	nk, err := OpenKernel("k", buildSmall)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(nk.Path) != filepath.Join(dir, "snapshots") {
		t.Errorf("snapshot path %s, want inside %s/snapshots", nk.Path, dir)
	}
	if err := nk.Keep(); err != nil {
		t.Fatal(err)
	}
	if nk, err = OpenKernel("k", buildSmall); err != nil || !nk.Loaded {
		t.Fatalf("reopen: %v, loaded %v", err, nk != nil && nk.Loaded)
	}
	if err := DiscardKernel("k", buildSmall); err != nil {
		t.Fatal(err)
	}
	if nk, err = OpenKernel("k", buildSmall); err != nil || nk.Loaded {
		t.Fatalf("after DiscardKernel: %v, loaded %v", err, nk != nil && nk.Loaded)
	}
	if err := DiscardKernel("k", buildSmall); err != nil {
		t.Errorf("discarding a missing snapshot: %v", err)
	}
}

func TestFuncIdentity(t *testing.T) {
	a, b := funcIdentity(buildSmall), funcIdentity(buildSmallOther)
	if a == b || a != funcIdentity(buildSmall) || strings.Contains(a, "unavailable") {
		t.Errorf("identities %q and %q", a, b)
	}
	lit := func() int { return 1 }
	lit2 := func() int { return 2 }
	if funcIdentity(lit) == funcIdentity(lit2) {
		t.Error("two literals with different source have the same identity")
	}
	f := runtime.FuncForPC(reflect.ValueOf(buildSmall).Pointer())
	file, line := f.FileLine(f.Entry())
	src, ok := funcSource(file, line)
	if !ok || !strings.HasPrefix(src, "func buildSmall() (") || !strings.HasSuffix(src, "}") {
		t.Errorf("source of buildSmall: %q", src)
	}
}

// TestOpenKernelKeyIsCanonical: OpenKernel identifies a kept kernel by the
// same canonical key encoding as Cached. A key JSON would have conflated
// (unexported fields, json:"-", 1 vs 1.0, []byte vs its base64 text) never
// continues another configuration's kernel: unexported state is refused
// with the field named, the rest are different keys.
func TestOpenKernelKeyIsCanonical(t *testing.T) {
	withDeadline(t, 60*time.Second, func() {
		dir := t.TempDir()
		type cfg struct{ scale, wA2N float64 }
		_, err := OpenKernelIn(dir, cfg{1, 2}, buildSmall)
		if err == nil || !strings.Contains(err.Error(), "wA2N") && !strings.Contains(err.Error(), "scale") ||
			!strings.Contains(err.Error(), "unexported") || !strings.Contains(err.Error(), "OpenKernel") {
			t.Errorf("key with unexported fields: %v", err)
		}
		if err := DiscardKernel(cfg{1, 2}, buildSmall); err == nil {
			t.Error("DiscardKernel accepted a key with unexported fields")
		}
		type tagged struct {
			Scale float64
			WA2N  float64 `json:"-"`
		}
		for _, pair := range [][2]any{
			{tagged{1, 2}, tagged{1, 3}},
			{[]any{1}, []any{1.0}},
			{[]byte("ab"), "YWI="},
			{map[string]any{"n": int32(5)}, map[string]any{"n": int64(5)}},
		} {
			nk, err := OpenKernelIn(dir, pair[0], buildSmall)
			if err != nil {
				t.Fatal(err)
			}
			if err := nk.Kernel.Simulate(1); err != nil {
				t.Fatal(err)
			}
			if err := nk.Keep(); err != nil {
				t.Fatal(err)
			}
			other, err := OpenKernelIn(dir, pair[1], buildSmall)
			if err != nil {
				t.Fatal(err)
			}
			if other.Loaded || other.Kernel.Time() != 0 {
				t.Errorf("key %#v continued the kernel kept for %#v (t = %g ms)", pair[1], pair[0], other.Kernel.Time())
			}
		}
	})
}

// keptFile keeps a small kernel at 3 ms under key in a new folder and
// returns the folder, the file's path and bytes and the offset where the
// astro snapshot starts (the records come before it).
func keptFile(t *testing.T, key any) (dir, path string, data []byte, astroAt int) {
	t.Helper()
	dir = t.TempDir()
	nk, err := OpenKernelIn(dir, key, buildSmall)
	if err != nil {
		t.Fatal(err)
	}
	if err := nk.Kernel.Simulate(3); err != nil {
		t.Fatal(err)
	}
	if err := nk.Keep(); err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(nk.Path)
	if err != nil {
		t.Fatal(err)
	}
	astroAt = strings.Index(string(data), "astronb-snapshot")
	if astroAt < 0 {
		t.Fatal("no astro snapshot in the kept file")
	}
	return dir, nk.Path, data, astroAt
}

// TestKeptRecordsChecksummed: every byte before the astro snapshot (the
// format line, the header and Nodes records) is checked. Changing any of
// them — one digit of a node ID included — is an error, never a kernel
// loaded with other Nodes.
func TestKeptRecordsChecksummed(t *testing.T) {
	withDeadline(t, 2*time.Minute, func() {
		key := "records"
		dir, path, data, astroAt := keptFile(t, key)
		step := 1
		if testing.Short() {
			step = 5 // each open parses this file (the build function's identity)
		}
		for i := 0; i < astroAt; i += step {
			for _, mask := range []byte{0x01, 0x80} {
				bad := slices.Clone(data)
				bad[i] ^= mask
				if err := os.WriteFile(path, bad, 0o644); err != nil {
					t.Fatal(err)
				}
				nk, err := OpenKernelIn(dir, key, buildSmall)
				if err == nil {
					t.Fatalf("byte %d ^ %#x of %d before the snapshot: loaded (Loaded %v, nodes %+v)", i, mask, astroAt, nk.Loaded, nk.Nodes)
				}
				if !strings.Contains(err.Error(), "DiscardKernel") {
					t.Fatalf("byte %d: error does not say how to recover: %v", i, err)
				}
			}
		}
	})
}

// TestKeptLengthsBounded: a kept file that claims a record of up to 4 GiB
// is refused without allocating it (lengths are checked against the bytes
// that remain), as is every truncation.
func TestKeptLengthsBounded(t *testing.T) {
	withDeadline(t, 2*time.Minute, func() {
		key := "lengths"
		dir, path, data, astroAt := keptFile(t, key)
		line := len(kernelFormat) + 1
		hdrLen := int(binary.LittleEndian.Uint32(data[line:]))
		for _, at := range []int{line, line + 4 + 32 + hdrLen} { // the header's and the nodes' length
			for _, claim := range []uint32{1 << 30, 1<<30 - 1, 1<<32 - 1, uint32(len(data))} {
				bad := slices.Clone(data[:min(len(data), 3<<10)])
				binary.LittleEndian.PutUint32(bad[at:], claim)
				if err := os.WriteFile(path, bad, 0o644); err != nil {
					t.Fatal(err)
				}
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				_, err := OpenKernelIn(dir, key, buildSmall)
				runtime.ReadMemStats(&after)
				if err == nil || !errors.Is(err, astro.ErrSnapshotTruncated) && !errors.Is(err, astro.ErrSnapshotCorrupt) {
					t.Errorf("record at %d claiming %d bytes: %v", at, claim, err)
				}
				if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
					t.Errorf("record at %d claiming %d bytes: %d MiB allocated", at, claim, got>>20)
				}
			}
		}
		for _, n := range []int{0, 5, line, line + 3, line + 40, astroAt - 1, astroAt, astroAt + 10, len(data) - 1} {
			if err := os.WriteFile(path, data[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			if nk, err := OpenKernelIn(dir, key, buildSmall); err == nil {
				t.Errorf("truncated to %d of %d bytes: loaded (t = %g ms)", n, len(data), nk.Kernel.Time())
			}
		}
	})
}

// TestBranchKeepByMistake: a trunk keeps the kernel at 5 ms; a branch
// continues to 12 ms and calls Keep by mistake. Keep says so and how to go
// back; the trunk's CheckTime explains what happened and how to recover;
// UndoKeep restores the trunk, which then continues bit for bit.
func TestBranchKeepByMistake(t *testing.T) {
	withDeadline(t, time.Minute, func() {
		t.Setenv("GONB_TMP_DIR", "")
		t.Setenv(CacheDirEnv, t.TempDir())
		var notes strings.Builder
		keepNotes = &notes
		defer func() { keepNotes = os.Stdout }()
		key := "trunk"
		trunk := func() *NotebookKernel[smallNodes] {
			nk, err := OpenKernel(key, buildSmall)
			if err != nil {
				t.Fatal(err)
			}
			if nk.Kernel.Time() < 5 {
				if err := nk.Kernel.Simulate(5 - nk.Kernel.Time()); err != nil {
					t.Fatal(err)
				}
				if err := nk.Keep(); err != nil {
					t.Fatal(err)
				}
			}
			return nk
		}
		if err := trunk().CheckTime(5); err != nil {
			t.Fatal(err)
		}
		if notes.Len() != 0 {
			t.Errorf("a first Keep printed %q", notes.String())
		}
		// The branch that keeps by mistake.
		br := trunk()
		if err := br.Kernel.Simulate(7); err != nil {
			t.Fatal(err)
		}
		if err := br.Keep(); err != nil {
			t.Fatal(err)
		}
		if n := notes.String(); !strings.Contains(n, "continue from 12 ms; the kernel kept before, at 5 ms") || !strings.Contains(n, "UndoKeep") {
			t.Errorf("Keep's note: %q", n)
		}
		// The trunk cell now finds 12 ms and says how to recover.
		err := trunk().CheckTime(5)
		if err == nil || !strings.Contains(err.Error(), "at 12 ms, not 5 ms") || !strings.Contains(err.Error(), "UndoKeep(key, build) goes back") ||
			!strings.Contains(err.Error(), "at 5 ms") {
			t.Fatalf("trunk after the branch kept: %v", err)
		}
		if err := UndoKeep(key, buildSmall); err != nil {
			t.Fatal(err)
		}
		nk := trunk()
		if err := nk.CheckTime(5); err != nil || !nk.Loaded {
			t.Fatalf("after UndoKeep: %v (loaded %v)", err, nk.Loaded)
		}
		// The restored trunk continues exactly like an uninterrupted run.
		k, nodes, err := buildSmall()
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Simulate(12); err != nil {
			t.Fatal(err)
		}
		want, _ := k.SpikeEvents(nodes.SR)
		if err := nk.Kernel.Simulate(7); err != nil {
			t.Fatal(err)
		}
		got, _ := nk.Kernel.SpikeEvents(nk.Nodes.SR)
		if !slices.Equal(got.Times, want.Times) || !slices.Equal(got.Senders, want.Senders) {
			t.Errorf("restored trunk: %d spikes, uninterrupted %d", len(got.Times), len(want.Times))
		}
		// Nothing more to undo: a clear error.
		if err := UndoKeep(key, buildSmall); err == nil || !strings.Contains(err.Error(), "DiscardKernel") {
			t.Errorf("second UndoKeep: %v", err)
		}
	})
}

// TestKeptNodesNameKernelNodes: a kept file whose Nodes name a node the
// kernel does not have (checksums made valid) is refused, not handed to
// the cell.
func TestKeptNodesNameKernelNodes(t *testing.T) {
	withDeadline(t, time.Minute, func() {
		dir, path, data, _ := keptFile(t, "ids")
		// The spike recorder is node 22 of 22; its ID in the Nodes record
		// is the JSON text "[22]".
		i := strings.LastIndex(string(data[:strings.Index(string(data), "astronb-snapshot")]), "[22]")
		if i < 0 {
			t.Fatal("no [22] in the records")
		}
		bad := bytes.Clone(data)
		copy(bad[i:], "[99]")
		if err := os.WriteFile(path, resum(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := OpenKernelIn(dir, "ids", buildSmall)
		if !errors.Is(err, astro.ErrSnapshotCorrupt) || !strings.Contains(err.Error(), "node ID 99") {
			t.Errorf("Nodes naming node 99 of 22: %v", err)
		}
	})
}
