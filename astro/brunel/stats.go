package brunel

import (
	"math"

	"gonum.org/v1/gonum/stat"

	"github.com/astronb/astronb/astro"
)

// Rate returns the mean firing rate (Hz) of n neurons over spikes with
// t0 < t ≤ t1 (ms).
func Rate(sp astro.SpikeEvents, n int, t0, t1 float64) float64 {
	c := 0
	for _, t := range sp.Times {
		if t > t0 && t <= t1 {
			c++
		}
	}
	return float64(c) / float64(n) / ((t1 - t0) / 1000)
}

// MeanCV returns the mean coefficient of variation of the inter-spike
// intervals over neurons with at least minSpikes spikes in (t0, t1], and
// the number of such neurons.
func MeanCV(sp astro.SpikeEvents, t0, t1 float64, minSpikes int) (float64, int) {
	byNeuron := map[int][]float64{}
	for i, t := range sp.Times {
		if t > t0 && t <= t1 {
			byNeuron[sp.Senders[i]] = append(byNeuron[sp.Senders[i]], t)
		}
	}
	var cvs []float64
	for _, ts := range byNeuron {
		if len(ts) < minSpikes || len(ts) < 3 {
			continue
		}
		isi := make([]float64, len(ts)-1)
		for i := range isi {
			isi[i] = ts[i+1] - ts[i]
		}
		m, sd := stat.PopMeanStdDev(isi, nil)
		cvs = append(cvs, sd/m)
	}
	if len(cvs) == 0 {
		return math.NaN(), 0
	}
	return stat.Mean(cvs, nil), len(cvs)
}

// WindowMean returns the mean of a recorded quantity over all samples with
// t0 ≤ t < t1 (ms), the convention of the NEST reference's 100 ms bins.
func WindowMean(mm astro.MultimeterEvents, name string, t0, t1 float64) float64 {
	var xs []float64
	for i, t := range mm.Times {
		if t >= t0 && t < t1 {
			xs = append(xs, mm.Values[name][i])
		}
	}
	if len(xs) == 0 {
		return math.NaN()
	}
	return stat.Mean(xs, nil)
}

// PopulationFano returns the Fano factor (variance/mean) of the population
// spike count in bins of width bin (ms) over (t0, t1]: a synchrony measure.
func PopulationFano(sp astro.SpikeEvents, t0, t1, bin float64) float64 {
	nb := int(math.Round((t1 - t0) / bin))
	if nb < 2 {
		return math.NaN()
	}
	counts := make([]float64, nb)
	for _, t := range sp.Times {
		if t > t0 && t <= t1 {
			i := min(int((t-t0)/bin), nb-1)
			counts[i]++
		}
	}
	m, v := stat.PopMeanVariance(counts, nil)
	if m == 0 {
		return math.NaN()
	}
	return v / m
}
