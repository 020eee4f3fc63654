package plots

import (
	"image/color"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
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
	svg := isSVG(c)
	for _, sp := range parseSpans(s) {
		f := ts.face(sp)
		y := baseline + vg.Length(sp.rise)*ts.size
		if !svg {
			// Raster canvases draw spaces as advances: one call per run
			// keeps the glyphs' sub-pixel positions (and the PNGs) as
			// they were.
			c.FillString(f, vg.Point{X: x, Y: y}, sp.text)
			x += f.Width(sp.text)
			continue
		}
		for _, w := range splitSpaces(sp.text) {
			// The advance up to the piece's end minus the piece's own width
			// keeps the kerning between the piece and what precedes it.
			end := w.start + len(w.text)
			c.FillString(f, vg.Point{X: x + f.Width(sp.text[:end]) - f.Width(w.text), Y: y}, w.text)
		}
		x += f.Width(sp.text)
	}
}

// isSVG reports whether c draws onto an SVG canvas (possibly through
// nested draw.Canvas values).
func isSVG(c draw.Canvas) bool {
	var vc vg.Canvas = c
	for {
		switch v := vc.(type) {
		case draw.Canvas:
			vc = v.Canvas
		case *draw.Canvas:
			vc = v.Canvas
		case *vgsvg.Canvas:
			return true
		default:
			return false
		}
	}
}

// word is a piece of a text run without leading, trailing or repeated
// white space, at byte offset start of the run.
type word struct {
	start int
	text  string
}

// splitSpaces splits s at leading and trailing white space and at runs of
// two or more white-space characters; single spaces between words stay
// inside a piece. Each piece is drawn at its own x position (where it lies
// when s is drawn whole), so the gaps do not depend on how a renderer
// treats white space: SVG renderers drop a <text> element's leading and
// trailing spaces and collapse repeated ones (SVG 1.1 §10.15,
// xml:space="default"), which would otherwise swallow the space in
// "IP₃ and" where a run starts.
func splitSpaces(s string) []word {
	var out []word
	i := 0
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		start := i
		end := i
		for i < len(s) {
			if !isSpace(s[i]) {
				i++
				end = i
				continue
			}
			if s[i] == ' ' && i+1 < len(s) && !isSpace(s[i+1]) {
				i++ // a single space between words stays in the piece
				continue
			}
			break
		}
		out = append(out, word{start: start, text: s[start:end]})
	}
	return out
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }
