package classroom

import (
	"fmt"
	"math"
)

// CaDropTolerance is how far (percentage points) an answer for the drop of
// the astrocytes' mean Ca²⁺ may be from the measured one: the measurement
// is exact for the given run, so only rounding to whole percent is allowed.
const CaDropTolerance = 1.0

// YourModelCaDrop is astrocyte_your_model's exercise: by how many percent
// the Ca²⁺ leak lowers the astrocytes' mean Ca²⁺ (over the recorded
// astrocytes and the last part of the run) below the built-in model's.
// builtin and variant are the two mean Ca²⁺ levels (µM).
func YourModelCaDrop(builtin, variant float64) Check {
	c := Check{Variable: "myCaDrop", Unit: "%"}
	if !(builtin > 0) || math.IsNaN(variant) {
		c.Broken = fmt.Sprintf("the mean Ca²⁺ levels (%g µM built-in, %g µM variant) cannot be compared", builtin, variant)
		return c
	}
	drop := 100 * (builtin - variant) / builtin
	c.Expected, c.Lo, c.Hi = drop, drop-CaDropTolerance, drop+CaDropTolerance
	ratio := 100 * variant / builtin
	c.Misconceptions = []Misconception{
		{Name: "ratio", Lo: ratio - CaDropTolerance, Hi: ratio + CaDropTolerance,
			Hint: "That is the variant's Ca²⁺ as a percentage of the built-in's. The question asks how much lower it is."},
		{Name: "sign", Lo: -drop - CaDropTolerance, Hi: -drop + CaDropTolerance,
			Hint: "Check the sign: a drop is (built-in − variant) / built-in."},
		{Name: "fraction", Lo: drop/100 - 0.01, Hi: drop/100 + 0.01,
			Hint: "That looks like a fraction; the answer is in percent."},
	}
	c.TooLow = "Too small: compare the two mean Ca²⁺ levels again (the same astrocytes, the same window)."
	c.TooHigh = "Too large: compare the two mean Ca²⁺ levels again (the same astrocytes, the same window)."
	c.Praise = "The leak pulls Ca²⁺ out of the cytosol faster than the pumps alone."
	c.Reveal = fmt.Sprintf("Measured: mean Ca²⁺ %.4f µM built-in, %.4f µM with the leak: a drop of %.1f %%.", builtin, variant, drop)
	return c
}
