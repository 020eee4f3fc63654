package kernelguard

import (
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

// fakeKernel is a kernel that starts a process in a session of its own
// (like GoNB's gopls in a group of its own), writes that process's PID to
// $1 and waits.
const fakeKernel = `setsid sleep 300 </dev/null >/dev/null 2>&1 &
echo $! > "$1.tmp" && mv "$1.tmp" "$1"
sleep 300`

// startGuarded runs fakeKernel under kernelguard.sh in a process group of
// its own, as the Jupyter server starts kernels, and returns the guard's
// command and the PID of the escaped process.
func startGuarded(t *testing.T) (*exec.Cmd, int) {
	t.Helper()
	pidFile := filepath.Join(t.TempDir(), "pid")
	cmd := exec.Command("/bin/sh", "kernelguard.sh", "/bin/sh", "-c", fakeKernel, "fake-kernel", pidFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(pidFile); err == nil {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return cmd, pid
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
			t.Fatal("the fake kernel did not start its process within 10 s")
		}
	}
}

// alive reports whether pid runs (a zombie counts as gone).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && !strings.HasPrefix(strings.TrimSpace(string(b[i+1:])), "Z")
}

// TestGuardEndsEscapedProcesses: when the kernel's process group is killed
// with SIGKILL (what the Jupyter server does to a kernel that does not shut
// down), or the kernel ends by itself, the process it started in a session
// of its own ends within a few seconds.
func TestGuardEndsEscapedProcesses(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("needs /proc")
	}
	for name, end := range map[string]func(cmd *exec.Cmd){
		"group killed":  func(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) },
		"kernel exited": func(cmd *exec.Cmd) { _ = cmd.Process.Signal(syscall.SIGTERM) },
	} {
		t.Run(name, func(t *testing.T) {
			cmd, escaped := startGuarded(t)
			defer syscall.Kill(escaped, syscall.SIGKILL)
			if !alive(escaped) {
				t.Fatalf("the escaped process %d is not running", escaped)
			}
			end(cmd)
			_ = cmd.Wait()
			for deadline := time.Now().Add(5 * time.Second); alive(escaped); time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("process %d, started by the kernel in a session of its own, still runs 5 s after the kernel ended", escaped)
				}
			}
		})
	}
}
