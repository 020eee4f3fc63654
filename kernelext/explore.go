package kernelext

import (
	"errors"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/astronb/astronb/astro"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// Param is one parameter of an explorer (Explore), set with a slider.
type Param struct {
	// Name is shown next to the slider (plain text).
	Name string
	// Unit follows the value ("Hz"; "" for none).
	Unit string
	// Min, Max and Step give the slider's range and resolution, in the
	// parameter's unit: Step > 0, Min < Max, at most MaxSliderSteps steps.
	Min, Max, Step float64
	// Value is the initial value, in [Min, Max]; it is rounded to a step.
	Value float64
}

// MaxSliderSteps is the most positions a Param's slider may have.
const MaxSliderSteps = 10000

// ExplorerClass is the CSS class of the element that holds an explorer's
// sliders; the browser test finds them by it.
const ExplorerClass = "astronb-explorer"

var (
	// ExploreWait is how long Explore waits for the notebook's front end to
	// build the sliders before it concludes that there is none (a headless
	// run: nbrun, nbconvert). It counts from when the sliders are shown,
	// and the initial values run meanwhile: the wait ends at the later of
	// ExploreWait and the end of that run.
	ExploreWait = 10 * time.Second
	// ExploreIdle ends an explorer after this long without a slider move.
	ExploreIdle = 10 * time.Minute
)

// steps returns the number of steps of p's slider and the position of its
// initial value, or an error naming the parameter.
func (p Param) steps() (n, pos int, err error) {
	switch {
	case p.Name == "":
		return 0, 0, errors.New("kernelext: Explore: a parameter has no name")
	case !(p.Step > 0) || math.IsInf(p.Step, 0):
		return 0, 0, fmt.Errorf("kernelext: Explore: %s: step = %g: must be > 0 and finite", p.Name, p.Step)
	case !(p.Min < p.Max) || math.IsInf(p.Min, 0) || math.IsInf(p.Max, 0):
		return 0, 0, fmt.Errorf("kernelext: Explore: %s: range [%g, %g]: must be finite with min < max", p.Name, p.Min, p.Max)
	case !(p.Value >= p.Min && p.Value <= p.Max):
		return 0, 0, fmt.Errorf("kernelext: Explore: %s: value = %g: must be in [%g, %g]", p.Name, p.Value, p.Min, p.Max)
	}
	steps := math.Round((p.Max - p.Min) / p.Step)
	if steps < 1 || steps > MaxSliderSteps {
		return 0, 0, fmt.Errorf("kernelext: Explore: %s: (max - min) / step = %g: must be in [1, %d]", p.Name, steps, MaxSliderSteps)
	}
	return int(steps), int(math.Round((p.Value - p.Min) / p.Step)), nil
}

// at returns the value at slider position pos.
func (p Param) at(pos int) float64 { return p.Min + float64(pos)*p.Step }

// valuesAt returns the values of params at slider positions pos.
func valuesAt(params []Param, pos []int) []float64 {
	v := make([]float64, len(params))
	for i, p := range params {
		v[i] = p.at(pos[i])
	}
	return v
}

// describe formats the values, e.g. "w_a2n = 0.01, Poisson rate = 2000 Hz".
func describe(params []Param, values []float64) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = fmt.Sprintf("%s = %g", p.Name, values[i])
		if p.Unit != "" {
			parts[i] += " " + p.Unit
		}
	}
	return strings.Join(parts, ", ")
}

// Explore is a live explorer for a notebook cell: a slider for each of
// params and the figures that run draws for their values. run gets the
// values (in the order of params) and a progress callback for its kernel
// (astro.Kernel.SetProgress), and returns the figures to show. Explore calls
// it for the initial values, then again with the newest values after each
// slider move; the figures replace the previous ones in place, and one
// progress bar, labelled with the values, shows every run. The cell runs
// until it is stopped (■) or ExploreIdle passes without a move; a move
// during a run is taken when the run ends.
//
// Without a live front end (a headless run, where no browser shows the
// sliders) Explore runs once for the initial values, shows their figures,
// says so and returns; outside a notebook it runs once and writes the
// figures like Display.
func Explore(params []Param, run func(values []float64, progress func(astro.Progress)) ([]Figure, error)) error {
	if len(params) == 0 {
		return errors.New("kernelext: Explore: no parameters")
	}
	if run == nil {
		return errors.New("kernelext: Explore: nil run function")
	}
	pos := make([]int, len(params))
	n := make([]int, len(params))
	for i, p := range params {
		var err error
		if n[i], pos[i], err = p.steps(); err != nil {
			return err
		}
	}
	values := func() []float64 { return valuesAt(params, pos) }
	if !gonbui.IsNotebook {
		v := values()
		figs, err := run(v, NewProgress(describe(params, v)))
		if err != nil {
			return err
		}
		return Display(figs...)
	}

	handleInterrupts()
	e := &explorer{params: params, run: run, bar: "astronb_explorer_bar_" + gonbui.UniqueId(),
		view: NewView(), controls: "astronb_explorer_" + gonbui.UniqueId()}
	done := make(chan struct{})
	defer close(done)
	// The front end builds the sliders while the initial values run; each
	// slider is listened to from the moment it is built, so that a move
	// during the initial run is taken when it ends.
	start := time.Now()
	moves := make(chan move, 64)
	ready := e.showSliders(n, pos, moves, done)
	e.runOnce(values())
	live := false
	select {
	case <-ready:
		live = true
	default:
		select {
		case <-ready:
			live = true
		case <-time.After(ExploreWait - time.Since(start)):
		}
	}
	if !live {
		gonbui.UpdateHTML(e.controls, fmt.Sprintf(`<div class="%s">%s <i>(no live front end answered within %v: the sliders need Jupyter in a browser; in one, run this cell again)</i></div>`,
			ExplorerClass, html.EscapeString(describe(params, values())), ExploreWait))
		gonbui.Sync()
		fmt.Printf("Shown for %s; in a live notebook, sliders change them.\n", describe(params, values()))
		return nil
	}
	follow(moves, pos, n, ExploreIdle, func(pos []int) { e.runOnce(valuesAt(params, pos)) })
	fmt.Printf("Explorer closed after %v without a change; run the cell again to reopen it.\n", ExploreIdle)
	return nil
}

// move is one slider's new position.
type move struct{ slider, pos int }

// follow takes the sliders' moves until idle passes without one. After a
// move it takes every move already waiting, so that a run starts from the
// newest position of each slider (clamped to [0, n[i]]), and calls run for
// the positions unless they equal those of the last run. pos holds the
// positions of the run already shown.
func follow(moves <-chan move, pos, n []int, idle time.Duration, run func(pos []int)) {
	timer := time.NewTimer(idle)
	defer timer.Stop()
	last := slices.Clone(pos)
	for {
		select {
		case m := <-moves:
			pos[m.slider] = min(max(m.pos, 0), n[m.slider])
			for pending := true; pending; {
				select {
				case m := <-moves:
					pos[m.slider] = min(max(m.pos, 0), n[m.slider])
				default:
					pending = false
				}
			}
			if slices.Equal(pos, last) {
				continue
			}
			copy(last, pos)
			run(slices.Clone(pos))
			timer.Reset(idle)
		case <-timer.C:
			return
		}
	}
}

// explorer is the state of one Explore call in a notebook.
type explorer struct {
	params   []Param
	run      func([]float64, func(astro.Progress)) ([]Figure, error)
	bar      string // display id of the progress bar, shared by all runs
	controls string // display id of the sliders' output
	view     *View
}

// showSliders shows the sliders and builds them in the front end in the
// background; each one's moves go to moves (until done is closed) from the
// moment it is built. The returned channel is closed once the front end
// has built them all.
func (e *explorer) showSliders(n, pos []int, moves chan<- move, done <-chan struct{}) <-chan struct{} {
	var b strings.Builder
	fmt.Fprintf(&b, `<table class="%s">`, ExplorerClass)
	ids := make([]string, len(e.params))
	for i, p := range e.params {
		ids[i] = fmt.Sprintf("%s_%d", e.controls, i)
		unit := ""
		if p.Unit != "" {
			unit = " " + html.EscapeString(p.Unit)
		}
		fmt.Fprintf(&b, `<tr><td><b>%s</b></td><td>%g</td><td id="%s" width="320"></td><td>%g%s</td></tr>`,
			html.EscapeString(p.Name), p.Min, ids[i], p.Max, unit)
	}
	b.WriteString(`</table>`)
	gonbui.UpdateHTML(e.controls, b.String())
	gonbui.Sync()
	ready := make(chan struct{})
	go func() {
		for i := range e.params {
			s := widgets.Slider(0, n[i], pos[i]).AppendTo(ids[i]).
				WithHtmlId(ids[i] + "_range").Done() // waits for the front end
			c := s.Listen()
			go func() {
				for v := range c.C {
					select {
					case moves <- move{i, v}:
					case <-done:
						return
					}
				}
			}()
		}
		close(ready)
	}()
	return ready
}

// runOnce runs for values and shows the figures in place.
func (e *explorer) runOnce(values []float64) {
	label := describe(e.params, values)
	p := &Progress{Label: label, Interval: DefaultProgressInterval, Notebook: true, Now: newProgressClock, id: e.bar}
	figs, err := e.run(values, p.Report)
	if err != nil {
		gonbui.UpdateHTML(e.bar, fmt.Sprintf(`<div class="%s"><b>%s</b>: %s</div>`,
			ProgressClass, html.EscapeString(label), html.EscapeString(err.Error())))
		gonbui.Sync()
		return
	}
	if err := e.view.Show(figs...); err != nil {
		gonbui.UpdateHTML(e.bar, fmt.Sprintf(`<div class="%s"><b>%s</b>: %s</div>`,
			ProgressClass, html.EscapeString(label), html.EscapeString(err.Error())))
		gonbui.Sync()
	}
}
