package astro

import "fmt"

// ParrotNeuron is NEST's parrot_neuron: it re-emits every spike it receives
// at the time of arrival, with the arriving multiplicity, ignoring the weight.
// It turns a device's output into a spike train that plastic synapses accept.
type ParrotNeuron struct{}

// ModelName implements Model.
func (ParrotNeuron) ModelName() string { return "parrot_neuron" }

// NEST implements the export's question (astro.NESTOf).
func (ParrotNeuron) NEST() *NESTModel { return &NESTModel{Model: "parrot_neuron", Stem: "parrot"} }

// nodeBytes implements Model.
func (ParrotNeuron) nodeBytes() (fixed, channels float64) { return 80, 1 }

func init() { registerModel(func() Model { return ParrotNeuron{} }) }

func (ParrotNeuron) newBlock(*Kernel, int) (nodeBlock, error) { return &parrotBlock{}, nil }

type parrotBlock struct {
	blockBase
	counts ringBuffer
}

func (b *parrotBlock) prepare(k *Kernel) error {
	b.counts = newRingBuffer(b.n, k.ringLen)
	return nil
}

func (b *parrotBlock) preRun(*Kernel) error { return nil }

func (b *parrotBlock) update(k *Kernel, tc *threadCtx, lo, hi int, origin int64, from, to int) error {
	for i := lo; i < hi; i++ {
		for lag := from; lag < to; lag++ {
			step := origin + int64(lag)
			if n := int32(b.counts.take(i, step)); n > 0 {
				tc.spikes = append(tc.spikes, spikeEvent{stamp: step + 1, gid: int32(b.first + i), mult: n})
			}
		}
	}
	return nil
}

func (b *parrotBlock) addSpike(local int, step int64, _ float64, mult int32) {
	b.counts.add(local, step, float64(mult))
}

func (b *parrotBlock) addSpikeSlot(local int, slot int64, _ float64, mult int32) {
	b.counts.addSlot(local, slot, float64(mult))
}

func (b *parrotBlock) addSpikes(locals []int32, step int64, _ float64, mult int32) {
	b.counts.addAll(locals, step, float64(mult))
}

// sendsSpikes implements spikeSender.
func (b *parrotBlock) sendsSpikes() {}

// status implements nodeBlock: parrot_neuron has no parameters.
func (b *parrotBlock) status(int) Dict { return Dict{} }

// planStatus implements nodeBlock: only an empty Dict is accepted.
func (b *parrotBlock) planStatus(_ *Kernel, _ []int, d Dict) (func(), error) {
	var np ParrotNeuron
	if err := SetParams(&np, d); err != nil {
		return nil, fmt.Errorf("SetStatus: %w", err)
	}
	return func() {}, nil
}

// params implements nodeBlock.
func (b *parrotBlock) params() Model { return ParrotNeuron{} }

// parrot_neuron: the spike counts in transit.
func (b *parrotBlock) saveState(e *snapEncoder) error {
	if e.k.prepared {
		saveRing(e, &b.counts)
	}
	return nil
}

func (b *parrotBlock) loadState(d *snapDecoder) error {
	if b.counts.v != nil {
		loadRing(d, "parrot_neuron input", &b.counts)
	}
	return d.err
}
