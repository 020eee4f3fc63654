package classroom

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// Measured values as the notebooks produce them (NEST-default seeds).
var (
	single   = IP3Model{IP30: 0.16, TauIP3: 7142, Weight: 0.1, Delta: 0.5, SICTh: 0.19669}
	pairwise = IP3Model{IP30: 0.16, TauIP3: 7142, Weight: 1, Delta: 0.05, SICTh: 0.19669}
)

// a case is one answer and the verdict (and misconception) it must get.
type answerCase struct {
	answer        any
	want          Verdict
	misconception string // "" when none must be recognised
}

type checkCase struct {
	name  string
	check Check
	cases []answerCase
}

func checkCases() []checkCase {
	return []checkCase{
		{"single/Ex2 IP3 threshold", SingleIP3Threshold(0.2802, single), []answerCase{
			{0.28, Right, ""}, {0.29, Right, ""},
			{0.16, Wrong, "baseline"}, {0.197, Wrong, "SIC_th"},
			{1, Wrong, ""}, // an int: judged as the number 1 (too high)
		}},
		{"single/Ex3 lowest rate", SingleMinRate(0.2802, single, [3]float64{0.03, 0.2, 0.9}), []answerCase{
			{0.34, Right, ""}, {0.3, Right, ""},
			{0.000337, Wrong, "ms vs s"}, {0.78, Wrong, "no baseline"}, {0.034, Wrong, "no weight"},
			{0, Wrong, ""}, // int 0 is an answer (too low), not "not answered"
		}},
		{"interaction/Ex1 latency", InteractionLatency([]float64{1800, 2000, 2500, 3000, 4000},
			[]float64{149, 151, 155, 158, 162}), []answerCase{
			{160, Right, ""}, {150.0, Right, ""}, {int64(140), Right, ""},
			{1, Wrong, "connection delay"}, {12000, Wrong, "from t = 0"},
			{50, Wrong, ""}, {400.0, Wrong, ""},
		}},
		{"interaction/Ex2 lowest presynaptic rate", InteractionMinRate(0.2802, pairwise, []string{"input 1500 Hz: …"}), []answerCase{
			{0.34, Right, ""}, {float32(0.35), Right, ""},
			{0.00034, Wrong, "ms vs s"}, {0.78, Wrong, "no baseline"},
			{1, Wrong, ""},
		}},
		{"small_network/Ex1 idle astrocytes", SmallIdle(5, 10, 0.465, 0.042, 200), []answerCase{
			{0.537, Right, ""}, {0.5, Right, ""},
			{0, Wrong, "none idle"}, {0.107, Wrong, "one astrocyte"},
			{1, Wrong, ""}, {2.0, Wrong, ""},
		}},
		{"small_network/Ex2 SIC ratio", SmallSICRatio(1.147, 1.591, 4000), []answerCase{
			{1.15, Right, ""}, {1.2, Right, ""},
			{5, Wrong, "linear"}, {1, Wrong, "no difference"}, {1.6, Wrong, "early peaks"},
			{2, Wrong, ""},
		}},
		{"sic_strength/Ex1 SIC at 0.05", SICScaling(0.01, 0.05, 2.28, 11.53, 0.35, 0.36), []answerCase{
			{11.4, Right, ""}, {12, Right, ""},
			{2.28, Wrong, "unchanged"}, {57, Wrong, "squared"},
			{0, Wrong, ""},
		}},
		{"sic_strength/Ex2 rate at 0.1", SICRate(0.1, 0.05, 3.483, 3.83, 4.185, 0.18), []answerCase{
			{4.2, Right, ""}, {4, Right, ""},
			{3.83, Wrong, "unchanged"}, {7.0, Wrong, "proportional"},
			{3, Wrong, ""}, {5, Wrong, ""},
		}},
		{"fixed_indegree/Ex1 deaf onset", FixedDeafOnset(703, 540), []answerCase{
			{700, Right, ""}, {650.0, Right, ""},
			{Never, Wrong, "never"}, {0, Wrong, "immediately"}, {540, Wrong, "network onset"},
			{2000, Wrong, ""},
		}},
		{"fixed_indegree/Ex2 SIC spread", FixedSICSpread(80, 800, 0.1, 0.5, 1.9, 2.6), []answerCase{
			{0.73, Right, ""}, {0.7, Right, ""},
			{0, Wrong, "no spread"}, {1, Wrong, "equal"},
			{0.3, Wrong, ""},
		}},
		{"fixed_indegree/Ex3 inputs per astrocyte", FixedInputsPerAstrocyte(1000, 800, 800, 0.5, 100, 4005), []answerCase{
			{4000, Right, ""}, {4005.0, Right, ""},
			{400, Wrong, "CE = 80"}, {3200, Wrong, "excitatory targets only"}, {8000, Wrong, "every input"},
			{100, Wrong, ""},
		}},
		{"branching/Ex1 SIC in branch B", BranchSIC(0, 2.3), []answerCase{
			{0, Right, ""}, {0.0, Right, ""},
			{2.3, Wrong, "unchanged"}, {2, Wrong, "unchanged"},
			{-1, Wrong, ""}, {1, Wrong, ""},
		}},
		{"branching/Ex2 rate in branch B", BranchRate(3.354, 3.396, 0.1), []answerCase{
			{3.35, Right, ""}, {3.4, Right, ""}, {3, Wrong, ""},
			{0, Wrong, "silent"}, {0.5, Wrong, "silent"},
			{5, Wrong, ""},
		}},
	}
}

// withoutAnswer removes a quoted echo of a non-numeric answer from text.
func withoutAnswer(text string, answer any) string {
	if s, ok := answer.(string); ok {
		return strings.ReplaceAll(text, fmt.Sprintf("%#v", s), "")
	}
	return text
}

// leaked reports whether text shows v in a form a student could copy: with
// 2 to 4 significant digits, or rounded to whole units when |v| ≥ 10.
func leaked(text string, v float64) (string, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", false
	}
	forms := []string{fmt.Sprintf("%.2g", v), fmt.Sprintf("%.3g", v), fmt.Sprintf("%.4g", v),
		fmt.Sprintf("%.2f", v), fmt.Sprintf("%.3f", v)}
	if math.Abs(v) >= 10 {
		forms = append(forms, fmt.Sprintf("%.0f", v), fmt.Sprintf("%.1f", v))
	}
	for _, f := range forms {
		if strings.Contains(text, f) {
			return f, true
		}
	}
	return "", false
}

func TestChecks(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, cc := range checkCases() {
			t.Run(cc.name, func(t *testing.T) { testCheck(t, cc) })
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("checks did not finish within 30 s")
	}
}

func testCheck(t *testing.T, cc checkCase) {
	c := cc.check
	if !(c.Lo <= c.Expected && c.Expected <= c.Hi) {
		t.Fatalf("expected %v outside the accepted range [%v, %v]", c.Expected, c.Lo, c.Hi)
	}
	cases := append([]answerCase{{NoAnswer, NotAnswered, ""}, {nil, NotAnswered, ""},
		{"0.5", Invalid, ""}, {math.NaN(), Invalid, ""}}, cc.cases...)
	var rights, wrongs, ints, named int
	for _, ac := range cases {
		r := c.Judge(ac.answer)
		t.Logf("%-22s → %-12v %-26s %s", fmt.Sprintf("%T(%v)", ac.answer, ac.answer), r.Verdict,
			"["+r.Misconception+"]", r.Message)
		if r.Verdict != ac.want {
			t.Errorf("answer %#v: verdict %v, want %v (%s)", ac.answer, r.Verdict, ac.want, r.Message)
		}
		if ac.misconception != "" && r.Misconception != ac.misconception {
			t.Errorf("answer %#v: misconception %q, want %q", ac.answer, r.Misconception, ac.misconception)
		}
		switch r.Verdict {
		case Right:
			rights++
		case Wrong:
			wrongs++
		}
		if ac.misconception != "" {
			named++
		}
		if _, isInt := ac.answer.(int); isInt {
			ints++
		}
		// Nothing printed before the reveal may show the expected value
		// (an echo of the student's own answer, such as the invalid "0.5",
		// gives nothing away).
		if f, bad := leaked(withoutAnswer(r.Message, ac.answer), c.Expected); bad && r.Verdict != Right {
			t.Errorf("answer %#v: verdict message %q shows the expected value (%s)", ac.answer, r.Message, f)
		}
		var out bytes.Buffer
		if v := c.Run(&out, ac.answer, false); v != r.Verdict {
			t.Errorf("answer %#v: Run gave %v, Judge %v", ac.answer, v, r.Verdict)
		}
		printed := out.String()
		if !strings.HasPrefix(printed, r.Message+"\n") {
			t.Errorf("answer %#v: output does not start with the verdict: %q", ac.answer, printed)
		}
		if r.Verdict != Right {
			if f, bad := leaked(withoutAnswer(printed, ac.answer), c.Expected); bad {
				t.Errorf("answer %#v (%v): output %q shows the expected value (%s)", ac.answer, r.Verdict, printed, f)
			}
			if strings.Contains(printed, c.Reveal) {
				t.Errorf("answer %#v (%v): output reveals the measurement", ac.answer, r.Verdict)
			}
		} else if !strings.Contains(printed, c.Reveal) {
			t.Errorf("answer %#v: a right answer must show the measurement", ac.answer)
		}
	}
	if rights < 2 || wrongs < 3 || ints < 1 || named < 2 {
		t.Errorf("too few cases: %d right, %d wrong, %d int-typed, %d misconceptions", rights, wrongs, ints, named)
	}
	// The reveal itself must show the measured value, and "show me" must
	// show it without an answer.
	var out bytes.Buffer
	c.Run(&out, NoAnswer, true)
	if _, shown := leaked(out.String(), c.Expected); !shown {
		t.Errorf("show me: %q does not show the expected value %v", out.String(), c.Expected)
	}
	// A misconception's hint must not lie inside the accepted range.
	for _, m := range c.Misconceptions {
		if m.Lo <= c.Hi && m.Hi >= c.Lo {
			t.Errorf("misconception %q [%v, %v] overlaps the accepted range [%v, %v]", m.Name, m.Lo, m.Hi, c.Lo, c.Hi)
		}
	}
}

func TestNumber(t *testing.T) {
	type celsius float64
	for _, tc := range []struct {
		in   any
		want float64
		ok   bool
	}{
		{160, 160, true}, {160.0, 160, true}, {int8(-3), -3, true}, {uint16(7), 7, true},
		{float32(0.5), 0.5, true}, {celsius(2.5), 2.5, true}, {time.Duration(3), 3, true},
		{"160", math.NaN(), false}, {nil, math.NaN(), false}, {NoAnswer, math.NaN(), false},
		{[]int{1}, math.NaN(), false}, {true, math.NaN(), false},
	} {
		got, ok := Number(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("Number(%#v) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestUncomparableAnswer(t *testing.T) {
	// A slice cannot be compared with ==; judging it must not panic.
	if r := SmallIdle(5, 10, 0.5, 0.04, 200).Judge([]float64{0.5}); r.Verdict != Invalid {
		t.Errorf("slice answer: %v, want invalid", r.Verdict)
	}
}

func TestIdleExpected(t *testing.T) {
	if got, want := IdleExpected(5, 10), 5*math.Pow(0.8, 10); math.Abs(got-want) > 1e-15 {
		t.Errorf("IdleExpected(5, 10) = %v, want %v", got, want)
	}
	if got := BinomialSD(80, 0.5); math.Abs(got-math.Sqrt(20)) > 1e-12 {
		t.Errorf("BinomialSD(80, 0.5) = %v", got)
	}
}
