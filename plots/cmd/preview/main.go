// Command preview draws the example's two figures (raster with rate
// histogram, dynamics) from NEST 3.8's reference data, for comparison by eye
// with NEST's fig_raster_100.png and fig_dynamics.png:
//
//	go run ./plots/cmd/preview -ref ../shared/reference/nest-3.8/network -out out/preview
//
// The reference folder must hold spikes_rec100.csv (sender,time),
// mm_astro_popmean_sd.csv (time, IP3 mean, SD, Ca_astro mean, SD) and
// mm_neuron_popmean_sd.csv (time, I_SIC mean, SD). The dynamics figure is
// drawn from synthetic samples with the reference's population mean ± SD:
// half of 50 senders at mean + SD, half at mean − SD.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/astronb/astronb/internal/figfile"
	"github.com/astronb/astronb/internal/reftest"
	"github.com/astronb/astronb/plots"
)

func main() {
	ref := flag.String("ref", "../shared/reference/nest-3.8/network", "folder with NEST's reference CSV files")
	out := flag.String("out", "out/preview", "folder the figures are written to (PNG and SVG)")
	flag.Parse()
	if err := run(*ref, *out); err != nil {
		fmt.Fprintln(os.Stderr, "preview:", err)
		os.Exit(1)
	}
}

func run(ref, out string) error {
	spikes, err := readColumns(filepath.Join(ref, "spikes_rec100.csv"), "sender", "time")
	if err != nil {
		return err
	}
	sp := plots.Spikes{Times: spikes[1]}
	for _, s := range spikes[0] {
		sp.Senders = append(sp.Senders, int(s))
	}
	raster, err := plots.Raster(sp, "Raster plot of neuron 1 to 100", 5)
	if err != nil {
		return err
	}
	a, err := readColumns(filepath.Join(ref, "mm_astro_popmean_sd.csv"), "", "IP3_mean", "", "Ca_astro_mean", "")
	if err != nil {
		return err
	}
	n, err := readColumns(filepath.Join(ref, "mm_neuron_popmean_sd.csv"), "", "I_SIC_mean", "")
	if err != nil {
		return err
	}
	dyn, err := plots.Dynamics(fromMeanSD(a[0], a[1], a[2]), fromMeanSD(a[0], a[3], a[4]), fromMeanSD(n[0], n[1], n[2]), 0)
	if err != nil {
		return err
	}
	_, err = figfile.Save(os.Stdout, out, raster, dyn)
	return err
}

// readColumns reads a CSV file with a header whose columns are named as
// given ("" accepts any name) and returns its columns as numbers.
func readColumns(path string, names ...string) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) < 2 || len(recs[0]) != len(names) {
		return nil, fmt.Errorf("%s: want a header of %d columns and data rows", path, len(names))
	}
	for j, name := range names {
		if name != "" && recs[0][j] != name {
			return nil, fmt.Errorf("%s: column %d is %q, want %q", path, j+1, recs[0][j], name)
		}
	}
	cols := make([][]float64, len(names))
	for i, r := range recs[1:] {
		for j, s := range r {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: row %d: %w", path, i+2, err)
			}
			cols[j] = append(cols[j], v)
		}
	}
	return cols, nil
}

// fromMeanSD synthesises 50 senders whose per-time population mean and SD
// are the given ones.
func fromMeanSD(times, mean, sd []float64) plots.Samples {
	senders, ts, values := reftest.FromMeanSD(times, mean, sd, 50)
	return plots.Samples{Senders: senders, Times: ts, Values: values}
}
