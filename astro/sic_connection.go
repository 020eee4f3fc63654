package astro

// SICConnection is NEST's sic_connection (models/sic_connection.h; docs/semantics.md, "SIC"): it carries an
// slow inward current from a node that sends SIC (an astrocyte) to one that
// handles it (a neuron with an I_SIC input). The target's I_SIC at time t is Σ Weight·SIC_astro(t − Delay) over its
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

func (SICConnection) traits() synTraits { return synTraits{sic: true} }

func (s SICConnection) validate() error { return checkFinite(s.SynapseModel(), "weight", s.Weight, "") }
