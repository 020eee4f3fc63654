package nbrun

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/astronb/astronb/nbtools/markup"
)

// imageTypes maps image MIME types to file extensions and whether the
// notebook value is base64-encoded binary (true) or text (false).
var imageTypes = map[string]struct {
	ext    string
	base64 bool
}{
	"image/png":     {".png", true},
	"image/jpeg":    {".jpg", true},
	"image/gif":     {".gif", true},
	"image/svg+xml": {".svg", false},
}

// imageBytes decodes the notebook value of an image MIME type into file
// contents. ok is false for MIME types that are not images.
func imageBytes(mime string, value json.RawMessage) (b []byte, ok bool, err error) {
	t, ok := imageTypes[mime]
	if !ok {
		return nil, false, nil
	}
	s := Multiline(value)
	if !t.base64 {
		return []byte(s), true, nil
	}
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' {
			return -1
		}
		return r
	}, s)
	b, err = base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, true, fmt.Errorf("decoding %s: %w", mime, err)
	}
	return b, true, nil
}

// imageName is the file name of the n-th (1-based) image output of code cell
// number cell (1-based) of notebook nbName, for images without a figure
// name.
func imageName(nbName string, cell, n int, ext string) string {
	return fmt.Sprintf("%s_cell%02d_%d%s", nbName, cell, n, ext)
}

// FigureMetadata is the output-metadata key under which kernelext.Display
// records a figure's name (markup.FigureMetadata: NAME); nbrun names the
// figure's files NOTEBOOK_NAME.png and NOTEBOOK_NAME.svg after it, so a
// reader finds them by the name the notebook's code gives the figure.
const FigureMetadata = markup.FigureMetadata

// figureName returns the figure name recorded in an output's metadata, or ""
// if there is none or it is not a plain file name.
func figureName(o *Output) string {
	raw, ok := o.Metadata[FigureMetadata]
	if !ok {
		return ""
	}
	var name string
	if json.Unmarshal(raw, &name) != nil || name == "" || name == "." || name == ".." ||
		strings.ContainsAny(name, "/\\\x00") {
		return ""
	}
	return name
}

// writeImages writes every image output of a cell into dir and returns the
// paths written. Outputs carrying several image types (e.g. PNG and SVG of
// the same figure) share the index n and differ in extension. A named figure
// (see FigureMetadata) is written as NBNAME_FIGURE.EXT; used counts the
// names taken so far in the notebook, and a repeated name gets a suffix _2,
// _3, ….
func writeImages(dir, nbName string, cell int, outs []*Output, used map[string]int) ([]string, error) {
	var paths []string
	n := 0
	for _, o := range outs {
		mimes := make([]string, 0, len(o.Data))
		for mime := range o.Data {
			if _, ok := imageTypes[mime]; ok {
				mimes = append(mimes, mime)
			}
		}
		if len(mimes) == 0 {
			continue
		}
		sort.Strings(mimes)
		n++
		stem := imageName(nbName, cell, n, "")
		if fig := figureName(o); fig != "" {
			used[fig]++
			stem = nbName + "_" + fig
			if k := used[fig]; k > 1 {
				stem = fmt.Sprintf("%s_%d", stem, k)
			}
		}
		for _, mime := range mimes {
			b, _, err := imageBytes(mime, o.Data[mime])
			if err != nil {
				return paths, fmt.Errorf("cell %d: %w", cell, err)
			}
			p := filepath.Join(dir, stem+imageTypes[mime].ext)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}
