package astro

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
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
