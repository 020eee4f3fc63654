// Package kernelguard holds kernelguard.sh, a wrapper for a Jupyter
// kernelspec's argv that ends every process the kernel started when the
// kernel ends, however it ends: GoNB starts gopls in a process group of
// its own, which the Jupyter server's kill of the kernel's process group
// misses. nbtools/nbrun does the same for its own kernels (a marker in the
// kernel's environment); this script gives real Jupyter the same guarantee
// with a kernelspec argv of ["/bin/sh", ".../kernelguard.sh", "gonb", ...].
// The package has no Go code besides its test.
package kernelguard
