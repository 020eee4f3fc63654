package kernelext

import (
	"fmt"
	"html"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/astronb/astronb/astro"
	"github.com/astronb/astronb/nbtools/markup"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// ProgressClass is the CSS class of the element that holds a progress bar
// in the notebook (text/html outputs); nbcheck finds the bars by it.
const ProgressClass = markup.ProgressClass

// DefaultProgressInterval is the minimum wall-clock time between two progress
// updates made by NewProgress.
const DefaultProgressInterval = 250 * time.Millisecond

// newProgressClock is the clock of the Progress values NewProgress makes;
// nil means time.Now. Tests freeze it so that rate limiting does not depend
// on how fast the machine runs them.
var newProgressClock func() time.Time

// Progress renders astro.Progress reports, either as an HTML progress bar
// updated in place in a notebook cell, or as a single "\r"-rewritten line on
// a terminal. Use NewProgress for the usual setup; the fields exist so tests
// and callers can change the output, clock and rate limit. Report is safe for
// concurrent use; fields must not be changed after the first Report.
//
// Every report is rendered if it is the first of a Simulate call or the final
// (Done) one; other reports are dropped unless at least Interval of wall time
// passed since the last rendered one.
//
// One Progress is one bar: in a notebook every Simulate call reported to it
// updates the same output, so a run made of several calls (a pre-simulation
// and a simulation, say) shows one bar, not one per call. Calls that follow
// each other in model time (each starts where the previous one ended) make one
// span: the bar runs from the first call's start to the current call's end,
// and its wall time adds up. A call that starts elsewhere (another kernel, a
// reset) starts the span afresh, in the same bar. On a terminal each call
// ends its line, so the next one starts a new line.
//
// A run that an interrupt stopped (SimulateInterruptible, or any Simulate
// when the notebook's stop button ends the cell) keeps its bar in the final
// state "interrupted at t = … ms"; one that an error stopped says "stopped".
type Progress struct {
	// Label is shown in front of the bar (plain text; it is HTML-escaped).
	Label string
	// Interval is the minimum wall time between two rendered updates;
	// zero renders every report.
	Interval time.Duration
	// Notebook selects the HTML bar (true) or the terminal line (false).
	Notebook bool
	// Out receives the terminal line; nil means os.Stderr.
	Out io.Writer
	// Now is the clock used for rate limiting; nil means time.Now.
	Now func() time.Time

	// update and sync publish a bar (HTML plus its text/plain fallback)
	// and flush the notebook; nil means gonbui. Tests replace them.
	update func(id, html, text string)
	sync   func()

	mu       sync.Mutex
	started  bool      // a Simulate call is in progress (a report was seen, no Done yet)
	last     time.Time // when the last update was rendered
	id       string    // display id of the notebook bar (one per Progress)
	lastLine int       // length of the last terminal line, to blank leftovers

	// The span of contiguous Simulate calls the bar shows.
	spanning bool           // a span exists (some report was seen)
	originMs float64        // model time at which the span starts (ms)
	endedMs  float64        // model time at which the last finished call ended (ms)
	before   time.Duration  // wall time of the span's finished calls
	latest   astro.Progress // the latest report, as spanned (for an interrupt's final state)
}

// state is what a bar says after its numbers.
type state int

const (
	running     state = iota
	finished          // the run reached its end
	interrupted       // an interrupt stopped it early
	stopped           // an error stopped it early
)

// NewProgress returns a callback for astro's Kernel.SetProgress that shows
// the progress of the Simulate calls under the given label: a live HTML bar
// in a GoNB notebook (one bar for all the calls of the callback, see
// Progress), a "\r" line on standard error otherwise, updated at most every
// DefaultProgressInterval (plus the first and the final report). It also
// makes an interrupt (the notebook's stop button, Control-C) end a plain
// Simulate cleanly: the bar shows where it was interrupted, one line says so,
// and the program exits (see SimulateInterruptible to keep the work instead).
func NewProgress(label string) func(astro.Progress) {
	handleInterrupts()
	p := &Progress{
		Label:    label,
		Interval: DefaultProgressInterval,
		Notebook: gonbui.IsNotebook,
		Now:      newProgressClock,
	}
	return p.Report
}

// Report renders one progress report, subject to rate limiting.
func (p *Progress) Report(r astro.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	first := !p.started
	if first {
		if !p.spanning || r.StartMs != p.endedMs {
			p.originMs, p.before = r.StartMs, 0
		}
		p.spanning = true
		activeBars.add(p)
	}
	v := r
	v.StartMs = p.originMs
	v.Elapsed = p.before + r.Elapsed
	p.latest = v
	if r.Done {
		p.before += r.Elapsed
		p.endedMs = r.NowMs
		activeBars.remove(p)
	}
	if !first && !r.Done && now.Sub(p.last) < p.Interval {
		return
	}
	p.last = now
	p.started = !r.Done
	p.render(v, stateOf(v), first)
}

// stateOf tells how a (spanned) report ends its bar.
func stateOf(r astro.Progress) state {
	switch {
	case !r.Done:
		return running
	case r.Fraction() >= 1:
		return finished
	case interruptRequested():
		return interrupted
	default:
		return stopped
	}
}

// render shows one state of the bar. Called with p.mu held.
func (p *Progress) render(r astro.Progress, st state, first bool) {
	if p.Notebook {
		if p.id == "" {
			p.id = "astronb_progress_" + gonbui.UniqueId()
		}
		p.doUpdate(p.id, progressHTML(p.Label, r, st), progressLine(p.Label, r, st))
		if st != running {
			p.doSync()
		}
		return
	}
	p.writeLine(r, st, first)
}

// interrupt shows the bar's final state after an interrupt ended the
// program during a Simulate call (the kernel reports nothing more).
func (p *Progress) interrupt() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		return
	}
	r := p.latest
	r.Done = true
	p.started = false
	p.render(r, interrupted, false)
}

// latestTime returns the model time of the bar's latest report (ms) and
// its label.
func (p *Progress) latestTime() (float64, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.latest.NowMs, p.Label
}

func (p *Progress) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// doUpdate publishes (first call for an id) or replaces (later calls) the
// bar's display: text/html for the notebook, text/plain for front ends that
// show no HTML. This is gonbui.UpdateHTML with the text/plain fallback.
func (p *Progress) doUpdate(id, h, text string) {
	if p.update != nil {
		p.update(id, h, text)
		return
	}
	gonbui.SendData(&protocol.DisplayData{
		Data:      map[protocol.MIMEType]any{protocol.MIMETextHTML: h, protocol.MIMETextPlain: text},
		DisplayID: id,
	})
}

func (p *Progress) doSync() {
	if p.sync != nil {
		p.sync()
		return
	}
	gonbui.Sync()
}

func (p *Progress) writeLine(r astro.Progress, st state, first bool) {
	w := p.Out
	if w == nil {
		w = os.Stderr
	}
	if first {
		p.lastLine = 0
	}
	line := progressLine(p.Label, r, st)
	pad := ""
	if n := len(line); n < p.lastLine {
		pad = strings.Repeat(" ", p.lastLine-n)
	}
	p.lastLine = len(line)
	end := ""
	if st != running {
		end = "\n"
	}
	fmt.Fprint(w, "\r"+line+pad+end)
}

// percent returns the completed percentage, rounded down so that 100 % is
// shown only when the run really is complete.
func percent(r astro.Progress) int {
	return int(r.Fraction() * 100)
}

// progressLine formats a terminal line in the spirit of NEST's print_time.
func progressLine(label string, r astro.Progress, st state) string {
	var b strings.Builder
	if label != "" {
		b.WriteString(label)
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "[%3d %%] t = %.1f / %.1f ms, real-time factor %.4f",
		percent(r), r.NowMs, r.EndMs, r.RealTimeFactor())
	switch st {
	case finished:
		fmt.Fprintf(&b, ", done in %s", fmtWall(r.Elapsed))
	case interrupted:
		fmt.Fprintf(&b, ", interrupted at t = %.1f ms after %s", r.NowMs, fmtWall(r.Elapsed))
	case stopped:
		fmt.Fprintf(&b, ", stopped after %s", fmtWall(r.Elapsed))
	}
	return b.String()
}

// progressHTML formats the notebook bar: a native <progress> element and
// one line of text, kept on one line by <nobr>. It uses no inline styles:
// Jupyter's sanitiser for untrusted notebooks (e.g. an executed copy opened
// later) keeps <progress value max> and <nobr> but drops style attributes,
// so the bar looks the same trusted or not. The text alone carries all the
// information.
func progressHTML(label string, r astro.Progress, st state) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="%s"><nobr>`, ProgressClass)
	if label != "" {
		fmt.Fprintf(&b, `<b>%s</b> `, html.EscapeString(label))
	}
	pct := percent(r)
	fmt.Fprintf(&b, `<progress max="100" value="%d">%d %%</progress> `, pct, pct)
	switch st {
	case finished:
		fmt.Fprintf(&b, "done, %d %%, wall time %s", pct, fmtWall(r.Elapsed))
	case interrupted:
		fmt.Fprintf(&b, "interrupted at t = %.1f ms, %d %%, wall time %s", r.NowMs, pct, fmtWall(r.Elapsed))
	case stopped:
		fmt.Fprintf(&b, "stopped at %d %%, wall time %s", pct, fmtWall(r.Elapsed))
	default:
		fmt.Fprintf(&b, "%d %%", pct)
	}
	fmt.Fprintf(&b, ` &middot; t = %.1f / %.1f ms &middot; real-time factor %.4f</nobr></div>`,
		r.NowMs, r.EndMs, r.RealTimeFactor())
	return b.String()
}

// A bar's wall-clock figures, in either form (progressLine, progressHTML):
// the real-time factor, and the wall time after "done in", "after" and
// "wall time" (fmtWall's forms: "850 ms", "12.3 s", "1m23s").
var (
	barLine    = regexp.MustCompile(`\[[ 0-9]{3} %\] t = [^\r\n]*`)
	barHTML    = regexp.MustCompile(`<div class="` + regexp.QuoteMeta(ProgressClass) + `">.*?</div>`)
	barTimings = regexp.MustCompile(`real-time factor [^,<\s]+|(done in|after|wall time) ([0-9]+ ms|[0-9.]+ s|[0-9hms.]+)`)
)

// WithoutTimings returns text (a cell's output, text/plain or text/html)
// with the wall-clock figures of its progress bars removed: the real-time
// factors and wall times, which differ from run to run. The bars' model
// times and everything outside the bars are kept. Tools that compare or
// scan executed notebooks use it, so that a timing is neither a difference
// nor, by chance, the digits of some value.
func WithoutTimings(text string) string {
	mask := func(bar string) string { return barTimings.ReplaceAllString(bar, "") }
	return barHTML.ReplaceAllStringFunc(barLine.ReplaceAllStringFunc(text, mask), mask)
}

// fmtWall formats a wall-clock duration compactly (e.g. "12.3 s", "850 ms").
func fmtWall(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}
