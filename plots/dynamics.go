package plots

import (
	"fmt"
	"image/color"

	"github.com/astronb/astronb/analysis"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Style of the example's mean ± SD traces.
const (
	meanLineWidth vg.Length = 2
	bandAlpha               = 0.3
)

// matplotlib's default subplot parameters (figure fractions) used by
// plt.subplots(2, 1): left, right, bottom, top and the vertical gap hspace
// (a fraction of the mean axes height).
const (
	subplotLeft   = 0.125
	subplotRight  = 0.9
	subplotBottom = 0.11
	subplotTop    = 0.88
	subplotHSpace = 0.2
)

// trace is the population mean ± SD of one recorded quantity.
type trace struct {
	name            string
	times, mean, sd []float64
	senders         int // distinct senders
}

// newTrace validates s and computes its mean ± SD after start (ms).
func newTrace(name string, s Samples, start float64) (trace, error) {
	if err := s.Validate(); err != nil {
		return trace{}, fmt.Errorf("%w (%s)", err, name)
	}
	t, m, sd := analysis.MeanSD(s, start)
	if len(t) == 0 {
		return trace{}, fmt.Errorf("plots: %s: no samples after t = %v ms: %w", name, start, ErrNoData)
	}
	return trace{name: name, times: t, mean: m, sd: sd, senders: analysis.DistinctSenders(s.Senders)}, nil
}

// bounds returns the view limits of the trace's y axis: the range of
// mean ± SD with matplotlib's 5 % margins.
func (tr trace) bounds() (lo, hi float64) {
	lower := make([]float64, len(tr.mean))
	upper := make([]float64, len(tr.mean))
	for i, m := range tr.mean {
		lower[i], upper[i] = m-tr.sd[i], m+tr.sd[i]
	}
	lo, hi, ok := finiteRange(lower, upper, tr.mean)
	if !ok {
		lo, hi = 0, 1
	}
	return paddedRange(lo, hi)
}

// plotters returns the ±SD band (fill_between, alpha 0.3, no edge) and the
// mean line (width 2) of the trace in colour col, band first.
func (tr trace) plotters(col color.RGBA) ([]plot.Plotter, error) {
	n := len(tr.times)
	line := make(plotter.XYs, n)
	band := make(plotter.XYs, 2*n)
	for i, t := range tr.times {
		line[i] = plotter.XY{X: t, Y: tr.mean[i]}
		band[i] = plotter.XY{X: t, Y: tr.mean[i] + tr.sd[i]}
		band[2*n-1-i] = plotter.XY{X: t, Y: tr.mean[i] - tr.sd[i]}
	}
	l, err := plotter.NewLine(line)
	if err != nil {
		return nil, fmt.Errorf("plots: %s: mean ± SD must be finite: %w", tr.name, err)
	}
	l.LineStyle = draw.LineStyle{Color: col, Width: meanLineWidth}
	poly, err := plotter.NewPolygon(band)
	if err != nil {
		return nil, fmt.Errorf("plots: %s: mean ± SD must be finite: %w", tr.name, err)
	}
	poly.LineStyle.Width = 0
	poly.Color = color.NRGBA{R: col.R, G: col.G, B: col.B, A: uint8(bandAlpha*255 + 0.5)}
	return []plot.Plotter{poly, l}, nil
}

// Dynamics reproduces the example's plot_dynamics figure from multimeter
// samples: ip3 (IP3, µM) and ca (Ca²⁺, µM) of the astrocytes and sic
// (I_SIC, pA) of the neurons. Samples at times > start (ms) are used; for
// each time the population mean (line, width 2) ± population SD (band,
// alpha 0.3) across senders is drawn. The two panels share the time axis:
// the top one shows IP3 (tab:blue) on the left axis and Ca²⁺ (tab:green) on
// a twin right axis with its own scale, titled with the number of distinct
// ip3 senders; the bottom one shows SIC (tab:purple), titled with the number
// of distinct sic senders. Values must be finite. The figure's Name is
// "dynamics".
func Dynamics(ip3, ca, sic Samples, start float64) (*Figure, error) {
	var tr [3]trace
	for i, in := range []struct {
		name string
		s    Samples
	}{{"ip3", ip3}, {"ca", ca}, {"sic", sic}} {
		var err error
		if tr[i], err = newTrace(in.name, in.s, start); err != nil {
			return nil, err
		}
	}
	tIP3, tCa, tSIC := tr[0], tr[1], tr[2]

	tlo, thi, _ := finiteRange(tIP3.times, tCa.times, tSIC.times)
	x := axisSpec{}
	x.min, x.max = paddedRange(tlo, thi)

	top := &panel{
		title: fmt.Sprintf("IP_{3} and Ca^{2+} in astrocytes (n=%d)", tIP3.senders),
		x:     x,
		y:     axisSpec{label: "IP_{3} (µM)", labelColor: colorC0},
		y2:    &axisSpec{label: "Ca^{2+} (µM)", labelColor: colorGreen},
	}
	top.x.noLabels = true // sharex: tick labels only on the bottom panel
	top.y.min, top.y.max = tIP3.bounds()
	top.y2.min, top.y2.max = tCa.bounds()

	bottom := &panel{
		title: fmt.Sprintf("SIC in neurons (n=%d)", tSIC.senders),
		x:     x,
		y:     axisSpec{label: "SIC (pA)"},
	}
	bottom.x.label = "Time (ms)"
	bottom.y.min, bottom.y.max = tSIC.bounds()

	for _, l := range []struct {
		p     *panel
		right bool
		tr    trace
		col   color.RGBA
	}{{top, false, tIP3, colorC0}, {top, true, tCa, colorGreen}, {bottom, false, tSIC, colorPurple}} {
		ps, err := l.tr.plotters(l.col)
		if err != nil {
			return nil, err
		}
		l.p.add(l.right, ps...)
	}

	return newFigure("dynamics", func(c draw.Canvas) {
		w, h := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
		axesH := (subplotTop - subplotBottom) / (2 + subplotHSpace)
		tiles := draw.Tiles{
			Rows: 2, Cols: 1,
			PadTop:    vg.Length(1-subplotTop) * h,
			PadBottom: vg.Length(subplotBottom) * h,
			PadLeft:   vg.Length(subplotLeft) * w,
			PadRight:  vg.Length(1-subplotRight) * w,
			PadY:      vg.Length(subplotHSpace*axesH) * h,
		}
		top.draw(tiles.At(c, 0, 0))
		bottom.draw(tiles.At(c, 0, 1))
	}), nil
}
