package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// SpikeRecord is a spike recording: Senders[i] (node ID) fired at Times[i]
// (ms). Spikes and the engine's astro.SpikeEvents have this shape.
type SpikeRecord interface {
	~struct {
		Senders []int
		Times   []float64
	}
}

// MultimeterRecord is a multimeter recording: Senders[i] had the values
// Values[name][i] at Times[i] (ms). The engine's astro.MultimeterEvents has
// this shape.
type MultimeterRecord interface {
	~struct {
		Senders []int
		Times   []float64
		Values  map[string][]float64
	}
}

// multimeter is the plain form of a MultimeterRecord.
type multimeter struct {
	Senders []int
	Times   []float64
	Values  map[string][]float64
}

// Rate returns the mean firing rate (Hz) of n neurons over spikes with
// t0 < t ≤ t1 (ms).
func Rate[S SpikeRecord](rec S, n int, t0, t1 float64) float64 {
	sp := Spikes(rec)
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
func MeanCV[S SpikeRecord](rec S, t0, t1 float64, minSpikes int) (float64, int) {
	sp := Spikes(rec)
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
func WindowMean[M MultimeterRecord](rec M, name string, t0, t1 float64) float64 {
	mm := multimeter(rec)
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
func PopulationFano[S SpikeRecord](rec S, t0, t1, bin float64) float64 {
	sp := Spikes(rec)
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

// NeuronRates returns the firing rate (Hz) of each neuron in ids over spikes
// with t0 < t ≤ t1 (ms), in the order of ids; a neuron without spikes has
// rate 0.
func NeuronRates[S SpikeRecord](rec S, ids []int, t0, t1 float64) []float64 {
	sp := Spikes(rec)
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
func BinnedRate[S SpikeRecord](rec S, n int, t0, t1, bin float64) (centres, rates []float64) {
	sp := Spikes(rec)
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
func FirstTimeAbove[M MultimeterRecord](rec M, name string, thr float64) float64 {
	mm := multimeter(rec)
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
func FractionAbove[M MultimeterRecord](rec M, name string, thr float64) float64 {
	mm := multimeter(rec)
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
func MaxBySender[M MultimeterRecord](rec M, name string) map[int]float64 {
	mm := multimeter(rec)
	out := map[int]float64{}
	for i, v := range mm.Values[name] {
		s := mm.Senders[i]
		if m, ok := out[s]; !ok || v > m {
			out[s] = v
		}
	}
	return out
}
