package brunel

import (
	"os"
	"testing"

	"github.com/astronb/astronb/astro"
)

// TestMain runs the tests of GOEXPERIMENT=simd builds on the vector path
// unless ASTRONB_VECTOR says otherwise (see astro's TestMain).
func TestMain(m *testing.M) {
	if os.Getenv(astro.VectorEnv) == "" {
		os.Setenv(astro.VectorEnv, "avx2")
		if _, err := astro.ChooseVectorPath(); err != nil { // no vector path in this build
			os.Unsetenv(astro.VectorEnv)
		}
	}
	os.Exit(m.Run())
}
