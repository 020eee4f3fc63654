package nestio

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/astronb/astronb/astro"
)

// NEST 3.8's ASCII recording backend (nestkernel/recording_backend_ascii.cpp,
// RecordingBackendASCII::DeviceData::open_file) starts every file with
//
//	# NEST version: 3.8.0
//	# RecordingBackendASCII version: 2
//	sender	time_ms	<value names…>
//
// and then writes one tab-separated row per event. Each virtual process
// writes its own file, LABEL-NODEID-VP.dat (or MODEL-NODEID-VP.dat without a
// label), in the kernel's data_path.
const (
	headerVersion = "# NEST version: "
	headerBackend = "# RecordingBackendASCII version: "
	backendV2     = "2"
)

// fileName matches LABEL-NODEID-VP.dat.
var fileName = regexp.MustCompile(`^(.+)-([0-9]+)-([0-9]+)\.dat$`)

// Files returns the files one recorder wrote into dir, one per virtual
// process: dir/LABEL-NODEID-VP.dat, sorted by VP. It is an error if there is
// none, or if the files carry different node IDs (two recorders with the
// same label: give each its own label).
func Files(dir, label string) ([]string, error) {
	if label == "" {
		return nil, fmt.Errorf("nestio: label is empty")
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("nestio: %w", err)
	}
	type file struct {
		path     string
		node, vp int
	}
	var fs []file
	for _, e := range ents {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil || m[1] != label || e.IsDir() {
			continue
		}
		node, err1 := strconv.Atoi(m[2])
		vp, err2 := strconv.Atoi(m[3])
		if err1 != nil || err2 != nil {
			continue
		}
		fs = append(fs, file{filepath.Join(dir, e.Name()), node, vp})
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("nestio: no files %s-NODEID-VP.dat in %s", label, dir)
	}
	slices.SortFunc(fs, func(a, b file) int { return cmp.Or(cmp.Compare(a.node, b.node), cmp.Compare(a.vp, b.vp)) })
	if fs[0].node != fs[len(fs)-1].node {
		return nil, fmt.Errorf("nestio: label %q in %s belongs to more than one recorder (node IDs %d and %d): give each recorder its own label",
			label, dir, fs[0].node, fs[len(fs)-1].node)
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.path
	}
	return out, nil
}

// ReadSpikeRecorder reads the files of spike recorder label in dir (see
// Files) into events sorted as astro.Kernel.SpikeEvents sorts its own: by
// time, then sender.
func ReadSpikeRecorder(dir, label string) (astro.SpikeEvents, error) {
	files, err := Files(dir, label)
	if err != nil {
		return astro.SpikeEvents{}, err
	}
	return ReadSpikes(files...)
}

// ReadMultimeterRecorder reads the files of multimeter label in dir (see
// Files) into events sorted as astro.Kernel.MultimeterEvents sorts its own:
// by time, then sender.
func ReadMultimeterRecorder(dir, label string) (astro.MultimeterEvents, error) {
	files, err := Files(dir, label)
	if err != nil {
		return astro.MultimeterEvents{}, err
	}
	return ReadMultimeter(files...)
}

// ReadSpikes reads the ASCII files of one spike_recorder (all its ranks and
// threads) into events sorted by time (ms), then sender. Every file must
// have NEST's header with exactly the columns sender and time_ms.
func ReadSpikes(files ...string) (astro.SpikeEvents, error) {
	tab, err := readAll(files)
	if err != nil {
		return astro.SpikeEvents{}, err
	}
	if len(tab.names) != 0 {
		return astro.SpikeEvents{}, fmt.Errorf("nestio: %s: columns sender, time_ms, %s: a multimeter's file, not a spike recorder's (use ReadMultimeter)",
			files[0], strings.Join(tab.names, ", "))
	}
	ev := astro.SpikeEvents{Senders: make([]int, len(tab.rows)), Times: make([]float64, len(tab.rows))}
	for i, r := range tab.rows {
		ev.Senders[i], ev.Times[i] = r.sender, r.time
	}
	return ev, nil
}

// ReadMultimeter reads the ASCII files of one multimeter (all its ranks and
// threads) into events sorted by time (ms), then sender, with one value
// slice per recorded quantity, named as in the header. A sender sampled
// twice at the same time (files of two runs mixed) is an error.
func ReadMultimeter(files ...string) (astro.MultimeterEvents, error) {
	tab, err := readAll(files)
	if err != nil {
		return astro.MultimeterEvents{}, err
	}
	if len(tab.names) == 0 {
		return astro.MultimeterEvents{}, fmt.Errorf("nestio: %s: only the columns sender and time_ms: a spike recorder's file, not a multimeter's (use ReadSpikes)", files[0])
	}
	n := len(tab.rows)
	ev := astro.MultimeterEvents{Senders: make([]int, n), Times: make([]float64, n), Values: map[string][]float64{}}
	cols := make([][]float64, len(tab.names))
	for j, name := range tab.names {
		cols[j] = make([]float64, n)
		ev.Values[name] = cols[j]
	}
	for i, r := range tab.rows {
		if i > 0 && r.sender == tab.rows[i-1].sender && r.time == tab.rows[i-1].time {
			return astro.MultimeterEvents{}, fmt.Errorf("nestio: sender %d is sampled twice at %g ms (%s:%d and %s:%d): files of different runs mixed?",
				r.sender, r.time, files[tab.rows[i-1].file], tab.rows[i-1].line, files[r.file], r.line)
		}
		ev.Senders[i], ev.Times[i] = r.sender, r.time
		for j := range cols {
			cols[j][i] = tab.vals[r.off+j]
		}
	}
	return ev, nil
}

// table is the merged content of one recorder's files.
type table struct {
	names []string // value columns after sender and time_ms
	rows  []row
	vals  []float64 // len(names) per row, at row.off
}

type row struct {
	sender     int
	time       float64
	off        int // index of the row's first value in table.vals
	file, line int // for error messages
}

// readAll parses files, checks that they come from one recorder, and sorts
// the rows by time, then sender (stable, so a sender's equal-time events
// keep their order).
func readAll(files []string) (*table, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("nestio: no files given")
	}
	if err := sameRecorder(files); err != nil {
		return nil, err
	}
	var tab *table
	var first string
	for i, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("nestio: %w", err)
		}
		cols, err := parse(f, path, i, &tab)
		f.Close()
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = cols
		} else if cols != first {
			return nil, fmt.Errorf("nestio: %s has columns %q but %s has %q: files of different recorders mixed",
				path, cols, files[0], first)
		}
	}
	slices.SortStableFunc(tab.rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.time, b.time), cmp.Compare(a.sender, b.sender))
	})
	return tab, nil
}

// parse reads one file into *tab (created at the first file) and returns
// its column line.
func parse(r io.Reader, path string, fileIdx int, tab **table) (string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return strings.TrimRight(sc.Text(), "\r"), true
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("nestio: %s:%d: %s", path, line, fmt.Sprintf(format, a...))
	}
	notNEST := "not a file of NEST's ASCII recording backend"
	h1, ok := next()
	if !ok {
		if err := sc.Err(); err != nil {
			return "", fmt.Errorf("nestio: %s: %w", path, err)
		}
		return "", fmt.Errorf("nestio: %s: empty file: %s (it starts with %q)", path, notNEST, headerVersion)
	}
	if !strings.HasPrefix(h1, headerVersion) {
		return "", bad("header %q: %s (it starts with %q)", h1, notNEST, headerVersion+"…")
	}
	h2, ok := next()
	if !ok || !strings.HasPrefix(h2, headerBackend) {
		return "", bad("header %q: %s (its second line is %q)", h2, notNEST, headerBackend+backendV2)
	}
	if v := strings.TrimPrefix(h2, headerBackend); v != backendV2 {
		return "", bad("RecordingBackendASCII version %s: only version %s (NEST 3.x) is supported", v, backendV2)
	}
	cols, ok := next()
	if !ok {
		return "", bad("missing column header (sender, time_ms, …)")
	}
	names := strings.Split(cols, "\t")
	switch {
	case len(names) >= 3 && names[0] == "sender" && names[1] == "time_step" && names[2] == "time_offset":
		return "", bad("times in steps (time_in_steps true): set time_in_steps to false on the recorder")
	case len(names) < 2 || names[0] != "sender" || names[1] != "time_ms":
		return "", bad("column header %q: want sender, time_ms, then the recorded quantities (tab-separated)", cols)
	}
	names = names[2:]
	for j, nm := range names {
		if nm == "" || slices.Contains(names[:j], nm) {
			return "", bad("column header %q: empty or repeated column name %q", cols, nm)
		}
	}
	if *tab == nil {
		*tab = &table{names: names}
	}
	t := *tab
	want := 2 + len(names)
	for {
		text, ok := next()
		if !ok {
			break
		}
		if text == "" {
			continue
		}
		fs := strings.Split(text, "\t")
		if len(fs) != want {
			return "", bad("%d fields, want %d (sender, time_ms, %s)", len(fs), want, strings.Join(names, ", "))
		}
		sender, err := strconv.Atoi(fs[0])
		if err != nil || sender < 1 {
			return "", bad("sender %q: want a node ID (an integer ≥ 1)", fs[0])
		}
		tm, err := strconv.ParseFloat(fs[1], 64)
		if err != nil || math.IsNaN(tm) || math.IsInf(tm, 0) {
			return "", bad("time_ms %q: want a finite number", fs[1])
		}
		off := len(t.vals)
		for j, s := range fs[2:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.vals = t.vals[:off]
				return "", bad("%s %q: not a number", names[j], s)
			}
			t.vals = append(t.vals, v)
		}
		t.rows = append(t.rows, row{sender: sender, time: tm, off: off, file: fileIdx, line: line})
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("nestio: %s: %w", path, err)
	}
	return cols, nil
}

// sameRecorder checks, for files named as NEST names them
// (LABEL-NODEID-VP.dat), that they share label and node ID and that no VP
// comes twice.
func sameRecorder(files []string) error {
	var label, node string
	vps := map[string]string{}
	for _, f := range files {
		m := fileName.FindStringSubmatch(filepath.Base(f))
		if m == nil {
			continue
		}
		if label == "" {
			label, node = m[1], m[2]
		} else if m[1] != label || m[2] != node {
			return fmt.Errorf("nestio: %s and %s are files of different recorders (%s-%s and %s-%s)", files[0], f, label, node, m[1], m[2])
		}
		if other, dup := vps[m[3]]; dup {
			return fmt.Errorf("nestio: %s and %s are both the file of virtual process %s", other, f, m[3])
		}
		vps[m[3]] = f
	}
	return nil
}
