//go:build goexperiment.simd && amd64

package astro

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// vectorStretch are the functions that run while a batch's state is in
// 256-bit registers (see gsl_rkf45_simd.go's file comment), as `go tool
// objdump` names them; each must be found in the test binary.
var vectorStretch = func() []string {
	// A batch's state is an array of vgroups·dim vectors.
	neuron := fmt.Sprintf("go.shape.[%d]simd/archsimd.Float64x4", vgroups*aeifDim)
	astrocyte := fmt.Sprintf("go.shape.[%d]simd/archsimd.Float64x4", vgroups*astroDim)
	return []string{
		`astro.(*vecRKF45[` + neuron + `]).trial`,
		`astro.(*vecRKF45[` + astrocyte + `]).trial`,
		`astro.(*vecRKF45[` + neuron + `]).accept`,
		`astro.(*vecRKF45[` + neuron + `]).refresh`,
		`astro.(*aeifVecSys).rhs`,
		`astro.(*aeifVecSys).step`,
		`astro.(*aeifVecSys).endOfStep`,
		`astro.(*aeifVecSys).park`,
		`astro.(*astroVecSys).rhs`,
		`astro.(*astroVecSys).step`,
		`astro.(*astroVecSys).endOfStep`,
		fmt.Sprintf(`astro.vecLoad[go.shape.[%d]float64,%s]`, aeifDim, neuron),
		fmt.Sprintf(`astro.vecStore[go.shape.[%d]float64,%s]`, aeifDim, neuron),
		fmt.Sprintf(`astro.vecLoad[go.shape.[%d]float64,%s]`, astroDim, astrocyte),
		fmt.Sprintf(`astro.vecStore[go.shape.[%d]float64,%s]`, astroDim, astrocyte),
	}
}()

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
	funcs := astroDisassembly(t)
	for _, name := range vectorStretch {
		lines, ok := funcs[modulePath+name]
		if !ok {
			t.Errorf("%s not found in the test binary's disassembly", modulePath+name)
			continue
		}
		bad := 0
		for _, line := range lines {
			// file:line, address, encoding, then the instruction.
			f := strings.Fields(line)
			if len(f) < 4 {
				continue
			}
			ins := strings.Join(f[3:], " ")
			if legacySSE.MatchString(ins) {
				if bad++; bad <= 3 {
					t.Errorf("%s: legacy-SSE instruction in the vector stretch at %s: %s", modulePath+name, f[0], ins)
				}
			}
		}
	}
}

// modulePath prefixes the function names of `go tool objdump`.
const modulePath = "github.com/astronb/astronb/"

// astroDisassembly returns the instruction lines of package astro's
// functions (by objdump's name) in a GOEXPERIMENT=simd test binary, built
// once for all tests that need it; it skips in short mode.
func astroDisassembly(t *testing.T) map[string][]string {
	t.Helper()
	if testing.Short() {
		t.Skip("disassembles the test binary")
	}
	disasm.once.Do(func() { disasm.out, disasm.skip, disasm.err = disassembleAstro() })
	if disasm.skip != "" {
		t.Skip(disasm.skip)
	}
	if disasm.err != nil {
		t.Fatal(disasm.err)
	}
	return disasm.out
}

var disasm struct {
	once sync.Once
	out  map[string][]string
	skip string
	err  error
}

func disassembleAstro() (funcs map[string][]string, skip string, err error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return nil, "no go command to run objdump with", nil
	}
	// The running test binary has no symbol table: link one that has.
	dir, err := os.MkdirTemp("", "astro-objdump")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "astro.test")
	build := exec.Command(gobin, "test", "-c", "-o", exe, ".")
	build.Env = append(os.Environ(), "GOEXPERIMENT=simd")
	build.WaitDelay = time.Minute
	if msg, err := build.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("go test -c: %v\n%s", err, msg)
	}
	cmd := exec.Command(gobin, "tool", "objdump", "-s", `^github.com/astronb/astronb/astro\.`, exe)
	cmd.WaitDelay = time.Minute
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("go tool objdump: %v\n%s", err, stderr.String())
	}
	funcs = map[string][]string{}
	var fn string
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, "TEXT "); ok {
			fn = strings.TrimSuffix(strings.Fields(rest)[0], "(SB)")
			funcs[fn] = nil
			continue
		}
		funcs[fn] = append(funcs[fn], line)
	}
	return funcs, "", nil
}

// clearingLoops are the functions that start scalar work in a clean vector
// state (gsl_rkf45_simd.go's file comment: an asynchronous preemption
// leaves the upper halves dirty): the models' scalar batch loops (the
// neurons' in runScalar, per round), the other blocks' updates and the
// deliveries. A name ending in "[" stands for every
// shape instantiation of a generic type's Update; at least one must be found.
var clearingLoops = []string{
	`astro.(*aeifBlock).runScalar`,
	`astro.(*astrocyteBlock).Update`,
	`astro.(*odeBlock[`,
	`astro.(*Kernel).updateThread`,
	`astro.(*Kernel).deliver`,
	`astro.(*Kernel).deliverSIC`,
}

// TestScalarLoopsClearUpper: every function of clearingLoops executes
// VZEROUPPER. Without it, scalar code after a preemption ran with a false
// dependency on the vector registers (math.Exp in the step control took
// 440 instead of 60 ns a call).
func TestScalarLoopsClearUpper(t *testing.T) {
	funcs := astroDisassembly(t)
	matches := func(fn, want string) bool {
		if generic, ok := strings.CutSuffix(want, "["); ok {
			// The shape instantiations; the others are wrappers calling them.
			return strings.HasPrefix(fn, modulePath+generic+"[go.shape.") && strings.HasSuffix(fn, "]).Update")
		}
		return fn == modulePath+want
	}
	clears := func(line string) bool { return strings.Contains(line, "VZEROUPPER") }
	names := slices.Sorted(maps.Keys(funcs))
	for _, want := range clearingLoops {
		found := false
		for _, fn := range names {
			if !matches(fn, want) {
				continue
			}
			found = true
			if !slices.ContainsFunc(funcs[fn], clears) {
				t.Errorf("%s: no VZEROUPPER (clearUpper) in the compiled function", fn)
			}
		}
		if !found {
			t.Errorf("%s not found in the test binary's disassembly", want)
		}
	}
}
