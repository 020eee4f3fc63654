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
