package brunel

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/astronb/astronb/astro"
)

// Scales the machine cannot hold (or that are no number) are refused
// before anything is created, quickly and with the estimate.
func TestScaleRefusedUpFront(t *testing.T) {
	for _, s := range []float64{math.Inf(1), math.NaN(), 1e3, 1e4, 1e5, 1e6} {
		p := DefaultParams()
		p.Scale = s
		k, err := astro.NewKernel(astro.KernelConfig{})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = Create(k, p)
		took := time.Since(start)
		if err == nil {
			t.Fatalf("scale %g accepted", s)
		}
		t.Logf("scale %g: %v (%v)", s, err, took)
		if !strings.Contains(err.Error(), "scale") || strings.Contains(err.Error(), "-9223372036854775808") {
			t.Errorf("scale %g: unclear error %q", s, err)
		}
		if took > time.Second {
			t.Errorf("scale %g: refused after %v, want < 1 s", s, took)
		}
		if k.NumNodes() != 0 {
			t.Errorf("scale %g: %d nodes created before the refusal", s, k.NumNodes())
		}
	}
	// A budget: scale 4 (about 0.6 GB) does not fit 256 MiB, and fits 4 GiB.
	p := DefaultParams()
	p.Scale = 4
	k, err := astro.NewKernel(astro.KernelConfig{MemoryLimit: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(k, p); err == nil || !strings.Contains(err.Error(), "would need") {
		t.Errorf("scale 4 in 256 MiB: err = %v", err)
	}
	k, err = astro.NewKernel(astro.KernelConfig{MemoryLimit: 4 << 30})
	if err != nil {
		t.Fatal(err)
	}
	need, err := EstimateMemory(k, p)
	if err != nil || need < 300e6 || need > 2e9 {
		t.Errorf("scale 4: estimate %g bytes, %v", need, err)
	}
	if _, err := Create(k, p); err != nil {
		t.Errorf("scale 4 in 4 GiB: %v", err)
	}
}
