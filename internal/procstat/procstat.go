// Package procstat reads the current process's resource use, for the
// project's measuring commands (astrobench, astrosnap).
package procstat

import (
	"syscall"
	"time"
)

// PeakRSSMB is the process's peak resident set size so far, in MB.
func PeakRSSMB() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss / 1024
}

// CPUTime is the process's CPU time (user + system) so far. On a busy
// machine it shows what a step costs when wall times are inflated by other
// processes.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
