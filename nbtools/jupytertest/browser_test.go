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
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/astronb/astronb/nbtools/markup"
	"github.com/astronb/astronb/nbtools/nbfmt"
	cdppage "github.com/chromedp/cdproto/page"
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

// failures holds every failure of a run, to be repeated at the end of the
// output, after the server's log: an excerpt of the output's tail then
// still says what failed.
var failures struct {
	sync.Mutex
	msgs []string
}

// errorf reports a failure of t and records it in failures.
func errorf(t testing.TB, format string, args ...any) {
	t.Helper()
	t.Error(recordFailure(t, format, args...))
}

// fatalf reports a failure of t, records it in failures and stops t.
func fatalf(t testing.TB, format string, args ...any) {
	t.Helper()
	t.Fatal(recordFailure(t, format, args...))
}

func recordFailure(t testing.TB, format string, args ...any) string {
	msg := fmt.Sprintf(format, args...)
	failures.Lock()
	failures.msgs = append(failures.msgs, t.Name()+": "+tail(msg, 3000))
	failures.Unlock()
	return msg
}

// repoRoot is the repository's root directory (this package is two levels
// below it).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		fatalf(t, "%v", err)
	}
	return root
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatalf(t, "%v", err)
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
		fatalf(t, "jupyter-notebook not found (Debian package jupyter-notebook; `make jupyter` installs it): %v", err)
	}
	dataDir := filepath.Join(root, ".build", "jupyter")
	if _, err := os.Stat(filepath.Join(dataDir, "kernels", "gonb", "kernel.json")); err != nil {
		fatalf(t, "no GoNB kernelspec in %s: run `make tools` first", dataDir)
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
		fatalf(t, "%v", err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		fatalf(t, "%v", err)
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
		// The whole log (the kernels' too) in out/browser/; its tail
		// in the output when the test failed.
		b, err := os.ReadFile(logf.Name())
		if err != nil {
			return
		}
		keep := filepath.Join(root, "out", "browser", "jupyter-notebook.log")
		if os.MkdirAll(filepath.Dir(keep), 0o755) == nil && os.WriteFile(keep, b, 0o644) == nil {
			t.Logf("jupyter-notebook log: %s", keep)
		}
		if t.Failed() {
			t.Logf("jupyter-notebook log (tail):\n%s", tail(string(b), 4000))
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
			fatalf(t, "jupyter-notebook exited during start-up:\n%s", tail(string(b), 4000))
		default:
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf.Name())
			fatalf(t, "jupyter-notebook not answering after %v (%v):\n%s", serverStartTimeout, err, tail(string(b), 4000))
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
		fatalf(t, "chromium not found (Debian package chromium; `make jupyter` installs it): %v", err)
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
			fatalf(t, "starting chromium: %v", err)
		}
	case <-time.After(stepTimeout):
		fatalf(t, "chromium did not start within %v", stepTimeout)
	}
	// Leaving a notebook whose kernel is busy or whose cells changed makes
	// Jupyter ask "leave this page?" (a beforeunload dialog), which blocks
	// the next navigation until it is answered: answer it as a user moving
	// on would, and say so in the log.
	err = chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			t.Logf("browser dialog (%s) %q: accepted", d.Type, d.Message)
			go func() {
				c, cancel := context.WithTimeout(ctx, stepTimeout)
				defer cancel()
				_, _ = chromedp.Call(c, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	})
	if err != nil {
		fatalf(t, "listening for the browser's dialogs: %v", err)
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

// page is one notebook open in the browser.
type page struct {
	t      *testing.T
	ctx    context.Context
	srv    *server
	root   string
	rel    string // path of the notebook below root
	before []byte // the notebook's bytes on disk when it was opened
}

// openNotebook opens rel, waits for its kernel, and checks that opening and
// saving it leave the file as it was; autosave is then turned off, so that
// no output reaches the committed file.
func openNotebook(t *testing.T, ctx context.Context, srv *server, root, rel string) *page {
	t.Helper()
	p := &page{t: t, ctx: ctx, srv: srv, root: root, rel: rel}
	var err error
	if p.before, err = os.ReadFile(filepath.Join(root, rel)); err != nil {
		fatalf(t, "%v", err)
	}
	url := srv.url + "/notebooks/" + rel + "?token=" + srv.token
	navCtx, cancel := context.WithTimeout(ctx, stepTimeout)
	err = chromedp.Do(navCtx, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(url))
	cancel()
	if err != nil {
		fatalf(t, "opening %s: %v", url, err)
	}
	start := time.Now()
	// Opening: the kernel starts and reports its language_info. The
	// notebook must not become dirty ("unsaved changes").
	if err := waitJS(ctx, "kernel ready", `(() => {
	  const nb = window.Jupyter && Jupyter.notebook;
	  if (!nb || !nb._fully_loaded || !nb.kernel) return false;
	  const info = nb.kernel.info_reply;
	  return !!(info && info.language_info) && nb.kernel.is_connected();
	})()`, 250*time.Millisecond, kernelReadyTimeout); err != nil {
		fatalf(t, "%v", err)
	}
	t.Logf("%s: kernel ready after %v", rel, time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second) // let kernel_ready handlers run
	var dirty bool
	if err := eval(ctx, `Jupyter.notebook.dirty`, &dirty); err != nil {
		fatalf(t, "%v", err)
	}
	var meta string
	_ = eval(ctx, `JSON.stringify(Jupyter.notebook.metadata)`, &meta)
	if dirty {
		errorf(t, "opening %s made it dirty (unsaved changes); metadata now %s", rel, meta)
	}
	// Saving right after opening writes exactly the committed bytes.
	if err := eval(ctx, `Jupyter.notebook.save_notebook().then(() => true)`, new(bool)); err != nil {
		fatalf(t, "saving: %v", err)
	}
	if after, err := os.ReadFile(filepath.Join(root, rel)); err != nil {
		fatalf(t, "%v", err)
	} else if !bytes.Equal(after, p.before) {
		// Restored; the run's checks still follow.
		_ = os.WriteFile(filepath.Join(root, rel), p.before, 0o644)
		errorf(t, "saving the just-opened notebook in Jupyter changed %s (restored); metadata %s; run nbfmt (cells without an id?)", rel, meta)
	}
	if err := eval(ctx, `(Jupyter.notebook.set_autosave_interval(0), true)`, new(bool)); err != nil {
		fatalf(t, "%v", err)
	}
	return p
}

// noErrorJS fails a wait with the first error output on the page.
const noErrorJS = `const err = document.querySelector('#notebook .output_area .output_error');
	  if (err) return 'error output: ' + err.innerText.slice(0, 2000);`

// cellsDoneJS is true when the kernel is idle and every non-empty code cell
// in [from, to) has run (to < 0: to the end).
func cellsDoneJS(from, to int) string {
	return fmt.Sprintf(`(() => {
	  %s
	  let cells = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code' && c.get_text().trim() !== '');
	  cells = cells.slice(%d, %d < 0 ? cells.length : %d);
	  const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
	  return idle && cells.every(c => typeof c.input_prompt_number === 'number');
	})()`, noErrorJS, from, to, to)
}

// runAll runs every cell and waits until all have run without an error
// output.
func (p *page) runAll() {
	p.t.Helper()
	start := time.Now()
	if err := eval(p.ctx, `(Jupyter.notebook.execute_all_cells(), true)`, new(bool)); err != nil {
		fatalf(p.t, "%v", err)
	}
	err := waitJS(p.ctx, p.rel+": Run All", cellsDoneJS(0, -1), time.Second, runAllTimeout)
	p.screenshot("")
	if err != nil {
		fatalf(p.t, "%v", err)
	}
	p.t.Logf("%s: Run All done in %v", p.rel, time.Since(start).Round(time.Millisecond))
}

// cellJS returns a JavaScript expression for the output area of code cell
// number i (counting non-empty code cells from 0; negative: from the end).
func cellJS(i int) string {
	return fmt.Sprintf(`(() => { const cs = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code' && c.get_text().trim() !== '');
	  return cs[%d < 0 ? cs.length + %d : %d]; })()`, i, i, i)
}

// cellText returns the text of code cell i's outputs.
func (p *page) cellText(i int) string {
	var s string
	if err := eval(p.ctx, cellJS(i)+`.output_area.element[0].innerText`, &s); err != nil {
		fatalf(p.t, "%v", err)
	}
	return s
}

// figures reads the SVG figures below sel (a CSS selector).
func (p *page) figures(sel string) []svgFigure {
	var figs []svgFigure
	js := strings.Replace(svgTextJS, `document.querySelectorAll('#notebook .output_area svg')`,
		`document.querySelectorAll(`+jsString(sel+` .output_area svg`)+`)`, 1)
	if err := eval(p.ctx, js, &figs); err != nil {
		fatalf(p.t, "%v", err)
	}
	return figs
}

// bars reads the progress bars below sel.
func (p *page) bars(sel string) []progressBar {
	var bars []progressBar
	js := strings.Replace(progressJS, `document.querySelectorAll('#notebook .output_area .`,
		`document.querySelectorAll(`+jsString(sel+` .output_area .`)+`+'`, 1)
	if err := eval(p.ctx, js, &bars); err != nil {
		fatalf(p.t, "%v", err)
	}
	return bars
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checkFinished checks every bar on the page: at 100 %, on one line at
// 1400 px.
func (p *page) checkFinished(bars []progressBar) {
	p.t.Helper()
	for i, b := range bars {
		p.t.Logf("%s: progress bar %d: %q (value %v/%v, %.0f px high, %.0f/%.0f px wide)", p.rel, i+1, b.Text, b.Value, b.Max, b.Height, b.ScrollW, b.ClientW)
		if b.Value != 100 || b.Max != 100 || !strings.Contains(b.Text, "done, 100 %") {
			errorf(p.t, "%s: progress bar %d did not reach 100 %%: value %v of %v, text %q", p.rel, i+1, b.Value, b.Max, b.Text)
		}
		if b.Height > 2.2*b.FontSize || b.ScrollW > b.ClientW+1 {
			errorf(p.t, "%s: progress bar %d does not fit on one line at 1400 px: %.0f px high (font %.0f px), %.0f px wide in %.0f px",
				p.rel, i+1, b.Height, b.FontSize, b.ScrollW, b.ClientW)
		}
	}
}

// checkFigures checks that at least min SVG figures are drawn with a size.
func (p *page) checkFigures(figs []svgFigure, min int) {
	p.t.Helper()
	if len(figs) < min {
		errorf(p.t, "%s: %d SVG figures on the page, want at least %d", p.rel, len(figs), min)
	}
	for i, f := range figs {
		if !(f.Width > 0 && f.Height > 0) {
			errorf(p.t, "%s: figure %d rendered with size %.0f×%.0f px", p.rel, i+1, f.Width, f.Height)
		}
	}
}

// checkUnchanged checks that the file on disk is untouched and that what
// Jupyter would save now differs from it only by the outputs.
func (p *page) checkUnchanged() {
	p.t.Helper()
	path := filepath.Join(p.root, p.rel)
	after, err := os.ReadFile(path)
	if err != nil {
		fatalf(p.t, "%v", err)
	}
	if !bytes.Equal(after, p.before) {
		_ = os.WriteFile(path, p.before, 0o644)
		errorf(p.t, "%s changed on disk during the run (restored)", p.rel)
	}
	var live string
	if err := eval(p.ctx, `JSON.stringify(Jupyter.notebook.toJSON())`, &live); err != nil {
		fatalf(p.t, "%v", err)
	}
	stripped, err := nbfmt.Format([]byte(live), nbfmt.Options{StripOutputs: true})
	if err != nil {
		fatalf(p.t, "%v", err)
	}
	if !bytes.Equal(stripped, p.before) {
		errorf(p.t, "the executed notebook, saved and stripped of outputs, differs from %s", p.rel)
	}
}

// shutdown stops the notebook's kernel, so that the next notebook has the
// machine to itself.
func (p *page) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var id string
	if err := eval(p.ctx, `Jupyter.notebook.kernel.id`, &id); err == nil && id != "" {
		_, _ = p.srv.api(ctx, "DELETE", "/api/kernels/"+id)
	}
}

// TestNotebooksInBrowser opens every notebook in Jupyter Notebook in
// headless Chromium, as a user would, runs it and checks what the page
// shows; the main notebook also gets Shift-Tab, an interrupt and its
// continuation, the live explorer, a cached re-run, and its executed copy
// in out/, which Jupyter does not trust.
func TestNotebooksInBrowser(t *testing.T) {
	start := time.Now()
	// Registered first, so run last: after the server's log.
	t.Cleanup(func() {
		failures.Lock()
		defer failures.Unlock()
		if len(failures.msgs) > 0 {
			t.Logf("%d failures, repeated:\n%s", len(failures.msgs), strings.Join(failures.msgs, "\n"))
		}
	})
	root := repoRoot(t)
	nbs, err := filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	if err != nil || len(nbs) == 0 {
		fatalf(t, "no notebooks in %s/notebooks (%v)", root, err)
	}
	srv := startServer(t, root)
	t.Logf("jupyter-notebook ready at %s after %v", srv.url, time.Since(start).Round(time.Millisecond))
	ctx := startBrowser(t)
	for _, nb := range nbs {
		rel := "notebooks/" + filepath.Base(nb)
		t.Run(strings.TrimSuffix(filepath.Base(nb), ".ipynb"), func(t *testing.T) {
			t0 := time.Now()
			if rel == mainNotebook {
				testMainNotebook(t, ctx, srv, root)
			} else {
				p := openNotebook(t, ctx, srv, root, rel)
				defer p.shutdown()
				p.runAll()
				p.checkFigures(p.figures("#notebook"), 1)
				p.checkFinished(p.bars("#notebook"))
				p.checkUnchanged()
			}
			t.Logf("%s: %v", rel, time.Since(t0).Round(time.Millisecond))
		})
	}
	t.Logf("browser test wall time %v", time.Since(start).Round(time.Millisecond))
}

// Code cells of the main notebook (counting non-empty code cells from 0).
const (
	mainRunCell      = 10 // %% runSimulation()
	mainAnalysisCell = 11 // %% rec, ok := results() …
	mainExportCell   = 12 // exportNEST
	mainExplorerCell = -1 // the live explorer, last
)

func testMainNotebook(t *testing.T, ctx context.Context, srv *server, root string) {
	p := openNotebook(t, ctx, srv, root, mainNotebook)
	defer p.shutdown()

	// Run All, and stop the run cell's simulation once it is under way:
	// the bar ends at "interrupted at t = … ms", one line says so, and the
	// next cell (Run All goes on) continues the kept network from there.
	runStart := time.Now()
	if err := eval(ctx, `(Jupyter.notebook.execute_all_cells(), true)`, new(bool)); err != nil {
		fatalf(t, "%v", err)
	}
	err := waitJS(ctx, "simulation under way", `(() => {
	  `+noErrorJS+`
	  const bars = [...`+cellJS(mainRunCell)+`.output_area.element[0].querySelectorAll('.`+markup.ProgressClass+`')];
	  return bars.some(b => b.innerText.startsWith('Simulation') && b.querySelector('progress').value >= 5);
	})()`, 100*time.Millisecond, runAllTimeout)
	if err != nil {
		p.screenshot("")
		fatalf(t, "%v", err)
	}
	if err := eval(ctx, `(Jupyter.notebook.kernel.interrupt(), true)`, new(bool)); err != nil {
		fatalf(t, "%v", err)
	}
	t.Logf("interrupted after %v", time.Since(runStart).Round(time.Millisecond))
	// Everything but the explorer runs to its end.
	err = waitJS(ctx, "Run All after the interrupt", `(() => {
	  `+noErrorJS+`
	  const cs = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code' && c.get_text().trim() !== '');
	  const ex = cs[cs.length - 1].output_area.element[0];
	  return cs.slice(0, -1).every(c => typeof c.input_prompt_number === 'number') &&
	    ex.querySelectorAll('svg').length >= 2 &&
	    [...ex.querySelectorAll('.`+markup.ProgressClass+` progress')].some(b => b.value == 100);
	})()`, time.Second, runAllTimeout)
	p.screenshot("")
	if err != nil {
		fatalf(t, "%v", err)
	}
	t.Logf("Run All (with the interrupt) done in %v", time.Since(runStart).Round(time.Millisecond))
	p.screenshotCells("interrupted", mainRunCell, mainAnalysisCell)

	run := p.cellText(mainRunCell)
	t.Logf("interrupted cell's output:\n%s", run)
	at := interruptedAt(t, run)
	if n := strings.Count(run, "Interrupted at t = "); n != 1 {
		errorf(t, "the interrupted cell says %d times where it stopped, want once: %q", n, run)
	}
	if strings.Contains(run, "signal: interrupt") || strings.Contains(run, "exit status") {
		errorf(t, "the interrupted cell shows the program's death: %q", run)
	}
	next := p.cellText(mainAnalysisCell)
	t.Logf("next cell's output:\n%s", next)
	if want := fmt.Sprintf("Continuing the kept network from t = %g ms", at); !strings.Contains(next, want) {
		errorf(t, "the next cell does not continue from the interrupt: want %q in %q", want, next)
	}
	if !strings.Contains(next, "recorded neurons fire at") {
		errorf(t, "the next cell has no results: %q", next)
	}
	p.checkFinished(p.bars(cellSelector(mainAnalysisCell)))

	// The export cell exports what ran: no second "Creating nodes".
	export := p.cellText(mainExportCell)
	if !strings.Contains(export, "Exporting the network that ran above") || strings.Contains(export, "Creating nodes") {
		errorf(t, "export cell: %q", export)
	}

	testExplorer(t, p)
	// Shift-Tab once the notebook's first cell has pointed its module at
	// this checkout (before that, GoNB cannot resolve the packages).
	p.checkShiftTab()

	// Running the run cell again uses the cached result, says so, and shows
	// the two figures.
	if err := eval(ctx, cellJS(mainRunCell)+`.execute() || true`, new(bool)); err != nil {
		fatalf(t, "%v", err)
	}
	if err := waitJS(ctx, "cached re-run", cellsDoneJS(0, -1), time.Second, runAllTimeout); err != nil {
		fatalf(t, "%v", err)
	}
	if rerun := p.cellText(mainRunCell); !strings.Contains(rerun, "(cached result of the run above") {
		errorf(t, "cached re-run does not say so: %q", rerun)
	}
	p.screenshot("")
	figs := p.figures(cellSelector(mainRunCell))
	if len(figs) != 2 {
		errorf(t, "%d SVG figures in the run cell, want 2 (raster, dynamics)", len(figs))
	}
	p.checkFigures(figs, 2)
	p.checkDynamicsText(figs)
	p.checkFinished(p.bars("#notebook"))
	var nErr int
	if err := eval(ctx, `document.querySelectorAll('#notebook .output_area .output_error').length`, &nErr); err != nil || nErr != 0 {
		errorf(t, "%d error outputs (%v)", nErr, err)
	}
	p.checkUnchanged()
	checkUntrustedCopy(t, ctx, srv, root)
}

// cellSelector is a CSS selector for code cell i (see cellJS), by marking
// the cell's element.
func cellSelector(i int) string {
	return fmt.Sprintf(`[data-astronb-cell="%d"]`, i)
}

// interruptedAt reads "Interrupted at t = X ms" from a cell's output.
func interruptedAt(t *testing.T, out string) float64 {
	t.Helper()
	i := strings.Index(out, "Interrupted at t = ")
	if i < 0 {
		fatalf(t, "no \"Interrupted at t = \" in the interrupted cell's output: %q", out)
	}
	var at float64
	if _, err := fmt.Sscanf(out[i:], "Interrupted at t = %g ms", &at); err != nil {
		fatalf(t, "reading the interrupt time from %q: %v", out[i:], err)
	}
	if !strings.Contains(out, fmt.Sprintf("interrupted at t = %.1f ms", at)) {
		errorf(t, "the bar does not end at \"interrupted at t = %.1f ms\": %q", at, out)
	}
	return at
}

// checkShiftTab puts the cursor on NewKernel in a code cell and presses
// Shift-Tab: the tooltip shows its documentation as text.
func (p *page) checkShiftTab() {
	p.t.Helper()
	var ok bool
	err := eval(p.ctx, `(() => {
	  const nb = Jupyter.notebook;
	  const i = nb.get_cells().findIndex(c => c.cell_type === 'code' && c.get_text().includes('astro.NewKernel('));
	  if (i < 0) return false;
	  nb.select(i); const cell = nb.get_cell(i); cell.focus_editor();
	  const cm = cell.code_mirror; const text = cell.get_text();
	  const off = text.indexOf('astro.NewKernel(') + 'astro.NewK'.length;
	  cm.setCursor(cm.posFromIndex(off));
	  return true;
	})()`, &ok)
	if err != nil || !ok {
		fatalf(p.t, "Shift-Tab: no cell with astro.NewKernel( (%v)", err)
	}
	c, cancel := context.WithTimeout(p.ctx, stepTimeout)
	err = chromedp.Do(c, chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift)))
	cancel()
	if err != nil {
		fatalf(p.t, "pressing Shift-Tab: %v", err)
	}
	var text string
	err = waitJS(p.ctx, "Shift-Tab tooltip", `(() => {
	  const tt = document.querySelector('#tooltip');
	  if (!tt || getComputedStyle(tt).display === 'none') return false;
	  const s = tt.querySelector('.tooltiptext').innerText;
	  return s.includes('NewKernel') && s.length > 40;
	})()`, 250*time.Millisecond, 2*time.Minute)
	_ = eval(p.ctx, `document.querySelector('#tooltip .tooltiptext') ? document.querySelector('#tooltip .tooltiptext').innerText : ''`, &text)
	p.screenshotElement("shift-tab", "#tooltip")
	if err != nil {
		errorf(p.t, "%v; tooltip text %q", err, text)
		return
	}
	p.t.Logf("Shift-Tab tooltip: %q", text)
	if strings.Contains(text, "pkg.go.dev//") || strings.Contains(text, "@/astro") {
		errorf(p.t, "the docs link to a page that does not exist: %q", text)
	}
	_ = eval(p.ctx, `(Jupyter.tooltip.remove_and_cancel_tooltip(true), true)`, new(bool))
}

// checkDynamicsText checks the dynamics figure's text as laid out.
func (p *page) checkDynamicsText(figs []svgFigure) {
	p.t.Helper()
	var dyn *svgFigure
	for i, f := range figs {
		p.t.Logf("figure %d: %.0f×%.0f px, text %q", i+1, f.Width, f.Height, f.Lines)
		for _, l := range f.Lines {
			if strings.Contains(l, "SIC in neurons") {
				dyn = &figs[i]
			}
		}
	}
	if dyn == nil {
		errorf(p.t, "no dynamics figure (with \"SIC in neurons\") among %d SVG figures", len(figs))
		return
	}
	for _, want := range []string{"IP₃ and Ca²⁺ in astrocytes", "IP₃ (µM)", "Ca²⁺ (µM)", "SIC (pA)", "Time (ms)"} {
		found := false
		for _, l := range dyn.Lines {
			found = found || strings.Contains(l, want)
		}
		if !found {
			errorf(p.t, "dynamics figure: no text line reads %q as rendered; lines: %q", want, dyn.Lines)
		}
	}
}

// explorerLive waits until the explorer (cell sel) has either found no
// live front end (its cell ends saying so: false) or runs with its sliders
// built and the figures of its initial values drawn (true). Its sliders
// can be built before or after those figures.
func (p *page) explorerLive(sel string) bool {
	p.t.Helper()
	const js = `(() => {
	  const c = %s;
	  const el = c.output_area.element[0];
	  if (el.innerText.includes('no live front end')) return c.input_prompt_number !== '*';
	  return c.input_prompt_number === '*' && el.querySelectorAll('input[type=range]').length >= 2 &&
	    el.querySelectorAll('svg').length >= 2 &&
	    [...el.querySelectorAll('.%s progress')].some(b => b.value == 100);
	})()`
	if err := waitJS(p.ctx, "explorer's sliders and figures", fmt.Sprintf(js, cellJS(mainExplorerCell), markup.ProgressClass),
		250*time.Millisecond, 3*time.Minute); err != nil {
		var n int
		_ = eval(p.ctx, `document.querySelectorAll(`+jsString(sel+` input[type=range]`)+`).length`, &n)
		fatalf(p.t, "explorer: %v; %d sliders; its output: %q", err, n, p.cellText(mainExplorerCell))
	}
	return !strings.Contains(p.cellText(mainExplorerCell), "no live front end")
}

// testExplorer moves the explorer's w_a2n slider and checks that it
// simulates again and redraws its figures in place; then stops the cell.
func testExplorer(t *testing.T, p *page) {
	p.screenshotCells("", mainExplorerCell, mainExportCell) // marks them
	sel := cellSelector(mainExplorerCell)
	// The first widget of a kernel session waits for GoNB's front-end code
	// to answer; where it did not answer in time (seen once in a run of
	// the whole suite on a fast machine), the cell says so and asks to be
	// run again, as a user would. Do that, once, and say it happened.
	if !p.explorerLive(sel) {
		t.Logf("the explorer found no live front end on its first run; running its cell again")
		if err := eval(p.ctx, cellJS(mainExplorerCell)+`.execute() || true`, new(bool)); err != nil {
			fatalf(t, "%v", err)
		}
		if !p.explorerLive(sel) {
			fatalf(t, "explorer: no live front end on its second run either: %q", p.cellText(mainExplorerCell))
		}
	}
	before := p.figures(sel)
	p.checkFigures(before, 2)
	p.screenshotCells("explorer_before", mainExplorerCell)
	var beforeSVG string
	_ = eval(p.ctx, `document.querySelector(`+jsString(sel+` .output_area svg`)+`).outerHTML`, &beforeSVG)
	// w_a2n from 0.01 to 0.05 (position 10 of 0.005 steps).
	if err := eval(p.ctx, `(() => {
	  const s = document.querySelector(`+jsString(sel+` input[type=range]`)+`);
	  s.value = 10; s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));
	  return true; })()`, new(bool)); err != nil {
		fatalf(t, "%v", err)
	}
	err := waitJS(p.ctx, "explorer re-run", `(() => {
	  `+noErrorJS+`
	  const bar = document.querySelector(`+jsString(sel+` .`+markup.ProgressClass)+`);
	  const svg = document.querySelector(`+jsString(sel+` .output_area svg`)+`);
	  return !!bar && bar.innerText.includes('w_a2n = 0.05') && bar.innerText.includes('done, 100 %') &&
	    !!svg && svg.outerHTML !== `+jsString(beforeSVG)+`;
	})()`, 250*time.Millisecond, 3*time.Minute)
	p.screenshotCells("explorer_after", mainExplorerCell)
	if err != nil {
		var running bool
		_ = eval(p.ctx, cellJS(mainExplorerCell)+`.input_prompt_number === '*'`, &running)
		fatalf(t, "%v; cell still running: %v; its output: %q", err, running, p.cellText(mainExplorerCell))
	}
	after := p.figures(sel)
	if len(after) != len(before) {
		errorf(t, "explorer: %d figures after the move, %d before: want them redrawn in place", len(after), len(before))
	}
	for _, f := range after {
		for _, l := range f.Lines {
			if strings.Contains(l, "w_a2n = 0.01,") {
				errorf(t, "explorer: a figure still reads %q after the move", l)
			}
		}
	}
	bars := p.bars(sel)
	if len(bars) != 1 {
		errorf(t, "explorer: %d progress bars, want one for all runs", len(bars))
	}
	p.checkFinished(bars)
	// Stop the explorer: the cell ends cleanly.
	if err := eval(p.ctx, `(Jupyter.notebook.kernel.interrupt(), true)`, new(bool)); err != nil {
		fatalf(t, "%v", err)
	}
	if err := waitJS(p.ctx, "explorer stopped", cellsDoneJS(0, -1), 250*time.Millisecond, time.Minute); err != nil {
		fatalf(t, "%v", err)
	}
	if out := p.cellText(mainExplorerCell); strings.Contains(out, "signal: interrupt") {
		errorf(t, "stopping the explorer: %q", out)
	}
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
		fatalf(t, "opening %s: %v", rel, err)
	}
	if err := waitJS(ctx, "executed copy loaded", `!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded)`,
		250*time.Millisecond, stepTimeout); err != nil {
		fatalf(t, "%v", err)
	}
	var trusted bool
	if err := eval(ctx, `Jupyter.notebook.trusted`, &trusted); err != nil {
		fatalf(t, "%v", err)
	}
	if trusted {
		errorf(t, "%s is trusted: the sanitiser check would prove nothing", rel)
	}
	var bars []progressBar
	if err := eval(ctx, progressJS, &bars); err != nil {
		fatalf(t, "%v", err)
	}
	if len(bars) < 2 {
		errorf(t, "untrusted %s: %d progress bars, want at least 2", rel, len(bars))
	}
	for i, b := range bars {
		t.Logf("untrusted %s, progress bar %d: %q (value %v/%v)", rel, i+1, b.Text, b.Value, b.Max)
		if b.Value != 100 || b.Max != 100 || !strings.Contains(b.Text, "done, 100 %") {
			errorf(t, "untrusted %s: progress bar %d shows value %v of %v, text %q", rel, i+1, b.Value, b.Max, b.Text)
		}
	}
	if s := shutdownKernels(srv); s != "" {
		t.Log(s)
	}
}

// shutdownKernels stops every kernel of the server.
func shutdownKernels(srv *server) string {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	body, err := srv.api(ctx, "GET", "/api/kernels")
	if err != nil {
		return err.Error()
	}
	var ks []struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &ks)
	for _, k := range ks {
		_, _ = srv.api(ctx, "DELETE", "/api/kernels/"+k.ID)
	}
	return ""
}

// screenshotDir is out/browser/, created if needed.
func (p *page) screenshotDir() string {
	dir := filepath.Join(p.root, "out", "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		errorf(p.t, "%v", err)
	}
	return dir
}

// shotName is out/browser/NOTEBOOK[_suffix].png.
func (p *page) shotName(suffix string) string {
	name := strings.TrimSuffix(filepath.Base(p.rel), ".ipynb")
	if suffix != "" {
		name += "_" + suffix
	}
	return filepath.Join(p.screenshotDir(), name+".png")
}

// screenshot saves a full-page screenshot (the notebook page scrolls
// inside #site, which is unrolled first).
func (p *page) screenshot(suffix string) {
	p.t.Helper()
	c, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Run(c, chromedp.Evaluate[bool](`(() => { if (!document.getElementById('astronb-unroll')) {
	  const s = document.createElement('style'); s.id = 'astronb-unroll';
	  s.textContent = 'html, body, #site { height: auto !important; overflow: visible !important; }';
	  document.head.appendChild(s); } return true; })()`))
	var buf []byte
	if err == nil {
		buf, err = chromedp.Run(c, chromedp.FullScreenshot(100))
	}
	p.save(suffix, buf, err)
}

// screenshotCells marks code cells (see cellSelector) and saves a
// screenshot of the first one's element through the last one's.
func (p *page) screenshotCells(suffix string, cells ...int) {
	p.t.Helper()
	for _, i := range cells {
		_ = eval(p.ctx, `(`+cellJS(i)+`.element[0].setAttribute('data-astronb-cell', '`+fmt.Sprint(i)+`'), true)`, new(bool))
	}
	if suffix == "" {
		return
	}
	sels := make([]string, len(cells))
	for k, i := range cells {
		sels[k] = cellSelector(i)
	}
	p.screenshotElement(suffix, strings.Join(sels, ", "))
}

// screenshotElement saves a screenshot of the box around the elements that
// sel selects.
func (p *page) screenshotElement(suffix, sel string) {
	p.t.Helper()
	c, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	var n int
	err := eval(c, `document.querySelectorAll(`+jsString(sel)+`).length`, &n)
	var buf []byte
	switch {
	case err != nil:
	case n == 0:
		err = fmt.Errorf("nothing matches %s", sel)
	default:
		buf, err = chromedp.Run(c, chromedp.Screenshot(sel))
	}
	p.save(suffix, buf, err)
}

func (p *page) save(suffix string, buf []byte, err error) {
	p.t.Helper()
	if err != nil {
		errorf(p.t, "screenshot %s: %v", suffix, err)
		return
	}
	path := p.shotName(suffix)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		errorf(p.t, "%v", err)
		return
	}
	p.t.Logf("screenshot: %s", path)
}
