package brunel

import (
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/astronb/astronb/astro"
)

// Helpers of the classroom notebook notebooks/astrocyte_branching.ipynb: a
// mean trace for its figure and the judge of its self-check cells.

// MeanTrace returns the mean of quantity name over all recorded nodes at
// each sample time: times (ms, ascending) and means.
func MeanTrace(mm astro.MultimeterEvents, name string) (times, means []float64) {
	vals := mm.Values[name]
	sum := map[float64]float64{}
	n := map[float64]int{}
	for i, t := range mm.Times {
		sum[t] += vals[i]
		n[t]++
	}
	for t := range sum {
		times = append(times, t)
	}
	slices.Sort(times)
	for _, t := range times {
		means = append(means, sum[t]/float64(n[t]))
	}
	return times, means
}

// Judgement is the outcome of a self-check.
type Judgement struct {
	// Answered is false when the student has not answered yet.
	Answered bool
	// Correct: the answer is within the tolerance of the simulated value.
	Correct bool
	// Message is what the cell prints: the verdict first; the simulated
	// value only once the student has answered.
	Message string
}

// JudgeNumber judges a student's numeric answer to a self-check. answer
// is nil while the question is not answered — then the message asks for an
// answer and reveals nothing — or a number of any Go integer or floating
// point type (0 is an answer like any other). The answer is correct if
// |answer − want| ≤ tol (tol ≥ 0, in unit). An answer of another type
// (e.g. the string "3.5") or a non-finite one is an error.
func JudgeNumber(answer any, want, tol float64, unit string) (Judgement, error) {
	if !(tol >= 0) || math.IsInf(tol, 0) {
		return Judgement{}, fmt.Errorf("JudgeNumber: tolerance = %g: must be ≥ 0 and finite", tol)
	}
	if answer == nil {
		return Judgement{Message: "Not answered yet: put your answer into the variable above and run the cell again."}, nil
	}
	var x float64
	switch v := reflect.ValueOf(answer); v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x = float64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		x = float64(v.Uint())
	case reflect.Float32, reflect.Float64:
		x = v.Float()
	default:
		return Judgement{}, fmt.Errorf("answer %#v (a %T): must be a number such as 3.5 or 4 (or nil while not answered)", answer, answer)
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return Judgement{}, fmt.Errorf("answer %g: must be a finite number", x)
	}
	j := Judgement{Answered: true, Correct: math.Abs(x-want) <= tol}
	u := ""
	if unit != "" {
		u = " " + unit
	}
	verdict := "Correct"
	switch {
	case !j.Correct && x > want:
		verdict = "Too high"
	case !j.Correct:
		verdict = "Too low"
	}
	j.Message = fmt.Sprintf("%s: you answered %g%s; the simulation gives %.4g%s (accepted: ± %g%s).", verdict, x, u, want, u, tol, u)
	return j, nil
}
