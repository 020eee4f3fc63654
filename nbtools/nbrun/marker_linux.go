//go:build linux

package nbrun

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// markerEnv names the environment variable that marks every process of a
// kernel: the runner sets it for the kernel (its value is the runner's
// private folder, unique per run), and every process the kernel starts
// inherits it — also those that leave the kernel's process group, like the
// gopls that GoNB starts in a process group of its own, and those whose
// parent died (reparented to init).
const markerEnv = "NBRUN_RUN"

// markedProcesses returns the processes whose environment holds
// markerEnv=value, read from /proc/PID/environ (processes of other users
// cannot be read and are not ours).
func markedProcesses(value string) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	entry := []byte(markerEnv + "=" + value)
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil {
			continue
		}
		for kv := range bytes.SplitSeq(env, []byte{0}) {
			if bytes.Equal(kv, entry) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// killMarked sends SIGKILL to every process marked with value and reports
// whether any was left to kill.
func killMarked(value string) bool {
	pids := markedProcesses(value)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return len(pids) > 0
}
