package astro

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/astronb/astronb/internal/reftest"
)

// Single-cell protocols of testdata/nest-3.8/single (see its README.md and
// protocols.json): every recorded value is compared with NEST 3.8's output
// to 1e-9 relative (with an absolute floor of 1e-12 for values near 0), and
// spike times exactly, as integer steps.

const singleDir = "testdata/nest-3.8/single/"

const (
	traceRelTol = 1e-9
	traceAbsTol = 1e-12
)

// protocols returns the parsed protocols.json.
func protocols(t *testing.T) map[string]map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(singleDir + "protocols.json")
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]map[string]json.RawMessage
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// protoField decodes one field of a protocol into v.
func protoField(t *testing.T, proto map[string]json.RawMessage, key string, v any) {
	t.Helper()
	raw, ok := proto[key]
	if !ok {
		t.Fatalf("protocols.json: no field %q", key)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("protocols.json: field %q: %v", key, err)
	}
}

// withinTol reports whether got matches want to the trace tolerance.
func withinTol(got, want, rel, abs float64) bool {
	d := math.Abs(got - want)
	return d <= abs || d <= rel*math.Abs(want)
}

// traceReport is the worst difference found for one recorded quantity.
type traceReport struct {
	worstRel, worstAbs float64
	atTime             float64
}

// compareEvents compares multimeter events with NEST rows (sender, time,
// values… as named by header[2:]), time as integer steps of h. It reports
// up to 10 failing values, and logs the worst relative difference per
// quantity. It returns the worst relative difference over all quantities.
func compareEvents(t *testing.T, what string, h float64, ev MultimeterEvents, header []string, rows [][]float64, rel, abs float64) float64 {
	t.Helper()
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b []float64) int {
		return cmp.Or(cmp.Compare(math.Round(a[1]/h), math.Round(b[1]/h)), cmp.Compare(a[0], b[0]))
	})
	if len(ev.Times) != len(rows) {
		t.Fatalf("%s: %d samples, NEST has %d", what, len(ev.Times), len(rows))
	}
	for i, r := range rows {
		if ev.Senders[i] != int(r[0]) || math.Round(ev.Times[i]/h) != math.Round(r[1]/h) {
			t.Fatalf("%s row %d: sender/time %d/%g, NEST %g/%g", what, i, ev.Senders[i], ev.Times[i], r[0], r[1])
		}
	}
	bad := 0
	overall := 0.0
	var summary []string
	for j, name := range header[2:] {
		vals, ok := ev.Values[name]
		if !ok {
			t.Fatalf("%s: quantity %s not recorded", what, name)
		}
		var rep traceReport
		for i, r := range rows {
			got, want := vals[i], r[2+j]
			d := math.Abs(got - want)
			if !withinTol(got, want, rel, abs) {
				bad++
				if bad <= 10 {
					t.Errorf("%s %s at t=%g (sender %d): got %.17g, NEST %.17g (abs %.3g, rel %.3g)",
						what, name, r[1], int(r[0]), got, want, d, relErr(got, want))
				}
			}
			rep.worstAbs = math.Max(rep.worstAbs, d)
			if math.Abs(want) > abs && relErr(got, want) > rep.worstRel {
				rep.worstRel, rep.atTime = relErr(got, want), r[1]
			}
		}
		overall = math.Max(overall, rep.worstRel)
		summary = append(summary, fmt.Sprintf("%s rel %.2g (t=%g) abs %.2g", name, rep.worstRel, rep.atTime, rep.worstAbs))
	}
	if bad > 10 {
		t.Errorf("%s: %d values out of tolerance in total", what, bad)
	}
	t.Logf("%s: %d samples; worst: %s", what, len(rows), strings.Join(summary, "; "))
	return overall
}

// compareSpikes compares recorded spikes with NEST's (sender, time) rows,
// times as integer steps.
func compareSpikes(t *testing.T, what string, h float64, ev SpikeEvents, rows [][]float64) {
	t.Helper()
	got := make([][2]int64, len(ev.Times))
	for i := range ev.Times {
		got[i] = [2]int64{int64(ev.Senders[i]), int64(math.Round(ev.Times[i] / h))}
	}
	want := make([][2]int64, len(rows))
	for i, r := range rows {
		want[i] = [2]int64{int64(r[0]), int64(math.Round(r[1] / h))}
	}
	order := func(a, b [2]int64) int { return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0])) }
	slices.SortFunc(want, order)
	if !slices.Equal(got, want) {
		t.Errorf("%s: spikes (sender, step) %v, NEST %v", what, got, want)
		return
	}
	t.Logf("%s: %d spikes identical to NEST (as steps)", what, len(got))
}

// blockOf returns the block and local index of node id (test internals).
func blockOf(t *testing.T, k *Kernel, id int) (nodeBlock, int) {
	t.Helper()
	b, local, err := k.ref(id)
	if err != nil {
		t.Fatal(err)
	}
	return b, local
}

// checkFinalState compares internal state with NEST's final_state.
func checkFinalState(t *testing.T, what string, got, want map[string]float64) {
	t.Helper()
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range want {
			if !yield(n) {
				return
			}
		}
	})
	worst := 0.0
	for _, n := range names {
		g, ok := got[n]
		if !ok {
			t.Fatalf("%s: no state %s", what, n)
		}
		if !withinTol(g, want[n], traceRelTol, traceAbsTol) {
			t.Errorf("%s: final %s = %.17g, NEST %.17g (rel %.3g)", what, n, g, want[n], relErr(g, want[n]))
		}
		if math.Abs(want[n]) > traceAbsTol {
			worst = math.Max(worst, relErr(g, want[n]))
		}
	}
	t.Logf("%s: final state (%s) worst rel %.2g", what, strings.Join(names, ", "), worst)
}

func aeifState(t *testing.T, k *Kernel, id int) map[string]float64 {
	t.Helper()
	b, i := blockOf(t, k, id)
	ab, ok := b.(*aeifBlock)
	if !ok {
		t.Fatalf("node %d is not an aeif_cond_alpha_astro", id)
	}
	y := ab.y[i]
	return map[string]float64{"V_m": y[aeifV], "w": y[aeifW], "g_ex": y[aeifGEx], "dg_ex": y[aeifDGEx], "g_in": y[aeifGIn], "dg_in": y[aeifDGIn]}
}

func astroState(t *testing.T, k *Kernel, id int) map[string]float64 {
	t.Helper()
	b, i := blockOf(t, k, id)
	ab, ok := b.(*astrocyteBlock)
	if !ok {
		t.Fatalf("node %d is not an astrocyte_lr_1994", id)
	}
	y := ab.y[i]
	return map[string]float64{"IP3": y[astroIP3], "Ca_astro": y[astroCa], "h_IP3R": y[astroH]}
}

// withNEST applies a reference file's NEST-named parameters to p (a
// model's or synapse's defaults) through SetParams; unknown names fail.
func withNEST[T any](t *testing.T, p T, params map[string]float64) T {
	t.Helper()
	d := Dict{}
	for n, v := range params {
		d[n] = v
	}
	if err := SetParams(&p, d); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustConnect(t testing.TB, k *Kernel, pre, post NodeCollection, rule ConnRule, syn Synapse) {
	t.Helper()
	if err := k.Connect(pre, post, rule, syn); err != nil {
		t.Fatal(err)
	}
}

func mustSimulate(t testing.TB, k *Kernel, ms float64) {
	t.Helper()
	if err := k.Simulate(ms); err != nil {
		t.Fatal(err)
	}
}

// TestSingleA1AeifSpikeInput: six spike_generators (one spike each, weights
// ±10/50/100 nS, static delay 1 ms) into one aeif_cond_alpha_astro.
func TestSingleA1AeifSpikeInput(t *testing.T) {
	proto := protocols(t)["a1"]
	var params map[string]float64
	protoField(t, proto, "neuron_params", &params)
	var inputs [][2]float64
	for key := range proto {
		if strings.HasPrefix(key, "input") {
			protoField(t, proto, key, &inputs)
		}
	}
	if len(inputs) != 6 {
		t.Fatalf("protocols.json a1: %d inputs, want 6", len(inputs))
	}
	var simTime float64
	protoField(t, proto, "sim_time_ms", &simTime)

	k := mustKernel(t, KernelConfig{Resolution: 0.1})
	n := mustCreate(t, k, withNEST(t, DefaultAeifCondAlphaAstro(), params), 1) // node 1, as in NEST
	for _, in := range inputs {
		sg := mustCreate(t, k, SpikeGenerator{SpikeTimes: []float64{in[0]}}, 1)
		mustConnect(t, k, sg, n, nil, StaticSynapse{Weight: in[1], Delay: 1})
	}
	header, rows := reftest.Numeric(t, singleDir+"a1_aeif_spike_input_traces.csv")
	mm := mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: header[2:]}, 1)
	sr := mustCreate(t, k, SpikeRecorder{}, 1)
	mustConnect(t, k, mm, n, nil, nil)
	mustConnect(t, k, n, sr, nil, nil)
	mustSimulate(t, k, simTime)

	compareEvents(t, "a1 traces", 0.1, mustMM(t, k, mm), header, rows, traceRelTol, traceAbsTol)
	_, spikes := reftest.Numeric(t, singleDir+"a1_aeif_spike_input_spikes.csv")
	compareSpikes(t, "a1 spikes", 0.1, mustSR(t, k, sr), spikes)
	var final map[string]float64
	protoField(t, proto, "final_state", &final)
	checkFinalState(t, "a1", aeifState(t, k, n.At(0)), final)
}

// TestSingleA2AeifConstantCurrent: I_e = 500, 700, 1000 pA, 1000 ms.
func TestSingleA2AeifConstantCurrent(t *testing.T) {
	all := protocols(t)
	for _, ie := range []string{"500", "700", "1000"} {
		t.Run("Ie"+ie, func(t *testing.T) {
			proto := all["a2_aeif_Ie"+ie]
			var params map[string]float64
			protoField(t, proto, "neuron_params", &params)
			var simTime float64
			protoField(t, proto, "sim_time_ms", &simTime)
			var spikeTimes []float64
			protoField(t, proto, "spike_times_ms", &spikeTimes)

			k := mustKernel(t, KernelConfig{Resolution: 0.1})
			n := mustCreate(t, k, withNEST(t, DefaultAeifCondAlphaAstro(), params), 1)
			header, rows := reftest.Numeric(t, singleDir+"a2_aeif_Ie"+ie+"_traces.csv")
			mm := mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: header[2:]}, 1)
			sr := mustCreate(t, k, SpikeRecorder{}, 1)
			mustConnect(t, k, mm, n, nil, nil)
			mustConnect(t, k, n, sr, nil, nil)
			mustSimulate(t, k, simTime)

			compareEvents(t, "a2 Ie "+ie, 0.1, mustMM(t, k, mm), header, rows, traceRelTol, traceAbsTol)
			_, spikes := reftest.Numeric(t, singleDir+"a2_aeif_Ie"+ie+"_spikes.csv")
			if len(spikes) != len(spikeTimes) {
				t.Fatalf("reference files disagree: %d spikes in CSV, %d in protocols.json", len(spikes), len(spikeTimes))
			}
			compareSpikes(t, "a2 Ie "+ie+" spikes", 0.1, mustSR(t, k, sr), spikes)
			var final map[string]float64
			protoField(t, proto, "final_state", &final)
			checkFinalState(t, "a2 Ie "+ie, aeifState(t, k, n.At(0)), final)
		})
	}
}

// parseSpikeTimes extracts the bracketed list of a protocol's input string.
func parseSpikeTimes(t *testing.T, s string) []float64 {
	t.Helper()
	i, j := strings.IndexByte(s, '['), strings.IndexByte(s, ']')
	if i < 0 || j < i {
		t.Fatalf("no spike time list in %q", s)
	}
	var out []float64
	for _, f := range strings.Split(s[i+1:j], ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestSingleBAstrocyte: astrocyte_lr_1994 alone, 10 s, 1 ms sampling
// (b1: example parameters, 20 input spikes; b2: defaults, no input; b3:
// defaults, 20 input spikes; b4: example parameters, 1 kHz input for 3 s).
func TestSingleBAstrocyte(t *testing.T) {
	all := protocols(t)
	for _, c := range []struct{ name, file string }{
		{"b1_astro_exampleparams_driven", "b1_astro_exampleparams_driven_1ms.csv"},
		{"b2_astro_default_nodrive", "b2_astro_default_nodrive_1ms.csv"},
		{"b3_astro_default_driven", "b3_astro_default_driven_1ms.csv"},
		{"b4_astro_exampleparams_1kHz", "b4_astro_exampleparams_1kHz_1ms.csv"},
	} {
		t.Run(c.name[:2], func(t *testing.T) {
			proto := all[c.name]
			var params, initial, final map[string]float64
			protoField(t, proto, "astro_params_set", &params)
			protoField(t, proto, "initial_state", &initial)
			protoField(t, proto, "final_state", &final)
			var input string
			protoField(t, proto, "input", &input)
			var simTime float64
			protoField(t, proto, "sim_time_ms", &simTime)
			var times []float64
			switch {
			case input == "none":
			case strings.Contains(input, "1.0, 2.0, ..., 3000.0"):
				for i := 1; i <= 3000; i++ {
					times = append(times, float64(i))
				}
			default:
				times = parseSpikeTimes(t, input)
			}

			k := mustKernel(t, KernelConfig{Resolution: 0.1})
			p := withNEST(t, DefaultAstrocyteLR1994(), params)
			a := mustCreate(t, k, p, 1) // node 1, as in NEST
			checkFinalState(t, c.name[:2]+" initial", astroState(t, k, a.At(0)), initial)
			if len(times) > 0 {
				sg := mustCreate(t, k, SpikeGenerator{SpikeTimes: times}, 1)
				mustConnect(t, k, sg, a, nil, StaticSynapse{Weight: 1, Delay: 1})
			}
			header, rows := reftest.Numeric(t, singleDir+c.file)
			mm := mustCreate(t, k, Multimeter{Interval: 1, RecordFrom: header[2:]}, 1)
			mustConnect(t, k, mm, a, nil, nil)
			mustSimulate(t, k, simTime)
			compareEvents(t, c.name, 0.1, mustMM(t, k, mm), header, rows, traceRelTol, traceAbsTol)
			checkFinalState(t, c.name[:2], astroState(t, k, a.At(0)), final)
		})
	}
}

// tsodyksProjection returns the only tsodyks projection of k.
func tsodyksProjection(t *testing.T, k *Kernel) *projection {
	t.Helper()
	var out *projection
	for _, p := range k.projs {
		if _, ok := p.state.(*tsodyksStates); ok {
			if out != nil {
				t.Fatal("more than one tsodyks projection")
			}
			out = p
		}
	}
	if out == nil {
		t.Fatal("no tsodyks projection")
	}
	return out
}

// TestSingleDTsodyks: spike_generator → parrot_neuron → tsodyks_synapse →
// aeif_cond_alpha_astro (d1: depressing defaults, d2: facilitating). The
// target's g_ex and V_m are compared with NEST, and the synapse's x, y, u
// after each spike (a) from TsodyksSynapse.send applied to the parrot spike
// times and (b) from the engine's projection state, read in a run split in
// chunks that end 3 ms after each parrot spike (as NEST's reference run).
func TestSingleDTsodyks(t *testing.T) {
	all := protocols(t)
	for _, c := range []struct{ name, prefix string }{
		{"d1_tsodyks_default", "d1_tsodyks_default_"},
		{"d2_tsodyks_facilitating", "d2_tsodyks_facilitating_"},
	} {
		t.Run(c.name[:2], func(t *testing.T) {
			proto := all[c.name]
			var nparams, synSpec map[string]float64
			protoField(t, proto, "neuron_params", &nparams)
			protoField(t, proto, "tsodyks_syn_spec", &synSpec)
			var sgTimes, parrotTimes []float64
			protoField(t, proto, "spike_generator_times_ms", &sgTimes)
			protoField(t, proto, "parrot_spike_times_ms", &parrotTimes)
			var simTime float64
			protoField(t, proto, "sim_time_ms", &simTime)
			var status map[string]any
			protoField(t, proto, "synapse_status_final", &status)
			syn := withNEST(t, DefaultTsodyksSynapse(), synSpec)
			_, states := reftest.Numeric(t, singleDir+c.prefix+"synstate_after_each_spike.csv")
			if len(states) != len(parrotTimes) {
				t.Fatalf("%d synapse states for %d parrot spikes", len(states), len(parrotTimes))
			}

			// (a) The update rule alone, on NEST's parrot spike times.
			st := tsodyksState{x: syn.X, y: syn.Y, u: syn.UState}
			worst := 0.0
			for i, r := range states {
				if r[0] != parrotTimes[i] {
					t.Fatalf("state row %d at %g ms, parrot spike at %g ms", i, r[0], parrotTimes[i])
				}
				syn.send(&st, r[0])
				for j, v := range []float64{st.x, st.y, st.u} {
					if !withinTol(v, r[1+j], traceRelTol, traceAbsTol) {
						t.Errorf("send() after spike %d (%g ms): %s = %.17g, NEST %.17g", i, r[0], "xyu"[j:j+1], v, r[1+j])
					}
					if math.Abs(r[1+j]) > traceAbsTol {
						worst = math.Max(worst, relErr(v, r[1+j]))
					}
				}
			}
			t.Logf("%s: TsodyksSynapse.send on %d spikes: worst rel %.2g", c.name, len(states), worst)

			// (b) The engine, in chunks ending 3 ms after each parrot spike.
			k := mustKernel(t, KernelConfig{Resolution: 0.1})
			sg := mustCreate(t, k, SpikeGenerator{SpikeTimes: sgTimes}, 1)              // node 1
			parrot := mustCreate(t, k, ParrotNeuron{}, 1)                               // node 2
			n := mustCreate(t, k, withNEST(t, DefaultAeifCondAlphaAstro(), nparams), 1) // node 3
			header, rows := reftest.Numeric(t, singleDir+c.prefix+"target_traces.csv")
			mm := mustCreate(t, k, Multimeter{Interval: 0.1, RecordFrom: header[2:]}, 1)
			sr := mustCreate(t, k, SpikeRecorder{}, 1)
			mustConnect(t, k, sg, parrot, nil, StaticSynapse{Weight: 1, Delay: 1})
			mustConnect(t, k, parrot, n, nil, syn)
			mustConnect(t, k, mm, n, nil, nil)
			mustConnect(t, k, parrot, sr, nil, nil)
			worst = 0
			for i, r := range states {
				mustSimulate(t, k, r[0]+3-k.Time())
				p := tsodyksProjection(t, k)
				tso := p.state.(*tsodyksStates).st
				if len(tso) != 1 {
					t.Fatalf("%d tsodyks states, want 1", len(tso))
				}
				s := tso[0]
				if s.tLast != r[0] {
					t.Errorf("engine after spike %d: t_lastspike %g ms, want %g", i, s.tLast, r[0])
				}
				for j, v := range []float64{s.x, s.y, s.u} {
					if !withinTol(v, r[1+j], traceRelTol, traceAbsTol) {
						t.Errorf("engine after spike %d (%g ms): %s = %.17g, NEST %.17g", i, r[0], "xyu"[j:j+1], v, r[1+j])
					}
					if math.Abs(r[1+j]) > traceAbsTol {
						worst = math.Max(worst, relErr(v, r[1+j]))
					}
				}
			}
			mustSimulate(t, k, simTime-k.Time())
			t.Logf("%s: engine synapse state after each of %d spikes: worst rel %.2g", c.name, len(states), worst)
			s := tsodyksProjection(t, k).state.(*tsodyksStates).st[0]
			for j, name := range []string{"x", "y", "u"} {
				want := status[name].(float64)
				got := []float64{s.x, s.y, s.u}[j]
				if !withinTol(got, want, traceRelTol, traceAbsTol) {
					t.Errorf("final %s = %.17g, NEST synapse_status_final %.17g", name, got, want)
				}
			}
			compareEvents(t, c.name+" target", 0.1, mustMM(t, k, mm), header, rows, traceRelTol, traceAbsTol)
			_, spikes := reftest.Numeric(t, singleDir+c.prefix+"parrot_spikes.csv")
			compareSpikes(t, c.name+" parrot", 0.1, mustSR(t, k, sr), spikes)
		})
	}
}
