// Command nbcheck verifies executed notebooks, such as those written by nbrun
// or by `jupyter nbconvert --execute`.
//
// Usage:
//
//	go run ./nbtools/cmd/nbcheck [-images N] [-progress] [-compare OTHER.ipynb] executed.ipynb ...
//	go run ./nbtools/cmd/nbcheck -committed notebook.ipynb ...
//
// With -committed it checks only that each (unexecuted, committed) notebook
// is byte for byte in the form Jupyter saves it with this project's kernel
// (see nbtools/nbfmt; `go run ./nbtools/cmd/nbfmt FILE` rewrites a
// notebook into it), so that opening it in Jupyter leaves no diff.
//
// It always checks that no cell has an error output and that every non-empty
// code cell was executed (execution_count set), and that every PNG output
// decodes and every SVG output parses as XML. In addition:
//
//   - -images N: at least N outputs carry a figure in both image/png and
//     image/svg+xml (as kernelext.Display shows it).
//   - -progress: at least one text/html output holds a finished astronb
//     progress bar ("done" and "100 %"), and no progress bar was left in an
//     unfinished state (which would mean a lost update).
//   - -compare OTHER: the notebook (only one may be given) has the same number
//     of code cells as OTHER and the same output kinds per cell, as given by
//     nbrun.OutputKinds (order of text and images ignored).
//
// Every problem found is printed; the exit status is 1 if there was any.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/astronb/astronb/nbtools/markup"
	"github.com/astronb/astronb/nbtools/nbfmt"
	"github.com/astronb/astronb/nbtools/nbrun"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config holds the optional checks.
type config struct {
	images    int    // minimum number of PNG+SVG figure outputs
	progress  bool   // require a finished progress bar
	compare   string // notebook to compare output kinds with
	committed bool   // only check the committed form (nbtools/nbfmt)
}

// run is main without os.Exit: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nbcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.IntVar(&cfg.images, "images", 0, "require at least `N` outputs with both image/png and image/svg+xml")
	fs.BoolVar(&cfg.progress, "progress", false, "require a finished astronb progress bar (text/html with \"done\" and \"100 %\")")
	fs.BoolVar(&cfg.committed, "committed", false, "only check that each notebook is in the form Jupyter saves it (nbtools/nbfmt)")
	fs.StringVar(&cfg.compare, "compare", "", "compare output kinds per code cell with `OTHER.ipynb` (one notebook only)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nbcheck [-images N] [-progress] [-compare OTHER.ipynb] executed.ipynb ...")
		fmt.Fprintln(stderr, "       nbcheck -committed notebook.ipynb ...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if cfg.compare != "" && fs.NArg() != 1 {
		fmt.Fprintln(stderr, "nbcheck: -compare takes exactly one notebook to check")
		return 2
	}
	status := 0
	for _, path := range fs.Args() {
		summary, problems := check(path, cfg)
		if cfg.committed {
			summary, problems = checkCommitted(path)
		}
		if len(problems) > 0 {
			status = 1
			fmt.Fprintf(stderr, "FAIL %s: %d problem(s):\n", path, len(problems))
			for _, p := range problems {
				fmt.Fprintf(stderr, "  %s\n", strings.ReplaceAll(p, "\n", "\n    "))
			}
			continue
		}
		fmt.Fprintf(stdout, "ok   %s: %s\n", path, summary)
	}
	return status
}

// notebook is the part of nbformat 4 that nbcheck reads.
type notebook struct {
	NBFormat int             `json:"nbformat"`
	RawCells json.RawMessage `json:"cells"`
	Cells    []cell          `json:"-"`
}

type cell struct {
	CellType       string          `json:"cell_type"`
	ID             string          `json:"id"`
	Source         json.RawMessage `json:"source"`
	ExecutionCount *int            `json:"execution_count"`
	Outputs        []*nbrun.Output `json:"outputs"`
}

// check runs all checks on one executed notebook and returns a one-line
// summary and the problems found.
func check(path string, cfg config) (summary string, problems []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", []string{err.Error()}
	}
	return checkData(path, data, cfg)
}

// checkData is check on the notebook's bytes (path names it for -compare).
func checkData(path string, data []byte, cfg config) (summary string, problems []string) {
	var nb notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		return "", []string{fmt.Sprintf("not a notebook: %v", err)}
	}
	if nb.NBFormat != 4 {
		return "", []string{fmt.Sprintf("nbformat %d, want 4", nb.NBFormat)}
	}
	// nbformat 4 requires a list of cells; a notebook without any has
	// nothing that could have been executed or checked.
	if t := bytes.TrimSpace(nb.RawCells); len(t) == 0 || t[0] != '[' {
		return "", []string{fmt.Sprintf("cells is %s, want a list of cells (nbformat 4)", describeRaw(nb.RawCells))}
	}
	if err := json.Unmarshal(nb.RawCells, &nb.Cells); err != nil {
		return "", []string{fmt.Sprintf("not a notebook: cells: %v", err)}
	}
	if len(nb.Cells) == 0 {
		return "", []string{"the notebook has no cells"}
	}
	addf := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	nCode := 0
	for _, c := range nb.Cells {
		if c.CellType == "code" {
			nCode++
		}
	}
	var figures, progressDone, progressOpen, executed int
	n := 0
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		n++
		name := cellName(n, nCode, i, c)
		src, err := nbrun.ParseMultiline(c.Source)
		if err != nil {
			addf("%s: source is not a string or list of strings: %v", name, err)
			continue
		}
		if c.ExecutionCount == nil {
			if strings.TrimSpace(src) != "" {
				addf("%s was not executed (execution_count is null)", name)
			}
		} else {
			executed++
		}
		for k, o := range c.Outputs {
			if o == nil {
				addf("%s output %d is null, want an object", name, k+1)
				continue
			}
			switch o.OutputType {
			case "error":
				msg := strings.TrimSpace(nbrun.StripANSI(o.EName + ": " + o.EValue))
				if tb := strings.TrimSpace(nbrun.StripANSI(strings.Join(o.Traceback, "\n"))); tb != "" && !strings.Contains(msg, tb) {
					msg += "\n" + tb
				}
				addf("%s has an error output: %s", name, msg)
			case "display_data", "execute_result":
				pngOK, svgOK := true, true
				if v, ok := o.Data["image/png"]; ok {
					if err := checkPNG(v); err != nil {
						pngOK = false
						addf("%s output %d: image/png: %v", name, k+1, err)
					}
				}
				if v, ok := o.Data["image/svg+xml"]; ok {
					if err := checkSVG(v); err != nil {
						svgOK = false
						addf("%s output %d: image/svg+xml: %v", name, k+1, err)
					}
				}
				_, hasPNG := o.Data["image/png"]
				_, hasSVG := o.Data["image/svg+xml"]
				if hasPNG && hasSVG && pngOK && svgOK {
					figures++
				}
				if v, ok := o.Data["text/html"]; ok {
					h := nbrun.Multiline(v)
					switch {
					case isFinishedProgress(h):
						progressDone++
					case strings.Contains(h, markup.ProgressClass):
						progressOpen++
						if cfg.progress {
							addf("%s output %d: progress bar not in its final state: %s", name, k+1, htmlText(h))
						}
					}
				}
			}
		}
	}

	if nCode > 0 && executed == 0 {
		addf("none of the %d code cells was executed", nCode)
	}
	if cfg.images > 0 && figures < cfg.images {
		addf("%d figure output(s) with both image/png and image/svg+xml, want at least %d", figures, cfg.images)
	}
	if cfg.progress && progressDone == 0 {
		addf("no finished progress bar (text/html output with \"done\" and \"100 %%\")")
	}
	if cfg.compare != "" {
		problems = append(problems, compareKinds(path, cfg.compare)...)
	}
	summary = fmt.Sprintf("%d/%d code cells executed, %d figure(s) (png+svg)", executed, nCode, figures)
	if progressDone+progressOpen > 0 {
		summary += fmt.Sprintf(", %d finished progress bar(s)", progressDone)
	}
	if cfg.compare != "" {
		summary += ", output kinds match " + cfg.compare
	}
	return summary, problems
}

// describeRaw names a JSON value for a message: "missing", or the value
// itself, shortened.
func describeRaw(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "missing"
	}
	if r := []rune(string(t)); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return string(t)
}

// checkCommitted checks that the notebook at path is in the form Jupyter
// saves it with this project's kernel.
func checkCommitted(path string) (summary string, problems []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", []string{err.Error()}
	}
	want, err := nbfmt.Format(data, nbfmt.Default())
	if err != nil {
		return "", []string{err.Error()}
	}
	if bytes.Equal(data, want) {
		return "in the form Jupyter saves it", nil
	}
	gl, wl := strings.Split(string(data), "\n"), strings.Split(string(want), "\n")
	line := min(len(gl), len(wl))
	for i := range line {
		if gl[i] != wl[i] {
			line = i
			break
		}
	}
	got, exp := "(end of file)", "(end of file)"
	if line < len(gl) {
		got = strings.TrimSpace(gl[line])
	}
	if line < len(wl) {
		exp = strings.TrimSpace(wl[line])
	}
	return "", []string{fmt.Sprintf("not in the form Jupyter saves it with this kernel (opening it in Jupyter would change it): "+
		"line %d is %.80q, Jupyter writes %.80q; run: go run ./nbtools/cmd/nbfmt %s", line+1, got, exp, path)}
}

// cellName names a code cell like nbrun does (1-based code cell number),
// with its index among all cells and its first source line.
func cellName(n, nCode, index int, c cell) string {
	s := fmt.Sprintf("cell %d/%d (index %d", n, nCode, index)
	if c.ID != "" {
		s += ", id " + c.ID
	}
	s += ")"
	if l := nbrun.CellTitle(nbrun.Multiline(c.Source)); l != "" {
		s += fmt.Sprintf(" %q", l)
	}
	return s
}

// compareKinds compares the output kinds per code cell of two notebooks.
func compareKinds(path, other string) []string {
	ours, err := nbrun.OutputKinds(path)
	if err != nil {
		return []string{err.Error()}
	}
	theirs, err := nbrun.OutputKinds(other)
	if err != nil {
		return []string{err.Error()}
	}
	base, obase := filepath.Base(path), filepath.Base(other)
	if len(ours) != len(theirs) {
		return []string{fmt.Sprintf("%d code cells, but %d in %s", len(ours), len(theirs), other)}
	}
	var problems []string
	for i := range ours {
		if !slices.Equal(ours[i], theirs[i]) {
			problems = append(problems, fmt.Sprintf("cell %d/%d: output kinds differ from %s:\n%s: %q\n%s: %q",
				i+1, len(ours), other, base, ours[i], obase, theirs[i]))
		}
	}
	return problems
}

// isFinishedProgress reports whether an HTML output shows a progress bar in
// its final, complete state (see kernelext.progressHTML: "done, 100 %").
func isFinishedProgress(h string) bool {
	return strings.Contains(h, markup.ProgressClass) && strings.Contains(h, "done") && strings.Contains(h, "100 %")
}

// maxImagePixels bounds the pixel count an image header may claim before
// nbcheck decodes the image (4096×4096; a figure is about 1000×800): a
// header claiming 60000×60000 pixels would need gigabytes to decode.
const maxImagePixels = 1 << 24

// checkPNG decodes a base64 image/png value. The header is read first and
// images claiming more than maxImagePixels are refused without decoding.
func checkPNG(v json.RawMessage) error {
	s := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, nbrun.Multiline(v))
	if s == "" {
		return errors.New("empty")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("base64: %w", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("decoding PNG header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("empty image (%dx%d)", cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > maxImagePixels {
		return fmt.Errorf("header claims %dx%d pixels (%d), more than the %d (4096x4096) nbcheck decodes",
			cfg.Width, cfg.Height, px, maxImagePixels)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("decoding PNG: %w", err)
	}
	if r := img.Bounds(); r.Dx() == 0 || r.Dy() == 0 {
		return fmt.Errorf("empty image (%dx%d)", r.Dx(), r.Dy())
	}
	return nil
}

// checkSVG parses an image/svg+xml value as XML with an <svg> root element.
func checkSVG(v json.RawMessage) error {
	s := nbrun.Multiline(v)
	if strings.TrimSpace(s) == "" {
		return errors.New("empty")
	}
	dec := xml.NewDecoder(strings.NewReader(s))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("invalid XML: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		return fmt.Errorf("root element is <%s>, want <svg>", root)
	}
	return nil
}

// htmlText returns the text of an HTML fragment (tags dropped), shortened,
// for messages.
func htmlText(h string) string {
	var b strings.Builder
	in := false
	for _, r := range h {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return s
}
