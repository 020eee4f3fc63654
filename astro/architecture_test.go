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
	"params.go", "synapses.go", "gsl_rkf45.go", "gsl_rkf45_simd.go", "gsl_rkf45_novec.go",
	"snapshot.go", "snapshot_format.go", "snapshot_state.go",
	"limits.go", "busy.go", "timeconv.go", "cancel.go", "stepguard.go", "history.go", "nodes.go", "vecpath.go",
}

// modelNames returns the names declared at top level in the model files:
// the non-kernel files that declare a node model (a newBlock or update
// method, e.g. aeif_cond_alpha_astro.go and its _simd.go) or a synapse
// model (a SynapseModel method, e.g. tsodyks_synapse.go) — their types,
// constants (state sizes and layouts), variables and functions.
func modelNames(t *testing.T, fset *token.FileSet, files map[string]*ast.File) []string {
	var names []string
	for name, f := range files {
		if slices.Contains(kernelFiles, name) {
			continue
		}
		isModel := false
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv != nil &&
				(fn.Name.Name == "newBlock" || fn.Name.Name == "update" || fn.Name.Name == "SynapseModel") {
				isModel = true
			}
		}
		if !isModel {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name != "init" {
					names = append(names, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names = append(names, s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.Name != "_" {
								names = append(names, n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
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

// kernelMentions lists, per kernel file, the model names it uses.
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

// TestKernelNamesNoModel enforces the seam: no kernel file mentions a name
// declared by a model file (a type, a state size, a constructor).
func TestKernelNamesNoModel(t *testing.T) {
	fset, files := parsePackage(t, ".")
	for _, name := range kernelFiles {
		if files[name] == nil {
			t.Errorf("kernel file %s does not exist: update kernelFiles", name)
		}
	}
	models := modelNames(t, fset, files)
	for _, want := range []string{"aeifBlock", "astrocyteBlock", "AeifCondAlphaAstro", "poissonBlock", "parrotBlock",
		"spikeGenBlock", "aeifDim", "astroDim", "tsodyksState", "TsodyksSynapse", "SICConnection"} {
		if _, found := slices.BinarySearch(models, want); !found {
			t.Errorf("model type %s not found outside the kernel files (have %v)", want, models)
		}
	}
	for _, b := range kernelMentions(fset, files, models) {
		t.Errorf("kernel file names a model: %s", b)
	}
}

// TestKernelNamesNoModelCatches shows that the check above fails when a
// kernel file names a model type.
func TestKernelNamesNoModelCatches(t *testing.T) {
	fset, files := parsePackage(t, ".")
	models := modelNames(t, fset, files)
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

// TestKernelNamesNoModelCatchesSizes shows that the check catches what a
// type check alone missed: a model's state size in the integrator's
// constraint and a synapse's state in the kernel's projection.
func TestKernelNamesNoModelCatchesSizes(t *testing.T) {
	fset, files := parsePackage(t, ".")
	models := modelNames(t, fset, files)
	for file, add := range map[string]string{
		"gsl_rkf45.go":  "\ntype oldVec interface{ [aeifDim]float64 | [astroDim]float64 }\n",
		"projection.go": "\ntype oldProjection struct{ tso []tsodyksState }\n",
	} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, file, string(src)+add, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		old := files[file]
		files[file] = f
		got := kernelMentions(fset, files, models)
		files[file] = old
		if len(got) == 0 {
			t.Errorf("%s: a model name added to it is not reported", file)
		}
	}
}
