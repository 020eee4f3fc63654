package classroom

import (
	"fmt"
	"math"
)

// BranchSICTolerance is the margin (pA) of astrocyte_branching's
// Exercise 1 above the measured value: rounding to two decimals. Negative
// answers are wrong: a SIC is a positive current or none.
const BranchSICTolerance = 0.005

// BranchSIC is astrocyte_branching's Exercise 1: the mean I_SIC (pA) of
// the recorded neurons between 900 and 1000 ms in branch B, whose
// astrocytes got SIC_th = Ca_tot at 500 ms. measured is branch B's
// simulated value, unchanged branch A's. The answer follows from the SIC
// formula, so the accepted range is the measured value (or 0, whichever
// is lower) up to BranchSICTolerance above it: rounding only.
func BranchSIC(measured, unchanged float64) Check {
	c := Check{
		Variable: "mySICInB", Unit: "pA",
		Expected: measured, Lo: min(0, measured), Hi: max(0, measured) + BranchSICTolerance,
		Misconceptions: []Misconception{
			{Name: "negative", Lo: math.Inf(-1), Hi: -1e-300,
				Hint: "A SIC is a positive current or none: when the logarithm's argument is below 1 the astrocyte sends nothing (ln would be negative, or −∞ at Ca = SIC_th)."},
		},
		TooLow:  "Too low: the SIC is a positive current or none — it never reverses.",
		TooHigh: "Too high: can Ca²⁺, which never exceeds Ca_tot = 2 µM, still rise above the new SIC_th by the thousandth of a µM the logarithm needs?",
		Praise:  "With SIC_th at Ca_tot the logarithm's argument never exceeds 1.",
		Reveal: fmt.Sprintf("Branch B's mean I_SIC between 900 and 1000 ms: %.3g pA; branch A (unchanged): %.3g pA.",
			measured, unchanged),
	}
	if lo, hi := around(unchanged, 0.3); lo > c.Hi {
		c.Misconceptions = append(c.Misconceptions, Misconception{Name: "unchanged", Lo: lo, Hi: hi,
			Hint: "That is about what branch A receives. In branch B the threshold moved: look at when the formula gives a current at all."})
	}
	return c
}

// RateChangeTolerance is the margin (Hz) of astrocyte_branching's
// Exercise 2 below the measured change: the rate at w_a2n = 0 and 0.01
// differs by about 0.08 Hz in astrocyte_sic_strength, with a seed-to-seed
// SD of 0.06 Hz; 0.15 Hz is about two such differences.
const RateChangeTolerance = 0.15

// BranchRateChange is astrocyte_branching's Exercise 2: the change of the
// population rate (Hz) between 500 and 1000 ms from branch A to branch B
// (B − A). rateB and rateA are the simulated rates. Accepted is "a small
// decrease": from the measured change (or 0, whichever is lower) minus
// RateChangeTolerance up to the measured change or 0 (whichever is
// higher); an increase, a drop to silence and a percentage are wrong.
func BranchRateChange(rateB, rateA float64) Check {
	d := rateB - rateA
	lo, hi := roundWindow(min(d, 0)-RateChangeTolerance, max(d, 0), 100)
	c := Check{
		Variable: "myRateChange", Unit: "Hz",
		Expected: d, Lo: lo, Hi: hi,
		Misconceptions: []Misconception{
			{Name: "silent", Lo: -rateA * 1.2, Hi: -rateA * 0.7,
				Hint: "The neurons still get Poisson input and recurrent excitation; the SIC is not what keeps them firing."},
			{Name: "increase", Lo: math.Nextafter(max(hi, 0), math.Inf(1)), Hi: math.Inf(1),
				Hint: "Branch B loses a (small) excitatory current. Can that make its neurons fire faster?"},
		},
		TooLow:  "Too large a drop: the SIC is a few pA next to synaptic and Poisson currents of hundreds of pA. How much can removing it change?",
		TooHigh: "Branch B loses a (small) excitatory current.",
		Praise:  "The SIC is a small extra drive here, so switching it off lowers the rate only a little.",
		Reveal: fmt.Sprintf("Between 500 and 1000 ms: branch A %.3f Hz, branch B %.3f Hz, change %+.3f Hz (accepted %.2f to %.2f Hz).",
			rateA, rateB, d, lo, hi),
	}
	if pct := 100 * d / rateA; pct < lo {
		pLo, pHi := around(pct, 0.15)
		c.Misconceptions = append([]Misconception{{Name: "percentage", Lo: pLo, Hi: pHi,
			Hint: "Give the change in Hz (B − A), not in percent."}}, c.Misconceptions...)
	}
	return c
}
