package astro

import (
	"os"
	"strings"
	"testing"
)

// TestMain runs the tests of GOEXPERIMENT=simd builds on the vector path
// unless ASTRONB_VECTOR says otherwise: the calibration may choose the
// scalar path on a CPU, which would leave the vector path untested there.
// (The plain build tests the scalar path.)
func TestMain(m *testing.M) {
	if simdAvailable && os.Getenv(VectorEnv) == "" {
		os.Setenv(VectorEnv, "avx2")
	}
	os.Exit(m.Run())
}

// vecKernel is a kernel of a few example neurons, prepared by a 1 ms
// Simulate under the given ASTRONB_VECTOR value.
func vecKernel(t *testing.T, env string) (*Kernel, error) {
	t.Setenv(VectorEnv, env)
	k := mustKernel(t, KernelConfig{})
	mustCreate(t, k, DefaultAeifCondAlphaAstro(), 16)
	return k, k.Simulate(1)
}

func TestVectorPathOverride(t *testing.T) {
	k, err := vecKernel(t, "off")
	if err != nil || k.vecOn {
		t.Errorf("%s=off: err %v, vector path %v; want the scalar path", VectorEnv, err, k.vecOn)
	}
	k, err = vecKernel(t, "avx2")
	if simdAvailable {
		if err != nil || !k.vecOn {
			t.Errorf("%s=avx2: err %v, vector path %v; want the vector path", VectorEnv, err, k.vecOn)
		}
	} else if err == nil || !strings.Contains(err.Error(), VectorEnv+"=avx2") {
		t.Errorf("%s=avx2 without a vector path: err %v; want an error naming it", VectorEnv, err)
	}
	for _, bad := range []string{"on", "AVX2", "avx512", " off"} {
		if _, err := vecKernel(t, bad); err == nil || !strings.Contains(err.Error(), VectorEnv) ||
			!strings.Contains(err.Error(), "auto, off or avx2") {
			t.Errorf("%s=%q: err %v; want an error naming the variable and its values", VectorEnv, bad, err)
		}
	}
}

func TestVectorPathCalibration(t *testing.T) {
	t.Setenv(VectorEnv, "")
	c, err := ChooseVectorPath()
	if err != nil {
		t.Fatal(err)
	}
	if !simdAvailable {
		if c.Path != "off" || c.VectorNs != 0 {
			t.Errorf("without a vector path: %+v", c)
		}
		return
	}
	if c.VectorNs <= 0 || c.ScalarNs <= 0 || (c.Path == "avx2") != (c.VectorNs < c.ScalarNs) ||
		!strings.Contains(c.Reason, "calibration") {
		t.Errorf("calibration: %+v; want both times and the faster path", c)
	}
	k, err := vecKernel(t, "auto")
	if err != nil || k.vecOn != (c.Path == "avx2") {
		t.Errorf("auto: err %v, vector path %v; want the calibration's %s", err, k.vecOn, c.Path)
	}
}
