// Package classroom holds the self-checks of the classroom notebooks
// (notebooks/astrocyte_*.ipynb): it judges a student's answer against what
// the simulation measured, before it reveals anything.
//
// A check is built from measured values (see the per-notebook files) and
// then run with the student's answer:
//
//	myLatency := classroom.NoAnswer // your estimate (ms)
//	showMe := false                 // true: show the measured value anyway
//	classroom.InteractionLatency(delays).Print(myLatency, showMe)
//
// Answers may be any Go number — 160 and 160.0 both work — or NoAnswer
// ("not answered yet", a state of its own, not 0) or Never (+Inf, "it never
// happens"). The verdict line comes first and never contains the expected
// value; the measured value follows only after a right answer, or when the
// student asks for it with showMe.
package classroom

import (
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strconv"
)

// NoAnswer is the value of an answer variable the student has not filled
// in yet.
var NoAnswer any = noAnswer{}

type noAnswer struct{}

// Never is the answer "it never happens" (+Inf).
var Never = math.Inf(1)

// Verdict is the outcome of judging an answer.
type Verdict int

// Verdicts.
const (
	NotAnswered Verdict = iota // the answer is NoAnswer (or nil)
	Invalid                    // not a number (a string, NaN, …)
	Right                      // within the accepted range
	Wrong                      // outside it; the message carries a hint
)

func (v Verdict) String() string {
	switch v {
	case NotAnswered:
		return "not answered"
	case Invalid:
		return "invalid"
	case Right:
		return "right"
	case Wrong:
		return "wrong"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Misconception is a typical wrong answer: answers in [Lo, Hi] get Hint.
type Misconception struct {
	Name   string  // short label, for tests and the teacher's guide
	Lo, Hi float64 // the answers that show it (inclusive)
	Hint   string  // what the student is told; must not give the answer away
}

// Check is one exercise's self-check.
type Check struct {
	// Variable is the answer variable's name in the notebook, e.g.
	// "myLatency"; Unit its unit ("ms", "µM", "Hz", "" for a ratio).
	Variable, Unit string
	// Expected is the value the exercise asks for (the centre of the
	// accepted range); Lo ≤ answer ≤ Hi is accepted.
	Expected, Lo, Hi float64
	// Misconceptions are checked, in order, before the generic hints.
	Misconceptions []Misconception
	// TooLow and TooHigh are the generic hints for other wrong answers.
	TooLow, TooHigh string
	// Praise is added to the verdict of a right answer.
	Praise string
	// Reveal tells the measured values; it is printed only after a right
	// answer or with showMe.
	Reveal string
}

// Result is a judged answer.
type Result struct {
	Verdict Verdict
	Answer  float64 // the answer as a number (NaN unless Right or Wrong)
	// Message is the verdict line (with a hint if wrong). It never
	// contains the expected value.
	Message string
	// Misconception is the name of the recognised misconception, if any.
	Misconception string
}

// Number converts an answer to float64. It accepts every integer and
// floating-point kind (also named types such as time.Duration's
// underlying int64); ok reports whether answer was a number. NoAnswer
// and nil are not numbers.
func Number(answer any) (x float64, ok bool) {
	if answer == nil {
		return math.NaN(), false
	}
	v := reflect.ValueOf(answer)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	}
	return math.NaN(), false
}

// Judge judges an answer without printing anything.
func (c Check) Judge(answer any) Result {
	if _, none := answer.(noAnswer); none || answer == nil {
		return Result{Verdict: NotAnswered, Answer: math.NaN(),
			Message: fmt.Sprintf("Not answered yet: set %s%s and run the cell again.", c.Variable, c.unitNote())}
	}
	x, ok := Number(answer)
	if !ok || math.IsNaN(x) {
		return Result{Verdict: Invalid, Answer: math.NaN(),
			Message: fmt.Sprintf("%s must be a number, written without quotes; got %#v.", c.Variable, answer)}
	}
	if x >= c.Lo && x <= c.Hi {
		msg := fmt.Sprintf("Right: %s is within the accepted range.", format(x))
		if c.Praise != "" {
			msg += " " + c.Praise
		}
		return Result{Verdict: Right, Answer: x, Message: msg}
	}
	for _, m := range c.Misconceptions {
		if x >= m.Lo && x <= m.Hi {
			return Result{Verdict: Wrong, Answer: x, Misconception: m.Name,
				Message: fmt.Sprintf("Not quite (%s). %s", format(x), m.Hint)}
		}
	}
	hint := c.TooHigh
	if x < c.Lo {
		hint = c.TooLow
	}
	return Result{Verdict: Wrong, Answer: x, Message: fmt.Sprintf("Not quite (%s). %s", format(x), hint)}
}

// Run judges an answer and prints the verdict to w; then, after a right
// answer or if showMe is set, the measured values. It returns the verdict.
func (c Check) Run(w io.Writer, answer any, showMe bool) Verdict {
	r := c.Judge(answer)
	fmt.Fprintln(w, r.Message)
	switch {
	case r.Verdict == Right || showMe:
		fmt.Fprintln(w, c.Reveal)
	case r.Verdict == Wrong:
		fmt.Fprintln(w, "Try again, or set showMe = true to see the measured value.")
	}
	return r.Verdict
}

// Print is Run on standard output.
func (c Check) Print(answer any, showMe bool) Verdict { return c.Run(os.Stdout, answer, showMe) }

func (c Check) unitNote() string {
	if c.Unit == "" {
		return ""
	}
	return " (" + c.Unit + ")"
}

// format prints a student's answer as typed: 12000, 0.000337, never.
func format(x float64) string {
	switch a := math.Abs(x); {
	case math.IsInf(x, 1):
		return "never"
	case a == 0 || (a >= 1e-6 && a < 1e9):
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// around returns the misconception range value·(1 ± rel).
func around(value, rel float64) (lo, hi float64) {
	lo, hi = value*(1-rel), value*(1+rel)
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi
}
