package astro

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// recordings is everything a test compares: spikes and every trace.
type recordings struct {
	spikes SpikeEvents
	mms    []MultimeterEvents
}

func record(t *testing.T, k *Kernel, sr NodeCollection, mms ...NodeCollection) recordings {
	t.Helper()
	r := recordings{spikes: mustSR(t, k, sr)}
	for _, mm := range mms {
		r.mms = append(r.mms, mustMM(t, k, mm))
	}
	return r
}

func bitsEqual(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// sameRecordings reports the first difference, or "".
func sameRecordings(got, want recordings) string {
	if !slices.Equal(got.spikes.Senders, want.spikes.Senders) || !bitsEqual(got.spikes.Times, want.spikes.Times) {
		return "spikes differ"
	}
	for i := range want.mms {
		g, w := got.mms[i], want.mms[i]
		if !slices.Equal(g.Senders, w.Senders) || !bitsEqual(g.Times, w.Times) {
			return "multimeter senders or times differ"
		}
		for name, v := range w.Values {
			if !bitsEqual(g.Values[name], v) {
				return "trace " + name + " differs"
			}
		}
	}
	return ""
}

func saveBytes(t *testing.T, k *Kernel) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := k.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSnapshotUnitScenario: the unit scenario saved at several times —
// before the first Simulate, inside a min_delay slice (1 ms = 10 steps),
// at slice boundaries, around spikes — restored (with 1 or 2 threads) and
// continued to 300 ms gives bit-identical spikes and traces; a second
// snapshot of the restored kernel is byte-identical to the first.
func TestSnapshotUnitScenario(t *testing.T) {
	const total = 300.0
	k, mmN, mmA, sr := buildUnitScenario(t, 1)
	if err := k.Simulate(total); err != nil {
		t.Fatal(err)
	}
	want := record(t, k, sr, mmN, mmA)
	if len(want.spikes.Times) == 0 {
		t.Fatal("no spikes to compare")
	}
	for _, c := range []struct {
		cut      []float64 // Simulate calls before the snapshot
		threads  int       // before
		restored int       // after
	}{
		{nil, 1, 1},
		{[]float64{0.3}, 1, 2},
		{[]float64{23.3}, 2, 1},
		{[]float64{50}, 1, 1},
		{[]float64{100, 50.7}, 2, 2},
		{[]float64{168.5}, 1, 3},
	} {
		k, mmN, mmA, sr := buildUnitScenario(t, c.threads)
		done := 0.0
		for _, d := range c.cut {
			if err := k.Simulate(d); err != nil {
				t.Fatal(err)
			}
			done += d
		}
		snap := saveBytes(t, k)
		k2, err := LoadWith(bytes.NewReader(snap), LoadOptions{LocalNumThreads: c.restored})
		if err != nil {
			t.Fatalf("cut %v: %v", c.cut, err)
		}
		if k2.Threads() != c.restored || k2.Time() != k.Time() {
			t.Fatalf("cut %v: restored %d threads at %g ms", c.cut, k2.Threads(), k2.Time())
		}
		if c.threads == c.restored {
			if again := saveBytes(t, k2); !bytes.Equal(again, snap) {
				t.Errorf("cut %v: the snapshot of the restored kernel differs from the original snapshot", c.cut)
			}
		}
		if err := k2.Simulate(total - done); err != nil {
			t.Fatal(err)
		}
		if d := sameRecordings(record(t, k2, sr, mmN, mmA), want); d != "" {
			t.Errorf("cut %v (threads %d → %d): %s from the uninterrupted run", c.cut, c.threads, c.restored, d)
		}
	}
}

// TestSnapshotPoissonMultapses: a Poisson generator with three connections
// to each neuron (multapses: their draws are summed per target in a fixed
// order), plastic recurrent connections and a parrot, saved inside a slice
// with 2 threads and restored with 3 and with 1: bit-identical to the
// uninterrupted run.
func TestSnapshotPoissonMultapses(t *testing.T) {
	build := func(threads int) (*Kernel, NodeCollection, NodeCollection) {
		k := mustKernel(t, KernelConfig{LocalNumThreads: threads, RNGSeed: 7})
		np := DefaultAeifCondAlphaAstro()
		n := mustCreate(t, k, np, 37)
		pg := mustCreate(t, k, PoissonGenerator{Rate: 9000}, 2)
		par := mustCreate(t, k, ParrotNeuron{}, 3)
		sr := mustCreate(t, k, SpikeRecorder{}, 1)
		mm := mustCreate(t, k, Multimeter{Interval: 0.5, RecordFrom: []string{"V_m", "g_ex", "w"}}, 1)
		for _, err := range []error{
			k.Connect(pg, n, NewFixedIndegree(3), StaticSynapse{Weight: 2, Delay: 1.5}),
			k.Connect(pg, par, nil, StaticSynapse{Weight: 1, Delay: 0.5}),
			k.Connect(par, n, NewPairwiseBernoulli(0.5), DefaultTsodyksSynapse()),
			k.Connect(n, n, NewPairwiseBernoulli(0.2), StaticSynapse{Weight: -1, Delay: 2}),
			k.Connect(Concat(n, par), sr, nil, nil),
			k.Connect(mm, n, nil, nil),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		return k, sr, mm
	}
	k, sr, mm := build(2)
	if err := k.Simulate(200); err != nil {
		t.Fatal(err)
	}
	want := record(t, k, sr, mm)
	if len(want.spikes.Times) < 50 {
		t.Fatalf("%d spikes: too few to compare", len(want.spikes.Times))
	}
	for _, restored := range []int{3, 1} {
		k, sr, mm := build(2)
		if err := k.Simulate(77.7); err != nil {
			t.Fatal(err)
		}
		k2, err := LoadWith(bytes.NewReader(saveBytes(t, k)), LoadOptions{LocalNumThreads: restored})
		if err != nil {
			t.Fatal(err)
		}
		if err := k2.Simulate(200 - 77.7); err != nil {
			t.Fatal(err)
		}
		if d := sameRecordings(record(t, k2, sr, mm), want); d != "" {
			t.Errorf("2 → %d threads: %s from the uninterrupted run", restored, d)
		}
	}
}

// TestSnapshotSetStatusAfterLoad: parameters changed by SetStatus before
// the snapshot are restored, and a restored kernel accepts SetStatus.
func TestSnapshotSetStatusAfterLoad(t *testing.T) {
	k, mmN, _, _ := buildUnitScenario(t, 1)
	n1 := NodeIDs(3)
	if err := k.Simulate(10); err != nil {
		t.Fatal(err)
	}
	if err := k.SetStatus(n1, Dict{"I_e": 650.0}); err != nil {
		t.Fatal(err)
	}
	k2, err := Load(bytes.NewReader(saveBytes(t, k)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := k2.GetStatus(n1)
	if err != nil {
		t.Fatal(err)
	}
	if st[0]["I_e"] != 650.0 {
		t.Errorf("I_e after load = %v, want 650", st[0]["I_e"])
	}
	for _, kk := range []*Kernel{k, k2} {
		if err := kk.SetStatus(n1, Dict{"I_e": 800.0, "V_m": -60.0}); err != nil {
			t.Fatal(err)
		}
		if err := kk.Simulate(40); err != nil {
			t.Fatal(err)
		}
	}
	if !bitsEqual(mustMM(t, k2, mmN).Values["V_m"], mustMM(t, k, mmN).Values["V_m"]) {
		t.Error("V_m after SetStatus differs between the original and the restored kernel")
	}
	// The network stays frozen after loading, as it was.
	if err := k2.Connect(n1, n1, nil, nil); err == nil {
		t.Error("Connect on a restored simulated kernel: no error")
	}
}

// snapshotErr loads data and returns the error.
func snapshotErr(data []byte) error {
	k, err := Load(bytes.NewReader(data))
	if err == nil && k == nil {
		return errors.New("nil kernel without error")
	}
	if err != nil && k != nil {
		return errors.New("a kernel together with an error")
	}
	return err
}

// TestSnapshotFailures: every kind of bad data gives its own error and no
// kernel: not a snapshot, another format version, another engine version,
// every truncation, and a changed byte anywhere.
func TestSnapshotFailures(t *testing.T) {
	k, _, _, _ := buildUnitScenario(t, 2)
	if err := k.Simulate(20.3); err != nil {
		t.Fatal(err)
	}
	snap := saveBytes(t, k)
	t.Logf("snapshot of the unit scenario at 20.3 ms: %d bytes", len(snap))
	check := func(name string, data []byte, want error, msg string) {
		t.Helper()
		err := snapshotErr(data)
		if !errors.Is(err, want) || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want %v containing %q", name, err, want, msg)
		}
	}
	check("not a snapshot", []byte("{\"json\": true}\n"), ErrNotSnapshot, "does not start with")
	check("empty", nil, ErrNotSnapshot, "does not start with")
	v2 := slices.Clone(snap)
	v2[len(snapMagic)] = 2
	check("format version 2", v2, ErrSnapshotVersion, "format version 2, this build reads version 1")
	// Another engine version, with a correct header checksum.
	other := slices.Clone(snap)
	hl := len(snapMagic) + 6 + len(EngineVersion)
	other[hl-1] ^= 1
	crc := crcOf(other[:hl])
	copy(other[hl:], crc)
	check("engine version", other, ErrSnapshotEngine, "written by")
	// Every truncation is reported as such.
	for n := 1; n < len(snap); n += max(1, len(snap)/251) {
		if n < len(snapMagic) {
			continue
		}
		err := snapshotErr(snap[:n])
		if !errors.Is(err, ErrSnapshotTruncated) {
			t.Fatalf("truncated to %d of %d bytes: %v", n, len(snap), err)
		}
	}
	check("truncated by one byte", snap[:len(snap)-1], ErrSnapshotTruncated, "trailer")
	// A changed byte anywhere after the version is reported as corruption.
	for i := len(snapMagic) + 6; i < len(snap); i += max(1, len(snap)/401) {
		bad := slices.Clone(snap)
		bad[i] ^= 0x10
		err := snapshotErr(bad)
		if !errors.Is(err, ErrSnapshotCorrupt) {
			t.Fatalf("byte %d of %d changed: %v", i, len(snap), err)
		}
	}
	bad := slices.Clone(snap)
	bad[len(bad)/2] ^= 1
	check("one bit in the payload", bad, ErrSnapshotCorrupt, "checksum mismatch in frame")
	// The untouched data still loads.
	if err := snapshotErr(snap); err != nil {
		t.Fatal(err)
	}
}

func crcOf(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(nil, crc32.Checksum(b, castagnoli))
}

// TestSnapshotFile: SaveFile replaces the previous snapshot only when the
// new one is complete; a failed write leaves it, and no temporary file.
func TestSnapshotFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.snap")
	k, _, _, _ := buildUnitScenario(t, 1)
	if err := k.Simulate(5); err != nil {
		t.Fatal(err)
	}
	if err := k.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	boom := errors.New("disk full")
	err := WriteFileAtomic(path, func(w io.Writer) error {
		if err := k.Save(w); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed write: %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed write changed the previous snapshot")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("folder holds %d files after a failed write, want 1", len(ents))
	}
	k2, err := LoadFile(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if k2.Time() != 5 {
		t.Errorf("loaded time %g ms, want 5", k2.Time())
	}
	if _, err := LoadFile(filepath.Join(dir, "missing"), LoadOptions{}); err == nil {
		t.Error("missing file: no error")
	}
}

// TestSnapshotFailedKernel: a kernel that stopped after an error cannot be
// saved.
func TestSnapshotFailedKernel(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	k.failed = errors.New("earlier error")
	if err := k.Save(io.Discard); err == nil || !strings.Contains(err.Error(), "unusable") {
		t.Errorf("Save of a failed kernel: %v", err)
	}
}

// TestSnapshotThreadIndependent: the snapshots of the same simulation run
// with 1, 2 and 3 threads, each restored on 1 thread and saved again, are
// byte-identical: nothing of the thread layout is in the file.
func TestSnapshotThreadIndependent(t *testing.T) {
	var ref []byte
	for _, threads := range []int{1, 2, 3} {
		k, _, _, _ := buildUnitScenario(t, threads)
		if err := k.Simulate(23.3); err != nil {
			t.Fatal(err)
		}
		k1, err := LoadWith(bytes.NewReader(saveBytes(t, k)), LoadOptions{LocalNumThreads: 1})
		if err != nil {
			t.Fatal(err)
		}
		snap := saveBytes(t, k1)
		if ref == nil {
			ref = snap
		} else if !bytes.Equal(snap, ref) {
			t.Errorf("%d threads: the snapshot differs from the 1-thread one", threads)
		}
	}
}
