package plots

import (
	"image/color"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Text in figures is drawn with a tiny markup: "_{...}" is a subscript and
// "^{...}" a superscript, as in matplotlib's mathtext "IP$_{3}$" and
// "Ca$^{2+}$". This is needed because the Liberation fonts bundled with
// gonum/plot lack several Unicode super/subscript glyphs (e.g. '⁺').
// Everything else, including a lone '_' or '^', is literal text.

// Script geometry, as fractions of the base font size.
const (
	scriptScale = 0.7
	supRise     = 0.38
	subRise     = -0.18
)

// sansFont is the typeface of all figure text (matplotlib uses a sans-serif
// font, DejaVu Sans, by default).
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle is the font size and colour of a piece of text.
type textStyle struct {
	size  vg.Length
	color color.Color
}

// span is a run of text drawn at one size and baseline offset.
type span struct {
	text   string
	script bool    // drawn at scriptScale
	rise   float64 // baseline offset in units of the base font size
}

// parseSpans splits s into plain, subscript and superscript runs.
func parseSpans(s string) []span {
	var (
		out   []span
		plain strings.Builder
	)
	for len(s) > 0 {
		if len(s) >= 2 && (s[0] == '_' || s[0] == '^') && s[1] == '{' {
			if end := strings.IndexByte(s[2:], '}'); end >= 0 {
				if plain.Len() > 0 {
					out = append(out, span{text: plain.String()})
					plain.Reset()
				}
				rise := supRise
				if s[0] == '_' {
					rise = subRise
				}
				out = append(out, span{text: s[2 : 2+end], script: true, rise: rise})
				s = s[2+end+1:]
				continue
			}
		}
		plain.WriteByte(s[0])
		s = s[1:]
	}
	if plain.Len() > 0 {
		out = append(out, span{text: plain.String()})
	}
	return out
}

// face returns the font face for a span of this style.
func (ts textStyle) face(sp span) font.Face {
	size := ts.size
	if sp.script {
		size *= scriptScale
	}
	f := sansFont
	f.Size = size
	return font.DefaultCache.Lookup(f, size)
}

// extent returns the advance width of s and its extent above (ascent) and
// below (descent, positive) the baseline.
func (ts textStyle) extent(s string) (width, ascent, descent vg.Length) {
	base := ts.face(span{})
	ext := base.Extents()
	ascent, descent = ext.Ascent, ext.Descent
	for _, sp := range parseSpans(s) {
		f := ts.face(sp)
		width += f.Width(sp.text)
		e := f.Extents()
		rise := vg.Length(sp.rise) * ts.size
		ascent = max(ascent, rise+e.Ascent)
		descent = max(descent, e.Descent-rise)
	}
	return width, ascent, descent
}

// vaBaseline is the vertical alignment of draw that puts the baseline of
// the text at the anchor point.
const vaBaseline = -1

// draw draws s so that the point of its bounding box at fractions (ha, va)
// — ha = 0, 0.5, 1 for its left edge, centre, right edge; va likewise from
// bottom to top, or vaBaseline — lies at pt, after rotating the text by rot
// radians counter-clockwise about pt.
func (ts textStyle) draw(c draw.Canvas, s string, pt vg.Point, ha, va, rot float64) {
	if s == "" {
		return
	}
	w, asc, desc := ts.extent(s)
	c.Push()
	defer c.Pop()
	c.Translate(pt)
	if rot != 0 {
		c.Rotate(rot)
	}
	c.SetColor(ts.color)
	x := -vg.Length(ha) * w
	baseline := desc - vg.Length(va)*(asc+desc)
	if va == vaBaseline {
		baseline = 0
	}
	for _, sp := range parseSpans(s) {
		f := ts.face(sp)
		c.FillString(f, vg.Point{X: x, Y: baseline + vg.Length(sp.rise)*ts.size}, sp.text)
		x += f.Width(sp.text)
	}
}
