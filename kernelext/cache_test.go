package kernelext

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/astronb/astronb/astro"
)

type simParams struct {
	N    int
	Rate float64
	Seed uint64
	Tags map[string]string
}

type simResult struct {
	Times []float64
	IDs   []int
	Note  string
}

// counter returns a compute function and a pointer to its call count.
func counter[T any](v T) (func() (T, error), *int) {
	n := new(int)
	return func() (T, error) { *n++; return v, nil }, n
}

func TestCacheDir(t *testing.T) {
	t.Setenv("GONB_TMP_DIR", "")
	t.Setenv(CacheDirEnv, "")
	if d := CacheDir(); d != "" {
		t.Errorf("CacheDir() outside notebook = %q, want \"\" (off)", d)
	}
	t.Setenv(CacheDirEnv, "/c")
	if d := CacheDir(); d != "/c" {
		t.Errorf("CacheDir() = %q, want /c", d)
	}
	t.Setenv("GONB_TMP_DIR", "/tmp/gonb_x")
	if d := CacheDir(); d != filepath.Join("/tmp/gonb_x", "astronb-cache") {
		t.Errorf("CacheDir() in kernel = %q", d)
	}
}

func TestCachedComputesOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache") // created on demand
	want := simResult{Times: []float64{1.5, 2.25}, IDs: []int{3, 7}, Note: "ok"}
	compute, n := counter(want)
	key := simParams{N: 10, Rate: 2.5, Seed: 42, Tags: map[string]string{"b": "2", "a": "1"}}

	for i := range 3 {
		got, err := CachedIn(dir, key, compute)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if got.Note != want.Note || len(got.Times) != 2 || got.Times[1] != 2.25 || got.IDs[1] != 7 {
			t.Errorf("call %d: got %+v, want %+v", i, got, want)
		}
	}
	if *n != 1 {
		t.Errorf("compute ran %d times for one key, want 1", *n)
	}
	// An equal key built differently (map order) hits the same entry.
	same := simParams{N: 10, Rate: 2.5, Seed: 42, Tags: map[string]string{"a": "1", "b": "2"}}
	if _, err := CachedIn(dir, same, compute); err != nil || *n != 1 {
		t.Errorf("equal key: err=%v, compute ran %d times", err, *n)
	}
	// Another seed is another entry.
	other := key
	other.Seed = 43
	if _, err := CachedIn(dir, other, compute); err != nil || *n != 2 {
		t.Errorf("different key: err=%v, compute ran %d times, want 2", err, *n)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("cache holds %d files, want 2 (no temp files left): %v", len(entries), entries)
	}
}

func TestCachedUsesEnvDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GONB_TMP_DIR", dir)
	compute, n := counter(7)
	for range 2 {
		if v, err := Cached("k", compute); err != nil || v != 7 {
			t.Fatalf("Cached = %v, %v", v, err)
		}
	}
	if *n != 1 {
		t.Errorf("compute ran %d times, want 1", *n)
	}
	if _, err := os.Stat(filepath.Join(dir, "astronb-cache")); err != nil {
		t.Errorf("cache folder not in $GONB_TMP_DIR: %v", err)
	}

	// Caching off: compute every time.
	t.Setenv("GONB_TMP_DIR", "")
	t.Setenv(CacheDirEnv, "")
	for range 2 {
		if _, err := Cached("k", compute); err != nil {
			t.Fatal(err)
		}
	}
	if *n != 3 {
		t.Errorf("without a cache folder compute ran %d times in total, want 3", *n)
	}
}

func TestCachedRecoversFromCorruptFile(t *testing.T) {
	dir := t.TempDir()
	compute, n := counter(simResult{Note: "fresh"})
	if _, err := CachedIn(dir, "key", compute); err != nil {
		t.Fatal(err)
	}
	name, err := CacheKey[simResult]("key")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".gob")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cache file not where CacheKey says: %v", err)
	}
	for _, bad := range [][]byte{[]byte("garbage"), nil, data[:len(data)/2]} {
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		before := *n
		got, err := CachedIn(dir, "key", compute)
		if err != nil || got.Note != "fresh" || *n != before+1 {
			t.Errorf("corrupt file %q: got %+v, %v; compute ran %d more times, want 1", bad, got, err, *n-before)
		}
		// ...and the file was repaired.
		if _, err := CachedIn(dir, "key", compute); err != nil || *n != before+1 {
			t.Errorf("after repair: err=%v, compute ran again", err)
		}
	}
}

func TestCachedTypesDoNotCollide(t *testing.T) {
	dir := t.TempDir()
	ci, ni := counter(5)
	cs, ns := counter("five")
	cr, nr := counter(simResult{Note: "r"})
	for range 2 {
		if v, err := CachedIn(dir, "same", ci); err != nil || v != 5 {
			t.Fatalf("int: %v, %v", v, err)
		}
		if v, err := CachedIn(dir, "same", cs); err != nil || v != "five" {
			t.Fatalf("string: %v, %v", v, err)
		}
		if v, err := CachedIn(dir, "same", cr); err != nil || v.Note != "r" {
			t.Fatalf("struct: %v, %v", v, err)
		}
	}
	if *ni != 1 || *ns != 1 || *nr != 1 {
		t.Errorf("compute counts int=%d string=%d struct=%d, want 1 each", *ni, *ns, *nr)
	}
	k1, _ := CacheKey[simResult]("same")
	k2, _ := CacheKey[*simResult]("same")
	k3, _ := CacheKey[[]simResult]("same")
	if k1 == k2 || k1 == k3 || k2 == k3 {
		t.Errorf("keys collide across T: %s %s %s", k1, k2, k3)
	}
	if !strings.Contains(typeName(typeOf[map[string]*simResult]()), "github.com/astronb/astronb/kernelext.simResult") {
		t.Errorf("typeName lacks the package path: %s", typeName(typeOf[map[string]*simResult]()))
	}
}

func TestCachedPointerResult(t *testing.T) {
	dir := t.TempDir()
	compute, n := counter(&simResult{IDs: []int{1}})
	for range 2 {
		got, err := CachedIn(dir, 1, compute)
		if err != nil || got == nil || len(got.IDs) != 1 {
			t.Fatalf("got %+v, %v", got, err)
		}
	}
	if *n != 1 {
		t.Errorf("compute ran %d times", *n)
	}
}

func TestCachedErrors(t *testing.T) {
	dir := t.TempDir()
	boom := errors.New("boom")
	calls := 0
	failing := func() (int, error) { calls++; return 0, boom }
	for range 2 {
		if _, err := CachedIn(dir, "k", failing); !errors.Is(err, boom) {
			t.Errorf("err = %v, want boom", err)
		}
	}
	if calls != 2 {
		t.Errorf("a failed compute was cached (calls=%d)", calls)
	}
	// Unmarshallable key: error, compute not run.
	ran := false
	if _, err := CachedIn(dir, func() {}, func() (int, error) { ran = true; return 1, nil }); err == nil || ran {
		t.Errorf("func key: err=%v ran=%v", err, ran)
	}
	// Nil compute.
	if _, err := CachedIn[int](dir, "k", nil); err == nil {
		t.Error("nil compute accepted")
	}
	// A result gob cannot encode: value returned with an error.
	type noExported struct{ x int }
	v, err := CachedIn(dir, "k", func() (noExported, error) { return noExported{3}, nil })
	if err == nil || v.x != 3 {
		t.Errorf("unencodable result: v=%+v err=%v", v, err)
	}
}

func TestCachedReturnsRoundTrippedValue(t *testing.T) {
	// gob drops unexported fields; the first call must already show what
	// later cells will load.
	type partly struct {
		Kept   int
		hidden int
	}
	dir := t.TempDir()
	first, err := CachedIn(dir, "k", func() (partly, error) { return partly{Kept: 1, hidden: 2}, nil })
	if err != nil {
		t.Fatal(err)
	}
	second, err := CachedIn(dir, "k", func() (partly, error) { return partly{}, errors.New("recomputed") })
	if err != nil {
		t.Fatal(err)
	}
	if first != second || first.hidden != 0 || first.Kept != 1 {
		t.Errorf("first %+v, second %+v: want identical, hidden dropped", first, second)
	}
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// withDeadline fails the test if f runs longer than d (a hang fails instead
// of blocking the suite).
func withDeadline(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	// f runs on the test's goroutine (so it may call t.Fatal); a hang
	// ends the test binary with this message, as go test's -timeout
	// would, but after d.
	timer := time.AfterFunc(d, func() { panic(fmt.Sprintf("%s: did not finish within %v", t.Name(), d)) })
	defer timer.Stop()
	f()
}

// Keys with unexported state must not collide: NodeIDs(3,4,5) after
// NodeIDs(1,2) returned the first result when keys were marshalled to JSON.
func TestCachedKeysAreFaithful(t *testing.T) {
	withDeadline(t, 10*time.Second, func() {
		dir := t.TempDir()
		run := func(key any) (string, error) {
			return CachedIn(dir, key, func() (string, error) { return fmt.Sprint(key), nil })
		}
		a, err := run(astro.NodeIDs(1, 2))
		if err != nil {
			t.Fatal(err)
		}
		b, err := run(astro.NodeIDs(3, 4, 5))
		if err != nil {
			t.Fatal(err)
		}
		if a == b {
			t.Errorf("NodeIDs(1,2) and NodeIDs(3,4,5) share a cache entry: %q", a)
		}
		// Keys that JSON would have conflated.
		distinct := [][2]any{
			{astro.NodeIDs(1, 2), astro.NodeIDs(2, 1)},
			{astro.NodeIDs(), astro.NodeIDs(0)},
			{[]any{1}, []any{1.0}},
			{[]any{int32(1)}, []any{int64(1)}},
			{0.0, math.Copysign(0, -1)},
			{[]int(nil), []int{}},
			{(*simParams)(nil), &simParams{}},
			{struct{ A, B string }{"ab", ""}, struct{ A, B string }{"a", "b"}},
			{[]string{"a", "b"}, []string{"ab"}},
			{map[string]int{"a": 1}, map[string]float64{"a": 1}},
			{time.Unix(0, 1), time.Unix(0, 2)},
			{struct{ N astro.NodeCollection }{astro.NodeIDs(1)}, struct{ N astro.NodeCollection }{astro.NodeIDs(2)}},
		}
		for _, d := range distinct {
			k0, err0 := CacheKey[string](d[0])
			k1, err1 := CacheKey[string](d[1])
			if err0 != nil || err1 != nil {
				t.Errorf("keys %#v / %#v: %v / %v", d[0], d[1], err0, err1)
				continue
			}
			if k0 == k1 {
				t.Errorf("keys %#v and %#v collide", d[0], d[1])
			}
		}
		// Equal values built differently share an entry.
		m1 := map[string]any{"x": 1, "y": []float64{1.5}, "z": astro.NodeIDs(4, 5)}
		m2 := map[string]any{"z": astro.NodeIDs(4, 5), "y": []float64{1.5}, "x": 1}
		k1, _ := CacheKey[int](m1)
		k2, _ := CacheKey[int](m2)
		if k1 != k2 {
			t.Error("equal maps give different keys")
		}
	})
}

func TestCachedRejectsUnfaithfulKeys(t *testing.T) {
	withDeadline(t, 10*time.Second, func() {
		type hidden struct {
			N    int
			seed uint64
		}
		type outer struct{ In hidden }
		cyclic := []any{nil}
		cyclic[0] = cyclic
		ch := make(chan int)
		for _, c := range []struct {
			key  any
			want string
		}{
			{hidden{N: 1, seed: 2}, "field seed is unexported"},
			{outer{hidden{}}, "key.In"},
			{[]any{"x", &hidden{}}, "key[1]"},
			{map[string]any{"f": func() {}}, "func"},
			{ch, "chan"},
			{cyclic, "nested deeper"},
		} {
			ran := false
			_, err := CachedIn(t.TempDir(), c.key, func() (int, error) { ran = true; return 1, nil })
			if err == nil || !strings.Contains(err.Error(), c.want) || ran {
				t.Errorf("key %T: err = %v (want it to mention %q), compute ran = %v", c.key, err, c.want, ran)
			}
			// Caching off: the key is checked all the same, so a notebook and a
			// plain program fail alike.
			if _, err := CachedIn("", c.key, func() (int, error) { return 1, nil }); err == nil {
				t.Errorf("key %T accepted with caching off", c.key)
			}
		}
	})
}

func TestCachedNilStaysNil(t *testing.T) {
	withDeadline(t, 10*time.Second, func() {
		dir := t.TempDir()
		compute, n := counter[*simResult](nil)
		for i := range 2 {
			got, err := CachedIn(dir, "nil", compute)
			if err != nil || got != nil {
				t.Fatalf("call %d: got %#v, %v; want nil", i, got, err)
			}
		}
		cm, nm := counter[map[string]int](nil)
		for range 2 {
			if got, err := CachedIn(dir, "nil", cm); err != nil || got != nil {
				t.Fatalf("map: got %#v, %v; want nil", got, err)
			}
		}
		if *n != 1 || *nm != 1 {
			t.Errorf("compute ran %d and %d times, want 1 each (nil results are cached)", *n, *nm)
		}
	})
}

// Every single-bit flip of a stored file must give a recomputation, never
// altered data (without a checksum 624 of 13 333 random flips were returned).
func TestCachedBitFlipsAreRecomputed(t *testing.T) {
	withDeadline(t, 60*time.Second, func() {
		dir := t.TempDir()
		want := map[string]simResult{"a": {Times: []float64{1, 2.5}, IDs: []int{3}, Note: "n"}, "b": {}}
		compute, n := counter(want)
		if _, err := CachedIn(dir, "flip", compute); err != nil {
			t.Fatal(err)
		}
		name, _ := CacheKey[map[string]simResult]("flip")
		path := filepath.Join(dir, name+".gob")
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		h, err := newCacheHeader[map[string]simResult]("flip")
		if err != nil {
			t.Fatal(err)
		}
		// Every bit in memory; every 16th through a file and CachedIn (each
		// such round writes and renames a file).
		for bit := range len(orig) * 8 {
			bad := bytes.Clone(orig)
			bad[bit/8] ^= 1 << (bit % 8)
			if v, ok := decodeCached[map[string]simResult](bad, h); ok {
				t.Fatalf("bit %d flipped: decoded as %+v", bit, v)
			}
			if bit%16 != 0 {
				continue
			}
			if err := os.WriteFile(path, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			before := *n
			got, err := CachedIn(dir, "flip", compute)
			if err != nil {
				t.Fatalf("bit %d: %v", bit, err)
			}
			if *n != before+1 {
				t.Fatalf("bit %d flipped: entry returned without recomputing", bit)
			}
			if !reflect.DeepEqual(got["a"], want["a"]) || len(got) != 2 {
				t.Fatalf("bit %d flipped: got %+v", bit, got)
			}
		}
		flips := len(orig) * 8
		t.Logf("%d single-bit flips of a %d-byte entry: all recomputed", flips, len(orig))
	})
}

type modeA string
type modeB string

// panicky's MarshalText panics (a user type with a broken method).
type panicky struct{ X int }

func (panicky) MarshalText() ([]byte, error) { panic("broken MarshalText") }

// dagNode shares its child twice: n levels encode 2^n values.
type dagNode struct{ L, R *dagNode }

// TestKeyEncodingHostile: keys of every shape are either encoded
// canonically (deterministic, types included) or refused with the culprit
// named, in bounded time.
func TestKeyEncodingHostile(t *testing.T) {
	withDeadline(t, time.Minute, func() { // -race makes reflection slow
		start := time.Now()
		defer func() { t.Logf("%v", time.Since(start)) }()
		// Named types are part of the key.
		for _, d := range [][2]any{
			{modeA("x"), modeB("x")},
			{modeA("x"), "x"},
			{[]byte("ab"), "YWI="},
			{map[[2]int]string{{1, 2}: "a"}, map[[2]int]string{{2, 1}: "a"}},
		} {
			k0, err0 := CacheKey[int](d[0])
			k1, err1 := CacheKey[int](d[1])
			if err0 != nil || err1 != nil || k0 == k1 {
				t.Errorf("%#v / %#v: keys %s / %s, errors %v / %v", d[0], d[1], k0, k1, err0, err1)
			}
		}
		// Deterministic whatever the map iteration order: NaN keys (a map
		// holds each as its own entry), struct and interface keys.
		nan := math.NaN()
		for name, mk := range map[string]func() any{
			"NaN keys":       func() any { return map[float64]int{nan: 1, math.NaN(): 2, math.NaN(): 3, 0: 4} },
			"struct keys":    func() any { return map[struct{ A, B int }]string{{1, 2}: "x", {2, 1}: "y", {0, 0}: "z"} },
			"interface keys": func() any { return map[any]int{1: 1, "1": 2, 1.0: 3, int8(1): 4, true: 5} },
		} {
			first, err := CacheKey[int](mk())
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			for range 50 {
				if k, _ := CacheKey[int](mk()); k != first {
					t.Errorf("%s: the key depends on map order", name)
					break
				}
			}
		}
		// A pointer shared at every level: 2^60 paths, refused quickly.
		var n *dagNode
		for range 60 {
			n = &dagNode{L: n, R: n}
		}
		type cyc struct{ Next *cyc }
		c := &cyc{}
		c.Next = c
		for _, r := range []struct {
			key  any
			want string
		}{
			{n, "more than"},
			{c, "nested deeper"},
			{panicky{1}, "broken MarshalText"},
			{map[any]int{make(chan int): 1}, "chan"},
			{struct{ F func() }{}, "key.F"},
			{[]any{unsafe.Pointer(nil)}, "unsafe.Pointer"},
		} {
			if _, err := CacheKey[int](r.key); err == nil || !strings.Contains(err.Error(), r.want) {
				t.Errorf("key %T: err %v, want it to mention %q", r.key, err, r.want)
			}
		}
	})
}

// TestKeyLargeBytes: a []byte key is one value however long (8 MiB, more
// bytes than values a key may hold, is fine), and differs from the same
// bytes as a named byte-slice type.
func TestKeyLargeBytes(t *testing.T) {
	withDeadline(t, 20*time.Second, func() {
		type raw []byte
		b := make([]byte, 8<<20)
		k0, err := CacheKey[int](b)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)-1] = 1
		k1, _ := CacheKey[int](b)
		k2, _ := CacheKey[int](raw(b))
		if k0 == k1 || k1 == k2 {
			t.Errorf("keys %s %s %s", k0, k1, k2)
		}
	})
}
