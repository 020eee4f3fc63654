package astro

import "fmt"

// SICConnection is NEST's sic_connection (models/sic_connection.h; docs/semantics.md, "SIC"): it carries an
// astrocyte's slow inward current to an aeif_cond_alpha_astro neuron. The
// neuron's I_SIC at time t is Σ Weight·SIC_astro(t − Delay) over its
// incoming sic_connections.
type SICConnection struct {
	// Weight is a plain scale factor (any sign).
	Weight float64 `nest:"weight"`
	// Delay in ms (≥ resolution); it counts for the kernel's min_delay.
	Delay float64 `nest:"delay"`
}

// DefaultSICConnection returns NEST's defaults: weight 1, delay 1 ms.
func DefaultSICConnection() SICConnection { return SICConnection{Weight: 1, Delay: 1} }

func init() { registerSynapse(func() Synapse { return DefaultSICConnection() }) }

// SynapseModel implements Synapse.
func (SICConnection) SynapseModel() string { return "sic_connection" }

func (s SICConnection) weightDelay() (float64, float64) { return s.Weight, s.Delay }

func (SICConnection) kind() synKind { return kindSIC }

func (s SICConnection) validate() error { return checkFinite(s.SynapseModel(), "weight", s.Weight, "") }

// checkSICPair enforces that sic_connection runs only from a node that
// sends SIC (astrocyte_lr_1994) to one that handles it
// (aeif_cond_alpha_astro), as NEST's connection test does
// (models/sic_connection.h, check_connection).
func checkSICPair(src, tgt nodeBlock) error {
	_, sends := src.(sicSender)
	_, handles := tgt.(sicReceiver)
	if !sends || !handles {
		return fmt.Errorf("sic_connection: %s -> %s: the source must send SIC and the target handle it (e.g. astrocyte_lr_1994 -> aeif_cond_alpha_astro)",
			src.base().model, tgt.base().model)
	}
	return nil
}
