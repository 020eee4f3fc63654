package nbfmt

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// testdata/want.ipynb was written by Python's nbformat 5.5 (nbformat.write)
// from testdata/in.ipynb with the same kernelspec and language_info: the
// canonical form Format must reproduce byte for byte.
func TestFormatMatchesNbformat(t *testing.T) {
	in, err := os.ReadFile("testdata/in.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/want.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{KernelSpec: KernelSpec(), LanguageInfo: LanguageInfo("go1.99.1")}
	got, err := Format(in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d: got %q, want %q", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("got %d lines, want %d", len(gl), len(wl))
	}
	again, err := Format(got, opts)
	if err != nil || !bytes.Equal(again, got) {
		t.Errorf("not idempotent (err %v)", err)
	}
}

func TestFormatStripOutputs(t *testing.T) {
	in, _ := os.ReadFile("testdata/in.ipynb")
	got, err := Format(in, Options{StripOutputs: true})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte(`"output_type"`)) || bytes.Contains(got, []byte(`"execution_count": 3`)) {
		t.Errorf("outputs left:\n%s", got)
	}
	if !bytes.Contains(got, []byte(`"version": "go1.26"`)) {
		t.Errorf("nil LanguageInfo changed the metadata:\n%s", got)
	}
}

func TestFormatRejectsNonNotebooks(t *testing.T) {
	for _, in := range []string{``, `[]`, `{"nbformat": 3, "cells": []}`, `{"nbformat": 4}`,
		`{"nbformat": 4, "cells": [1]}`, `{"nbformat": 4, "cells": []} {}`,
		`{"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}`} {
		if _, err := Format([]byte(in), Default()); err == nil {
			t.Errorf("Format(%q): no error", in)
		}
	}
}

func TestSplitLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a\n"}},
		{"a\r\nb\rc\n\nd", []string{"a\r\n", "b\r", "c\n", "\n", "d"}},
		{"x\u2028y\u0085z\x1c", []string{"x\u2028", "y\u0085", "z\x1c"}},
	} {
		if got := SplitLines(c.in); !slices.Equal(got, c.want) {
			t.Errorf("SplitLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestFormatRefusesInvalidUnicode: bytes that are not UTF-8, and escapes
// of half a surrogate pair, are an error naming the line, not text
// replaced by U+FFFD; a valid pair and escaped backslashes are kept.
func TestFormatRefusesInvalidUnicode(t *testing.T) {
	nb := func(src string) []byte {
		return []byte("{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {},\n\"cells\": [{\"cell_type\": \"code\", \"id\": \"x\", \"metadata\": {}, \"source\": \"" + src + "\"}]}")
	}
	for name, src := range map[string]string{
		"invalid byte":      "a\xff b",
		"truncated rune":    "caf\xc3",
		"overlong":          "\xc0\xaf",
		"encoded surrogate": "\xed\xa0\x80",
		"lone high escape":  `\ud800x`,
		"lone low escape":   `\udc00`,
		"high then letter":  `\ud83d\u0041`,
	} {
		out, err := Format(nb(src), Options{})
		if err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%s: err %v, output %q", name, err, out)
		}
	}
	for name, src := range map[string]string{
		"pair":              `\ud83d\ude00`,
		"escaped backslash": `\\ud800`,
		"plain":             "µM ≥ 2",
	} {
		if _, err := Format(nb(src), Options{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFormatCellIDs: nbformat 4.5 requires a unique id per cell, and
// Jupyter adds one when it saves a notebook without; Format gives every
// cell without a valid, unique id one (the same on every run) and keeps the
// ids that are valid and unique. Notebooks of nbformat 4.4 get none.
func TestFormatCellIDs(t *testing.T) {
	in := []byte(`{"cells": [
 {"cell_type": "markdown", "metadata": {}, "source": "a"},
 {"cell_type": "markdown", "id": "keep-me", "metadata": {}, "source": "b"},
 {"cell_type": "markdown", "id": "keep-me", "metadata": {}, "source": "c"},
 {"cell_type": "markdown", "id": "not valid!", "metadata": {}, "source": "d"},
 {"cell_type": "markdown", "metadata": {}, "source": "a"}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`)
	ids := func(data []byte) []string {
		var nb struct {
			Cells []struct {
				ID *string `json:"id"`
			} `json:"cells"`
		}
		if err := json.Unmarshal(data, &nb); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range nb.Cells {
			if c.ID == nil {
				out = append(out, "")
				continue
			}
			out = append(out, *c.ID)
		}
		return out
	}
	got, err := Format(in, Default())
	if err != nil {
		t.Fatal(err)
	}
	first := ids(got)
	if first[1] != "keep-me" {
		t.Errorf("a valid unique id was changed: %q", first[1])
	}
	seen := map[string]bool{}
	for i, id := range first {
		if !cellID.MatchString(id) || seen[id] {
			t.Errorf("cell %d: id %q is missing, invalid or repeated (ids %q)", i, id, first)
		}
		seen[id] = true
	}
	again, err := Format(got, Default())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, got) {
		t.Error("formatting twice changes the ids")
	}
	if second, _ := Format(in, Default()); !bytes.Equal(second, got) {
		t.Error("the ids differ from run to run")
	}
	old := bytes.Replace(in, []byte(`"nbformat_minor": 5`), []byte(`"nbformat_minor": 4`), 1)
	old = bytes.ReplaceAll(old, []byte(`"id": "keep-me", `), nil)
	old = bytes.ReplaceAll(old, []byte(`"id": "not valid!", `), nil)
	got4, err := Format(old, Default())
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(ids(got4), func(id string) bool { return id != "" }) {
		t.Errorf("nbformat 4.4 cells got ids: %q", ids(got4))
	}
}
