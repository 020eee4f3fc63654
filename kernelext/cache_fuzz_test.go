package kernelext

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// FuzzCacheDecode feeds arbitrary bytes to the cache decoder, both as a
// whole stored file and as a payload behind a valid checksum (so that gob
// itself sees the bytes): it must never panic, and whatever it accepts must
// encode and decode back to an entry for the same key.
func FuzzCacheDecode(f *testing.F) {
	h, err := newCacheHeader[map[string]simResult]("fuzz")
	if err != nil {
		f.Fatal(err)
	}
	hp, err := newCacheHeader[*simResult]("fuzz")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []any{
		map[string]simResult{"a": {Times: []float64{1, 2.5}, IDs: []int{3}, Note: "n"}, "b": {}},
		map[string]simResult(nil),
	} {
		data, err := encodeCached(h, seed.(map[string]simResult))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[len(cacheMagic)+sha256.Size:])
	}
	for _, seed := range []*simResult{nil, {Note: "p", IDs: []int{-1, 1 << 40}}} {
		data, err := encodeCached(hp, seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[len(cacheMagic)+sha256.Size:])
	}
	f.Add([]byte(cacheMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, ok := decodeCached[map[string]simResult](data, h); ok {
			roundTrip(t, h, v)
		}
		sum := sha256.Sum256(data)
		file := append(append([]byte(cacheMagic), sum[:]...), data...)
		if v, ok := decodePayload[map[string]simResult](data, h); ok {
			roundTrip(t, h, v)
		}
		if v, ok := decodeCached[*simResult](file, hp); ok {
			roundTrip(t, hp, v)
		}
		_, _ = decodePayload[*simResult](data, hp)
		_, _ = decodePayload[[]any](data, h)
	})
}

func roundTrip[T any](t *testing.T, h cacheHeader, v T) {
	t.Helper()
	data, err := encodeCached(h, v)
	if err != nil {
		return // e.g. a value gob cannot encode back: not stored, no harm.
	}
	if _, ok := decodeCached[T](data, h); !ok {
		t.Fatalf("accepted value %#v does not decode after re-encoding", v)
	}
	if !bytes.HasPrefix(data, []byte(cacheMagic)) {
		t.Fatal("encoded entry lacks the magic prefix")
	}
}
