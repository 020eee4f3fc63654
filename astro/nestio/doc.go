// Package nestio connects astronb to NEST 3.8 itself, for runs that outgrow
// one machine: Export writes a kernel's network as a standalone PyNEST
// script (NEST then distributes it over MPI processes and threads), and
// ReadSpikeRecorder / ReadMultimeterRecorder read the files NEST's ASCII
// recording backend writes back into astro.SpikeEvents and
// astro.MultimeterEvents, sorted as astronb sorts its own, so plots and
// statistics work on a NEST run unchanged.
//
// What is the same and what is not: the script creates the same nodes in the
// same order (so node IDs agree), with the same parameters, connection rules,
// synapses, recorders and Simulate sequence. NEST draws its own random
// numbers, so randomly wired networks and Poisson input are the same
// statistically, not connection for connection or spike for spike;
// deterministic networks (spike generators, fixed wiring) give the same
// results as astronb.
package nestio
