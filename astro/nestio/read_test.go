package nestio

import (
	"bufio"
	"cmp"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/astronb/astronb/astro"
)

const asciiDir = "testdata/ascii"

// tsv reads a reference table of astro/testdata/nest-3.8 (comment lines
// start with #; tab-separated numbers).
func tsv(t *testing.T, name string) [][]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "nest-3.8", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || sc.Text() == "" {
			continue
		}
		var r []float64
		for _, s := range strings.Fields(sc.Text()) {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			r = append(r, v)
		}
		rows = append(rows, r)
	}
	return rows
}

// sameAtPrecision17 tells whether a (printed by NEST with 17 digits after
// the point) is b rounded to 17 decimals.
func sameAtPrecision17(a, b float64) bool {
	return math.Abs(a-b) <= 0.5e-17+4*math.Abs(math.Nextafter(b, math.Inf(1))-b)
}

// TestReadUnitScenario reads NEST 3.8's ASCII output of the single-cell
// scenario (2 threads, precision 17) and compares it with NEST's own
// full-precision dump of the same scenario: the same senders and times
// (bit for bit) and the same values to the 17 decimals NEST printed.
func TestReadUnitScenario(t *testing.T) {
	dir := filepath.Join(asciiDir, "unit")
	sp, err := ReadSpikeRecorder(dir, "sr")
	if err != nil {
		t.Fatal(err)
	}
	want := tsv(t, "unit_spikes.tsv")
	if len(sp.Times) != len(want) || len(want) != 4 {
		t.Fatalf("spikes %v at %v, want the 4 of unit_spikes.tsv", sp.Senders, sp.Times)
	}
	for i, r := range want {
		if sp.Senders[i] != int(r[0]) || sp.Times[i] != r[1] {
			t.Errorf("spike %d: sender %d at %.17g ms, want %d at %.17g", i, sp.Senders[i], sp.Times[i], int(r[0]), r[1])
		}
	}
	for _, c := range []struct {
		label, ref string
		names      []string
	}{
		{"mm_n", "unit_neuron.tsv", []string{"V_m", "g_ex", "g_in", "w", "I_SIC"}},
		{"mm_a", "unit_astro.tsv", []string{"IP3", "Ca_astro", "h_IP3R"}},
	} {
		ev, err := ReadMultimeterRecorder(dir, c.label)
		if err != nil {
			t.Fatal(err)
		}
		rows := tsv(t, c.ref)
		// astronb's order: time, then sender (the reference lists
		// astroA's samples, then astroB's).
		sortRows(rows)
		if len(ev.Times) != len(rows) || len(ev.Values) != len(c.names) {
			t.Fatalf("%s: %d samples of %d quantities, want %d of %d", c.label, len(ev.Times), len(ev.Values), len(rows), len(c.names))
		}
		for i, r := range rows {
			if ev.Senders[i] != int(r[0]) || ev.Times[i] != r[1] {
				t.Fatalf("%s row %d: sender %d at %.17g ms, want %d at %.17g", c.label, i, ev.Senders[i], ev.Times[i], int(r[0]), r[1])
			}
			for j, name := range c.names {
				if got := ev.Values[name][i]; !sameAtPrecision17(got, r[2+j]) {
					t.Fatalf("%s %s row %d: %.17g, NEST's dump %.17g", c.label, name, i, got, r[2+j])
				}
			}
		}
		t.Logf("%s: %d samples of %v match NEST's dump", c.label, len(rows), c.names)
	}
}

// rawRows parses a NEST ASCII file independently of the reader: a map
// from "sender time" (the file's text) to the row's fields.
func rawRows(t *testing.T, path string, into map[[2]string][]string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for _, l := range lines[3:] {
		f := strings.Split(l, "\t")
		into[[2]string{f[0], f[1]}] = f[2:]
	}
	return len(lines) - 3
}

// TestReadNetwork reads the 800/200/100 network's files (2 VPs each,
// default precision) and checks every event against the files' text: same
// count, same senders, times and values, sorted by time then sender, and the
// recorded populations of net_ascii.py.
func TestReadNetwork(t *testing.T) {
	dir := filepath.Join(asciiDir, "net-800-200-100")
	key := func(s int, tm float64) [2]string {
		return [2]string{strconv.Itoa(s), strconv.FormatFloat(tm, 'f', 3, 64)}
	}
	sp, err := ReadSpikeRecorder(dir, "sr_all")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := Files(dir, "sr_all")
	raw := map[[2]string][]string{}
	n := 0
	for _, f := range files {
		n += rawRows(t, f, raw)
	}
	if len(sp.Times) != n || n < 1000 {
		t.Fatalf("%d spikes, the files hold %d", len(sp.Times), n)
	}
	for i := range sp.Times {
		if _, ok := raw[key(sp.Senders[i], sp.Times[i])]; !ok {
			t.Fatalf("spike %d (sender %d at %g ms) is not in the files", i, sp.Senders[i], sp.Times[i])
		}
		if sp.Senders[i] < 1 || sp.Senders[i] > 1000 {
			t.Fatalf("spike from node %d: only neurons 1–1000 are recorded", sp.Senders[i])
		}
		if i > 0 && (sp.Times[i] < sp.Times[i-1] || (sp.Times[i] == sp.Times[i-1] && sp.Senders[i] < sp.Senders[i-1])) {
			t.Fatalf("spikes not sorted by time, then sender at %d", i)
		}
	}
	t.Logf("sr_all: %d spikes, %.2f Hz over 1000 neurons in 100–1100 ms", n, rateOf(sp, 1000, 100, 1100))

	for _, c := range []struct {
		label   string
		names   []string
		senders []int
	}{
		{"mm_neuron", []string{"I_SIC"}, seq(1, 1000, 50)},
		{"mm_astro", []string{"IP3", "Ca_astro"}, seq(1001, 1100, 5)},
	} {
		ev, err := ReadMultimeterRecorder(dir, c.label)
		if err != nil {
			t.Fatal(err)
		}
		files, _ := Files(dir, c.label)
		raw := map[[2]string][]string{}
		n := 0
		for _, f := range files {
			n += rawRows(t, f, raw)
		}
		if len(ev.Times) != n || n != 1099*len(c.senders) {
			t.Fatalf("%s: %d samples, files hold %d, want 1099 × %d", c.label, len(ev.Times), n, len(c.senders))
		}
		for i := range ev.Times {
			// Sorted by time, then sender: row i is the sample at
			// i/len(senders)+1 ms of the (i mod len)-th recorded node. As in
			// astronb, the samples of the last min_delay slice (1100 ms) are
			// not delivered.
			if s, tm := c.senders[i%len(c.senders)], float64(i/len(c.senders)+1); ev.Senders[i] != s || ev.Times[i] != tm {
				t.Fatalf("%s row %d: sender %d at %g ms, want %d at %g", c.label, i, ev.Senders[i], ev.Times[i], s, tm)
			}
			f := raw[key(ev.Senders[i], ev.Times[i])]
			for j, name := range c.names {
				want, _ := strconv.ParseFloat(f[j], 64)
				if ev.Values[name][i] != want {
					t.Fatalf("%s %s row %d: %g, file says %s", c.label, name, i, ev.Values[name][i], f[j])
				}
			}
		}
	}
}

func seq(from, to, step int) []int {
	var s []int
	for i := from; i <= to; i += step {
		s = append(s, i)
	}
	return s
}

func rateOf(sp astro.SpikeEvents, n int, t0, t1 float64) float64 {
	c := 0
	for _, tm := range sp.Times {
		if tm > t0 && tm <= t1 {
			c++
		}
	}
	return float64(c) / float64(n) / ((t1 - t0) / 1000)
}

// TestReadMalformed: every kind of malformed input is an error that says
// what is wrong, and where.
func TestReadMalformed(t *testing.T) {
	const hdr = "# NEST version: 3.8.0\n# RecordingBackendASCII version: 2\n"
	mm := hdr + "sender\ttime_ms\tV_m\n3\t0.100\t-70.000\n"
	sr := hdr + "sender\ttime_ms\n3\t23.200\n"
	for _, c := range []struct {
		name  string
		files []string // contents
		mm    bool     // read as multimeter
		want  string   // part of the error
	}{
		{"empty file", []string{""}, false, "empty file"},
		{"not NEST", []string{"sender\ttime_ms\n3\t1.0\n"}, false, "not a file of NEST's ASCII recording backend"},
		{"backend version", []string{"# NEST version: 2.20\n# RecordingBackendASCII version: 1\nsender\ttime_ms\n"}, false, "version 1"},
		{"no column header", []string{hdr}, false, "missing column header"},
		{"wrong columns", []string{hdr + "gid\ttime\n"}, false, "column header"},
		{"time in steps", []string{hdr + "sender\ttime_step\ttime_offset\n"}, false, "time_in_steps"},
		{"ragged row", []string{hdr + "sender\ttime_ms\tV_m\tw\n3\t0.1\t-70.0\n"}, true, ":4: 3 fields, want 4"},
		{"long row", []string{sr + "3\t30.0\t1.0\n"}, false, ":5: 3 fields, want 2"},
		{"not a number", []string{hdr + "sender\ttime_ms\tV_m\n3\t0.1\tabc\n"}, true, `V_m "abc": not a number`},
		{"bad sender", []string{hdr + "sender\ttime_ms\n3.5\t1.0\n"}, false, `sender "3.5"`},
		{"bad time", []string{hdr + "sender\ttime_ms\n3\tnan\n"}, false, `time_ms "nan"`},
		{"two recorders mixed", []string{mm, hdr + "sender\ttime_ms\tIP3\n4\t0.1\t0.4\n"}, true, "files of different recorders mixed"},
		{"spike file as multimeter", []string{sr}, true, "a spike recorder's file"},
		{"multimeter file as spikes", []string{mm}, false, "a multimeter's file"},
		{"two runs mixed", []string{mm, mm}, true, "sampled twice"},
		{"repeated column", []string{hdr + "sender\ttime_ms\tV_m\tV_m\n"}, true, `repeated column name "V_m"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for i, s := range c.files {
				p := filepath.Join(dir, "x-9-"+strconv.Itoa(i)+".dat")
				if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
				paths = append(paths, p)
			}
			var err error
			if c.mm {
				_, err = ReadMultimeter(paths...)
			} else {
				_, err = ReadSpikes(paths...)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	t.Run("label of two recorders", func(t *testing.T) {
		dir := t.TempDir()
		for _, n := range []string{"sr-9-0.dat", "sr-9-1.dat", "sr-12-0.dat"} {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(sr), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := ReadSpikeRecorder(dir, "sr"); err == nil || !strings.Contains(err.Error(), "more than one recorder (node IDs 9 and 12)") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("two recorders by name", func(t *testing.T) {
		dir := t.TempDir()
		var paths []string
		for _, n := range []string{"sr-9-0.dat", "sr-12-1.dat"} {
			p := filepath.Join(dir, n)
			if err := os.WriteFile(p, []byte(sr), 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		if _, err := ReadSpikes(paths...); err == nil || !strings.Contains(err.Error(), "files of different recorders (sr-9 and sr-12)") {
			t.Fatalf("error %v", err)
		}
		if _, err := ReadSpikes(paths[0], paths[0]); err == nil || !strings.Contains(err.Error(), "both the file of virtual process 0") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("no files", func(t *testing.T) {
		if _, err := ReadSpikeRecorder(t.TempDir(), "sr"); err == nil || !strings.Contains(err.Error(), "no files sr-NODEID-VP.dat") {
			t.Fatalf("error %v", err)
		}
		if _, err := ReadSpikes(); err == nil {
			t.Fatal("no error for no files")
		}
	})
	t.Run("header-only files", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "sr-9-0.dat")
		if err := os.WriteFile(p, []byte(hdr+"sender\ttime_ms\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		ev, err := ReadSpikes(p)
		if err != nil || len(ev.Times) != 0 {
			t.Fatalf("%v, %d events: a VP that recorded nothing is valid and empty", err, len(ev.Times))
		}
	})
}

// sortRows sorts reference rows (sender, time, …) by time, then sender.
func sortRows(rows [][]float64) {
	slices.SortStableFunc(rows, func(a, b []float64) int {
		return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0]))
	})
}
