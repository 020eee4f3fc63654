package brunel

import (
	"fmt"
	"math"

	"github.com/astronb/astronb/astro"
)

// maxNodes is the kernel's limit on one Create call (2^30 nodes).
const maxNodes = 1 << 30

// checkScale rejects scales that are not a finite number ≥ 1 or whose
// population sizes do not fit one Create call.
func checkScale(p Params) error {
	if !(p.Scale >= 1) || math.IsInf(p.Scale, 0) {
		return fmt.Errorf("brunel: scale = %g: must be a finite number ≥ 1", p.Scale)
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"N_ex", p.Network.NEx}, {"N_in", p.Network.NIn}, {"N_astro", p.Network.NAstro}} {
		if s := float64(n.v) * p.Scale; s > maxNodes {
			return fmt.Errorf("brunel: scale = %g: %s × scale = %.4g nodes, more than one Create call takes (2^30)", p.Scale, n.name, s)
		}
	}
	return nil
}

// EstimateMemory returns the estimated memory in bytes of the network p
// describes (nodes, expected connections, ring buffers) in kernel k.
func EstimateMemory(k *astro.Kernel, p Params) (float64, error) {
	if err := checkScale(p); err != nil {
		return 0, err
	}
	size := func(x int) float64 { return math.Floor(float64(x) * p.Scale) }
	nEx, nIn, nAstro := size(p.Network.NEx), size(p.Network.NIn), size(p.Network.NAstro)
	n := nEx + nIn
	prob := p.Network.PPrimary / p.Scale
	primary := prob * nEx * n
	third := 2 * p.Network.PThirdIfPrimary * primary
	inh := prob * nIn * n
	noise := 4 * n // a generator's connection costs about four neuron connections (its random stream)
	edges := noise + primary + third + inh
	maxDelay := max(p.Syn.DE, p.Syn.DI, 1.0)
	return k.EstimateMemory([]astro.Model{p.NeuronEx, p.NeuronIn, p.Astrocyte},
		[]int{int(nEx), int(nIn), int(nAstro)}, edges, maxDelay), nil
}

// checkPlan refuses, before anything is created, a network that would not
// fit the kernel's memory budget.
func checkPlan(k *astro.Kernel, p Params) error {
	need, err := EstimateMemory(k, p)
	if err != nil {
		return err
	}
	return k.CheckMemory(fmt.Sprintf("brunel: scale = %g", p.Scale), need)
}
