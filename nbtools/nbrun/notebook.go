package nbrun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// notebook is an nbformat 4 notebook. Top-level fields and cells are kept as
// raw JSON so that everything the runner does not touch (metadata, cell ids,
// attachments, unknown fields) is written back unchanged.
type notebook struct {
	raw   map[string]json.RawMessage
	cells []map[string]json.RawMessage
}

// marshal is json.Marshal without HTML escaping, like Jupyter's output
// (escaped "<" in a nested value could not be undone by the outer encoder).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// readNotebook loads and minimally validates an nbformat 4 notebook.
func readNotebook(path string) (*notebook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseNotebook(data)
}

// parseNotebook decodes an nbformat 4 notebook and checks the shape of
// everything the runner reads or writes: a malformed notebook is an error
// naming the cell, never a cell skipped in silence.
func parseNotebook(data []byte) (*notebook, error) {
	nb := &notebook{}
	if err := json.Unmarshal(data, &nb.raw); err != nil {
		return nil, fmt.Errorf("not a notebook (invalid JSON): %w", err)
	}
	if nb.raw == nil {
		return nil, errors.New("not a notebook: the top level is null, want an object")
	}
	var major int
	if err := json.Unmarshal(nb.raw["nbformat"], &major); err != nil || major != 4 {
		return nil, fmt.Errorf("unsupported notebook format: nbformat %s, want 4", nb.raw["nbformat"])
	}
	if m, ok := nb.raw["nbformat_minor"]; ok {
		var minor int
		if err := json.Unmarshal(m, &minor); err != nil || minor < 0 {
			return nil, fmt.Errorf("nbformat_minor is %s, want a non-negative integer", m)
		}
	}
	if m, ok := nb.raw["metadata"]; ok && !isObject(m) {
		return nil, fmt.Errorf("metadata is %s, want an object", short(m))
	}
	cells, ok := nb.raw["cells"]
	if !ok || !bytes.HasPrefix(bytes.TrimSpace(cells), []byte("[")) {
		return nil, fmt.Errorf("cells is %s, want a list", short(cells))
	}
	var list []json.RawMessage
	if err := json.Unmarshal(cells, &list); err != nil {
		return nil, fmt.Errorf("decoding cells: %w", err)
	}
	nb.cells = make([]map[string]json.RawMessage, len(list))
	for i, raw := range list {
		if !isObject(raw) {
			return nil, fmt.Errorf("cell %d (index among all cells) is %s, want an object", i, short(raw))
		}
		if err := json.Unmarshal(raw, &nb.cells[i]); err != nil {
			return nil, fmt.Errorf("cell %d: %w", i, err)
		}
		if err := checkCell(nb.cells[i]); err != nil {
			return nil, fmt.Errorf("cell %d (index among all cells): %w", i, err)
		}
	}
	return nb, nil
}

// checkCell checks the fields of a cell that the runner reads or writes.
func checkCell(c map[string]json.RawMessage) error {
	var typ string
	if err := json.Unmarshal(c["cell_type"], &typ); err != nil {
		return fmt.Errorf("cell_type is %s, want a string", short(c["cell_type"]))
	}
	switch typ {
	case "code", "markdown", "raw":
	default:
		return fmt.Errorf("cell_type %q, want code, markdown or raw", typ)
	}
	if _, err := ParseMultiline(c["source"]); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if m, ok := c["metadata"]; ok && !isObject(m) {
		return fmt.Errorf("metadata is %s, want an object", short(m))
	}
	return nil
}

// isObject reports whether raw is a JSON object.
func isObject(raw json.RawMessage) bool {
	return bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{"))
}

// short quotes a raw JSON value for an error message, shortened.
func short(raw json.RawMessage) string {
	if raw == nil {
		return "missing"
	}
	s := string(bytes.TrimSpace(raw))
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return s
}

// minor returns nbformat_minor (0 if absent).
func (nb *notebook) minor() int {
	var m int
	_ = json.Unmarshal(nb.raw["nbformat_minor"], &m)
	return m
}

// cellType returns the cell_type of cell i.
func (nb *notebook) cellType(i int) string {
	var t string
	_ = json.Unmarshal(nb.cells[i]["cell_type"], &t)
	return t
}

// source returns the source text of cell i (nbformat allows a string or a
// list of strings).
func (nb *notebook) source(i int) string {
	return Multiline(nb.cells[i]["source"])
}

// Multiline decodes an nbformat "multiline string": a string or a list of
// strings. Anything else gives "" (see ParseMultiline for the error).
func Multiline(raw json.RawMessage) string {
	s, _ := ParseMultiline(raw)
	return s
}

// ParseMultiline decodes an nbformat "multiline string" (a string or a list
// of strings) and reports any other JSON value, null included, as an error.
func ParseMultiline(raw json.RawMessage) (string, error) {
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) == 0:
		return "", errors.New("missing, want a string or a list of strings")
	case t[0] == '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return "", err
		}
		return s, nil
	case t[0] == '[':
		var parts []*string
		if err := json.Unmarshal(t, &parts); err == nil {
			var b strings.Builder
			for _, p := range parts {
				if p == nil {
					return "", errors.New("a list with null in it, want a string or a list of strings")
				}
				b.WriteString(*p)
			}
			return b.String(), nil
		}
	}
	return "", fmt.Errorf("%s, want a string or a list of strings", short(raw))
}

// setMetadata sets a top-level notebook metadata key. If onlyIfAbsent is
// set, an existing value is kept.
func (nb *notebook) setMetadata(key string, value json.RawMessage, onlyIfAbsent bool) {
	meta := map[string]json.RawMessage{}
	_ = json.Unmarshal(nb.raw["metadata"], &meta)
	if meta == nil {
		meta = map[string]json.RawMessage{}
	}
	if _, ok := meta[key]; ok && onlyIfAbsent {
		return
	}
	meta[key] = value
	nb.raw["metadata"], _ = marshal(meta)
}

// setCodeResult stores the outputs and execution count of code cell i.
// The outputs are joined by hand: json.Marshal of the slice would scan every
// output's JSON once more (a cell may print tens of megabytes).
func (nb *notebook) setCodeResult(i int, count *int, outs []*Output) error {
	parts := make([][]byte, len(outs))
	size := 2 + len(outs)
	for k, o := range outs {
		b, err := o.MarshalJSON()
		if err != nil {
			return err
		}
		parts[k] = b
		size += len(b)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	buf.WriteByte('[')
	for k, b := range parts {
		if k > 0 {
			buf.WriteByte(',')
		}
		buf.Write(b)
	}
	buf.WriteByte(']')
	c, _ := marshal(count)
	nb.cells[i]["outputs"] = buf.Bytes()
	nb.cells[i]["execution_count"] = c
	return nil
}

// encode serialises the notebook in Jupyter's style (keys sorted, 1-space
// indent, no HTML escaping, a final newline), making sure it is valid
// nbformat 4: code cells have outputs and execution_count, and cells have
// ids from nbformat 4.5 on. The result is what json.Encoder with
// SetIndent("", " ") writes for the whole notebook, but each value is
// indented in place, in one pass, instead of being re-marshalled with every
// enclosing level.
func (nb *notebook) encode() ([]byte, error) {
	needIDs := nb.minor() >= 5
	for i, c := range nb.cells {
		if nb.cellType(i) == "code" {
			if _, ok := c["outputs"]; !ok {
				c["outputs"] = json.RawMessage("[]")
			}
			if _, ok := c["execution_count"]; !ok {
				c["execution_count"] = json.RawMessage("null")
			}
		}
		if _, ok := c["metadata"]; !ok {
			c["metadata"] = json.RawMessage("{}")
		}
		if _, ok := c["id"]; needIDs && !ok {
			c["id"], _ = marshal(strings.ReplaceAll(newID(), "-", "")[:16])
		}
	}
	// Allocate once: json.Indent makes room for twice its input before
	// writing, and the indented notebook is a little larger than its parts.
	size := 0
	for _, v := range nb.raw {
		size += len(v)
	}
	for _, c := range nb.cells {
		for _, v := range c {
			size += len(v)
		}
	}
	var buf bytes.Buffer
	buf.Grow(2*size + 4096)
	err := writeObject(&buf, 0, nb.raw, func(key string, depth int) (bool, error) {
		if key != "cells" {
			return false, nil
		}
		if len(nb.cells) == 0 {
			buf.WriteString("[]")
			return true, nil
		}
		buf.WriteByte('[')
		for i, c := range nb.cells {
			if i > 0 {
				buf.WriteByte(',')
			}
			newline(&buf, depth+1)
			if err := writeObject(&buf, depth+1, c, nil); err != nil {
				return true, fmt.Errorf("cell %d: %w", i, err)
			}
		}
		newline(&buf, depth)
		buf.WriteByte(']')
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// newline starts a line indented by depth spaces.
func newline(buf *bytes.Buffer, depth int) {
	buf.WriteByte('\n')
	for range depth {
		buf.WriteByte(' ')
	}
}

// writeObject writes m as an indented JSON object whose opening brace is at
// nesting depth, keys sorted. custom, if not nil, may write the value of a
// key itself (and then returns true).
func writeObject(buf *bytes.Buffer, depth int, m map[string]json.RawMessage,
	custom func(key string, depth int) (bool, error)) error {
	if len(m) == 0 {
		buf.WriteString("{}")
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	buf.WriteByte('{')
	prefix := strings.Repeat(" ", depth+1)
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		newline(buf, depth+1)
		kb, err := marshal(k)
		if err != nil {
			return err
		}
		buf.Write(kb)
		buf.WriteString(": ")
		if custom != nil {
			done, err := custom(k, depth+1)
			if err != nil {
				return err
			}
			if done {
				continue
			}
		}
		if err := json.Indent(buf, bytes.TrimSpace(m[k]), prefix, " "); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	newline(buf, depth)
	buf.WriteByte('}')
	return nil
}

// Output is one output of a code cell, in nbformat 4 shape.
type Output struct {
	// OutputType is "stream", "display_data", "execute_result" or "error".
	OutputType string
	// Name is the stream name ("stdout" or "stderr") of a stream output.
	Name string
	// Text is the text of a stream output.
	Text string
	// Data maps MIME types to their JSON-encoded values (display_data, execute_result).
	Data map[string]json.RawMessage
	// Metadata is the output metadata (display_data, execute_result).
	Metadata map[string]json.RawMessage
	// ExecutionCount of an execute_result output.
	ExecutionCount *int
	// EName, EValue and Traceback describe an error output.
	EName, EValue string
	Traceback     []string

	// displayID is transient.display_id: update_display_data replaces data of
	// outputs with the same id. It is not saved in the notebook.
	displayID string
}

// MarshalJSON encodes the output with exactly the fields nbformat 4 allows
// for its output_type.
func (o *Output) MarshalJSON() ([]byte, error) {
	data, meta := o.Data, o.Metadata
	if data == nil {
		data = map[string]json.RawMessage{}
	}
	if meta == nil {
		meta = map[string]json.RawMessage{}
	}
	switch o.OutputType {
	case "stream":
		return marshal(struct {
			OutputType string `json:"output_type"`
			Name       string `json:"name"`
			Text       string `json:"text"`
		}{o.OutputType, o.Name, o.Text})
	case "display_data":
		return marshal(struct {
			OutputType string                     `json:"output_type"`
			Data       map[string]json.RawMessage `json:"data"`
			Metadata   map[string]json.RawMessage `json:"metadata"`
		}{o.OutputType, data, meta})
	case "execute_result":
		return marshal(struct {
			OutputType     string                     `json:"output_type"`
			ExecutionCount *int                       `json:"execution_count"`
			Data           map[string]json.RawMessage `json:"data"`
			Metadata       map[string]json.RawMessage `json:"metadata"`
		}{o.OutputType, o.ExecutionCount, data, meta})
	case "error":
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		return marshal(struct {
			OutputType string   `json:"output_type"`
			EName      string   `json:"ename"`
			EValue     string   `json:"evalue"`
			Traceback  []string `json:"traceback"`
		}{o.OutputType, o.EName, o.EValue, tb})
	}
	return nil, fmt.Errorf("nbrun: unknown output_type %q", o.OutputType)
}

// UnmarshalJSON decodes an nbformat 4 output.
func (o *Output) UnmarshalJSON(b []byte) error {
	var raw struct {
		OutputType     string                     `json:"output_type"`
		Name           string                     `json:"name"`
		Text           json.RawMessage            `json:"text"`
		Data           map[string]json.RawMessage `json:"data"`
		Metadata       map[string]json.RawMessage `json:"metadata"`
		ExecutionCount *int                       `json:"execution_count"`
		EName          string                     `json:"ename"`
		EValue         string                     `json:"evalue"`
		Traceback      []string                   `json:"traceback"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*o = Output{
		OutputType: raw.OutputType, Name: raw.Name, Text: Multiline(raw.Text),
		Data: raw.Data, Metadata: raw.Metadata, ExecutionCount: raw.ExecutionCount,
		EName: raw.EName, EValue: raw.EValue, Traceback: raw.Traceback,
	}
	return nil
}

// Kinds returns the output's kinds as used by [OutputKinds]: "stream:NAME",
// "error", or "TYPE:MIME" for each MIME type of a display_data or
// execute_result output.
func (o *Output) Kinds() []string {
	switch o.OutputType {
	case "stream":
		return []string{"stream:" + o.Name}
	case "error":
		return []string{"error"}
	}
	kinds := make([]string, 0, len(o.Data))
	for mime := range o.Data {
		kinds = append(kinds, o.OutputType+":"+mime)
	}
	sort.Strings(kinds)
	return kinds
}

// OutputKinds reads an executed notebook and returns, for each code cell in
// order, the sorted set of its output kinds (see [Output.Kinds]), e.g.
// ["display_data:image/png", "stream:stdout"]. It ignores order, repetition
// and content, so that notebooks executed by different front ends (this
// runner, jupyter nbconvert --execute) can be compared, given that GoNB's
// relative order of text and display outputs is not deterministic.
func OutputKinds(nbPath string) ([][]string, error) {
	nb, err := readNotebook(nbPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", nbPath, err)
	}
	var all [][]string
	for i, c := range nb.cells {
		if nb.cellType(i) != "code" {
			continue
		}
		var outs []*Output
		if raw, ok := c["outputs"]; ok {
			if err := json.Unmarshal(raw, &outs); err != nil {
				return nil, fmt.Errorf("%s: cell %d: decoding outputs: %w", nbPath, i, err)
			}
		}
		set := map[string]bool{}
		for k, o := range outs {
			if o == nil {
				return nil, fmt.Errorf("%s: cell %d: output %d is null, want an object", nbPath, i, k+1)
			}
			for _, k := range o.Kinds() {
				set[k] = true
			}
		}
		kinds := make([]string, 0, len(set))
		for k := range set {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		all = append(all, kinds)
	}
	return all, nil
}

// OutputSequence reads an executed notebook and returns, for each code cell
// in order, the kinds of its outputs in their saved order (see
// [Output.Kinds]; a display with several MIME types is one entry, its kinds
// joined by "+"), with adjacent chunks of the same stream counted once. That
// is the order a Jupyter front end shows, whether the front end merged the
// chunks (Jupyter's output area, this runner) or saved them one by one
// (nbclient, behind jupyter nbconvert --execute).
func OutputSequence(nbPath string) ([][]string, error) {
	nb, err := readNotebook(nbPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", nbPath, err)
	}
	var all [][]string
	for i, c := range nb.cells {
		if nb.cellType(i) != "code" {
			continue
		}
		var outs []*Output
		if raw, ok := c["outputs"]; ok {
			if err := json.Unmarshal(raw, &outs); err != nil {
				return nil, fmt.Errorf("%s: cell %d: decoding outputs: %w", nbPath, i, err)
			}
		}
		seq := []string{}
		for k, o := range outs {
			if o == nil {
				return nil, fmt.Errorf("%s: cell %d: output %d is null, want an object", nbPath, i, k+1)
			}
			kind := strings.Join(o.Kinds(), "+")
			if o.OutputType == "stream" && len(seq) > 0 && seq[len(seq)-1] == kind {
				continue
			}
			seq = append(seq, kind)
		}
		all = append(all, seq)
	}
	return all, nil
}

// DefaultMaxCellOutput is the output a cell may keep in the executed
// notebook, in bytes (text, and data as the kernel sent it, base64 images
// included), unless Options.MaxCellOutput says otherwise: 16 MiB, eight
// times the largest cell of the project's notebooks (a figure as PNG and
// SVG, about 2 MiB). Jupyter front ends become unusable with a few MiB of
// text in one output, and GitHub stops rendering notebooks long before
// this; keeping more only lets a cell that prints without end take the run
// down. Output beyond it is dropped and a marker says so (like the
// notebook server's "IOPub data rate exceeded").
const DefaultMaxCellOutput = 16 << 20

// DefaultMaxOutput bounds the output of all cells of a notebook together
// (Options.MaxOutput), in bytes: 128 MiB, with the executed notebook held in
// memory twice while it is encoded still well below the machine's memory,
// and above GitHub's 100 MiB file limit.
const DefaultMaxOutput = 128 << 20

// outputs accumulates the outputs of one code cell from iopub messages, in
// the order the kernel sent them, keeping at most limit bytes (0:
// DefaultMaxCellOutput); what does not fit is dropped and counted.
type outputs struct {
	list         []*Output
	pendingClear bool // clear_output with wait=true: clear before the next output.
	// tail collects the text of the last output while it is a stream still
	// growing (tailOpen); list[len-1].Text is stale until flush. This keeps
	// merging linear in the output size, and its memory in the bytes kept
	// however small the chunks.
	tail     strings.Builder
	tailOpen bool

	// firstError is the first error output the cell sent (kept even when a
	// clear_output removes it from the list, or the limit drops it).
	firstError *Output

	limit                 int // bytes; 0: DefaultMaxCellOutput
	size                  int // bytes kept
	dropped, droppedBytes int // outputs (or parts) and bytes dropped
	marked                bool
}

// outputOverhead is what an output costs beyond its bytes (its Output and
// maps in memory, its JSON structure in the notebook), counted against the
// cell's limit.
const outputOverhead = 512

// outputSize is what o costs in the notebook, approximately: its text and
// data as received.
func outputSize(o *Output) int {
	n := len(o.OutputType) + len(o.Name) + len(o.Text) + len(o.EName) + len(o.EValue)
	for _, l := range o.Traceback {
		n += len(l)
	}
	for k, v := range o.Data {
		n += len(k) + len(v)
	}
	for k, v := range o.Metadata {
		n += len(k) + len(v)
	}
	return n
}

// room reports whether n more bytes fit; if not, they are counted as
// dropped.
func (c *outputs) room(n int) bool {
	limit := c.limit
	if limit <= 0 {
		limit = DefaultMaxCellOutput
	}
	if c.size+n > limit {
		c.dropped++
		c.droppedBytes += n
		return false
	}
	c.size += n
	return true
}

// add appends o. Like Jupyter's output area, a stream chunk is merged into
// the previous output only if that is a stream of the same name; any other
// output in between starts a new one, so text and displays keep their order.
// Output beyond the cell's limit is dropped (see result for the marker).
func (c *outputs) add(o *Output) {
	if c.pendingClear {
		c.reset()
	}
	merge := false
	if o.OutputType == "stream" && len(c.list) > 0 {
		last := c.list[len(c.list)-1]
		merge = last.OutputType == "stream" && last.Name == o.Name
	}
	cost := len(o.Text)
	if !merge {
		// A new output also costs its structure: many tiny outputs are
		// bounded by memory too, not only by their bytes.
		cost = outputSize(o) + outputOverhead
	}
	if !c.room(cost) {
		return
	}
	if merge {
		if !c.tailOpen {
			c.tail.Reset()
			c.tail.WriteString(c.list[len(c.list)-1].Text)
			c.tailOpen = true
		}
		if c.tail.Cap()-c.tail.Len() < len(o.Text) {
			c.tail.Grow(c.tail.Len() + len(o.Text)) // doubling: linear in total
		}
		c.tail.WriteString(o.Text)
		return
	}
	c.flush()
	c.list = append(c.list, o)
}

// flush stores the collected stream text in the last output.
func (c *outputs) flush() {
	if c.tailOpen {
		c.list[len(c.list)-1].Text = c.tail.String()
		c.tail.Reset()
		c.tailOpen = false
	}
}

// result returns the outputs with all text stored and, if output was
// dropped, a stderr stream at the end that says how much and why.
func (c *outputs) result() []*Output {
	c.flush()
	if c.dropped > 0 && !c.marked {
		c.marked = true
		limit := c.limit
		if limit <= 0 {
			limit = DefaultMaxCellOutput
		}
		c.list = append(c.list, &Output{OutputType: "stream", Name: "stderr", Text: fmt.Sprintf(
			"\n[nbrun: output limit of %d bytes for this cell reached: %d further output(s), %d bytes, were dropped "+
				"(nbrun -max-cell-output raises the limit)]\n", limit, c.dropped, c.droppedBytes)})
	}
	return c.list
}

func (c *outputs) reset() {
	c.list, c.pendingClear, c.tailOpen = nil, false, false
	c.tail.Reset()
	c.size, c.dropped, c.droppedBytes, c.marked = 0, 0, 0, false
}

// clear implements clear_output.
func (c *outputs) clear(wait bool) {
	if wait {
		c.pendingClear = true
		return
	}
	c.reset()
}

// update applies update_display_data: outputs with the display id get the new
// data and metadata. It reports whether any output matched.
// An update that would take the cell beyond its limit is dropped (counted,
// the output keeps its previous data).
func (c *outputs) update(displayID string, data, meta map[string]json.RawMessage) bool {
	found := false
	for _, o := range c.list {
		if displayID != "" && o.displayID == displayID {
			old := outputSize(o)
			n := outputSize(&Output{OutputType: o.OutputType, Data: data, Metadata: meta})
			c.size -= old
			if !c.room(n) {
				c.size += old
				found = true
				continue
			}
			o.Data, o.Metadata = data, meta
			found = true
		}
	}
	return found
}

// text returns the concatenated text of all chunks of the stream with the
// given name.
func (c *outputs) text(name string) string {
	var b strings.Builder
	for _, o := range c.result() {
		if o.OutputType == "stream" && o.Name == name {
			b.WriteString(o.Text)
		}
	}
	return b.String()
}

// iopubContent is the union of the iopub message contents the runner handles.
type iopubContent struct {
	// stream
	Name string `json:"name"`
	Text string `json:"text"`
	// display_data, update_display_data, execute_result
	Data      map[string]json.RawMessage `json:"data"`
	Metadata  map[string]json.RawMessage `json:"metadata"`
	Transient struct {
		DisplayID string `json:"display_id"`
	} `json:"transient"`
	ExecutionCount *int `json:"execution_count"`
	// error
	EName     string   `json:"ename"`
	EValue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
	// status
	ExecutionState string `json:"execution_state"`
	// clear_output
	Wait bool `json:"wait"`
}

// unescape re-encodes raw JSON values without HTML escaping (Go kernels
// send "<" as \u003c), leaving values that do not decode unchanged.
func unescape(m map[string]json.RawMessage) map[string]json.RawMessage {
	for k, v := range m {
		var x any
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber() // keep numbers exact.
		if dec.Decode(&x) == nil {
			if b, err := marshal(x); err == nil {
				m[k] = b
			}
		}
	}
	return m
}

// toOutput converts an output-producing iopub message into an Output; it
// returns nil for other message types.
func toOutput(msgType string, c *iopubContent) *Output {
	switch msgType {
	case "stream":
		return &Output{OutputType: "stream", Name: c.Name, Text: c.Text}
	case "display_data":
		return &Output{OutputType: "display_data", Data: unescape(c.Data), Metadata: c.Metadata, displayID: c.Transient.DisplayID}
	case "execute_result":
		return &Output{OutputType: "execute_result", Data: unescape(c.Data), Metadata: c.Metadata, ExecutionCount: c.ExecutionCount, displayID: c.Transient.DisplayID}
	case "error":
		return &Output{OutputType: "error", EName: c.EName, EValue: c.EValue, Traceback: c.Traceback}
	}
	return nil
}
