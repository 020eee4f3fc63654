package astro

import (
	"bytes"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Save from another goroutine while Simulate runs used to panic (index out
// of range in rowStore.each ← saveProjection) or write a torn snapshot that
// loaded silently. Now every Save either gets "busy" or, when it arrives
// while Simulate waits for its progress callback, writes a consistent
// snapshot: one that, continued to the end, gives exactly the spikes and
// traces of the uninterrupted run.
func TestSaveDuringSimulate(t *testing.T) {
	const total = 40.0
	build := func() (*Kernel, NodeCollection, NodeCollection) {
		k := mustKernel(t, KernelConfig{LocalNumThreads: 2})
		sr, mm := smallNet(t, k)
		return k, sr, mm
	}
	ref, rsr, rmm := build()
	if err := ref.Simulate(total); err != nil {
		t.Fatal(err)
	}
	want := record(t, ref, rsr, rmm)

	k, sr, mm := build()
	var slices atomic.Int64
	started := make(chan struct{})
	k.SetProgress(func(Progress) {
		switch n := slices.Add(1); {
		case n == 1:
			close(started) // Simulate holds the kernel: start saving
		case n%8 == 0:
			time.Sleep(2 * time.Millisecond) // room for a Save in the pause
		}
	})
	var (
		saved      [][]byte
		busy, runs int
		wg         sync.WaitGroup
		stop       atomic.Bool
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-started
		for !stop.Load() {
			var buf bytes.Buffer
			err := k.Save(&buf)
			runs++
			switch {
			case err == nil:
				if len(saved) < 4 {
					saved = append(saved, buf.Bytes())
				}
			case strings.Contains(err.Error(), "busy"):
				busy++
			default:
				t.Errorf("Save during Simulate: %v", err)
				return
			}
			runtime.Gosched()
		}
	}()
	within(t, 5*bound, func() { // -race with a goroutine saving without pause
		if err := k.Simulate(total); err != nil {
			t.Error(err)
		}
	})
	stop.Store(true)
	wg.Wait()
	if diff := sameRecordings(record(t, k, sr, mm), want); diff != "" {
		t.Fatalf("the run with concurrent saves: %s", diff)
	}
	t.Logf("%d saves during %d slices: %d refused as busy, %d consistent kept", runs, slices.Load(), busy, len(saved))
	if busy == 0 {
		t.Errorf("no Save was refused during Simulate (%d tries)", runs)
	}
	for i, snap := range saved {
		k2, err := Load(bytes.NewReader(snap))
		if err != nil {
			t.Fatalf("snapshot %d: %v", i, err)
		}
		if err := k2.Simulate(total - k2.Time()); err != nil {
			t.Fatal(err)
		}
		if diff := sameRecordings(record(t, k2, sr, mm), want); diff != "" {
			t.Errorf("snapshot %d (t = %g ms) continued: %s", i, k2.Time(), diff)
		}
	}
}

// Saves and reading calls from the progress callback still work, and a
// snapshot taken there continues bit for bit.
func TestSaveFromProgressCallback(t *testing.T) {
	const total = 30.0
	ref := mustKernel(t, KernelConfig{})
	rsr, rmm := smallNet(t, ref)
	if err := ref.Simulate(total); err != nil {
		t.Fatal(err)
	}
	want := record(t, ref, rsr, rmm)

	k := mustKernel(t, KernelConfig{})
	sr, mm := smallNet(t, k)
	var snap []byte
	var errs []error
	k.SetProgress(func(p Progress) {
		if snap == nil && p.NowMs >= 13 {
			var buf bytes.Buffer
			errs = append(errs, k.Save(&buf))
			snap = buf.Bytes()
			_, err := k.GetStatus(sr)
			errs = append(errs, err)
			_, err = k.SpikeEvents(sr)
			errs = append(errs, err)
			_, err = k.MultimeterEvents(mm)
			errs = append(errs, err)
		}
	})
	if err := k.Simulate(total); err != nil {
		t.Fatal(err)
	}
	for _, err := range errs {
		if err != nil {
			t.Errorf("reading call from the progress callback: %v", err)
		}
	}
	if snap == nil {
		t.Fatal("callback not called")
	}
	k2, err := Load(bytes.NewReader(snap))
	if err != nil {
		t.Fatal(err)
	}
	if err := k2.Simulate(total - k2.Time()); err != nil {
		t.Fatal(err)
	}
	if diff := sameRecordings(record(t, k2, sr, mm), want); diff != "" {
		t.Errorf("snapshot from the callback at %g ms continued: %s", k2.Time(), diff)
	}
}
