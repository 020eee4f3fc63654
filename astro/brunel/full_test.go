package brunel

import (
	"math"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/astronb/astronb/analysis"
	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/internal/reftest"
)

// fullRealizations reads the MEAN and SD rows of the NEST reference's six
// full-scale realizations (testdata/nest-3.8/network/realizations_full.csv).
func fullRealizations(t *testing.T) (mean, sd map[string]float64) {
	t.Helper()
	recs := reftest.Records(t, "../testdata/nest-3.8/network/realizations_full.csv")
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

// roleCounts are the connection counts of the example per role.
type roleCounts struct {
	PrimaryExc, PrimaryInh, ThirdIn, ThirdOut int
}

// roleExpect is roleCounts in float64 (expectations, SDs).
type roleExpect struct {
	PrimaryExc, PrimaryInh, ThirdIn, ThirdOut float64
}

// approxEqual reports whether two expectations agree to 1e-9 relative.
func (a roleExpect) approxEqual(b roleExpect) bool {
	for _, d := range [][2]float64{{a.PrimaryExc, b.PrimaryExc}, {a.PrimaryInh, b.PrimaryInh}, {a.ThirdIn, b.ThirdIn}, {a.ThirdOut, b.ThirdOut}} {
		if math.Abs(d[0]-d[1]) > 1e-9*math.Abs(d[1]) {
			return false
		}
	}
	return true
}

// connectRoles builds the network of p the way Run does (same kernel
// configuration and seed, Create and Connect; the recorders Run adds later
// do not draw connection random numbers) and counts its connections per
// role with GetConnections: primary excitatory (exc → neurons,
// tsodyks_synapse), primary inhibitory (inh → neurons, tsodyks_synapse),
// third_in (exc → astrocytes, tsodyks_synapse) and third_out (astrocytes →
// neurons, sic_connection). Sources are listed in chunks so that the full
// network's 18 M connections are never held at once. It also returns the
// kernel's per-model counts.
func connectRoles(t *testing.T, p Params) (roleCounts, map[string]int) {
	t.Helper()
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: p.Sim.Dt, LocalNumThreads: p.Sim.NThreads, RNGSeed: p.Sim.RNGSeed})
	if err != nil {
		t.Fatal(err)
	}
	net, err := Create(k, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := Connect(k, p, net); err != nil {
		t.Fatal(err)
	}
	neurons := astro.Concat(net.Exc, net.Inh)
	count := func(src, tgt astro.NodeCollection, model string) int {
		const chunk = 250
		n := 0
		for i := 0; i < src.Len(); i += chunk {
			n += len(k.GetConnections(src.Slice(i, min(i+chunk, src.Len())), tgt, model))
		}
		return n
	}
	rc := roleCounts{
		PrimaryExc: count(net.Exc, neurons, "tsodyks_synapse"),
		PrimaryInh: count(net.Inh, neurons, "tsodyks_synapse"),
		ThirdIn:    count(net.Exc, net.Astro, "tsodyks_synapse"),
		ThirdOut:   count(net.Astro, neurons, "sic_connection"),
	}
	return rc, k.NumConnections()
}

// roleExpectations returns the expected count and its standard deviation per
// role of the network of p. Every candidate pair is an independent
// Bernoulli trial (autapses allowed, as in the example): the primary
// excitatory count is Binomial(N_ex·N, p_primary) over the N_ex·N
// exc → neuron pairs (N = N_ex + N_in), the inhibitory one
// Binomial(N_in·N, p_primary). A primary excitatory connection is paired
// with an astrocyte with probability p_third_if_primary, independently of
// everything else, and each pairing makes exactly one third_in and one
// third_out connection; so third_in = third_out, unconditionally
// Binomial(N_ex·N, p_primary·p_third_if_primary): SD =
// √(N_ex·N·q·(1 − q)) with q = p_primary·p_third_if_primary (the thinning
// of a binomial by an independent Bernoulli is again binomial).
func roleExpectations(p Params) (want, sd roleExpect) {
	size := func(x int) float64 { return float64(int(float64(x) * p.Scale)) }
	nE, nI := size(p.Network.NEx), size(p.Network.NIn)
	pp := p.Network.PPrimary / p.Scale
	q := pp * p.Network.PThirdIfPrimary
	bin := func(n, p float64) (float64, float64) { return n * p, math.Sqrt(n * p * (1 - p)) }
	want.PrimaryExc, sd.PrimaryExc = bin(nE*(nE+nI), pp)
	want.PrimaryInh, sd.PrimaryInh = bin(nI*(nE+nI), pp)
	want.ThirdIn, sd.ThirdIn = bin(nE*(nE+nI), q)
	want.ThirdOut, sd.ThirdOut = want.ThirdIn, sd.ThirdIn
	return want, sd
}

// checkRoleCounts requires every role's count within nSD standard
// deviations of its expectation (roleExpectations), third_in = third_out,
// and the per-model totals to consist of exactly these roles.
func checkRoleCounts(t *testing.T, p Params, rc roleCounts, perModel map[string]int, nSD float64) {
	t.Helper()
	want, sd := roleExpectations(p)
	for _, c := range []struct {
		name     string
		got      int
		want, sd float64
	}{
		{"primary exc", rc.PrimaryExc, want.PrimaryExc, sd.PrimaryExc},
		{"primary inh", rc.PrimaryInh, want.PrimaryInh, sd.PrimaryInh},
		{"third_in", rc.ThirdIn, want.ThirdIn, sd.ThirdIn},
		{"third_out", rc.ThirdOut, want.ThirdOut, sd.ThirdOut},
	} {
		z := (float64(c.got) - c.want) / c.sd
		t.Logf("%-12s %9d   expected %9.0f ± %.0f (binomial SD)   z = %+.2f", c.name, c.got, c.want, c.sd, z)
		if !(math.Abs(z) <= nSD) {
			t.Errorf("%s: %d connections, expected %.0f ± %.0f: %.1f SD off (limit %g)", c.name, c.got, c.want, c.sd, z, nSD)
		}
	}
	if rc.ThirdIn != rc.ThirdOut {
		t.Errorf("third_in %d ≠ third_out %d", rc.ThirdIn, rc.ThirdOut)
	}
	if n := perModel["tsodyks_synapse"]; n != rc.PrimaryExc+rc.PrimaryInh+rc.ThirdIn {
		t.Errorf("tsodyks_synapse connections %d ≠ primary exc + primary inh + third_in = %d", n, rc.PrimaryExc+rc.PrimaryInh+rc.ThirdIn)
	}
	if n := perModel["sic_connection"]; n != rc.ThirdOut {
		t.Errorf("sic_connection connections %d ≠ third_out %d", n, rc.ThirdOut)
	}
}

// popMeanSeries returns the sample times of a multimeter recording and,
// per time, the mean of quantity name over the recorded nodes.
func popMeanSeries(mm astro.MultimeterEvents, name string) (times, means []float64) {
	var n []int
	for i, tm := range mm.Times { // sorted by time, then sender
		if len(times) == 0 || times[len(times)-1] != tm {
			times, means, n = append(times, tm), append(means, 0), append(n, 0)
		}
		means[len(means)-1] += mm.Values[name][i]
		n[len(n)-1]++
	}
	for i := range means {
		means[i] /= float64(n[i])
	}
	return times, means
}

// sicOnset is the first sample time at which the mean I_SIC of the
// recorded neurons is > 0 (NaN if never).
func sicOnset(mm astro.MultimeterEvents) float64 {
	times, means := popMeanSeries(mm, "I_SIC")
	for i, m := range means {
		if m > 0 {
			return times[i]
		}
	}
	return math.NaN()
}

// checkSamplesPerNode requires nNodes recorded nodes with the samples
// 1, 2, …, nSamples ms each.
func checkSamplesPerNode(t *testing.T, what string, mm astro.MultimeterEvents, nNodes, nSamples int) {
	t.Helper()
	per := map[int]int{}
	for i, s := range mm.Times {
		per[mm.Senders[i]]++
		if s != float64(per[mm.Senders[i]]) {
			t.Errorf("%s: node %d's sample #%d at %g ms, want %d ms", what, mm.Senders[i], per[mm.Senders[i]], s, per[mm.Senders[i]])
			return
		}
	}
	if len(per) != nNodes {
		t.Errorf("%s: %d recorded nodes, want %d", what, len(per), nNodes)
	}
	for id, n := range per {
		if n != nSamples {
			t.Errorf("%s: node %d has %d samples, want %d", what, id, n, nSamples)
		}
	}
}

// inRange reports a statistic and requires it in [lo, hi].
func inRange(t *testing.T, name string, got, lo, hi float64) {
	t.Helper()
	status := "ok"
	if !(got >= lo && got <= hi) {
		status = "OUT OF RANGE"
		t.Errorf("%s = %.4g, want in [%g, %g]", name, got, lo, hi)
	}
	t.Logf("%-32s %9.4g   acceptance [%g, %g]   [%s]", name, got, lo, hi, status)
}

// TestConnectionRoleCounts checks connectRoles and the role statistics on
// the 800/200/100 network (80 k / 20 k / 40 k / 40 k expected), within
// 5 binomial SD as the full test requires.
func TestConnectionRoleCounts(t *testing.T) {
	p := classroomParams(2)
	rc, perModel := connectRoles(t, p)
	want, _ := roleExpectations(p)
	if !want.approxEqual(roleExpect{80e3, 20e3, 40e3, 40e3}) {
		t.Fatalf("expectations %+v, want 80 k / 20 k / 40 k / 40 k", want)
	}
	checkRoleCounts(t, p, rc, perModel, 5)
}

// TestFullNetworkMatchesNEST runs the example at full scale (10 000 neurons,
// 10 000 astrocytes, 100 + 1000 ms) and checks it in two ways.
//
// Acceptance criteria (fixed bounds):
//   - connections per role (primary exc, primary inh, third_in, third_out)
//     within 5 SD of the expected 8.0 M / 2.0 M / 4.0 M / 4.0 M, the SD
//     being the binomial one of each count (roleExpectations: 2683, 1342,
//     1949, 1949), counted on a connect-only build with Run's seed and
//     threads that must match Run's per-model totals;
//   - mean rate over 100–1100 ms of the excitatory and of the inhibitory
//     neurons, each in [2.8, 3.6] Hz;
//   - SIC onset (first sample with the recorded neurons' mean I_SIC > 0) in
//     [250, 550] ms (NEST: 373 ms);
//   - recorded mean I_SIC at 1099 ms in [17, 25] pA (NEST: 20.0 pA);
//   - 1099 samples (1 … 1099 ms) per recorded neuron and astrocyte.
//
// Comparison with six NEST 3.8 realizations (mean ± SD over seeds; window
// 100–1100 ms): each statistic must lie within 4 SD of NEST's mean, the SD
// floored where six runs give too small a spread estimate.
func TestFullNetworkMatchesNEST(t *testing.T) {
	if testing.Short() {
		t.Skip("full-scale network (~25–40 s of two cores)")
	}
	mean, sd := fullRealizations(t)
	p := DefaultParams()
	p.Sim.NRecSpk = 10000

	want, _ := roleExpectations(p)
	if !want.approxEqual(roleExpect{8e6, 2e6, 4e6, 4e6}) {
		t.Fatalf("expectations %+v, want 8.0 M / 2.0 M / 4.0 M / 4.0 M", want)
	}
	rc, perModel := connectRoles(t, p) // its kernel is garbage before Run
	checkRoleCounts(t, p, rc, perModel, 5)

	res, err := Run(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"tsodyks_synapse", "sic_connection"} {
		if res.Connections[m] != perModel[m] {
			t.Errorf("Run has %d %s connections, the connect-only build %d: not the same network", res.Connections[m], m, perModel[m])
		}
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
	nE, nI := p.Network.NEx, p.Network.NIn
	if len(res.RecordedSpikeIDs) != nE+nI {
		t.Fatalf("%d neurons spike-recorded, want all %d", len(res.RecordedSpikeIDs), nE+nI)
	}
	rateExc := stat.Mean(analysis.NeuronRates(res.Spikes, res.RecordedSpikeIDs[:nE], 100, 1100), nil)
	rateInh := stat.Mean(analysis.NeuronRates(res.Spikes, res.RecordedSpikeIDs[nE:], 100, 1100), nil)
	check("rate 100-1100 ms (Hz)", analysis.Rate(res.Spikes, 10000, 100, 1100), "rate_all_Hz", 0.05)
	check("exc rate 100-1100 ms (Hz)", rateExc, "rate_exc_Hz", 0.05)
	check("inh rate 100-1100 ms (Hz)", rateInh, "rate_inh_Hz", 0.05)
	cv, _ := analysis.MeanCV(res.Spikes, 100, 1100, 3)
	check("CV ISI (≥ 3 spikes)", cv, "CV_ISI_all", 0.01)
	check("IP3 mean (µM)", analysis.WindowMean(res.AstroMM, "IP3", 100, 1100), "IP3_mean", 0.02)
	check("Ca mean (µM)", analysis.WindowMean(res.AstroMM, "Ca_astro", 100, 1100), "Ca_mean", 0.02)
	check("I_SIC mean (pA)", analysis.WindowMean(res.NeuronMM, "I_SIC", 100, 1100), "I_SIC_mean", 0.5)
	check("Ca 1000-1100 ms (µM)", analysis.WindowMean(res.AstroMM, "Ca_astro", 1000, 1100), "Ca_mean_1000_1100", 0.03)
	check("I_SIC 1000-1100 ms (pA)", analysis.WindowMean(res.NeuronMM, "I_SIC", 1000, 1100), "I_SIC_mean_1000_1100", 0.5)
	if n := res.Connections["tsodyks_synapse"]; math.Abs(float64(n)-14e6)/14e6 > 0.005 {
		t.Errorf("tsodyks connections = %d, expected ≈ 14.0 M (8 M primary + 4 M third_in + 2 M inhibitory)", n)
	}

	inRange(t, "exc rate 100-1100 ms (Hz)", rateExc, 2.8, 3.6)
	inRange(t, "inh rate 100-1100 ms (Hz)", rateInh, 2.8, 3.6)
	inRange(t, "SIC onset (ms)", sicOnset(res.NeuronMM), 250, 550)
	times, sic := popMeanSeries(res.NeuronMM, "I_SIC")
	if len(times) == 0 || times[len(times)-1] != 1099 {
		t.Errorf("last I_SIC sample not at 1099 ms (%d sample times)", len(times))
	} else {
		inRange(t, "mean I_SIC at 1099 ms (pA)", sic[len(sic)-1], 17, 25)
	}
	checkSamplesPerNode(t, "neuron multimeter", res.NeuronMM, p.Sim.NRecMM, 1099)
	checkSamplesPerNode(t, "astrocyte multimeter", res.AstroMM, p.Sim.NRecMM, 1099)
}
