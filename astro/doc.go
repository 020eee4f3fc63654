// Package astro simulates networks of neurons and astrocytes with the
// semantics of NEST 3.8: the models aeif_cond_alpha_astro and
// astrocyte_lr_1994, the devices poisson_generator, spike_generator,
// parrot_neuron, spike_recorder and multimeter, the synapses static_synapse,
// tsodyks_synapse and sic_connection, and the connection rules all_to_all,
// one_to_one, pairwise_bernoulli, fixed_indegree and
// tripartite_bernoulli_with_pool (plus NEST 3.9's primary rule +
// third_factor_bernoulli_with_pool).
//
// The API follows NEST's vocabulary:
//
//	k, _ := astro.NewKernel(astro.KernelConfig{Resolution: 0.1, LocalNumThreads: 2})
//	p := astro.DefaultAeifCondAlphaAstro() // NEST's defaults
//	p.TauSynEx = 2                         // tau_syn_ex (ms)
//	neurons, _ := k.Create(p, 100)
//	_ = k.Connect(neurons, neurons, astro.NewPairwiseBernoulli(0.1), astro.DefaultTsodyksSynapse())
//	_ = k.Simulate(1000)
//
// Units are NEST's: time in ms, voltage in mV, conductance in nS, current in
// pA, concentrations in µM, rates in Hz. Invalid parameters give errors that
// name the NEST parameter and its allowed range. Parameters can also be set
// by their NEST names (SetParams, Kernel.SetStatus with a Dict).
//
// Layout: one file per model holds its parameters, state, equations,
// events and recordables and registers the model (aeif_cond_alpha_astro.go,
// astrocyte_lr_1994.go, parrot_neuron.go, poisson_generator.go,
// spike_generator.go; the synapses in static_synapse.go,
// tsodyks_synapse.go, sic_connection.go behind the seam in synapses.go).
// Models of one's own, in any package, are ODEModel values
// (docs/adding-a-model.md; astro/models/lrode is astrocyte_lr_1994 written
// that way) or, with their own integration scheme, a Model whose NewBlock
// returns a Block, the seam the built-ins use (astro/models/iafpscexp,
// NEST's iaf_psc_exp with exact propagators; Register). The kernel — kernel.go, prepare.go,
// projection.go, secondary.go (SIC), connect.go, recorders.go, blocks.go —
// handles time slices of min_delay, spike and SIC delivery through ring
// buffers, and threads, and reaches models only through the seam in
// blocks.go (docs/adding-a-model.md); gsl_rkf45.go is GSL's adaptive
// Runge–Kutta–Fehlberg integrator as NEST uses it. docs/semantics.md lists
// the NEST rules the engine reproduces. Results are identical for any
// number of threads.
//
// Built with GOEXPERIMENT=simd on amd64 CPUs with AVX2, the neuron and
// astrocyte updates run sixteen nodes at a time in vectors (gsl_rkf45_simd.go
// and the models' *_simd.go files) with results bit-identical to the scalar
// code, where a short calibration finds that faster on the CPU (vecpath.go;
// ASTRONB_VECTOR=off|avx2 overrides it); VectorPath reports which path runs.
package astro
