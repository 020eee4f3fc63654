package plots

import "github.com/astronb/astronb/analysis"

// Spikes is the event record of a spike recorder (see analysis.Spikes).
type Spikes = analysis.Spikes

// Samples is one recorded quantity of a multimeter (see analysis.Samples).
type Samples = analysis.Samples

// ErrNoData is returned when an input holds no usable entries.
var ErrNoData = analysis.ErrNoData
