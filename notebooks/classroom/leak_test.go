package classroom

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/astronb/astronb/kernelext"
)

// notebookOf names the notebook of each check case (by the case's prefix).
var notebookOf = map[string]string{
	"single":         "astrocyte_single.ipynb",
	"interaction":    "astrocyte_interaction.ipynb",
	"small_network":  "astrocyte_small_network.ipynb",
	"sic_strength":   "astrocyte_sic_strength.ipynb",
	"fixed_indegree": "astrocyte_brunel_fixed_indegree.ipynb",
	"branching":      "astrocyte_branching.ipynb",
}

// nbCell is a notebook cell as the leak tests read it.
type nbCell struct {
	Type    string
	Source  string
	Outputs []string // the text of the outputs (stream, text/plain, text/html, text/markdown)
}

func readCells(t *testing.T, path string) []nbCell {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			CellType string            `json:"cell_type"`
			Source   json.RawMessage   `json:"source"`
			Outputs  []json.RawMessage `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	text := func(raw json.RawMessage) string {
		var lines []string
		if json.Unmarshal(raw, &lines) == nil {
			return strings.Join(lines, "")
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil && len(raw) > 0 {
			t.Fatalf("%s: a cell's text is neither a string nor a list of strings: %v", path, err)
		}
		return s
	}
	var cells []nbCell
	for _, c := range nb.Cells {
		cell := nbCell{Type: c.CellType, Source: text(c.Source)}
		for _, o := range c.Outputs {
			var out struct {
				Text json.RawMessage            `json:"text"`
				Data map[string]json.RawMessage `json:"data"`
			}
			if json.Unmarshal(o, &out) != nil {
				continue
			}
			if out.Text != nil {
				cell.Outputs = append(cell.Outputs, text(out.Text))
			}
			for _, mime := range []string{"text/plain", "text/html", "text/markdown"} {
				if d, ok := out.Data[mime]; ok {
					cell.Outputs = append(cell.Outputs, text(d))
				}
			}
		}
		cells = append(cells, cell)
	}
	return cells
}

var printCall = regexp.MustCompile(`\.Print\((my\w+), showMe\)`)

// TestMarkdownGivesNothingAway checks the committed notebooks: no markdown
// cell of a classroom notebook shows the expected value of one of its
// checks (the values of the default runs, as in checkCases) — a student
// reads every markdown cell before answering.
func TestMarkdownGivesNothingAway(t *testing.T) {
	for _, cc := range checkCases() {
		nb := notebookOf[strings.Split(cc.name, "/")[0]]
		for i, c := range readCells(t, filepath.Join("..", nb)) {
			if c.Type != "markdown" {
				continue
			}
			if f, bad := leaked(c.Source, cc.check.Expected); bad {
				t.Errorf("%s, cell %d (markdown) shows %s, the answer of %s", nb, i+1, f, cc.name)
			}
		}
	}
}

// ExecutedEnv names the folder of executed notebooks (make notebooks: out/)
// for TestExecutedNotebooksGiveNothingAway; KeyFileEnv the key file the
// checks wrote while they ran, and ExecutedOrderEnv the notebooks in the
// order they ran (space-separated paths).
const (
	ExecutedEnv      = "ASTRONB_EXECUTED"
	ExecutedOrderEnv = "ASTRONB_EXECUTED_ORDER"
)

// TestExecutedNotebooksGiveNothingAway checks executed notebooks (opt-in:
// `make notebooks` runs it on out/): nothing a student sees before
// answering — every markdown cell and every output of every other cell
// (later cells too: Run All runs them before the student has answered) —
// shows a check's expected value, taken from the key the checks wrote
// while the notebooks ran.
func TestExecutedNotebooksGiveNothingAway(t *testing.T) {
	dir, keyPath := os.Getenv(ExecutedEnv), os.Getenv(KeyFileEnv)
	if dir == "" || keyPath == "" {
		t.Skipf("set %s (executed notebooks), %s and %s (see make notebooks)", ExecutedEnv, KeyFileEnv, ExecutedOrderEnv)
	}
	for _, leak := range scanExecuted(t, dir, keyPath, strings.Fields(os.Getenv(ExecutedOrderEnv))) {
		t.Error(leak)
	}
}

// scanExecuted returns, for the executed notebooks in dir (run in the
// given order, with the checks' key in keyPath), every text a student sees
// before answering that shows a check's expected value.
func scanExecuted(t *testing.T, dir, keyPath string, order []string) []string {
	t.Helper()
	f, err := os.Open(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var key []KeyEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e KeyEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", keyPath, err)
		}
		key = append(key, e)
	}
	var leaks []string
	checked := 0
	for _, nbPath := range order {
		cells := readCells(t, filepath.Join(dir, filepath.Base(nbPath)))
		for i, c := range cells {
			m := printCall.FindStringSubmatch(c.Source)
			if c.Type != "code" || m == nil {
				continue
			}
			if len(key) == 0 || key[0].Variable != m[1] {
				t.Fatalf("%s, cell %d: check of %s, but the key's next entry is %+v", nbPath, i+1, m[1], key)
			}
			e := key[0]
			key = key[1:]
			checked++
			for j, other := range cells {
				texts := other.Outputs
				if other.Type == "markdown" {
					texts = []string{other.Source}
				}
				if j == i {
					continue // the check's own verdict line (tested in TestChecks)
				}
				for _, text := range texts {
					if other.Type != "markdown" {
						text = kernelext.WithoutTimings(text) // timings can show an answer's digits by chance
					}
					if f, bad := leaked(text, e.Expected); bad {
						leaks = append(leaks, fmt.Sprintf("%s: cell %d shows %s, the answer of %s (cell %d): %q",
							filepath.Base(nbPath), j+1, f, e.Variable, i+1, excerpt(text, f)))
					}
				}
			}
		}
	}
	if len(key) != 0 {
		t.Errorf("key entries of no executed check: %+v", key)
	}
	if checked == 0 {
		t.Error("no check found in the executed notebooks")
	}
	return leaks
}

// TestScanExecutedFindsLeaks runs the scan on a made-up executed notebook
// whose later cell prints the answer: the scan must report it, and not the
// progress bar whose timings happen to show the same digits.
func TestScanExecutedFindsLeaks(t *testing.T) {
	dir := t.TempDir()
	nb := `{"cells": [
 {"cell_type": "markdown", "metadata": {}, "source": ["Exercise: how many idle astrocytes?"]},
 {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["myIdle := classroom.NoAnswer\n", "c.Print(myIdle, showMe)"],
  "outputs": [{"name": "stdout", "output_type": "stream", "text": ["Not answered yet\n"]}]},
 {"cell_type": "code", "metadata": {}, "execution_count": 2, "source": ["run := simulate()"],
  "outputs": [{"output_type": "display_data", "metadata": {}, "data": {
   "text/plain": ["[100 %] t = 1100.0 / 1100.0 ms, real-time factor 0.537, done in 0.537 s"],
   "text/html": ["<div class=\"astronb-progress\">done, 100 %, wall time 0.537 s &middot; real-time factor 0.537</div>"]}}]},
 {"cell_type": "code", "metadata": {}, "execution_count": 2, "source": ["fmt.Println(mean)"],
  "outputs": [{"output_type": "execute_result", "execution_count": 2, "metadata": {}, "data": {"text/plain": ["mean 0.537 idle\n"]}}]}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
	if err := os.WriteFile(filepath.Join(dir, "x.ipynb"), []byte(nb), 0o644); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "key.jsonl")
	if err := os.WriteFile(keyPath, []byte(`{"Variable":"myIdle","Expected":0.5368709120000006,"Lo":0.53,"Hi":0.54}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	leaks := scanExecuted(t, dir, keyPath, []string{"notebooks/x.ipynb"})
	if len(leaks) != 1 || !strings.Contains(leaks[0], "cell 4 shows 0.537") {
		t.Errorf("leaks %q, want one in cell 4 (and none in cell 3's progress bar)", leaks)
	}
}

// excerpt returns the line of text that contains f.
func excerpt(text, f string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, f) {
			return line
		}
	}
	return ""
}
