// Package analysis computes the summaries the project's figures, tests and
// notebooks show — firing rates, ISI CVs, Fano factors, binned and windowed
// means, NEST's raster histogram, population mean ± SD — from plain
// recordings: spike times and senders, multimeter samples. It does not
// depend on the engine; the engine's astro.SpikeEvents and
// astro.MultimeterEvents have the same shape as SpikeRecord and
// MultimeterRecord and can be passed as they are. Times are in ms, rates in
// Hz.
package analysis

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Spikes is the event record of a spike recorder: Senders[i] (node ID)
// emitted a spike at Times[i] (ms). Both slices must have the same length.
type Spikes struct {
	Senders []int
	Times   []float64 // spike times (ms)
}

// Samples is one recorded quantity of a multimeter: Senders[i] (node ID) had
// value Values[i] at time Times[i] (ms). Entries of many senders may be
// interleaved in any order. All three slices must have the same length. The
// unit of Values is that of the recorded quantity (e.g. µM for IP3 and Ca²⁺,
// pA for SIC).
type Samples struct {
	Senders []int
	Times   []float64 // sample times (ms)
	Values  []float64 // recorded values (unit of the quantity)
}

// ErrNoData is returned when an input holds no usable entries.
var ErrNoData = errors.New("analysis: no data")

// Validate reports whether sp is well formed: equal slice lengths, at least
// one spike and finite times.
func (sp Spikes) Validate() error {
	if len(sp.Senders) != len(sp.Times) {
		return fmt.Errorf("analysis: spikes: %d senders but %d times", len(sp.Senders), len(sp.Times))
	}
	return checkTimes("spikes", sp.Times)
}

// Validate reports whether s is well formed: equal slice lengths, at least
// one entry and finite times (values may be NaN; they then propagate into
// the mean and SD of their time).
func (s Samples) Validate() error {
	if len(s.Senders) != len(s.Times) || len(s.Times) != len(s.Values) {
		return fmt.Errorf("analysis: samples: lengths differ (senders %d, times %d, values %d)",
			len(s.Senders), len(s.Times), len(s.Values))
	}
	return checkTimes("samples", s.Times)
}

// checkTimes reports an empty or non-finite list of times of kind.
func checkTimes(kind string, times []float64) error {
	if len(times) == 0 {
		return fmt.Errorf("analysis: %s: %w", kind, ErrNoData)
	}
	for i, t := range times {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return fmt.Errorf("analysis: %s: non-finite time %v at index %d", kind, t, i)
		}
	}
	return nil
}

// DistinctSenders returns the number of distinct node IDs in senders
// (numpy's len(np.unique(senders))).
func DistinctSenders(senders []int) int {
	seen := make(map[int]struct{}, len(senders))
	for _, s := range senders {
		seen[s] = struct{}{}
	}
	return len(seen)
}

// RateHistogram computes the population-rate histogram drawn below NEST's
// raster plot (nest.raster_plot, hist=True), with NEST's exact arithmetic:
//
//   - edges = numpy.arange(min(t), max(t), binWidth): the left bin edges
//     (ms), starting at the first spike time, each < max(t);
//   - n_i = #{edges[i] ≤ t < edges[i+1]}, and the last bin collects every
//     t ≥ edges[last], max(t) included;
//   - heights[i] = 1000·n_i / (binWidth·N_u) (Hz), where N_u is the number of
//     distinct senders that spiked (see DistinctSenders).
//
// binWidth is in ms and must be positive and finite. If all spikes occur at
// the same time (where numpy's arange would be empty) a single bin starting
// at that time is returned. An invalid Spikes value (see Spikes.Validate),
// including one without spikes, yields an error.
func RateHistogram(sp Spikes, binWidth float64) (edges, heights []float64, err error) {
	if err := sp.Validate(); err != nil {
		return nil, nil, err
	}
	if !(binWidth > 0) || math.IsInf(binWidth, 0) {
		return nil, nil, fmt.Errorf("analysis: bin width must be positive and finite, got %v", binWidth)
	}
	ts := slices.Clone(sp.Times)
	slices.Sort(ts)
	lo, hi := ts[0], ts[len(ts)-1]

	// numpy.arange: length ceil((stop-start)/step); element i is
	// start + i*delta with delta = (start+step) - start.
	n := int(math.Ceil((hi - lo) / binWidth))
	if n < 1 {
		n = 1
	}
	if n > maxBins {
		return nil, nil, fmt.Errorf("analysis: %d histogram bins exceed the limit %d", n, maxBins)
	}
	delta := (lo + binWidth) - lo
	edges = make([]float64, n)
	for i := range edges {
		edges[i] = lo + float64(i)*delta
	}

	// NEST's _histogram: searchsorted(sorted(t), edges) (left side), then
	// differences, with len(t) appended as the final boundary.
	idx := make([]int, n+1)
	for i, e := range edges {
		idx[i], _ = slices.BinarySearch(ts, e)
	}
	idx[n] = len(ts)
	scale := 1000 / (binWidth * float64(DistinctSenders(sp.Senders)))
	heights = make([]float64, n)
	for i := range heights {
		heights[i] = float64(idx[i+1]-idx[i]) * scale
	}
	return edges, heights, nil
}

// maxBins bounds the histogram size so that absurd bin widths fail cleanly.
const maxBins = 10_000_000

// MeanSD returns, for every distinct sample time > start (ms), in ascending
// time order, the mean and the population standard deviation (ddof = 0,
// numpy.std) of the values over all entries at that time, i.e. over the
// recorded senders. times are in ms; mean and sd are in the unit of the
// recorded quantity.
//
// MeanSD does not fail: entries with a non-finite time are skipped and, if
// the slices of s differ in length, only the common prefix is used. Use
// Samples.Validate to reject such inputs. With no entry after start all
// results are empty.
func MeanSD(s Samples, start float64) (times, mean, sd []float64) {
	n := min(len(s.Times), len(s.Values))
	byTime := make(map[float64][]float64)
	for i := range n {
		t := s.Times[i]
		if !(t > start) || math.IsInf(t, 0) {
			continue
		}
		byTime[t] = append(byTime[t], s.Values[i])
	}
	times = make([]float64, 0, len(byTime))
	for t := range byTime {
		times = append(times, t)
	}
	slices.Sort(times)
	mean = make([]float64, len(times))
	sd = make([]float64, len(times))
	for i, t := range times {
		mean[i], sd[i] = stat.PopMeanStdDev(byTime[t], nil)
	}
	return times, mean, sd
}

// Trace returns the samples of one sender, in recording order: the times
// (ms) and values of a single node's multimeter trace, ready for a Series.
// It returns an ErrNoData error if the sender has no samples or s is
// malformed.
func Trace(s Samples, sender int) (times, values []float64, err error) {
	if len(s.Senders) != len(s.Times) || len(s.Times) != len(s.Values) {
		return nil, nil, fmt.Errorf("analysis: trace: lengths differ (senders %d, times %d, values %d)",
			len(s.Senders), len(s.Times), len(s.Values))
	}
	for i, id := range s.Senders {
		if id == sender {
			times = append(times, s.Times[i])
			values = append(values, s.Values[i])
		}
	}
	if len(times) == 0 {
		return nil, nil, fmt.Errorf("analysis: trace: sender %d: %w", sender, ErrNoData)
	}
	return times, values, nil
}
