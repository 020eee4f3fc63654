package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRewriteCheckIdempotent: nbfmt rewrites a notebook once, a second run
// and -check then find nothing to do; -check reports a notebook out of
// form without touching it; a broken file is an error naming it.
func TestRewriteCheckIdempotent(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.ipynb")
	raw := `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "id": "x", "metadata": {}, "source": "a\nb"}]}`
	if err := os.WriteFile(p, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	run1 := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		st := run(args, &out, &errb)
		return st, out.String(), errb.String()
	}
	if st, out, _ := run1("-check", p); st != 1 || !strings.Contains(out, "not in the form") {
		t.Errorf("-check on raw notebook: status %d, %q", st, out)
	}
	if b, _ := os.ReadFile(p); string(b) != raw {
		t.Error("-check modified the file")
	}
	if st, out, _ := run1(p); st != 0 || strings.TrimSpace(out) != p {
		t.Errorf("rewrite: status %d, %q", st, out)
	}
	first, _ := os.ReadFile(p)
	if !bytes.Contains(first, []byte(`"mimetype": "text/x-go"`)) || !bytes.Contains(first, []byte("\"source\": [\n    \"a\\n\",\n    \"b\"\n   ]")) {
		t.Errorf("rewritten notebook:\n%s", first)
	}
	if st, out, _ := run1(p); st != 0 || out != "" {
		t.Errorf("second run: status %d, %q", st, out)
	}
	if st, out, _ := run1("-check", p); st != 0 || out != "" {
		t.Errorf("-check after rewrite: status %d, %q", st, out)
	}
	bad := filepath.Join(dir, "bad.ipynb")
	_ = os.WriteFile(bad, []byte("{"), 0o644)
	if st, _, errOut := run1(bad); st != 1 || !strings.Contains(errOut, bad) {
		t.Errorf("broken file: status %d, %q", st, errOut)
	}
	if st, _, _ := run1(); st != 2 {
		t.Errorf("no arguments: status %d, want 2", st)
	}
}

// TestInvalidUTF8NotRewritten: a notebook with invalid UTF-8 is an error
// naming the file and is left as it is.
func TestInvalidUTF8NotRewritten(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.ipynb")
	raw := "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\": [{\"cell_type\": \"code\", \"id\": \"x\", \"metadata\": {}, \"source\": \"x := \\\"\xff\\\"\"}]}"
	if err := os.WriteFile(p, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if st := run([]string{p}, &out, &errb); st != 1 || !strings.Contains(errb.String(), "invalid UTF-8") || !strings.Contains(errb.String(), p) {
		t.Errorf("status %d, stderr %q", st, errb.String())
	}
	if b, _ := os.ReadFile(p); string(b) != raw {
		t.Errorf("the file was rewritten:\n%q", b)
	}
}
