package nestio

import (
	"bytes"
	"cmp"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/astronb/astronb/analysis"
	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/brunel"
)

// These tests run the exported scripts in a real NEST 3.8 when one is
// available: python3 (or $NESTIO_PYTHON) must import nest, with
// $NESTIO_PYTHONPATH added to PYTHONPATH if set (e.g. NEST's install
// prefix/lib/python3.11/site-packages). Otherwise they skip.

func nest38(t *testing.T) (py string, env []string) {
	t.Helper()
	py, err := exec.LookPath(cmp.Or(os.Getenv("NESTIO_PYTHON"), "python3"))
	if err != nil {
		t.Skip("python3 is not installed")
	}
	env = os.Environ()
	if p := os.Getenv("NESTIO_PYTHONPATH"); p != "" {
		env = append(env, "PYTHONPATH="+p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", "import nest; print(nest.__version__)")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(strings.TrimSpace(lastLine(string(out))), "3.8") {
		t.Skip("no NEST 3.8 importable by python3 (set NESTIO_PYTHONPATH to its site-packages to run the exported scripts in NEST)")
	}
	return py, env
}

func lastLine(s string) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	return ls[len(ls)-1]
}

// runNEST runs script in NEST with output directory dir.
func runNEST(t *testing.T, py string, env []string, script []byte, dir string, timeout time.Duration) {
	t.Helper()
	runNESTWith(t, []string{py}, env, script, dir, timeout)
}

// runNESTWith runs script with output directory dir under launch (the
// Python interpreter, or a launcher such as mpirun followed by its options
// and the interpreter), killing it after timeout, and returns what it
// printed.
func runNESTWith(t *testing.T, launch []string, env []string, script []byte, dir string, timeout time.Duration) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "script.py")
	if err := os.WriteFile(path, script, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, launch[0], append(launch[1:], path, dir)...)
	cmd.Env = env
	began := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("NEST: %v\n%s", err, out)
	}
	t.Logf("NEST ran %s in %.1f s", filepath.Base(dir), time.Since(began).Seconds())
	return string(out)
}

// TestNESTUnitScenario runs the exported single-cell scenario in NEST 3.8
// and compares what NEST wrote with NEST's reference output
// (unit_neuron.tsv, unit_astro.tsv, unit_spikes.tsv) and with astronb's own
// recordings: senders and times identical, values equal to the 17 decimals
// NEST printed (reference) and within 1e-9 relative (astronb, as
// astro's TestUnitScenarioMatchesNEST).
func TestNESTUnitScenario(t *testing.T) {
	py, env := nest38(t)
	k, labels := unitKernel(t)
	var script strings.Builder
	if _, err := ExportKernel(&script, k, Options{Labels: labels}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	runNEST(t, py, env, []byte(script.String()), dir, 5*time.Minute)

	sp, err := ReadSpikeRecorder(dir, "sr")
	if err != nil {
		t.Fatal(err)
	}
	want := tsv(t, "unit_spikes.tsv")
	if len(sp.Times) != len(want) {
		t.Fatalf("NEST: spikes at %v, reference %v", sp.Times, want)
	}
	for i, r := range want {
		if sp.Senders[i] != int(r[0]) || sp.Times[i] != r[1] {
			t.Errorf("spike %d: %d at %.17g, reference %d at %.17g", i, sp.Senders[i], sp.Times[i], int(r[0]), r[1])
		}
	}
	ours := map[string]astro.MultimeterEvents{}
	for id, label := range labels {
		if label == "sr" {
			continue
		}
		if ours[label], err = k.MultimeterEvents(astro.NodeIDs(id)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ label, ref string }{{"mm_n", "unit_neuron.tsv"}, {"mm_a", "unit_astro.tsv"}} {
		ev, err := ReadMultimeterRecorder(dir, c.label)
		if err != nil {
			t.Fatal(err)
		}
		rows := tsv(t, c.ref)
		sortRows(rows)
		a := ours[c.label]
		if len(ev.Times) != len(rows) || len(a.Times) != len(rows) {
			t.Fatalf("%s: NEST wrote %d samples, reference %d, astronb %d", c.label, len(ev.Times), len(rows), len(a.Times))
		}
		worst := 0.0
		for i, r := range rows {
			if ev.Senders[i] != int(r[0]) || ev.Times[i] != r[1] || a.Senders[i] != ev.Senders[i] || a.Times[i] != ev.Times[i] {
				t.Fatalf("%s row %d: NEST %d at %.17g, reference %d at %.17g, astronb %d at %.17g", c.label, i,
					ev.Senders[i], ev.Times[i], int(r[0]), r[1], a.Senders[i], a.Times[i])
			}
			for j, name := range refNames(c.label) {
				got := ev.Values[name][i]
				if !sameAtPrecision17(got, r[2+j]) {
					t.Fatalf("%s %s row %d: NEST now %.17g, reference %.17g", c.label, name, i, got, r[2+j])
				}
				o := a.Values[name][i]
				if d := math.Abs(o - got); d > 1e-12 {
					rel := d / math.Max(math.Abs(o), math.Abs(got))
					worst = math.Max(worst, rel)
					if rel > 1e-9 {
						t.Fatalf("%s %s row %d: astronb %.17g, NEST %.17g", c.label, name, i, o, got)
					}
				}
			}
		}
		t.Logf("%s: %d samples of %v: NEST's export run = NEST's reference; astronb within %.2g relative", c.label, len(rows), refNames(c.label), worst)
	}
}

func refNames(label string) []string {
	if label == "mm_n" {
		return []string{"V_m", "g_ex", "g_in", "w", "I_SIC"}
	}
	return []string{"IP3", "Ca_astro", "h_IP3R"}
}

// TestNESTFullExample runs the exported full example in NEST 3.8 with 2
// threads and with total_num_virtual_procs 4, reads NEST's files back, and
// checks the bands of astro/brunel's network test (checkFullExampleBands).
// Minutes of CPU: run it with -timeout 60m.
func TestNESTFullExample(t *testing.T) {
	if testing.Short() {
		t.Skip("full-scale NEST runs")
	}
	py, env := nest38(t)
	for _, c := range []struct {
		name string
		opt  func(*Options)
	}{
		{"threads2", func(o *Options) { o.Threads = 2 }},
		{"vps4", func(o *Options) { o.TotalVPs = 4 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			runNEST(t, py, env, fullExampleScript(t, c.opt), dir, 50*time.Minute)
			checkFullExampleBands(t, c.name, dir)
		})
	}
}

// fullExampleScript exports the full example as a PyNEST script, with opt
// changing the export options (threads or virtual processes).
func fullExampleScript(t *testing.T, opt func(*Options)) []byte {
	t.Helper()
	plan, o := brunelPlan(t, false)
	opt(&o)
	var script bytes.Buffer
	if _, err := plan.Export(&script, o); err != nil {
		t.Fatal(err)
	}
	return script.Bytes()
}

// fullExampleFigures are what checkFullExampleBands read back from NEST's
// files of the full example.
type fullExampleFigures struct {
	spikes astro.SpikeEvents
	mmN    astro.MultimeterEvents
	mmA    astro.MultimeterEvents
}

// checkFullExampleBands reads NEST's files of the exported full example in
// dir and checks the bands of astro/brunel's network test: rate of the
// recorded neurons in 100–1100 ms in [2.8, 3.6] Hz, SIC onset (first sample
// with the recorded neurons' mean I_SIC > 0) in [250, 550] ms, mean I_SIC at
// 1099 ms in [17, 25] pA, and 1099 samples per recorded node.
func checkFullExampleBands(t *testing.T, name, dir string) fullExampleFigures {
	t.Helper()
	p := brunel.DefaultParams()
	sp, err := ReadSpikeRecorder(dir, "sr")
	if err != nil {
		t.Fatal(err)
	}
	mmN, err := ReadMultimeterRecorder(dir, "mm_neuron")
	if err != nil {
		t.Fatal(err)
	}
	mmA, err := ReadMultimeterRecorder(dir, "mm_astro")
	if err != nil {
		t.Fatal(err)
	}
	end := p.Sim.PreSimTime + p.Sim.SimTime
	rate := analysis.Rate(sp, p.Sim.NRecSpk, p.Sim.PreSimTime, end)
	onset, last := sicFigures(mmN)
	late := analysis.WindowMean(mmN, "I_SIC", end-100, end)
	ca := analysis.WindowMean(mmA, "Ca_astro", end-100, end)
	t.Logf("NEST (%s): rate %.2f Hz, SIC onset %g ms, mean I_SIC at 1099 ms %.2f pA, I_SIC 1000–1100 ms %.2f pA, Ca 1000–1100 ms %.3f µM, %d spikes",
		name, rate, onset, last, late, ca, len(sp.Times))
	for _, b := range []struct {
		name         string
		v, low, high float64
	}{{"rate of the recorded neurons (Hz)", rate, 2.8, 3.6}, {"SIC onset (ms)", onset, 250, 550}, {"mean I_SIC at 1099 ms (pA)", last, 17, 25}} {
		if !(b.v >= b.low && b.v <= b.high) {
			t.Errorf("%s = %g: outside [%g, %g]", b.name, b.v, b.low, b.high)
		}
	}
	for _, ev := range []astro.MultimeterEvents{mmN, mmA} {
		if len(ev.Times) != 1099*p.Sim.NRecMM {
			t.Errorf("%d samples, want 1099 × %d", len(ev.Times), p.Sim.NRecMM)
		}
	}
	return fullExampleFigures{sp, mmN, mmA}
}

// sicFigures returns the first time the recorded neurons' mean I_SIC is
// > 0 and the mean at the last sample time.
func sicFigures(ev astro.MultimeterEvents) (onset, last float64) {
	onset = math.NaN()
	v := ev.Values["I_SIC"]
	for i := 0; i < len(ev.Times); {
		j, sum := i, 0.0
		for j < len(ev.Times) && ev.Times[j] == ev.Times[i] {
			sum += v[j]
			j++
		}
		m := sum / float64(j-i)
		if m > 0 && math.IsNaN(onset) {
			onset = ev.Times[i]
		}
		last, i = m, j
	}
	return onset, last
}
