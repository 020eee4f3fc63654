package plots

import (
	"image/color"
	"math"

	"github.com/astronb/astronb/analysis"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours used by NEST's raster plot and the example's dynamics figure.
var (
	colorC0     = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff} // matplotlib "C0" / "tab:blue"
	colorGreen  = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff} // "tab:green"
	colorPurple = color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff} // "tab:purple"
	colorBlue   = color.RGBA{B: 0xff, A: 0xff}                   // "blue"
)

// rasterDotRadius is the radius of matplotlib's "." marker (markersize 6,
// scaled by 0.5, plus its 1 pt edge).
const rasterDotRadius vg.Length = 2

// Raster reproduces nest.raster_plot.from_device(sr, hist=True,
// title=title): a raster panel (one dot per spike, spike time in ms against
// sender ID, title on top, no x ticks) above a population-rate histogram
// (see RateHistogram; binWidth in ms, NEST's default is 5.0) drawn as bars
// of width binWidth centred on the left bin edges. Both panels share the x
// range. Panel positions are NEST's figure fractions [left, bottom, width,
// height]: raster [0.1, 0.3, 0.85, 0.6], histogram [0.1, 0.1, 0.85, 0.17].
// The figure's Name is "raster".
func Raster(sp Spikes, title string, binWidth float64) (*Figure, error) {
	edges, heights, err := analysis.RateHistogram(sp, binWidth)
	if err != nil {
		return nil, err
	}
	xy := make(plotter.XYs, len(sp.Times))
	for i, t := range sp.Times {
		xy[i] = plotter.XY{X: t, Y: float64(sp.Senders[i])}
	}
	dots, err := plotter.NewScatter(xy)
	if err != nil {
		return nil, err
	}
	dots.GlyphStyle = draw.GlyphStyle{Color: colorC0, Radius: rasterDotRadius, Shape: draw.CircleGlyph{}}

	tlo, thi, _ := finiteRange(sp.Times)
	ids := make([]float64, len(sp.Senders))
	for i, s := range sp.Senders {
		ids[i] = float64(s)
	}
	ylo, yhi, _ := finiteRange(ids)

	raster := &panel{title: title, y: axisSpec{label: "Neuron ID", integer: true}, x: axisSpec{noTicks: true}}
	raster.x.min, raster.x.max = paddedRange(tlo, thi)
	raster.y.min, raster.y.max = paddedRange(ylo, yhi)
	raster.add(false, dots)

	yticks := rateTicks(heights)
	hist := &panel{
		x: axisSpec{min: raster.x.min, max: raster.x.max, label: "Time (ms)"},
		y: axisSpec{min: 0, max: yticks[len(yticks)-1], label: "Rate (Hz)", ticks: yticks},
	}
	if _, hmax, _ := finiteRange(heights); hmax*(1+autoMargin) > hist.y.max {
		hist.y.max = hmax * (1 + autoMargin)
	}
	hist.add(false, &bars{edges: edges, heights: heights, width: binWidth})

	return newFigure("raster", func(c draw.Canvas) {
		raster.draw(figureAxes(c, 0.1, 0.3, 0.85, 0.6))
		hist.draw(figureAxes(c, 0.1, 0.1, 0.85, 0.17))
	}), nil
}

// rateTicks returns NEST's histogram y ticks
// [int(v) for v in numpy.linspace(0, int(1.1·max(heights)) + 5, 4)] (Hz).
func rateTicks(heights []float64) []float64 {
	_, hmax, ok := finiteRange(heights)
	if !ok {
		hmax = 0
	}
	stop := math.Trunc(math.Trunc(1.1*hmax) + 5)
	step := stop / 3
	return []float64{0, math.Trunc(step), math.Trunc(2 * step), stop}
}

// figureAxes returns the sub-canvas of c at the figure fractions
// [left, bottom, width, height] (matplotlib's fig.add_axes rectangle).
func figureAxes(c draw.Canvas, left, bottom, width, height float64) draw.Canvas {
	w, h := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
	return draw.Crop(c,
		vg.Length(left)*w, -vg.Length(1-left-width)*w,
		vg.Length(bottom)*h, -vg.Length(1-bottom-height)*h)
}

// bars is a bar chart in data coordinates: a bar of the given width centred
// on each x in edges, from 0 to the matching height, filled blue with a
// black edge like matplotlib's bar(color="blue", edgecolor="black").
type bars struct {
	edges, heights []float64
	width          float64
}

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	edge := draw.LineStyle{Color: color.Black, Width: patchLineW}
	for i, x := range b.edges {
		x0, x1 := tx(x-b.width/2), tx(x+b.width/2)
		y0, y1 := ty(0), ty(b.heights[i])
		rect := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}}
		c.FillPolygon(colorBlue, c.ClipPolygonXY(rect))
		c.StrokeLines(edge, c.ClipLinesXY(rect)...)
	}
}
