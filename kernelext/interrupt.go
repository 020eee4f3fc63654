package kernelext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"

	"github.com/astronb/astronb/astro"
	"github.com/janpfeifer/gonb/gonbui"
)

// How a notebook's stop button reaches a cell: Jupyter sends the kernel's
// process group SIGINT, and GoNB sends the cell's program another one (and
// kills it 5 s later if it still runs). Without a handler the program dies
// of the first signal, the cell shows "signal: interrupt" twice and the work
// is lost. kernelext handles SIGINT itself, once per program (in a notebook
// from the start, elsewhere as soon as NewProgress or SimulateInterruptible
// is used):
//
//   - while SimulateInterruptible runs, an interrupt cancels it: the kernel
//     stops at the next slice boundary, consistent, and the cell goes on (to
//     keep the kernel, say) with an error that Interrupted recognises. Later
//     signals are ignored (they are the same stop), and later
//     SimulateInterruptible calls of the program return at once, interrupted;
//   - otherwise the program ends: the progress bars of the Simulate calls in
//     flight show "interrupted at t = … ms" as their final state, one line on
//     standard error says where the run was interrupted, and the program
//     exits — with status 0 in a notebook, so that GoNB adds no second
//     message, 130 (128 + SIGINT) elsewhere.

// ErrInterrupted is the cause of a run cancelled by an interrupt.
var ErrInterrupted = errors.New("interrupted")

var (
	interruptOnce sync.Once
	// interruptSeen is set by the first interrupt of the program.
	interruptSeen atomic.Bool
	// interruptHandled is set once an interrupt cancelled a run: from then
	// on the program winds down by itself, and signals are ignored.
	interruptHandled atomic.Bool
	// runs holds the cancel functions of the SimulateInterruptible calls in
	// flight.
	runs = struct {
		sync.Mutex
		m map[*context.CancelCauseFunc]struct{}
	}{m: map[*context.CancelCauseFunc]struct{}{}}
	// exitProgram ends the program after an unhandled interrupt; tests
	// replace it.
	exitProgram = os.Exit
	// interruptOut receives the line printed before that exit; nil means
	// os.Stderr.
	interruptOut io.Writer
)

func init() {
	if gonbui.IsNotebook {
		handleInterrupts()
	}
}

// interruptRequested reports whether the program has been interrupted.
func interruptRequested() bool { return interruptSeen.Load() }

// handleInterrupts installs the program's SIGINT handler (once).
func handleInterrupts() {
	interruptOnce.Do(func() {
		ch := make(chan os.Signal, 4)
		signal.Notify(ch, os.Interrupt)
		go func() {
			for range ch {
				onInterrupt()
			}
		}()
	})
}

// onInterrupt handles one SIGINT (see the comment at the top of this file).
func onInterrupt() {
	interruptSeen.Store(true)
	if interruptHandled.Load() {
		return
	}
	runs.Lock()
	cancels := make([]context.CancelCauseFunc, 0, len(runs.m))
	for c := range runs.m {
		cancels = append(cancels, *c)
	}
	if len(cancels) > 0 {
		interruptHandled.Store(true)
	}
	runs.Unlock()
	if len(cancels) > 0 {
		for _, cancel := range cancels {
			cancel(ErrInterrupted)
		}
		return
	}
	// Nothing can stop cleanly: end the program, with its bars' final state.
	msg := "Interrupted."
	for _, p := range activeBars.list() {
		p.interrupt()
		at, label := p.latestTime()
		msg = fmt.Sprintf("Interrupted at t = %.1f ms.", at)
		if label != "" {
			msg = fmt.Sprintf("%s: interrupted at t = %.1f ms.", label, at)
		}
	}
	if gonbui.IsNotebook {
		gonbui.Sync()
	}
	w := interruptOut
	if w == nil {
		w = os.Stderr
	}
	fmt.Fprintln(w, msg)
	if gonbui.IsNotebook {
		exitProgram(0)
		return
	}
	exitProgram(130)
}

// activeBars are the progress bars of the Simulate calls in flight.
var activeBars = barSet{m: map[*Progress]struct{}{}}

type barSet struct {
	mu sync.Mutex
	m  map[*Progress]struct{}
}

func (s *barSet) add(p *Progress) {
	s.mu.Lock()
	s.m[p] = struct{}{}
	s.mu.Unlock()
}

func (s *barSet) remove(p *Progress) {
	s.mu.Lock()
	delete(s.m, p)
	s.mu.Unlock()
}

func (s *barSet) list() []*Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Progress, 0, len(s.m))
	for p := range s.m {
		out = append(out, p)
	}
	return out
}

// InterruptError is the error of a run that an interrupt stopped. It wraps
// the kernel's error, which wraps context.Canceled.
type InterruptError struct {
	// AtMs is the model time at which the run stopped (ms): the kernel's
	// Time, from where a later Simulate continues.
	AtMs float64
	// EndMs is the model time at which the run was to end (ms).
	EndMs float64
	err   error
}

func (e *InterruptError) Error() string {
	return fmt.Sprintf("interrupted at t = %.1f ms (the run was to end at %.1f ms)", e.AtMs, e.EndMs)
}

func (e *InterruptError) Unwrap() error { return e.err }

// Interrupted reports whether err (or an error it wraps) is an
// *InterruptError, and if so the model time at which the run stopped (ms).
func Interrupted(err error) (atMs float64, ok bool) {
	var ie *InterruptError
	if errors.As(err, &ie) {
		return ie.AtMs, true
	}
	return 0, false
}

// SimulateInterruptible is k.Simulate(ms) that the notebook's stop button
// (or Control-C outside a notebook) ends without losing the work: the run
// stops at the next slice boundary (within milliseconds), its progress bar
// shows "interrupted at t = … ms", and it returns an *InterruptError (see
// Interrupted; it wraps context.Canceled). The kernel stays consistent: keep
// it (NotebookKernel.Keep) and a later cell continues from where it stopped
// exactly as if it had not been interrupted. Once the program has been
// interrupted, further calls return an *InterruptError at once, so a loop of
// runs ends too. GoNB kills a cell's program 5 s after the interrupt: what
// the cell does after an interrupted run must fit in that time.
func SimulateInterruptible(k *astro.Kernel, ms float64) error {
	handleInterrupts()
	start := k.Time()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	runs.Lock()
	runs.m[&cancel] = struct{}{}
	runs.Unlock()
	defer func() {
		runs.Lock()
		delete(runs.m, &cancel)
		runs.Unlock()
	}()
	if interruptRequested() {
		cancel(ErrInterrupted)
	}
	err := k.SimulateContext(ctx, ms)
	if err != nil && errors.Is(context.Cause(ctx), ErrInterrupted) {
		return &InterruptError{AtMs: k.Time(), EndMs: start + ms, err: err}
	}
	return err
}
