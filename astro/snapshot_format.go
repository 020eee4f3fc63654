package astro

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"reflect"
)

// Snapshot file layout (all integers little-endian):
//
//	header   magic "astronb-snapshot" (16 bytes)
//	         format version (uint32)
//	         engine version (uint16 length, bytes)
//	         CRC-32C of the header so far (uint32)
//	payload  frames: length n (uint32, 1..snapFrameMax), n bytes,
//	         CRC-32C of (frame number, n, bytes) (uint32)
//	trailer  a frame of length 0, the payload length (uint64), the CRC-32C
//	         of the whole payload (uint32, big-endian), CRC-32C of the
//	         trailer (uint32)
//
// Every frame is checked before any of its bytes is decoded, so a corrupted
// byte is reported as such (never as a strange value or a huge allocation),
// and a file cut anywhere is reported as truncated. Writing and reading
// stream: at most one frame of the payload is held in memory.

// EngineVersion names the version of the engine's numerics and state layout.
// A snapshot records it and loads only into the same version: a restored
// simulation continues bit for bit only with the engine that wrote it. It
// changes whenever a change in astro/ can change a result or the saved state.
const EngineVersion = "astro-engine/1"

// SnapshotFormatVersion is the version of the snapshot file layout.
const SnapshotFormatVersion uint32 = 1

const (
	snapMagic    = "astronb-snapshot"
	snapFrameMax = 1 << 18 // 256 KiB of payload per frame
	// maxEngineVersionLen bounds the engine version string in a header.
	maxEngineVersionLen = 255
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors of Load, each wrapped with details (test with errors.Is).
var (
	// ErrNotSnapshot: the data does not start like a snapshot.
	ErrNotSnapshot = errors.New("not an astro snapshot")
	// ErrSnapshotVersion: a snapshot of another file format version.
	ErrSnapshotVersion = errors.New("unsupported snapshot format version")
	// ErrSnapshotEngine: a snapshot written by another engine version.
	ErrSnapshotEngine = errors.New("snapshot written by another engine version")
	// ErrSnapshotTruncated: the data ends before the snapshot does.
	ErrSnapshotTruncated = errors.New("snapshot truncated")
	// ErrSnapshotCorrupt: a checksum does not match, or the content is
	// inconsistent.
	ErrSnapshotCorrupt = errors.New("snapshot corrupted")
)

// snapEncoder writes the framed payload. Errors are sticky: after the first
// failed write every call is a no-op and finish returns the error.
type snapEncoder struct {
	k     *Kernel
	w     io.Writer
	frame []byte
	seq   uint32
	n     uint64
	sum   hash.Hash
	err   error
}

func writeSnapHeader(w io.Writer) error {
	h := []byte(snapMagic)
	h = binary.LittleEndian.AppendUint32(h, SnapshotFormatVersion)
	h = binary.LittleEndian.AppendUint16(h, uint16(len(EngineVersion)))
	h = append(h, EngineVersion...)
	h = binary.LittleEndian.AppendUint32(h, crc32.Checksum(h, castagnoli))
	_, err := w.Write(h)
	return err
}

func newSnapEncoder(k *Kernel, w io.Writer) *snapEncoder {
	return &snapEncoder{k: k, w: w, frame: make([]byte, 0, snapFrameMax), sum: crc32.New(castagnoli)}
}

// flush writes the buffered bytes as one frame.
func (e *snapEncoder) flush() {
	if e.err != nil || len(e.frame) == 0 {
		return
	}
	var hd [4]byte
	binary.LittleEndian.PutUint32(hd[:], uint32(len(e.frame)))
	if _, e.err = e.w.Write(hd[:]); e.err != nil {
		return
	}
	if _, e.err = e.w.Write(e.frame); e.err != nil {
		return
	}
	binary.LittleEndian.PutUint32(hd[:], frameCRC(e.seq, e.frame))
	if _, e.err = e.w.Write(hd[:]); e.err != nil {
		return
	}
	e.sum.Write(e.frame)
	e.n += uint64(len(e.frame))
	e.seq++
	e.frame = e.frame[:0]
}

func frameCRC(seq uint32, data []byte) uint32 {
	var hd [8]byte
	binary.LittleEndian.PutUint32(hd[:], seq)
	binary.LittleEndian.PutUint32(hd[4:], uint32(len(data)))
	return crc32.Update(crc32.Checksum(hd[:], castagnoli), castagnoli, data)
}

// finish writes the last frame and the trailer.
func (e *snapEncoder) finish() error {
	e.flush()
	if e.err != nil {
		return e.err
	}
	t := binary.LittleEndian.AppendUint32(nil, 0)
	t = binary.LittleEndian.AppendUint64(t, e.n)
	t = e.sum.Sum(t)
	t = binary.LittleEndian.AppendUint32(t, crc32.Checksum(t, castagnoli))
	_, e.err = e.w.Write(t)
	return e.err
}

// room makes sure n more bytes fit in the frame (n ≤ snapFrameMax).
func (e *snapEncoder) room(n int) {
	if len(e.frame)+n > snapFrameMax {
		e.flush()
	}
}

func (e *snapEncoder) uvarint(v uint64) {
	e.room(binary.MaxVarintLen64)
	e.frame = binary.AppendUvarint(e.frame, v)
}

func (e *snapEncoder) varint(v int64) {
	e.room(binary.MaxVarintLen64)
	e.frame = binary.AppendVarint(e.frame, v)
}

func (e *snapEncoder) u64(v uint64) {
	e.room(8)
	e.frame = binary.LittleEndian.AppendUint64(e.frame, v)
}

func (e *snapEncoder) f64(v float64) { e.u64(math.Float64bits(v)) }

func (e *snapEncoder) bool(b bool) {
	v := uint64(0)
	if b {
		v = 1
	}
	e.uvarint(v)
}

func (e *snapEncoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.raw([]byte(s))
}

// raw writes bytes without a length.
func (e *snapEncoder) raw(p []byte) {
	for len(p) > 0 {
		e.room(1)
		n := min(len(p), snapFrameMax-len(e.frame))
		e.frame = append(e.frame, p[:n]...)
		p = p[n:]
	}
}

// f64s writes a length and the values' bits.
func (e *snapEncoder) f64s(v []float64) {
	e.uvarint(uint64(len(v)))
	for _, x := range v {
		e.room(8)
		e.frame = binary.LittleEndian.AppendUint64(e.frame, math.Float64bits(x))
	}
}

func (e *snapEncoder) i32s(v []int32) {
	e.uvarint(uint64(len(v)))
	for _, x := range v {
		e.varint(int64(x))
	}
}

func (e *snapEncoder) i64s(v []int64) {
	e.uvarint(uint64(len(v)))
	for _, x := range v {
		e.varint(x)
	}
}

func (e *snapEncoder) bools(v []bool) {
	e.uvarint(uint64(len(v)))
	for _, b := range v {
		e.room(1)
		if b {
			e.frame = append(e.frame, 1)
		} else {
			e.frame = append(e.frame, 0)
		}
	}
}

// params writes the NEST-named fields of a parameter struct (a Model or
// Synapse value) by NEST name: float64, int, bool, string (and string
// types), and slices of float64, int and string.
func (e *snapEncoder) params(v any) {
	rv := reflect.ValueOf(v)
	rt := rv.Type()
	e.str(rt.Name())
	fs := nestFields(rt) // by NEST name, fields of embedded structs included
	e.uvarint(uint64(len(fs.names)))
	for i, name := range fs.names {
		fv := rv.FieldByIndex(fs.order[i])
		e.str(name)
		e.uvarint(uint64(fv.Kind()))
		switch fv.Kind() {
		case reflect.Float64:
			e.f64(fv.Float())
		case reflect.Int:
			e.varint(fv.Int())
		case reflect.Bool:
			e.bool(fv.Bool())
		case reflect.String:
			e.str(fv.String())
		case reflect.Slice:
			e.uvarint(uint64(fv.Type().Elem().Kind()))
			e.bool(fv.IsNil())
			e.uvarint(uint64(fv.Len()))
			for j := range fv.Len() {
				switch x := fv.Index(j); x.Kind() {
				case reflect.Float64:
					e.f64(x.Float())
				case reflect.Int:
					e.varint(x.Int())
				case reflect.String:
					e.str(x.String())
				default:
					e.fail(fmt.Errorf("snapshot: %s.%s: unsupported element kind %s", rt.Name(), name, x.Kind()))
				}
			}
		default:
			e.fail(fmt.Errorf("snapshot: %s.%s: unsupported kind %s", rt.Name(), name, fv.Kind()))
		}
	}
}

func (e *snapEncoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// snapDecoder reads the framed payload, checking every frame before its
// bytes are used. Errors are sticky: after the first one every read
// returns zero values and the error stays in err.
type snapDecoder struct {
	k     *Kernel // being built
	r     *bufio.Reader
	frame []byte
	pos   int
	seq   uint32
	off   int64 // file offset of the next unread frame
	n     uint64
	sum   hash.Hash
	err   error
	// ahead holds frames read and checked ahead of the current one (need),
	// aheadBytes their length.
	ahead      [][]byte
	aheadBytes int
}

// Counts read from a file are bounded by the bytes that follow them before
// anything is allocated for them. Most lists grow as their elements arrive,
// so a count cannot allocate more than the data holds. The large arrays
// that are allocated whole — the nodes of a Create call, the ring buffers
// of the first Simulate — are sized by the memory estimate (limits.go):
// while a snapshot loads, an estimate above snapLoadFloor must be matched
// by at least 1/snapLoadExpansion of it in payload bytes still to come (a
// node's saved state and ring buffers take more than that), which need
// checks by reading ahead. A snapshot that claims 2^24 neurons in 543 bytes
// is refused before anything is allocated.
const (
	snapLoadFloor     = 16 << 20 // bytes of estimate that need no data
	snapLoadExpansion = 64       // estimated bytes per payload byte, at most
)

// readSnapHeader checks the header and returns the offset after it.
func readSnapHeader(r *bufio.Reader) (int64, error) {
	magic := make([]byte, len(snapMagic))
	if n, err := io.ReadFull(r, magic); err != nil || string(magic) != snapMagic {
		if string(magic[:n]) == snapMagic[:n] && n > 0 {
			return 0, fmt.Errorf("%w: the data ends inside the header (%d bytes)", ErrSnapshotTruncated, n)
		}
		return 0, fmt.Errorf("%w: it does not start with %q", ErrNotSnapshot, snapMagic)
	}
	var b [6]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, fmt.Errorf("%w: the data ends inside the header", ErrSnapshotTruncated)
	}
	if v := binary.LittleEndian.Uint32(b[:4]); v != SnapshotFormatVersion {
		return 0, fmt.Errorf("%w: the file has format version %d, this build reads version %d", ErrSnapshotVersion, v, SnapshotFormatVersion)
	}
	// The engine version's length, in int arithmetic (a uint16 + 4 wraps)
	// and bounded before anything is allocated.
	evLen := int(binary.LittleEndian.Uint16(b[4:]))
	if evLen > maxEngineVersionLen {
		return 0, fmt.Errorf("%w: the header claims an engine version of %d bytes (at most %d)", ErrSnapshotCorrupt, evLen, maxEngineVersionLen)
	}
	ev := make([]byte, evLen+4)
	if _, err := io.ReadFull(r, ev); err != nil {
		return 0, fmt.Errorf("%w: the data ends inside the header", ErrSnapshotTruncated)
	}
	h := append(append([]byte(snapMagic), b[:]...), ev[:len(ev)-4]...)
	if crc32.Checksum(h, castagnoli) != binary.LittleEndian.Uint32(ev[len(ev)-4:]) {
		return 0, fmt.Errorf("%w: header checksum mismatch", ErrSnapshotCorrupt)
	}
	if got := string(ev[:len(ev)-4]); got != EngineVersion {
		return 0, fmt.Errorf("%w: the file was written by %q, this is %q (a continued run would not be exact)", ErrSnapshotEngine, got, EngineVersion)
	}
	return int64(len(h) + 4), nil
}

func newSnapDecoder(r *bufio.Reader, off int64) *snapDecoder {
	return &snapDecoder{r: r, off: off, sum: crc32.New(castagnoli)}
}

func (d *snapDecoder) corrupt(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrSnapshotCorrupt, fmt.Sprintf(format, args...))
	}
}

// fail records err (the first error sticks).
func (d *snapDecoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *snapDecoder) truncated() {
	if d.err == nil {
		d.err = fmt.Errorf("%w: the data ends inside frame %d (file offset %d)", ErrSnapshotTruncated, d.seq, d.off)
	}
}

// next makes the next frame current: one read ahead, or else the next
// one in the data.
func (d *snapDecoder) next() bool {
	if d.err != nil {
		return false
	}
	if len(d.ahead) > 0 {
		d.frame, d.pos = d.ahead[0], 0
		d.ahead[0] = nil
		d.ahead = d.ahead[1:]
		d.aheadBytes -= len(d.frame)
		return true
	}
	buf := d.frame
	if cap(buf) < snapFrameMax+4 {
		buf = make([]byte, snapFrameMax+4)
	}
	data, ok := d.readFrame(buf[:0], "while more state is expected")
	if !ok {
		return false
	}
	d.frame, d.pos = data, 0
	return true
}

// readFrame reads and checks the next frame of the data into buf (which
// it grows to the frame's length) and returns its bytes. A frame of
// length 0 (the end of the payload) is an error saying why more was
// expected.
func (d *snapDecoder) readFrame(buf []byte, why string) ([]byte, bool) {
	var hd [4]byte
	if _, err := io.ReadFull(d.r, hd[:]); err != nil {
		d.truncated()
		return nil, false
	}
	n := binary.LittleEndian.Uint32(hd[:])
	if n == 0 {
		d.corrupt("the payload ends at frame %d (file offset %d) %s", d.seq, d.off, why)
		return nil, false
	}
	if n > snapFrameMax {
		d.corrupt("frame %d at file offset %d claims %d bytes (at most %d)", d.seq, d.off, n, snapFrameMax)
		return nil, false
	}
	if cap(buf) < int(n)+4 {
		buf = make([]byte, n+4)
	}
	buf = buf[:n+4]
	if _, err := io.ReadFull(d.r, buf); err != nil {
		d.truncated()
		return nil, false
	}
	data := buf[:n]
	if frameCRC(d.seq, data) != binary.LittleEndian.Uint32(buf[n:]) {
		d.corrupt("checksum mismatch in frame %d (file offset %d)", d.seq, d.off)
		return nil, false
	}
	d.sum.Write(data)
	d.n += uint64(n)
	d.off += int64(n) + 8
	d.seq++
	return data, true
}

// need checks that at least n more payload bytes follow, reading frames
// ahead (and checking them) as far as necessary; what names the claim in
// the error. The frames read ahead are used later as they come.
func (d *snapDecoder) need(what string, n float64) bool {
	for d.err == nil && float64(len(d.frame)-d.pos+d.aheadBytes) < n {
		data, ok := d.readFrame(nil, fmt.Sprintf("(%s needs at least %.0f more bytes of state; there were %d)",
			what, n, len(d.frame)-d.pos+d.aheadBytes))
		if !ok {
			return false
		}
		d.ahead = append(d.ahead, data)
		d.aheadBytes += len(data)
	}
	return d.err == nil
}

// checkLoadMemory is the loading kernel's check of a memory estimate
// (total, in bytes) against the payload still to come.
func (d *snapDecoder) checkLoadMemory(what string, total float64) error {
	if total <= snapLoadFloor {
		return nil
	}
	if !d.need(what, (total-snapLoadFloor)/snapLoadExpansion) {
		return d.err
	}
	return nil
}

// avail returns the unread bytes of the current frame, reading the next
// frame when it is used up (nil on error).
func (d *snapDecoder) avail() []byte {
	if d.err != nil { // errors are sticky: no more reads
		return nil
	}
	for d.pos == len(d.frame) {
		if !d.next() {
			return nil
		}
	}
	return d.frame[d.pos:]
}

// finish checks that the payload ends here and the trailer matches.
func (d *snapDecoder) finish() error {
	if d.err != nil {
		return d.err
	}
	if d.pos != len(d.frame) || d.aheadBytes > 0 {
		d.corrupt("%d unexpected bytes at the end of the state", len(d.frame)-d.pos+d.aheadBytes)
		return d.err
	}
	t := make([]byte, 4+8+4+4)
	if _, err := io.ReadFull(d.r, t); err != nil {
		return fmt.Errorf("%w: the data ends before the trailer (file offset %d)", ErrSnapshotTruncated, d.off)
	}
	body := t[:len(t)-4]
	switch {
	case binary.LittleEndian.Uint32(t) != 0:
		return fmt.Errorf("%w: more payload than the state holds (file offset %d)", ErrSnapshotCorrupt, d.off)
	case crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(t[len(t)-4:]):
		return fmt.Errorf("%w: trailer checksum mismatch", ErrSnapshotCorrupt)
	case binary.LittleEndian.Uint64(t[4:]) != d.n:
		return fmt.Errorf("%w: payload length %d, the trailer says %d", ErrSnapshotCorrupt, d.n, binary.LittleEndian.Uint64(t[4:]))
	case string(d.sum.Sum(nil)) != string(t[12:16]):
		return fmt.Errorf("%w: payload checksum mismatch", ErrSnapshotCorrupt)
	}
	return nil
}

func (d *snapDecoder) byte1() byte {
	b := d.avail()
	if b == nil {
		return 0
	}
	d.pos++
	return b[0]
}

func (d *snapDecoder) uvarint() uint64 {
	b := d.avail()
	if b == nil {
		return 0
	}
	if v, n := binary.Uvarint(b); n > 0 {
		d.pos += n
		return v
	}
	// A varint split over two frames (or malformed): byte by byte.
	var v uint64
	for s := uint(0); s < 64; s += 7 {
		c := d.byte1()
		if d.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << s
		if c < 0x80 {
			return v
		}
	}
	d.corrupt("malformed number at file offset %d", d.off)
	return 0
}

func (d *snapDecoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (d *snapDecoder) u64() uint64 {
	var b [8]byte
	d.rawInto(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

func (d *snapDecoder) f64() float64 { return math.Float64frombits(d.u64()) }

func (d *snapDecoder) bool() bool {
	switch d.uvarint() {
	case 0:
		return false
	case 1:
		return true
	}
	d.corrupt("bad boolean at file offset %d", d.off)
	return false
}

func (d *snapDecoder) rawInto(p []byte) {
	for len(p) > 0 {
		b := d.avail()
		if b == nil {
			clear(p)
			return
		}
		n := copy(p, b)
		d.pos += n
		p = p[n:]
	}
}

// length reads a count and checks it against max.
func (d *snapDecoder) length(what string, max int) int {
	n := d.uvarint()
	if d.err != nil {
		return 0
	}
	if n > uint64(max) {
		d.corrupt("%s: %d exceeds %d", what, n, max)
		return 0
	}
	return int(n)
}

// maxLen bounds lengths that the state does not fix otherwise.
const maxLen = 1 << 40

func (d *snapDecoder) str() string {
	n := d.length("string length", 1<<20)
	if !d.need("a string", float64(n)) {
		return ""
	}
	b := make([]byte, n)
	d.rawInto(b)
	return string(b)
}

// f64sInto reads a float64 slice of exactly len(dst) values.
func (d *snapDecoder) f64sInto(what string, dst []float64) {
	if n := d.length(what, maxLen); d.err == nil && n != len(dst) {
		d.corrupt("%s: %d values, expected %d", what, n, len(dst))
		return
	}
	for i := range dst {
		b := d.avail()
		if len(b) >= 8 {
			dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
			d.pos += 8
		} else {
			dst[i] = d.f64()
		}
	}
}

func (d *snapDecoder) i32sInto(what string, dst []int32) {
	if n := d.length(what, maxLen); d.err == nil && n != len(dst) {
		d.corrupt("%s: %d values, expected %d", what, n, len(dst))
		return
	}
	for i := range dst {
		v := d.varint()
		if v < math.MinInt32 || v > math.MaxInt32 {
			d.corrupt("%s: value %d out of range", what, v)
			return
		}
		dst[i] = int32(v)
	}
}

func (d *snapDecoder) boolsInto(what string, dst []bool) {
	if n := d.length(what, maxLen); d.err == nil && n != len(dst) {
		d.corrupt("%s: %d values, expected %d", what, n, len(dst))
		return
	}
	for i := range dst {
		switch d.byte1() {
		case 0:
			dst[i] = false
		case 1:
			dst[i] = true
		default:
			d.corrupt("%s: bad boolean", what)
			return
		}
	}
}

// i32s reads a slice whose length is not fixed by the state; it grows as
// data arrives, so a bad length cannot allocate more than the file holds.
func (d *snapDecoder) i32s(what string) []int32 {
	n := d.length(what, math.MaxInt32)
	out := make([]int32, 0, min(n, 1<<16))
	for range n {
		v := d.varint()
		if d.err != nil {
			return nil
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			d.corrupt("%s: value %d out of range", what, v)
			return nil
		}
		out = append(out, int32(v))
	}
	return out
}

func (d *snapDecoder) i64s(what string) []int64 {
	n := d.length(what, maxLen)
	out := make([]int64, 0, min(n, 1<<16))
	for range n {
		v := d.varint()
		if d.err != nil {
			return nil
		}
		out = append(out, v)
	}
	return out
}

func (d *snapDecoder) f64s(what string) []float64 {
	n := d.length(what, maxLen)
	out := make([]float64, 0, min(n, 1<<16))
	for range n {
		v := d.f64()
		if d.err != nil {
			return nil
		}
		out = append(out, v)
	}
	return out
}

// params reads what snapEncoder.params wrote into the struct *ptr.
func (d *snapDecoder) params(ptr any) {
	rv := reflect.ValueOf(ptr).Elem()
	rt := rv.Type()
	if name := d.str(); d.err == nil && name != rt.Name() {
		d.corrupt("parameters of %s where %s was expected", name, rt.Name())
		return
	}
	nf := d.length("number of parameters", 1024)
	for range nf {
		name := d.str()
		kind := reflect.Kind(d.uvarint())
		if d.err != nil {
			return
		}
		path, ok := nestFields(rt).index[name]
		if !ok || rt.FieldByIndex(path).Type.Kind() != kind {
			d.corrupt("%s has no parameter %s of kind %s", rt.Name(), name, kind)
			return
		}
		f := rt.FieldByIndex(path)
		fv := rv.FieldByIndex(path)
		switch kind {
		case reflect.Float64:
			fv.SetFloat(d.f64())
		case reflect.Int:
			fv.SetInt(d.varint())
		case reflect.Bool:
			fv.SetBool(d.bool())
		case reflect.String:
			fv.SetString(d.str())
		case reflect.Slice:
			ek := reflect.Kind(d.uvarint())
			isNil := d.bool()
			n := d.length(name, 1<<30)
			if d.err != nil {
				return
			}
			if ek != f.Type.Elem().Kind() {
				d.corrupt("%s.%s: element kind %s, expected %s", rt.Name(), name, ek, f.Type.Elem().Kind())
				return
			}
			if isNil {
				fv.SetZero()
				continue
			}
			s := reflect.MakeSlice(f.Type, 0, min(n, 1<<16))
			for range n {
				x := reflect.New(f.Type.Elem()).Elem()
				switch ek {
				case reflect.Float64:
					x.SetFloat(d.f64())
				case reflect.Int:
					x.SetInt(d.varint())
				case reflect.String:
					x.SetString(d.str())
				default:
					d.corrupt("%s.%s: unsupported element kind %s", rt.Name(), name, ek)
					return
				}
				if d.err != nil {
					return
				}
				s = reflect.Append(s, x)
			}
			fv.Set(s)
		default:
			d.corrupt("%s.%s: unsupported kind %s", rt.Name(), name, kind)
			return
		}
	}
}
