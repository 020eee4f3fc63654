package astro

import (
	"fmt"
	"math"
)

// TsodyksSynapse is NEST's tsodyks_synapse: short-term depression and
// facilitation after Tsodyks, Uziel & Markram (2000), as in NEST's models/tsodyks_synapse.h.
// The transmitted weight of a spike is u·x·Weight, where the state is
// updated at the presynaptic spike's emission time.
type TsodyksSynapse struct {
	// Weight in nS (or a plain factor for astrocytes and parrots).
	Weight float64 `nest:"weight"`
	// Delay in ms.
	Delay float64 `nest:"delay"`
	// U is the utilisation increment per spike, in [0, 1].
	U float64 `nest:"U"`
	// TauPsc is the time constant of the synaptic current y (ms, > 0).
	TauPsc float64 `nest:"tau_psc"`
	// TauRec is the recovery time constant of x (ms, > 0, ≠ TauPsc).
	TauRec float64 `nest:"tau_rec"`
	// TauFac is the facilitation time constant (ms, ≥ 0; 0 disables it).
	TauFac float64 `nest:"tau_fac"`
	// X is the initial fraction of available resources; Y the initial
	// fraction in the active state (X + Y ≤ 1).
	X float64 `nest:"x"`
	Y float64 `nest:"y"`
	// UState is the initial utilisation, NEST's lower-case u, in [0, 1].
	UState float64 `nest:"u"`
}

// DefaultTsodyksSynapse returns NEST's defaults: weight 1, delay 1 ms,
// U 0.5, tau_psc 3 ms, tau_rec 800 ms, tau_fac 0, x 1, y 0, u 0.
func DefaultTsodyksSynapse() TsodyksSynapse {
	return TsodyksSynapse{Weight: 1, Delay: 1, U: 0.5, TauPsc: 3, TauRec: 800, X: 1}
}

func init() { registerSynapse(func() Synapse { return DefaultTsodyksSynapse() }) }

// SynapseModel implements Synapse.
func (TsodyksSynapse) SynapseModel() string { return "tsodyks_synapse" }

func (s TsodyksSynapse) weightDelay() (float64, float64) { return s.Weight, s.Delay }

func (TsodyksSynapse) traits() synTraits { return synTraits{plastic: true} }

func (s TsodyksSynapse) validate() error {
	m := s.SynapseModel()
	if err := checkFinite(m, "weight", s.Weight, ""); err != nil {
		return err
	}
	switch {
	case !(s.U >= 0 && s.U <= 1):
		return fmt.Errorf("%s: U = %g: must be in [0, 1]", m, s.U)
	case !(s.UState >= 0 && s.UState <= 1):
		return fmt.Errorf("%s: u = %g: must be in [0, 1]", m, s.UState)
	case !(s.TauPsc > 0) || math.IsInf(s.TauPsc, 0):
		return fmt.Errorf("%s: tau_psc = %g ms: must be > 0", m, s.TauPsc)
	case !(s.TauRec > 0) || math.IsInf(s.TauRec, 0):
		return fmt.Errorf("%s: tau_rec = %g ms: must be > 0", m, s.TauRec)
	case !(s.TauFac >= 0) || math.IsInf(s.TauFac, 0):
		return fmt.Errorf("%s: tau_fac = %g ms: must be ≥ 0", m, s.TauFac)
	case s.TauPsc == s.TauRec:
		return fmt.Errorf("%s: tau_psc = tau_rec = %g ms: must differ (the update divides by their difference)", m, s.TauPsc)
	case !(s.X >= 0 && s.Y >= 0 && s.X+s.Y <= 1):
		return fmt.Errorf("%s: x = %g, y = %g: need x, y ≥ 0 and x + y ≤ 1", m, s.X, s.Y)
	}
	return nil
}

// tsodyksState is the per-synapse state (x, y, u) and the last spike time.
type tsodyksState struct {
	x, y, u float64
	tLast   float64 // ms
}

// send applies the update rule for a spike emitted at tMs (models/tsodyks_synapse.h, send()) and
// returns the released fraction r = u·x; the transmitted weight is r·Weight.
func (s TsodyksSynapse) send(st *tsodyksState, tMs float64) float64 {
	h := tMs - st.tLast
	puu := 0.0
	if s.TauFac != 0 {
		puu = math.Exp(-h / s.TauFac)
	}
	pyy := math.Exp(-h / s.TauPsc)
	pzz := math.Expm1(-h / s.TauRec)
	pxy := (pzz*s.TauRec - (pyy-1)*s.TauPsc) / (s.TauPsc - s.TauRec)
	z := 1 - st.x - st.y
	st.u *= puu
	st.x += pxy*st.y - pzz*z
	st.y *= pyy
	st.u += s.U * (1 - st.u)
	r := st.u * st.x
	st.x -= r
	st.y += r
	st.tLast = tMs
	return r
}

// tsodyksStates is the state of a projection's connections, one per source
// row (see plasticSynapse).
type tsodyksStates struct {
	syn TsodyksSynapse
	st  []tsodyksState
}

// newState implements plasticSynapse.
func (s TsodyksSynapse) newState(rows int) synapseState {
	ts := &tsodyksStates{syn: s, st: make([]tsodyksState, rows)}
	for i := range ts.st {
		ts.st[i] = tsodyksState{x: s.X, y: s.Y, u: s.UState}
	}
	return ts
}

// transmit implements synapseState.
func (s *tsodyksStates) transmit(row int32, tMs float64) float64 { return s.syn.send(&s.st[row], tMs) }

// saveState implements synapseState: x, y, u and the last spike time per
// source.
func (s *tsodyksStates) saveState(e *snapEncoder) {
	for _, st := range s.st {
		e.f64(st.x)
		e.f64(st.y)
		e.f64(st.u)
		e.f64(st.tLast)
	}
}

// loadState implements synapseState.
func (s *tsodyksStates) loadState(d *snapDecoder) {
	for i := range s.st {
		s.st[i] = tsodyksState{x: d.f64(), y: d.f64(), u: d.f64(), tLast: d.f64()}
	}
}
