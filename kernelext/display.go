package kernelext

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/astronb/astronb/internal/figfile"
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
		return displayNotebook(figs, nil)
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

// saveFigures writes the figures with figfile, printing the paths to w if
// it is not nil.
func saveFigures(w io.Writer, dir string, figs []Figure) ([]string, error) {
	paths, err := figfile.Save(w, dir, asFiles(figs)...)
	if err != nil {
		err = fmt.Errorf("kernelext: %w", err)
	}
	return paths, err
}

func asFiles(figs []Figure) []figfile.Figure {
	out := make([]figfile.Figure, len(figs))
	for i, f := range figs {
		if f != nil {
			out[i] = f
		}
	}
	return out
}

// View shows figures in place: in a notebook each Show replaces the
// figures of the previous one (the same outputs, updated), so a cell that
// redraws — a live explorer, say — does not pile figures up. Outside a
// notebook Show is Display.
type View struct {
	id    string
	shown int // outputs the view has
}

// NewView returns a View with no figures yet.
func NewView() *View { return &View{id: "astronb_view_" + gonbui.UniqueId()} }

// Show shows figs in place of the view's previous figures; outputs left
// over from a longer previous Show are emptied.
func (v *View) Show(figs ...Figure) error {
	if !gonbui.IsNotebook {
		return Display(figs...)
	}
	return v.show(figs)
}

func (v *View) show(figs []Figure) error {
	err := displayNotebook(figs, func(i int) string { return fmt.Sprintf("%s_%d", v.id, i) })
	for i := len(figs); i < v.shown; i++ {
		sendData(&protocol.DisplayData{
			Data:      map[protocol.MIMEType]any{protocol.MIMETextPlain: ""},
			DisplayID: fmt.Sprintf("%s_%d", v.id, i),
		})
	}
	syncNotebook()
	v.shown = max(v.shown, len(figs))
	return err
}

// displayNotebook sends each figure as one output, with the display id
// that id returns for its index (nil: plain outputs).
func displayNotebook(figs []Figure, id func(int) string) error {
	var errs []error
	for i, f := range figs {
		var ff figfile.Figure
		if f != nil {
			ff = f
		}
		name, png, svg, err := figfile.Render(i, ff)
		if err != nil {
			errs = append(errs, fmt.Errorf("kernelext: %w", err))
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
			DisplayID: displayID(id, i),
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

// writeFileAtomic writes a file atomically (see figfile.WriteFileAtomic).
func writeFileAtomic(path string, data []byte) error { return figfile.WriteFileAtomic(path, data) }

func displayID(id func(int) string, i int) string {
	if id == nil {
		return ""
	}
	return id(i)
}
