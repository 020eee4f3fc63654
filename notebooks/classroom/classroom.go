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
// happens"); a time.Duration is read in ms where the answer is a time in ms
// (and refused elsewhere). The verdict line comes first and never contains
// the expected value; the measured value follows only after a right answer,
// or when the student asks for it with showMe.
//
// Wrong answers get a hint that diagnoses: a named misconception of the
// exercise, a unit slip (the answer is right times 1000, 60 or 100), a
// wrong sign, or a Go trap (an integer, or exactly 0, where a fraction is
// expected: integer division, ^ as XOR), else "too low"/"too high".
package classroom

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
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
	// Broken, if set, says why the check could not be built from its
	// inputs; every answer is then judged Invalid with this message.
	Broken string
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
	if c.Broken != "" {
		return Result{Verdict: Invalid, Answer: math.NaN(), Message: "This self-check cannot judge: " + c.Broken}
	}
	if _, none := answer.(noAnswer); none || answer == nil {
		return Result{Verdict: NotAnswered, Answer: math.NaN(),
			Message: fmt.Sprintf("Not answered yet: set %s%s and run the cell again.", c.Variable, c.unitNote())}
	}
	var read string // how a time.Duration was read
	x, ok := Number(answer)
	if d, isDuration := answer.(time.Duration); isDuration {
		if !strings.HasPrefix(c.Unit, "ms") {
			return Result{Verdict: Invalid, Answer: math.NaN(),
				Message: fmt.Sprintf("%s is a time.Duration (%v), but this answer is %s: check your units and write a plain number.", c.Variable, d, c.unitName())}
		}
		x, read = float64(d)/float64(time.Millisecond), fmt.Sprintf(" (the time.Duration %v, read as %s ms)", d, format(float64(d)/float64(time.Millisecond)))
	}
	if !ok || math.IsNaN(x) {
		return Result{Verdict: Invalid, Answer: math.NaN(),
			Message: fmt.Sprintf("%s must be a number, written without quotes; got %#v.", c.Variable, answer)}
	}
	if c.Accepts(x) {
		msg := fmt.Sprintf("Right: %s%s is within the accepted range.", format(x), read)
		if c.Praise != "" {
			msg += " " + c.Praise
		}
		return Result{Verdict: Right, Answer: x, Message: msg}
	}
	wrong := func(name, hint string) Result {
		if note := c.goTrap(answer, x); note != "" {
			hint = note + " " + hint
		}
		return Result{Verdict: Wrong, Answer: x, Misconception: name,
			Message: fmt.Sprintf("Not quite (%s%s). %s", format(x), read, hint)}
	}
	if slip := c.unitSlip(x); slip != "" {
		return wrong(UnitSlip, slip)
	}
	for _, m := range c.Misconceptions {
		if x >= m.Lo && x <= m.Hi {
			return wrong(m.Name, m.Hint)
		}
	}
	if x != 0 && c.Accepts(-x) {
		return wrong(SignSlip, "Check the sign: the quantity asked for has the opposite sign.")
	}
	if x < c.Lo {
		return wrong("", c.TooLow)
	}
	return wrong("", c.TooHigh)
}

// Accepts reports whether x is inside the accepted range [Lo, Hi]
// (Never is accepted when Lo and Hi are both +Inf).
func (c Check) Accepts(x float64) bool { return x >= c.Lo && x <= c.Hi }

// UnitSlip is the Misconception name of an answer that is right times a
// unit factor (1000, 60 or 100); SignSlip of one that is right but for
// its sign.
const (
	UnitSlip = "unit slip"
	SignSlip = "sign"
)

// unitFactors are the slips recognised for each unit: the answer times
// factor is in the accepted range, the student seems to have used unit.
var unitFactors = map[string][]struct {
	factor float64
	as     string
}{
	"ms":    {{1000, "seconds"}, {1.0 / 1000, "µs"}, {60000, "minutes"}},
	"Hz":    {{1.0 / 60, "spikes per minute"}, {1000, "spikes per ms"}, {1.0 / 1000, "mHz"}},
	"µM":    {{1.0 / 1000, "nM"}, {1000, "mM"}},
	"pA":    {{1000, "nA"}, {1.0 / 1000, "fA"}},
	"ratio": {{1.0 / 100, "a percentage"}},
	"any":   {{1000, "a unit 1000 times larger"}, {1.0 / 1000, "a unit 1000 times smaller"}},
}

// unitSlip returns a "check your units" hint if x times a unit factor is
// accepted, else "".
//
// Slips are not looked for where they cannot be told from small answers
// (an accepted range that contains 0), and a unitless answer is only
// checked for a percentage where the expected value is a fraction or a
// small ratio (|expected| ≤ 10), not a count.
func (c Check) unitSlip(x float64) string {
	if x == 0 || math.IsInf(x, 0) || (c.Lo <= 0 && c.Hi >= 0) {
		return ""
	}
	keys := []string{"ratio"}
	if unit := strings.Fields(c.Unit); len(unit) > 0 {
		keys = []string{strings.TrimSuffix(unit[0], ","), "any"}
	} else if math.Abs(c.Expected) > 10 {
		keys = nil
	}
	for _, key := range keys {
		for _, f := range unitFactors[key] {
			if c.Accepts(x * f.factor) {
				return fmt.Sprintf("Check your units: the answer is asked %s, and your number looks like %s.", c.unitName(), f.as)
			}
		}
	}
	return ""
}

// goTrap returns a note on Go's arithmetic when the answer looks like one
// of its traps: an integer-typed answer, or exactly 0, where the expected
// value is a fraction.
func (c Check) goTrap(answer any, x float64) string {
	e := c.Expected
	if math.IsNaN(e) || math.IsInf(e, 0) || e == math.Round(e) {
		return ""
	}
	k := reflect.ValueOf(answer).Kind()
	isInt := k >= reflect.Int && k <= reflect.Uintptr
	if !isInt && x != 0 {
		return ""
	}
	what := "exactly 0"
	if isInt {
		what = "a whole number, typed as a Go integer"
	}
	return fmt.Sprintf("Your answer is %s, and a fraction is expected. If you computed it in Go: 4/5 is integer division "+
		"(it gives 0; write 4.0/5), and ^ is XOR, not a power (write math.Pow(x, n)).", what)
}

// Run judges an answer and prints the verdict to w; then, after a right
// answer or if showMe is set, the measured values. It returns the verdict.
// A revealed check is remembered for Revealed.
func (c Check) Run(w io.Writer, answer any, showMe bool) Verdict {
	r := c.Judge(answer)
	fmt.Fprintln(w, r.Message)
	switch {
	case c.Broken != "":
	case r.Verdict == Right || showMe:
		fmt.Fprintln(w, c.Reveal)
		markRevealed(c.Variable)
	case r.Verdict == Wrong:
		fmt.Fprintln(w, "Try again, or set showMe = true to see the measured value.")
	}
	writeKey(c)
	return r.Verdict
}

// Print is Run on standard output.
func (c Check) Print(answer any, showMe bool) Verdict { return c.Run(os.Stdout, answer, showMe) }

// StateDirEnv names a folder in which checks remember what they revealed,
// for programs outside a GoNB kernel (in a kernel the kernel's temporary
// folder is used, so the memory lasts as long as the notebook session).
const StateDirEnv = "ASTRONB_CLASSROOM_DIR"

// KeyFileEnv names a file to which every judged check appends its
// variable, expected value and accepted range as a JSON line (for the test
// that no executed notebook shows an answer before its check).
const KeyFileEnv = "ASTRONB_CLASSROOM_KEY"

var (
	revealedMu sync.Mutex
	revealed   = map[string]bool{}
)

func stateDir() string {
	if d := os.Getenv("GONB_TMP_DIR"); d != "" {
		return filepath.Join(d, "astronb-classroom")
	}
	return os.Getenv(StateDirEnv)
}

func markRevealed(variable string) {
	revealedMu.Lock()
	defer revealedMu.Unlock()
	revealed[variable] = true
	if d := stateDir(); d != "" && os.MkdirAll(d, 0o755) == nil {
		_ = os.WriteFile(filepath.Join(d, "revealed-"+variable), nil, 0o644)
	}
}

// Revealed reports whether the checks of all the given answer variables
// have shown their measured values (after a right answer or showMe) in this
// notebook session. Cells that would give an answer away show their
// results only when Revealed says so.
func Revealed(variables ...string) bool {
	revealedMu.Lock()
	defer revealedMu.Unlock()
	for _, v := range variables {
		if revealed[v] {
			continue
		}
		d := stateDir()
		if d == "" {
			return false
		}
		if _, err := os.Stat(filepath.Join(d, "revealed-"+v)); err != nil {
			return false
		}
	}
	return true
}

// PrintHidden prints that a cell leaves out what would answer the given
// answer variables' exercises, and until when.
func PrintHidden(variables ...string) {
	fmt.Printf("Left out until the self-check of %s has accepted an answer (or shown it with showMe = true): it would give the answer away.\n",
		strings.Join(variables, " and "))
}

// KeyEntry is one line of the key file (see KeyFileEnv).
type KeyEntry struct {
	Variable         string
	Expected, Lo, Hi float64
}

func writeKey(c Check) {
	path := os.Getenv(KeyFileEnv)
	if path == "" || c.Broken != "" {
		return
	}
	e := KeyEntry{c.Variable, c.Expected, c.Lo, c.Hi}
	for _, p := range []*float64{&e.Expected, &e.Lo, &e.Hi} {
		if math.IsInf(*p, 0) || math.IsNaN(*p) {
			*p = 0 // JSON has no infinities; such values cannot leak as digits
		}
	}
	line, err := json.Marshal(e)
	if err != nil {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(append(line, '\n'))
}

func (c Check) unitNote() string {
	if c.Unit == "" {
		return ""
	}
	return " (" + c.Unit + ")"
}

func (c Check) unitName() string {
	if c.Unit == "" {
		return "as a plain number (a count or a ratio, not a percentage)"
	}
	return "in " + c.Unit
}

// roundWindow rounds an accepted range to multiples of 1/perUnit (to
// nearest), so that the range a reveal states ("0.26–0.30") is exactly the
// range judged.
func roundWindow(lo, hi, perUnit float64) (float64, float64) {
	r := func(x float64) float64 { return math.Round(x*perUnit) / perUnit }
	return r(lo), r(hi)
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
