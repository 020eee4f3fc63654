package plots

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/astronb/astronb/analysis"
	"github.com/astronb/astronb/internal/reftest"
)

// refDir holds NEST 3.8's reference data, relative to the package directory.
const refDir = "../../shared/reference/nest-3.8/network"

// readCSV reads a reference CSV file as a header and float columns,
// skipping the test if the file is absent.
func readCSV(t *testing.T, name string) (header []string, cols [][]float64) {
	t.Helper()
	path := filepath.Join(refDir, name)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("reference file %s absent", name)
	}
	header, rows := reftest.Numeric(t, path)
	if len(rows) < 1 {
		t.Fatalf("%s: no data rows", name)
	}
	cols = make([][]float64, len(header))
	for _, r := range rows {
		for j, v := range r {
			cols[j] = append(cols[j], v)
		}
	}
	return header, cols
}

// referenceSpikes returns the 2-thread reference run's spikes of neurons
// 1..100 (spikes_rec100.csv: sender,time).
func referenceSpikes(t *testing.T) Spikes {
	h, cols := readCSV(t, "spikes_rec100.csv")
	if h[0] != "sender" || h[1] != "time" {
		t.Fatalf("unexpected header %v", h)
	}
	sp := Spikes{Times: cols[1]}
	for _, s := range cols[0] {
		sp.Senders = append(sp.Senders, int(s))
	}
	return sp
}

// refSenders is the number of recorded astrocytes and neurons in the
// reference run.
const refSenders = 50

// samplesFromMeanSD synthesises Samples of refSenders senders whose per-time
// population mean and SD are the given ones (reftest.FromMeanSD).
func samplesFromMeanSD(times, mean, sd []float64) Samples {
	senders, ts, values := reftest.FromMeanSD(times, mean, sd, refSenders)
	return Samples{Senders: senders, Times: ts, Values: values}
}

// referenceDynamics returns samples reproducing the reference run's
// population mean ± SD of IP3, Ca and SIC.
func referenceDynamics(t *testing.T) (ip3, ca, sic Samples) {
	ha, a := readCSV(t, "mm_astro_popmean_sd.csv")
	hn, n := readCSV(t, "mm_neuron_popmean_sd.csv")
	if len(ha) != 5 || ha[1] != "IP3_mean" || ha[3] != "Ca_astro_mean" || len(hn) != 3 || hn[1] != "I_SIC_mean" {
		t.Fatalf("unexpected headers %v %v", ha, hn)
	}
	return samplesFromMeanSD(a[0], a[1], a[2]), samplesFromMeanSD(a[0], a[3], a[4]), samplesFromMeanSD(n[0], n[1], n[2])
}

// TestReferenceRasterHistogram checks the histogram arithmetic on NEST's
// reference spikes: bins start at the first spike, all spikes are counted,
// and the y ticks match the reference figure (0, 16, 32, 49).
func TestReferenceRasterHistogram(t *testing.T) {
	sp := referenceSpikes(t)
	edges, heights, err := analysis.RateHistogram(sp, 5)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi, _ := finiteRange(sp.Times)
	if edges[0] != lo {
		t.Errorf("first edge %v, want first spike time %v", edges[0], lo)
	}
	if edges[len(edges)-1] >= hi {
		t.Errorf("last edge %v not below last spike %v", edges[len(edges)-1], hi)
	}
	nu := analysis.DistinctSenders(sp.Senders)
	var total float64
	for _, h := range heights {
		total += h * 5 * float64(nu) / 1000
	}
	if int(total+0.5) != len(sp.Times) {
		t.Errorf("histogram holds %v spikes, want %d", total, len(sp.Times))
	}
	want := []float64{0, 16, 32, 49}
	if got := rateTicks(heights); !equalFloats(got, want, 0) {
		t.Errorf("rate ticks %v, want %v (reference figure)", got, want)
	}
}

// TestReferenceDynamics draws the dynamics figure from the reference run's
// mean ± SD and checks that the population statistics behind it give back
// the reference values. (go run ./plots/cmd/preview writes the figures for
// a look by eye.)
func TestReferenceDynamics(t *testing.T) {
	ip3, ca, sic := referenceDynamics(t)
	if _, err := Dynamics(ip3, ca, sic, 0); err != nil {
		t.Fatal(err)
	}
	_, a := readCSV(t, "mm_astro_popmean_sd.csv")
	times, mean, sd := analysis.MeanSD(ca, -1)
	if !equalFloats(times, a[0], 0) || !equalFloats(mean, a[3], 1e-12) || !equalFloats(sd, a[4], 1e-12) {
		t.Error("mean ± SD of the synthetic Ca2+ samples differ from the reference")
	}
}
