package kernelext

import (
	"fmt"
	"html"
	"io"
	"os"
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
// passed since the last rendered one. A report that follows a Done report
// starts a new bar (notebook) or a new line (terminal), so each Simulate call
// keeps its own final state.
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
	id       string    // display id of the current notebook bar
	lastLine int       // length of the last terminal line, to blank leftovers
}

// NewProgress returns a callback for astro's Kernel.SetProgress that shows
// the progress of each Simulate call under the given label: a live HTML bar
// in a GoNB notebook, a "\r" line on standard error otherwise, updated at
// most every DefaultProgressInterval (plus the first and the final report).
func NewProgress(label string) func(astro.Progress) {
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
	if !first && !r.Done && now.Sub(p.last) < p.Interval {
		return
	}
	p.last = now
	p.started = !r.Done
	if p.Notebook {
		if first {
			p.id = "astronb_progress_" + gonbui.UniqueId()
		}
		p.doUpdate(p.id, progressHTML(p.Label, r), progressLine(p.Label, r))
		if r.Done {
			p.doSync()
		}
		return
	}
	p.writeLine(r, first)
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

func (p *Progress) writeLine(r astro.Progress, first bool) {
	w := p.Out
	if w == nil {
		w = os.Stderr
	}
	if first {
		p.lastLine = 0
	}
	line := progressLine(p.Label, r)
	pad := ""
	if n := len(line); n < p.lastLine {
		pad = strings.Repeat(" ", p.lastLine-n)
	}
	p.lastLine = len(line)
	end := ""
	if r.Done {
		end = "\n"
	}
	fmt.Fprint(w, "\r"+line+pad+end)
}

// percent returns the completed percentage, rounded down so that 100 % is
// shown only when the run really is complete.
func percent(r astro.Progress) int {
	return int(r.Fraction() * 100)
}

// finished reports whether a Done report reached the end of its run (a run
// stopped by an error reports Done early).
func finished(r astro.Progress) bool {
	return r.Done && r.Fraction() >= 1
}

// progressLine formats a terminal line in the spirit of NEST's print_time.
func progressLine(label string, r astro.Progress) string {
	var b strings.Builder
	if label != "" {
		b.WriteString(label)
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "[%3d %%] t = %.1f / %.1f ms, real-time factor %.4f",
		percent(r), r.NowMs, r.EndMs, r.RealTimeFactor())
	switch {
	case finished(r):
		fmt.Fprintf(&b, ", done in %s", fmtWall(r.Elapsed))
	case r.Done:
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
func progressHTML(label string, r astro.Progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="%s"><nobr>`, ProgressClass)
	if label != "" {
		fmt.Fprintf(&b, `<b>%s</b> `, html.EscapeString(label))
	}
	pct := percent(r)
	fmt.Fprintf(&b, `<progress max="100" value="%d">%d %%</progress> `, pct, pct)
	switch {
	case finished(r):
		fmt.Fprintf(&b, "done, %d %%, wall time %s", pct, fmtWall(r.Elapsed))
	case r.Done:
		fmt.Fprintf(&b, "stopped at %d %%, wall time %s", pct, fmtWall(r.Elapsed))
	default:
		fmt.Fprintf(&b, "%d %%", pct)
	}
	fmt.Fprintf(&b, ` &middot; t = %.1f / %.1f ms &middot; real-time factor %.4f</nobr></div>`,
		r.NowMs, r.EndMs, r.RealTimeFactor())
	return b.String()
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
