package astro

import (
	"fmt"
	"math"
)

// Synapse is a synapse model with its parameters (NEST's syn_spec), passed
// to Connect and TripartiteConnect. Default… constructors give NEST's
// defaults; nil means a default static_synapse.
type Synapse interface {
	// SynapseModel returns NEST's model name, e.g. "tsodyks_synapse".
	SynapseModel() string
	weightDelay() (weight, delay float64)
	validate() error
	// kind tells the kernel how connections of this model behave: static,
	// plastic (tsodyks) or carrying SIC. The unexported methods seal the
	// set of synapse models.
	kind() synKind
}

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

func init() { registerSynapse(func() Synapse { return DefaultStaticSynapse() }) }

// SynapseModel implements Synapse.
func (StaticSynapse) SynapseModel() string { return "static_synapse" }

func (s StaticSynapse) weightDelay() (float64, float64) { return s.Weight, s.Delay }

func (s StaticSynapse) validate() error { return checkFinite(s.SynapseModel(), "weight", s.Weight, "") }

// checkFinite reports a non-finite parameter.
func checkFinite(model, name string, v float64, unit string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: %s = %g%s: must be finite", model, name, v, unit)
	}
	return nil
}

func (StaticSynapse) kind() synKind { return kindStatic }
