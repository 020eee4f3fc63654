#!/usr/bin/env python3
"""PyNEST script exported by astronb (astro/nestio) from the calls that built the network there
(its title: TITLE below).

Needs NEST 3.8 (the astrocyte models and sic_connection exist since 3.6; later versions should work).

Run:
    python3 SCRIPT.py [OUTPUT_DIR]   # 2 thread(s)
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

TITLE = "The single-cell scenario (astro/testdata/nest-3.8/unit_scenario.sli)"
DATA_PATH = "nest_output"
LABELS = {"mm_a": 8, "mm_n": 7, "sr": 9}

data_path = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DATA_PATH)
os.makedirs(data_path, exist_ok=True)

nest.ResetKernel()
nest.set_verbosity("M_WARNING")
nest.SetKernelStatus({"resolution": 0.1, "rng_seed": 143202461, "local_num_threads": 2})
nest.SetKernelStatus({"data_path": data_path, "overwrite_files": True})

# Nodes, in astronb's order, so that node IDs agree.
sg_1 = nest.Create("spike_generator", 1, params={"spike_times": [5.0, 10.0, 10.5, 11.0, 30.0, 30.1, 50.0, 100.0, 150.0, 151.0, 152.0, 153.0, 154.0, 200.0, 250.0]})  # node 1
parrot_2 = nest.Create("parrot_neuron", 1)  # node 2
neuron_3 = nest.Create("aeif_cond_alpha_astro", 1, params={"tau_syn_ex": 2.0, "tau_syn_in": 4.0, "I_e": 700.0})  # node 3
astro_4 = nest.Create("astrocyte_lr_1994", 1, params={"delta_IP3": 0.5, "tau_IP3": 2.0, "IP3": 0.4})  # node 4
astro_5 = nest.Create("astrocyte_lr_1994", 1, params={"IP3": 1.0, "Ca_astro": 0.2})  # node 5
sg_6 = nest.Create("spike_generator", 1, params={"spike_times": [20.0, 60.0, 60.0, 120.0]})  # node 6
mm_7 = nest.Create("multimeter", 1, params={"interval": 0.1, "record_from": ["V_m", "g_ex", "g_in", "w", "I_SIC"], "record_to": "ascii", "label": "mm_n", "precision": 17})  # node 7
mm_8 = nest.Create("multimeter", 1, params={"interval": 0.1, "record_from": ["IP3", "Ca_astro", "h_IP3R"], "record_to": "ascii", "label": "mm_a", "precision": 17})  # node 8
sr_9 = nest.Create("spike_recorder", 1, params={"record_to": "ascii", "label": "sr", "precision": 17})  # node 9

# Connections: rules, not connection lists (NEST draws its own random numbers).
nest.Connect(sg_1, parrot_2,
             conn_spec={"rule": "all_to_all"},
             syn_spec={"synapse_model": "static_synapse", "weight": 1.0, "delay": 1.0})
nest.Connect(parrot_2, neuron_3,
             conn_spec={"rule": "all_to_all"},
             syn_spec={"synapse_model": "tsodyks_synapse", "weight": 1.0, "delay": 2.0, "tau_psc": 2.0})
nest.Connect(parrot_2, astro_4,
             conn_spec={"rule": "all_to_all"},
             syn_spec={"synapse_model": "tsodyks_synapse", "weight": 1.0, "delay": 2.0, "tau_psc": 2.0})
nest.Connect(sg_6, neuron_3,
             conn_spec={"rule": "all_to_all"},
             syn_spec={"synapse_model": "static_synapse", "weight": -4.0, "delay": 1.0})
nest.Connect(astro_5, neuron_3,
             conn_spec={"rule": "all_to_all"},
             syn_spec={"synapse_model": "sic_connection", "weight": 1.0, "delay": 1.0})
nest.Connect(mm_7, neuron_3)
nest.Connect(mm_8, astro_4 + astro_5)
nest.Connect(neuron_3, sr_9)

# Simulation. Prepare, Run… and Cleanup instead of Simulate calls: each Simulate would
# re-open the recorders' files and overwrite what the earlier ones wrote.
nest.Prepare()
nest.Run(100.0)
nest.Run(200.0)
nest.Cleanup()

if nest.Rank() == 0:
    print("recordings in", data_path)
