package nbrun

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzParseNotebook feeds arbitrary bytes to the notebook reader. It must
// never panic; a notebook it accepts must survive what the runner does with
// it (read every cell's source, reset code cells, encode), the encoding must
// equal json.Encoder's, and it must read back with the same cells and
// sources.
func FuzzParseNotebook(f *testing.F) {
	for _, s := range []string{
		`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"markdown","id":"a","metadata":{},"source":"# t"},` +
			`{"cell_type":"code","id":"b","metadata":{},"execution_count":null,"outputs":[],"source":["%%\n","println(1)"]}]}`,
		`{"nbformat":4,"nbformat_minor":4,"cells":[{"cell_type":"raw","source":""}]}`,
		`{"nbformat":4,"cells":[{"cell_type":"code","source":42}]}`,
		`{"nbformat":4,"cells":[{"cell_type":"code","source":["a",null]}]}`,
		`{"nbformat":4,"cells":[null]}`,
		`{"nbformat":4,"cells":null}`,
		`{"nbformat":4,"cells":[{"cell_type":"code","source":"x","outputs":[null]}]}`,
		`{"nbformat":4,"cells":[],"metadata":[]}`,
		`null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nb, err := parseNotebook(data)
		if err != nil {
			return
		}
		var srcs []string
		for i := range nb.cells {
			srcs = append(srcs, nb.source(i))
			_ = CellTitle(nb.source(i))
			if nb.cellType(i) == "code" {
				count := i
				if err := nb.setCodeResult(i, &count, []*Output{{OutputType: "stream", Name: "stdout", Text: "x"}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		nb.setMetadata("kernelspec", json.RawMessage(`{"name":"gonb"}`), true)
		out, err := nb.encode()
		if err != nil {
			t.Fatalf("accepted notebook does not encode: %v", err)
		}
		if ref := encodeReference(t, nb); !bytes.Equal(out, ref) {
			t.Fatalf("encoding differs from json.Encoder's:\n%s\n%s", out, ref)
		}
		back, err := parseNotebook(out)
		if err != nil {
			t.Fatalf("encoded notebook does not read back: %v\n%s", err, out)
		}
		if len(back.cells) != len(srcs) {
			t.Fatalf("%d cells after encoding, want %d", len(back.cells), len(srcs))
		}
		for i, s := range srcs {
			if back.source(i) != s {
				t.Fatalf("cell %d source %q after encoding, want %q", i, back.source(i), s)
			}
		}
	})
}
