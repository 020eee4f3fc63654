package kernelext

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/astronb/astronb/nbtools/markup"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// Figure is a rendered figure that can be shown in a notebook or saved to
// files. The plots package's *plots.Figure satisfies it.
type Figure interface {
	// Name identifies the figure; outside a notebook it becomes the file
	// name stem (NAME.png, NAME.svg), so it must be a plain file name.
	Name() string
	// PNG returns the figure encoded as PNG.
	PNG() ([]byte, error)
	// SVG returns the figure encoded as SVG (UTF-8 text).
	SVG() ([]byte, error)
}

// FiguresEnv is the environment variable naming the folder Display writes
// figures into when not running in a notebook.
const FiguresEnv = "ASTRONB_FIGURES"

// FiguresDir returns the folder Display writes figures into outside a
// notebook: $ASTRONB_FIGURES if set and non-empty, else "figures" (relative
// to the working directory). The folder is not created by FiguresDir.
func FiguresDir() string {
	if d := os.Getenv(FiguresEnv); d != "" {
		return d
	}
	return "figures"
}

// sendData publishes a display_data message; tests replace it.
var sendData = gonbui.SendData

// syncNotebook waits until the kernel has received everything sent so far;
// tests replace it.
var syncNotebook = gonbui.Sync

// Display shows figures.
//
// In a GoNB notebook (gonbui.IsNotebook) each figure becomes one display_data
// output whose data bundle carries both "image/png" and "image/svg+xml", so
// the front end (or nbconvert) picks the representation it prefers and a
// saved notebook keeps both. The output's metadata records the figure's
// name ("astronb/figure": NAME).
//
// Outside a notebook each figure is written to FiguresDir() as NAME.png and
// NAME.svg (the folder is created if needed) and the written paths are
// printed to standard output, one per line.
//
// A figure that fails to render or save does not stop the others; all
// failures are returned joined. Display with no figures does nothing.
func Display(figs ...Figure) error {
	if gonbui.IsNotebook {
		return displayNotebook(figs)
	}
	_, err := saveFigures(os.Stdout, FiguresDir(), figs)
	return err
}

// SaveFigures writes each figure into dir as NAME.png and NAME.svg, creating
// dir if needed, and returns the paths written. It is what Display does
// outside a notebook, minus printing the paths.
func SaveFigures(dir string, figs ...Figure) ([]string, error) {
	return saveFigures(nil, dir, figs)
}

func saveFigures(w io.Writer, dir string, figs []Figure) ([]string, error) {
	if len(figs) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("kernelext: creating figures folder: %w", err)
	}
	var paths []string
	var errs []error
	for i, f := range figs {
		name, png, svg, err := render(i, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, out := range []struct {
			ext  string
			data []byte
		}{{".png", png}, {".svg", svg}} {
			p := filepath.Join(dir, name+out.ext)
			if err := writeFileAtomic(p, out.data); err != nil {
				errs = append(errs, fmt.Errorf("kernelext: saving figure %q: %w", name, err))
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

func displayNotebook(figs []Figure) error {
	var errs []error
	for i, f := range figs {
		name, png, svg, err := render(i, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sendData(&protocol.DisplayData{
			// The figure's name, for tools that save the outputs as files
			// (nbrun names them NOTEBOOK_NAME.png/.svg).
			Metadata: map[string]any{markup.FigureMetadata: name},
			Data: map[protocol.MIMEType]any{
				// Raw bytes, exactly as gonbui.DisplayPng sends them: the
				// kernel JSON-encodes the bundle, and encoding/json turns a
				// []byte into the base64 string Jupyter expects for image/png.
				protocol.MIMEImagePNG: png,
				protocol.MIMEImageSVG: string(svg),
			},
		})
	}
	// Without a sync a short cell can end before the kernel has read the
	// figures, and they are lost from the cell's outputs.
	syncNotebook()
	// gonbui.SendData only logs failures; its sticky error state is the only
	// way to learn that the pipe to the kernel broke.
	if err := gonbui.Error(); err != nil {
		errs = append(errs, fmt.Errorf("kernelext: sending figures to the notebook: %w", err))
	}
	return errors.Join(errs...)
}

// render validates a figure and produces both encodings.
func render(i int, f Figure) (name string, png, svg []byte, err error) {
	if f == nil {
		return "", nil, nil, fmt.Errorf("kernelext: figure #%d is nil", i)
	}
	name = f.Name()
	if err := checkName(name); err != nil {
		return "", nil, nil, fmt.Errorf("kernelext: figure #%d: %w", i, err)
	}
	png, err = f.PNG()
	if err != nil {
		return "", nil, nil, fmt.Errorf("kernelext: figure %q: PNG: %w", name, err)
	}
	svg, err = f.SVG()
	if err != nil {
		return "", nil, nil, fmt.Errorf("kernelext: figure %q: SVG: %w", name, err)
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

// writeFileAtomic writes data to a temporary file in the same folder and
// renames it onto path, so readers never see a half-written file.
func writeFileAtomic(path string, data []byte) error {
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
