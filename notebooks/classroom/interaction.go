package classroom

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// LatencyTolerance is the relative margin around the measured delays of
// astrocyte_interaction's Exercise 1: the five runs differ by about 10 ms
// (8 %), and reading the delay off the zoomed figure adds ~10 ms more.
const LatencyTolerance = 0.2

// InteractionLatency is astrocyte_interaction's Exercise 1: the delay (ms)
// between the first presynaptic spike and the SIC onset. rates are the
// input rates (Hz) of the runs and delays their measured delays (ms; NaN
// if a run had no SIC). Answers within the measured range ± 20 % are right;
// if no run had SIC, Never is the right answer. rates and delays must have
// the same length (else the check says so for every answer).
func InteractionLatency(rates, delays []float64) Check {
	c := Check{
		Variable: "myLatency", Unit: "ms",
		Misconceptions: []Misconception{
			{Name: "connection delay", Lo: 0, Hi: 5,
				Hint: "The sic_connection's 1 ms delay is only the last step: first IP3 must open the stores and Ca2+ must climb to the threshold."},
			{Name: "from t = 0", Lo: 1000, Hi: math.MaxFloat64,
				Hint: "That looks like the SIC onset measured from t = 0. Measure from the first presynaptic spike."},
			{Name: "never", Lo: math.Inf(1), Hi: math.Inf(1),
				Hint: "Every run of the check has a SIC: look at the zoomed figure."},
		},
		TooLow:  "Too short: look at how long Ca2+ takes to climb to the dashed threshold in the zoomed figure.",
		TooHigh: "Too long: measure from the first presynaptic spike (left dotted line) to the SIC onset (right dotted line).",
	}
	if len(rates) != len(delays) {
		c.Expected, c.Lo, c.Hi = math.NaN(), math.NaN(), math.NaN()
		c.Broken = fmt.Sprintf("%d measured delays for %d input rates (they must pair up).", len(delays), len(rates))
		return c
	}
	var ok []float64
	var rows strings.Builder
	for i, d := range delays {
		if math.IsNaN(d) {
			fmt.Fprintf(&rows, "\n  input %5.0f Hz: no SIC", rates[i])
			continue
		}
		fmt.Fprintf(&rows, "\n  input %5.0f Hz: delay %4.0f ms", rates[i], d)
		ok = append(ok, d)
	}
	if len(ok) == 0 {
		c.Unit = "ms, or classroom.Never"
		c.Expected, c.Lo, c.Hi = math.Inf(1), math.Inf(1), math.Inf(1)
		c.Misconceptions = c.Misconceptions[:1]
		c.TooLow = "No run of the check produced a SIC."
		c.Reveal = "No run produced SIC within its 10 s:" + rows.String()
		return c
	}
	lo, hi := ok[0], ok[0]
	for _, d := range ok {
		lo, hi = min(lo, d), max(hi, d)
	}
	c.Expected = stat.Mean(ok, nil)
	c.Lo, c.Hi = math.Floor((1-LatencyTolerance)*lo), math.Ceil((1+LatencyTolerance)*hi)
	c.Praise = "The delay hardly depends on the input rate."
	c.Reveal = fmt.Sprintf("Measured delays (first presynaptic spike to SIC onset), %.0f–%.0f ms; accepted %.0f–%.0f ms:%s",
		lo, hi, c.Lo, c.Hi, rows.String())
	return c
}

// InteractionMinRate is astrocyte_interaction's Exercise 2: the
// presynaptic rate (Hz) whose mean IP₃ reaches the critical level (µM) with
// the small delta_IP3 of m. observed lines (one per simulated input rate)
// are shown after judging.
func InteractionMinRate(critical float64, m IP3Model, observed []string) Check {
	c := minRateCheck("myMinPreRate", critical, m)
	if len(observed) > 0 {
		c.Reveal += "\nSimulated (60 s each):\n  " + strings.Join(observed, "\n  ")
	}
	return c
}
