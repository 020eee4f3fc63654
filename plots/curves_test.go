package plots

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"testing"

	"gonum.org/v1/plot/vg"
)

// testChart has every feature of Curves: three panels, a twin axis, bands,
// markers, dashed and marker-only series, reference lines, a gap (NaN) and
// several legend positions.
func testChart() Chart {
	var t, a, b, sd []float64
	for i := range 50 {
		x := float64(i) * 10
		t = append(t, x)
		a = append(a, math.Sin(x/60))
		b = append(b, 0.2+0.1*math.Cos(x/40))
		sd = append(sd, 0.1)
	}
	a[20] = math.NaN()
	return Chart{
		Name:   "test_curves",
		XLabel: "Time (ms)",
		Panels: []Panel{
			{
				Title: "IP_{3} and Ca^{2+}", YLabel: "IP_{3} (µM)", Y2Label: "Ca^{2+} (µM)",
				YColor: Palette[0], Y2Color: Palette[2],
				Series: []Series{
					{Label: "IP_{3}", X: t, Y: a, Band: sd},
					{Label: "Ca^{2+}", X: t, Y: b, Right: true, Color: Palette[2]},
				},
				HLines: []HLine{{Y: 0.197, Label: "SIC_{th}", Right: true}},
				VLines: []VLine{{X: 120, Label: "onset"}},
				Legend: LegendAbove,
			},
			{Title: "markers", YLabel: "SIC (pA)", Legend: LegendLowerLeft, Series: []Series{
				{Label: "dashed", X: t, Y: b, Dashed: true},
				{Label: "markers", X: t[:5], Y: a[:5], Markers: true},
				{Label: "NEST", X: []float64{250}, Y: []float64{0.5}, NoLine: true, Color: Palette[3]},
			}},
			{Title: "flat", YLabel: "zero", Legend: LegendNone, YMin: -1, YMax: 1,
				Series: []Series{{Label: "flat", X: t, Y: make([]float64, len(t))}}},
		},
	}
}

func TestCurvesRenders(t *testing.T) {
	f, err := Curves(testChart())
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "test_curves" {
		t.Errorf("name %q", f.Name())
	}
	if want := DefaultHeight + 2.1*vg.Inch; math.Abs(float64(f.Height-want)) > 1e-9 {
		t.Errorf("height %v, want %v for three panels", f.Height, want)
	}
	data, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := f.Pixels(); img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Errorf("PNG %v, want %d×%d", img.Bounds(), w, h)
	}
	// Something is drawn in the data area of each panel (not just white).
	nonWhite := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				nonWhite++
			}
		}
	}
	if nonWhite < 500 {
		t.Errorf("only %d non-white sample pixels", nonWhite)
	}
	if _, err := f.SVG(); err != nil {
		t.Fatal(err)
	}
}

func TestCurvesDefaultsAndLimits(t *testing.T) {
	ch := Chart{Panels: []Panel{{Series: []Series{{X: []float64{0, 0.01, 0.05}, Y: []float64{3.4, 3.5, 3.8}, Markers: true}}}}}
	f, err := Curves(ch)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "curves" || f.Height != DefaultHeight || f.Width != DefaultWidth {
		t.Errorf("got %q %v×%v", f.Name(), f.Width, f.Height)
	}
	p, _ := ch.Panels[0].build(axisSpec{min: 0, max: 1})
	if !(math.Abs(p.y.min-3.38) < 1e-9 && math.Abs(p.y.max-3.82) < 1e-9) {
		t.Errorf("autoscaled y = [%v, %v], want [3.38, 3.82]", p.y.min, p.y.max)
	}
	if p.y2 != nil {
		t.Error("right axis without right series")
	}
	ch.Panels[0].YMin, ch.Panels[0].YMax = 0, 10
	p, _ = ch.Panels[0].build(axisSpec{min: 0, max: 1})
	if p.y.min != 0 || p.y.max != 10 {
		t.Errorf("fixed y = [%v, %v]", p.y.min, p.y.max)
	}
	// Bands and reference lines count for the limits; NaNs do not.
	q := Panel{Series: []Series{{X: []float64{0, 1, 2}, Y: []float64{1, math.NaN(), 1}, Band: []float64{1, 1, 1}}},
		HLines: []HLine{{Y: 4}}}
	p, entries := q.build(axisSpec{min: 0, max: 2})
	if !(math.Abs(p.y.min-(-0.2)) < 1e-9 && math.Abs(p.y.max-4.2) < 1e-9) {
		t.Errorf("y = [%v, %v], want [-0.2, 4.2]", p.y.min, p.y.max)
	}
	if len(entries) != 0 {
		t.Errorf("unlabelled items in the legend: %v", entries)
	}
}

func TestCurvesErrors(t *testing.T) {
	for name, ch := range map[string]Chart{
		"no panels":   {},
		"mismatched":  {Panels: []Panel{{Series: []Series{{X: []float64{1, 2}, Y: []float64{1}}}}}},
		"short band":  {Panels: []Panel{{Series: []Series{{X: []float64{1, 2}, Y: []float64{1, 2}, Band: []float64{1}}}}}},
		"all NaN":     {Panels: []Panel{{Series: []Series{{X: []float64{1}, Y: []float64{math.NaN()}}}}}},
		"no series":   {Panels: []Panel{{Title: "empty"}}},
		"only a line": {Panels: []Panel{{HLines: []HLine{{Y: 1}}}}},
	} {
		f, err := Curves(ch)
		if err == nil || f != nil {
			t.Errorf("%s: got %v, %v; want nil, error", name, f, err)
		}
	}
	if _, err := Curves(Chart{}); !errors.Is(err, ErrNoData) {
		t.Errorf("no panels: %v is not ErrNoData", err)
	}
}

// TestCurvesLongLegendAbove checks that a LegendAbove row too wide for the
// panel still renders (as a framed legend inside the panel).
func TestCurvesLongLegendAbove(t *testing.T) {
	var series []Series
	for i := range 12 {
		series = append(series, Series{Label: "a rather long legend label", X: []float64{0, 1}, Y: []float64{float64(i), float64(i + 1)}, NoLine: i%2 == 0})
	}
	f, err := Curves(Chart{Panels: []Panel{{Title: "many", Series: series, Legend: LegendAbove}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.PNG(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.SVG(); err != nil {
		t.Fatal(err)
	}
}
