package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default figure geometry: matplotlib's default figure (6.4 in × 4.8 in)
// rendered at 120 dpi gives 768 × 576 px, the size of NEST's reference PNGs.
const (
	DefaultWidth  = 6.4 * vg.Inch
	DefaultHeight = 4.8 * vg.Inch
	DefaultDPI    = 120
)

// maxPixels bounds the PNG size so that absurd sizes fail instead of
// exhausting memory.
const maxPixels = 1 << 28

// Figure is a rendered-on-demand figure. Width and Height (vg.Length, i.e.
// points; use vg.Inch, vg.Centimeter, ...) set its size and DPI the PNG
// resolution (pixels per inch); they may be changed before rendering. Font
// sizes and line widths are absolute (points), as in matplotlib, so a larger
// figure has relatively smaller text.
type Figure struct {
	Width, Height vg.Length
	DPI           int

	name   string
	render func(c draw.Canvas)
}

// newFigure returns a figure with the default size.
func newFigure(name string, render func(c draw.Canvas)) *Figure {
	return &Figure{Width: DefaultWidth, Height: DefaultHeight, DPI: DefaultDPI, name: name, render: render}
}

// Name returns the figure's file-name stem, e.g. "raster" or "dynamics".
func (f *Figure) Name() string { return f.name }

// Named sets the figure's name (the file-name stem its files get, see
// kernelext.Display) and returns the figure, e.g.
// plots.Raster(...).Named("raster_fixed_indegree") when a notebook shows
// several rasters.
func (f *Figure) Named(name string) *Figure {
	if f != nil {
		f.name = name
	}
	return f
}

// checkSize reports whether the figure can be rendered.
func (f *Figure) checkSize(png bool) error {
	if f == nil || f.render == nil {
		return errors.New("plots: nil or uninitialised figure")
	}
	if !(f.Width > 0 && f.Height > 0) || math.IsInf(float64(f.Width+f.Height), 0) {
		return fmt.Errorf("plots: figure %q: invalid size %v × %v", f.name, f.Width, f.Height)
	}
	if !png {
		return nil
	}
	if f.DPI <= 0 {
		return fmt.Errorf("plots: figure %q: invalid DPI %d", f.name, f.DPI)
	}
	w, h := f.Pixels()
	if w < 1 || h < 1 || float64(w)*float64(h) > maxPixels {
		return fmt.Errorf("plots: figure %q: unsupported PNG size %d × %d px", f.name, w, h)
	}
	return nil
}

// Pixels returns the PNG size in pixels: the size in inches times DPI,
// rounded to the nearest integer (as vgimg does).
func (f *Figure) Pixels() (width, height int) {
	px := func(l vg.Length) int { return int(float64(l/vg.Inch)*float64(f.DPI) + 0.5) }
	return px(f.Width), px(f.Height)
}

// draw paints a white background and the figure onto c.
func (f *Figure) draw(c vg.CanvasSizer) {
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	f.render(dc)
}

// PNG renders the figure as a PNG image of Pixels() size.
func (f *Figure) PNG() ([]byte, error) {
	if err := f.checkSize(true); err != nil {
		return nil, err
	}
	c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(f.DPI))
	f.draw(c)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: figure %q: encoding PNG: %w", f.name, err)
	}
	return buf.Bytes(), nil
}

// SVG renders the figure as an SVG document whose width and height
// attributes are the figure size in points ("460.8pt").
func (f *Figure) SVG() ([]byte, error) {
	if err := f.checkSize(false); err != nil {
		return nil, err
	}
	c := vgsvg.NewWith(vgsvg.UseWH(f.Width, f.Height))
	f.draw(c)
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: figure %q: encoding SVG: %w", f.name, err)
	}
	return buf.Bytes(), nil
}
