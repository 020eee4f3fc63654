// Package figfile renders figures and writes them as NAME.png and NAME.svg
// files. It is what kernelext.Display does outside a notebook and what the
// figure commands (plots/cmd/preview) use, so that neither the plots package
// nor a command depends on the notebook layer.
package figfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Figure is a rendered figure (the plots package's *plots.Figure is one).
type Figure interface {
	// Name is the file name stem (NAME.png, NAME.svg): a plain file name.
	Name() string
	// PNG returns the figure encoded as PNG.
	PNG() ([]byte, error)
	// SVG returns the figure encoded as SVG (UTF-8 text).
	SVG() ([]byte, error)
}

// Save writes each figure into dir as NAME.png and NAME.svg, creating dir
// if needed, and returns the paths written; if w is not nil each path is
// also printed to it, one per line. Files are written atomically (a
// temporary file renamed into place). A figure that fails to render or
// save does not stop the others; all failures are returned joined.
func Save(w io.Writer, dir string, figs ...Figure) ([]string, error) {
	if len(figs) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating figures folder: %w", err)
	}
	var paths []string
	var errs []error
	for i, f := range figs {
		name, png, svg, err := Render(i, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, out := range []struct {
			ext  string
			data []byte
		}{{".png", png}, {".svg", svg}} {
			p := filepath.Join(dir, name+out.ext)
			if err := WriteFileAtomic(p, out.data); err != nil {
				errs = append(errs, fmt.Errorf("saving figure %q: %w", name, err))
				continue
			}
			paths = append(paths, p)
			if w != nil {
				fmt.Fprintln(w, p)
			}
		}
	}
	return paths, errors.Join(errs...)
}

// Render checks figure number i (for messages) and produces its name and
// both encodings.
func Render(i int, f Figure) (name string, png, svg []byte, err error) {
	if f == nil {
		return "", nil, nil, fmt.Errorf("figure #%d is nil", i)
	}
	name = f.Name()
	if err := checkName(name); err != nil {
		return "", nil, nil, fmt.Errorf("figure #%d: %w", i, err)
	}
	png, err = f.PNG()
	if err != nil {
		return "", nil, nil, fmt.Errorf("figure %q: PNG: %w", name, err)
	}
	svg, err = f.SVG()
	if err != nil {
		return "", nil, nil, fmt.Errorf("figure %q: SVG: %w", name, err)
	}
	return name, png, svg, nil
}

// checkName rejects names that are not a plain, single file name component.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty figure name")
	case name == "." || name == "..",
		strings.ContainsAny(name, `/\`),
		strings.ContainsRune(name, 0):
		return fmt.Errorf("figure name %q is not a plain file name", name)
	}
	return nil
}

// WriteFileAtomic writes data to a temporary file in the same folder and
// renames it onto path (mode 0644), so readers never see a half-written
// file.
func WriteFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmpName)
		return err
	}
	// CreateTemp uses mode 0600; make results readable like os.WriteFile would.
	if err := os.Chmod(tmpName, 0o644); err != nil {
		_ = os.Remove(tmpName)
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		_ = os.Remove(tmpName)
		return err
	}
	return nil
}
