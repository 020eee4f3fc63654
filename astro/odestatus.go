package astro

import (
	"fmt"
	"slices"
)

// planODEStatus is Block.PlanStatus for the integrated models, whose
// block holds one parameter set *p and a state vector y[i] per node.
// model points to the full model struct (parameters and state embedded),
// mp and ms to its two parts; model holds *p and a zero state on entry.
// Names in stateIndex (name → position in the state vector) are state
// variables, set on exactly the given nodes; every other name is a
// parameter, set for the whole block. Setting a parameter never touches
// state, and setting state never touches parameters.
func planODEStatus[P interface{ validate() error }, S interface {
	validate() error
	vector() V
}, V vec](bb *BlockBase, locals []int, d Dict, model any, p, mp *P, ms *S,
	stateIndex map[string]int, y []V, fsal []bool) (func(), error) {
	if err := SetParams(model, d); err != nil { // unknown names and types
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	var idx []int // state positions d sets
	shared := false
	for name := range d {
		if i, ok := stateIndex[name]; ok {
			idx = append(idx, i)
		} else {
			shared = true
		}
	}
	slices.Sort(idx)
	if shared {
		if err := checkShared(bb, locals, d, stateIndex); err != nil {
			return nil, err
		}
		if err := (*mp).validate(); err != nil {
			return nil, fmt.Errorf("SetStatus: %w", err)
		}
	}
	// The state fields d does not set are zero, which every state variable
	// accepts: this checks exactly the given values.
	if err := (*ms).validate(); err != nil {
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	np, y0 := *mp, (*ms).vector()
	return func() {
		for _, l := range locals {
			for _, i := range idx {
				y[l][i] = y0[i]
			}
			if fsal != nil { // allocated at the first Simulate
				fsal[l] = false // f(y) must be evaluated anew
			}
		}
		if shared {
			*p = np
			clear(fsal)
		}
	}, nil
}
