//go:build browser

package jupytertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/astronb/astronb/nbtools/markup"
	"github.com/astronb/astronb/nbtools/nbfmt"
	"github.com/chromedp/chromedp"
)

// Time bounds of the test's steps.
const (
	serverStartTimeout = 90 * time.Second
	kernelReadyTimeout = 2 * time.Minute
	runAllTimeout      = 20 * time.Minute // cold caches: ~30 s of compiling, then the simulations
	stepTimeout        = 60 * time.Second // page loads, saves, DOM queries
)

const mainNotebook = "notebooks/astrocyte_brunel.ipynb"

// repoRoot is the repository's root directory (this package is two levels
// below it).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// killGroup ends the process group of p: SIGTERM, up to grace for the
// leader to exit, then SIGKILL to the whole group.
func killGroup(p *exec.Cmd, exited <-chan struct{}, grace time.Duration) {
	pgid := p.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(grace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
	}
}

// server is a running Jupyter Notebook server.
type server struct {
	url, token string
	client     *http.Client
}

// api calls the server's REST API.
func (s *server) api(ctx context.Context, method, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "token "+s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return body, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return body, nil
}

// startServer starts Debian's jupyter-notebook on 127.0.0.1 serving root,
// with the kernelspecs of .build/jupyter, and registers its shutdown
// (kernels first, then the server's process group) with t.Cleanup.
func startServer(t *testing.T, root string) *server {
	t.Helper()
	bin, err := exec.LookPath("jupyter-notebook")
	if err != nil {
		t.Fatalf("jupyter-notebook not found (Debian package jupyter-notebook; `make jupyter` installs it): %v", err)
	}
	dataDir := filepath.Join(root, ".build", "jupyter")
	if _, err := os.Stat(filepath.Join(dataDir, "kernels", "gonb", "kernel.json")); err != nil {
		t.Fatalf("no GoNB kernelspec in %s: run `make tools` first", dataDir)
	}
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	s := &server{token: hex.EncodeToString(tok), client: &http.Client{Timeout: 10 * time.Second}}
	port := freePort(t)
	s.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	tmp := t.TempDir()
	cmd := exec.Command(bin, "--no-browser", "--allow-root", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port),
		"--port-retries=0", "--notebook-dir="+root, "--NotebookApp.token="+s.token,
		"--NotebookApp.open_browser=False", "--MappingKernelManager.cull_idle_timeout=0")
	cmd.Env = append(os.Environ(),
		"JUPYTER_DATA_DIR="+dataDir,
		"JUPYTER_CONFIG_DIR="+filepath.Join(tmp, "config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(tmp, "runtime"),
		"IPYTHONDIR="+filepath.Join(tmp, "ipython"),
		"JUPYTER_PLATFORM_DIRS=1",
	)
	logf, err := os.Create(filepath.Join(tmp, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// Shut the kernels down through the API (Jupyter starts them in
		// their own sessions), then the server's process group.
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if body, err := s.api(ctx, "GET", "/api/kernels"); err == nil {
			var ks []struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(body, &ks)
			for _, k := range ks {
				_, _ = s.api(ctx, "DELETE", "/api/kernels/"+k.ID)
			}
		}
		killGroup(cmd, exited, 5*time.Second)
		logf.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logf.Name()); err == nil {
				t.Logf("jupyter-notebook log (tail):\n%s", tail(string(b), 4000))
			}
		}
	})
	deadline := time.Now().Add(serverStartTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := s.api(ctx, "GET", "/api/status")
		cancel()
		if err == nil {
			return s
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("jupyter-notebook exited during start-up:\n%s", tail(string(b), 4000))
		default:
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("jupyter-notebook not answering after %v (%v):\n%s", serverStartTimeout, err, tail(string(b), 4000))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// startBrowser starts Debian's chromium headless with a fresh profile and
// returns a chromedp context; the browser's process group is killed in
// t.Cleanup.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not found (Debian package chromium; `make jupyter` installs it): %v", err)
	}
	profile := t.TempDir()
	var browserCmd *exec.Cmd
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(profile),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(1400, 1000),
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
			if cmd.SysProcAttr == nil {
				cmd.SysProcAttr = &syscall.SysProcAttr{}
			}
			cmd.SysProcAttr.Setpgid = true
			cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
			browserCmd = cmd
		}),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		if browserCmd != nil && browserCmd.Process != nil {
			_ = syscall.Kill(-browserCmd.Process.Pid, syscall.SIGKILL)
		}
	})
	// The first Run starts the browser, which lives as long as its
	// context: no timeout on that context, a timer instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting chromium: %v", err)
		}
	case <-time.After(stepTimeout):
		t.Fatalf("chromium did not start within %v", stepTimeout)
	}
	return ctx
}

// eval evaluates a JavaScript expression (awaiting a promise) within
// stepTimeout and decodes its value into out.
func eval[T any](ctx context.Context, js string, out *T) error {
	c, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	*out = v
	return nil
}

// waitJS polls a JavaScript condition (returning true when done, or a
// string to fail with) every interval until timeout.
func waitJS(ctx context.Context, what, js string, interval, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last any
	for {
		var v any
		err := eval(ctx, js, &v)
		if err == nil {
			switch x := v.(type) {
			case bool:
				if x {
					return nil
				}
			case string:
				return fmt.Errorf("%s: %s", what, x)
			}
			last = v
		} else {
			last = err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not done after %v (last: %v)", what, timeout, last)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(interval)
	}
}

// svgFigure is what the page shows of one SVG output: its rendered size and
// each text line as the browser laid it out.
type svgFigure struct {
	Width, Height float64
	Lines         []string
}

// progressBar is what the page shows of one progress bar.
type progressBar struct {
	Text             string
	Value, Max       float64
	Height, FontSize float64
	ScrollW, ClientW float64
}

// svgTextJS reads every SVG figure in the output area. Each <text> group
// (the runs of one label share a parent <g>) is read back from the glyph
// boxes the browser laid out, not from the markup: glyphs sorted by x, a
// space wherever the gap between two glyphs exceeds 0.15 em of the group's
// largest font, smaller glyphs above (below) the baseline as Unicode
// superscripts (subscripts). Spaces a renderer drops from a run therefore
// read as missing, and a run placed too far right reads as an extra space.
const svgTextJS = `(() => {
  const sup = {'0':'⁰','1':'¹','2':'²','3':'³','4':'⁴','5':'⁵','6':'⁶','7':'⁷','8':'⁸','9':'⁹','+':'⁺','-':'⁻','−':'⁻'};
  const sub = {'0':'₀','1':'₁','2':'₂','3':'₃','4':'₄','5':'₅','6':'₆','7':'₇','8':'₈','9':'₉','+':'₊','-':'₋','−':'₋'};
  const figs = [];
  for (const svg of document.querySelectorAll('#notebook .output_area svg')) {
    const r = svg.getBoundingClientRect();
    const groups = new Map();
    for (const t of svg.querySelectorAll('text')) {
      if (!groups.has(t.parentNode)) groups.set(t.parentNode, []);
      groups.get(t.parentNode).push(t);
    }
    const lines = [];
    for (const texts of groups.values()) {
      const glyphs = [];
      let base = 0, baseY = 0;
      for (const t of texts) {
        const fs = parseFloat(getComputedStyle(t).fontSize);
        const y = parseFloat(t.getAttribute('y'));
        if (fs > base) { base = fs; baseY = y; }
        const full = t.textContent;
        const n = t.getNumberOfChars();
        let chars = full;
        if (n !== full.length) chars = full.replace(/\s+/g, ' ').trim();
        if (n !== chars.length) chars = full.trim();
        for (let i = 0; i < Math.min(n, chars.length); i++) {
          if (/\s/.test(chars[i])) continue;
          const e = t.getExtentOfChar(i);
          glyphs.push({c: chars[i], x0: e.x, x1: e.x + e.width, fs, y});
        }
      }
      glyphs.sort((a, b) => a.x0 - b.x0);
      let s = '', prev = null;
      for (const g of glyphs) {
        if (prev && g.x0 - prev.x1 > 0.15 * base) s += ' ';
        let c = g.c;
        if (g.fs < 0.9 * base) c = (g.y < baseY ? sup[c] : sub[c]) || c;
        s += c;
        prev = g;
      }
      lines.push(s);
    }
    figs.push({Width: r.width, Height: r.height, Lines: lines});
  }
  return figs;
})()`

const progressJS = `[...document.querySelectorAll('#notebook .output_area .` + markup.ProgressClass + `')].map(d => {
  const p = d.querySelector('progress');
  const r = d.getBoundingClientRect();
  return {Text: d.innerText, Value: p ? p.value : -1, Max: p ? p.max : -1, Height: r.height,
    FontSize: parseFloat(getComputedStyle(d).fontSize), ScrollW: d.scrollWidth, ClientW: d.clientWidth};
})`

// TestNotebookInBrowser opens the main notebook in Jupyter Notebook in
// headless Chromium, as a user would, and checks what the page shows; then
// the executed copy in out/, which Jupyter does not trust.
func TestNotebookInBrowser(t *testing.T) {
	start := time.Now()
	root := repoRoot(t)
	nbPath := filepath.Join(root, mainNotebook)
	before, err := os.ReadFile(nbPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, root)
	t.Logf("jupyter-notebook ready at %s after %v", srv.url, time.Since(start).Round(time.Millisecond))
	ctx := startBrowser(t)

	url := srv.url + "/notebooks/" + mainNotebook + "?token=" + srv.token
	navCtx, cancel := context.WithTimeout(ctx, stepTimeout)
	err = chromedp.Do(navCtx, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(url))
	cancel()
	if err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	// Opening: the kernel starts and reports its language_info. The
	// notebook must not become dirty ("unsaved changes").
	if err := waitJS(ctx, "kernel ready", `(() => {
	  const nb = window.Jupyter && Jupyter.notebook;
	  if (!nb || !nb._fully_loaded || !nb.kernel) return false;
	  const info = nb.kernel.info_reply;
	  return !!(info && info.language_info) && nb.kernel.is_connected();
	})()`, 250*time.Millisecond, kernelReadyTimeout); err != nil {
		t.Fatal(err)
	}
	t.Logf("kernel ready after %v", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second) // let kernel_ready handlers run
	var dirty bool
	if err := eval(ctx, `Jupyter.notebook.dirty`, &dirty); err != nil {
		t.Fatal(err)
	}
	var meta string
	_ = eval(ctx, `JSON.stringify(Jupyter.notebook.metadata)`, &meta)
	if dirty {
		t.Errorf("opening the notebook made it dirty (unsaved changes); metadata now %s", meta)
	}
	// Saving right after opening writes exactly the committed bytes.
	if err := eval(ctx, `Jupyter.notebook.save_notebook().then(() => true)`, new(bool)); err != nil {
		t.Fatalf("saving: %v", err)
	}
	if after, err := os.ReadFile(nbPath); err != nil {
		t.Fatal(err)
	} else if !bytes.Equal(after, before) {
		_ = os.WriteFile(nbPath, before, 0o644)
		t.Fatalf("saving the just-opened notebook in Jupyter changed %s (restored); metadata %s; run nbfmt", mainNotebook, meta)
	}
	// From here on the outputs must not reach the committed file.
	if err := eval(ctx, `(Jupyter.notebook.set_autosave_interval(0), true)`, new(bool)); err != nil {
		t.Fatal(err)
	}

	// Run All, waiting for every code cell to finish; stop at the first
	// error output.
	runStart := time.Now()
	if err := eval(ctx, `(Jupyter.notebook.execute_all_cells(), true)`, new(bool)); err != nil {
		t.Fatal(err)
	}
	err = waitJS(ctx, "Run All", `(() => {
	  const err = document.querySelector('#notebook .output_area .output_error');
	  if (err) return 'error output: ' + err.innerText.slice(0, 2000);
	  const cells = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code' && c.get_text().trim() !== '');
	  const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
	  return idle && cells.every(c => typeof c.input_prompt_number === 'number');
	})()`, time.Second, runAllTimeout)
	screenshot(t, ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Run All done in %v", time.Since(runStart).Round(time.Millisecond))

	var nErr int
	if err := eval(ctx, `document.querySelectorAll('#notebook .output_area .output_error').length`, &nErr); err != nil || nErr != 0 {
		t.Errorf("%d error outputs (%v)", nErr, err)
	}

	// Figures: the raster and the dynamics figure, shown as inline SVG.
	var figs []svgFigure
	if err := eval(ctx, svgTextJS, &figs); err != nil {
		t.Fatal(err)
	}
	if len(figs) != 2 {
		t.Errorf("%d SVG figures on the page, want 2 (raster, dynamics)", len(figs))
	}
	var dyn *svgFigure
	for i, f := range figs {
		t.Logf("figure %d: %.0f×%.0f px, text %q", i+1, f.Width, f.Height, f.Lines)
		if !(f.Width > 0 && f.Height > 0) {
			t.Errorf("figure %d rendered with size %.0f×%.0f px", i+1, f.Width, f.Height)
		}
		for _, l := range f.Lines {
			if strings.Contains(l, "SIC in neurons") {
				dyn = &figs[i]
			}
		}
	}
	if dyn == nil {
		t.Fatalf("no dynamics figure (with \"SIC in neurons\") among %d SVG figures", len(figs))
	}
	for _, want := range []string{"IP₃ and Ca²⁺ in astrocytes", "IP₃ (µM)", "Ca²⁺ (µM)", "SIC (pA)", "Time (ms)"} {
		found := false
		for _, l := range dyn.Lines {
			found = found || strings.Contains(l, want)
		}
		if !found {
			t.Errorf("dynamics figure: no text line reads %q as rendered; lines: %q", want, dyn.Lines)
		}
	}

	// Progress bars: both finished, each on one line that fits.
	var bars []progressBar
	if err := eval(ctx, progressJS, &bars); err != nil {
		t.Fatal(err)
	}
	if len(bars) != 2 {
		t.Errorf("%d progress bars, want 2", len(bars))
	}
	for i, b := range bars {
		t.Logf("progress bar %d: %q (value %v/%v, %.0f px high, %.0f/%.0f px wide)", i+1, b.Text, b.Value, b.Max, b.Height, b.ScrollW, b.ClientW)
		if b.Value != 100 || b.Max != 100 || !strings.Contains(b.Text, "done, 100 %") {
			t.Errorf("progress bar %d did not reach 100 %%: value %v of %v, text %q", i+1, b.Value, b.Max, b.Text)
		}
		if b.Height > 2.2*b.FontSize || b.ScrollW > b.ClientW+1 {
			t.Errorf("progress bar %d does not fit on one line at 1400 px: %.0f px high (font %.0f px), %.0f px wide in %.0f px",
				i+1, b.Height, b.FontSize, b.ScrollW, b.ClientW)
		}
	}

	// The file on disk is untouched, and what Jupyter would save now
	// differs from it only by the outputs.
	after, err := os.ReadFile(nbPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, before) {
		_ = os.WriteFile(nbPath, before, 0o644)
		t.Errorf("%s changed on disk during the run (restored)", mainNotebook)
	}
	var live string
	if err := eval(ctx, `JSON.stringify(Jupyter.notebook.toJSON())`, &live); err != nil {
		t.Fatal(err)
	}
	stripped, err := nbfmt.Format([]byte(live), nbfmt.Options{StripOutputs: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stripped, before) {
		t.Errorf("the executed notebook, saved and stripped of outputs, differs from %s", mainNotebook)
	}
	checkUntrustedCopy(t, ctx, srv, root)
	t.Logf("browser test wall time %v", time.Since(start).Round(time.Millisecond))
}

// checkUntrustedCopy opens the executed copy that `make notebooks` leaves in
// out/ (never signed, so Jupyter does not trust it and sanitises its HTML
// outputs) and checks that its progress bars still show as bars at 100 %.
func checkUntrustedCopy(t *testing.T, ctx context.Context, srv *server, root string) {
	const rel = "out/astrocyte_brunel.ipynb"
	if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
		t.Logf("no %s (run `make notebooks` first): untrusted-notebook check skipped", rel)
		return
	}
	navCtx, cancel := context.WithTimeout(ctx, stepTimeout)
	err := chromedp.Do(navCtx, chromedp.Navigate(srv.url+"/notebooks/"+rel+"?token="+srv.token))
	cancel()
	if err != nil {
		t.Fatalf("opening %s: %v", rel, err)
	}
	if err := waitJS(ctx, "executed copy loaded", `!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded)`,
		250*time.Millisecond, stepTimeout); err != nil {
		t.Fatal(err)
	}
	var trusted bool
	if err := eval(ctx, `Jupyter.notebook.trusted`, &trusted); err != nil {
		t.Fatal(err)
	}
	if trusted {
		t.Errorf("%s is trusted: the sanitiser check would prove nothing", rel)
	}
	var bars []progressBar
	if err := eval(ctx, progressJS, &bars); err != nil {
		t.Fatal(err)
	}
	if len(bars) != 2 {
		t.Errorf("untrusted %s: %d progress bars, want 2", rel, len(bars))
	}
	for i, b := range bars {
		t.Logf("untrusted %s, progress bar %d: %q (value %v/%v)", rel, i+1, b.Text, b.Value, b.Max)
		if b.Value != 100 || b.Max != 100 || !strings.Contains(b.Text, "done, 100 %") {
			t.Errorf("untrusted %s: progress bar %d shows value %v of %v, text %q", rel, i+1, b.Value, b.Max, b.Text)
		}
	}
}

// screenshot saves a full-page screenshot to out/browser/ (the notebook
// page scrolls inside #site, which is unrolled first).
func screenshot(t *testing.T, ctx context.Context, root string) {
	t.Helper()
	dir := filepath.Join(root, "out", "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Error(err)
		return
	}
	c, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Run(c, chromedp.Evaluate[bool](`(() => { const s = document.createElement('style');
	  s.textContent = 'html, body, #site { height: auto !important; overflow: visible !important; }';
	  document.head.appendChild(s); return true; })()`))
	var buf []byte
	if err == nil {
		buf, err = chromedp.Run(c, chromedp.FullScreenshot(100))
	}
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	p := filepath.Join(dir, strings.TrimSuffix(filepath.Base(mainNotebook), ".ipynb")+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Error(err)
		return
	}
	t.Logf("screenshot: %s", p)
}
