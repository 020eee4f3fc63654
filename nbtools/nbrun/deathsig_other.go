//go:build !linux

package nbrun

import "syscall"

// setDeathSignal has no equivalent outside Linux; the watchdog alone ends the
// kernel when the runner dies.
func setDeathSignal(*syscall.SysProcAttr) {}
