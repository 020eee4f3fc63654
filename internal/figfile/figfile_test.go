package figfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type fig struct {
	name     string
	png, svg string
	err      error
}

func (f fig) Name() string         { return f.name }
func (f fig) PNG() ([]byte, error) { return []byte(f.png), f.err }
func (f fig) SVG() ([]byte, error) { return []byte(f.svg), nil }

func TestSave(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub")
	var out strings.Builder
	paths, err := Save(&out, dir, fig{name: "a", png: "P", svg: "S"}, nil, fig{name: "../x"},
		fig{name: "b", err: errors.New("no png")}, fig{name: "c", png: "p", svg: "s"})
	if len(paths) != 4 {
		t.Fatalf("paths %q, want a.png a.svg c.png c.svg", paths)
	}
	for _, want := range []string{"figure #1 is nil", `"../x" is not a plain file name`, `figure "b": PNG: no png`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.svg")); string(b) != "S" {
		t.Errorf("a.svg = %q", b)
	}
	if st, err := os.Stat(filepath.Join(dir, "c.png")); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("c.png: %v, %v", st, err)
	}
	if out.String() != strings.Join(paths, "\n")+"\n" {
		t.Errorf("printed %q, want the paths", out.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("%d files in the folder (temporary files left?)", len(entries))
	}
}
