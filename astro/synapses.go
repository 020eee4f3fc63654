package astro

// The synapse seam: the kernel (connect.go, projection.go, snapshot.go)
// sees a synapse model only through Synapse and, for models with dynamic
// state, synapseState. Each synapse model is one file (static_synapse.go,
// tsodyks_synapse.go, sic_connection.go) that implements them and
// registers itself (registerSynapse).

// Synapse is a synapse model with its parameters (NEST's syn_spec), passed
// to Connect and TripartiteConnect. Default… constructors give NEST's
// defaults; nil means the default synapse (static_synapse).
type Synapse interface {
	// SynapseModel returns NEST's model name, e.g. "tsodyks_synapse".
	SynapseModel() string
	// weightDelay returns the weight (nS, pA or a plain factor, as the
	// target reads it) and the delay (ms).
	weightDelay() (weight, delay float64)
	// validate checks the parameters; an error names the NEST parameter
	// and its allowed range.
	validate() error
	// traits tells the kernel how connections of this model behave. The
	// unexported methods seal the set of synapse models.
	traits() synTraits
}

// synTraits are the properties of a synapse model that the kernel acts on.
type synTraits struct {
	// sic: the connections carry a slow inward current from a sicSender to
	// a sicReceiver instead of spikes (secondary.go).
	sic bool
	// plastic: the connections have dynamic state (newState); devices
	// cannot project through them (NEST requires a parrot in between).
	plastic bool
}

// plasticSynapse is implemented by synapse models with dynamic state.
type plasticSynapse interface {
	Synapse
	// newState returns the state of a projection with rows source rows in
	// its initial state. Every connection of one source in a projection
	// has the same parameters and initial state and sees the same spike
	// train, so one state per source is exactly equivalent to NEST's
	// per-connection state.
	newState(rows int) synapseState
}

// synapseState is the dynamic state of the connections of one projection.
type synapseState interface {
	// transmit runs the synapse dynamics for a spike of source row emitted
	// at tMs (ms) and returns the factor of the projection's weight that is
	// transmitted.
	transmit(row int32, tMs float64) float64
	// saveState and loadState write and read the state for snapshots.
	saveState(e *snapEncoder)
	loadState(d *snapDecoder)
}

// defaultSynapse returns the synapse Connect uses when none is given; the
// default model's file sets it (static_synapse.go).
var defaultSynapse func() Synapse
