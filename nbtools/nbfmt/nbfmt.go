// Package nbfmt writes notebooks in the exact form Jupyter saves them with
// the GoNB kernel, so that opening and saving a committed notebook in
// Jupyter changes nothing on disk.
//
// That form is nbformat's canonical JSON (nbformat/v4/nbjson.py, JSONWriter
// and rwbase.split_lines; nbformat/__init__.py, write): keys sorted, one
// space of indentation per level, non-ASCII characters written as they are,
// multi-line strings (cell sources, stream text, text/* and image/svg+xml
// data) as lists of lines, a final newline; transient metadata
// (orig_nbformat, signature, a cell's "trusted") dropped. The notebook's
// metadata carries the kernelspec and the language_info that the kernel
// reports in its kernel_info_reply, which the notebook front end copies
// into the notebook when the kernel starts (notebook/static/notebook/js/
// notebook.js, kernel_ready handler).
package nbfmt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// KernelSpec is the notebook metadata "kernelspec" of GoNB's kernelspec as
// `gonb --install` writes it (kernel name "gonb").
func KernelSpec() map[string]any {
	return map[string]any{"display_name": "Go (gonb)", "language": "go", "name": "gonb"}
}

// LanguageInfo is GoNB's language_info (internal/kernel/messages.go,
// SendKernelInfo, GoNB v0.11.4) for a kernel built with Go goVersion (the
// kernel reports runtime.Version()). GoNB sends the empty fields as "".
func LanguageInfo(goVersion string) map[string]any {
	return map[string]any{
		"codemirror_mode":    "",
		"file_extension":     ".go",
		"mimetype":           "text/x-go",
		"name":               "go",
		"nbconvert_exporter": "",
		"pygments_lexer":     "",
		"version":            goVersion,
	}
}

// Options selects the metadata Format sets.
type Options struct {
	// KernelSpec and LanguageInfo replace the notebook's metadata entries
	// of the same name; nil leaves them as they are.
	KernelSpec, LanguageInfo map[string]any
	// StripOutputs clears code cells' outputs and execution counts.
	StripOutputs bool
}

// Default returns the Options for this project's kernel: GoNB's kernelspec
// and language_info for a kernel built by the Go toolchain that runs this
// code (`make tools` builds gonb with the same `go`).
func Default() Options {
	return Options{KernelSpec: KernelSpec(), LanguageInfo: LanguageInfo(runtime.Version())}
}

// Format returns the notebook in data in the form Jupyter writes it. It
// fails on input that is not an nbformat 4 notebook, and on text that is
// not valid Unicode: invalid UTF-8 bytes, or a \u escape of half a UTF-16
// surrogate pair. encoding/json would replace either with U+FFFD in
// silence; Jupyter refuses the file.
func Format(data []byte, opts Options) ([]byte, error) {
	if err := checkUnicode(data); err != nil {
		return nil, fmt.Errorf("not a notebook: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not a notebook (invalid JSON): %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a notebook: data after the JSON value")
	}
	nb, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a notebook: top level is not a JSON object")
	}
	if n, _ := nb["nbformat"].(json.Number); n.String() != "4" {
		return nil, fmt.Errorf("unsupported notebook format: nbformat %v, want 4", nb["nbformat"])
	}
	cells, ok := nb["cells"].([]any)
	if !ok {
		return nil, errors.New("not a notebook: \"cells\" is not a list")
	}
	meta, _ := nb["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		nb["metadata"] = meta
	}
	for _, k := range []string{"orig_nbformat", "orig_nbformat_minor", "signature"} {
		delete(meta, k)
	}
	if opts.KernelSpec != nil {
		meta["kernelspec"] = opts.KernelSpec
	}
	if opts.LanguageInfo != nil {
		meta["language_info"] = opts.LanguageInfo
	}
	minorNum, _ := nb["nbformat_minor"].(json.Number)
	minor, _ := minorNum.Int64()
	ids := map[string]bool{}
	for i, c := range cells {
		cell, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("cell %d is not a JSON object", i)
		}
		if minor >= 5 {
			setCellID(cell, i, ids)
		}
		cm, _ := cell["metadata"].(map[string]any)
		if cm == nil {
			cm = map[string]any{}
			cell["metadata"] = cm
		}
		delete(cm, "trusted")
		if err := splitField(cell, "source"); err != nil {
			return nil, fmt.Errorf("cell %d: %w", i, err)
		}
		if cell["cell_type"] != "code" {
			continue
		}
		if opts.StripOutputs {
			cell["outputs"] = []any{}
			cell["execution_count"] = nil
		}
		if _, ok := cell["execution_count"]; !ok {
			cell["execution_count"] = nil
		}
		outs, _ := cell["outputs"].([]any)
		if outs == nil {
			outs = []any{}
			cell["outputs"] = outs
		}
		for k, o := range outs {
			out, ok := o.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("cell %d, output %d is not a JSON object", i, k)
			}
			switch out["output_type"] {
			case "stream":
				if err := splitField(out, "text"); err != nil {
					return nil, fmt.Errorf("cell %d, output %d: %w", i, k, err)
				}
			case "display_data", "execute_result":
				data, _ := out["data"].(map[string]any)
				for mime := range data {
					if strings.HasPrefix(mime, "text/") || mime == "image/svg+xml" || mime == "application/javascript" {
						if err := splitField(data, mime); err != nil {
							return nil, fmt.Errorf("cell %d, output %d: %w", i, k, err)
						}
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := encode(&buf, nb, 0); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// splitField rewrites m[key], a multi-line string (a string or a list of
// strings), as Python's str.splitlines(keepends=True) splits the joined
// string. Absent keys are left alone.
func splitField(m map[string]any, key string) error {
	v, ok := m[key]
	if !ok {
		return nil
	}
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case []any:
		var b strings.Builder
		for _, p := range t {
			ps, ok := p.(string)
			if !ok {
				return fmt.Errorf("%q: list holds a non-string", key)
			}
			b.WriteString(ps)
		}
		s = b.String()
	default:
		return fmt.Errorf("%q is neither a string nor a list of strings", key)
	}
	lines := []any{}
	for _, l := range SplitLines(s) {
		lines = append(lines, l)
	}
	m[key] = lines
	return nil
}

// checkUnicode reports the first invalid UTF-8 sequence in data, or the
// first \u escape of a lone UTF-16 surrogate, with its line number.
func checkUnicode(data []byte) error {
	line := func(off int) int { return 1 + bytes.Count(data[:off], []byte("\n")) }
	for i := 0; i < len(data); {
		c := data[i]
		if c == '\\' && i+1 < len(data) {
			if data[i+1] != 'u' {
				i += 2 // an escaped character, e.g. \\ or \"
				continue
			}
			r, ok := hex4(data[i+2:])
			switch {
			case ok && utf16.IsSurrogate(r) && r < 0xdc00:
				if bytes.HasPrefix(data[i+6:], []byte("\\u")) {
					if low, ok := hex4(data[i+8:]); ok && low >= 0xdc00 && low <= 0xdfff {
						i += 12
						continue
					}
				}
				return fmt.Errorf("line %d: %s is half a UTF-16 surrogate pair, not a character", line(i), data[i:i+6])
			case ok && utf16.IsSurrogate(r):
				return fmt.Errorf("line %d: %s is half a UTF-16 surrogate pair, not a character", line(i), data[i:i+6])
			}
			i += 2
			continue
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Errorf("line %d: invalid UTF-8 (byte 0x%02x at offset %d); Jupyter cannot read it: fix the file's encoding", line(i), c, i)
		}
		i += size
	}
	return nil
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return rune(n), err == nil
}

// SplitLines is Python's str.splitlines(keepends=True): lines end at \n,
// \r, \r\n, \v, \f, \x1c, \x1d, \x1e, U+0085, U+2028 or U+2029.
func SplitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		end := -1
		switch r {
		case '\r':
			end = i + 1
			if end < len(s) && s[end] == '\n' {
				end++
			}
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			end = i + size
		}
		if end < 0 {
			i += size
			continue
		}
		out = append(out, s[start:end])
		start, i = end, end
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// encode writes v as Python's json.dumps(v, indent=1, sort_keys=True,
// ensure_ascii=False, separators=(",", ": ")) does, at nesting depth.
func encode(w *bytes.Buffer, v any, depth int) error {
	switch t := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		w.WriteString(strconv.FormatBool(t))
	case string:
		writeString(w, t)
	case json.Number:
		s, err := pyNumber(t)
		if err != nil {
			return err
		}
		w.WriteString(s)
	case []any:
		if len(t) == 0 {
			w.WriteString("[]")
			return nil
		}
		w.WriteString("[")
		for i, e := range t {
			if i > 0 {
				w.WriteString(",")
			}
			newline(w, depth+1)
			if err := encode(w, e, depth+1); err != nil {
				return err
			}
		}
		newline(w, depth)
		w.WriteString("]")
	case map[string]any:
		if len(t) == 0 {
			w.WriteString("{}")
			return nil
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys) // UTF-8 byte order is code point order, as Python sorts
		w.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				w.WriteString(",")
			}
			newline(w, depth+1)
			writeString(w, k)
			w.WriteString(": ")
			if err := encode(w, t[k], depth+1); err != nil {
				return err
			}
		}
		newline(w, depth)
		w.WriteString("}")
	default:
		return fmt.Errorf("nbfmt: cannot encode %T", v)
	}
	return nil
}

func newline(w *bytes.Buffer, depth int) {
	w.WriteByte('\n')
	for range depth {
		w.WriteByte(' ')
	}
}

// writeString quotes s as Python's json module does with ensure_ascii=False:
// only '"', '\\' and control characters below U+0020 are escaped.
func writeString(w *bytes.Buffer, s string) {
	w.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			w.WriteString(`\"`)
		case '\\':
			w.WriteString(`\\`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		case '\t':
			w.WriteString(`\t`)
		case '\b':
			w.WriteString(`\b`)
		case '\f':
			w.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(w, `\u%04x`, r)
			} else {
				w.WriteRune(r)
			}
		}
	}
	w.WriteByte('"')
}

// pyNumber formats a JSON number as Python writes the int or float it
// parses to: integers as they are, floats in repr's shortest form.
func pyNumber(n json.Number) (string, error) {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.FormatInt(i, 10), nil
		}
		return s, nil // big integers: Python keeps every digit
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return "", fmt.Errorf("nbfmt: number %s out of range", s)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e, nil
	}
	r := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(r, ".") {
		r += ".0"
	}
	return r, nil
}

// cellID is the form nbformat 4.5 requires of a cell's "id"
// (nbformat/v4/nbformat.v4.5.schema.json).
var cellID = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)

// setCellID gives cell number i an id where it has none, an invalid one or
// one an earlier cell has (ids holds those): nbformat 4.5 requires a unique
// id per cell, and Jupyter adds a random one when it saves a notebook
// without, so a committed notebook without ids would change on its first
// save. The new id is derived from the cell's position and source (8 hex
// digits, like Jupyter's), so that formatting stays deterministic.
func setCellID(cell map[string]any, i int, ids map[string]bool) {
	id, _ := cell["id"].(string)
	for n := 0; !cellID.MatchString(id) || ids[id]; n++ {
		src, _ := json.Marshal(cell["source"])
		sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d/%s", i, n, src))
		id = hex.EncodeToString(sum[:4])
	}
	cell["id"] = id
	ids[id] = true
}
