#!/usr/bin/env python3
"""NEST 3.8 iaf_psc_exp reference traces for a Go iaf_psc_exp model to compare against.

Run with NEST 3.8's PyNEST on the path (e.g. after `. NEST_PREFIX/bin/nest_vars.sh`):
    python3 make_traces.py OUTDIR

Scenarios (each a fresh kernel, resolution 0.1 ms, 1 thread, one iaf_psc_exp with NEST's
defaults unless said; multimeter interval 0.1 ms recording V_m, I_syn_ex, I_syn_in):
  dc_spikes:  dc_generator 400 pA from 10 ms to 150 ms (NEST's dc_generator: the current is on
              for start < t <= stop, i.e. it acts in the steps (10, 150]);
              spike_generator exc spikes at 5, 20, 50.5, 120 ms, weight 500 pA, delay 1 ms;
              spike_generator inh spikes at 30, 90 ms, weight -800 pA, delay 1 ms; 200 ms.
  ie_only:    I_e = 376 pA (just above rheobase 375 pA), no inputs, 300 ms.
  subthresh:  exc spikes at 2, 3, 4, 40 ms weight 300 pA, delay 1.5 ms; tau_syn_ex 5 ms,
              tau_syn_in 1 ms, tau_m 20 ms, C_m 200 pF; 100 ms.
Outputs in OUTDIR: SCENARIO_vm.tsv (time_ms, V_m_mV, I_syn_ex_pA, I_syn_in_pA; 17 significant
digits), SCENARIO_spikes.tsv (time_ms), SCENARIO_params.json (the neuron's full status before the
run, as NEST reports it).
"""
import json
import os
import sys

import nest

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)


def jsonable(v):
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    try:
        return [jsonable(x) for x in v]
    except TypeError:
        return str(v)


def run(name, neuron_params, t_sim, dc=None, exc=None, inh=None, delay=1.0):
    nest.ResetKernel()
    nest.set_verbosity("M_WARNING")
    nest.resolution = 0.1
    n = nest.Create("iaf_psc_exp", params=neuron_params)
    status = n.get()
    mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["V_m", "I_syn_ex", "I_syn_in"]})
    sr = nest.Create("spike_recorder")
    nest.Connect(mm, n)
    nest.Connect(n, sr)
    if dc:
        g = nest.Create("dc_generator", params=dc)
        nest.Connect(g, n)
    if exc:
        sg = nest.Create("spike_generator", params={"spike_times": exc[0]})
        nest.Connect(sg, n, syn_spec={"weight": exc[1], "delay": delay})
    if inh:
        sg = nest.Create("spike_generator", params={"spike_times": inh[0]})
        nest.Connect(sg, n, syn_spec={"weight": inh[1], "delay": delay})
    nest.Simulate(t_sim)
    ev = mm.events
    with open(os.path.join(out, name + "_vm.tsv"), "w") as f:
        f.write("time_ms\tV_m_mV\tI_syn_ex_pA\tI_syn_in_pA\n")
        for t, v, ie, ii in zip(ev["times"], ev["V_m"], ev["I_syn_ex"], ev["I_syn_in"]):
            f.write("%.17g\t%.17g\t%.17g\t%.17g\n" % (t, v, ie, ii))
    with open(os.path.join(out, name + "_spikes.tsv"), "w") as f:
        f.write("time_ms\n")
        for t in sr.events["times"]:
            f.write("%.17g\n" % t)
    meta = {
        "nest_version": nest.__version__,
        "resolution_ms": 0.1,
        "simulate_ms": t_sim,
        "neuron_status": jsonable(status),
        "dc_generator": dc,
        "exc_spikes": exc,
        "inh_spikes": inh,
        "delay_ms": delay,
    }
    with open(os.path.join(out, name + "_params.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    print(name, len(ev["times"]), "samples, spikes at", list(sr.events["times"]))


run("dc_spikes", {}, 200.0, dc={"amplitude": 400.0, "start": 10.0, "stop": 150.0},
    exc=([5.0, 20.0, 50.5, 120.0], 500.0), inh=([30.0, 90.0], -800.0))
run("ie_only", {"I_e": 376.0}, 300.0)
run("subthresh", {"tau_syn_ex": 5.0, "tau_syn_in": 1.0, "tau_m": 20.0, "C_m": 200.0}, 100.0,
    exc=([2.0, 3.0, 4.0, 40.0], 300.0), delay=1.5)
