package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `nbrun -out o a/x.ipynb b/x.ipynb` overwrote the first result with the
// second and printed "all 2 notebooks ok"; now it refuses before running.
func TestDuplicateNamesRefusedBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	nb := `{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","id":"a","metadata":{},"execution_count":null,"outputs":[],"source":"%%\nprintln(1)"}]}`
	var paths []string
	for _, sub := range []string{"a", "b"} {
		p := filepath.Join(dir, sub, "x.ipynb")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(nb), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out := filepath.Join(dir, "o")
	start := time.Now()
	// -gonb names no binary: a run that got past the check would fail on it.
	err := run(append([]string{"-q", "-out", out, "-gonb", filepath.Join(dir, "no-gonb")}, paths...))
	if err == nil || !strings.Contains(err.Error(), "would both be written as x.ipynb") {
		t.Errorf("err = %v, want a name clash", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusal took %v", d)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the output dir was created: something ran")
	}
}
