package nbrun

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestRunNoGoroutineLeak checks that Run leaves no goroutines behind
// (readers, process waiters, sockets).
func TestRunNoGoroutineLeak(t *testing.T) {
	opts := gonbSetup(t)
	opts.Log = nil
	dir := t.TempDir()
	opts.Notebook = writeNotebook(t, dir, "leak.ipynb", "%%\nprintln(1)")
	opts.OutDir = filepath.Join(dir, "out")
	before := runtime.NumGoroutine()
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	var after int
	for range 50 {
		if after = runtime.NumGoroutine(); after <= before {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Errorf("goroutines: %d before Run, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
}
