package astro

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// kernelFiles hold time, slices, delivery, threads, wiring, recorders and
// the status plumbing: they must reach models only through the seam
// (nodeBlock and the event interfaces in blocks.go), never by name.
var kernelFiles = []string{
	"blocks.go", "kernel.go", "prepare.go", "connect.go", "connections.go", "projection.go",
	"secondary.go", "recorders.go", "setstatus.go", "tripartite.go", "models.go", "odestatus.go",
	"params.go", "gsl_rkf45.go", "gsl_rkf45_simd.go", "gsl_rkf45_novec.go",
	"snapshot.go", "snapshot_format.go", "snapshot_state.go",
	"limits.go", "busy.go", "timeconv.go", "cancel.go", "stepguard.go", "history.go", "nodes.go",
}

// modelTypeNames returns the types declared in the node models' files:
// the non-kernel files that declare a newBlock or update method (a model
// and its block, e.g. aeif_cond_alpha_astro.go and its _simd.go), with
// everything they declare (parameters, state, scratch).
func modelTypeNames(t *testing.T, fset *token.FileSet, files map[string]*ast.File) []string {
	var names []string
	for name, f := range files {
		if slices.Contains(kernelFiles, name) {
			continue
		}
		isModel := false
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv != nil && (fn.Name.Name == "newBlock" || fn.Name.Name == "update") {
				isModel = true
			}
		}
		if !isModel {
			continue
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				names = append(names, s.(*ast.TypeSpec).Name.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// parsePackage parses the package's non-test Go files (all build
// variants).
func parsePackage(t *testing.T, dir string) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*ast.File{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = f
	}
	return fset, files
}

// kernelMentions lists, per kernel file, the model type names it uses.
func kernelMentions(fset *token.FileSet, files map[string]*ast.File, models []string) []string {
	var bad []string
	for _, name := range kernelFiles {
		f := files[name]
		if f == nil {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if _, found := slices.BinarySearch(models, id.Name); found {
					bad = append(bad, fset.Position(id.Pos()).String()+": "+id.Name)
				}
			}
			return true
		})
	}
	return bad
}

// TestKernelNamesNoModel enforces the seam: no kernel file mentions a type
// declared by a model file.
func TestKernelNamesNoModel(t *testing.T) {
	fset, files := parsePackage(t, ".")
	for _, name := range kernelFiles {
		if files[name] == nil {
			t.Errorf("kernel file %s does not exist: update kernelFiles", name)
		}
	}
	models := modelTypeNames(t, fset, files)
	for _, want := range []string{"aeifBlock", "astrocyteBlock", "AeifCondAlphaAstro", "poissonBlock", "parrotBlock", "spikeGenBlock"} {
		if _, found := slices.BinarySearch(models, want); !found {
			t.Errorf("model type %s not found outside the kernel files (have %v)", want, models)
		}
	}
	for _, b := range kernelMentions(fset, files, models) {
		t.Errorf("kernel file names a model type: %s", b)
	}
}

// TestKernelNamesNoModelCatches shows that the check above fails when a
// kernel file names a model type.
func TestKernelNamesNoModelCatches(t *testing.T) {
	fset, files := parsePackage(t, ".")
	models := modelTypeNames(t, fset, files)
	src, err := os.ReadFile("prepare.go")
	if err != nil {
		t.Fatal(err)
	}
	bad := string(src) + "\nfunc isNeuron(b nodeBlock) bool { _, ok := b.(*aeifBlock); return ok }\n"
	f, err := parser.ParseFile(fset, "prepare.go", bad, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	files["prepare.go"] = f
	got := kernelMentions(fset, files, models)
	if len(got) != 1 || !strings.HasSuffix(got[0], ": aeifBlock") {
		t.Errorf("kernelMentions = %v, want one mention of aeifBlock", got)
	}
}
