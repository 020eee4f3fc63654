package brunel

import (
	"math"

	"github.com/astronb/astronb/astro"
)

// Helpers for the classroom notebooks (notebooks/astrocyte_*.ipynb): small
// summaries of recordings that the exercises' self-checks compute.

// NeuronRates returns the firing rate (Hz) of each neuron in ids over spikes
// with t0 < t ≤ t1 (ms), in the order of ids; a neuron without spikes has
// rate 0.
func NeuronRates(sp astro.SpikeEvents, ids []int, t0, t1 float64) []float64 {
	pos := make(map[int]int, len(ids))
	for i, id := range ids {
		if _, ok := pos[id]; !ok {
			pos[id] = i
		}
	}
	counts := make([]float64, len(ids))
	for i, t := range sp.Times {
		if t > t0 && t <= t1 {
			if j, ok := pos[sp.Senders[i]]; ok {
				counts[j]++
			}
		}
	}
	for i := range counts {
		counts[i] /= (t1 - t0) / 1000
	}
	return counts
}

// BinnedRate returns the population rate (Hz per neuron) of n neurons in
// consecutive bins of width bin (ms) over (t0, t1]: the bin centres (ms)
// and the rates. A spike at time t falls in bin ⌈(t−t0)/bin⌉−1, so the
// bins are (t0, t0+bin], (t0+bin, t0+2·bin], … like Rate.
func BinnedRate(sp astro.SpikeEvents, n int, t0, t1, bin float64) (centres, rates []float64) {
	nb := int(math.Round((t1 - t0) / bin))
	if nb < 1 || n < 1 {
		return nil, nil
	}
	counts := make([]float64, nb)
	for _, t := range sp.Times {
		if t > t0 && t <= t1 {
			i := min(max(int(math.Ceil((t-t0)/bin))-1, 0), nb-1)
			counts[i]++
		}
	}
	centres = make([]float64, nb)
	rates = make([]float64, nb)
	for i, c := range counts {
		centres[i] = t0 + (float64(i)+0.5)*bin
		rates[i] = c / float64(n) / (bin / 1000)
	}
	return centres, rates
}

// FirstTimeAbove returns the first sample time (ms) at which the recorded
// quantity name exceeds thr in any sender, or NaN if it never does (e.g. the
// SIC onset with thr = 0).
func FirstTimeAbove(mm astro.MultimeterEvents, name string, thr float64) float64 {
	first := math.NaN()
	for i, v := range mm.Values[name] {
		if v > thr && (math.IsNaN(first) || mm.Times[i] < first) {
			first = mm.Times[i]
		}
	}
	return first
}

// FractionAbove returns the fraction of samples (over all senders) in which
// the recorded quantity name exceeds thr, e.g. the share of time a neuron
// receives SIC. It returns NaN if there are no samples.
func FractionAbove(mm astro.MultimeterEvents, name string, thr float64) float64 {
	vs := mm.Values[name]
	if len(vs) == 0 {
		return math.NaN()
	}
	c := 0
	for _, v := range vs {
		if v > thr {
			c++
		}
	}
	return float64(c) / float64(len(vs))
}

// MaxBySender returns, for every sender, the largest recorded value of name.
func MaxBySender(mm astro.MultimeterEvents, name string) map[int]float64 {
	out := map[int]float64{}
	for i, v := range mm.Values[name] {
		s := mm.Senders[i]
		if m, ok := out[s]; !ok || v > m {
			out[s] = v
		}
	}
	return out
}
