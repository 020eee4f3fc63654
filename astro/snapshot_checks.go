package astro

import "fmt"

// Consistency checks of a loaded kernel that its checksums cannot give: a
// snapshot written by hand (with valid checksums) must not build a kernel
// that Connect would never have built, which could fail later with a
// panic instead of an error.

// checkLoadedPairs checks every (source model, target model) pair of a
// loaded projection as Connect does (checkPair).
func (k *Kernel) checkLoadedPairs(p *projection) error {
	src := make(map[int32]bool)
	for _, s := range p.srcIDs {
		src[k.nodes[s-1].block] = true
	}
	tgt := make(map[int32]bool)
	for r := range int32(len(p.srcIDs)) {
		p.rows.each(r, func(_ int, t int32) { tgt[k.nodes[t-1].block] = true })
	}
	for sb := range src {
		for tb := range tgt {
			if err := checkPair(k.blocks[sb], k.blocks[tb], p.syn); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLoadedRecorders checks that every node a multimeter records has
// the recordables the multimeter names, and that recorded senders exist.
func (k *Kernel) checkLoadedRecorders() error {
	for _, b := range k.blocks {
		bb := b.base()
		for i, subs := range bb.subs {
			for _, mi := range subs {
				idx, ok := k.mms[mi].idx[bb.index]
				if !ok || len(idx) != len(k.mms[mi].recordFrom) {
					return fmt.Errorf("multimeter %d records node %d (%s) without its recordables", mi, bb.first+i, bb.model)
				}
			}
		}
	}
	for mi := range k.mms {
		for _, tc := range k.tcs {
			for _, g := range tc.samples[mi].gids {
				if g < 1 || int(g) > len(k.nodes) {
					return fmt.Errorf("multimeter %d: sender %d does not exist", mi, g)
				}
			}
		}
	}
	return nil
}
