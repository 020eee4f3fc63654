#!/usr/bin/env python3
"""PyNEST script exported by astronb (astro/nestio) from the calls that built the network there
(its title: TITLE below).

Needs NEST 3.8 (its tripartite_bernoulli_with_pool rule was removed in NEST 3.9).

Run:
    mpirun -np P python3 SCRIPT.py [OUTPUT_DIR]   # 4 virtual processes in all (P must divide 4)
OUTPUT_DIR defaults to DATA_PATH below. Every recorder writes one file per virtual process,
OUTPUT_DIR/LABEL-NODEID-VP.dat; read them back in Go with
    nestio.ReadSpikeRecorder(dir, LABEL) / nestio.ReadMultimeterRecorder(dir, LABEL).
LABELS below lists the recorders' labels and node IDs.

The same as in astronb: the nodes and their order (so node IDs agree), every parameter, the
connection rules and synapses, the recorders and the sequence of simulation runs, the kernel's
resolution and rng_seed. Deterministic networks (spike generators, fixed wiring) give the same
results.
Not the same: NEST draws its own random numbers, so randomly wired connections and Poisson input
are the same statistically, not connection for connection or spike for spike. Results depend on
neither the number of threads nor the number of processes in astronb; in NEST they depend on the
number of virtual processes.
"""
import os
import sys

import nest

TITLE = "NEST's astrocyte_brunel example"
DATA_PATH = "nest_output"
LABELS = {"mm_astro": 20004, "mm_neuron": 20003, "sr": 20002}

if not nest.__version__.startswith("3.8"):
    sys.exit("this script needs NEST 3.8 (tripartite_bernoulli_with_pool), not " + nest.__version__)

data_path = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DATA_PATH)
os.makedirs(data_path, exist_ok=True)

nest.ResetKernel()
nest.set_verbosity("M_WARNING")
nest.SetKernelStatus({"resolution": 0.1, "rng_seed": 143202461, "total_num_virtual_procs": 4})
nest.SetKernelStatus({"data_path": data_path, "overwrite_files": True})

# Nodes, in astronb's order, so that node IDs agree.
neuron_1 = nest.Create("aeif_cond_alpha_astro", 8000, params={"tau_syn_ex": 2.0, "tau_syn_in": 4.0})  # nodes 1–8000
neuron_8001 = nest.Create("aeif_cond_alpha_astro", 2000, params={"tau_syn_ex": 2.0, "tau_syn_in": 4.0})  # nodes 8001–10000
astro_10001 = nest.Create("astrocyte_lr_1994", 10000, params={"delta_IP3": 0.5, "tau_IP3": 2.0, "IP3": 0.4})  # nodes 10001–20000
pg_20001 = nest.Create("poisson_generator", 1, params={"rate": 2000.0})  # node 20001

# Connections: rules, not connection lists (NEST draws its own random numbers).
nest.Connect(pg_20001, neuron_1 + neuron_8001,
             conn_spec={"rule": "all_to_all"},
             syn_spec={"synapse_model": "static_synapse", "weight": 1.0, "delay": 1.0})
nest.TripartiteConnect(neuron_1, neuron_1 + neuron_8001, astro_10001,
    conn_spec={"rule": "tripartite_bernoulli_with_pool", "p_primary": 0.1, "p_third_if_primary": 0.5, "pool_size": 10, "pool_type": "random", "allow_autapses": True},
    syn_specs={"primary": {"synapse_model": "tsodyks_synapse", "weight": 1.0, "delay": 2.0, "tau_psc": 2.0},
               "third_in": {"synapse_model": "tsodyks_synapse", "weight": 1.0, "delay": 2.0, "tau_psc": 2.0},
               "third_out": {"synapse_model": "sic_connection", "weight": 0.01, "delay": 1.0}})
nest.Connect(neuron_8001, neuron_1 + neuron_8001,
             conn_spec={"rule": "pairwise_bernoulli", "p": 0.1, "allow_autapses": True},
             syn_spec={"synapse_model": "tsodyks_synapse", "weight": -4.0, "delay": 1.0, "tau_psc": 4.0})
sr_20002 = nest.Create("spike_recorder", 1, params={"record_to": "ascii", "label": "sr", "precision": 17})  # node 20002
mm_20003 = nest.Create("multimeter", 1, params={"record_from": ["I_SIC"], "record_to": "ascii", "label": "mm_neuron", "precision": 17})  # node 20003
mm_20004 = nest.Create("multimeter", 1, params={"record_from": ["IP3", "Ca_astro"], "record_to": "ascii", "label": "mm_astro", "precision": 17})  # node 20004
nest.Connect(neuron_1[0:100], sr_20002)
nest.Connect(mm_20003, nest.NodeCollection([214, 597, 910, 1087, 1115, 1290, 1607, 1664, 1822, 1946, 2376, 2707, 2839, 3099, 3215, 3358, 3446, 3763, 3881, 3922,
    4009, 4180, 4603, 5021, 5652, 5822, 6179, 6232, 6233, 6335, 6417, 6966, 7109, 7163, 7774, 8148, 8215, 8494, 8664, 8768,
    8806, 8814, 8885, 9172, 9289, 9347, 9559, 9655, 9821, 9924]))
nest.Connect(mm_20004, nest.NodeCollection([10050, 10251, 10444, 11174, 11189, 11269, 11350, 11785, 12026, 12069, 12328, 12393, 12412, 12599, 12737, 13313, 13368, 13629, 13710, 13976,
    14023, 14073, 14184, 14566, 14791, 14835, 15073, 15345, 15408, 15514, 15625, 15774, 15841, 15993, 16465, 17016, 17156, 17241, 17335, 18140,
    18277, 18360, 18744, 18815, 18831, 19015, 19338, 19649, 19735, 19995]))

# Simulation. Prepare, Run… and Cleanup instead of Simulate calls: each Simulate would
# re-open the recorders' files and overwrite what the earlier ones wrote.
nest.Prepare()
nest.Run(100.0)
nest.Run(1000.0)
nest.Cleanup()

if nest.Rank() == 0:
    print("recordings in", data_path)
