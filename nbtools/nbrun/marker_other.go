//go:build !linux

package nbrun

// markerEnv marks a kernel's processes (see marker_linux.go); without /proc
// they are not looked for: a process that left the kernel's process group
// (GoNB's gopls) may outlive the kernel.
const markerEnv = "NBRUN_RUN"

func markedProcesses(value string) []int { return nil }

func killMarked(value string) bool { return false }
