package astro

import (
	"fmt"
	"slices"
)

// NodeCollection is an ordered list of node IDs, as returned by
// Kernel.Create (NEST's NodeCollection). Node IDs start at 1, in creation
// order, exactly as in NEST.
type NodeCollection struct {
	ids []int
}

// NodeIDs builds a collection from explicit node IDs, e.g. a random
// selection of neurons to record from. The order is kept.
func NodeIDs(ids ...int) NodeCollection {
	return NodeCollection{ids: slices.Clone(ids)}
}

// Concat joins collections in order (NEST's nodes_ex + nodes_in).
func Concat(cs ...NodeCollection) NodeCollection {
	var out []int
	for _, c := range cs {
		out = append(out, c.ids...)
	}
	return NodeCollection{ids: out}
}

// Len returns the number of nodes.
func (c NodeCollection) Len() int { return len(c.ids) }

// IDs returns a copy of the node IDs (NEST's tolist()).
func (c NodeCollection) IDs() []int { return slices.Clone(c.ids) }

// At returns the i-th node ID.
func (c NodeCollection) At(i int) int { return c.ids[i] }

// Slice returns the nodes [i, j) of the collection.
func (c NodeCollection) Slice(i, j int) NodeCollection {
	return NodeCollection{ids: slices.Clone(c.ids[i:j])}
}

// First returns the first node ID, or 0 for an empty collection.
func (c NodeCollection) First() int {
	if len(c.ids) == 0 {
		return 0
	}
	return c.ids[0]
}

// Last returns the last node ID, or 0 for an empty collection.
func (c NodeCollection) Last() int {
	if len(c.ids) == 0 {
		return 0
	}
	return c.ids[len(c.ids)-1]
}

func (c NodeCollection) String() string {
	if len(c.ids) == 0 {
		return "NodeCollection()"
	}
	return fmt.Sprintf("NodeCollection(%d nodes, first %d, last %d)", len(c.ids), c.First(), c.Last())
}
