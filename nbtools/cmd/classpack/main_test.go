package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackThisRepository packs the repository itself and checks what each
// copy holds.
func TestPackThisRepository(t *testing.T) {
	out := t.TempDir()
	executed := t.TempDir()
	nb, err := os.ReadFile("../../../notebooks/astrocyte_single.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	// A notebook with an output, as a teacher's run leaves it.
	var doc map[string]any
	if err := json.Unmarshal(nb, &doc); err != nil {
		t.Fatal(err)
	}
	doc["cells"].([]any)[2].(map[string]any)["outputs"] = []any{map[string]any{"name": "stdout", "output_type": "stream", "text": []any{"0.280 µM\n"}}}
	ran, _ := json.Marshal(doc)
	if err := os.WriteFile(filepath.Join(executed, "astrocyte_single.ipynb"), ran, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if code := run([]string{"-repo", "../../..", "-out", out, "-executed", executed}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	student, teacher := filepath.Join(out, "student", "astronb"), filepath.Join(out, "teacher", "astronb")
	for _, tc := range []struct {
		path   string
		exists bool
	}{
		{filepath.Join(student, "notebooks", "TEACHING.md"), false},
		{filepath.Join(student, "notebooks", "classroom", "classroom_test.go"), false},
		{filepath.Join(student, "notebooks", "classroom", "classroom.go"), true},
		{filepath.Join(student, "notebooks", "astrocyte_single.ipynb"), true},
		{filepath.Join(student, "go.mod"), true},
		{filepath.Join(teacher, "notebooks", "TEACHING.md"), true},
		{filepath.Join(teacher, "notebooks", "classroom", "classroom_test.go"), true},
		{filepath.Join(teacher, "notebooks", "executed", "astrocyte_single.ipynb"), true},
	} {
		if _, err := os.Stat(tc.path); (err == nil) != tc.exists {
			t.Errorf("%s: exists %v, want %v", tc.path, err == nil, tc.exists)
		}
	}
	// Student notebooks have no outputs.
	nbs, _ := filepath.Glob(filepath.Join(student, "notebooks", "*.ipynb"))
	if len(nbs) < 6 {
		t.Fatalf("student copy has %d notebooks", len(nbs))
	}
	for _, p := range nbs {
		data, _ := os.ReadFile(p)
		var d struct {
			Cells []struct {
				Outputs []any `json:"outputs"`
			} `json:"cells"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		for i, c := range d.Cells {
			if len(c.Outputs) > 0 {
				t.Errorf("%s cell %d has outputs", p, i)
			}
		}
	}
	// The archive holds the student copy and nothing of the key.
	f, err := os.Open(filepath.Join(out, "astronb-student.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if strings.HasSuffix(h.Name, "TEACHING.md") || strings.HasSuffix(h.Name, "_test.go") && strings.Contains(h.Name, "classroom/") {
			t.Errorf("archive holds %s", h.Name)
		}
	}
	if n < 20 {
		t.Errorf("archive has %d files", n)
	}
}

func TestRefusesOtherFolders(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run([]string{"-repo", t.TempDir(), "-out", t.TempDir()}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "TEACHING.md") {
		t.Errorf("exit %d, %q; want 1 naming TEACHING.md", code, stderr.String())
	}
	if code := run([]string{"extra"}, &stdout, &stderr); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
}
