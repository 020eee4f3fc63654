package iafpscexp

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/astronb/astronb/astro"
	"github.com/janpfeifer/must"
)

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnalyticMembrane: with a constant current and no input, V_m follows
// E_L + I_e·tau_m/C_m·(1 − exp(−t/tau_m)) until the first spike, which
// falls in the step in which that curve crosses V_th.
func TestAnalyticMembrane(t *testing.T) {
	k := must.M1(astro.NewKernel(astro.KernelConfig{Resolution: 0.1}))
	m := must.M1(Model().With(astro.Dict{"I_e": 376.0}))
	n := must.M1(k.Create(m, 1))
	mm := must.M1(k.Create(astro.Multimeter{Interval: 0.1, RecordFrom: []string{"V_m"}}, 1))
	sr := must.M1(k.Create(astro.SpikeRecorder{}, 1))
	check(t, k.Connect(mm, n, nil, nil))
	check(t, k.Connect(n, sr, nil, nil))
	check(t, k.Simulate(300))
	ev := must.M1(k.MultimeterEvents(mm))
	sp := must.M1(k.SpikeEvents(sr))
	const eL, cM, tau, iE, vTh = -70.0, 250.0, 10.0, 376.0, -55.0
	tCross := -tau * math.Log(1-(vTh-eL)*cM/(iE*tau))
	if len(sp.Times) == 0 || math.Abs(sp.Times[0]-math.Ceil(tCross/0.1)*0.1) > 1e-9 {
		t.Fatalf("first spike at %v ms, want the step ending after the crossing at %.4f ms", sp.Times, tCross)
	}
	worst := 0.0
	for i, tm := range ev.Times {
		if tm >= sp.Times[0] {
			break
		}
		want := eL + iE*tau/cM*(1-math.Exp(-tm/tau))
		worst = max(worst, math.Abs(ev.Values["V_m"][i]-want))
	}
	if worst > 1e-12 {
		t.Errorf("V_m deviates from the analytic solution by up to %g mV", worst)
	}
	t.Logf("first spike %.1f ms (analytic crossing %.4f ms); V_m within %.2g mV of the analytic solution", sp.Times[0], tCross, worst)
}

type result struct {
	spikes astro.SpikeEvents
	vm     astro.MultimeterEvents
}

// network builds 160 + 40 iaf_psc_exp neurons driven by Poisson input
// through parrots, connected at random (excitatory static 20 pA,
// inhibitory tsodyks −400 pA, delay 1.5 ms), and runs it for 300 ms; with snapAt > 0 it stops
// there (inside a slice), saves, loads with loadThreads and continues.
func network(t *testing.T, threads int, snapAt float64, loadThreads int) result {
	k := must.M1(astro.NewKernel(astro.KernelConfig{Resolution: 0.1, LocalNumThreads: threads, RNGSeed: 7}))
	exc := must.M1(k.Create(Model(), 160))
	inh := must.M1(k.Create(must.M1(Model().With(astro.Dict{"tau_m": 8.0})), 40))
	pg := must.M1(k.Create(astro.PoissonGenerator{Rate: 1000}, 1))
	parrots := must.M1(k.Create(astro.ParrotNeuron{}, 50))
	sr := must.M1(k.Create(astro.SpikeRecorder{}, 1))
	mm := must.M1(k.Create(astro.Multimeter{Interval: 0.1, RecordFrom: []string{"V_m", "I_syn_ex", "I_syn_in"}}, 1))
	all := astro.Concat(exc, inh)
	check(t, k.Connect(pg, parrots, nil, nil))
	check(t, k.Connect(parrots, all, astro.NewPairwiseBernoulli(0.3), astro.StaticSynapse{Weight: 15, Delay: 1.5}))
	check(t, k.Connect(exc, all, astro.NewPairwiseBernoulli(0.1), astro.StaticSynapse{Weight: 20, Delay: 1.5}))
	tso := astro.DefaultTsodyksSynapse()
	tso.Weight, tso.Delay = -400, 1.5
	check(t, k.Connect(inh, all, astro.NewPairwiseBernoulli(0.1), tso))
	check(t, k.Connect(all, sr, nil, nil))
	check(t, k.Connect(mm, astro.NodeIDs(all.At(0), all.At(170)), nil, nil))
	total := 300.0
	if snapAt > 0 {
		check(t, k.Simulate(snapAt))
		var buf bytes.Buffer
		check(t, k.Save(&buf))
		k = must.M1(astro.LoadWith(&buf, astro.LoadOptions{LocalNumThreads: loadThreads}))
		total -= snapAt
	}
	check(t, k.Simulate(total))
	return result{must.M1(k.SpikeEvents(sr)), must.M1(k.MultimeterEvents(mm))}
}

func same(a, b result) bool {
	if !slices.Equal(a.spikes.Senders, b.spikes.Senders) || !slices.Equal(a.spikes.Times, b.spikes.Times) ||
		!slices.Equal(a.vm.Times, b.vm.Times) || !slices.Equal(a.vm.Senders, b.vm.Senders) {
		return false
	}
	for q, v := range a.vm.Values {
		if !slices.EqualFunc(v, b.vm.Values[q], func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }) {
			return false
		}
	}
	return true
}

// TestNetworkThreadsAndSnapshot: the network gives the same spikes and
// traces, bit for bit, with 1 and 4 threads, and when saved inside a
// min_delay slice and continued with another thread count.
func TestNetworkThreadsAndSnapshot(t *testing.T) {
	one := network(t, 1, 0, 0)
	if len(one.spikes.Times) < 100 {
		t.Fatalf("only %d spikes: the network is too quiet to show anything", len(one.spikes.Times))
	}
	if !same(one, network(t, 4, 0, 0)) {
		t.Error("4 threads differ from 1 thread")
	}
	if !same(one, network(t, 1, 123.4, 3)) {
		t.Error("saved at 123.4 ms and continued with 3 threads: differs from the uninterrupted run")
	}
	t.Logf("%d spikes of 200 neurons in 300 ms", len(one.spikes.Times))
}

// TestNEST compares with NEST 3.8's own iaf_psc_exp traces
// (testdata/nest-3.8: the ie_only and subthresh scenarios of its
// make_traces.py).
func TestNEST(t *testing.T) {
	dir := filepath.Join("testdata", "nest-3.8")
	for _, c := range []struct {
		name   string
		params astro.Dict
		sim    float64
		exc    []float64
		w, d   float64
	}{
		{"ie_only", astro.Dict{"I_e": 376.0}, 300, nil, 0, 1},
		{"subthresh", astro.Dict{"tau_syn_ex": 5.0, "tau_syn_in": 1.0, "tau_m": 20.0, "C_m": 200.0}, 100, []float64{2, 3, 4, 40}, 300, 1.5},
	} {
		k := must.M1(astro.NewKernel(astro.KernelConfig{Resolution: 0.1}))
		n := must.M1(k.Create(must.M1(Model().With(c.params)), 1))
		mm := must.M1(k.Create(astro.Multimeter{Interval: 0.1, RecordFrom: []string{"V_m", "I_syn_ex", "I_syn_in"}}, 1))
		check(t, k.Connect(mm, n, nil, nil))
		if c.exc != nil {
			sg := must.M1(k.Create(astro.SpikeGenerator{SpikeTimes: c.exc}, 1))
			check(t, k.Connect(sg, n, nil, astro.StaticSynapse{Weight: c.w, Delay: c.d}))
		}
		check(t, k.Simulate(c.sim))
		ev := must.M1(k.MultimeterEvents(mm))
		f := must.M1(os.Open(filepath.Join(dir, c.name+"_vm.tsv")))
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		i, worst := 0, 0.0
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if i >= len(ev.Times) {
				break
			}
			tm := must.M1(strconv.ParseFloat(fs[0], 64))
			if math.Abs(tm-ev.Times[i]) > 1e-9 {
				t.Fatalf("%s: sample %d at %g ms, NEST's at %g ms", c.name, i, ev.Times[i], tm)
			}
			for j, q := range []string{"V_m", "I_syn_ex", "I_syn_in"} {
				worst = max(worst, math.Abs(must.M1(strconv.ParseFloat(fs[1+j], 64))-ev.Values[q][i]))
			}
			i++
		}
		f.Close()
		if worst > 1e-9 {
			t.Errorf("%s: largest difference from NEST %g", c.name, worst)
		}
		t.Logf("%s: %d samples, largest difference from NEST %.3g", c.name, i, worst)
	}
}
