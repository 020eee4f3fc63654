//go:build !(goexperiment.simd && amd64)

package astro

// Without GOEXPERIMENT=simd on amd64 there is no vector path: every batch
// takes the scalar route (see aeif_cond_alpha_astro_simd.go).

const simdAvailable = false

var simdDisabled bool

type aeifSIMDWork struct{}

func (b *aeifBlock) vectorReady(w *aeifWork) bool { return false }

func (b *aeifBlock) updateBatch4(k *Kernel, tc *threadCtx, w *aeifWork, i0 int, origin int64, from, to int,
	y, dydt *[lanes]*[aeifDim]float64, hs *[lanes]*float64, valid *[lanes]bool) error {
	panic("astro: vector path without GOEXPERIMENT=simd")
}
