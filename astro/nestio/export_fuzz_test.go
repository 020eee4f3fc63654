package nestio

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExportOptions exports a small network with fuzzed Options — title,
// data path, a recorder label, thread and process counts, precision and
// planned Simulate times — at a fuzzed resolution; unless raw, the
// numbers are first brought into their valid ranges (times onto the grid),
// so that most inputs write a script and the strings are what is tried.
// Every script written
// compiles (python3's py_compile), has nothing but its docstring and
// imports before `import nest`, and gives back the title, data path and
// label exactly; an input refused is refused with an error naming the
// option, never with a panic.
//
//	go test -run='^$' -fuzz='^FuzzExportOptions$' -fuzztime=2m ./astro/nestio
func FuzzExportOptions(f *testing.F) {
	f.Add("A title", "out", "sr", 0, 0, 0, 0.1, 100.0, 0.0, false)
	f.Add("x\"\"\"\nimport os\n\"\"\"", "x\"\"\"\nos.system('id')\n\"\"\"", "a.b_c", 2, 0, 17, 0.1, 0.0, 1000.0, false)
	f.Add("bad \xff", "nul\x00", "l\xfe", 0, 4, 3, 0.05, 0.03, 1e300, true)
	f.Add(`\N{DASH} \x00 \u2028`, "C:\\new\\table", "", 0, 1<<40, 30, 0.05, math.NaN(), -1.0, true)
	f.Add("ends with a quote\"", "'''", "sr", 5000, 0, -1, 1.0, math.Inf(1), 4e15, true)
	f.Fuzz(func(t *testing.T, title, dataPath, label string, threads, vps, precision int, res, sim1, sim2 float64, raw bool) {
		k, sr, _, err := buildHostile(res)
		if err != nil { // a resolution the kernel refuses
			if k, sr, _, err = buildHostile(0.1); err != nil {
				t.Fatal(err)
			}
		}
		if !raw {
			abs := func(x int) int { return int(math.Abs(float64(x))) }
			threads, vps, precision = abs(threads)%1025, abs(vps)%(1<<16), abs(precision)%31
			if threads > 0 {
				vps = 0
			}
			grid := func(x float64) float64 {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return 0
				}
				return math.Round(math.Min(math.Abs(x), 1e6)/k.Resolution()) * k.Resolution()
			}
			sim1, sim2 = grid(sim1), grid(sim2)
		}
		opt := Options{Title: title, DataPath: dataPath, Threads: threads, TotalVPs: vps, Precision: precision,
			Simulate: []float64{sim1, sim2}}
		if label != "" {
			opt.Labels = map[int]string{sr.First(): label}
		}
		var buf bytes.Buffer
		_, err = ExportKernel(&buf, k, opt)
		bad := func(s string) bool { return !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 }
		switch {
		case err != nil:
			if buf.Len() != 0 {
				t.Fatalf("%d bytes written with the error %v", buf.Len(), err)
			}
			// Each invalid string alone is refused naming its option.
			for _, c := range []struct {
				bad  bool
				opt  Options
				name string
			}{{bad(title), Options{Title: title}, "Options.Title"}, {bad(dataPath), Options{DataPath: dataPath}, "Options.DataPath"},
				{bad(label), Options{Labels: map[int]string{sr.First(): label}}, "Options.Labels"}} {
				if !c.bad {
					continue
				}
				if _, err := ExportKernel(&buf, k, c.opt); err == nil || !strings.Contains(err.Error(), c.name) {
					t.Fatalf("an invalid %s refused without naming it: %v", c.name, err)
				}
			}
			return
		case bad(title) || bad(dataPath) || bad(label):
			t.Fatalf("an invalid string was exported: %q %q %q", title, dataPath, label)
		}
		checkScript(t, buf.Bytes(), opt, func(o Options) []byte { return exportOK(t, k, o) })
	})
}
