#!/bin/sh
# kernelguard.sh CMD [ARGS...]: runs a Jupyter kernel (CMD, e.g. gonb
# --kernel {connection_file} ...) so that every process it starts ends with
# it, however it ends — shut down, crashed, or killed with its process group
# by the Jupyter server — also processes in a process group or session of
# their own, like the gopls that GoNB starts with Setpgid.
#
# Every process the kernel starts inherits KERNELGUARD=<marker> in its
# environment. A watchdog in a session of its own (so that the server's
# kill of the kernel's group misses it) polls the kernel's PID every second
# and, once it is gone, kills every process whose /proc/PID/environ holds
# the marker. The shell then execs the kernel, which keeps this PID: the
# server talks to the kernel itself (signals included). Linux (/proc).
set -u
marker="KERNELGUARD=$$-$(date +%s%N)-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
# Started before the marker is exported, so the watchdog does not carry it.
setsid sh -c '
	while kill -0 "$1" 2>/dev/null; do sleep 1; done
	for round in 1 2; do
		for e in $(grep -lzxF -- "$2" /proc/[0-9]*/environ 2>/dev/null); do
			p=${e#/proc/}; kill -KILL "${p%/environ}" 2>/dev/null
		done
		sleep 1
	done
' kernelguard-watchdog "$$" "$marker" </dev/null >/dev/null 2>&1 &
export "$marker"
exec "$@"
