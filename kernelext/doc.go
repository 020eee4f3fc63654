// Package kernelext connects astronb to GoNB notebooks. It is the only
// package of the project that imports GoNB (github.com/janpfeifer/gonb);
// everything else (the astro engine, the plots package) stays plain Go and
// runs the same in tests, scripts and notebooks.
//
// It provides three things, each of which also works outside a notebook:
//
//   - Display shows figures. In a notebook every figure is one output holding
//     both a PNG and an SVG rendering (MIME types image/png and
//     image/svg+xml). Elsewhere the figures are written as NAME.png and
//     NAME.svg into FiguresDir() ($ASTRONB_FIGURES, default ./figures) and
//     the paths are printed.
//   - NewProgress returns a callback for the engine's progress reports
//     (astro.Progress). In a notebook it draws an HTML progress bar that is
//     updated in place, showing percent, model time and the real-time factor
//     like NEST's print_time; the final state (done, 100 %, wall time) stays
//     in the saved notebook. Elsewhere it rewrites one line on standard
//     error. Updates are rate limited (DefaultProgressInterval).
//   - Cached remembers results across cells. GoNB compiles and runs every
//     cell as a new process, so nothing computed in one cell is in memory in
//     the next; Cached stores the result (encoding/gob) in a folder inside
//     the kernel's temporary directory, keyed by a hash of the parameters and
//     the result type, and later cells load it instead of simulating again.
//     The folder disappears with the kernel. Outside a notebook caching is
//     off unless $ASTRONB_CACHE_DIR names a folder (see CacheDir).
//
// # Use in a notebook
//
// Simulate inside a cell's main (a "%%" cell), never in a package-level var:
// GoNB re-runs every package-level initializer in every later cell. Putting
// the work behind Cached makes re-running the cell, or calling the same
// function from a later cell, cheap:
//
//	func simulate(p astro.Params) (*astro.Result, error) {
//		return kernelext.Cached(p, func() (*astro.Result, error) {
//			k, err := astro.NewKernel(p)
//			if err != nil {
//				return nil, err
//			}
//			k.SetProgress(kernelext.NewProgress("astrocyte_brunel"))
//			return k.Run()
//		})
//	}
//
//	%%
//	res, err := simulate(params)
//	if err != nil {
//		panic(err)
//	}
//	fmt.Println(res.Summary())
//
// and in a later cell:
//
//	%%
//	res, _ := simulate(params) // loaded from the cache, no re-simulation
//	if err := kernelext.Display(plots.Raster(res), plots.Rates(res)); err != nil {
//		panic(err)
//	}
//
// (The astro and plots names above are illustrative; see those packages for
// the actual API.) The same code run by "go run" writes the figures into
// ./figures and prints progress on standard error.
package kernelext
