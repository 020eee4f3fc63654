package plots

import (
	"testing"
)

func TestRateTicks(t *testing.T) {
	// int(linspace(0, int(1.1·40.5)+5, 4)) = int([0, 16.33, 32.67, 49]).
	if got, want := rateTicks([]float64{1, 40.5}), []float64{0, 16, 32, 49}; !equalFloats(got, want, 0) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := rateTicks([]float64{0}), []float64{0, 1, 3, 5}; !equalFloats(got, want, 0) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestNiceTicksAndLabels(t *testing.T) {
	if got, want := niceTicks(-55, 1155, 9, false), []float64{0, 200, 400, 600, 800, 1000}; !equalFloats(got, want, 1e-9) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := niceTicks(0.06, 0.49, 6, false), []float64{0.1, 0.2, 0.3, 0.4}; !equalFloats(got, want, 1e-12) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Node-ID axes: whole-number steps only (MaxNLocator(integer=True)).
	if got, want := niceTicks(1.9, 4.1, 9, true), []float64{2, 3, 4}; !equalFloats(got, want, 0) {
		t.Errorf("integer ticks: got %v, want %v", got, want)
	}
	if got, want := niceTicks(20.4, 24.6, 9, false), []float64{20.5, 21, 21.5, 22, 22.5, 23, 23.5, 24, 24.5}; !equalFloats(got, want, 1e-12) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := niceTicks(20.4, 24.6, 9, true), []float64{21, 22, 23, 24}; !equalFloats(got, want, 0) {
		t.Errorf("integer ticks: got %v, want %v", got, want)
	}
	if got, want := niceTicks(-55, 1155, 9, true), []float64{0, 200, 400, 600, 800, 1000}; !equalFloats(got, want, 1e-9) {
		t.Errorf("integer ticks: got %v, want %v", got, want)
	}
	a := axisSpec{min: -1, max: 1, ticks: []float64{-0.5, 0, 0.5}}
	_, labels := a.ticksFor(100, yTickSpaceFac)
	if want := []string{"\u22120.5", "0.0", "0.5"}; len(labels) != 3 || labels[0] != want[0] || labels[1] != want[1] || labels[2] != want[2] {
		t.Errorf("labels = %q, want %q", labels, want)
	}
	if s := formatTick(-1e-12, 1); s != "0.0" {
		t.Errorf("negative zero formatted as %q", s)
	}
}

func TestParseSpans(t *testing.T) {
	got := parseSpans("IP_{3} and Ca^{2+} a_b ^{")
	want := []span{
		{text: "IP"}, {text: "3", script: true, rise: subRise},
		{text: " and Ca"}, {text: "2+", script: true, rise: supRise},
		{text: " a_b ^{"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("span %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
