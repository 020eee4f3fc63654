package main

import (
	"strings"
	"testing"
	"time"

	"github.com/astronb/astronb/astro/brunel"
)

func TestParseNESTPhases(t *testing.T) {
	out := "Creating nodes ...\n[ 100% ] Model time: 1100.0 ms\n\nnest-phases create=0.125 connect=4.200 presim=7.500 sim=64.750 cpu=150.500 rss_mb=1870\n"
	r, err := parseNESTPhases([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if r.phases.Create != 125*time.Millisecond || r.phases.Connect != 4200*time.Millisecond ||
		r.phases.PreSim != 7500*time.Millisecond || r.phases.Sim != 64750*time.Millisecond ||
		r.cpu != 150500*time.Millisecond || r.rssMB != 1870 {
		t.Errorf("parsed %+v", r)
	}
	for _, c := range []struct{ out, want string }{
		{"Traceback (most recent call last):\nNameError\n", "no phase times"},
		{"nest-phases create=0.1 connect=x presim=1 sim=2 cpu=3 rss_mb=4\n", `"connect=x" is not a time`},
		{"nest-phases create=0.1 connect=-1 presim=1 sim=2 cpu=3 rss_mb=4\n", `"connect=-1" is not a time`},
		{"nest-phases create=0.1 connect=1 presim=1 cpu=3 rss_mb=4\n", "no sim"},
	} {
		if _, err := parseNESTPhases([]byte(c.out)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one saying %q", c.out, err, c.want)
		}
	}
}

func TestSideBySideRefusesOtherNetworks(t *testing.T) {
	p := brunel.DefaultParams()
	p.Network.NEx = 800
	if err := sideBySide(p, 1); err == nil || !strings.Contains(err.Error(), "-nex") {
		t.Errorf("-nex with -nest: error %v, want one naming -nex", err)
	}
	p = brunel.DefaultParams()
	p.Scale = 0.5
	if err := sideBySide(p, 1); err == nil || !strings.Contains(err.Error(), "-scale") {
		t.Errorf("-scale 0.5 with -nest: error %v, want one naming -scale", err)
	}
}

func TestSideBySideLists(t *testing.T) {
	if ts, err := parseThreadList("1, 2,1", 4); err != nil || len(ts) != 2 || ts[0] != 1 || ts[1] != 2 {
		t.Errorf("parseThreadList(\"1, 2,1\") = %v, %v", ts, err)
	}
	if ts, err := parseThreadList("", 4); err != nil || len(ts) != 1 || ts[0] != 4 {
		t.Errorf("parseThreadList(\"\") = %v, %v, want [4]", ts, err)
	}
	for _, bad := range []string{"0", "1,x", "2000", ","} {
		if _, err := parseThreadList(bad, 2); err == nil || !strings.Contains(err.Error(), "-nest-threads") {
			t.Errorf("parseThreadList(%q): error %v, want one naming -nest-threads", bad, err)
		}
	}
	if ps, err := parsePaths("auto, off"); err != nil || len(ps) != 2 || ps[1] != "off" {
		t.Errorf("parsePaths(\"auto, off\") = %v, %v", ps, err)
	}
	if _, err := parsePaths("avx512x"); err == nil || !strings.Contains(err.Error(), "-paths") {
		t.Errorf("parsePaths(\"avx512x\"): error %v, want one naming -paths", err)
	}
}

func TestParseChildPhases(t *testing.T) {
	out := "estimated memory 156MB\nastronb-phases create=0.001 connect=0.700 presim=1.450 sim=8.390 cpu=19.100 rss_mb=150 spikes=37387 path=avx2\n"
	r, extra, err := parsePhases([]byte(out), "astronb-phases ", "astronb")
	if err != nil {
		t.Fatal(err)
	}
	if r.phases.Sim != 8390*time.Millisecond || r.cpu != 19100*time.Millisecond || r.rssMB != 150 ||
		extra["spikes"] != "37387" || extra["path"] != "avx2" {
		t.Errorf("parsed %+v, %v", r, extra)
	}
	if _, _, err := parsePhases([]byte("astronb-phases create=1 connect=1 presim=NaN sim=1 cpu=1 rss_mb=1\n"), "astronb-phases ", "astronb"); err == nil {
		t.Error("presim=NaN accepted")
	}
}

// TestSideTable: NEST's runs and astronb's (also on this process's path,
// whose -paths entry is empty) are separate rows, each with its medians,
// and astronb's ratios are NEST's median over its own at the same thread
// count.
func TestSideTable(t *testing.T) {
	run := func(total, sim time.Duration, rss int64) nestRun {
		return nestRun{phases: brunel.Phases{Connect: total - sim, Sim: sim}, cpu: total, rssMB: rss}
	}
	all := []*sideSeries{
		{threads: 2, nest: true, runs: []nestRun{run(120*time.Second, 100*time.Second, 1800), run(140*time.Second, 110*time.Second, 1790), run(100*time.Second, 90*time.Second, 1810)}},
		{threads: 2, path: "", runs: []nestRun{run(12*time.Second, 10*time.Second, 150), run(10*time.Second, 9*time.Second, 148), run(14*time.Second, 11*time.Second, 152)}},
		{threads: 2, path: "off", runs: []nestRun{run(24*time.Second, 20*time.Second, 147)}},
	}
	got := sideTable([]int{2}, all)
	for _, want := range []string{
		"| 2 | NEST 3.8 | 120.00 s | 100.00 s | 120.0 s | 1800 MB |  |  |",
		"| 2 | astronb " + pathName("") + " | 12.00 s | 10.00 s | 12.0 s | 150 MB | 10.0× | 10.0× |",
		"| 2 | astronb off | 24.00 s | 20.00 s | 24.0 s | 147 MB | 5.0× | 5.0× |",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("table lacks the row\n%s\ngot:\n%s", want, got)
		}
	}
}
