//go:build linux

package nbrun

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// readSyscall is the number of read(2) on this architecture, or -1 where
// the runner does not know it (then blocked reads are not detected).
var readSyscall = func() int {
	if n, ok := map[string]int{"amd64": 0, "386": 3, "arm": 3, "arm64": 63, "riscv64": 63, "loong64": 63}[runtime.GOARCH]; ok {
		return n
	}
	return -1
}()

// stdinReader returns a process of process group pgid, other than the
// group's leader (the kernel), that has a thread blocked reading its
// standard input from a pipe the kernel holds: a cell program waiting for input that the
// kernel will never send (GoNB gives a cell's program a pipe that it only
// writes after an input_request, which a run without stdin does not
// answer with input). It reads /proc/PID/stat (process group) and
// /proc/PID/task/TID/syscall (the system call a thread is blocked in and
// its first argument); 0 when there is none or /proc cannot tell.
func stdinReader(pgid int) int {
	if readSyscall < 0 {
		return 0
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	// The pipes the kernel itself holds: a program's stdin counts only if
	// it is one of them (GoNB's pipe to a cell program or shell command),
	// not a pipe the cell made for a program of its own.
	kernelPipes := map[string]bool{}
	fds, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pgid), "fd", "*"))
	for _, fd := range fds {
		if l, err := os.Readlink(fd); err == nil && strings.HasPrefix(l, "pipe:") {
			kernelPipes[l] = true
		}
	}
	want := strconv.Itoa(readSyscall) + " 0x0 "
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == pgid || processGroup(pid) != pgid {
			continue
		}
		if l, err := os.Readlink(filepath.Join("/proc", e.Name(), "fd", "0")); err != nil || !kernelPipes[l] {
			continue
		}
		tasks, _ := filepath.Glob(filepath.Join("/proc", e.Name(), "task", "*", "syscall"))
		for _, t := range tasks {
			if b, err := os.ReadFile(t); err == nil && bytes.HasPrefix(b, []byte(want)) {
				return pid
			}
		}
	}
	return 0
}

// processGroup returns the process group of pid from /proc/PID/stat, or -1.
func processGroup(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name (2nd field) is in parentheses and may contain
	// anything: the fields after the last ')' are state, ppid, pgrp, ….
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 {
		return -1
	}
	g, err := strconv.Atoi(f[2])
	if err != nil {
		return -1
	}
	return g
}
