package plots

import (
	"math"
	"testing"
)

func TestRateHistogramHandComputed(t *testing.T) {
	// Times deliberately unsorted. Senders 1, 2, 3 → N_u = 3.
	sp := Spikes{
		Senders: []int{2, 1, 3, 1, 1, 2, 1},
		Times:   []float64{10, 0, 9.9, 4.9, 5, 1, 12},
	}
	edges, heights, err := RateHistogram(sp, 5)
	if err != nil {
		t.Fatal(err)
	}
	// arange(0, 12, 5) = [0, 5, 10]; [0,5): 0, 1, 4.9; [5,10): 5, 9.9;
	// last bin (≥ 10): 10, 12 (the maximum is included).
	// heights = 1000·n/(5·3).
	wantEdges := []float64{0, 5, 10}
	wantHeights := []float64{3000.0 / 15, 2000.0 / 15, 2000.0 / 15}
	if !equalFloats(edges, wantEdges, 0) {
		t.Errorf("edges = %v, want %v", edges, wantEdges)
	}
	if !equalFloats(heights, wantHeights, 1e-12) {
		t.Errorf("heights = %v, want %v", heights, wantHeights)
	}
}

func TestRateHistogramEdgeCases(t *testing.T) {
	cases := []struct {
		name          string
		sp            Spikes
		width         float64
		edges, height []float64
	}{
		{
			// Max on an edge: arange(0, 10, 5) = [0, 5] excludes 10, so the
			// last bin holds 5 and 10. One distinct sender: N_u = 1.
			name: "max on edge", sp: Spikes{Senders: []int{4, 4, 4}, Times: []float64{0, 5, 10}},
			width: 5, edges: []float64{0, 5}, height: []float64{200, 400},
		},
		{
			// Bins start at the first spike, not at 0.
			name: "offset start", sp: Spikes{Senders: []int{1, 2}, Times: []float64{2.5, 3}},
			width: 1, edges: []float64{2.5}, height: []float64{1000},
		},
		{
			// All spikes at one time: a single bin.
			name: "single time", sp: Spikes{Senders: []int{7, 8}, Times: []float64{3, 3}},
			width: 5, edges: []float64{3}, height: []float64{200},
		},
		{
			name: "single spike", sp: Spikes{Senders: []int{1}, Times: []float64{-4}},
			width: 5, edges: []float64{-4}, height: []float64{200},
		},
	}
	for _, c := range cases {
		edges, heights, err := RateHistogram(c.sp, c.width)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !equalFloats(edges, c.edges, 1e-12) || !equalFloats(heights, c.height, 1e-9) {
			t.Errorf("%s: got %v %v, want %v %v", c.name, edges, heights, c.edges, c.height)
		}
	}
}

func TestRateHistogramErrors(t *testing.T) {
	ok := Spikes{Senders: []int{1}, Times: []float64{1}}
	for name, c := range map[string]struct {
		sp Spikes
		w  float64
	}{
		"no spikes":  {Spikes{}, 5},
		"mismatched": {Spikes{Senders: []int{1, 2}, Times: []float64{1}}, 5},
		"NaN time":   {Spikes{Senders: []int{1}, Times: []float64{math.NaN()}}, 5},
		"Inf time":   {Spikes{Senders: []int{1, 1}, Times: []float64{0, math.Inf(1)}}, 5},
		"zero width": {ok, 0},
		"neg width":  {ok, -1},
		"NaN width":  {ok, math.NaN()},
		"Inf width":  {ok, math.Inf(1)},
		"too many":   {Spikes{Senders: []int{1, 1}, Times: []float64{0, 1e9}}, 1e-3},
	} {
		if _, _, err := RateHistogram(c.sp, c.w); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDistinctSenders(t *testing.T) {
	if n := DistinctSenders([]int{5, 3, 5, 1, 3}); n != 3 {
		t.Errorf("got %d, want 3", n)
	}
	if n := DistinctSenders(nil); n != 0 {
		t.Errorf("got %d, want 0", n)
	}
}

func TestMeanSDHandComputed(t *testing.T) {
	s := Samples{
		Senders: []int{1, 2, 3, 1, 2, 1, 2},
		Times:   []float64{2, 2, 2, 1, 1, 0, 3},
		Values:  []float64{2, 4, 9, 1, 3, 100, -7},
	}
	times, mean, sd := MeanSD(s, 0)
	// t = 0 is not > start. t=1: {1,3}: mean 2, SD 1. t=2: {2,4,9}: mean 5,
	// variance (9+1+16)/3. t=3: {-7}: SD 0.
	if want := []float64{1, 2, 3}; !equalFloats(times, want, 0) {
		t.Fatalf("times = %v, want %v", times, want)
	}
	if want := []float64{2, 5, -7}; !equalFloats(mean, want, 1e-12) {
		t.Errorf("mean = %v, want %v", mean, want)
	}
	if want := []float64{1, math.Sqrt(26.0 / 3), 0}; !equalFloats(sd, want, 1e-12) {
		t.Errorf("sd = %v, want %v", sd, want)
	}

	// Entries at or before start are dropped.
	if times, _, _ := MeanSD(s, 2); !equalFloats(times, []float64{3}, 0) {
		t.Errorf("start=2: times = %v, want [3]", times)
	}
}

func TestMeanSDDegenerate(t *testing.T) {
	if tm, m, sd := MeanSD(Samples{}, 0); len(tm)+len(m)+len(sd) != 0 {
		t.Errorf("empty input gave %v %v %v", tm, m, sd)
	}
	// Mismatched lengths: only the common prefix is used; NaN times skipped.
	s := Samples{Senders: []int{1, 2, 3}, Times: []float64{1, math.NaN(), 1}, Values: []float64{4}}
	tm, m, sd := MeanSD(s, 0)
	if !equalFloats(tm, []float64{1}, 0) || !equalFloats(m, []float64{4}, 0) || !equalFloats(sd, []float64{0}, 0) {
		t.Errorf("got %v %v %v", tm, m, sd)
	}
}

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
