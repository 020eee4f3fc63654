package plots

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// svgText is one <text> element of an SVG document.
type svgText struct {
	x, y float64
	text string
}

// svgTexts returns the <text> elements of an SVG document in order.
func svgTexts(t *testing.T, data []byte) []svgText {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []svgText
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("invalid XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "text" {
			continue
		}
		var st svgText
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "x":
				st.x, _ = strconv.ParseFloat(a.Value, 64)
			case "y":
				st.y, _ = strconv.ParseFloat(a.Value, 64)
			}
		}
		var body struct {
			Text string `xml:",chardata"`
		}
		if err := dec.DecodeElement(&body, &se); err != nil {
			t.Fatal(err)
		}
		st.text = body.Text
		out = append(out, st)
	}
}

func TestSplitSpaces(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []word
	}{
		{"", nil},
		{"   ", nil},
		{"IP", []word{{0, "IP"}}},
		{" and Ca", []word{{1, "and Ca"}}},
		{" in astrocytes (n=50) ", []word{{1, "in astrocytes (n=50)"}}},
		{"a  b", []word{{0, "a"}, {3, "b"}}},
		{"a\tb", []word{{0, "a"}, {2, "b"}}},
		{"V_m (mV)", []word{{0, "V_m (mV)"}}},
	} {
		got := splitSpaces(c.in)
		if len(got) != len(c.want) {
			t.Errorf("splitSpaces(%q) = %v, want %v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("splitSpaces(%q) = %v, want %v", c.in, got, c.want)
				break
			}
		}
	}
}

// TestSVGTextKeepsSpaces checks that no SVG <text> element starts or ends
// with white space or holds repeated white space (which SVG renderers drop
// or collapse), and that the dynamics title's runs sit where the whole title
// would put them: "and Ca" one space advance after the subscript "3".
func TestSVGTextKeepsSpaces(t *testing.T) {
	for _, f := range testFigures(t) {
		data, err := f.SVG()
		if err != nil {
			t.Fatal(err)
		}
		texts := svgTexts(t, data)
		if len(texts) == 0 {
			t.Fatalf("%s: no <text> elements", f.Name())
		}
		for _, st := range texts {
			if st.text != strings.TrimSpace(st.text) || strings.Contains(st.text, "  ") {
				t.Errorf("%s: <text> %q has leading, trailing or repeated white space", f.Name(), st.text)
			}
		}
		if f.Name() != "dynamics" {
			continue
		}
		idx := func(s string) int {
			for i, st := range texts {
				if st.text == s {
					return i
				}
			}
			t.Fatalf("dynamics: no <text> %q in %v", s, texts)
			return -1
		}
		and := idx("and Ca")
		sub := and - 1
		if sub < 0 || texts[sub].text != "3" {
			t.Fatalf("dynamics: title runs out of order: %v", texts)
		}
		title := textStyle{size: titleSize}
		script := title.face(span{script: true})
		base := title.face(span{})
		// Both elements have the same parent transform (the title's
		// anchor), so their x attributes are comparable.
		wantGap := (base.Width(" and Ca") - base.Width("and Ca")).Points()
		gotGap := texts[and].x - (texts[sub].x + script.Width("3").Points())
		if math.Abs(gotGap-wantGap) > 0.01 || wantGap < 1 {
			t.Errorf("dynamics: gap between %q and %q = %.3f pt, want one space advance %.3f pt",
				texts[sub].text, texts[and].text, gotGap, wantGap)
		}
	}
}
