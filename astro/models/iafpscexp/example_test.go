package iafpscexp_test

import (
	"fmt"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/astro/models/iafpscexp"
)

// A block-level model from another package is used like a built-in: by
// value (or by name through astro.NewModel, as its init registers it),
// with Create, Connect, recorders, GetStatus and SetStatus.
func ExampleModel() {
	k, _ := astro.NewKernel(astro.KernelConfig{Resolution: 0.1})
	m, _ := iafpscexp.Model().With(astro.Dict{"I_e": 376.0}) // pA: fires regularly
	n, _ := k.Create(m, 1)
	sr, _ := k.Create(astro.SpikeRecorder{}, 1)
	if err := k.Connect(n, sr, nil, nil); err != nil {
		fmt.Println(err)
		return
	}
	if err := k.Simulate(200); err != nil {
		fmt.Println(err)
		return
	}
	ev, _ := k.SpikeEvents(sr)
	st, _ := k.GetStatus(n)
	fmt.Printf("%d spikes, the first at %.1f ms; V_th = %v mV\n", len(ev.Times), ev.Times[0], st[0]["V_th"])

	byName, _ := astro.NewModel("iaf_psc_exp", astro.Dict{"C_m": 0.0})
	k2, _ := astro.NewKernel(astro.KernelConfig{})
	_, err := k2.Create(byName, 1)
	fmt.Println(err)
	// Output:
	// 3 spikes, the first at 59.3 ms; V_th = -55 mV
	// iaf_psc_exp: C_m = 0 pF: must be > 0
}
