package kernelext

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
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
