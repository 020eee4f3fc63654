package astro

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// readTable reads a whitespace- or comma-separated numeric table, skipping
// lines starting with '#' and a non-numeric header line.
func readTable(t *testing.T, path string) [][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	var rows [][]float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '\t' || r == ' ' })
		row := make([]float64, 0, len(fields))
		ok := true
		for _, s := range fields {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				ok = false
				break
			}
			row = append(row, v)
		}
		if ok {
			rows = append(rows, row)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func mustCreate(t testing.TB, k *Kernel, m Model, n int) NodeCollection {
	t.Helper()
	c, err := k.Create(m, n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustKernel(t testing.TB, cfg KernelConfig) *Kernel {
	t.Helper()
	k, err := NewKernel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustMM(t testing.TB, k *Kernel, mm NodeCollection) MultimeterEvents {
	t.Helper()
	ev, err := k.MultimeterEvents(mm)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func mustSR(t testing.TB, k *Kernel, sr NodeCollection) SpikeEvents {
	t.Helper()
	ev, err := k.SpikeEvents(sr)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func relErr(got, want float64) float64 {
	d := got - want
	if d < 0 {
		d = -d
	}
	s := want
	if s < 0 {
		s = -s
	}
	if s < 1e-300 {
		return d
	}
	return d / s
}
