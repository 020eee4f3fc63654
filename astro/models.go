package astro

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// Models and synapses by their NEST names, for code that names them as
// PyNEST does: nest.Create("aeif_cond_alpha_astro", params={...}) is
//
//	m, err := astro.NewModel("aeif_cond_alpha_astro", astro.Dict{"tau_syn_ex": 2.0})
//	nodes, err := k.Create(m, 100)

// modelDefaults holds NEST 3.8's defaults of every model, by name; each
// model registers itself in its own file (registerModel in an init).
var modelDefaults = map[string]func() Model{}

// synapseDefaults holds NEST 3.8's defaults of every synapse model.
var synapseDefaults = map[string]func() Synapse{}

// registerModel makes a model known to NewModel by its NEST name (NEST's
// register_node_model); defaults returns NEST's defaults.
func registerModel(defaults func() Model) {
	name := defaults().ModelName()
	if _, dup := modelDefaults[name]; dup {
		panic("astro: model " + name + " registered twice")
	}
	modelDefaults[name] = defaults
}

// registerSynapse is registerModel for synapse models.
func registerSynapse(defaults func() Synapse) {
	name := defaults().SynapseModel()
	if _, dup := synapseDefaults[name]; dup {
		panic("astro: synapse model " + name + " registered twice")
	}
	synapseDefaults[name] = defaults
}

// NewModel returns the model named name (NEST's model names) with NEST's
// defaults and the parameters in params set by NEST name. An unknown model
// or parameter name, or a value of the wrong type, is an error; ranges are
// checked by Kernel.Create.
func NewModel(name string, params Dict) (Model, error) {
	mk, ok := modelDefaults[name]
	if !ok {
		return nil, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(slices.Sorted(maps.Keys(modelDefaults)), ", "))
	}
	m := mk()
	if l, ok := m.(interface{ with(Dict) (Model, error) }); ok {
		return l.with(params)
	}
	return withParams(m, params)
}

// NewSynapse is NewModel for synapse models (static_synapse,
// tsodyks_synapse, sic_connection), e.g. a PyNEST syn_spec dictionary:
//
//	syn, err := astro.NewSynapse("tsodyks_synapse", astro.Dict{"weight": 1.0, "delay": 2.0})
func NewSynapse(name string, params Dict) (Synapse, error) {
	mk, ok := synapseDefaults[name]
	if !ok {
		return nil, fmt.Errorf("unknown synapse model %q (known: %s)", name, strings.Join(slices.Sorted(maps.Keys(synapseDefaults)), ", "))
	}
	return withParams(mk(), params)
}

// withParams applies params to a copy of v (a parameter struct held in an
// interface) and returns the copy.
func withParams[T any](v T, params Dict) (T, error) {
	p := reflect.New(reflect.TypeOf(v))
	p.Elem().Set(reflect.ValueOf(v))
	if err := SetParams(p.Interface(), params); err != nil {
		return v, err
	}
	return p.Elem().Interface().(T), nil
}

// NESTModel describes how the PyNEST export (astro/nestio) writes a model:
// NEST's model name, the variable stem of its node collections in the
// script, the state variables that SetStatus may change between runs
// (NEST's Run does not re-derive constants from parameters), and NEST's
// names of this model's parameters and state variables where they differ
// (a name missing from Names is NEST's own).
type NESTModel struct {
	Model, Stem string
	State       []string
	Names       map[string]string
}

// NESTName returns NEST's name for the model's parameter or state
// variable name.
func (n *NESTModel) NESTName(name string) string {
	if x, ok := n.Names[name]; ok {
		return x
	}
	return name
}

// NESTOf returns how the export writes model m, and an error naming the
// model if it has no NEST counterpart. Models answer it themselves (a
// NEST() *NESTModel method in their file).
func NESTOf(m Model) (NESTModel, error) {
	if x, ok := m.(interface{ NEST() *NESTModel }); ok {
		if n := x.NEST(); n != nil {
			return *n, nil
		}
	}
	return NESTModel{}, fmt.Errorf("model %s has no NEST counterpart: it declares none, so it cannot be exported to NEST", m.ModelName())
}
