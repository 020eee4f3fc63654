package kernelext

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/astronb/astronb/astro"
)

func TestExploreParamErrors(t *testing.T) {
	ok := Param{Name: "w", Min: 0, Max: 0.1, Step: 0.01, Value: 0.05}
	for _, c := range []struct {
		p    Param
		want string
	}{
		{Param{Min: 0, Max: 1, Step: 0.5}, "a parameter has no name"},
		{Param{Name: "rate", Min: 0, Max: 1, Step: 0}, "rate: step = 0: must be > 0"},
		{Param{Name: "rate", Min: 1, Max: 1, Step: 0.1, Value: 1}, "rate: range [1, 1]"},
		{Param{Name: "rate", Min: 0, Max: 1, Step: 0.1, Value: 2}, "rate: value = 2: must be in [0, 1]"},
		{Param{Name: "rate", Min: 0, Max: 1e9, Step: 1}, "rate: (max - min) / step = 1e+09: must be in [1, 10000]"},
	} {
		err := Explore([]Param{ok, c.p}, func([]float64, func(astro.Progress)) ([]Figure, error) {
			t.Fatal("run called with bad parameters")
			return nil, nil
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.p, err, c.want)
		}
	}
	if err := Explore(nil, nil); err == nil {
		t.Error("no parameters accepted")
	}
}

// Outside a notebook an explorer runs once, for the initial values (rounded
// to a step), and writes the figures.
func TestExploreOutsideNotebook(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(FiguresEnv, dir)
	var calls [][]float64
	params := []Param{{Name: "w", Min: 0, Max: 0.1, Step: 0.01, Value: 0.031}, {Name: "rate", Unit: "Hz", Min: 1000, Max: 3000, Step: 100, Value: 2000}}
	err := Explore(params, func(v []float64, progress func(astro.Progress)) ([]Figure, error) {
		calls = append(calls, v)
		if progress == nil {
			t.Error("nil progress callback")
		}
		return []Figure{newFake("explored")}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0][0] != 0.03 || calls[0][1] != 2000 {
		t.Fatalf("run calls %v, want one with [0.03 2000]", calls)
	}
	if _, err := os.Stat(filepath.Join(dir, "explored.svg")); err != nil {
		t.Error(err)
	}
	if got := describe(params, calls[0]); got != "w = 0.03, rate = 2000 Hz" {
		t.Errorf("describe = %q", got)
	}
	boom := errors.New("boom")
	if err := Explore(params, func([]float64, func(astro.Progress)) ([]Figure, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("run's error: %v", err)
	}
}

// Moves made while a run is under way (here: before follow starts, as
// during the initial run) are taken together when it ends: one run for the
// newest position of each slider; a move back to the shown positions runs
// nothing; positions out of range are clamped; follow ends when idle
// passes without a move.
func TestExploreFollowTakesMovesMadeDuringARun(t *testing.T) {
	moves := make(chan move, 8)
	moves <- move{0, 3}
	moves <- move{1, 5}
	moves <- move{0, 4}
	var runs [][]int
	pos := []int{1, 1}
	ended := make(chan struct{})
	go func() {
		follow(moves, pos, []int{10, 6}, 300*time.Millisecond, func(p []int) {
			runs = append(runs, p)
			switch len(runs) {
			case 1:
				moves <- move{0, 4} // the positions just run: nothing to do
				moves <- move{1, 5}
				moves <- move{1, 99} // clamped to 6
			case 2:
				moves <- move{1, 99} // unchanged after clamping
			}
		})
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(time.Minute):
		t.Fatal("follow did not end after its idle time")
	}
	want := [][]int{{4, 5}, {4, 6}}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("runs %v, want %v", runs, want)
	}
}
