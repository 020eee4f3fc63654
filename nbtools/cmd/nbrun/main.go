// Command nbrun executes GoNB notebooks headlessly and writes the executed
// notebooks and their images.
//
// Usage:
//
//	go run ./nbtools/cmd/nbrun -out out/ [-cell-timeout 10m] [-timeout 60m] notebooks/a.ipynb ...
//
// By default it uses the tools built by `make tools`: the kernelspec in
// .build/jupyter/kernels/gonb and .build/bin on the kernel's PATH (for
// goimports). -gonb runs a given GoNB binary instead of the kernelspec.
// Notebooks run one after the other; the first failing notebook stops the
// run and the exit status is non-zero.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/astronb/astronb/nbtools/nbrun"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "nbrun:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("nbrun", flag.ContinueOnError)
	var (
		outDir      = fs.String("out", "out", "output directory for executed notebooks and images")
		build       = fs.String("build", ".build", "directory of `make tools` (bin/ and jupyter/)")
		kernelspec  = fs.String("kernelspec", "", "kernelspec directory (default BUILD/jupyter/kernels/gonb)")
		gonb        = fs.String("gonb", "", "GoNB binary to run instead of the kernelspec's command")
		path        = fs.String("path", "", "directories prepended to the kernel's PATH, colon-separated (default BUILD/bin and go's bin)")
		cellTimeout = fs.Duration("cell-timeout", 10*time.Minute, "timeout per cell (0: none)")
		timeout     = fs.Duration("timeout", 60*time.Minute, "timeout per notebook (0: none)")
		kernelLog   = fs.Bool("kernel-log", false, "copy the kernel's own log to stderr")
		quiet       = fs.Bool("q", false, "no per-cell progress")
		keepGoing   = fs.Bool("k", false, "keep going with the next notebooks after a failure")
		maxCellOut  = fs.Int("max-cell-output", nbrun.DefaultMaxCellOutput, "bytes of output kept per cell; more is dropped with a marker")
		maxOut      = fs.Int("max-output", nbrun.DefaultMaxOutput, "bytes of output kept per notebook; more is dropped with a marker")
	)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: nbrun [flags] notebook.ipynb ...\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no notebooks given")
	}
	// Refuse name clashes and self-overwrites before the first notebook runs.
	if err := nbrun.CheckBatch(fs.Args(), *outDir); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *maxCellOut <= 0 || *maxOut <= 0 {
		return fmt.Errorf("-max-cell-output %d and -max-output %d: both must be positive (bytes)", *maxCellOut, *maxOut)
	}
	opts := nbrun.Options{OutDir: *outDir, CellTimeout: *cellTimeout, Timeout: *timeout, Log: os.Stderr,
		MaxCellOutput: *maxCellOut, MaxOutput: *maxOut}
	if *quiet {
		opts.Log = nil
	}
	if *kernelLog {
		opts.KernelLog = os.Stderr
	}
	buildDir, err := filepath.Abs(*build)
	if err != nil {
		return err
	}
	switch {
	case *gonb != "":
		bin, err := filepath.Abs(*gonb)
		if err != nil {
			return err
		}
		opts.KernelCmd = nbrun.GonbCommand(bin)
	case *kernelspec != "":
		opts.KernelSpecDir = *kernelspec
	default:
		opts.KernelSpecDir = filepath.Join(buildDir, "jupyter", "kernels", "gonb")
		if _, err := os.Stat(filepath.Join(opts.KernelSpecDir, "kernel.json")); err != nil {
			return fmt.Errorf("no kernelspec in %s: run `make tools` first (or use -gonb/-kernelspec)", opts.KernelSpecDir)
		}
	}
	if *path != "" {
		for _, p := range filepath.SplitList(*path) {
			abs, err := filepath.Abs(p)
			if err != nil {
				return err
			}
			opts.Path = append(opts.Path, abs)
		}
	} else {
		opts.Path = append(opts.Path, filepath.Join(buildDir, "bin"))
		if goBin, err := exec.LookPath("go"); err == nil {
			if abs, err := filepath.Abs(goBin); err == nil {
				opts.Path = append(opts.Path, filepath.Dir(abs))
			}
		}
	}

	var failed []string
	total := time.Now()
	for _, nb := range fs.Args() {
		o := opts
		o.Notebook = nb
		res, err := nbrun.Run(ctx, o)
		if res != nil {
			fmt.Fprintf(os.Stderr, "%s: %d cells, %d images, kernel start %.2fs, wall %.2fs -> %s\n",
				nb, len(res.Cells), len(res.Images), res.KernelStart.Seconds(), res.Duration.Seconds(), res.Executed)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAILED %v\n", indent(err.Error()))
			failed = append(failed, nb)
			if !*keepGoing || ctx.Err() != nil {
				break
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d notebook(s) failed: %s", len(failed), strings.Join(failed, ", "))
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(os.Stderr, "all %d notebooks ok in %.2fs\n", fs.NArg(), time.Since(total).Seconds())
	}
	return nil
}

// indent indents continuation lines of a multi-line message.
func indent(s string) string {
	return strings.ReplaceAll(s, "\n", "\n    ")
}
