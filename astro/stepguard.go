package astro

import (
	"fmt"
	"slices"
)

// Guards of the node updates and of the fixed_indegree draw: what turns a
// numerical blow-up or an impossible request into an error instead of a
// silent NaN or an endless loop.

// substepsPer100us bounds the integrator substeps of one node in one
// resolution step, per 0.1 ms of resolution (maxSubsteps). GSL's evolve
// loop (gsl_odeiv_evolve_apply, as NEST calls it) has no lower bound on the
// step size: a tolerance the arithmetic cannot meet (gsl_error_tol = 1e-25)
// or a state that is no longer a number shrinks the step to the last bits
// of t, and the step then never ends. At the default tolerance a 0.1 ms
// step takes a handful of substeps, and at 1e-12 still well under a
// hundred; 10^4 is far beyond any integration that makes progress, and is
// reached within milliseconds.
const substepsPer100us = 10_000

// maxSubsteps returns the substep limit for a step of ticsPerStep tics.
func maxSubsteps(ticsPerStep int64) int {
	return substepsPer100us * int(max(1, (ticsPerStep+99)/100))
}

// substepError is the numerical-instability error of a node whose step
// needed more than maxSubsteps substeps.
func substepError(k *Kernel, model string, gid int, step int64, tolerance string) error {
	return fmt.Errorf("%s %d: numerical instability at t = %g ms: the integrator needed more than %d substeps for one %g ms step "+
		"(the step size shrank without bound; %s)", model, gid, k.stepsToMs(step), maxSubsteps(k.ticsPerStep), k.h, tolerance)
}

// nonFinite tells whether any component of y is NaN or ±Inf: x·0 is ±0
// for every finite x and NaN otherwise, so the sum is non-zero exactly
// then (it cannot overflow, unlike a sum of the values).
func nonFinite[V vec](y *V) bool {
	s := 0.0
	for i := range len(*y) {
		s += (*y)[i] * 0
	}
	return s != 0
}

// nonFiniteError is the numerical-instability error of a node whose state
// is no longer finite (NEST reports only V_m and w out of range; a NaN
// passes its comparisons, so the run would go on with NaN).
func nonFiniteError[V vec](model string, gid int, tMs float64, names []string, y *V) error {
	s := ""
	for i, name := range names {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s = %g", name, (*y)[i])
	}
	return fmt.Errorf("%s %d: numerical instability at t = %g ms: the state is no longer finite (%s)", model, gid, tMs, s)
}

// fixedIndegreeFeasible rejects fixed_indegree requests no draw can
// satisfy, which would otherwise loop forever: without autapses, a target
// whose only possible source is itself; without multapses, more sources
// than there are distinct admissible ones (pre may list a node twice).
func fixedIndegreeFeasible(pre, post NodeCollection, r FixedIndegree, what string) error {
	if r.Indegree == 0 || (r.AllowAutapses && r.AllowMultapses) {
		return nil
	}
	distinct := slices.Compact(slices.Sorted(slices.Values(pre.ids)))
	inPre := func(t int) bool { _, ok := slices.BinarySearch(distinct, t); return ok }
	if !r.AllowMultapses && r.Indegree > len(distinct) {
		return fmt.Errorf("%s: indegree = %d: must be ≤ the number of distinct sources (%d) without multapses", what, r.Indegree, len(distinct))
	}
	if r.AllowAutapses {
		return nil
	}
	avail := len(distinct) - 1 // for a target that is also a source
	if !r.AllowMultapses && r.Indegree <= avail || r.AllowMultapses && avail >= 1 {
		return nil
	}
	for _, t := range post.ids {
		if inPre(t) {
			without := "autapses"
			if !r.AllowMultapses {
				without = "autapses and multapses"
			}
			return fmt.Errorf("%s: indegree = %d: target %d has only %d admissible sources without %s",
				what, r.Indegree, t, avail, without)
		}
	}
	return nil
}
