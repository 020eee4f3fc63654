package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The plots package and its commands stay free of the notebook layer:
// neither kernelext nor GoNB is among their dependencies.
func TestPlotsFreeOfNotebookLayer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/astronb/astronb/plots/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/astronb/astronb/kernelext" || strings.HasPrefix(dep, "github.com/janpfeifer/gonb") {
			t.Errorf("plots/... depends on %s", dep)
		}
	}
}
