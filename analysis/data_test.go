package analysis

import (
	"errors"
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

// equalFloats reports whether a and b have equal length and elements within tol.
func equalFloats(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func TestTrace(t *testing.T) {
	var s Samples
	for t := range 5 {
		for id := 1; id <= 2; id++ {
			s.Senders = append(s.Senders, id)
			s.Times = append(s.Times, float64(t))
			s.Values = append(s.Values, float64(t*id))
		}
	}
	times, values, err := Trace(s, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !equalFloats(times, []float64{0, 1, 2, 3, 4}, 0) || !equalFloats(values, []float64{0, 2, 4, 6, 8}, 0) {
		t.Errorf("got %v %v", times, values)
	}
	if _, _, err := Trace(s, 7); !errors.Is(err, ErrNoData) {
		t.Errorf("missing sender: %v", err)
	}
	s.Values = s.Values[1:]
	if _, _, err := Trace(s, 1); err == nil {
		t.Error("malformed samples: no error")
	}
}
