//go:build !(goexperiment.simd && amd64)

package astro

// Without GOEXPERIMENT=simd on amd64 there is no vector path (see
// gsl_rkf45_simd.go): every batch takes the scalar route, and the models'
// vector updates (their *_simd.go files) are not compiled.

const simdAvailable = false

var simdDisabled bool

// vlanes is the vector batch size of the vector path.
const vlanes = 16

// clearUpper has nothing to clear without vector code (gsl_rkf45_simd.go).
func clearUpper() {}
