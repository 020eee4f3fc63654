package kernelext

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/astronb/astronb/astro"
)

// resum recomputes the checksums of the records at the start of a kept
// file, as far as their lengths fit, so that the fuzzer's changes reach gob
// and astro.Load instead of stopping at the first checksum.
func resum(data []byte) []byte {
	out := bytes.Clone(data)
	at := len(kernelFormat) + 1
	for range 3 {
		if at+recordLenSize+sha256.Size > len(out) {
			break
		}
		n := int(binary.LittleEndian.Uint32(out[at:]))
		body := at + recordLenSize + sha256.Size
		if n > len(out)-body {
			break
		}
		sum := sha256.Sum256(out[body : body+n])
		copy(out[at+recordLenSize:], sum[:])
		at = body + n
	}
	return out
}

// FuzzKeptKernel feeds arbitrary bytes to the kept-kernel reader, as they
// are and with the records' checksums made valid: it must never panic and
// never allocate what the file merely claims; an error is one of astro's
// snapshot errors; a file it accepts gives a kernel (whose time is the one
// the state record says) that can be kept and loaded again.
func FuzzKeptKernel(f *testing.F) {
	nk, err := OpenKernelIn("", "fuzz", buildSmall)
	if err != nil {
		f.Fatal(err)
	}
	if err := nk.Kernel.Simulate(2.5); err != nil {
		f.Fatal(err)
	}
	nk.state.Time = nk.Kernel.Time()
	var good bytes.Buffer
	if err := nk.write(&good); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:len(kernelFormat)+40])
	huge := bytes.Clone(good.Bytes()[:3<<10])
	binary.LittleEndian.PutUint32(huge[len(kernelFormat)+1:], 1<<30)
	f.Add(huge)
	f.Add([]byte(kernelFormat + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range [][]byte{data, resum(data)} {
			got := &NotebookKernel[smallNodes]{head: nk.head}
			err := got.load(bytes.NewReader(d), int64(len(d)))
			if err != nil {
				if !errors.Is(err, astro.ErrNotSnapshot) && !errors.Is(err, astro.ErrSnapshotTruncated) &&
					!errors.Is(err, astro.ErrSnapshotCorrupt) && !errors.Is(err, astro.ErrSnapshotVersion) &&
					!errors.Is(err, astro.ErrSnapshotEngine) {
					t.Fatalf("error of no documented kind: %v", err)
				}
				continue
			}
			if got.Kernel == nil || got.Kernel.Time() != got.state.Time {
				t.Fatalf("loaded kernel %v, state %+v", got.Kernel, got.state)
			}
			var again bytes.Buffer
			if err := got.write(&again); err != nil {
				t.Fatalf("a loaded kernel cannot be kept again: %v", err)
			}
			back := &NotebookKernel[smallNodes]{head: nk.head}
			if err := back.load(bytes.NewReader(again.Bytes()), int64(again.Len())); err != nil {
				t.Fatalf("kept again, it does not load: %v", err)
			}
		}
	})
}
