//go:build linux || darwin || freebsd

package astro

import (
	"syscall"
	"time"
)

// calibrationClock is the process's CPU time (user + system): unlike wall
// time it does not count the time other processes hold the CPU, which on
// a busy machine would decide the calibration by chance.
func calibrationClock() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return wallClock()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
