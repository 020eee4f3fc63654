package astro

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"
)

// Hostile snapshot data: headers and counts that claim more than the data
// holds. Each case used to panic or allocate what the file claimed.

// loadNoPanic loads data and fails the test on a panic or on a kernel
// returned together with an error.
func loadNoPanic(t *testing.T, data []byte) (k *Kernel, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Load panicked on %d bytes: %v", len(data), p)
		}
	}()
	k, err = Load(bytes.NewReader(data))
	if err != nil && k != nil {
		t.Fatalf("a kernel together with the error %v", err)
	}
	if err == nil && k == nil {
		t.Fatal("neither a kernel nor an error")
	}
	return k, err
}

// Header lengths are parsed with checked arithmetic: the 22-byte header
// whose engine-version length 0xfffc wrapped a uint16 (0xfffc + 4 = 0)
// used to panic with "slice bounds out of range [:-4]".
func TestSnapshotHeaderLength(t *testing.T) {
	_, err := loadNoPanic(t, []byte("astronb-snapshot\x01\x00\x00\x00\xfc\xff"))
	if !errors.Is(err, ErrSnapshotCorrupt) {
		t.Errorf("the 22-byte header: %v, want ErrSnapshotCorrupt", err)
	}
	// Every length around the wrap and the bound, with and without the
	// bytes it claims and a valid header checksum.
	for _, n := range []int{0, 1, 3, 4, len(EngineVersion), maxEngineVersionLen, maxEngineVersionLen + 1, 0xfffb, 0xfffc, 0xfffd, 0xfffe, 0xffff} {
		h := []byte(snapMagic)
		h = binary.LittleEndian.AppendUint32(h, SnapshotFormatVersion)
		h = binary.LittleEndian.AppendUint16(h, uint16(n))
		if _, err := loadNoPanic(t, h); err == nil {
			t.Errorf("length %d, no bytes: no error", n)
		}
		full := append(h, bytes.Repeat([]byte{'x'}, n)...)
		full = append(full, crcOf(full)...)
		_, err := loadNoPanic(t, full)
		switch {
		case n > maxEngineVersionLen && !errors.Is(err, ErrSnapshotCorrupt):
			t.Errorf("length %d: %v, want ErrSnapshotCorrupt", n, err)
		case n <= maxEngineVersionLen && !errors.Is(err, ErrSnapshotEngine):
			t.Errorf("length %d: %v, want ErrSnapshotEngine", n, err)
		}
	}
}

// unframe returns the payload of a snapshot (checked by Load first).
func unframe(t testing.TB, snap []byte) []byte {
	t.Helper()
	hl := len(snapMagic) + 6 + len(EngineVersion) + 4
	var out []byte
	for p := hl; ; {
		n := int(binary.LittleEndian.Uint32(snap[p:]))
		if n == 0 {
			return out
		}
		out = append(out, snap[p+4:p+4+n]...)
		p += n + 8
	}
}

// reframe makes a snapshot with valid checksums around a payload.
func reframe(t testing.TB, payload []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := writeSnapHeader(&buf); err != nil {
		t.Fatal(err)
	}
	e := newSnapEncoder(nil, &buf)
	e.raw(payload)
	if err := e.finish(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allocDuring returns the bytes allocated while f runs.
func allocDuring(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// A snapshot of one neuron whose Create call is rewritten to claim 2^24
// neurons, with valid checksums (543 bytes), used to allocate 1.6 GB
// before it was refused. The claim must be backed by data before anything
// is allocated.
func TestSnapshotClaimedNeurons(t *testing.T) {
	k := mustKernel(t, KernelConfig{})
	mustCreate(t, k, DefaultAeifCondAlphaAstro(), 1)
	snap := saveBytes(t, k)
	payload := unframe(t, snap)
	if got := reframe(t, payload); !bytes.Equal(got, snap) {
		t.Fatal("reframe does not reproduce the snapshot")
	}
	name := DefaultAeifCondAlphaAstro().ModelName()
	i := bytes.Index(payload, append([]byte{byte(len(name))}, name...))
	if i < 0 || payload[i+1+len(name)] != 1 {
		t.Fatal("Create call not found in the payload")
	}
	i += 1 + len(name)
	for _, n := range []uint64{1 << 20, 1 << 24, 1 << 30, 1 << 40} {
		bad := append(append(slices.Clone(payload[:i]), binary.AppendUvarint(nil, n)...), payload[i+1:]...)
		file := reframe(t, bad)
		var err error
		alloc := allocDuring(func() {
			within(t, bound, func() { _, err = loadNoPanic(t, file) })
		})
		t.Logf("%d neurons claimed in %d bytes: %v; %d bytes allocated", n, len(file), err, alloc)
		if !errors.Is(err, ErrSnapshotCorrupt) {
			t.Errorf("%d neurons claimed: %v, want ErrSnapshotCorrupt", n, err)
		}
		if alloc > 4<<20 {
			t.Errorf("%d neurons claimed in %d bytes: %d bytes allocated", n, len(file), alloc)
		}
	}
}

// hostileNet is a small network of every kind of node and connection:
// neurons, astrocytes, a Poisson generator and a parrot, recorders,
// static, tsodyks and SIC connections.
func hostileNet(t testing.TB) *Kernel {
	k := mustKernel(t, KernelConfig{})
	nrn := mustCreate(t, k, DefaultAeifCondAlphaAstro(), 3)
	ast := mustCreate(t, k, DefaultAstrocyteLR1994(), 2)
	pg := mustCreate(t, k, PoissonGenerator{Rate: 20000}, 1)
	par := mustCreate(t, k, ParrotNeuron{}, 1)
	sr := mustCreate(t, k, SpikeRecorder{}, 1)
	mm := mustCreate(t, k, Multimeter{Interval: 0.5, RecordFrom: []string{"V_m"}}, 1)
	for _, c := range [][2]NodeCollection{{pg, nrn}, {pg, par}} {
		if err := k.Connect(c[0], c[1], nil, StaticSynapse{Weight: 5, Delay: 1}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range [][2]NodeCollection{{nrn, sr}, {mm, nrn}} {
		if err := k.Connect(c[0], c[1], nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	rule := NewTripartiteBernoulliWithPool()
	rule.PPrimary, rule.PThirdIfPrimary = 1, 1
	if err := k.TripartiteConnect(nrn, nrn, ast, rule, TripartiteSynSpecs{Primary: DefaultTsodyksSynapse(), ThirdOut: SICConnection{Weight: 0.05, Delay: 1}}); err != nil {
		t.Fatal(err)
	}
	return k
}

// Every count in every section: a small simulated network's payload with
// each number in turn replaced by a huge one (with valid checksums) loads
// with an error or as a kernel, never with a panic or an allocation beyond
// the floor of the memory bound.
func TestSnapshotClaimedCounts(t *testing.T) {
	k := hostileNet(t)
	if err := k.Simulate(3.2); err != nil {
		t.Fatal(err)
	}
	payload := unframe(t, saveBytes(t, k))
	t.Logf("payload: %d bytes", len(payload))
	maxAlloc, tried := uint64(0), 0
	start := time.Now()
	stride := 3 // a varint is 1–10 bytes: most numbers are hit at their start
	if testing.Short() {
		stride = 17
	}
	for i := 0; i < len(payload); i += stride {
		for _, n := range []uint64{1 << 21, 1 << 33, 1<<63 - 1} {
			bad := append(append(slices.Clone(payload[:i]), binary.AppendUvarint(nil, n)...), payload[i+1:]...)
			file := reframe(t, bad)
			var k2 *Kernel
			alloc := allocDuring(func() { k2, _ = loadNoPanic(t, file) })
			tried++
			if alloc > maxAlloc {
				maxAlloc = alloc
			}
			if alloc > 2*snapLoadFloor+64*uint64(len(file)) {
				t.Fatalf("byte %d replaced by %d: %d bytes allocated for %d bytes (kernel: %v)", i, n, alloc, len(file), k2 != nil)
			}
		}
	}
	t.Logf("%d variants in %v, at most %d bytes allocated by one", tried, time.Since(start), maxAlloc)
}
