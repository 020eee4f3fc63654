package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Palette is matplotlib's default colour cycle ("tab10": C0 … C9). Series
// without a colour take the next one, per panel.
var Palette = []color.RGBA{
	{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // C0 tab:blue
	{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, // C1 tab:orange
	{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, // C2 tab:green
	{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // C3 tab:red
	{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, // C4 tab:purple
	{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff}, // C5 tab:brown
	{R: 0xe3, G: 0x77, B: 0xc2, A: 0xff}, // C6 tab:pink
	{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff}, // C7 tab:gray
	{R: 0xbc, G: 0xbd, B: 0x22, A: 0xff}, // C8 tab:olive
	{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff}, // C9 tab:cyan
}

// Style of Curves, after matplotlib's rcParams.
const (
	curveLineWidth  vg.Length = 1.5 // lines.linewidth
	curveMarkerSize vg.Length = 3   // radius of the "o" marker (markersize 6)
	refLineWidth    vg.Length = 1
	legendFontSize  vg.Length = 10
	legendHandleLen vg.Length = 20 // handlelength 2 em
	legendPad       vg.Length = 4  // borderpad 0.4 em
	legendSpacing   vg.Length = 5  // labelspacing 0.5 em
	legendTextPad   vg.Length = 8  // handletextpad 0.8 em
	legendAxesPad   vg.Length = 5  // borderaxespad 0.5 em
)

var (
	refLineColor = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	legendEdge   = color.RGBA{R: 0xcc, G: 0xcc, B: 0xcc, A: 0xff}
	legendFace   = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xcc} // framealpha 0.8
)

// Series is one curve of a Panel: Y against X, drawn as a line, as markers,
// or both. Points with a non-finite X or Y are left out and break the line.
type Series struct {
	Label string    // legend entry; "" keeps the series out of the legend
	X, Y  []float64 // same length
	// Band, if not nil, is the half-width of a shaded band Y ± Band (alpha
	// 0.3), e.g. a standard deviation; same length as Y.
	Band    []float64
	Color   color.Color // nil: the next colour of Palette in this panel
	Right   bool        // draw against the panel's right-hand y axis
	Markers bool        // a filled circle at every point
	NoLine  bool        // markers only (implies Markers)
	Dashed  bool
}

// HLine is a horizontal reference line (dashed) across a panel, e.g. a
// threshold. A labelled line appears in the legend.
type HLine struct {
	Y     float64
	Label string
	Color color.Color // nil: dark grey
	Right bool        // Y is in the units of the right-hand axis
}

// VLine is a vertical reference line (dotted) at X, e.g. an onset time.
type VLine struct {
	X     float64
	Label string
	Color color.Color // nil: dark grey
}

// LegendPos places a panel's legend inside its data area.
type LegendPos int

// Legend positions. The zero value is the upper right corner.
const (
	LegendUpperRight LegendPos = iota
	LegendUpperLeft
	LegendLowerRight
	LegendLowerLeft
	LegendNone
	// LegendAbove puts the entries in one row between the title and the
	// data area, where they never hide data.
	LegendAbove
)

// Panel is one axes of a Curves figure. A right-hand y axis (twinx) is
// drawn when a series or line uses it.
type Panel struct {
	Title           string
	YLabel, Y2Label string
	YColor, Y2Color color.Color // tick-label colours (nil: black)
	YMin, YMax      float64     // fixed left y limits when YMin < YMax, else autoscaled
	YInteger        bool        // left y ticks only at integers (e.g. node IDs)
	Y2Min, Y2Max    float64     // the same for the right-hand axis
	Series          []Series
	HLines          []HLine
	VLines          []VLine
	Legend          LegendPos
}

// Chart describes a Curves figure: panels stacked top to bottom, sharing
// the x axis, which is labelled on the bottom panel only.
type Chart struct {
	Name       string // figure name (file stem); default "curves"
	XLabel     string
	XMin, XMax float64 // fixed x limits when XMin < XMax, else autoscaled
	XInteger   bool    // x ticks only at integers (e.g. node IDs)
	Panels     []Panel
}

// Curves draws a Chart: value-against-parameter curves or simple time
// series, several per panel, with optional ± bands, markers, reference
// lines, a twin y axis and a legend, in matplotlib's default style.
// Autoscaled limits cover all finite points (and bands and reference
// lines) with 5 % margins. The figure is 6.4 in wide; its height is 4.8 in
// for up to two panels and 2.1 in more for each further panel.
//
// Every series must have len(X) == len(Y) (and len(Band) == len(Y) if set);
// a chart without panels, or whose series hold no finite point, is an
// ErrNoData error.
func Curves(ch Chart) (*Figure, error) {
	if len(ch.Panels) == 0 {
		return nil, fmt.Errorf("plots: curves: no panels: %w", ErrNoData)
	}
	finite := false
	var xs [][]float64
	for i, p := range ch.Panels {
		for j, s := range p.Series {
			if len(s.X) != len(s.Y) {
				return nil, fmt.Errorf("plots: curves: panel %d, series %d (%q): %d x but %d y", i, j, s.Label, len(s.X), len(s.Y))
			}
			if s.Band != nil && len(s.Band) != len(s.Y) {
				return nil, fmt.Errorf("plots: curves: panel %d, series %d (%q): band has %d values for %d points", i, j, s.Label, len(s.Band), len(s.Y))
			}
			for k := range s.X {
				if isFinite(s.X[k]) && isFinite(s.Y[k]) {
					finite = true
					break
				}
			}
			xs = append(xs, s.X)
		}
		for _, v := range p.VLines {
			xs = append(xs, []float64{v.X})
		}
	}
	if !finite {
		return nil, fmt.Errorf("plots: curves: no finite point: %w", ErrNoData)
	}
	x := axisSpec{min: ch.XMin, max: ch.XMax, integer: ch.XInteger}
	if !(ch.XMin < ch.XMax) {
		lo, hi, _ := finiteRange(xs...)
		x.min, x.max = paddedRange(lo, hi)
	}

	panels := make([]*panel, len(ch.Panels))
	legends := make([][]legendEntry, len(ch.Panels))
	twin := false
	for i, p := range ch.Panels {
		pp, entries := p.build(x)
		if i < len(ch.Panels)-1 {
			pp.x.noLabels = true
		} else {
			pp.x.label = ch.XLabel
		}
		panels[i], legends[i] = pp, entries
		twin = twin || pp.y2 != nil
	}
	name := ch.Name
	if name == "" {
		name = "curves"
	}
	f := newFigure(name, func(c draw.Canvas) {
		w := c.Max.X - c.Min.X
		right := vg.Length(1-subplotRight) * w
		if twin {
			right = 0.14 * w
		}
		gap := vg.Length(0.3 * vg.Inch)
		for _, p := range ch.Panels[1:] {
			g := vg.Length(0.3 * vg.Inch)
			if p.Title != "" {
				g = 0.5 * vg.Inch
			}
			if p.Legend == LegendAbove {
				g += legendRowHeight()
			}
			gap = max(gap, g)
		}
		top := vg.Length(0.4 * vg.Inch)
		if ch.Panels[0].Title != "" {
			top = 0.55 * vg.Inch
		}
		if ch.Panels[0].Legend == LegendAbove {
			top += legendRowHeight()
		}
		bottom := vg.Length(0.6 * vg.Inch)
		if ch.XLabel == "" {
			bottom = 0.45 * vg.Inch
		}
		tiles := draw.Tiles{
			Rows: len(panels), Cols: 1,
			PadTop: top, PadBottom: bottom,
			PadLeft: vg.Length(subplotLeft) * w, PadRight: right,
			PadY: gap,
		}
		for i, p := range panels {
			da := tiles.At(c, 0, i)
			if ch.Panels[i].Legend != LegendAbove || len(legends[i]) == 0 {
				p.draw(da)
				drawLegend(da, legends[i], ch.Panels[i].Legend)
				continue
			}
			// Title above the legend row.
			title := p.title
			p.title = ""
			p.draw(da)
			p.title = title
			row := drawLegendRow(da, legends[i])
			if title != "" {
				ts := textStyle{size: titleSize, color: black}
				r := da.Rectangle
				ts.draw(da, title, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: r.Max.Y + row + titlePad}, 0.5, vaBaseline, 0)
			}
		}
	})
	if n := len(ch.Panels); n > 2 {
		f.Height = DefaultHeight + vg.Length(n-2)*2.1*vg.Inch
	}
	return f, nil
}

// build turns a Panel into a drawable panel and its legend entries.
func (p Panel) build(x axisSpec) (*panel, []legendEntry) {
	pp := &panel{title: p.Title, x: x,
		y: axisSpec{label: p.YLabel, labelColor: p.YColor, integer: p.YInteger}}
	pp.x.label, pp.x.noLabels = "", false
	var left, right [][]float64
	useRight := false
	for _, s := range p.Series {
		useRight = useRight || s.Right
	}
	for _, l := range p.HLines {
		useRight = useRight || l.Right
	}
	if useRight {
		pp.y2 = &axisSpec{label: p.Y2Label, labelColor: p.Y2Color}
	}
	var entries []legendEntry
	next := 0
	for _, s := range p.Series {
		col := s.Color
		if col == nil {
			col = Palette[next%len(Palette)]
			next++
		}
		ys := make([]float64, 0, len(s.Y))
		var lo, hi []float64
		for i := range s.Y {
			if !isFinite(s.X[i]) {
				continue
			}
			ys = append(ys, s.Y[i])
			if s.Band != nil {
				lo = append(lo, s.Y[i]-s.Band[i])
				hi = append(hi, s.Y[i]+s.Band[i])
			}
		}
		if s.Right {
			right = append(right, ys, lo, hi)
		} else {
			left = append(left, ys, lo, hi)
		}
		cs := &curve{s: s, color: col}
		pp.add(s.Right, cs)
		if s.Label != "" {
			entries = append(entries, legendEntry{label: s.Label, line: !s.NoLine, marker: s.Markers || s.NoLine,
				dashed: s.Dashed, color: col, width: curveLineWidth})
		}
	}
	for _, l := range p.HLines {
		col := l.Color
		if col == nil {
			col = refLineColor
		}
		if l.Right {
			right = append(right, []float64{l.Y})
		} else {
			left = append(left, []float64{l.Y})
		}
		pp.add(l.Right, &refLine{y: l.Y, horizontal: true, color: col})
		if l.Label != "" {
			entries = append(entries, legendEntry{label: l.Label, line: true, dashed: true, color: col, width: refLineWidth})
		}
	}
	for _, l := range p.VLines {
		col := l.Color
		if col == nil {
			col = refLineColor
		}
		pp.add(false, &refLine{x: l.X, color: col})
		if l.Label != "" {
			entries = append(entries, legendEntry{label: l.Label, line: true, dotted: true, color: col, width: refLineWidth})
		}
	}
	setLimits(&pp.y, p.YMin, p.YMax, left)
	if pp.y2 != nil {
		setLimits(pp.y2, p.Y2Min, p.Y2Max, right)
	}
	return pp, entries
}

// setLimits fixes a's limits to [lo, hi] if lo < hi, else autoscales them
// to the finite values.
func setLimits(a *axisSpec, lo, hi float64, values [][]float64) {
	if lo < hi {
		a.min, a.max = lo, hi
		return
	}
	dlo, dhi, ok := finiteRange(values...)
	if !ok {
		dlo, dhi = 0, 1
	}
	a.min, a.max = paddedRange(dlo, dhi)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// curve draws one Series.
type curve struct {
	s     Series
	color color.Color
}

// dashes returns matplotlib's dash pattern for "--" (3.7, 1.6) or ":"
// (1, 1.65), scaled by the line width.
func dashes(dotted bool, w vg.Length) []vg.Length {
	if dotted {
		return []vg.Length{1 * w, 1.65 * w}
	}
	return []vg.Length{3.7 * w, 1.6 * w}
}

// Plot implements plot.Plotter.
func (cv *curve) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	s := cv.s
	if s.Band != nil {
		var up, down []vg.Point
		flush := func() {
			if len(up) > 1 {
				poly := append(slices.Clone(up), reversed(down)...)
				r, g, b, _ := cv.color.RGBA()
				band := color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: uint8(bandAlpha*255 + 0.5)}
				c.FillPolygon(band, c.ClipPolygonXY(poly))
			}
			up, down = up[:0], down[:0]
		}
		for i := range s.X {
			if !isFinite(s.X[i]) || !isFinite(s.Y[i]) || !isFinite(s.Band[i]) {
				flush()
				continue
			}
			x := tx(s.X[i])
			up = append(up, vg.Point{X: x, Y: ty(s.Y[i] + s.Band[i])})
			down = append(down, vg.Point{X: x, Y: ty(s.Y[i] - s.Band[i])})
		}
		flush()
	}
	if !s.NoLine {
		ls := draw.LineStyle{Color: cv.color, Width: curveLineWidth}
		if s.Dashed {
			ls.Dashes = dashes(false, curveLineWidth)
		}
		var seg []vg.Point
		flush := func() {
			if len(seg) > 1 {
				c.StrokeLines(ls, c.ClipLinesXY(seg)...)
			}
			seg = seg[:0]
		}
		for i := range s.X {
			if !isFinite(s.X[i]) || !isFinite(s.Y[i]) {
				flush()
				continue
			}
			seg = append(seg, vg.Point{X: tx(s.X[i]), Y: ty(s.Y[i])})
		}
		flush()
	}
	if s.Markers || s.NoLine {
		gs := draw.GlyphStyle{Color: cv.color, Radius: curveMarkerSize, Shape: draw.CircleGlyph{}}
		for i := range s.X {
			if !isFinite(s.X[i]) || !isFinite(s.Y[i]) {
				continue
			}
			pt := vg.Point{X: tx(s.X[i]), Y: ty(s.Y[i])}
			if c.Contains(pt) {
				c.DrawGlyph(gs, pt)
			}
		}
	}
}

func reversed(ps []vg.Point) []vg.Point {
	out := slices.Clone(ps)
	slices.Reverse(out)
	return out
}

// refLine draws an HLine (dashed) or a VLine (dotted).
type refLine struct {
	horizontal bool
	x, y       float64
	color      color.Color
}

// Plot implements plot.Plotter.
func (l *refLine) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	ls := draw.LineStyle{Color: l.color, Width: refLineWidth, Dashes: dashes(!l.horizontal, refLineWidth)}
	var a, b vg.Point
	if l.horizontal {
		if !isFinite(l.y) {
			return
		}
		a, b = vg.Point{X: c.Min.X, Y: ty(l.y)}, vg.Point{X: c.Max.X, Y: ty(l.y)}
	} else {
		if !isFinite(l.x) {
			return
		}
		a, b = vg.Point{X: tx(l.x), Y: c.Min.Y}, vg.Point{X: tx(l.x), Y: c.Max.Y}
	}
	c.StrokeLines(ls, c.ClipLinesXY([]vg.Point{a, b})...)
}

// legendEntry is one row of a legend.
type legendEntry struct {
	label          string
	line, marker   bool
	dashed, dotted bool
	color          color.Color
	width          vg.Length
}

// drawLegend draws a framed legend of entries in a corner of the data area
// da (matplotlib's legend(loc=...) with its default paddings).
func drawLegend(da draw.Canvas, entries []legendEntry, pos LegendPos) {
	if len(entries) == 0 || pos == LegendNone || pos == LegendAbove {
		return
	}
	ts := textStyle{size: legendFontSize, color: black}
	var textW vg.Length
	_, asc, desc := ts.extent("Ag")
	rowH := asc + desc
	for _, e := range entries {
		w, _, _ := ts.extent(e.label)
		textW = max(textW, w)
	}
	n := vg.Length(len(entries))
	boxW := 2*legendPad + legendHandleLen + legendTextPad + textW
	boxH := 2*legendPad + n*rowH + (n-1)*legendSpacing
	r := da.Rectangle
	var x0, y1 vg.Length // left edge and top edge of the box
	switch pos {
	case LegendUpperLeft, LegendLowerLeft:
		x0 = r.Min.X + legendAxesPad
	default:
		x0 = r.Max.X - legendAxesPad - boxW
	}
	switch pos {
	case LegendLowerLeft, LegendLowerRight:
		y1 = r.Min.Y + legendAxesPad + boxH
	default:
		y1 = r.Max.Y - legendAxesPad
	}
	box := []vg.Point{{X: x0, Y: y1 - boxH}, {X: x0 + boxW, Y: y1 - boxH}, {X: x0 + boxW, Y: y1}, {X: x0, Y: y1}}
	da.FillPolygon(legendFace, box)
	da.StrokeLines(draw.LineStyle{Color: legendEdge, Width: spineWidth}, append(box, box[0]))
	for i, e := range entries {
		yc := y1 - legendPad - vg.Length(i)*(rowH+legendSpacing) - rowH/2
		drawLegendEntry(da, e, x0+legendPad, yc, ts)
	}
}

// legendRowHeight is the height taken by a LegendAbove row.
func legendRowHeight() vg.Length {
	ts := textStyle{size: legendFontSize, color: black}
	_, asc, desc := ts.extent("Ag")
	return asc + desc + 2*legendPad
}

// drawLegendRow draws the entries in one unframed row centred just above
// the data area da and returns the height it takes. A row wider than the
// data area is drawn as a framed legend in the upper right corner instead
// (returning 0).
func drawLegendRow(da draw.Canvas, entries []legendEntry) vg.Length {
	ts := textStyle{size: legendFontSize, color: black}
	widths := make([]vg.Length, len(entries))
	var total vg.Length
	for i, e := range entries {
		w, _, _ := ts.extent(e.label)
		widths[i] = legendHandleLen + legendTextPad + w
		total += widths[i]
	}
	total += vg.Length(len(entries)-1) * 2 * legendTextPad
	r := da.Rectangle
	if total > r.Max.X-r.Min.X {
		drawLegend(da, entries, LegendUpperRight)
		return 0
	}
	x := (r.Min.X+r.Max.X)/2 - total/2
	h := legendRowHeight()
	yc := r.Max.Y + h/2
	for i, e := range entries {
		drawLegendEntry(da, e, x, yc, ts)
		x += widths[i] + 2*legendTextPad
	}
	return h
}

// drawLegendEntry draws one entry's handle starting at x and its label,
// centred vertically on yc.
func drawLegendEntry(da draw.Canvas, e legendEntry, x, yc vg.Length, ts textStyle) {
	if e.line {
		ls := draw.LineStyle{Color: e.color, Width: e.width}
		if e.dashed || e.dotted {
			ls.Dashes = dashes(e.dotted, e.width)
		}
		da.StrokeLine2(ls, x, yc, x+legendHandleLen, yc)
	}
	if e.marker {
		da.DrawGlyphNoClip(draw.GlyphStyle{Color: e.color, Radius: curveMarkerSize, Shape: draw.CircleGlyph{}},
			vg.Point{X: x + legendHandleLen/2, Y: yc})
	}
	ts.draw(da, e.label, vg.Point{X: x + legendHandleLen + legendTextPad, Y: yc}, 0, 0.5, 0)
}
