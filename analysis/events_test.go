package analysis

import (
	"math"
	"testing"
)

func TestNeuronRates(t *testing.T) {
	sp := spikeEvents{Senders: []int{1, 2, 1, 3, 1, 9}, Times: []float64{0, 10, 100, 200, 500, 300}}
	got := NeuronRates(sp, []int{1, 2, 3, 4}, 0, 500)
	want := []float64{4, 2, 2, 0} // 2, 1, 1, 0 spikes in (0, 500] ms
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestBinnedRate(t *testing.T) {
	sp := spikeEvents{Senders: []int{1, 2, 1, 2, 1}, Times: []float64{0, 5, 10, 10.1, 30}}
	c, r := BinnedRate(sp, 2, 0, 30, 10)
	// (0,10]: 5, 10; (10,20]: 10.1; (20,30]: 30 — the spike at 0 is outside.
	wantC, wantR := []float64{5, 15, 25}, []float64{100, 50, 50}
	for i := range wantC {
		if math.Abs(c[i]-wantC[i]) > 1e-12 || math.Abs(r[i]-wantR[i]) > 1e-12 {
			t.Fatalf("got %v %v, want %v %v", c, r, wantC, wantR)
		}
	}
	// Bin totals agree with Rate.
	total := 0.0
	for _, x := range r {
		total += x
	}
	if got := Rate(sp, 2, 0, 30); math.Abs(total/3-got) > 1e-12 {
		t.Errorf("mean of bins %v, Rate %v", total/3, got)
	}
	if c, r := BinnedRate(sp, 0, 0, 30, 10); c != nil || r != nil {
		t.Error("n = 0 should give nothing")
	}
}

func TestSampleSummaries(t *testing.T) {
	mm := multimeterEvents{
		Senders: []int{1, 2, 1, 2, 1, 2},
		Times:   []float64{1, 1, 2, 2, 3, 3},
		Values:  map[string][]float64{"I_SIC": {0, 0, 0, 0.5, 2, 0}},
	}
	if got := FirstTimeAbove(mm, "I_SIC", 0); got != 2 {
		t.Errorf("FirstTimeAbove = %v, want 2", got)
	}
	if got := FirstTimeAbove(mm, "I_SIC", 5); !math.IsNaN(got) {
		t.Errorf("FirstTimeAbove(5) = %v, want NaN", got)
	}
	if got := FractionAbove(mm, "I_SIC", 0); math.Abs(got-2.0/6) > 1e-12 {
		t.Errorf("FractionAbove = %v", got)
	}
	if got := FractionAbove(mm, "V_m", 0); !math.IsNaN(got) {
		t.Errorf("FractionAbove of a missing quantity = %v", got)
	}
	m := MaxBySender(mm, "I_SIC")
	if len(m) != 2 || m[1] != 2 || m[2] != 0.5 {
		t.Errorf("MaxBySender = %v", m)
	}
}

// spikeEvents and multimeterEvents have the shape of the engine's recordings
// (astro.SpikeEvents, astro.MultimeterEvents): the generic functions accept
// any such type.
type spikeEvents struct {
	Senders []int
	Times   []float64
}

type multimeterEvents struct {
	Senders []int
	Times   []float64
	Values  map[string][]float64
}
