package plots_test

import (
	"bytes"
	"fmt"

	"github.com/astronb/astronb/plots"
)

// The raster plot with its rate histogram, from plain spike data (node IDs
// and times in ms), rendered as PNG and SVG.
func ExampleRaster() {
	sp := plots.Spikes{
		Senders: []int{1, 2, 3, 1, 2, 3, 1},
		Times:   []float64{10, 12.5, 20, 55, 60, 61, 90},
	}
	fig, err := plots.Raster(sp, "Raster plot of neurons 1 to 3", 10)
	if err != nil {
		panic(err)
	}
	png, err := fig.PNG()
	if err != nil {
		panic(err)
	}
	svg, err := fig.SVG()
	if err != nil {
		panic(err)
	}
	fmt.Println(bytes.HasPrefix(png, []byte("\x89PNG")), bytes.Contains(svg, []byte("<svg")))
	// Output: true true
}

// The dynamics figure: mean ± SD of IP₃ and Ca²⁺ over astrocytes and of
// the SIC over neurons, from multimeter samples.
func ExampleDynamics() {
	ip3 := plots.Samples{Senders: []int{5, 6, 5, 6}, Times: []float64{1, 1, 2, 2}, Values: []float64{0.16, 0.17, 0.2, 0.22}}
	ca := plots.Samples{Senders: []int{5, 6, 5, 6}, Times: []float64{1, 1, 2, 2}, Values: []float64{0.07, 0.08, 0.1, 0.12}}
	sic := plots.Samples{Senders: []int{1, 2, 1, 2}, Times: []float64{1, 1, 2, 2}, Values: []float64{0, 0, 0.5, 1}}
	fig, err := plots.Dynamics(ip3, ca, sic, 0)
	if err != nil {
		panic(err)
	}
	w, h := fig.Pixels()
	fmt.Println(fig.Name(), w > 0 && h > 0)
	// Output: dynamics true
}
