//go:build !(linux || darwin || freebsd)

package astro

import "time"

// calibrationClock is wall time where the process's CPU time is not read.
func calibrationClock() time.Duration { return wallClock() }
