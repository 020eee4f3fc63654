//go:build goexperiment.simd && amd64

package astro

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// vectorStretch are the functions that run while a batch's state is in
// 256-bit registers (see gsl_rkf45_simd.go's file comment), as `go tool
// objdump` names them; each must be found in the test binary.
var vectorStretch = []string{
	`astro.(*vecRKF45[go.shape.[12]simd/archsimd.Float64x4]).trial`,
	`astro.(*vecRKF45[go.shape.[6]simd/archsimd.Float64x4]).trial`,
	`astro.(*vecRKF45[go.shape.[12]simd/archsimd.Float64x4]).accept`,
	`astro.(*vecRKF45[go.shape.[12]simd/archsimd.Float64x4]).refresh`,
	`astro.(*aeifVecSys).rhs`,
	`astro.(*aeifVecSys).step`,
	`astro.(*aeifVecSys).endOfStep`,
	`astro.(*astroVecSys).rhs`,
	`astro.(*astroVecSys).step`,
	`astro.(*astroVecSys).endOfStep`,
	`astro.vecLoad[go.shape.[6]float64,go.shape.[12]simd/archsimd.Float64x4]`,
	`astro.vecStore[go.shape.[6]float64,go.shape.[12]simd/archsimd.Float64x4]`,
	`astro.vecLoad[go.shape.[3]float64,go.shape.[6]simd/archsimd.Float64x4]`,
	`astro.vecStore[go.shape.[3]float64,go.shape.[6]simd/archsimd.Float64x4]`,
}

// legacySSE matches an instruction of `go tool objdump` that uses an XMM
// register without the VEX encoding (Go names VEX instructions V…).
var legacySSE = regexp.MustCompile(`^[A-UW-Z][A-Z0-9_]*\s.*\bX([0-9]|1[0-5])\b`)

// TestVectorStretchVEXOnly: the compiled vector stretch contains no
// legacy-SSE instruction (a scalar float64 load or operation, an array
// copy through MOVUPS, a shift count moved with MOVQ): with the upper
// halves of the AVX registers dirty each one costs more than the vector
// work around it, which made the vector path 3.3× slower than the scalar
// one on an Intel Xeon (family 6 model 207) and 1.7× on an AMD Zen 3.
func TestVectorStretchVEXOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("disassembles the test binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run objdump with")
	}
	// The running test binary has no symbol table: link one that has.
	exe := filepath.Join(t.TempDir(), "astro.test")
	build := exec.Command(gobin, "test", "-c", "-o", exe, ".")
	build.Env = append(os.Environ(), "GOEXPERIMENT=simd")
	build.WaitDelay = time.Minute
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, msg)
	}
	cmd := exec.Command(gobin, "tool", "objdump", "-s", `^github.com/astronb/astronb/astro\.`, exe)
	cmd.WaitDelay = time.Minute
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool objdump: %v\n%s", err, stderr.String())
	}
	want := map[string]bool{}
	for _, f := range vectorStretch {
		want["github.com/astronb/astronb/"+f] = true
	}
	found := map[string]int{}
	var fn string
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, "TEXT "); ok {
			fn = strings.TrimSuffix(strings.Fields(rest)[0], "(SB)")
			if want[fn] {
				found[fn] = 0
			}
			continue
		}
		if !want[fn] {
			continue
		}
		// file:line, address, encoding, then the instruction.
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		ins := strings.Join(f[3:], " ")
		if legacySSE.MatchString(ins) {
			found[fn]++
			if found[fn] <= 3 {
				t.Errorf("%s: legacy-SSE instruction in the vector stretch at %s: %s", fn, f[0], ins)
			}
		}
	}
	for f := range want {
		if _, ok := found[f]; !ok {
			t.Errorf("%s not found in the test binary's disassembly", f)
		}
	}
}
