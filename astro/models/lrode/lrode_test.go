package lrode

import (
	"bytes"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/brunel"
	"github.com/astronb/astronb/astro/nestio"
)

// odeBuilder builds brunel's network with this package's astrocyte in
// place of the built-in one (same parameters).
type odeBuilder struct{ *astro.Kernel }

func (b odeBuilder) Create(m astro.Model, n int) (astro.NodeCollection, error) {
	if a, ok := m.(astro.AstrocyteLR1994); ok {
		mm, err := Model().With(astro.GetParams(a))
		if err != nil {
			return astro.NodeCollection{}, err
		}
		m = mm
	}
	return b.Kernel.Create(m, n)
}

type run struct {
	spikes     astro.SpikeEvents
	neur, astr astro.MultimeterEvents
	sim        time.Duration
	k          *astro.Kernel
}

func smallParams(threads int) brunel.Params {
	p := brunel.DefaultParams()
	p.Network.NEx, p.Network.NIn, p.Network.NAstro = 800, 200, 100
	p.Sim.NThreads = threads
	p.Sim.NRecSpk = 1000
	return p
}

func simulate(t *testing.T, p brunel.Params, ode bool, split float64) run {
	t.Helper()
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: p.Sim.Dt, LocalNumThreads: p.Sim.NThreads, RNGSeed: p.Sim.RNGSeed})
	if err != nil {
		t.Fatal(err)
	}
	var bld brunel.Builder = k
	if ode {
		bld = odeBuilder{k}
	}
	_, rec, err := brunel.Build(bld, p)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	total := p.Sim.PreSimTime + p.Sim.SimTime
	if split > 0 { // stop inside a min_delay slice, save, load, continue
		if err := k.Simulate(split); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := k.Save(&buf); err != nil {
			t.Fatal(err)
		}
		if k, err = astro.LoadWith(&buf, astro.LoadOptions{LocalNumThreads: 3}); err != nil {
			t.Fatal(err)
		}
		total -= split
	}
	if err := k.Simulate(total); err != nil {
		t.Fatal(err)
	}
	r := run{sim: time.Since(t0), k: k}
	if r.spikes, err = k.SpikeEvents(rec.Spikes); err != nil {
		t.Fatal(err)
	}
	if r.neur, err = k.MultimeterEvents(rec.NeuronMM); err != nil {
		t.Fatal(err)
	}
	if r.astr, err = k.MultimeterEvents(rec.AstroMM); err != nil {
		t.Fatal(err)
	}
	return r
}

// maxDiff returns the largest absolute difference of two traces, +Inf if
// their lengths differ.
func maxDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			d = max(d, math.Abs(a[i]-b[i]), math.SmallestNonzeroFloat64)
		}
	}
	return d
}

func compare(t *testing.T, what string, want, got run) {
	t.Helper()
	if !slices.Equal(want.spikes.Senders, got.spikes.Senders) || !slices.Equal(want.spikes.Times, got.spikes.Times) {
		t.Errorf("%s: spikes differ (%d vs %d)", what, len(want.spikes.Times), len(got.spikes.Times))
	}
	for _, c := range []struct {
		name       string
		want, got  astro.MultimeterEvents
		quantities []string
	}{{"neurons", want.neur, got.neur, []string{"I_SIC"}}, {"astrocytes", want.astr, got.astr, []string{"IP3", "Ca_astro"}}} {
		if !slices.Equal(c.want.Senders, c.got.Senders) || !slices.Equal(c.want.Times, c.got.Times) {
			t.Errorf("%s: %s: samples at other times or of other nodes", what, c.name)
		}
		for _, q := range c.quantities {
			if d := maxDiff(c.want.Values[q], c.got.Values[q]); d != 0 {
				t.Errorf("%s: %s %s: largest difference %g, want bit-identical", what, c.name, q, d)
			}
		}
	}
}

// TestMatchesBuiltin: brunel's small network (800 + 200 neurons, 100
// astrocytes, 100 + 1000 ms) with the ODE-level astrocyte gives the same
// spikes, SIC and astrocyte traces as with the built-in astrocyte_lr_1994,
// bit for bit, with 1 and 2 threads, and after a snapshot taken inside a
// slice and loaded with 3 threads.
func TestMatchesBuiltin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the small network five times")
	}
	builtin := simulate(t, smallParams(1), false, 0)
	if len(builtin.spikes.Times) == 0 || len(builtin.astr.Times) == 0 {
		t.Fatal("the network recorded nothing")
	}
	compare(t, "1 thread", builtin, simulate(t, smallParams(1), true, 0))
	compare(t, "2 threads", builtin, simulate(t, smallParams(2), true, 0))
	compare(t, "snapshot at 432.1 ms", builtin, simulate(t, smallParams(2), true, 432.1))
}

// TestSnapshotNeedsSameDefinition: a snapshot of the ODE astrocyte loads
// only into a program whose model of that name has the same layout.
func TestSnapshotNeedsSameDefinition(t *testing.T) {
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Create(Model(), 3); err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(1.1); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := k.Save(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if _, err := astro.Load(bytes.NewReader(data)); err != nil {
		t.Fatalf("same definition: %v", err)
	}
	other := Model()
	other.State = append(other.State, astro.ODEVar{Name: "extra", Value: 0})
	if err := astro.RegisterODE(other); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := astro.RegisterODE(Model()); err != nil {
			t.Fatal(err)
		}
	}()
	_, err = astro.Load(bytes.NewReader(data))
	if !errors.Is(err, astro.ErrSnapshotModel) {
		t.Fatalf("changed definition: got %v, want ErrSnapshotModel", err)
	}
	t.Log(err)
}

// TestStatus: GetStatus and SetStatus by name, as for the built-in.
func TestStatus(t *testing.T) {
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	m, err := astro.NewModel(Name, astro.Dict{"Ca_astro": 0.1, "tau_IP3": 100.0})
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := k.Create(m, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.SetStatus(nodes.Slice(0, 1), astro.Dict{"IP3": 1.0}); err != nil {
		t.Fatal(err)
	}
	st, err := k.GetStatus(nodes)
	if err != nil {
		t.Fatal(err)
	}
	if st[0]["IP3"] != 1.0 || st[1]["IP3"] != 0.16 || st[1]["Ca_astro"] != 0.1 || st[0]["tau_IP3"] != 100.0 {
		t.Errorf("GetStatus = %v", st)
	}
	if err := k.SetStatus(nodes, astro.Dict{"tau_IP3": -1.0}); err == nil {
		t.Error("tau_IP3 = -1 accepted")
	} else {
		t.Log(err)
	}
	if err := k.SetStatus(nodes, astro.Dict{"no_such": 1.0}); err == nil {
		t.Error("unknown name accepted")
	}
}

// TestExport: the export asks the model. With its NEST counterpart
// declared, the ODE astrocyte is written as NEST's astrocyte_lr_1994 and
// its state variables may change between runs; without one, the export
// refuses it with an error naming it.
func TestExport(t *testing.T) {
	build := func(m astro.ODEModel) *astro.Kernel {
		k, err := astro.NewKernel(astro.KernelConfig{Resolution: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		m, err = m.With(astro.Dict{"tau_IP3": 100.0})
		if err != nil {
			t.Fatal(err)
		}
		nodes, err := k.Create(m, 2)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Simulate(10); err != nil {
			t.Fatal(err)
		}
		if err := k.SetStatus(nodes, astro.Dict{"Ca_astro": 0.2}); err != nil {
			t.Fatal(err)
		}
		if err := k.Simulate(10); err != nil {
			t.Fatal(err)
		}
		return k
	}
	var out bytes.Buffer
	if _, err := nestio.ExportKernel(&out, build(Model()), nestio.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`astro_1 = nest.Create("astrocyte_lr_1994", 2, params={"tau_IP3": 100.0})`, `"Ca_astro": 0.2`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("script lacks %s:\n%s", want, out.String())
		}
	}
	// A model whose names differ from NEST's maps them.
	renamed := Model()
	renamed.Name = "renamed_astrocyte"
	renamed.Params[TauIP3].Name = "tau_ip3"
	renamed.NESTExport = &astro.NESTModel{Model: "astrocyte_lr_1994", Stem: "astro", Names: map[string]string{"tau_ip3": "tau_IP3"}}
	k, err := astro.NewKernel(astro.KernelConfig{Resolution: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if renamed, err = renamed.With(astro.Dict{"tau_ip3": 50.0}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Create(renamed, 1); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if _, err := nestio.ExportKernel(&out, k, nestio.Options{}); err != nil {
		t.Fatal(err)
	}
	// Not registered, so without defaults to compare with: every value is
	// written, by NEST's name.
	if script := out.String(); !strings.Contains(script, `nest.Create("astrocyte_lr_1994", 1, params={`) ||
		!strings.Contains(script, `"tau_IP3": 50.0`) || strings.Contains(script, "tau_ip3") {
		t.Errorf("renamed model: script lacks NEST's name tau_IP3:\n%s", script)
	}
	own := Model()
	own.Name, own.NESTExport = "my_astrocyte", nil
	_, err = nestio.ExportKernel(io.Discard, build(own), nestio.Options{})
	if err == nil || !strings.Contains(err.Error(), "my_astrocyte has no NEST counterpart") {
		t.Errorf("export of a model without NEST counterpart: %v", err)
	}
}

// BenchmarkAstrocytes times 300 ms of 1000 astrocytes driven by 100
// parrots of Poisson input (1 thread; most of the time is the astrocytes'
// update), with the built-in model and with this package's. Build without
// GOEXPERIMENT=simd to compare with the built-in's scalar path.
func BenchmarkAstrocytes(b *testing.B) {
	for _, c := range []struct {
		name string
		m    astro.Model
	}{{"builtin", astro.DefaultAstrocyteLR1994()}, {"ode", Model()}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				k, err := astro.NewKernel(astro.KernelConfig{Resolution: 0.1, LocalNumThreads: 1})
				if err != nil {
					b.Fatal(err)
				}
				pg, _ := k.Create(astro.PoissonGenerator{Rate: 2000}, 1)
				parrots, _ := k.Create(astro.ParrotNeuron{}, 100)
				astros, err := k.Create(c.m, 1000)
				if err != nil {
					b.Fatal(err)
				}
				if err := k.Connect(pg, parrots, nil, nil); err != nil {
					b.Fatal(err)
				}
				if err := k.Connect(parrots, astros, astro.NewPairwiseBernoulli(0.1), astro.StaticSynapse{Weight: 0.01, Delay: 2}); err != nil {
					b.Fatal(err)
				}
				if err := k.Simulate(300); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
