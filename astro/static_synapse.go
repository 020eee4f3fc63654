package astro

// StaticSynapse transmits a fixed weight after a fixed delay
// (NEST's static_synapse).
type StaticSynapse struct {
	// Weight in nS for conductance-based neurons (sign selects excitatory or
	// inhibitory input), or a plain factor for parrots and astrocytes.
	Weight float64 `nest:"weight"`
	// Delay in ms (≥ resolution).
	Delay float64 `nest:"delay"`
}

// DefaultStaticSynapse returns NEST's defaults: weight 1, delay 1 ms.
func DefaultStaticSynapse() StaticSynapse { return StaticSynapse{Weight: 1, Delay: 1} }

func init() {
	registerSynapse(func() Synapse { return DefaultStaticSynapse() })
	defaultSynapse = func() Synapse { return DefaultStaticSynapse() }
}

// SynapseModel implements Synapse.
func (StaticSynapse) SynapseModel() string { return "static_synapse" }

func (s StaticSynapse) weightDelay() (float64, float64) { return s.Weight, s.Delay }

func (s StaticSynapse) validate() error { return checkFinite(s.SynapseModel(), "weight", s.Weight, "") }

func (StaticSynapse) traits() synTraits { return synTraits{} }
