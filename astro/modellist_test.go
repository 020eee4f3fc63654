package astro

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// builtinNames returns the registered built-in node and synapse models
// (ODE models registered by examples are not built-ins).
func builtinNames() []string {
	var out []string
	for name, mk := range modelDefaults {
		if _, ode := mk().(ODEModel); !ode {
			out = append(out, name)
		}
	}
	out = append(out, slices.Collect(maps.Keys(synapseDefaults))...)
	slices.Sort(out)
	return out
}

// namesBetween returns the names in text between the first from and the
// following to: snake_case words, and single words that are names in
// known.
func namesBetween(t *testing.T, file, text, from, to string, known []string) []string {
	t.Helper()
	i := strings.Index(text, from)
	if i < 0 {
		t.Fatalf("%s: %q not found", file, from)
	}
	j := strings.Index(text[i:], to)
	if j < 0 {
		t.Fatalf("%s: %q not found after %q", file, to, from)
	}
	var names []string
	for _, w := range regexp.MustCompile(`[a-z0-9]+(?:_[a-z0-9]+)*`).FindAllString(text[i:i+j], -1) {
		if strings.Contains(w, "_") || slices.Contains(known, w) {
			names = append(names, w)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestModelListsMatchRegistry: the lists of models in the package comment
// and the README are the registry's built-ins, no more and no fewer.
func TestModelListsMatchRegistry(t *testing.T) {
	want := builtinNames()
	for _, c := range []struct{ file, from, to string }{
		{"doc.go", "the semantics of NEST 3.8:", "and the connection rules"},
		{"../README.md", "NEST 3.8 semantics for", "; rules"},
	} {
		b, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(b), "\n//", "")
		if got := namesBetween(t, c.file, text, c.from, c.to, want); !slices.Equal(got, want) {
			t.Errorf("%s lists %v; the registry has %v", c.file, got, want)
		}
	}
}
