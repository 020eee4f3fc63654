package kernelext

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
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
const cacheFormat = "astronb-cache/1"

// CacheDir returns the folder Cached stores results in, or "" when caching is
// off:
//
//   - $GONB_TMP_DIR/astronb-cache in a GoNB kernel. GoNB creates that folder
//     per kernel and removes it when the kernel ends, so results live exactly
//     as long as the notebook session: a later cell reuses an earlier cell's
//     simulation, but a restarted kernel (possibly built from changed code)
//     never sees stale results.
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
//	res, err := kernelext.Cached(params, func() (*astro.Result, error) {
//		return astro.Run(params)
//	})
func Cached[T any](key any, compute func() (T, error)) (T, error) {
	return CachedIn(CacheDir(), key, compute)
}

// CachedIn is Cached with an explicit cache folder; dir == "" disables
// caching (compute is called every time).
//
// The key must describe every input of compute (all parameters and the
// seed): it is marshalled to JSON and hashed with SHA-256 together with the
// Go type of T, so equal keys with different result types do not collide.
// Results are stored with encoding/gob, written to a temporary file and
// renamed into place, so concurrent writers and interrupted runs never leave
// a partial file behind.
//
// A stored file that cannot be read or decoded, or whose recorded key or type
// differs, is treated as missing: compute runs and the file is replaced.
// An error from compute is returned as is and nothing is stored.
//
// gob keeps only exported fields and does not preserve pointer sharing or
// the difference between nil and empty slices or maps. So that a result looks
// the same whether it was just computed or loaded by a later cell, a freshly
// computed result is encoded and the decoded copy is returned. If the result
// cannot be encoded or written, CachedIn returns the computed value together
// with the error.
func CachedIn[T any](dir string, key any, compute func() (T, error)) (T, error) {
	var zero T
	if compute == nil {
		return zero, errors.New("kernelext: Cached: nil compute function")
	}
	if dir == "" {
		return compute()
	}
	h, err := newCacheHeader[T](key)
	if err != nil {
		return zero, err
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
// result type T (the file is CacheKey + ".gob" in the cache folder).
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
	Key    string // the key's JSON
}

func newCacheHeader[T any](key any) (cacheHeader, error) {
	kj, err := json.Marshal(key)
	if err != nil {
		return cacheHeader{}, fmt.Errorf("kernelext: Cached: key is not JSON-marshallable: %w", err)
	}
	return cacheHeader{Format: cacheFormat, Type: typeName(reflect.TypeFor[T]()), Key: string(kj)}, nil
}

func (h cacheHeader) hash() string {
	s := sha256.New()
	// NUL separators keep (Type, Key) pairs unambiguous.
	s.Write([]byte(h.Format + "\x00" + h.Type + "\x00" + h.Key))
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

func encodeCached[T any](h cacheHeader, v T) ([]byte, error) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	// Encode through a pointer so that T may itself be an interface or
	// pointer type.
	if err := enc.Encode(&v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeCached[T any](data []byte, want cacheHeader) (v T, ok bool) {
	dec := gob.NewDecoder(bytes.NewReader(data))
	var h cacheHeader
	if err := dec.Decode(&h); err != nil || h != want {
		return v, false
	}
	if err := dec.Decode(&v); err != nil {
		var zero T
		return zero, false
	}
	return v, true
}

// loadCached reads a stored value; any failure (missing, unreadable,
// undecodable, other key or type) is a miss.
func loadCached[T any](path string, want cacheHeader) (T, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		var zero T
		return zero, false
	}
	return decodeCached[T](data, want)
}
