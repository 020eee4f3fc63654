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

// checkCase is one exercise: the check built from the notebook's measured
// values, every documented-right answer (the formula or measured value,
// its rounded forms, the edges of the range the reveal and TEACHING.md
// state), and the misconceptions with the hint each must get.
type checkCase struct {
	name   string
	check  Check
	rights []any
	wrongs []answerCase // want Wrong (or Invalid), with the named misconception
}

func wrong(answer any, misconception string) answerCase {
	return answerCase{answer, Wrong, misconception}
}

func checkCases() []checkCase {
	smallPeaks := map[int]float64{5: 0.974, 2: 0.765, 1: 0.528}
	return []checkCase{
		{"single/Ex2 IP3 threshold", SingleIP3Threshold(0.2802, single),
			[]any{0.28, 0.2802, 0.26, 0.3, 0.29, 0.27},
			[]answerCase{wrong(0.16, "baseline"), wrong(0.197, "SIC_th"), wrong(0.19769, "SIC_th"),
				wrong(280, UnitSlip), wrong(0.25, ""), wrong(0.31, ""), wrong(0.4, ""), wrong(1, "")}},
		{"single/Ex3 lowest rate", SingleMinRate(0.2802, single, [3]float64{0.03, 0.2, 0.9}),
			[]any{0.337, 0.34, 0.3366, 0.28, 0.39, 0.3},
			[]answerCase{wrong(0.000337, UnitSlip), wrong(0.0004, "ms vs s"), wrong(0.785, "no baseline"),
				wrong(0.0337, "weight or delta_IP3"), wrong(20.2, UnitSlip), wrong(336.6, UnitSlip),
				wrong(0, ""), wrong(0.27, ""), wrong(0.4, "")}},
		{"interaction/Ex1 latency", InteractionLatency([]float64{1800, 2000, 2500, 3000, 4000},
			[]float64{149, 151, 155, 158, 162}),
			[]any{160, 150.0, int64(140), 155, 120, 194, 160 * time.Millisecond},
			[]answerCase{wrong(1, "connection delay"), wrong(0.16, UnitSlip), wrong(0.15, UnitSlip),
				wrong(12000, "from t = 0"), wrong(Never, "never"), wrong(50, ""), wrong(400.0, ""),
				wrong(16*time.Millisecond, ""), wrong(100, "")}},
		{"interaction/Ex2 lowest presynaptic rate", InteractionMinRate(0.2802, pairwise, []string{"input 1500 Hz: …"}),
			[]any{0.34, 0.336, float32(0.35), 0.28, 0.39},
			[]answerCase{wrong(0.000336, UnitSlip), wrong(0.785, "no baseline"), wrong(0.0336, "weight or delta_IP3"),
				wrong(0.00336, "delta_IP3 = 5"), wrong(20.2, UnitSlip), wrong(1500, ""), wrong(1, "")}},
		{"small_network/Ex1 idle astrocytes", SmallIdle(5, 10, 0.465, 0.042, 200),
			[]any{0.537, 0.54, 0.53, 0.535, 0.5369},
			[]answerCase{wrong(0, "none idle"), wrong(0.0, "none idle"), wrong(0.107, "one astrocyte"), wrong(0.11, "one astrocyte"),
				wrong(0.4775, "probability of any idle"), wrong(0.477, "probability of any idle"),
				wrong(0.433, "probability of any idle"), wrong(0.893, "busy"), wrong(4.46, "busy count"),
				wrong(53.7, UnitSlip), wrong(0.465, ""), wrong(0.4, ""), wrong(0.5, ""), wrong(0.6, ""),
				wrong(1, ""), wrong(2.0, ""), wrong(10, "")}}, // 10: 5*(4/5)^10 in Go
		{"small_network/Ex2 SIC ratio", SmallSICRatio(1.147, 1.591, 4000, smallPeaks, 0.19669),
			[]any{1.147, 1.15, 1.14, 1.13, 1.16, 1.12},
			[]answerCase{wrong(5, "linear"), wrong(1, "no difference"), wrong(1.6, "early peaks"), wrong(1.59, "early peaks"),
				wrong(1.098, "SIC_th not subtracted"), wrong(1.093, "2-target astrocyte"), wrong(0.872, "inverted"),
				wrong(1.845, "Ca2+ ratio"), wrong(2.35, "no logarithm"), wrong(114.7, UnitSlip), wrong(1.1, "SIC_th not subtracted"), wrong(1.2, ""), wrong(2, "")}},
		{"sic_strength/Ex1 SIC at 0.05", SICScaling(0.01, 0.05, 2.28, 11.53, 0.35, 0.36),
			[]any{11.4, 11.53, 11.5, 12, 11, 10.4, 12.7},
			[]answerCase{wrong(2.28, "unchanged"), wrong(57, "squared"), wrong(2.32, "unchanged"), wrong(5, "weight ratio only"),
				wrong(22.8, "ten times"), wrong(0.0114, UnitSlip), wrong(0, ""), wrong(10, ""), wrong(14, "")}},
		{"sic_strength/Ex2 rate at 0.1", SICRate(0.1, 0.05, 3.483, 3.822, 4.185, 0.18),
			[]any{4.2, 4.161, 4.185, 4, 3.98, 4.3, 4.36},
			[]answerCase{wrong(3.83, "unchanged"), wrong(7.64, "proportional"), wrong(0.68, "increase only"),
				wrong(4185, UnitSlip), wrong(252, UnitSlip), wrong(3, ""), wrong(5, ""), wrong(3.95, "")}},
		{"fixed_indegree/Ex1 deaf onset", FixedDeafOnset(703, 540),
			[]any{700, 703, 650.0, 660, 600, 800, 700 * time.Millisecond},
			[]answerCase{wrong(Never, "never"), wrong(0, "immediately"), wrong(540, "network onset"),
				wrong(0.7, UnitSlip), wrong(0.66, UnitSlip), wrong(7142, "tau_IP3"), wrong(2000, ""), wrong(1000, ""), wrong(400, "")}},
		{"fixed_indegree/Ex2 SIC spread", FixedSICSpread(80, 800, 0.1, 0.5, 1.9, 2.6),
			[]any{0.73, 0.7255, 0.7, 0.71, 0.72, 0.68, 0.77},
			[]answerCase{wrong(0, "no spread"), wrong(1, "equal"), wrong(0.526, "variances"), wrong(0.53, "variances"),
				wrong(1.378, "inverted"), wrong(72.5, UnitSlip), wrong(0.3, ""), wrong(0.6, "")}},
		{"fixed_indegree/Ex3 inputs per astrocyte", FixedInputsPerAstrocyte(1000, 800, 800, 200, 0.5, 100, 4005),
			[]any{4000, 4005.0, 3900, 4100},
			[]answerCase{wrong(400, "CE = 80"), wrong(3200, "excitatory targets only"), wrong(8000, "every input"),
				wrong(400000, "not shared"), wrong(5000, "inhibitory inputs too"), wrong(40, ""), wrong(100, "")}},
		{"branching/Ex1 SIC in branch B", BranchSIC(0, 2.3),
			[]any{0, 0.0, 0.001, 0.005},
			[]answerCase{wrong(2.3, "unchanged"), wrong(2, "unchanged"), wrong(-0.005, "negative"), wrong(-0.01, "negative"),
				wrong(-0.011, "negative"), wrong(math.Inf(-1), "negative"), wrong(-1, "negative"), wrong(0.01, ""), wrong(1, ""),
				wrong(6.9, "")}},
		{"branching/Ex2 rate change in branch B", BranchRateChange(3.354, 3.396),
			[]any{-0.042, -0.04, 0, -0.1, -0.05, -0.15},
			[]answerCase{wrong(-3.396, "silent"), wrong(-3.354, "silent"), wrong(0.042, "increase"), wrong(0.5, "increase"),
				wrong(-1.24, "percentage"), wrong(-42, ""), wrong(-0.3, ""), wrong(3.354, "increase")}},
	}
}

// withoutAnswer removes the echo of the student's own answer from text:
// a quoted non-numeric answer, or "(x" of a number x.
func withoutAnswer(text string, answer any) string {
	if s, ok := answer.(string); ok {
		return strings.ReplaceAll(text, fmt.Sprintf("%#v", s), "")
	}
	if x, ok := Number(answer); ok {
		return strings.ReplaceAll(text, "("+format(x), "(")
	}
	return text
}

// leaked reports whether text shows v in a form a student could copy: with
// 2 to 4 significant digits, or rounded to whole units when |v| ≥ 10.
func leaked(text string, v float64) (string, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 {
		return "", false // the digits of 0 tell nothing
	}
	forms := []string{fmt.Sprintf("%.2g", v), fmt.Sprintf("%.3g", v), fmt.Sprintf("%.4g", v),
		fmt.Sprintf("%.2f", v), fmt.Sprintf("%.3f", v)}
	if math.Abs(v) >= 10 {
		forms = append(forms, fmt.Sprintf("%.0f", v), fmt.Sprintf("%.1f", v))
	}
	for _, f := range forms {
		if containsNumber(text, f) {
			return f, true
		}
	}
	return "", false
}

// containsNumber reports whether text shows the number f as a whole: not
// as the digits inside a longer number (12 in "1.6612" or "120", 0.01 in
// "0.0123"), which a timing or another value can contain by chance.
func containsNumber(text, f string) bool {
	digit := func(i int) bool { return i >= 0 && i < len(text) && text[i] >= '0' && text[i] <= '9' }
	for from := 0; ; {
		i := strings.Index(text[from:], f)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(f)
		before := digit(i-1) || (i > 0 && text[i-1] == '.' && digit(i-2))
		after := digit(end) || (end < len(text) && text[end] == '.' && digit(end+1))
		if !before && !after {
			return true
		}
		from = i + 1
	}
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
	cases := []answerCase{{NoAnswer, NotAnswered, ""}, {nil, NotAnswered, ""}, {"0.5", Invalid, ""}, {math.NaN(), Invalid, ""}}
	for _, r := range cc.rights {
		cases = append(cases, answerCase{r, Right, ""})
	}
	cases = append(cases, cc.wrongs...)
	var rights, wrongs, ints, named int
	for _, ac := range cases {
		r := c.Judge(ac.answer)
		t.Logf("%-22s → %-12v %-26s %s", fmt.Sprintf("%T(%v)", ac.answer, ac.answer), r.Verdict,
			"["+r.Misconception+"]", r.Message)
		if r.Verdict != ac.want {
			t.Errorf("answer %#v: verdict %v, want %v (%s)", ac.answer, r.Verdict, ac.want, r.Message)
		}
		if r.Verdict == Wrong && r.Misconception != ac.misconception {
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
	// The right answer with the wrong sign is judged wrong, with a hint
	// that names what is wrong (the sign, or a named misconception).
	if e := c.Expected; e != 0 && !math.IsInf(e, 0) && !math.IsNaN(e) {
		if r := c.Judge(-e); r.Verdict != Wrong || r.Misconception == "" {
			t.Errorf("answer %v (sign flipped): %v [%s] %s, want wrong with a named hint", -e, r.Verdict, r.Misconception, r.Message)
		}
	}
	if rights < 4 || wrongs < 6 || ints < 1 || named < 3 {
		t.Errorf("too few cases: %d right, %d wrong, %d int-typed, %d misconceptions", rights, wrongs, ints, named)
	}
	// The reveal itself must show the measured value, and "show me" must
	// show it without an answer.
	var out bytes.Buffer
	c.Run(&out, NoAnswer, true)
	if _, shown := leaked(out.String(), c.Expected); !shown && !(c.Expected == 0 && strings.Contains(out.String(), " 0 ")) {
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

func TestYourModelCaDrop(t *testing.T) {
	c := YourModelCaDrop(0.2, 0.15) // a drop of 25 %
	for _, x := range []struct {
		answer any
		want   Verdict
		mc     string
	}{
		{25, Right, ""}, {25.6, Right, ""}, {75.0, Wrong, "ratio"}, {-25.0, Wrong, "sign"}, {0.25, Wrong, "fraction"},
		{40.0, Wrong, ""}, {NoAnswer, NotAnswered, ""}, {"25", Invalid, ""},
	} {
		r := c.Judge(x.answer)
		if r.Verdict != x.want || r.Misconception != x.mc {
			t.Errorf("answer %v: %v (%q), want %v (%q)", x.answer, r.Verdict, r.Misconception, x.want, x.mc)
		}
	}
	if YourModelCaDrop(0, 0.1).Broken == "" {
		t.Error("a zero built-in level is accepted")
	}
}

// TestLeakedWholeNumbers: a value shows only as a whole number, never as
// the digits inside another one (a progress bar's real-time factor 1.6612
// once "showed" the answer 12).
func TestLeakedWholeNumbers(t *testing.T) {
	for _, c := range []struct {
		text string
		v    float64
		want bool
	}{
		{"real-time factor 1.6612, done in 662 ms", 12, false},
		{"120 spikes", 12, false},
		{"t = 512.0 ms", 12, false},
		{"12 spikes", 12, true},
		{"(12)", 12, true},
		{"a drop of -12", 12, true},
		{"it is 12.", 12, true},
		{"12.5 Hz", 12, false},
		{"0.0123 µM", 0.012, false},
		{"0.012 µM", 0.012, true},
		{"rate 3.44 Hz", 3.4412, true},
		{"x=1.2e-05,", 1.2e-05, true},
	} {
		if _, got := leaked(c.text, c.v); got != c.want {
			t.Errorf("leaked(%q, %v) = %v, want %v", c.text, c.v, got, c.want)
		}
	}
}
