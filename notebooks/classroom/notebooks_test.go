package classroom

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// notebookCells returns the code cells' sources of a notebook.
func notebookCells(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, c := range readCells(t, path) {
		if c.Type == "code" {
			out = append(out, c.Source)
		}
	}
	return out
}

// TestNotebooksUseChecks checks that every answer variable of the classroom
// notebooks starts as NoAnswer and is judged by a check in the same cell,
// and that the notebooks avoid the idioms the checks replaced.
func TestNotebooksUseChecks(t *testing.T) {
	paths, err := filepath.Glob("../astrocyte_*.ipynb")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks found: %v", err)
	}
	answer := regexp.MustCompile(`(?m)^(my\w+) := (.*?)\s*(//.*)?$`)
	checks := 0
	for _, path := range paths {
		for i, src := range notebookCells(t, path) {
			for _, bad := range []string{"map[bool]string", "[]any{", "err != nil {\n\tpanic(err)"} {
				if strings.Contains(src, bad) {
					t.Errorf("%s, code cell %d: contains %q", filepath.Base(path), i+1, bad)
				}
			}
			for _, m := range answer.FindAllStringSubmatch(src, -1) {
				name, init := m[1], m[2]
				if !strings.Contains(src, ".Print("+name+", showMe)") {
					continue // an exploration knob (e.g. myRate), not an answer
				}
				checks++
				if init != "classroom.NoAnswer" {
					t.Errorf("%s, code cell %d: %s starts as %s, want classroom.NoAnswer", filepath.Base(path), i+1, name, init)
				}
				if !strings.Contains(src, "showMe := false") {
					t.Errorf("%s, code cell %d: no showMe switch", filepath.Base(path), i+1)
				}
			}
		}
	}
	if checks != 14 {
		t.Errorf("found %d self-checks in the notebooks, want 14", checks)
	}
}
