package classroom

import (
	"fmt"
	"math"
)

// IP3Tolerance is how far (µM) an answer for the critical IP₃ level may be
// from the measured one. The level is deterministic (no input, no
// randomness); 0.02 µM is the resolution of a search by hand with a
// handful of 60 s runs, and it keeps the SIC threshold (a Ca²⁺ level,
// 0.197 µM) and the baseline (0.16 µM) out of the accepted range.
const IP3Tolerance = 0.02

// IP3Model is what the exercises need of the astrocyte: IP₃ baseline and
// decay, the input weight and delta_IP3.
type IP3Model struct {
	IP30   float64 // IP₃ baseline IP3_0 (µM)
	TauIP3 float64 // IP₃ decay time constant (ms)
	Weight float64 // weight of the input connection
	Delta  float64 // delta_IP3: IP₃ jump per unit weight (µM)
	SICTh  float64 // SIC threshold of Ca²⁺ (µM)
}

// RateFor returns the input rate (Hz) at which the mean IP₃,
// IP3_0 + rate·w·delta_IP3·tau_IP3/1000, equals level (µM).
func (m IP3Model) RateFor(level float64) float64 {
	return (level - m.IP30) / (m.Weight * m.Delta * m.TauIP3 / 1000)
}

// ip3Window is the accepted range of the critical IP₃ level (µM): the
// measured level ± IP3Tolerance, rounded to 0.01 µM as the reveal states it.
func ip3Window(measured float64) (lo, hi float64) {
	return roundWindow(measured-IP3Tolerance, measured+IP3Tolerance, 100)
}

// SingleIP3Threshold is astrocyte_single's Exercise 2: the lowest constant
// IP₃ level (µM) at which Ca²⁺ crosses SIC_th + 1 nM within 60 s. measured
// is that level, found by bisection to 1 nM.
func SingleIP3Threshold(measured float64, m IP3Model) Check {
	lo, hi := ip3Window(measured)
	return Check{
		Variable: "myIP3Threshold", Unit: "µM",
		Expected: measured, Lo: lo, Hi: hi,
		Misconceptions: []Misconception{
			{Name: "baseline", Lo: m.IP30 - 0.01, Hi: m.IP30 + 0.01,
				Hint: "That is the resting level IP3_0: at rest Ca2+ stays far below the SIC threshold. Raise IP3 in the explore cell."},
			{Name: "SIC_th", Lo: m.SICTh - 0.005, Hi: m.SICTh + 0.006,
				Hint: "That is SIC_th, a threshold of Ca2+, not of IP3 (the dashed line belongs to the Ca2+ axis). Which IP3 level makes Ca2+ reach it?"},
		},
		TooLow:  "At that IP3 level Ca2+ stays below the SIC threshold for the whole minute. Try higher values in the explore cell.",
		TooHigh: "Ca2+ already crosses the SIC threshold at lower IP3 levels. Try lower values in the explore cell.",
		Reveal: fmt.Sprintf("Measured: the lowest constant IP3 at which Ca2+ passes SIC_th + 1 nM within 60 s is %.3f µM "+
			"(bisection to 1 nM; accepted %.2f–%.2f µM, ± %.2f µM).", measured, lo, hi, IP3Tolerance),
	}
}

// SingleMinRate is astrocyte_single's Exercise 3: the input rate (Hz) at
// which the mean IP₃ equals the critical level threshold (µM), from the
// steady-state formula. The accepted range is the rates implied by the
// accepted critical levels of Exercise 2, so a student who carries over an
// accepted answer is right. sicShare[i] is the fraction of a minute with
// SIC at 0.5, 1 and 2 times the predicted rate (shown after judging).
func SingleMinRate(threshold float64, m IP3Model, sicShare [3]float64) Check {
	c := minRateCheck("myMinRate", threshold, m)
	c.Reveal += fmt.Sprintf("\nSimulated (60 s, one seed): SIC present %.0f %% of the time at %.3g Hz, %.0f %% at %.3g Hz, %.0f %% at %.3g Hz.",
		100*sicShare[0], c.Expected/2, 100*sicShare[1], c.Expected, 100*sicShare[2], 2*c.Expected)
	c.Reveal += "\nThe switch is gradual, not sharp: IP3 fluctuates around its mean, so SIC appears now and then below the predicted rate."
	return c
}

// minRateCheck is the check of "which rate keeps the mean IP₃ at the
// critical level" for the variable name: accepted are the rates of the
// critical levels Exercise 2 accepts, rounded to 0.01 Hz.
func minRateCheck(name string, threshold float64, m IP3Model) Check {
	want := m.RateFor(threshold)
	tLo, tHi := ip3Window(threshold)
	lo, hi := roundWindow(m.RateFor(tLo), m.RateFor(tHi), 100)
	nbLo, nbHi := around(threshold/(m.Weight*m.Delta*m.TauIP3/1000), 0.1)
	c := Check{
		Variable: name, Unit: "Hz",
		Expected: want, Lo: lo, Hi: hi,
		Misconceptions: []Misconception{
			{Name: "ms vs s", Lo: want / 1000 * 0.5, Hi: want / 1000 * 1.5,
				Hint: "About a thousand times too small: tau_IP3 is in ms, the rate in spikes per second."},
			{Name: "no baseline", Lo: nbLo, Hi: nbHi,
				Hint: "IP3 does not start from 0: the input only has to add the difference between the critical level and the baseline IP3_0."},
		},
		TooLow:  "Too low: at that rate the mean IP3 stays below the critical level. Check the weight and delta_IP3.",
		TooHigh: "Too high: a lower rate already keeps the mean IP3 at the critical level.",
		Reveal: fmt.Sprintf("Prediction: (%.3f − %.2f) µM / (%g × %g µM × %g s) = %.3g Hz (accepted %.2f–%.2f Hz, "+
			"the rates for the accepted critical levels %.2f–%.2f µM).",
			threshold, m.IP30, m.Weight, m.Delta, m.TauIP3/1000, want, lo, hi, tLo, tHi),
	}
	// Ten times too small: the weight left out (w = 0.1), or delta_IP3
	// taken ten times too large; a hundred times: delta_IP3 = 5 µM (NEST
	// 3.8's default) instead of 0.05 µM.
	for _, f := range []struct {
		name   string
		factor float64
		hint   string
	}{
		{"weight or delta_IP3", m.Weight, fmt.Sprintf("Each spike adds delta_IP3 (%g µM) times the weight (%g): check that both are in your formula.", m.Delta, m.Weight)},
		{"weight or delta_IP3", 0.1, fmt.Sprintf("Each spike adds delta_IP3 (%g µM) times the weight (%g): check both values.", m.Delta, m.Weight)},
		{"delta_IP3 = 5", m.Delta / 5, fmt.Sprintf("This exercise uses delta_IP3 = %g µM, not NEST 3.8's default 5 µM.", m.Delta)},
	} {
		if f.factor == 1 || f.factor == 0 {
			continue
		}
		fLo, fHi := around(want*f.factor, 0.2)
		if fHi < lo || fLo > hi {
			c.Misconceptions = append(c.Misconceptions, Misconception{Name: f.name, Lo: fLo, Hi: fHi, Hint: f.hint})
		}
	}
	if math.IsNaN(want) {
		c.Lo, c.Hi = math.NaN(), math.NaN()
	}
	return c
}
