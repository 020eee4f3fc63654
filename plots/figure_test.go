package plots

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// smallSpikes is a tiny valid spike record.
func smallSpikes() Spikes {
	return Spikes{Senders: []int{1, 2, 3, 1, 2}, Times: []float64{1, 3, 7, 12, 20}}
}

// smallSamples returns a valid two-sender recording at times 0..4 ms.
func smallSamples(offset float64) Samples {
	var s Samples
	for t := range 5 {
		for id := 1; id <= 2; id++ {
			s.Senders = append(s.Senders, id)
			s.Times = append(s.Times, float64(t))
			s.Values = append(s.Values, offset+float64(t*id))
		}
	}
	return s
}

func testFigures(t *testing.T) []*Figure {
	t.Helper()
	r, err := Raster(smallSpikes(), "Raster plot of neuron 1 to 3", 5)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Dynamics(smallSamples(0), smallSamples(0.1), smallSamples(-3), 0)
	if err != nil {
		t.Fatal(err)
	}
	return []*Figure{r, d}
}

func TestFigureNames(t *testing.T) {
	figs := testFigures(t)
	if figs[0].Name() != "raster" || figs[1].Name() != "dynamics" {
		t.Errorf("names %q %q", figs[0].Name(), figs[1].Name())
	}
}

func TestPNGSize(t *testing.T) {
	for _, f := range testFigures(t) {
		for _, sz := range []struct {
			w, h vg.Length
			dpi  int
			px   [2]int
		}{
			{DefaultWidth, DefaultHeight, DefaultDPI, [2]int{768, 576}},
			{4 * vg.Inch, 3 * vg.Inch, 50, [2]int{200, 150}},
		} {
			f.Width, f.Height, f.DPI = sz.w, sz.h, sz.dpi
			data, err := f.PNG()
			if err != nil {
				t.Fatalf("%s: %v", f.Name(), err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: decoding PNG: %v", f.Name(), err)
			}
			b := img.Bounds()
			if b.Dx() != sz.px[0] || b.Dy() != sz.px[1] {
				t.Errorf("%s: PNG is %d×%d px, want %v", f.Name(), b.Dx(), b.Dy(), sz.px)
			}
			if w, h := f.Pixels(); w != sz.px[0] || h != sz.px[1] {
				t.Errorf("%s: Pixels() = %d×%d, want %v", f.Name(), w, h, sz.px)
			}
		}
	}
}

func TestSVGWellFormed(t *testing.T) {
	for _, f := range testFigures(t) {
		f.Width, f.Height = 5*vg.Inch, 4*vg.Inch
		data, err := f.SVG()
		if err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		dec := xml.NewDecoder(bytes.NewReader(data))
		var width, height string
		elems := 0
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: invalid XML: %v", f.Name(), err)
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			if elems == 0 {
				if se.Name.Local != "svg" {
					t.Fatalf("%s: root element %q", f.Name(), se.Name.Local)
				}
				for _, a := range se.Attr {
					switch a.Name.Local {
					case "width":
						width = a.Value
					case "height":
						height = a.Value
					}
				}
			}
			elems++
		}
		for _, c := range []struct {
			attr string
			want vg.Length
		}{{width, f.Width}, {height, f.Height}} {
			v, err := strconv.ParseFloat(strings.TrimSuffix(c.attr, "pt"), 64)
			if err != nil || !strings.HasSuffix(c.attr, "pt") || math.Abs(v-c.want.Points()) > 1e-6 {
				t.Errorf("%s: size attribute %q, want %vpt", f.Name(), c.attr, c.want.Points())
			}
		}
		if elems < 10 {
			t.Errorf("%s: only %d elements", f.Name(), elems)
		}
	}
}

func TestNamed(t *testing.T) {
	f := testFigures(t)[0]
	if got := f.Named("raster_block").Name(); got != "raster_block" {
		t.Errorf("Named: name %q", got)
	}
	var nilFig *Figure
	if nilFig.Named("x") != nil {
		t.Error("Named on nil: not nil")
	}
}

func TestInvalidSizes(t *testing.T) {
	f := testFigures(t)[0]
	for _, c := range []struct {
		w, h vg.Length
		dpi  int
	}{{0, 100, 100}, {100, -1, 100}, {100, 100, 0}, {vg.Length(math.Inf(1)), 100, 100}, {1e6, 1e6, 600}} {
		f.Width, f.Height, f.DPI = c.w, c.h, c.dpi
		if _, err := f.PNG(); err == nil {
			t.Errorf("PNG with size %v×%v at %d dpi: no error", c.w, c.h, c.dpi)
		}
	}
	f.Width = 0
	if _, err := f.SVG(); err == nil {
		t.Error("SVG with zero width: no error")
	}
	var nilFig *Figure
	if _, err := nilFig.PNG(); err == nil {
		t.Error("nil figure: no error")
	}
}

func TestRasterErrors(t *testing.T) {
	for name, c := range map[string]struct {
		sp Spikes
		w  float64
	}{
		"empty":      {Spikes{}, 5},
		"mismatched": {Spikes{Senders: []int{1}, Times: []float64{1, 2}}, 5},
		"bad width":  {smallSpikes(), 0},
	} {
		if f, err := Raster(c.sp, "x", c.w); err == nil || f != nil {
			t.Errorf("%s: got %v, %v; want nil, error", name, f, err)
		}
	}
}

func TestDynamicsErrors(t *testing.T) {
	good := smallSamples(0)
	mismatched := smallSamples(0)
	mismatched.Values = mismatched.Values[1:]
	nanValue := smallSamples(0)
	nanValue.Values[3] = math.NaN()
	for name, c := range map[string]struct {
		ip3, ca, sic Samples
		start        float64
	}{
		"empty ip3":       {Samples{}, good, good, 0},
		"empty sic":       {good, good, Samples{}, 0},
		"mismatched ca":   {good, mismatched, good, 0},
		"nothing > start": {good, good, good, 4},
		"NaN value":       {good, nanValue, good, 0},
	} {
		if f, err := Dynamics(c.ip3, c.ca, c.sic, c.start); err == nil || f != nil {
			t.Errorf("%s: got %v, %v; want nil, error", name, f, err)
		}
	}
}

// TestDegenerateInputsRender checks that single spikes and constant traces
// (zero data ranges) render without panicking.
func TestDegenerateInputsRender(t *testing.T) {
	r, err := Raster(Spikes{Senders: []int{0}, Times: []float64{0}}, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	flat := Samples{Senders: []int{1}, Times: []float64{1}, Values: []float64{0}}
	d, err := Dynamics(flat, flat, flat, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*Figure{r, d} {
		if _, err := f.PNG(); err != nil {
			t.Errorf("%s: %v", f.Name(), err)
		}
		if _, err := f.SVG(); err != nil {
			t.Errorf("%s: %v", f.Name(), err)
		}
	}
}
