//go:build !(goexperiment.simd && amd64)

package astro

import "errors"

// Without GOEXPERIMENT=simd on amd64 there is no vector path (see
// gsl_rkf45_simd.go): every batch takes the scalar route.

const simdAvailable = false

var simdDisabled bool

type aeifVecSys struct{}

type astroVecSys struct{}

func (b *aeifBlock) vectorReady(*aeifWork) bool { return false }

func (b *astrocyteBlock) vectorReady(*astroWork) bool { return false }

// vlanes is the vector batch size of the vector path.
const vlanes = 8

func (b *aeifBlock) updateVector(*Kernel, *threadCtx, *aeifWork, int, int64, int, int) error {
	return errNoVectorPath
}

func (b *astrocyteBlock) updateVector(*Kernel, *threadCtx, *astroWork, int, int64, int, int, int) {}

var errNoVectorPath = errors.New("astro: internal error: vector path used in a build without it")
