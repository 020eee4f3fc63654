package brunel

import (
	"strings"
	"testing"

	"github.com/astronb/astronb/astro"
)

func TestJudgeNumber(t *testing.T) {
	const want, tol = 3.0, 0.5
	for _, c := range []struct {
		answer   any
		answered bool
		correct  bool
		verdict  string
	}{
		{nil, false, false, "Not answered yet"},
		{3, true, true, "Correct"},          // int
		{int64(4), true, false, "Too high"}, // other integer type
		{uint8(3), true, true, "Correct"},
		{2.6, true, true, "Correct"}, // float
		{float32(2.4), true, false, "Too low"},
		{0, true, false, "Too low"}, // 0 is an answer, not "not answered"
		{0.0, true, false, "Too low"},
	} {
		j, err := JudgeNumber(c.answer, want, tol, "Hz")
		if err != nil {
			t.Fatalf("%#v: %v", c.answer, err)
		}
		if j.Answered != c.answered || j.Correct != c.correct || !strings.HasPrefix(j.Message, c.verdict) {
			t.Errorf("%#v: %+v, want answered %v, correct %v, %q", c.answer, j, c.answered, c.correct, c.verdict)
		}
		// The simulated value is revealed only after an answer.
		if revealed := strings.Contains(j.Message, "simulation gives 3"); revealed != c.answered {
			t.Errorf("%#v: value revealed = %v in %q", c.answer, revealed, j.Message)
		}
	}
	// Zero as the right answer is judged, not taken for "not answered".
	if j, err := JudgeNumber(0, 0, 0, "pA"); err != nil || !j.Correct || !j.Answered {
		t.Errorf("0 for 0: %+v, %v", j, err)
	}
	for _, bad := range []any{"3.5", true, []float64{3}, nan()} {
		if _, err := JudgeNumber(bad, want, tol, "Hz"); err == nil {
			t.Errorf("answer %#v: no error", bad)
		}
	}
	if _, err := JudgeNumber(3, want, -1, "Hz"); err == nil {
		t.Error("negative tolerance: no error")
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestMeanTrace(t *testing.T) {
	mm := astro.MultimeterEvents{Senders: []int{1, 2, 1, 2}, Times: []float64{1, 1, 2, 2},
		Values: map[string][]float64{"I_SIC": {1, 3, 0, 1}}}
	ts, ms := MeanTrace(mm, "I_SIC")
	if len(ts) != 2 || ts[0] != 1 || ts[1] != 2 || ms[0] != 2 || ms[1] != 0.5 {
		t.Errorf("MeanTrace = %v, %v", ts, ms)
	}
}
