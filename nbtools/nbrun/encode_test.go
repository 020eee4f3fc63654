package nbrun

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// encodeReference is the straightforward encoding that encode must equal:
// the cells marshalled, then the whole notebook through json.Encoder with
// SetIndent("", " ") and no HTML escaping.
func encodeReference(t *testing.T, nb *notebook) []byte {
	t.Helper()
	cells, err := marshal(nb.cells)
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]json.RawMessage{}
	for k, v := range nb.raw {
		raw[k] = v
	}
	raw["cells"] = cells
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(raw); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkEncode compares encode with the reference encoding.
func checkEncode(t *testing.T, name string, nb *notebook) {
	t.Helper()
	got, err := nb.encode() // assigns missing ids first
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if want := encodeReference(t, nb); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-80)
		t.Fatalf("%s: encoding differs from json.Encoder's at byte %d:\ngot  %q\nwant %q", name, i,
			got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
	}
}

func TestEncodeMatchesJSONEncoder(t *testing.T) {
	bounded(t, 30*time.Second, func() {
		paths, _ := filepath.Glob("../../notebooks/*.ipynb")
		if len(paths) == 0 {
			t.Fatal("no notebooks found")
		}
		for _, p := range paths {
			nb, err := readNotebook(p)
			if err != nil {
				t.Fatal(err)
			}
			checkEncode(t, filepath.Base(p), nb)
			// With outputs of every kind, HTML and non-ASCII text.
			count := 3
			for i := range nb.cells {
				if nb.cellType(i) != "code" {
					continue
				}
				err := nb.setCodeResult(i, &count, []*Output{
					{OutputType: "stream", Name: "stdout", Text: "a <b> & \"q\"\n\tµ ²⁺ \u2028"},
					{OutputType: "display_data", Data: map[string]json.RawMessage{
						"text/html": raw(`"<div class=\"x\">1 &amp; 2</div>"`), "image/png": raw(`"iVBO"`),
						"application/json": raw(`{"b": [1, 2.50, {}], "a": []}`)}},
					{OutputType: "execute_result", ExecutionCount: &count, Data: map[string]json.RawMessage{"text/plain": raw(`"42"`)}},
					{OutputType: "error", EName: "panic", EValue: "boom", Traceback: []string{"\x1b[31mline\x1b[0m"}},
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			checkEncode(t, filepath.Base(p)+" with outputs", nb)
		}
		for _, s := range []string{
			`{"nbformat":4,"cells":[]}`,
			`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"raw","source":"","metadata":{"a":{"b":[]}}}],"z":{"<":">"}}`,
			"{\"nbformat\":4,\"cells\":[{\"cell_type\":\"markdown\",\"source\":[\"a\\n\",\"b\"],\"attachments\":{}}],\"metadata\":{\"x\":[1,[2,[3]]]}}",
		} {
			nb, err := parseNotebook([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			checkEncode(t, s, nb)
		}
	})
}

// Writing a notebook with 50 MB of output (5 MB in -short mode) must not
// take several passes over the text per nesting level.
func TestEncodeLargeOutput(t *testing.T) {
	size := 50 << 20
	if testing.Short() {
		size = 5 << 20
	}
	bounded(t, 60*time.Second, func() {
		nb, err := parseNotebook([]byte(`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","id":"a","metadata":{},"source":"x"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Repeat(strings.Repeat("x", 99)+"\n", size/100)
		start := time.Now()
		if err := nb.setCodeResult(0, nil, []*Output{{OutputType: "stream", Name: "stdout", Text: text}}); err != nil {
			t.Fatal(err)
		}
		data, err := nb.encode()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d MB stream output encoded in %v (%d bytes)", size>>20, time.Since(start), len(data))
		back, err := parseNotebook(data)
		if err != nil {
			t.Fatal(err)
		}
		var outs []*Output
		if err := json.Unmarshal(back.cells[0]["outputs"], &outs); err != nil || len(outs) != 1 || outs[0].Text != text {
			t.Fatalf("output does not read back (%v)", err)
		}
	})
}
