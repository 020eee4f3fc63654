package plots

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Matplotlib's default style (rcParams). Lengths are vg.Length, i.e. points.
const (
	fontSize   vg.Length = 10  // tick labels, axis labels
	titleSize  vg.Length = 12  // "large"
	spineWidth vg.Length = 0.8 // axes frame
	tickLength vg.Length = 3.5 // major ticks, pointing outwards
	tickWidth  vg.Length = 0.8
	tickPad    vg.Length = 3.5 // tick to tick label
	labelPad   vg.Length = 4   // tick labels to axis label
	titlePad   vg.Length = 6   // axes top to title baseline
	patchLineW vg.Length = 1   // edges of bars
)

const (
	autoMargin    = 0.05 // axes.xmargin / axes.ymargin: autoscale padding
	maxAutoBins   = 9    // MaxNLocator's upper limit on tick intervals
	xTickSpaceFac = 3    // XAxis.get_tick_space: length / (3·fontsize) intervals
	yTickSpaceFac = 2    // YAxis.get_tick_space: length / (2·fontsize) intervals
	unicodeMinus  = "\u2212"
	quarterTurn   = math.Pi / 2
)

var black = color.Black

// axisSpec describes one axis of a panel: its data limits, label and ticks.
type axisSpec struct {
	min, max   float64
	label      string
	ticks      []float64   // fixed tick positions; nil selects automatic ticks
	noTicks    bool        // draw neither ticks nor tick labels
	noLabels   bool        // draw ticks without tick labels
	integer    bool        // automatic ticks only at integers (node IDs)
	labelColor color.Color // colour of the tick labels (default black)
}

// layer is a set of plotters drawn in the data coordinates of one y axis.
type layer struct {
	y        *axisSpec
	plotters []plot.Plotter
}

// panel is one matplotlib-like Axes: a framed data area with a bottom x
// axis, a left y axis, an optional right y axis (twinx) and a title.
type panel struct {
	title  string
	x      axisSpec
	y      axisSpec
	y2     *axisSpec // optional right-hand axis with its own scale
	layers []layer
}

// add appends plotters drawn against the panel's y axis (right=false) or
// against its right-hand axis y2 (right=true), which is created on demand.
func (p *panel) add(right bool, ps ...plot.Plotter) {
	y := &p.y
	if right {
		if p.y2 == nil {
			p.y2 = &axisSpec{}
		}
		y = p.y2
	}
	p.layers = append(p.layers, layer{y: y, plotters: ps})
}

// draw renders the panel with its data area (inside the frame) at da.
// Axis decorations, labels and title are drawn outside da.
func (p *panel) draw(da draw.Canvas) {
	for _, l := range p.layers {
		pl := plot.New()
		pl.X.Min, pl.X.Max = p.x.min, p.x.max
		pl.Y.Min, pl.Y.Max = l.y.min, l.y.max
		for _, ps := range l.plotters {
			ps.Plot(da, pl)
		}
	}

	r := da.Rectangle
	da.StrokeLines(draw.LineStyle{Color: black, Width: spineWidth}, []vg.Point{
		r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min,
	})

	drawXAxis(da, &p.x)
	drawYAxis(da, &p.y, -1)
	if p.y2 != nil {
		drawYAxis(da, p.y2, +1)
	}

	if p.title != "" {
		ts := textStyle{size: titleSize, color: black}
		ts.draw(da, p.title, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: r.Max.Y + titlePad}, 0.5, vaBaseline, 0)
	}
}

// drawXAxis draws the ticks, tick labels and label of a bottom x axis.
func drawXAxis(da draw.Canvas, a *axisSpec) {
	r := da.Rectangle
	ts := textStyle{size: fontSize, color: orBlack(a.labelColor)}
	y := r.Min.Y - tickLength - tickPad
	if !a.noTicks {
		pos, labels := a.ticksFor(r.Max.X-r.Min.X, xTickSpaceFac)
		for i, v := range pos {
			x := r.Min.X + vg.Length(norm(v, a.min, a.max))*(r.Max.X-r.Min.X)
			da.StrokeLine2(draw.LineStyle{Color: black, Width: tickWidth}, x, r.Min.Y, x, r.Min.Y-tickLength)
			if !a.noLabels {
				ts.draw(da, labels[i], vg.Point{X: x, Y: y}, 0.5, 1, 0)
			}
		}
		if !a.noLabels {
			_, asc, desc := ts.extent("0")
			y -= asc + desc
		}
	}
	if a.label != "" {
		ls := textStyle{size: fontSize, color: black}
		ls.draw(da, a.label, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: y - labelPad}, 0.5, 1, 0)
	}
}

// drawYAxis draws the ticks, tick labels and label of a y axis on the left
// (side = -1) or right (side = +1) edge of the data area.
func drawYAxis(da draw.Canvas, a *axisSpec, side float64) {
	r := da.Rectangle
	edge := r.Min.X
	if side > 0 {
		edge = r.Max.X
	}
	dir := vg.Length(side)
	ts := textStyle{size: fontSize, color: orBlack(a.labelColor)}
	var widest vg.Length
	if !a.noTicks {
		pos, labels := a.ticksFor(r.Max.Y-r.Min.Y, yTickSpaceFac)
		for i, v := range pos {
			y := r.Min.Y + vg.Length(norm(v, a.min, a.max))*(r.Max.Y-r.Min.Y)
			da.StrokeLine2(draw.LineStyle{Color: black, Width: tickWidth}, edge, y, edge+dir*tickLength, y)
			if a.noLabels {
				continue
			}
			s := labels[i]
			w, _, _ := ts.extent(s)
			widest = max(widest, w)
			// Right-aligned on the left axis, left-aligned on the right axis.
			ts.draw(da, s, vg.Point{X: edge + dir*(tickLength+tickPad), Y: y}, (1-side)/2, 0.5, 0)
		}
	}
	off := tickLength + tickPad + widest + labelPad
	if a.label == "" {
		return
	}
	ls := textStyle{size: fontSize, color: black}
	// Rotated by 90° counter-clockwise, the text box's bottom faces right:
	// towards the panel on the left axis, away from it on the right axis.
	va := (1 + side) / 2
	ls.draw(da, a.label, vg.Point{X: edge + dir*off, Y: (r.Min.Y + r.Max.Y) / 2}, 0.5, va, quarterTurn)
}

func orBlack(c color.Color) color.Color {
	if c == nil {
		return black
	}
	return c
}

// norm maps v from [lo, hi] to [0, 1].
func norm(v, lo, hi float64) float64 {
	return (v - lo) / (hi - lo)
}

// ticksFor returns the tick positions and labels of a: its fixed ticks, or
// else matplotlib-style automatic ticks for an axis of the given length,
// keeping only ticks inside the axis limits. Labels use the fewest decimals
// that print every tick exactly (like matplotlib's ScalarFormatter).
func (a *axisSpec) ticksFor(length vg.Length, spaceFac float64) (pos []float64, labels []string) {
	ticks := a.ticks
	if ticks == nil {
		nbins := int(math.Floor(float64(length / (fontSize * vg.Length(spaceFac)))))
		ticks = niceTicks(a.min, a.max, min(max(nbins, 1), maxAutoBins), a.integer)
	}
	eps := 1e-10 * (a.max - a.min)
	for _, t := range ticks {
		if t >= a.min-eps && t <= a.max+eps {
			pos = append(pos, t)
		}
	}
	d := decimalsFor(pos)
	labels = make([]string, len(pos))
	for i, v := range pos {
		labels[i] = formatTick(v, d)
	}
	return pos, labels
}

// niceTicks mimics matplotlib's MaxNLocator (steps 1, 2, 2.5, 5, 10): the
// smallest nice step ≥ (hi-lo)/nbins giving at least two ticks in range,
// with tick positions at integer multiples of the step. With integer set
// (MaxNLocator(integer=True)), only whole-number steps are used, so an axis
// of node IDs shows no "2.5".
func niceTicks(lo, hi float64, nbins int, integer bool) []float64 {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(nbins)
	if integer {
		raw = max(raw, 1)
	}
	scale := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, s := range []float64{1, 2, 2.5, 5, 10, 20, 25, 50, 100} {
		step := s * scale
		if step < raw*(1-1e-12) {
			continue
		}
		if integer && (step < 1 || step != math.Round(step)) {
			continue
		}
		first := math.Ceil(lo/step - 1e-9)
		last := math.Floor(hi/step + 1e-9)
		if last-first+1 < 2 {
			continue
		}
		ticks := make([]float64, 0, int(last-first)+1)
		for k := first; k <= last; k++ {
			ticks = append(ticks, k*step)
		}
		return ticks
	}
	return []float64{lo, hi}
}

// decimalsFor returns the number of decimals (0..9) needed to print all
// values without visible rounding.
func decimalsFor(vs []float64) int {
	for d := 0; d < 9; d++ {
		p := math.Pow(10, float64(d))
		ok := true
		for _, v := range vs {
			if x := v * p; math.Abs(x-math.Round(x)) > 1e-6*max(1, math.Abs(x)) {
				ok = false
				break
			}
		}
		if ok {
			return d
		}
	}
	return 9
}

func formatTick(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if s[0] == '-' {
		if z, err := strconv.ParseFloat(s, 64); err == nil && z == 0 {
			return s[1:] // no "−0"
		}
		return unicodeMinus + s[1:]
	}
	return s
}

// paddedRange returns matplotlib's autoscaled view limits for data in
// [lo, hi]: the range widened by autoMargin on both sides, or a unit-scale
// interval around a single value.
func paddedRange(lo, hi float64) (float64, float64) {
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		d := math.Abs(lo) * autoMargin
		if d == 0 {
			d = autoMargin
		}
		return lo - d, hi + d
	}
	m := (hi - lo) * autoMargin
	return lo - m, hi + m
}

// finiteRange returns the minimum and maximum of the finite values in all
// slices, and ok = false if there are none.
func finiteRange(vss ...[]float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, vs := range vss {
		for _, v := range vs {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return lo, hi, lo <= hi
}
