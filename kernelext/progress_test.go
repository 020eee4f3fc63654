package kernelext

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/astronb/astronb/astro"
)

// fakeClock is a manually advanced clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func report(now float64, el time.Duration, done bool) astro.Progress {
	return astro.Progress{StartMs: 0, EndMs: 1100, NowMs: now, Elapsed: el, Done: done}
}

func TestProgressTerminal(t *testing.T) {
	var out strings.Builder
	clk := &fakeClock{t: time.Unix(1000, 0)}
	p := &Progress{Label: "sim", Interval: 250 * time.Millisecond, Out: &out, Now: clk.now}

	p.Report(report(10, 10*time.Millisecond, false)) // first: shown
	clk.add(100 * time.Millisecond)
	p.Report(report(100, 110*time.Millisecond, false)) // too soon: dropped
	clk.add(100 * time.Millisecond)
	p.Report(report(200, 210*time.Millisecond, false)) // 200 ms since shown: dropped
	clk.add(60 * time.Millisecond)
	p.Report(report(550, 270*time.Millisecond, false)) // 260 ms: shown
	clk.add(10 * time.Millisecond)
	p.Report(report(1100, 2200*time.Millisecond, true)) // Done: always shown

	got := out.String()
	lines := strings.Split(got, "\r")[1:]
	if len(lines) != 3 {
		t.Fatalf("got %d updates, want 3: %q", len(lines), got)
	}
	if want := "sim [  0 %] t = 10.0 / 1100.0 ms, real-time factor 1.0000"; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], "sim [ 50 %] t = 550.0 / 1100.0 ms, real-time factor 2.0370") {
		t.Errorf("middle line %q", lines[1])
	}
	want := "sim [100 %] t = 1100.0 / 1100.0 ms, real-time factor 0.5000, done in 2.2 s\n"
	if lines[2] != want {
		t.Errorf("final line %q, want %q", lines[2], want)
	}
	if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") {
		t.Errorf("want exactly one newline, at the end: %q", got)
	}

	// A second Simulate call starts a fresh line, first report shown at
	// once; it continues the first (starts where it ended), so the line
	// spans both: 0 → 1200 ms, wall time added up.
	out.Reset()
	p.Report(astro.Progress{StartMs: 1100, EndMs: 1200, NowMs: 1101, Elapsed: time.Millisecond})
	p.Report(astro.Progress{StartMs: 1100, EndMs: 1200, NowMs: 1150, Elapsed: 50 * time.Millisecond, Done: true})
	if got := out.String(); !strings.HasPrefix(got, "\rsim [ 91 %] t = 1101.0 / 1200.0 ms") ||
		!strings.Contains(got, "stopped after 2.2 s\n") {
		t.Errorf("second run: %q", got)
	}
	// A call that does not continue (another kernel, from 0) starts afresh.
	out.Reset()
	p.Report(astro.Progress{StartMs: 0, EndMs: 100, NowMs: 50, Elapsed: 10 * time.Millisecond})
	if got := out.String(); !strings.HasPrefix(got, "\rsim [ 50 %] t = 50.0 / 100.0 ms, real-time factor 5.0000") {
		t.Errorf("unrelated run: %q", got)
	}
}

func TestProgressTerminalPadsShorterLines(t *testing.T) {
	var out strings.Builder
	p := &Progress{Out: &out}
	p.Report(report(1000, 10*time.Second, false)) // real-time factor 0.1000
	p.Report(report(1050, time.Second, false))    // same length…
	p.Report(report(5, time.Millisecond, true))   // shorter numbers, longer suffix
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r")[1:]
	for i := 1; i < len(lines); i++ {
		if len(lines[i]) < len(lines[i-1]) {
			t.Errorf("line %d (%q) shorter than previous (%q): leftovers stay visible", i, lines[i], lines[i-1])
		}
	}
}

func TestProgressNotebook(t *testing.T) {
	type upd struct{ id, html, text string }
	var (
		mu    sync.Mutex
		ups   []upd
		syncs int
	)
	clk := &fakeClock{t: time.Unix(0, 0)}
	p := &Progress{
		Label: "a<b>", Interval: time.Second, Notebook: true, Now: clk.now,
		update: func(id, h, text string) { mu.Lock(); ups = append(ups, upd{id, h, text}); mu.Unlock() },
		sync:   func() { syncs++ },
	}
	for i := 0; i <= 10; i++ {
		clk.add(300 * time.Millisecond)
		p.Report(report(float64(i*100), time.Duration(i)*300*time.Millisecond, false))
	}
	p.Report(report(1100, 3500*time.Millisecond, true))
	// Shown: first (i=0, clock 0.3 s), then ≥1 s later: i=4 (1.5 s), i=8 (2.7 s); Done.
	if len(ups) != 4 {
		t.Fatalf("%d updates, want 4", len(ups))
	}
	id := ups[0].id
	if !strings.HasPrefix(id, "astronb_progress_") {
		t.Errorf("display id %q", id)
	}
	for _, u := range ups {
		if u.id != id {
			t.Errorf("display id changed: %q then %q", id, u.id)
		}
		if !strings.Contains(u.html, "<b>a&lt;b&gt;</b>") {
			t.Errorf("label not escaped: %s", u.html)
		}
	}
	if !strings.Contains(ups[1].html, "36 %") || !strings.Contains(ups[1].html, "t = 400.0 / 1100.0 ms") {
		t.Errorf("middle update: %s", ups[1].html)
	}
	final := ups[3].html
	for _, s := range []string{`class="` + ProgressClass + `"`, `<progress max="100" value="100">`,
		"done, 100 %", "wall time 3.5 s", "t = 1100.0 / 1100.0 ms", "real-time factor 0.3143", "<nobr>"} {
		if !strings.Contains(final, s) {
			t.Errorf("final HTML lacks %q: %s", s, final)
		}
	}
	// Jupyter's sanitiser for untrusted notebooks drops style attributes.
	for _, u := range ups {
		if strings.Contains(u.html, "style=") {
			t.Errorf("bar uses inline styles: %s", u.html)
		}
	}
	if want := "a<b> [100 %] t = 1100.0 / 1100.0 ms, real-time factor 0.3143, done in 3.5 s"; ups[3].text != want {
		t.Errorf("final text/plain %q, want %q", ups[3].text, want)
	}
	if !strings.Contains(ups[1].html, `<progress max="100" value="36">`) {
		t.Errorf("middle update: %s", ups[1].html)
	}
	if syncs != 1 {
		t.Errorf("Sync called %d times, want 1 (at Done)", syncs)
	}
	// A new Simulate call updates the same bar: one bar per callback.
	p.Report(report(0, 0, false))
	if ups[4].id != id {
		t.Errorf("second run got display id %q, want the bar's %q", ups[4].id, id)
	}
}

// A run of two Simulate calls (pre-simulation and simulation) reported to
// one callback is one bar from 0 to the end, not two bars.
func TestProgressOneBarPerRun(t *testing.T) {
	var ids, htmls []string
	p := &Progress{Label: "run", Notebook: true,
		update: func(id, h, text string) { ids = append(ids, id); htmls = append(htmls, h) },
		sync:   func() {},
	}
	p.Report(astro.Progress{StartMs: 0, EndMs: 100, NowMs: 0})
	p.Report(astro.Progress{StartMs: 0, EndMs: 100, NowMs: 100, Elapsed: time.Second, Done: true})
	p.Report(astro.Progress{StartMs: 100, EndMs: 1100, NowMs: 100})
	p.Report(astro.Progress{StartMs: 100, EndMs: 1100, NowMs: 600, Elapsed: time.Second})
	p.Report(astro.Progress{StartMs: 100, EndMs: 1100, NowMs: 1100, Elapsed: 2 * time.Second, Done: true})
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("display ids %q: want one bar", ids)
		}
	}
	for i, want := range []string{`value="9"`, `value="54"`, "done, 100 %, wall time 3.0 s &middot; t = 1100.0 / 1100.0 ms"} {
		if !strings.Contains(htmls[i+2], want) {
			t.Errorf("update %d lacks %q: %s", i+2, want, htmls[i+2])
		}
	}
}

// resetInterrupts clears the program's interrupt state after a test and
// replaces the exit of an unhandled interrupt; it returns the exit codes
// and the printed line.
func resetInterrupts(t *testing.T) (codes *[]int, out *strings.Builder) {
	t.Helper()
	codes, out = new([]int), new(strings.Builder)
	oldExit, oldOut := exitProgram, interruptOut
	exitProgram = func(c int) { *codes = append(*codes, c) }
	interruptOut = out
	clear := func() {
		interruptSeen.Store(false)
		interruptHandled.Store(false)
		activeBars.mu.Lock()
		activeBars.m = map[*Progress]struct{}{} // bars other tests left running
		activeBars.mu.Unlock()
	}
	clear()
	t.Cleanup(func() { clear(); exitProgram, interruptOut = oldExit, oldOut })
	return codes, out
}

// A run stopped by an interrupt keeps "interrupted at t = … ms" as the
// bar's final state; one stopped otherwise says "stopped".
func TestProgressInterruptedFinalState(t *testing.T) {
	resetInterrupts(t)
	var last, text string
	p := &Progress{Label: "sim", Notebook: true,
		update: func(id, h, tx string) { last, text = h, tx },
		sync:   func() {},
	}
	p.Report(report(0, 0, false))
	p.Report(report(432.1, time.Second, true))
	if !strings.Contains(last, "stopped at 39 %") || strings.Contains(last, "interrupted") {
		t.Errorf("error stop: %s", last)
	}
	interruptSeen.Store(true)
	p.Report(report(0, 0, false))
	p.Report(report(432.1, time.Second, true))
	if !strings.Contains(last, `<progress max="100" value="39">`) || !strings.Contains(last, "interrupted at t = 432.1 ms, 39 %") {
		t.Errorf("interrupted bar: %s", last)
	}
	if !strings.Contains(text, "interrupted at t = 432.1 ms after 1.0 s") {
		t.Errorf("interrupted text/plain: %q", text)
	}
}

// An interrupt while a plain Simulate runs (nothing can stop it cleanly)
// ends the program: the bars in flight show their interrupted state, one
// line says where, and the exit status is 130 outside a notebook.
func TestInterruptEndsPlainRun(t *testing.T) {
	codes, out := resetInterrupts(t)
	var bar bytes.Buffer
	p := &Progress{Label: "Simulation", Out: &bar}
	p.Report(report(0, 0, false))
	p.Report(report(250, time.Second, false))
	onInterrupt()
	if len(*codes) != 1 || (*codes)[0] != 130 {
		t.Fatalf("exit codes %v, want [130]", *codes)
	}
	if got, want := out.String(), "Simulation: interrupted at t = 250.0 ms.\n"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	if !strings.HasSuffix(bar.String(), ", interrupted at t = 250.0 ms after 1.0 s\n") {
		t.Errorf("bar: %q", bar.String())
	}
	// A finished bar is not in flight: its final state stays.
	bar.Reset()
	p.Report(report(1100, 2*time.Second, true))
	bar.Reset()
	onInterrupt()
	if bar.Len() != 0 || out.String() != "Simulation: interrupted at t = 250.0 ms.\nInterrupted.\n" {
		t.Errorf("after the run: bar %q, lines %q", bar.String(), out.String())
	}
}

func TestNewProgressOutsideNotebook(t *testing.T) {
	f := NewProgress("x")
	if f == nil {
		t.Fatal("nil callback")
	}
	got := captureFile(t, &os.Stderr, func() { f(report(1100, time.Second, true)) })
	if want := "\rx [100 %] t = 1100.0 / 1100.0 ms, real-time factor 1.1000, done in 1.0 s\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}

// WithoutTimings removes every wall-clock figure of a bar as rendered, in
// both forms and every state, whatever the duration's form: the masked bar
// is the same for any wall time. It keeps the label, the model times and
// the text outside bars.
func TestWithoutTimings(t *testing.T) {
	const outside = "after 432 ms, real-time factor 0.4282, done in 4.3 s\n"
	for _, el := range []time.Duration{432 * time.Millisecond, 4321 * time.Millisecond, 432*time.Second + 100*time.Millisecond} {
		r := astro.Progress{StartMs: 0, EndMs: 1100, NowMs: 185, Elapsed: el}
		ref := r
		ref.Elapsed = time.Nanosecond
		for _, st := range []state{running, finished, interrupted, stopped} {
			for _, form := range []func(string, astro.Progress, state) string{progressLine, progressHTML} {
				bar := form("run 432", r, st)
				got := WithoutTimings(outside + bar + "\n" + outside)
				want := WithoutTimings(outside + form("run 432", ref, st) + "\n" + outside)
				if got != want {
					t.Errorf("state %d, wall time %v: masked\n%q\ndiffers from the same bar with another wall time, masked:\n%q", st, el, got, want)
				}
				if !strings.HasPrefix(got, outside) || !strings.HasSuffix(got, outside) {
					t.Errorf("state %d, wall time %v: the text outside the bar changed: %q", st, el, got)
				}
				if !strings.Contains(got, "t = 185.0 / 1100.0 ms") || !strings.Contains(got, "run 432") {
					t.Errorf("state %d, wall time %v: the model time or the label is lost: %q", st, el, got)
				}
			}
		}
	}
}
