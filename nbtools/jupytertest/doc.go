// Package jupytertest holds the browser test of the notebooks: Debian's
// Jupyter Notebook server with this project's GoNB kernelspec, driven by
// headless Chromium through the Chrome DevTools protocol (chromedp). It
// opens notebooks/astrocyte_brunel.ipynb, checks that opening and saving it
// changes nothing on disk, runs all cells and checks what a user sees: no
// error output, both figures rendered, the SVG text with its spaces as laid
// out by the browser, and the progress bars at 100 % on one line.
//
// The test needs `make tools` and the Debian packages jupyter-notebook,
// chromium and fonts-liberation (`make jupyter` installs them), so it is
// built only with the "browser" build tag:
//
//	go test -tags browser -count=1 -v ./nbtools/jupytertest/
//
// `make browser` (part of `make test`) runs it. It saves a full-page
// screenshot in out/browser/.
package jupytertest
