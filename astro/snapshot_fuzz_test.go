package astro

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzSnapshotLoad loads arbitrary data as a snapshot: as it is (header,
// frames and checksums fuzzed), or as a payload wrapped in valid frames
// and checksums (reframe), so that the state decoder itself is fuzzed.
// Whatever the input, Load returns an error of its documented kinds or a
// kernel, never panics, and allocates no more than the bound for claims
// (snapLoadFloor) plus a multiple of the data's size. A kernel that loads
// saves again and simulates a step without panicking.
func FuzzSnapshotLoad(f *testing.F) {
	saveTB := func(f testing.TB, k *Kernel) []byte {
		var buf bytes.Buffer
		if err := k.Save(&buf); err != nil {
			f.Fatal(err)
		}
		return buf.Bytes()
	}
	// Seeds: small real snapshots (unprepared, simulated), the 22-byte
	// header, the one-neuron snapshot claiming 2^24 neurons.
	k := hostileNet(f)
	f.Add(saveTB(f, k), false)
	f.Add(unframe(f, saveTB(f, k)), true)
	if err := k.Simulate(2.3); err != nil {
		f.Fatal(err)
	}
	snap := saveTB(f, k)
	f.Add(snap, false)
	f.Add(unframe(f, snap), true)
	f.Add([]byte("astronb-snapshot\x01\x00\x00\x00\xfc\xff"), false)
	one := mustKernel(f, KernelConfig{})
	mustCreate(f, one, DefaultAeifCondAlphaAstro(), 1)
	p := unframe(f, saveTB(f, one))
	name := "aeif_cond_alpha_astro"
	if i := bytes.Index(p, []byte(name)); i > 0 {
		claim := append(append(append([]byte{}, p[:i+len(name)]...), 0x80, 0x80, 0x80, 0x08), p[i+len(name)+1:]...)
		f.Add(claim, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, wrap bool) {
		if wrap {
			data = reframe(t, data)
		}
		var k *Kernel
		var err error
		alloc := allocDuring(func() {
			within(t, fuzzHang(), func() { k, err = loadNoPanic(t, data) })
		})
		if lim := 2*snapLoadFloor + 64*uint64(len(data)) + 4<<20; alloc > lim {
			t.Fatalf("%d bytes allocated loading %d bytes (bound %d); err = %v", alloc, len(data), lim, err)
		}
		if err != nil {
			for _, kind := range []error{ErrNotSnapshot, ErrSnapshotVersion, ErrSnapshotEngine, ErrSnapshotTruncated, ErrSnapshotCorrupt, ErrSnapshotModel} {
				if errors.Is(err, kind) {
					return
				}
			}
			t.Fatalf("an error of no documented kind: %v", err)
		}
		var buf bytes.Buffer
		if err := k.Save(&buf); err != nil {
			t.Fatalf("a loaded kernel does not save: %v", err)
		}
		k.memLimit = fuzzBudget
		_ = fuzzSimulate(t, k, k.Resolution(), fuzzDeadline)
	})
}
