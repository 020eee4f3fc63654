package nbrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Environment of TestHelperRunner, the runner process that
// TestKill9RunnerLeavesNothing kills.
const (
	helperNotebookEnv = "NBRUN_TEST_HELPER_NOTEBOOK"
	helperOutEnv      = "NBRUN_TEST_HELPER_OUT"
)

// TestHelperRunner is not a test: it is the runner process of
// TestKill9RunnerLeavesNothing (the test binary run again).
func TestHelperRunner(t *testing.T) {
	nb := os.Getenv(helperNotebookEnv)
	if nb == "" {
		t.Skip("helper process of TestKill9RunnerLeavesNothing")
	}
	opts := gonbSetup(t)
	opts.Notebook, opts.OutDir = nb, os.Getenv(helperOutEnv)
	_, err := Run(context.Background(), opts)
	t.Errorf("the helper runner should have been killed; Run returned %v", err)
}

// slowCellNotebook writes a notebook whose cell records its pid and process
// group in marker and then runs for minutes.
func slowCellNotebook(t *testing.T, dir, marker string) string {
	return writeNotebook(t, dir, "slow.ipynb", fmt.Sprintf(`import (
	"fmt"
	"os"
	"syscall"
	"time"
)

%%%%
_ = os.WriteFile(%q+".tmp", []byte(fmt.Sprintf("%%d %%d %%s", os.Getpid(), syscall.Getpgrp(), os.Getenv("GONB_TMP_DIR"))), 0o644)
_ = os.Rename(%q+".tmp", %q)
fmt.Println("cell running")
time.Sleep(5 * time.Minute)`, marker, marker, marker))
}

// waitMarker waits for the cell's marker file and returns the cell's pid,
// process group and GoNB temp folder.
func waitMarker(t *testing.T, marker string, exited <-chan struct{}) (pid, pgid int, gonbTmp string) {
	t.Helper()
	deadline := time.After(3 * time.Minute) // cold Go caches make the first cell slow.
	for {
		if b, err := os.ReadFile(marker); err == nil {
			if _, err := fmt.Sscan(string(b), &pid, &pgid, &gonbTmp); err != nil {
				t.Fatalf("marker %q: %v", b, err)
			}
			return pid, pgid, gonbTmp
		}
		select {
		case <-deadline:
			t.Fatal("the cell did not start within 3 minutes")
		case <-exited:
			t.Fatal("the runner exited before the cell started")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// groupGone reports whether no process of process group pgid is left.
func groupGone(pgid int) bool {
	return errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}

// TestKill9RunnerLeavesNothing kills the runner with SIGKILL while a cell
// runs: within 5 s no process of the kernel's group (kernel, cell program)
// may be left, nor GoNB's gopls (in a group of its own, found by its
// command line, which names the runner's folder), and no nbrun-* folder (connection file with the HMAC key,
// GoNB's gonb_* folder) in the temporary directory.
func TestKill9RunnerLeavesNothing(t *testing.T) {
	gonbSetup(t) // skips without GoNB or in -short mode.
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "marker")
	nb := slowCellNotebook(t, dir, marker)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRunner$", "-test.v")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, helperNotebookEnv+"="+nb, helperOutEnv+"="+filepath.Join(dir, "out"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("runner output:\n%s", out.String())
		}
	}()

	_, pgid, gonbTmp := waitMarker(t, marker, exited)
	runnerDirs, _ := filepath.Glob(filepath.Join(tmp, "nbrun-*"))
	if len(runnerDirs) != 1 {
		t.Fatalf("want one nbrun-* folder in TMPDIR, got %q", runnerDirs)
	}
	if st, err := os.Stat(filepath.Join(runnerDirs[0], "kernel.json")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("connection file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	if st, err := os.Stat(runnerDirs[0]); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("runner folder mode %v, want 0700", st.Mode().Perm())
	}
	if !strings.HasPrefix(gonbTmp, runnerDirs[0]+string(os.PathSeparator)) {
		t.Errorf("GoNB's temp folder %s is not inside the runner's %s", gonbTmp, runnerDirs[0])
	}
	if groupGone(pgid) {
		t.Fatal("the cell's process group is not running")
	}
	// GoNB starts gopls in a process group of its own; it must go too.
	waitGopls(t, runnerDirs[0])

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	<-exited
	for !groupGone(pgid) || exists(runnerDirs[0]) || len(procsNaming(runnerDirs[0])) > 0 {
		if time.Since(killed) > 5*time.Second {
			left, _ := filepath.Glob(filepath.Join(tmp, "*"))
			t.Fatalf("5 s after kill -9 of the runner: process group %d gone: %v; files left: %q; processes left: %q",
				pgid, groupGone(pgid), left, procsNaming(runnerDirs[0]))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("kill -9 of the runner: kernel group %d and %s gone after %v", pgid, runnerDirs[0], time.Since(killed))
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("left in TMPDIR: %q", left)
	}
}

// TestKill9KernelCleansUp kills the GoNB kernel with SIGKILL during a cell:
// the run fails naming the kernel's exit, and neither the cell program nor
// GoNB's temp folder is left (GoNB cannot remove it itself).
func TestKill9KernelCleansUp(t *testing.T) {
	opts := gonbSetup(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "marker")
	opts.Notebook, opts.OutDir = slowCellNotebook(t, dir, marker), filepath.Join(dir, "out")
	type result struct {
		res *Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := Run(context.Background(), opts)
		done <- result{res, err}
	}()
	exited := make(chan struct{})
	_, pgid, gonbTmp := waitMarker(t, marker, exited)
	if !exists(gonbTmp) {
		t.Fatalf("GoNB temp folder %s missing while the cell runs", gonbTmp)
	}
	// The kernel is the leader of its process group.
	if err := syscall.Kill(pgid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30 s of the kernel's death")
	}
	if r.err == nil || !strings.Contains(r.err.Error(), "kernel exited") {
		t.Errorf("Run error = %v, want the kernel's exit", r.err)
	}
	assertKernelGone(t, r.res)
	if exists(gonbTmp) {
		t.Errorf("GoNB temp folder %s left after the kernel was killed", gonbTmp)
	}
	// gonbTmp is RUNNER/tmp/gonb_*: the runner's folder, with the
	// connection file, is gone too.
	if runnerDir := filepath.Dir(filepath.Dir(gonbTmp)); !strings.HasPrefix(filepath.Base(runnerDir), "nbrun-") || exists(runnerDir) {
		t.Errorf("runner folder %s: left behind or not where expected", runnerDir)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// procsNaming returns "PID COMMAND LINE" of every process whose command
// line or environment names dir (GoNB's gopls: -listen unix;DIR/…/gonb_*/
// gopls_socket).
func procsNaming(dir string) []string {
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil || e.Name() == strconv.Itoa(os.Getpid()) {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		env, _ := os.ReadFile("/proc/" + e.Name() + "/environ")
		if strings.Contains(string(cmdline), dir) || strings.Contains(string(env), "TMPDIR="+dir) {
			out = append(out, e.Name()+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return out
}

// waitGopls waits up to 30 s for the kernel's gopls (whose command line
// names dir) when .build/bin has one, so that the test checks it ends.
func waitGopls(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat("../../.build/bin/gopls"); err != nil {
		t.Log("no gopls in .build/bin: not checked")
		return
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, p := range procsNaming(dir) {
			if strings.Contains(p, "gopls") {
				t.Logf("the kernel's gopls: %s", p)
				return
			}
		}
	}
	t.Fatalf("no gopls of the kernel running within 30 s; processes naming %s: %q", dir, procsNaming(dir))
}

// TestRunEndsGopls: whichever way a run ends — all cells done, a failing
// cell, a cancelled run — no process of the kernel is left, GoNB's gopls
// (in a process group of its own) included.
func TestRunEndsGopls(t *testing.T) {
	opts := gonbSetup(t)
	for name, src := range map[string]string{
		"passing":   "%%\nprintln(\"ok\")",
		"failing":   "%%\npanic(\"boom\")",
		"cancelled": "import \"time\"\n\n%%\ntime.Sleep(time.Minute)",
		"at once":   "", // ends as soon as the kernel is ready, while GoNB may still be starting gopls
	} {
		t.Run(name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp) // the runner's private folder goes there
			o := opts
			o.Notebook, o.OutDir = writeNotebook(t, tmp, "g.ipynb", src), filepath.Join(tmp, "out")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { _, err := Run(ctx, o); done <- err }()
			dirs := func() []string { d, _ := filepath.Glob(filepath.Join(tmp, "nbrun-*")); return d }
			for deadline := time.Now().Add(time.Minute); len(dirs()) == 0; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("no nbrun-* folder within a minute")
				}
			}
			runnerDir := dirs()[0]
			if src != "" {
				waitGopls(t, runnerDir)
			}
			if name == "cancelled" {
				cancel()
			}
			select {
			case err := <-done:
				t.Logf("Run: %v", err)
			case <-time.After(2 * time.Minute):
				t.Fatal("Run did not return")
			}
			if left := procsNaming(runnerDir); len(left) > 0 {
				t.Errorf("left after Run returned: %q", left)
			}
		})
	}
}
