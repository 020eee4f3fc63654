// Package jupytertest holds the browser test of the notebooks: Debian's
// Jupyter Notebook server with this project's GoNB kernelspec, driven by
// headless Chromium through the Chrome DevTools protocol (chromedp). It
// opens every notebook in notebooks/, checks that opening and saving it
// changes nothing on disk, runs all cells and checks what a user sees: no
// error output, figures drawn with a size, progress bars at 100 % on one
// line at 1400 px, and the file on disk unchanged. In the main notebook it
// also presses Shift-Tab on NewKernel (the tooltip shows its docs as text,
// with no link to a page that does not exist), interrupts the simulation
// once it is under way (the bar ends at "interrupted at t = … ms", one line
// says so, no "signal: interrupt", and the next cell continues the kept
// network from there), checks that the export cell exports what ran, moves
// the live explorer's w_a2n slider (it simulates again and redraws its
// figures in place, one bar for all runs) and stops it, runs the run cell
// again (it says it re-uses the cached result and shows both figures, their
// SVG text with its spaces as laid out), and opens the executed copy in
// out/, which Jupyter does not trust, to check its bars.
//
// The test needs `make tools` and the Debian packages jupyter-notebook,
// chromium and fonts-liberation (`make jupyter` installs them), so it is
// built only with the "browser" build tag:
//
//	go test -tags browser -count=1 -v ./nbtools/jupytertest/
//
// `make browser` (part of `make test`) runs it. Screenshots go to
// out/browser/: NOTEBOOK.png (the whole page after Run All) for every
// notebook, and for the main notebook astrocyte_brunel_shift-tab.png,
// astrocyte_brunel_interrupted.png (the interrupted cell and the one that
// continues), astrocyte_brunel_explorer_before.png and _after.png.
package jupytertest
