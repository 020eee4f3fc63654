package nbrun

import (
	"bytes"
	"encoding/json"
	"testing"
)

// fuzzFrames joins messages (each a list of frames) into fuzz input:
// frames separated by one NUL, messages by two.
func fuzzFrames(msgs ...[]string) []byte {
	var b bytes.Buffer
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("\x00\x00")
		}
		for j, f := range m {
			if j > 0 {
				b.WriteByte(0)
			}
			b.WriteString(f)
		}
	}
	return b.Bytes()
}

// iopubFrames is an unsigned iopub message of type typ in reply to parent.
func iopubFrames(typ, parent, content string) []string {
	return []string{"kernel", delimiter, "", `{"msg_id":"m","msg_type":"` + typ + `"}`, `{"msg_id":"` + parent + `"}`, "{}", content}
}

// FuzzMessages feeds arbitrary kernel messages — malformed, huge, out of
// order, for other requests — through the runner's decoding (with and
// without a signing key) and its iopub handling for a running cell. It
// must never panic; the cell keeps at most its output limit (plus the
// marker); every output encodes as JSON and the notebook holding them
// encodes and parses back.
func FuzzMessages(f *testing.F) {
	f.Add(fuzzFrames(
		iopubFrames("status", "cell", `{"execution_state":"busy"}`),
		iopubFrames("execute_input", "cell", `{"execution_count":3,"code":"x"}`),
		iopubFrames("stream", "cell", `{"name":"stdout","text":"hello\n"}`),
		iopubFrames("stream", "cell", `{"name":"stdout","text":"world\n"}`),
		iopubFrames("display_data", "cell", `{"data":{"text/html":"<b>x</b>","image/png":"iVBORw0KGgo="},"metadata":{},"transient":{"display_id":"d1"}}`),
		iopubFrames("update_display_data", "other", `{"data":{"text/html":"<b>y</b>"},"metadata":{},"transient":{"display_id":"d1"}}`),
		iopubFrames("clear_output", "cell", `{"wait":true}`),
		iopubFrames("error", "cell", `{"ename":"E","evalue":"v","traceback":["a","b"]}`),
		iopubFrames("execute_result", "cell", `{"execution_count":3,"data":{"text/plain":"1"},"metadata":{}}`),
		iopubFrames("status", "cell", `{"execution_state":"idle"}`),
	))
	f.Add(fuzzFrames(iopubFrames("stream", "cell", `{"name":"stderr","text":"`+string(bytes.Repeat([]byte("x"), 5000))+`"}`)))
	f.Add(fuzzFrames(iopubFrames("display_data", "cell", `{"data":null,"metadata":[],"transient":7}`), []string{delimiter}, []string{"a", "b"}))
	f.Add(fuzzFrames(iopubFrames("stream", "cell", `{"name":"stdout","text":"\ud800 \u0000 \u2028"}`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 4096
		prev := &outputs{limit: limit}
		prev.add(&Output{OutputType: "display_data", Data: map[string]json.RawMessage{"text/plain": json.RawMessage(`"p"`)}, displayID: "d1"})
		outs := &outputs{limit: limit}
		r := &runner{cells: []*outputs{prev, outs}}
		cr := &CellResult{}
		signed := codec{key: []byte("k")}
		for raw := range bytes.SplitSeq(data, []byte{0, 0}) {
			frames := bytes.Split(raw, []byte{0})
			if _, err := signed.decode(frames); err == nil {
				t.Fatalf("an unsigned message passed the signature check: %q", raw)
			}
			m, err := (&codec{}).decode(frames)
			if err != nil {
				continue
			}
			r.onIOPub(m, "cell", outs, cr)
		}
		for _, c := range []*outputs{prev, outs} {
			list := c.result()
			size := 0
			for i, o := range list {
				if i < len(list)-1 || c.dropped == 0 {
					size += outputSize(o)
				}
				b, err := o.MarshalJSON()
				if err != nil {
					t.Fatalf("output %+v: %v", o, err)
				}
				if !json.Valid(b) {
					t.Fatalf("output encodes as invalid JSON: %q", b)
				}
			}
			if size > limit {
				t.Fatalf("kept %d bytes, limit %d", size, limit)
			}
		}
		nb, err := parseNotebook([]byte(`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","id":"a","metadata":{},"source":"x","outputs":[],"execution_count":null}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if err := nb.setCodeResult(0, cr.ExecutionCount, outs.result()); err != nil {
			t.Fatal(err)
		}
		enc, err := nb.encode()
		if err != nil {
			t.Fatalf("encoding the notebook: %v", err)
		}
		if _, err := parseNotebook(enc); err != nil {
			t.Fatalf("the executed notebook does not parse back: %v", err)
		}
	})
}
