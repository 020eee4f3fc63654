package plots

import "math"

// equalFloats reports whether a and b have equal lengths and elements
// within tol.
func equalFloats(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}
