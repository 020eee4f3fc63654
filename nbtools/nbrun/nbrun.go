// Package nbrun executes Jupyter notebooks headlessly on a GoNB kernel.
//
// It speaks the Jupyter messaging protocol (5.3, HMAC-SHA256 signed) over
// pure-Go ZeroMQ sockets (github.com/go-zeromq/zmq4), so no Python or
// Jupyter installation is needed: [Run] starts the kernel from a kernelspec
// or an explicit command line, with the notebook's folder as working
// directory, executes every code cell in order, collects the outputs like a
// Jupyter front end (in the order the kernel sent them, adjacent chunks of
// one stream merged, update_display_data applied in place), and writes the executed notebook (nbformat 4) and every image
// output as a file.
//
// Cells are numbered 1-based among the code cells of the notebook, which is
// also the execution count of a cell in a fresh run.
package nbrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Options configures [Run].
type Options struct {
	// Notebook is the path of the .ipynb file to execute (nbformat 4).
	Notebook string
	// OutDir receives the executed notebook, under the same base name as
	// Notebook, and the image files. It is created if needed and must not be
	// the notebook's own folder, also not through a symbolic link.
	OutDir string

	// KernelCmd is the kernel command line; "{connection_file}" is replaced
	// by the connection file path. See [GonbCommand]. If empty, the argv
	// and env of KernelSpecDir/kernel.json are used.
	KernelCmd []string
	// KernelSpecDir is a Jupyter kernelspec directory (containing
	// kernel.json), e.g. .build/jupyter/kernels/gonb.
	KernelSpecDir string
	// Path lists directories prepended to PATH for the kernel (GoNB needs
	// go and goimports).
	Path []string
	// Env holds extra KEY=VALUE entries for the kernel's environment. The
	// kernel's TMPDIR is a private folder that the runner removes with
	// everything in it (GoNB's gonb_* folder) when the kernel is closed;
	// a TMPDIR entry here overrides it.
	Env []string

	// CellTimeout bounds the execution of each cell; 0 means no limit.
	CellTimeout time.Duration
	// Timeout bounds the whole run, kernel start included; 0 means no limit.
	Timeout time.Duration
	// StartTimeout bounds the kernel start until it answers; default 60s.
	StartTimeout time.Duration
	// ShutdownGrace is how long the kernel has to exit after
	// shutdown_request before its process group is killed; default 3s.
	ShutdownGrace time.Duration

	// MaxCellOutput bounds the output kept per cell, in bytes (0:
	// DefaultMaxCellOutput); MaxOutput bounds that of the whole notebook (0:
	// DefaultMaxOutput). Output beyond them is dropped, and a stderr stream
	// at the end of the cell says how much: memory stays bounded whatever a
	// cell prints.
	MaxCellOutput, MaxOutput int

	// Log receives progress lines (one per cell); nil discards them.
	Log io.Writer
	// KernelLog receives the kernel process' own stdout and stderr; nil
	// discards them (the tail is still quoted in kernel failure errors).
	KernelLog io.Writer
}

// CellResult describes one executed code cell.
type CellResult struct {
	// Number is the 1-based position among the notebook's code cells.
	Number int
	// Index is the 0-based position among all the notebook's cells.
	Index int
	// ExecutionCount is the kernel's execution count, nil if not executed.
	ExecutionCount *int
	// Outputs are the merged outputs, in nbformat shape.
	Outputs []*Output
	// Images are the image files written for this cell.
	Images []string
	// Duration is the wall time of the execution.
	Duration time.Duration
}

// Result describes a run. It is returned, possibly partial, along with
// errors raised after the kernel started.
type Result struct {
	// Notebook is the input notebook path.
	Notebook string
	// Executed is the path of the written executed notebook ("" if none).
	Executed string
	// Cells holds the code cells executed so far, in order.
	Cells []*CellResult
	// Images lists all image files written.
	Images []string
	// KernelStart is the time from starting the process until it answered
	// on iopub.
	KernelStart time.Duration
	// KernelPID is the process id (and process group id) the kernel ran as.
	KernelPID int
	// Duration is the wall time of the whole run.
	Duration time.Duration
}

// CellError reports a code cell that failed: an error output or error
// reply from the kernel (compile error, panic, non-zero exit), a timeout,
// or the kernel dying or the run being cancelled during the cell.
type CellError struct {
	// Notebook is the notebook path.
	Notebook string
	// Cell is the 1-based code cell number, NumCells the number of code cells.
	Cell, NumCells int
	// Index is the 0-based index among all cells.
	Index int
	// EName, EValue and Traceback are the kernel's error, if any.
	EName, EValue string
	Traceback     []string
	// Stderr is the cell's stderr stream text.
	Stderr string
	// Timeout is the cell timeout that expired, or 0.
	Timeout time.Duration
	// Err is the underlying cause when the kernel did not report the error
	// (kernel exit, cancellation, run timeout), or nil.
	Err error
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// StripANSI removes the terminal colour codes kernels put in tracebacks.
func StripANSI(s string) string { return ansiEscape.ReplaceAllString(s, "") }

// Error names the notebook and cell and quotes the kernel's error text.
func (e *CellError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: cell %d/%d", filepath.Base(e.Notebook), e.Cell, e.NumCells)
	switch {
	case e.Timeout > 0:
		fmt.Fprintf(&b, " timed out after %v", e.Timeout)
	case e.Err != nil:
		fmt.Fprintf(&b, ": %v", e.Err)
	default:
		b.WriteString(" failed")
		if e.EName != "" || e.EValue != "" {
			fmt.Fprintf(&b, ": %s: %s", e.EName, strings.TrimSpace(StripANSI(e.EValue)))
		}
		tb := strings.TrimSpace(StripANSI(strings.Join(e.Traceback, "\n")))
		if tb != "" && !strings.Contains(e.EValue, tb) {
			fmt.Fprintf(&b, "\ntraceback:\n%s", tb)
		}
	}
	if s := strings.TrimSpace(e.Stderr); s != "" {
		fmt.Fprintf(&b, "\nstderr:\n%s", StripANSI(s))
	}
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *CellError) Unwrap() error { return e.Err }

// Run executes the notebook described by opts and writes the executed
// notebook and its images into opts.OutDir: a figure shown with
// kernelext.Display as NOTEBOOK_FIGURE.png/.svg (its name), any other image
// as NOTEBOOK_cellNN_K.EXT (K-th image of code cell NN). On a cell failure it stops,
// shuts the kernel down, still writes the partially executed notebook, and
// returns the Result together with a *CellError naming the cell.
func Run(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Notebook == "" || opts.OutDir == "" {
		return nil, errors.New("nbrun: Notebook and OutDir are required")
	}
	nbAbs, err := filepath.Abs(opts.Notebook)
	if err != nil {
		return nil, err
	}
	outDir, err := filepath.Abs(opts.OutDir)
	if err != nil {
		return nil, err
	}
	if err := checkOutDir(nbAbs, outDir); err != nil {
		return nil, err
	}
	nb, err := readNotebook(nbAbs)
	if err != nil {
		return nil, fmt.Errorf("nbrun: %s: %w", opts.Notebook, err)
	}

	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	cfg := kernelConfig{
		argv: opts.KernelCmd, path: opts.Path, extra: opts.Env, dir: filepath.Dir(nbAbs),
		log: opts.KernelLog, timeout: opts.StartTimeout,
	}
	if len(cfg.argv) == 0 {
		if opts.KernelSpecDir == "" {
			return nil, errors.New("nbrun: KernelCmd or KernelSpecDir is required")
		}
		ks, err := readKernelSpec(opts.KernelSpecDir)
		if err != nil {
			return nil, fmt.Errorf("nbrun: %w", err)
		}
		cfg.argv, cfg.env = ks.Argv, ks.Env
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("nbrun: %w", err)
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opts.Timeout,
			fmt.Errorf("run timeout (%v) exceeded", opts.Timeout))
		defer cancel()
	}
	grace := opts.ShutdownGrace
	if grace <= 0 {
		grace = 3 * time.Second
	}

	r := &runner{opts: opts, nb: nb, nbPath: nbAbs, log: opts.Log, grace: grace}
	if r.log == nil {
		r.log = io.Discard
	}
	res := &Result{Notebook: opts.Notebook}
	k, err := startKernel(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("nbrun: %s: %w", opts.Notebook, err)
	}
	defer k.close(0) // in case of a panic; no-op after the close below.
	r.k = k
	res.KernelPID = k.cmd.Process.Pid
	runErr := r.waitReady(ctx)
	if runErr == nil {
		res.KernelStart = time.Since(start)
		fmt.Fprintf(r.log, "%s: kernel ready in %.2fs\n", filepath.Base(nbAbs), res.KernelStart.Seconds())
		runErr = r.runCells(ctx, res)
	} else {
		runErr = fmt.Errorf("nbrun: %s: waiting for the kernel: %w", opts.Notebook, runErr)
	}
	k.close(grace)

	if len(res.Cells) > 0 || runErr == nil {
		if err := r.write(outDir, res); err != nil && runErr == nil {
			runErr = err
		}
	}
	res.Duration = time.Since(start)
	if runErr != nil {
		return res, runErr
	}
	return res, nil
}

// checkOutDir refuses an output folder that is the notebook's own folder,
// also through symbolic links or bind mounts (the executed notebook has the
// same name and would overwrite the source).
func checkOutDir(nbAbs, outDir string) error {
	clash := fmt.Errorf("nbrun: output dir %s is the notebook's folder: it would overwrite %s", outDir, filepath.Base(nbAbs))
	if filepath.Dir(nbAbs) == outDir {
		return clash
	}
	out, err := os.Stat(outDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil // a folder yet to be made is not the notebook's.
	}
	if err != nil {
		return fmt.Errorf("nbrun: output dir: %w", err)
	}
	src, err := os.Stat(filepath.Dir(nbAbs))
	if err != nil {
		return fmt.Errorf("nbrun: %w", err)
	}
	if os.SameFile(out, src) {
		return clash
	}
	// An existing file there that is the notebook itself (a symbolic or
	// hard link) would be overwritten as well.
	if st, err := os.Stat(filepath.Join(outDir, filepath.Base(nbAbs))); err == nil {
		if nb, err := os.Stat(nbAbs); err == nil && os.SameFile(st, nb) {
			return fmt.Errorf("nbrun: %s in the output dir is the notebook itself (a link): it would be overwritten",
				filepath.Base(nbAbs))
		}
	}
	return nil
}

// CheckBatch checks, before anything runs, that the notebooks can all be
// executed into outDir: each exists, none would overwrite itself (see
// Options.OutDir), and no two share a name. The executed notebook is
// written as outDir/NAME.ipynb and its images as outDir/NAME_cellNN_K.EXT,
// so a/x.ipynb and b/x.ipynb (or the same notebook given twice) would
// overwrite each other's results.
func CheckBatch(notebooks []string, outDir string) error {
	out, err := filepath.Abs(outDir)
	if err != nil {
		return err
	}
	seen := map[string]string{}
	for _, nb := range notebooks {
		abs, err := filepath.Abs(nb)
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("nbrun: %w", err)
		}
		if err := checkOutDir(abs, out); err != nil {
			return err
		}
		base := filepath.Base(abs)
		stem := strings.ToLower(strings.TrimSuffix(base, filepath.Ext(base)))
		if prev, ok := seen[stem]; ok {
			return fmt.Errorf("nbrun: %s and %s would both be written as %s in %s: run them into different output dirs",
				prev, nb, strings.TrimSuffix(base, filepath.Ext(base))+".ipynb", outDir)
		}
		seen[stem] = nb
	}
	return nil
}

// runner holds the state of one notebook execution.
type runner struct {
	opts         Options
	nb           *notebook
	nbPath       string
	log          io.Writer
	k            *kernel
	languageInfo json.RawMessage
	grace        time.Duration
	cells        []*outputs // outputs of executed cells, for update_display_data.
}

// waitReady sends kernel_info_request until a status message arrives on
// iopub: messages published before the SUB socket is connected are lost.
func (r *runner) waitReady(ctx context.Context) error {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	timeout := time.NewTimer(r.opts.StartTimeout)
	defer timeout.Stop()
	if _, err := r.k.send("kernel_info_request", map[string]any{}); err != nil {
		return err
	}
	for {
		select {
		case m := <-r.k.iopubMsgs:
			if m.Header.MsgType == "status" {
				return nil
			}
		case m := <-r.k.shellMsgs:
			r.handleShell(m)
		case <-tick.C:
			if _, err := r.k.send("kernel_info_request", map[string]any{}); err != nil {
				return err
			}
		case <-r.k.exited:
			return r.k.exitError()
		case <-timeout.C:
			return fmt.Errorf("no iopub status after %v; kernel output:\n%s", r.opts.StartTimeout, r.k.stderr.String())
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// handleShell processes shell messages not tied to a running cell.
func (r *runner) handleShell(m *message) {
	if m.Header.MsgType == "kernel_info_reply" && r.languageInfo == nil {
		var c struct {
			LanguageInfo json.RawMessage `json:"language_info"`
		}
		if json.Unmarshal(m.Content, &c) == nil && len(c.LanguageInfo) > 0 {
			r.languageInfo = c.LanguageInfo
		}
	}
}

// runCells executes the code cells in order, stopping at the first failure.
func (r *runner) runCells(ctx context.Context, res *Result) error {
	var code []int
	for i := range r.nb.cells {
		if r.nb.cellType(i) == "code" {
			code = append(code, i)
			// Outputs of cells not executed must not survive from the input.
			_ = r.nb.setCodeResult(i, nil, nil)
		}
	}
	name := filepath.Base(r.nbPath)
	perCell, total := r.opts.MaxCellOutput, r.opts.MaxOutput
	if perCell <= 0 {
		perCell = DefaultMaxCellOutput
	}
	if total <= 0 {
		total = DefaultMaxOutput
	}
	used := 0
	for n, idx := range code {
		src := r.nb.source(idx)
		cr := &CellResult{Number: n + 1, Index: idx}
		if strings.TrimSpace(src) == "" {
			continue // Jupyter front ends do not execute empty cells.
		}
		fmt.Fprintf(r.log, "%s [cell %d/%d] %s\n", name, n+1, len(code), CellTitle(src))
		t0 := time.Now()
		outs := &outputs{limit: max(1, min(perCell, total-used))}
		r.cells = append(r.cells, outs)
		err := r.execCell(ctx, src, outs, cr)
		cr.Duration = time.Since(t0)
		cr.Outputs = outs.result()
		used += outs.size
		res.Cells = append(res.Cells, cr)
		status := "ok"
		if err != nil {
			status = "FAILED"
		}
		fmt.Fprintf(r.log, "%s [cell %d/%d] %s %.2fs\n", name, n+1, len(code), status, cr.Duration.Seconds())
		if err != nil {
			err.Notebook, err.Cell, err.NumCells, err.Index = r.opts.Notebook, n+1, len(code), idx
			err.Stderr = outs.text("stderr")
			return err
		}
	}
	return nil
}

// CellTitle returns the first non-blank line of a cell's source (other
// than "%%"), shortened, to name the cell in logs and messages.
func CellTitle(src string) string {
	for l := range strings.SplitSeq(src, "\n") {
		if l = strings.TrimSpace(l); l != "" && l != "%%" {
			if r := []rune(l); len(r) > 60 {
				l = string(r[:60]) + "…"
			}
			return l
		}
	}
	return ""
}

// executeReply is the content of an execute_reply.
type executeReply struct {
	Status         string   `json:"status"`
	ExecutionCount *int     `json:"execution_count"`
	EName          string   `json:"ename"`
	EValue         string   `json:"evalue"`
	Traceback      []string `json:"traceback"`
}

// execCell runs one cell and waits for both its execute_reply (shell) and
// the idle status (iopub) that ends its outputs.
func (r *runner) execCell(ctx context.Context, src string, outs *outputs, cr *CellResult) *CellError {
	id, err := r.k.send("execute_request", map[string]any{
		"code": src, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true,
	})
	if err != nil {
		return &CellError{Err: err}
	}
	var timeout <-chan time.Time
	if r.opts.CellTimeout > 0 {
		t := time.NewTimer(r.opts.CellTimeout)
		defer t.Stop()
		timeout = t.C
	}
	var reply *executeReply
	idle := false
	var errOut *Output
	// A cell's program blocked reading its standard input is looked for
	// every stdinPoll; seen stdinSightings times in a row, the cell fails
	// (see stdinReader).
	stdinTick := time.NewTicker(stdinPoll)
	defer stdinTick.Stop()
	suspect, seen := 0, 0
	for reply == nil || !idle {
		select {
		case m := <-r.k.stdinMsgs:
			if m.Header.MsgType != "input_request" {
				continue
			}
			var c struct {
				Prompt string `json:"prompt"`
			}
			_ = json.Unmarshal(m.Content, &c)
			// Answered at once (GoNB needs a value to go on), and the cell
			// fails as with Jupyter's allow_stdin: false.
			_, _ = r.k.sendOn(r.k.stdin, "input_reply", map[string]any{"value": ""}, &m.Header)
			return r.stdinError(id, outs, fmt.Sprintf("the cell asked for input (input_request, prompt %q)", c.Prompt))
		case <-stdinTick.C:
			pid := stdinReader(r.k.cmd.Process.Pid)
			if pid == 0 || pid != suspect {
				suspect, seen = pid, 0
				continue
			}
			if seen++; seen+1 >= stdinSightings {
				return r.stdinError(id, outs, fmt.Sprintf("the cell's program (pid %d) is waiting for standard input", pid))
			}
		case m := <-r.k.shellMsgs:
			if m.Parent.MsgID != id || m.Header.MsgType != "execute_reply" {
				r.handleShell(m)
				continue
			}
			reply = &executeReply{}
			if err := json.Unmarshal(m.Content, reply); err != nil {
				return &CellError{Err: fmt.Errorf("decoding execute_reply: %w", err)}
			}
			if reply.ExecutionCount != nil {
				cr.ExecutionCount = reply.ExecutionCount
			}
		case m := <-r.k.iopubMsgs:
			if r.onIOPub(m, id, outs, cr) {
				idle = true
			}
			if o := outs.firstError; o != nil && errOut == nil {
				errOut = o
			}
		case <-r.k.exited:
			return &CellError{Err: r.k.exitError()}
		case <-timeout:
			r.interrupt(id)
			return &CellError{Timeout: r.opts.CellTimeout}
		case <-ctx.Done():
			r.interrupt(id)
			return &CellError{Err: context.Cause(ctx)}
		}
	}
	if reply.Status != "ok" || errOut != nil {
		ce := &CellError{EName: reply.EName, EValue: reply.EValue, Traceback: reply.Traceback}
		if errOut != nil {
			ce.EName, ce.EValue, ce.Traceback = errOut.EName, errOut.EValue, errOut.Traceback
		}
		if ce.EName == "" && ce.EValue == "" {
			ce.EValue = "execute_reply status " + reply.Status
		}
		return ce
	}
	return nil
}

// onIOPub applies an iopub message to the cell with request id (outputs,
// execution count) or, for update_display_data, to whichever cell holds
// the display. It reports whether the message is the idle status that ends
// the cell. Messages that do not decode, or belong to another request, are
// ignored.
func (r *runner) onIOPub(m *message, id string, outs *outputs, cr *CellResult) (idle bool) {
	var c iopubContent
	if err := json.Unmarshal(m.Content, &c); err != nil {
		return false
	}
	if m.Header.MsgType == "update_display_data" {
		// The display may live in this or an earlier cell.
		for _, o := range r.cells {
			o.update(c.Transient.DisplayID, unescape(c.Data), c.Metadata)
		}
		return false
	}
	if m.Parent.MsgID != id {
		return false
	}
	switch m.Header.MsgType {
	case "status":
		return c.ExecutionState == "idle"
	case "execute_input":
		if c.ExecutionCount != nil {
			cr.ExecutionCount = c.ExecutionCount
		}
	case "clear_output":
		outs.clear(c.Wait)
	default:
		if o := toOutput(m.Header.MsgType, &c); o != nil {
			outs.add(o)
			if o.OutputType == "error" && outs.firstError == nil {
				outs.firstError = o
			}
		}
	}
	return false
}

// stdinPoll is how often a running cell is checked for a program blocked
// on standard input (a scan of /proc: a few ms); stdinSightings times in a
// row (0.5 s apart) fail the cell. GoNB sends its own input_request
// (answered at once) 200 ms after a %with_inputs shell command starts,
// before that.
const (
	stdinPoll      = 500 * time.Millisecond
	stdinSightings = 2
)

// stdinError fails the cell with request id that wants input: the error is
// added to the cell's outputs (so the notebook shows it) and the cell is
// interrupted.
func (r *runner) stdinError(id string, outs *outputs, what string) *CellError {
	ce := &CellError{EName: "StdinNotImplementedError", EValue: what + ": nbrun runs notebooks without standard input " +
		"(allow_stdin: false, like jupyter nbconvert), so no input will come; put the value into the cell instead of reading it"}
	outs.add(&Output{OutputType: "error", EName: ce.EName, EValue: ce.EValue, Traceback: []string{ce.EName + ": " + ce.EValue}})
	r.interrupt(id)
	return ce
}

// interrupt asks the kernel to interrupt the cell with request id and
// waits up to the shutdown grace period for its execute_reply, so that GoNB
// stops and reaps the cell's program before it is shut down itself.
func (r *runner) interrupt(id string) {
	if _, err := r.k.send("interrupt_request", map[string]any{}); err != nil {
		return
	}
	t := time.NewTimer(r.grace)
	defer t.Stop()
	for {
		select {
		case m := <-r.k.shellMsgs:
			if m.Parent.MsgID == id && m.Header.MsgType == "execute_reply" {
				return
			}
		case <-r.k.iopubMsgs:
		case <-r.k.exited:
			return
		case <-t.C:
			return
		}
	}
}

// write stores the executed notebook and the image files.
func (r *runner) write(outDir string, res *Result) error {
	name := filepath.Base(r.nbPath)
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	used := map[string]int{} // figure names taken
	for _, cr := range res.Cells {
		if err := r.nb.setCodeResult(cr.Index, cr.ExecutionCount, cr.Outputs); err != nil {
			return fmt.Errorf("nbrun: %s: cell %d: %w", name, cr.Number, err)
		}
		imgs, err := writeImages(outDir, stem, cr.Number, cr.Outputs, used)
		cr.Images = imgs
		res.Images = append(res.Images, imgs...)
		if err != nil {
			return fmt.Errorf("nbrun: %s: writing images: %w", name, err)
		}
	}
	if r.languageInfo != nil {
		r.nb.setMetadata("language_info", r.languageInfo, false)
	}
	r.nb.setMetadata("kernelspec", json.RawMessage(`{"display_name":"Go (gonb)","language":"go","name":"gonb"}`), true)
	data, err := r.nb.encode()
	if err != nil {
		return fmt.Errorf("nbrun: %s: encoding notebook: %w", name, err)
	}
	out := filepath.Join(outDir, name)
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("nbrun: %w", err)
	}
	res.Executed = out
	return nil
}
