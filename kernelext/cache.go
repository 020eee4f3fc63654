package kernelext

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// CacheDirEnv is the environment variable naming a cache folder to use
// outside a notebook.
const CacheDirEnv = "ASTRONB_CACHE_DIR"

// cacheFormat is mixed into every key; bump it when the file layout changes.
const cacheFormat = "astronb-cache/3"

// CacheDir returns the folder Cached stores results in, or "" when caching is
// off:
//
//   - $GONB_TMP_DIR/astronb-cache in a GoNB kernel. GoNB creates that folder
//     per kernel and removes it when the kernel shuts down, so results live
//     as long as the notebook session: a later cell reuses an earlier cell's
//     simulation, but a restarted kernel (possibly built from changed code)
//     gets a new folder and never sees stale results. A kernel killed with
//     SIGKILL cannot clean up: its gonb_* folder stays in the temporary
//     directory (never read again, only disk space); nbrun runs its kernels
//     with TMPDIR in a private folder that it removes.
//   - $ASTRONB_CACHE_DIR if set, for scripts and tests that opt in. The caller
//     owns that folder and its staleness.
//   - "" otherwise: a plain program computes every time.
func CacheDir() string {
	if d := os.Getenv(protocol.GONB_TMP_DIR_ENV); d != "" {
		return filepath.Join(d, "astronb-cache")
	}
	return os.Getenv(CacheDirEnv)
}

// Cached returns the result of compute for key, computing it at most once
// per CacheDir(); with caching off it just calls compute. See CachedIn.
//
// Typical notebook use, so a simulation run in one cell is reused by later
// cells (GoNB runs every cell as a new process):
//
//	p := brunel.DefaultParams()
//	res, err := kernelext.Cached(p, func() (*brunel.Result, error) {
//		return brunel.Run(p, kernelext.NewProgress("astrocyte_brunel"))
//	})
func Cached[T any](key any, compute func() (T, error)) (T, error) {
	return CachedIn(CacheDir(), key, compute)
}

// CachedIn is Cached with an explicit cache folder; dir == "" disables
// caching (compute is called every time, but the key is still checked).
//
// The key must describe every input of compute (all parameters and the
// seed): plain values, strings, numbers, slices, maps, structs with exported
// fields, pointers to them, []any of them, astro.NodeCollection, and types
// implementing encoding.BinaryMarshaler or encoding.TextMarshaler. It is
// encoded canonically (see encodeKey: types, field names and float bits
// included, maps sorted) and hashed with SHA-256 together with the Go type
// of T, so equal keys with different result types do not collide. A key
// whose state cannot all be encoded — a struct with unexported fields, a
// func or channel, a cycle — is an error naming the culprit, and compute is
// not run: a silent partial key would hand one key's result to another.
//
// Results are stored with encoding/gob behind a SHA-256 checksum of the
// stored bytes, written to a temporary file and renamed into place, so
// concurrent writers and interrupted runs never leave a partial file behind.
// A stored file that cannot be read, fails its checksum, does not decode, or
// whose recorded key or type differs is treated as missing: compute runs and
// the file is replaced. A damaged entry is never returned. An error from
// compute is returned as is and nothing is stored.
//
// gob keeps only exported fields and does not preserve pointer sharing or
// the difference between nil and empty slices or maps below the top level
// (a nil result of pointer, slice, map or interface type stays nil). So that
// a result looks the same whether it was just computed or loaded by a later
// cell, a freshly computed result is encoded and the decoded copy is
// returned. If the result cannot be encoded or written, CachedIn returns the
// computed value together with the error.
func CachedIn[T any](dir string, key any, compute func() (T, error)) (T, error) {
	var zero T
	if compute == nil {
		return zero, errors.New("kernelext: Cached: nil compute function")
	}
	h, err := newCacheHeader[T](key)
	if err != nil {
		return zero, err
	}
	if dir == "" {
		return compute()
	}
	path := filepath.Join(dir, h.file())
	if v, ok := loadCached[T](path, h); ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	data, err := encodeCached(h, v)
	if err != nil {
		return v, fmt.Errorf("kernelext: Cached: result of type %s not stored: %w", h.Type, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return v, fmt.Errorf("kernelext: Cached: creating cache folder: %w", err)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return v, fmt.Errorf("kernelext: Cached: writing %s: %w", path, err)
	}
	if dv, ok := decodeCached[T](data, h); ok {
		return dv, nil
	}
	return v, fmt.Errorf("kernelext: Cached: result of type %s does not decode back", h.Type)
}

// CacheKey returns the hex SHA-256 that names the cache file for key and
// result type T (the file is CacheKey + ".gob" in the cache folder). It
// fails for keys CachedIn rejects.
func CacheKey[T any](key any) (string, error) {
	h, err := newCacheHeader[T](key)
	if err != nil {
		return "", err
	}
	return h.hash(), nil
}

// cacheHeader is written in front of each stored value and checked on load,
// which guards against hash collisions and hand-copied files.
type cacheHeader struct {
	Format string
	Type   string
	Key    []byte // the key's canonical encoding (encodeKey)
}

func (h cacheHeader) equal(o cacheHeader) bool {
	return h.Format == o.Format && h.Type == o.Type && bytes.Equal(h.Key, o.Key)
}

func newCacheHeader[T any](key any) (cacheHeader, error) {
	k, err := encodeKey("Cached", key)
	if err != nil {
		return cacheHeader{}, err
	}
	return cacheHeader{Format: cacheFormat, Type: typeName(reflect.TypeFor[T]()), Key: k}, nil
}

func (h cacheHeader) hash() string {
	s := sha256.New()
	// Length prefixes keep (Format, Type, Key) unambiguous.
	for _, part := range [][]byte{[]byte(h.Format), []byte(h.Type), h.Key} {
		s.Write(binary.AppendUvarint(nil, uint64(len(part))))
		s.Write(part)
	}
	return hex.EncodeToString(s.Sum(nil))
}

func (h cacheHeader) file() string { return h.hash() + ".gob" }

// typeName names t with full package paths (reflect's String uses only the
// package name, so two packages' Result types would look alike).
func typeName(t reflect.Type) string {
	if t.Name() != "" {
		if t.PkgPath() != "" {
			return t.PkgPath() + "." + t.Name()
		}
		return t.Name()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + typeName(t.Elem())
	case reflect.Slice:
		return "[]" + typeName(t.Elem())
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), typeName(t.Elem()))
	case reflect.Map:
		return "map[" + typeName(t.Key()) + "]" + typeName(t.Elem())
	}
	// Anonymous structs, funcs, chans, interfaces: String includes the
	// field names and types, which is specific enough for a cache key.
	return t.String()
}

// A stored file is cacheMagic, the SHA-256 of the payload, and the payload:
// the gob encodings of the cacheHeader, of a bool that is true for a nil
// result, and of the result unless it is nil.
const cacheMagic = "astronb-cache\n"

// isNil reports whether v is a nil pointer, slice, map, interface, func or
// channel (which gob cannot encode at the top level).
func isNil[T any](v T) bool {
	rv := reflect.ValueOf(&v).Elem()
	switch rv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

func encodeCached[T any](h cacheHeader, v T) ([]byte, error) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	null := isNil(v)
	if err := enc.Encode(null); err != nil {
		return nil, err
	}
	if !null {
		// Encode through a pointer so that T may itself be an interface or
		// pointer type.
		if err := enc.Encode(&v); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	out := make([]byte, 0, len(cacheMagic)+len(sum)+buf.Len())
	out = append(out, cacheMagic...)
	out = append(out, sum[:]...)
	return append(out, buf.Bytes()...), nil
}

// decodeCached checks the checksum and header of a stored file and decodes
// its value; ok is false for anything but an intact entry for want.
func decodeCached[T any](data []byte, want cacheHeader) (v T, ok bool) {
	var zero T
	payload, found := bytes.CutPrefix(data, []byte(cacheMagic))
	if !found || len(payload) < sha256.Size {
		return zero, false
	}
	sum, payload := payload[:sha256.Size], payload[sha256.Size:]
	if got := sha256.Sum256(payload); !bytes.Equal(got[:], sum) {
		return zero, false
	}
	// gob reports malformed input as errors; a panic here (a gob bug) must
	// still only be a cache miss.
	defer func() {
		if recover() != nil {
			v, ok = zero, false
		}
	}()
	return decodePayload[T](payload, want)
}

// decodePayload decodes the gob part of a stored file (after the checksum).
func decodePayload[T any](payload []byte, want cacheHeader) (v T, ok bool) {
	var zero T
	dec := gob.NewDecoder(bytes.NewReader(payload))
	var h cacheHeader
	if err := dec.Decode(&h); err != nil || !h.equal(want) {
		return zero, false
	}
	var null bool
	if err := dec.Decode(&null); err != nil {
		return zero, false
	}
	if null {
		return zero, true
	}
	if err := dec.Decode(&v); err != nil {
		return zero, false
	}
	return v, true
}

// loadCached reads a stored value; any failure (missing, unreadable,
// corrupt, undecodable, other key or type) is a miss.
func loadCached[T any](path string, want cacheHeader) (T, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		var zero T
		return zero, false
	}
	return decodeCached[T](data, want)
}
