//go:build linux

package nbrun

import "syscall"

// setDeathSignal asks Linux to send SIGKILL to the kernel process when the
// runner dies (prctl PR_SET_PDEATHSIG via SysProcAttr.Pdeathsig), even when
// the runner is killed with SIGKILL. Linux ties the signal to the thread
// that started the child; Go keeps its threads alive, so in practice this is
// the runner's lifetime. The kernel's children are left to the watchdog.
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
