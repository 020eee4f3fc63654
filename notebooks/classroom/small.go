package classroom

import (
	"fmt"
	"math"
)

// IdleExpected returns the expected number of astrocytes that no target
// picks when each of targets targets picks one of n astrocytes uniformly:
// n·(1 − 1/n)^targets.
func IdleExpected(n, targets int) float64 {
	return float64(n) * math.Pow(1-1/float64(n), float64(targets))
}

// AnyIdle returns the probability that at least one of n astrocytes is
// picked by none of targets uniform picks (inclusion–exclusion): the
// answer of a student who computes a probability instead of the expected
// count.
func AnyIdle(n, targets int) float64 {
	p, binom := 0.0, 1.0
	for k := 1; k <= n; k++ {
		binom = binom * float64(n-k+1) / float64(k)
		p += math.Pow(-1, float64(k+1)) * binom * math.Pow(1-float64(k)/float64(n), float64(targets))
	}
	return p
}

// IdleTolerance is the margin of astrocyte_small_network's Exercise 1
// around the exact expected count: the answer is a pen-and-paper formula,
// so only rounding to two decimals is allowed, not the spread of a
// simulation.
const IdleTolerance = 0.008

// SmallIdle is astrocyte_small_network's Exercise 1: the expected number
// of idle astrocytes with n astrocytes, targets targets and pool size 1.
// The accepted range is the exact n·(1 − 1/n)^targets ± IdleTolerance;
// simMean and simSE, the mean and its standard error over seeds simulated
// wirings, are shown after judging.
func SmallIdle(n, targets int, simMean, simSE float64, seeds int) Check {
	want := IdleExpected(n, targets)
	one := math.Pow(1-1/float64(n), float64(targets))
	lo, hi := want-IdleTolerance, want+IdleTolerance
	mc := []Misconception{
		{Name: "none idle", Lo: 0, Hi: 0.05,
			Hint: fmt.Sprintf("There are more targets (%d) than astrocytes (%d), but the picks are random: some astrocytes are picked twice, and then others are left out.", targets, n)},
		{Name: "one astrocyte", Lo: one * 0.9, Hi: one * 1.1,
			Hint: "That is the probability that one given astrocyte is never picked. How many astrocytes can be idle?"},
		{Name: "busy", Lo: (1 - one) * 0.97, Hi: math.Min((1-one)*1.03, 1),
			Hint: "That is the probability that a given astrocyte is picked at least once. The question asks for the idle ones, and for a number of astrocytes."},
		{Name: "busy count", Lo: float64(n) * (1 - one) * 0.97, Hi: float64(n) * (1 - one) * 1.03,
			Hint: "That is the expected number of busy astrocytes. How many are idle?"},
	}
	// Probabilities instead of the expected count: "at least one idle"
	// exactly, or as if the astrocytes were independent.
	anyExact := AnyIdle(n, targets)
	anyIndep := 1 - math.Pow(1-one, float64(n))
	for _, p := range []float64{anyExact, anyIndep} {
		mc = append(mc, Misconception{Name: "probability of any idle", Lo: p - 0.01, Hi: p + 0.01,
			Hint: "That is a probability (that some astrocyte is idle), not the expected number of idle astrocytes. " +
				"An expected count adds up, astrocyte by astrocyte, the probability that each is idle."})
	}
	return Check{
		Variable: "myIdle",
		Expected: want, Lo: lo, Hi: hi,
		Misconceptions: mc,
		TooLow:         "Too few. What is the probability that one given astrocyte is never picked by any of the targets? And how many astrocytes are there?",
		TooHigh:        "Too many. What is the probability that one given astrocyte is never picked by any of the targets? And how many astrocytes are there?",
		Praise:         fmt.Sprintf("%d·(1 − 1/%d)^%d: each astrocyte is missed by all %d picks with probability (%d/%d)^%d.", n, n, targets, targets, n-1, n, targets),
		Reveal: fmt.Sprintf("Formula: %.3f idle astrocytes on average (accepted %.3f–%.3f, rounding). Simulated: %.3f ± %.3f over %d random wirings "+
			"(mean ± standard error): the formula is exact, the simulation scatters around it.",
			want, lo, hi, simMean, simSE, seeds),
	}
}

// RatioTolerance is the margin of astrocyte_small_network's Exercise 2.
// The saturated ratio is the same for every seed that has a 5-target and a
// 1-target astrocyte (the neurons are driven identically, so an
// astrocyte's Ca²⁺ depends only on its number of targets), and the
// exercise is a computation from the printed peak Ca²⁺ values, so the
// margin only allows for rounding the logarithms to two decimals; it keeps
// the ratio computed without subtracting SIC_th outside.
const RatioTolerance = 0.025

// SmallSICRatio is astrocyte_small_network's Exercise 2: the ratio of the
// plateau peak SIC a neuron receives from a 5-target astrocyte to that from
// a 1-target astrocyte. ratio is measured over a run of longRun ms, early
// is the same ratio after 1 s only (shown after judging). peakCa maps a
// number of targets to the peak Ca²⁺ (µM) of such an astrocyte in the long
// run (the values the notebook prints), sicTh is SIC_th (µM).
func SmallSICRatio(ratio, early, longRun float64, peakCa map[int]float64, sicTh float64) Check {
	lo, hi := roundWindow(ratio-RatioTolerance, ratio+RatioTolerance, 100)
	c := Check{
		Variable: "myRatio",
		Expected: ratio, Lo: lo, Hi: hi,
		Misconceptions: []Misconception{
			{Name: "linear", Lo: 4.5, Hi: 5.5,
				Hint: "Five times the input does not give five times the SIC: Ca2+ rises less than the input (the ER store is finite), and the SIC is only the logarithm of the Ca2+ excess."},
			{Name: "no difference", Lo: 0.97, Hi: 1.03,
				Hint: "The 5-target astrocyte does reach a higher Ca2+ (see the table); the logarithm compresses the difference but does not remove it."},
			{Name: "early peaks", Lo: early - 0.05, Hi: early + 0.05,
				Hint: "That is the ratio after the first second, when the 1-target astrocyte has not reached its plateau yet. Use the peaks of the long run."},
			{Name: "inverted", Lo: 1/ratio - 0.03, Hi: 1/ratio + 0.03,
				Hint: "The ratio is the other way round: the SIC from the 5-target astrocyte divided by the SIC from a 1-target one."},
		},
		TooLow:  "Too small: more input does give a clearly larger SIC. Compute ln(1000·(Ca − SIC_th)) for both peak Ca2+ values.",
		TooHigh: "Too large: the SIC grows much less than the input. Compute ln(1000·(Ca − SIC_th)) for both peak Ca2+ values.",
		Reveal: fmt.Sprintf("Measured over %.0f s: peak SIC ratio %.3f (accepted %.2f–%.2f). After 1 s only it would have been %.2f: "+
			"the 1-target astrocyte crosses the threshold late and is still rising.", longRun/1000, ratio, lo, hi, early),
	}
	ca5, ok5 := peakCa[5]
	ca1, ok1 := peakCa[1]
	if !ok5 || !ok1 {
		return c
	}
	sic := func(ca, th float64) float64 { return math.Log(1000 * (ca - th)) }
	add := func(name string, v float64, hint string) {
		if v-0.004 > hi || v+0.004 < lo {
			c.Misconceptions = append(c.Misconceptions, Misconception{Name: name, Lo: v - 0.004, Hi: v + 0.004, Hint: hint})
		}
	}
	add("SIC_th not subtracted", sic(ca5, 0)/sic(ca1, 0),
		"Close, but the SIC is the logarithm of the Ca2+ *excess* over SIC_th: subtract SIC_th from both peaks first.")
	if ca2, ok := peakCa[2]; ok {
		add("2-target astrocyte", sic(ca2, sicTh)/sic(ca1, sicTh),
			"That is the astrocyte with 2 targets. Use the one that serves 5.")
		add("2-target astrocyte", sic(ca5, sicTh)/sic(ca2, sicTh),
			"Divide by a 1-target astrocyte's SIC, not by the 2-target one's.")
	}
	add("Ca2+ ratio", ca5/ca1, "That is the ratio of the peak Ca2+ values. The SIC is ln(1000·(Ca − SIC_th)), not Ca2+.")
	add("no logarithm", (ca5-sicTh)/(ca1-sicTh), "That is the ratio of the Ca2+ excesses; the SIC is their logarithm (times 1000 inside).")
	return c
}
