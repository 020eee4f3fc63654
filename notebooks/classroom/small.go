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

// SmallIdle is astrocyte_small_network's Exercise 1: the mean number of
// idle astrocytes with n astrocytes, targets targets and pool size 1.
// simMean and simSE are the mean and its standard error over seeds
// simulated wirings. Answers within 3 standard errors of the formula or of
// the simulated mean are right.
func SmallIdle(n, targets int, simMean, simSE float64, seeds int) Check {
	want := IdleExpected(n, targets)
	one := math.Pow(1-1/float64(n), float64(targets))
	oneLo, oneHi := around(one, 0.15)
	return Check{
		Variable: "myIdle",
		Expected: want, Lo: min(want, simMean) - 3*simSE, Hi: max(want, simMean) + 3*simSE,
		Misconceptions: []Misconception{
			{Name: "none idle", Lo: 0, Hi: 0.05,
				Hint: fmt.Sprintf("There are more targets (%d) than astrocytes (%d), but the picks are random: some astrocytes are picked twice, and then others are left out.", targets, n)},
			{Name: "one astrocyte", Lo: oneLo, Hi: oneHi,
				Hint: "That is the probability that one given astrocyte is never picked. How many astrocytes can be idle?"},
		},
		TooLow:  "Too few. What is the probability that one given astrocyte is never picked by any of the targets?",
		TooHigh: "Too many. What is the probability that one given astrocyte is never picked by any of the targets?",
		Praise:  fmt.Sprintf("%d·(1 − 1/%d)^%d: each astrocyte is missed by all %d picks with probability (%d/%d)^%d.", n, n, targets, targets, n-1, n, targets),
		Reveal: fmt.Sprintf("Formula: %.3f idle astrocytes on average. Simulated: %.3f ± %.3f over %d random wirings (mean ± standard error).",
			want, simMean, simSE, seeds),
	}
}

// RatioTolerance is the margin of astrocyte_small_network's Exercise 2.
// The saturated ratio is the same for every seed that has a 5-target and a
// 1-target astrocyte (the neurons are driven identically, so an
// astrocyte's Ca²⁺ depends only on its number of targets), so the margin
// only allows for rounding the logarithms.
const RatioTolerance = 0.1

// SmallSICRatio is astrocyte_small_network's Exercise 2: the ratio of the
// plateau peak SIC a neuron receives from a 5-target astrocyte to that from
// a 1-target astrocyte. ratio is measured over a run of longRun ms, early
// is the same ratio after 1 s only (shown after judging).
func SmallSICRatio(ratio, early, longRun float64) Check {
	return Check{
		Variable: "myRatio",
		Expected: ratio, Lo: ratio - RatioTolerance, Hi: ratio + RatioTolerance,
		Misconceptions: []Misconception{
			{Name: "linear", Lo: 4.5, Hi: 5.5,
				Hint: "Five times the input does not give five times the SIC: Ca2+ rises less than the input (the ER store is finite), and the SIC is only the logarithm of the Ca2+ excess."},
			{Name: "no difference", Lo: 0.97, Hi: 1.03,
				Hint: "The 5-target astrocyte does reach a higher Ca2+ (see the table); the logarithm compresses the difference but does not remove it."},
			{Name: "early peaks", Lo: early - 0.05, Hi: early + 0.05,
				Hint: "That is the ratio after the first second, when the 1-target astrocyte has not reached its plateau yet. Use the peaks of the long run."},
		},
		TooLow:  "Too small: more input does give a clearly larger SIC. Compute ln(1000·(Ca − SIC_th)) for both peak Ca2+ values.",
		TooHigh: "Too large: the SIC grows much less than the input. Compute ln(1000·(Ca − SIC_th)) for both peak Ca2+ values.",
		Reveal: fmt.Sprintf("Measured over %.0f s: peak SIC ratio %.2f (accepted %.2f–%.2f). After 1 s only it would have been %.2f: "+
			"the 1-target astrocyte crosses the threshold late and is still rising.", longRun/1000, ratio, ratio-RatioTolerance, ratio+RatioTolerance, early),
	}
}
