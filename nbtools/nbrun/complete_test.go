package nbrun

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// completeReply is the content of a complete_reply.
type completeReply struct {
	Status      string   `json:"status"`
	Matches     []string `json:"matches"`
	CursorStart int      `json:"cursor_start"`
	CursorEnd   int      `json:"cursor_end"`
}

// request sends a shell request and waits, until deadline, for the reply
// of type replyType to it, decoded into reply.
func (r *runner) request(ctx context.Context, msgType, replyType string, content map[string]any, reply any, deadline time.Time) error {
	id, err := r.k.send(msgType, content)
	if err != nil {
		return err
	}
	timeout := time.NewTimer(time.Until(deadline))
	defer timeout.Stop()
	for {
		select {
		case m := <-r.k.shellMsgs:
			if m.Parent.MsgID != id || m.Header.MsgType != replyType {
				r.handleShell(m)
				continue
			}
			return json.Unmarshal(m.Content, reply)
		case <-r.k.iopubMsgs:
		case <-r.k.exited:
			return r.k.exitError()
		case <-timeout.C:
			return context.DeadlineExceeded
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// complete sends a complete_request for code with the cursor at its end.
func (r *runner) complete(ctx context.Context, code string, deadline time.Time) (*completeReply, error) {
	var c completeReply
	err := r.request(ctx, "complete_request", "complete_reply",
		map[string]any{"code": code, "cursor_pos": utf8.RuneCountInString(code)}, &c, deadline)
	return &c, err
}

// TestCompletion: with gopls from `make tools` on the kernel's PATH, GoNB
// completes "astro.NewK" to "NewKernel" (what a user gets on Tab in
// Jupyter) once the notebook's module setup cell has run, and shows the
// function's documentation on inspection (Shift-Tab). gopls loads the
// packages on the first request, so requests are repeated until a reply
// holds matches, within a time bound.
func TestCompletion(t *testing.T) {
	opts := gonbSetup(t)
	bin := filepath.Dir(opts.KernelCmd[0])
	if _, err := os.Stat(filepath.Join(bin, "gopls")); err != nil {
		t.Skipf("skipping: %s not found; run `make tools` first", filepath.Join(bin, "gopls"))
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	k, err := startKernel(ctx, kernelConfig{argv: opts.KernelCmd, path: opts.Path, dir: t.TempDir(), log: opts.Log, timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{opts: opts, k: k, log: opts.Log, grace: 3 * time.Second}
	r.opts.StartTimeout = time.Minute
	defer k.close(r.grace)
	if err := r.waitReady(ctx); err != nil {
		t.Fatal(err)
	}
	const mod = "github.com/astronb/astronb"
	setup := "!*go mod edit -replace=" + mod + "=" + root + " -require=" + mod + "@v0.0.0-00010101000000-000000000000"
	if ce := r.execCell(ctx, setup, &outputs{}, &CellResult{}); ce != nil {
		t.Fatalf("module setup cell: %v", ce)
	}
	code := "import \"" + mod + "/astro\"\n\nfunc main() {\n\tk := astro.NewK"
	start := time.Now()
	deadline := start.Add(3 * time.Minute)
	var last *completeReply
	for time.Now().Before(deadline) {
		rep, err := r.complete(ctx, code, deadline)
		if err != nil {
			t.Fatalf("complete_request after %v: %v (last reply %+v)", time.Since(start).Round(time.Millisecond), err, last)
		}
		last = rep
		if len(rep.Matches) > 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("complete_reply after %v: %+v", time.Since(start).Round(time.Millisecond), last)
	if last == nil || !slices.Contains(last.Matches, "NewKernel") {
		t.Fatalf("completion of astro.NewK: %+v, want a match \"NewKernel\"", last)
	}
	n := utf8.RuneCountInString(code)
	if last.Status != "ok" || last.CursorEnd != n || last.CursorStart != n-len("NewK") {
		t.Errorf("complete_reply status %q, cursor %d..%d, want ok, %d..%d (replacing %q)",
			last.Status, last.CursorStart, last.CursorEnd, n-len("NewK"), n, "NewK")
	}
	// Shift-Tab: inspect_request on the completed name shows its doc comment.
	full := strings.TrimSuffix(code, "NewK") + "NewKernel"
	var insp struct {
		Status string                     `json:"status"`
		Found  bool                       `json:"found"`
		Data   map[string]json.RawMessage `json:"data"`
	}
	err = r.request(ctx, "inspect_request", "inspect_reply",
		map[string]any{"code": full, "cursor_pos": utf8.RuneCountInString(full) - 2, "detail_level": 0}, &insp, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatalf("inspect_request: %v", err)
	}
	var doc string
	_ = json.Unmarshal(insp.Data["text/plain"], &doc)
	if doc == "" {
		_ = json.Unmarshal(insp.Data["text/markdown"], &doc)
	}
	t.Logf("inspect_reply: found %v, %q", insp.Found, doc)
	if insp.Status != "ok" || !insp.Found || !strings.Contains(doc, "NewKernel") {
		t.Errorf("inspect astro.NewKernel: status %q, found %v, doc %q; want the function's documentation", insp.Status, insp.Found, doc)
	}
	if strings.Contains(k.stderr.String(), "gopls is not installed") {
		t.Errorf("kernel did not find gopls:\n%s", k.stderr.String())
	}
}
