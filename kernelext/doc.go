// Package kernelext connects astronb to GoNB notebooks. It is the only
// package of the project that imports GoNB (github.com/janpfeifer/gonb);
// everything else (the astro engine, the plots package) stays plain Go and
// runs the same in tests, scripts and notebooks.
//
// It provides these, each of which also works outside a notebook:
//
//   - Display shows figures. In a notebook every figure is one output holding
//     both a PNG and an SVG rendering (MIME types image/png and
//     image/svg+xml). Elsewhere the figures are written as NAME.png and
//     NAME.svg into FiguresDir() ($ASTRONB_FIGURES, default ./figures) and
//     the paths are printed. A View shows figures in place: each Show
//     replaces the previous figures.
//   - NewProgress returns a callback for the engine's progress reports
//     (astro.Progress). In a notebook it draws one HTML progress bar per
//     callback, updated in place, showing percent, model time and the
//     real-time factor like NEST's print_time; the final state (done, 100 %,
//     wall time, or "interrupted at t = … ms") stays in the saved notebook.
//     Elsewhere it rewrites one line on standard error. Updates are rate
//     limited (DefaultProgressInterval).
//   - The stop button: SimulateInterruptible stops a run at the notebook's
//     interrupt (Control-C elsewhere) and keeps the kernel consistent, so a
//     kept kernel (OpenKernel, Keep) continues from there in a later cell;
//     Interrupted recognises its error. An interrupt during a plain Simulate
//     ends the program with the bar's interrupted state and one line,
//     instead of GoNB's "signal: interrupt" twice.
//   - Cached remembers results across cells. GoNB compiles and runs every
//     cell as a new process, so nothing computed in one cell is in memory in
//     the next; Cached stores the result (encoding/gob) in a folder inside
//     the kernel's temporary directory, keyed by a hash of the parameters and
//     the result type, and later cells load it instead of simulating again.
//     Keys that cannot be hashed faithfully (unexported fields) are an error,
//     every entry carries a checksum and a damaged one is recomputed. The
//     folder disappears when the kernel shuts down. Outside a notebook caching is
//     off unless $ASTRONB_CACHE_DIR names a folder (see CacheDir).
//   - OpenKernel and Keep continue a simulation from cell to cell (snapshots
//     in the same folder).
//   - Explore is a live explorer: sliders (GoNB's widgets) for a few
//     parameters, a re-run with its progress bar on every move, the figures
//     redrawn in place; without a browser it runs once.
//
// # Use in a notebook
//
// Simulate inside a cell's main (a "%%" cell), never in a package-level var:
// GoNB re-runs every package-level initializer in every later cell. Putting
// the work behind Cached makes re-running the cell, or using the results in
// a later cell, cheap:
//
//	func run() (*brunel.Result, error) {
//		p := brunel.DefaultParams()
//		return kernelext.Cached(p, func() (*brunel.Result, error) {
//			return brunel.Run(p, kernelext.NewProgress("astrocyte_brunel"))
//		})
//	}
//
//	%%
//	res, err := run()
//	if err != nil {
//		panic(err)
//	}
//	raster, err := plots.Raster(plots.Spikes{Senders: res.Spikes.Senders, Times: res.Spikes.Times}, "Raster plot", 5)
//	if err != nil {
//		panic(err)
//	}
//	if err := kernelext.Display(raster); err != nil {
//		panic(err)
//	}
//
// A later cell calling run() loads the result instead of simulating. The
// same code run by "go run" writes the figures into ./figures and prints
// progress on standard error.
package kernelext
