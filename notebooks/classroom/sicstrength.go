package classroom

import (
	"fmt"
	"math"
)

// SICScaleTolerance is the relative margin of astrocyte_sic_strength's
// Exercise 1: the late SIC at w_a2n = 0.01 varies by about ±2 % between
// seeds (this engine's seeds 0–3: 2.25–2.33 pA; NEST's six: 2.25–2.39 pA),
// so five times it is uncertain by the same fraction; 10 % is about three
// times that spread.
const SICScaleTolerance = 0.1

// SICScaling is astrocyte_sic_strength's Exercise 1: the mean SIC (pA) at
// w_a2n = wHigh in 1000–1100 ms, predicted from the run at wLow alone.
// sicLow and sicHigh are the measured SICs, caLow and caHigh the
// astrocytes' mean Ca²⁺ (µM) in the same window.
func SICScaling(wLow, wHigh, sicLow, sicHigh, caLow, caHigh float64) Check {
	k := wHigh / wLow
	sameLo, sameHi := around(sicLow, 0.1)
	sqLo, sqHi := around(k*k*sicLow, 0.15)
	return Check{
		Variable: "myPredictedSIC", Unit: "pA",
		Expected: sicHigh, Lo: (1 - SICScaleTolerance) * sicHigh, Hi: (1 + SICScaleTolerance) * sicHigh,
		Misconceptions: []Misconception{
			{Name: "unchanged", Lo: sameLo, Hi: sameHi,
				Hint: "I_SIC = w_a2n · Σ SIC_a: what does a larger weight do to it, if the astrocytes' Ca2+ stays the same?"},
			{Name: "squared", Lo: sqLo, Hi: sqHi,
				Hint: "The weight enters I_SIC once. Does the astrocytes' Ca2+ change much with w_a2n?"},
		},
		TooLow:  "Too small. How does I_SIC depend on the weight when the astrocytes' Ca2+ stays the same?",
		TooHigh: "Too large. How does I_SIC depend on the weight when the astrocytes' Ca2+ stays the same?",
		Praise:  "The SIC scales with the weight because the astrocytes barely notice the faster firing.",
		Reveal: fmt.Sprintf("Measured in 1000–1100 ms: w_a2n %g: SIC %.2f pA, Ca2+ %.3f µM; w_a2n %g: SIC %.2f pA, Ca2+ %.3f µM "+
			"(accepted %.1f–%.1f pA).", wLow, sicLow, caLow, wHigh, sicHigh, caHigh, (1-SICScaleTolerance)*sicHigh, (1+SICScaleTolerance)*sicHigh),
	}
}

// SICRate is astrocyte_sic_strength's Exercise 2: the population rate (Hz)
// at w_a2n = w, extrapolated from the runs at 0 and wKnown (rates rate0 and
// rateKnown). measured is the simulated rate at w, tol the accepted margin
// (Hz; the notebook uses three times the seed-to-seed SD of the rate).
// Both the simulated rate and the linear extrapolation are accepted.
func SICRate(w, wKnown, rate0, rateKnown, measured, tol float64) Check {
	linear := rate0 + (rateKnown-rate0)*w/wKnown
	lo, hi := min(measured, linear)-tol, max(measured, linear)+tol
	c := Check{
		Variable: "myRateAt01", Unit: "Hz",
		Expected: measured, Lo: lo, Hi: hi,
		TooLow:  "Too low: the rate keeps growing with w_a2n. Draw a straight line through the points at 0 and " + fmt.Sprint(wKnown) + ".",
		TooHigh: "Too high: draw a straight line through the points at 0 and " + fmt.Sprint(wKnown) + " and read it at " + fmt.Sprint(w) + ".",
		Reveal: fmt.Sprintf("Simulated at w_a2n %g: %.3f Hz; a straight line through 0 and %g gives %.3f Hz (accepted %.2f–%.2f Hz: "+
			"± %.2f Hz, three seed-to-seed SDs).", w, measured, wKnown, linear, lo, hi, tol),
	}
	if sLo, sHi := rateKnown-tol/2, rateKnown+tol/2; sHi < lo || sLo > hi {
		c.Misconceptions = append(c.Misconceptions, Misconception{Name: "unchanged", Lo: sLo, Hi: sHi,
			Hint: "That is the rate at " + fmt.Sprint(wKnown) + ": a larger SIC does push the rate further up."})
	}
	if r := rate0 * w / wKnown; math.Abs(r-measured) > 2*tol {
		pLo, pHi := around(r, 0.1)
		c.Misconceptions = append(c.Misconceptions, Misconception{Name: "proportional", Lo: pLo, Hi: pHi,
			Hint: "The rate is not proportional to w_a2n: without astrocytes (w_a2n = 0) the neurons already fire. Extrapolate the increase."})
	}
	return c
}
