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

var errNoVectorPath = errors.New("astro: internal error: vector path used in a build without it")

func (b *aeifBlock) updateBatch4(*Kernel, *threadCtx, *aeifWork, int, int64, int, int,
	*[lanes]*[aeifDim]float64, *[lanes]*[aeifDim]float64, *[lanes]*float64, *[lanes]bool) error {
	return errNoVectorPath
}

func (b *astrocyteBlock) updateBatch4(*Kernel, *threadCtx, *astroWork, int, int64, int, int, int,
	*[lanes]*[astroDim]float64, *[lanes]*[astroDim]float64, *[lanes]*float64, *[lanes]bool) error {
	return errNoVectorPath
}
