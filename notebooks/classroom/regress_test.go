package classroom

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Regression tests for the classroom cases of issue 20 (case 11) and the
// hints of issue 21. Each failed on the checks before these issues.

// With no SIC in any run, "never" is the truth and must be judged right.
func TestLatencyNeverIsRightWithoutSIC(t *testing.T) {
	nan := []float64{nan(), nan(), nan()}
	c := InteractionLatency([]float64{1800, 2000, 2500}, nan)
	if r := c.Judge(Never); r.Verdict != Right {
		t.Errorf("Never with no SIC in any run: %v (%s), want right", r.Verdict, r.Message)
	}
	if r := c.Judge(160); r.Verdict != Wrong {
		t.Errorf("160 ms with no SIC in any run: %v, want wrong", r.Verdict)
	}
}

// A time.Duration answer is read in ms (and says so), not as nanoseconds.
func TestDurationAnswerReadAsMilliseconds(t *testing.T) {
	c := InteractionLatency([]float64{1800, 2000}, []float64{150, 158})
	r := c.Judge(160 * time.Millisecond)
	if r.Verdict != Right || r.Answer != 160 || !strings.Contains(r.Message, "read as 160 ms") {
		t.Errorf("160*time.Millisecond: %v, answer %v, %q; want right, 160, read as 160 ms", r.Verdict, r.Answer, r.Message)
	}
	if r := c.Judge(160 * time.Second); r.Verdict != Wrong || r.Answer != 160000 {
		t.Errorf("160*time.Second: %v, answer %v; want wrong, 160000", r.Verdict, r.Answer)
	}
	// Where the answer is not a time, a Duration is refused with a units hint.
	r = SmallIdle(5, 10, 0.5, 0.04, 200).Judge(time.Second)
	if r.Verdict != Invalid || !strings.Contains(r.Message, "units") {
		t.Errorf("time.Second for a count: %v %q, want invalid with a units hint", r.Verdict, r.Message)
	}
}

// Mismatched inputs give a check that says so, never a panic.
func TestLatencyMismatchedInputs(t *testing.T) {
	var c Check
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("InteractionLatency with more delays than rates panicked: %v", p)
			}
		}()
		c = InteractionLatency([]float64{1800, 2000}, []float64{150, 151, 152})
	}()
	var out strings.Builder
	if v := c.Run(&out, 150, true); v != Invalid || !strings.Contains(out.String(), "3 measured delays for 2 input rates") {
		t.Errorf("mismatched check: %v %q, want invalid naming the mismatch", v, out.String())
	}
}

// A unit slip gets "check your units", not another exercise's hint.
func TestUnitSlipHints(t *testing.T) {
	lat := InteractionLatency([]float64{1800, 2000}, []float64{150, 158})
	if r := lat.Judge(0.16); !strings.Contains(r.Message, "Check your units") {
		t.Errorf("0.16 (s) for a latency in ms: %q, want a units hint", r.Message)
	}
	if r := FixedDeafOnset(703, 540).Judge(0.66); !strings.Contains(r.Message, "Check your units") {
		t.Errorf("0.66 (s) for an onset in ms: %q, want a units hint", r.Message)
	}
}

// Go's arithmetic traps are named: math.Sqrt(20/38) is 0, 5*(4/5)^10 is 10.
func TestGoTrapHints(t *testing.T) {
	for _, tc := range []struct {
		c      Check
		answer any
	}{
		{FixedSICSpread(80, 800, 0.1, 0.5, 1.9, 2.6), 0.0}, // math.Sqrt(20/38)
		{SmallIdle(5, 10, 0.465, 0.042, 200), 5*(4/5) ^ 10},
		{SmallIdle(5, 10, 0.465, 0.042, 200), 0}, // 5 * (4/5) * ...
	} {
		r := tc.c.Judge(tc.answer)
		if r.Verdict != Wrong || !strings.Contains(r.Message, "integer division") || !strings.Contains(r.Message, "XOR") {
			t.Errorf("%s = %#v: %q, want a note on integer division and ^", tc.c.Variable, tc.answer, r.Message)
		}
	}
	// A float answer that is not 0 gets no Go note.
	if r := SmallIdle(5, 10, 0.465, 0.042, 200).Judge(2.0); strings.Contains(r.Message, "XOR") {
		t.Errorf("2.0: %q has a Go note", r.Message)
	}
}

// The documented-right edges are inside: the reveal's "0.280 ± 0.02" and
// TEACHING.md's "0.28–0.39 Hz".
func TestDocumentedEdgesAccepted(t *testing.T) {
	thr := SingleIP3Threshold(0.2802, single)
	rate := SingleMinRate(0.2802, single, [3]float64{})
	pre := InteractionMinRate(0.2802, pairwise, nil)
	for _, tc := range []struct {
		c Check
		x float64
	}{{thr, 0.26}, {thr, 0.30}, {rate, 0.28}, {rate, 0.39}, {pre, 0.28}, {pre, 0.39}} {
		if r := tc.c.Judge(tc.x); r.Verdict != Right {
			t.Errorf("%s = %v: %v (%s), want right", tc.c.Variable, tc.x, r.Verdict, r.Message)
		}
	}
}

func nan() float64 { var z float64; return z / z }

// A revealed check is remembered across programs (cells) through the state
// folder, so later cells can hold back what would give its answer away.
func TestRevealedAcrossCells(t *testing.T) {
	t.Setenv("GONB_TMP_DIR", "")
	t.Setenv(StateDirEnv, t.TempDir())
	revealedMu.Lock()
	revealed = map[string]bool{} // forget the other tests' answers
	revealedMu.Unlock()
	c := FixedSICSpread(80, 800, 0.1, 0.5, 1.9, 2.6)
	var out strings.Builder
	if c.Run(&out, 0.3, false); Revealed("myRatio") {
		t.Fatal("a wrong answer revealed the check")
	}
	c.Run(&out, 0.73, false)
	revealedMu.Lock()
	revealed = map[string]bool{} // a new cell: a new process
	revealedMu.Unlock()
	if !Revealed("myRatio") {
		t.Error("a right answer was not remembered")
	}
	if Revealed("myRatio", "myOther") {
		t.Error("Revealed of an unanswered check")
	}
}

// TestWindowTable logs, per check, the accepted range, the right answers
// and the misconceptions asserted by TestChecks (go test -v -run
// TestWindowTable prints the table of TEACHING.md).
func TestWindowTable(t *testing.T) {
	for _, cc := range checkCases() {
		var rights, wrongs []string
		for _, r := range cc.rights {
			rights = append(rights, fmt.Sprint(r))
		}
		for _, w := range cc.wrongs {
			name := w.misconception
			if name == "" {
				name = "generic"
			}
			wrongs = append(wrongs, fmt.Sprintf("%v (%s)", w.answer, name))
		}
		t.Logf("| %s | %s–%s | %s | %s |", cc.name, format(cc.check.Lo), format(cc.check.Hi),
			strings.Join(rights, ", "), strings.Join(wrongs, ", "))
	}
}
