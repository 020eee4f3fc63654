// Command nbfmt rewrites notebooks into the exact form Jupyter saves them
// with this project's GoNB kernel (see package nbtools/nbfmt), so that
// opening, running and saving a committed notebook in Jupyter leaves no
// diff but its outputs.
//
// Usage:
//
//	go run ./nbtools/cmd/nbfmt [-check] [-strip-outputs] notebook.ipynb ...
//
// Without flags each notebook is rewritten in place (only if it changes)
// and its name printed. -check writes nothing, prints the notebooks that
// are not in that form and exits with status 1 if there are any.
// -strip-outputs also clears code cells' outputs and execution counts.
// nbfmt is idempotent: a second run changes nothing.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/astronb/astronb/nbtools/nbfmt"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nbfmt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "write nothing; list notebooks not in Jupyter's form and exit 1 if any")
	strip := fs.Bool("strip-outputs", false, "also clear code cells' outputs and execution counts")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nbfmt [-check] [-strip-outputs] notebook.ipynb ...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	opts := nbfmt.Default()
	opts.StripOutputs = *strip
	status := 0
	for _, path := range fs.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "nbfmt: %v\n", err)
			status = 1
			continue
		}
		out, err := nbfmt.Format(data, opts)
		if err != nil {
			fmt.Fprintf(stderr, "nbfmt: %s: %v\n", path, err)
			status = 1
			continue
		}
		if bytes.Equal(out, data) {
			continue
		}
		if *check {
			fmt.Fprintf(stdout, "%s: not in the form Jupyter saves it\n", path)
			status = 1
			continue
		}
		fi, err := os.Stat(path)
		if err != nil {
			fmt.Fprintf(stderr, "nbfmt: %v\n", err)
			status = 1
			continue
		}
		if err := os.WriteFile(path, out, fi.Mode().Perm()); err != nil {
			fmt.Fprintf(stderr, "nbfmt: %v\n", err)
			status = 1
			continue
		}
		fmt.Fprintln(stdout, path)
	}
	return status
}
