package classroom

import "fmt"

// BranchSIC is astrocyte_branching's Exercise 1: the mean I_SIC (pA) of
// the recorded neurons between 900 and 1000 ms in branch B, whose
// astrocytes got SIC_th = Ca_tot at 500 ms. measured is branch B's
// simulated value, unchanged branch A's. The answer is exact up to the
// rounding a student would do (± 0.01 pA): no Ca²⁺ can exceed Ca_tot, so
// the SIC formula gives nothing.
func BranchSIC(measured, unchanged float64) Check {
	c := Check{
		Variable: "mySICInB", Unit: "pA",
		Expected: measured, Lo: measured - 0.01, Hi: measured + 0.01,
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

// BranchRate is astrocyte_branching's Exercise 2: the population rate (Hz)
// of branch B between 500 and 1000 ms. measured is branch B's simulated
// rate, unchanged branch A's; tol (Hz) is the accepted margin around
// measured (the notebook states why).
func BranchRate(measured, unchanged, tol float64) Check {
	c := Check{
		Variable: "myRateInB", Unit: "Hz",
		Expected: measured, Lo: measured - tol, Hi: measured + tol,
		TooLow:  "Too low: the SIC is a few pA next to synaptic and Poisson currents of hundreds of pA. How much can removing it change?",
		TooHigh: "Too high: branch B loses a (small) excitatory current; its neurons cannot fire much faster than branch A's.",
		Praise:  "The SIC is a small extra drive here, so switching it off changes the rate only a little.",
		Reveal:  fmt.Sprintf("Branch B: %.3f Hz; branch A (unchanged): %.3f Hz, between 500 and 1000 ms.", measured, unchanged),
	}
	if hi := measured / 3; hi < c.Lo {
		c.Misconceptions = append(c.Misconceptions, Misconception{Name: "silent", Lo: 0, Hi: hi,
			Hint: "The neurons still get Poisson input and recurrent excitation; the SIC is not what keeps them firing."})
	}
	return c
}
