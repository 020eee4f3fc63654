// Package reftest holds what the tests of several packages (and the
// figure preview command) share for reading and reproducing the NEST
// reference data in testdata/.
package reftest

import (
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Records returns all records of the CSV file at path, header included. A
// file that is missing or not valid CSV fails the test.
func Records(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// Numeric returns the header and the rows, as numbers, of a CSV file with a
// header line and numeric data. A missing file, a malformed one or a field
// that is not a number fails the test.
func Numeric(t testing.TB, path string) (header []string, rows [][]float64) {
	t.Helper()
	recs := Records(t, path)
	if len(recs) == 0 {
		t.Fatalf("%s: empty file", path)
	}
	rows = make([][]float64, len(recs)-1)
	for i, r := range recs[1:] {
		rows[i] = make([]float64, len(r))
		for j, s := range r {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				t.Fatalf("%s: line %d: %v", path, i+2, err)
			}
			rows[i][j] = v
		}
	}
	return recs[0], rows
}

// FromMeanSD synthesises multimeter samples of n senders (node IDs 1..n)
// whose per-time population mean and SD are the given ones: half of the
// senders at mean+sd, half at mean−sd (n even). It returns the samples'
// senders, times (ms) and values, time by time.
func FromMeanSD(times, mean, sd []float64, n int) (senders []int, ts, values []float64) {
	for i, t := range times {
		for k := range n {
			v := mean[i] + sd[i]
			if k%2 == 1 {
				v = mean[i] - sd[i]
			}
			senders = append(senders, k+1)
			ts = append(ts, t)
			values = append(values, v)
		}
	}
	return senders, ts, values
}
