package brunel

import (
	"math"
	"strconv"
	"testing"
)

// fullRealizations reads the MEAN and SD rows of the NEST reference's six
// full-scale realizations (testdata/nest-3.8/network/realizations_full.csv).
func fullRealizations(t *testing.T) (mean, sd map[string]float64) {
	t.Helper()
	recs := readCSV(t, "../testdata/nest-3.8/network/realizations_full.csv")
	mean, sd = map[string]float64{}, map[string]float64{}
	for _, r := range recs[1:] {
		var dst map[string]float64
		switch r[0] {
		case "MEAN":
			dst = mean
		case "SD":
			dst = sd
		default:
			continue
		}
		for j, name := range recs[0] {
			if v, err := strconv.ParseFloat(r[j], 64); err == nil {
				dst[name] = v
			}
		}
	}
	return mean, sd
}

// TestFullNetworkMatchesNEST runs the example at full scale (10 000 neurons,
// 10 000 astrocytes, 100 + 1000 ms) and compares its statistics with six
// NEST 3.8 realizations (mean ± SD over seeds; window 100–1100 ms). Each
// statistic must lie within 4 SD of NEST's mean, the SD floored where six
// runs give too small a spread estimate.
func TestFullNetworkMatchesNEST(t *testing.T) {
	if testing.Short() {
		t.Skip("full-scale network (~30 s)")
	}
	mean, sd := fullRealizations(t)
	p := DefaultParams()
	p.Sim.NRecSpk = 10000
	res, err := Run(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got float64, col string, sdFloor float64) {
		t.Helper()
		m, s := mean[col], math.Max(sd[col], sdFloor)
		status := "ok"
		if math.IsNaN(got) || math.Abs(got-m) > 4*s {
			status = "OUT OF RANGE"
			t.Errorf("%s = %.4g, NEST %.4g ± %.2g", name, got, m, s)
		}
		t.Logf("%-26s %9.4g   NEST %9.4g ± %.2g   [%s]", name, got, m, sd[col], status)
	}
	check("rate 100-1100 ms (Hz)", Rate(res.Spikes, 10000, 100, 1100), "rate_all_Hz", 0.05)
	cv, _ := MeanCV(res.Spikes, 100, 1100, 3)
	check("CV ISI (≥ 3 spikes)", cv, "CV_ISI_all", 0.01)
	check("IP3 mean (µM)", WindowMean(res.AstroMM, "IP3", 100, 1100), "IP3_mean", 0.02)
	check("Ca mean (µM)", WindowMean(res.AstroMM, "Ca_astro", 100, 1100), "Ca_mean", 0.02)
	check("I_SIC mean (pA)", WindowMean(res.NeuronMM, "I_SIC", 100, 1100), "I_SIC_mean", 0.5)
	check("Ca 1000-1100 ms (µM)", WindowMean(res.AstroMM, "Ca_astro", 1000, 1100), "Ca_mean_1000_1100", 0.03)
	check("I_SIC 1000-1100 ms (pA)", WindowMean(res.NeuronMM, "I_SIC", 1000, 1100), "I_SIC_mean_1000_1100", 0.5)
	if n := res.Connections["tsodyks_synapse"]; math.Abs(float64(n)-14e6)/14e6 > 0.005 {
		t.Errorf("tsodyks connections = %d, expected ≈ 14.0 M (8 M primary + 4 M third_in + 2 M inhibitory)", n)
	}
}
