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
	lo, hi := roundWindow((1-SICScaleTolerance)*sicHigh, (1+SICScaleTolerance)*sicHigh, 10)
	mc := []Misconception{}
	for _, m := range []struct {
		name  string
		value float64
		hint  string
	}{
		{"unchanged", sicLow, "I_SIC = w_a2n · Σ SIC_a: what does a larger weight do to it, if the astrocytes' Ca2+ stays the same?"},
		{"squared", k * k * sicLow, "The weight enters I_SIC once. Does the astrocytes' Ca2+ change much with w_a2n?"},
		{"added", sicLow + wHigh - wLow, "The weight multiplies the astrocytes' SIC; it is not added to it."},
		{"weight ratio only", k, "That is the ratio of the weights. Apply it to the SIC of the 0.01 run."},
		{"ten times", 10 * sicLow, "Check the ratio of the weights: 0.05 / 0.01."},
	} {
		mLo, mHi := around(m.value, 0.08)
		if mHi < lo || mLo > hi {
			mc = append(mc, Misconception{Name: m.name, Lo: mLo, Hi: mHi, Hint: m.hint})
		}
	}
	return Check{
		Variable: "myPredictedSIC", Unit: "pA",
		Expected: sicHigh, Lo: lo, Hi: hi,
		Misconceptions: mc,
		TooLow:         "Too small. How does I_SIC depend on the weight when the astrocytes' Ca2+ stays the same?",
		TooHigh:        "Too large. How does I_SIC depend on the weight when the astrocytes' Ca2+ stays the same?",
		Praise:         "The SIC scales with the weight because the astrocytes barely notice the faster firing.",
		Reveal: fmt.Sprintf("Measured in 1000–1100 ms: w_a2n %g: SIC %.2f pA, Ca2+ %.3f µM; w_a2n %g: SIC %.2f pA, Ca2+ %.3f µM "+
			"(accepted %.1f–%.1f pA).", wLow, sicLow, caLow, wHigh, sicHigh, caHigh, lo, hi),
	}
}

// SICRate is astrocyte_sic_strength's Exercise 2: the population rate (Hz)
// at w_a2n = w, extrapolated from the runs at 0 and wKnown (rates rate0 and
// rateKnown). measured is the simulated rate at w, tol the accepted margin
// (Hz; the notebook uses three times the seed-to-seed SD of the rate).
// Both the simulated rate and the linear extrapolation are accepted.
func SICRate(w, wKnown, rate0, rateKnown, measured, tol float64) Check {
	linear := rate0 + (rateKnown-rate0)*w/wKnown
	lo, hi := roundWindow(min(measured, linear)-tol, max(measured, linear)+tol, 100)
	c := Check{
		Variable: "myRateAt01", Unit: "Hz",
		Expected: measured, Lo: lo, Hi: hi,
		TooLow:  "Too low: the rate keeps growing with w_a2n. Draw a straight line through the points at 0 and " + fmt.Sprint(wKnown) + ".",
		TooHigh: "Too high: draw a straight line through the points at 0 and " + fmt.Sprint(wKnown) + " and read it at " + fmt.Sprint(w) + ".",
		Reveal: fmt.Sprintf("Simulated at w_a2n %g: %.3f Hz; a straight line through 0 and %g gives %.3f Hz (accepted %.2f–%.2f Hz: "+
			"± %.2f Hz, three seed-to-seed SDs).", w, measured, wKnown, linear, lo, hi, tol),
	}
	rise := rateKnown - rate0
	for _, m := range []struct {
		name   string
		lo, hi float64
		hint   string
	}{
		{"unchanged", rateKnown - tol/2, rateKnown + tol/2, "That is the rate at " + fmt.Sprint(wKnown) + ": a larger SIC does push the rate further up."},
		{"proportional", rateKnown * w / wKnown * 0.9, rateKnown * w / wKnown * 1.1,
			"The rate is not proportional to w_a2n: without astrocytes (w_a2n = 0) the neurons already fire. Extrapolate the increase."},
		{"increase only", rise*w/wKnown - tol/2, rise*w/wKnown + tol/2,
			"That is the increase over the rate without astrocytes; the question asks for the rate itself."},
	} {
		if m.hi < lo || m.lo > hi {
			c.Misconceptions = append(c.Misconceptions, Misconception{Name: m.name, Lo: m.lo, Hi: m.hi, Hint: m.hint})
		}
	}
	if math.IsNaN(measured) {
		c.Lo, c.Hi = math.NaN(), math.NaN()
	}
	return c
}
