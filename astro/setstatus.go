package astro

import (
	"fmt"
	"maps"
	"slices"
)

// SetStatus sets parameters and state variables of nodes by NEST name
// (NEST's nest.SetStatus(nodes, d) and nodes.set(**d)), e.g.
//
//	err := k.SetStatus(neurons, astro.Dict{"V_m": -65.0, "I_e": 700.0})
//
// Values are converted as SetParams documents and checked with the model's
// rules (Create's). What can be set:
//
//   - State variables are per node: for aeif_cond_alpha_astro V_m (mV),
//     g_ex, g_in (nS), dg_ex, dg_in (nS/ms), w (pA); for astrocyte_lr_1994
//     IP3, Ca_astro (µM), h_IP3R. They are set on exactly the given nodes,
//     also between Simulate calls (as in NEST): the next step starts from
//     the new values.
//   - Every other parameter is shared by the nodes of one Create call, so it
//     can be set only on all of them at once (otherwise an error says which
//     nodes share it); it takes effect at the next Simulate, which
//     re-derives all constants. This holds for the neuron and astrocyte
//     parameters, poisson_generator's rate, start, stop and origin, and the
//     recorders' start, stop and origin.
//   - spike_generator's spike_times, spike_weights and
//     spike_multiplicities can be changed until the first Simulate.
//   - multimeter's interval and record_from cannot be changed after Create.
//   - parrot_neuron has no parameters.
//
// Passing a parameter's current value is always allowed.
//
// An unknown node ID, an unknown name, a value of the wrong type or out of
// range, or a parameter that cannot be set is an error, and the kernel is
// then exactly as before the call: everything is checked before anything
// changes.
func (k *Kernel) SetStatus(nodes NodeCollection, d Dict) error {
	if err := k.enter("SetStatus"); err != nil {
		return err
	}
	defer k.leave()
	if k.failed != nil {
		return fmt.Errorf("SetStatus: kernel is unusable after an earlier error (%v)", k.failed)
	}
	groups, err := k.groupByBlock(nodes)
	if err != nil {
		return fmt.Errorf("SetStatus: %w", err)
	}
	commits := make([]func(), 0, len(groups))
	for _, g := range groups {
		c, err := g.b.planStatus(k, g.locals, d)
		if err != nil {
			return err
		}
		commits = append(commits, c)
	}
	for _, c := range commits {
		c()
	}
	k.record(Call{Op: OpSetStatus, Nodes: nodes, Params: d})
	return nil
}

// GetStatus returns, for every node of the collection in order, its
// parameters and current state by NEST name (NEST's nest.GetStatus /
// nodes.get()). The dictionaries hold exactly the names SetStatus accepts
// for the node's model, so they can be passed back to SetStatus (for all
// nodes of a Create call, since they hold shared parameters too).
// Recordables that are not state variables (I_SIC) are not included.
func (k *Kernel) GetStatus(nodes NodeCollection) ([]Dict, error) {
	if err := k.enterRead("GetStatus"); err != nil {
		return nil, err
	}
	defer k.leaveRead()
	out := make([]Dict, nodes.Len())
	for j, id := range nodes.ids {
		blk, local, err := k.ref(id)
		if err != nil {
			return nil, fmt.Errorf("GetStatus: %w", err)
		}
		out[j] = blk.status(local)
	}
	return out, nil
}

// blockGroup is the part of a collection that lies in one block.
type blockGroup struct {
	b      nodeBlock
	locals []int
}

// groupByBlock resolves node IDs and groups them by block, in order of
// first appearance.
func (k *Kernel) groupByBlock(nodes NodeCollection) ([]blockGroup, error) {
	var groups []blockGroup
	pos := map[nodeBlock]int{}
	for _, id := range nodes.ids {
		b, local, err := k.ref(id)
		if err != nil {
			return nil, err
		}
		j, ok := pos[b]
		if !ok {
			j = len(groups)
			pos[b] = j
			groups = append(groups, blockGroup{b: b})
		}
		groups[j].locals = append(groups[j].locals, local)
	}
	return groups, nil
}

// sortedNames lists the names of d, sorted.
func sortedNames(d Dict) string {
	s := ""
	for i, name := range slices.Sorted(maps.Keys(d)) {
		if i > 0 {
			s += ", "
		}
		s += name
	}
	return s
}

// checkShared refuses a shared (non-state) parameter unless locals covers
// every node of the block.
func checkShared(bb *blockBase, locals []int, d Dict, state map[string]int) error {
	var shared []string
	for name := range d {
		if _, ok := state[name]; !ok {
			shared = append(shared, name)
		}
	}
	if len(shared) == 0 {
		return nil
	}
	seen := make([]bool, bb.n)
	covered := 0
	for _, l := range locals {
		if !seen[l] {
			seen[l] = true
			covered++
		}
	}
	if covered == bb.n {
		return nil
	}
	slices.Sort(shared)
	return fmt.Errorf("SetStatus: parameter %s of %s is shared by all %d nodes created together (node IDs %d–%d); "+
		"set it for all of them or pass it to Create", shared[0], bb.model, bb.n, bb.first, bb.first+bb.n-1)
}
