package kernelext

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"

	"github.com/astronb/astronb/astro"
)

// kernelFormat is mixed into every snapshot key; bump it when the file
// layout below changes.
const kernelFormat = "astronb-kernel/2"

// NotebookKernel is "the kernel of this notebook": a simulation that
// continues from cell to cell. GoNB runs every cell as a new process, so a
// cell gets it with OpenKernel — loaded from the snapshot that an earlier
// cell stored with Keep, or built — simulates, changes parameters with
// SetStatus, and calls Keep if the next cells should continue from there.
//
//	func build() (*astro.Kernel, brunel.Setup, error) { return brunel.NewNetwork(params()) }
//
//	%%
//	nk, err := kernelext.OpenKernel(params(), build)
//	…
//	if t := nk.Kernel.Time(); t < 500 {
//		err = nk.Kernel.Simulate(500 - t) // re-running the cell changes nothing
//	}
//	err = nk.Keep() // later cells start at 500 ms
//
// A restored kernel continues exactly: its spikes and recordings are
// bit-identical to one that simulated without interruption (see astro.Load).
type NotebookKernel[T any] struct {
	Kernel *astro.Kernel
	// Nodes is what build returned besides the kernel (node collections,
	// parameters), stored with the snapshot (encoding/gob: exported fields).
	Nodes T
	// Loaded tells whether Kernel was loaded from a kept snapshot (false:
	// built just now).
	Loaded bool
	// Path is the snapshot file; "" when snapshots are off (CacheDir).
	Path string

	head  kernelHeader
	state keptState
}

// keptState is what a kept file says about its kernel before the kernel
// itself.
type keptState struct {
	Time float64 // ms
}

// kernelHeader identifies a snapshot: everything that determines the
// kernel it holds. It names the file (hashed) and is checked on load.
type kernelHeader struct {
	Format string
	Key    []byte // the key's canonical encoding (encodeKey, as for Cached)
	Type   string // Go type of Nodes
	Build  string // the build function's name and source hash
	Engine string // astro.EngineVersion
}

func (h kernelHeader) equal(o kernelHeader) bool {
	return h.Format == o.Format && bytes.Equal(h.Key, o.Key) && h.Type == o.Type && h.Build == o.Build && h.Engine == o.Engine
}

// OpenKernel returns the kernel of this notebook for key and build: the one
// the last Keep stored for the same key, build function and engine version,
// or, if there is none, the one build returns. Snapshots live in
// CacheDir()/snapshots, in the GoNB kernel's temporary folder, so they last
// as long as the notebook session; with CacheDir() == "" (a plain program)
// OpenKernel always builds and Keep stores nothing.
//
// The key must describe every input of build (parameters, seeds). It is
// encoded like Cached's keys (see CachedIn): canonically, with its types,
// field names and float bits, so 1 and 1.0 or a []byte and its base64 text
// are different keys; a key whose state cannot all be encoded (unexported
// fields, funcs, channels, cycles) is an error naming the field. The build function is identified by its name and a
// hash of its source text, so editing it (the cell that declares it) makes
// OpenKernel build afresh instead of continuing a stale simulation; helpers
// it calls are not covered: put what varies in the key. A kept snapshot
// that cannot be read (corrupted, truncated) is an error, not a silent
// rebuild: DiscardKernel removes it.
func OpenKernel[T any](key any, build func() (*astro.Kernel, T, error)) (*NotebookKernel[T], error) {
	return OpenKernelIn(snapshotDir(), key, build)
}

// OpenKernelIn is OpenKernel with an explicit folder; dir == "" turns
// snapshots off.
func OpenKernelIn[T any](dir string, key any, build func() (*astro.Kernel, T, error)) (*NotebookKernel[T], error) {
	if build == nil {
		return nil, errors.New("kernelext: OpenKernel: nil build function")
	}
	head, err := newKernelHeader[T]("OpenKernel", key, build)
	if err != nil {
		return nil, err
	}
	nk := &NotebookKernel[T]{head: head}
	if dir != "" {
		nk.Path = filepath.Join(dir, head.file())
		f, err := os.Open(nk.Path)
		switch {
		case err == nil:
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return nil, fmt.Errorf("kernelext: OpenKernel: %w", err)
			}
			if err := nk.load(f, st.Size()); err != nil {
				return nil, fmt.Errorf("kernelext: OpenKernel: kept snapshot %s: %w (DiscardKernel removes it)", nk.Path, err)
			}
			nk.Loaded = true
			return nk, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("kernelext: OpenKernel: %w", err)
		}
	}
	k, nodes, err := build()
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, errors.New("kernelext: OpenKernel: build returned a nil kernel")
	}
	nk.Kernel, nk.Nodes = k, nodes
	return nk, nil
}

// Keep stores the kernel (at its current time, with its current
// parameters) and Nodes for the next cells: their OpenKernel continues from
// here. It replaces the previous snapshot of the same key atomically. With
// snapshots off it does nothing.
//
// A kept kernel at another time is not lost: it is set aside (one level),
// Keep prints a note saying so, and UndoKeep goes back to it. So a cell
// meant as a branch that calls Keep by mistake does not end the trunk: the
// next cells see the later time (CheckTime says what happened), and
// UndoKeep restores the trunk.
func (nk *NotebookKernel[T]) Keep() error {
	if nk.Path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(nk.Path), 0o755); err != nil {
		return fmt.Errorf("kernelext: Keep: %w", err)
	}
	now := nk.Kernel.Time()
	if was, err := keptTime(nk.Path, nk.head); err == nil && was != now {
		if err := os.Rename(nk.Path, nk.Path+beforeSuffix); err != nil {
			return fmt.Errorf("kernelext: Keep: setting the earlier kept kernel aside: %w", err)
		}
		fmt.Fprintf(keepNotes, "kernelext: Keep: later cells continue from %g ms; the kernel kept before, at %g ms, is set aside: "+
			"kernelext.UndoKeep(key, build) goes back to it (if this cell should not have kept its kernel, e.g. a branch).\n", now, was)
	}
	nk.state.Time = now
	if err := astro.WriteFileAtomic(nk.Path, nk.write); err != nil {
		return fmt.Errorf("kernelext: Keep: %w", err)
	}
	return nil
}

// beforeSuffix names the kept kernel that the last Keep replaced.
const beforeSuffix = ".before"

// keepNotes receives Keep's notes (a variable for tests).
var keepNotes io.Writer = os.Stdout

// UndoKeep goes back to the kernel that the last Keep replaced for key and
// build (see Keep): the next OpenKernel continues from there. It is an error
// when there is none.
func UndoKeep[T any](key any, build func() (*astro.Kernel, T, error)) error {
	head, err := newKernelHeader[T]("UndoKeep", key, build)
	if err != nil {
		return err
	}
	dir := snapshotDir()
	if dir == "" {
		return errors.New("kernelext: UndoKeep: snapshots are off (no CacheDir), nothing was kept")
	}
	path := filepath.Join(dir, head.file())
	if _, err := keptTime(path+beforeSuffix, head); err != nil {
		return fmt.Errorf("kernelext: UndoKeep: no earlier kept kernel for this key and build to go back to (%v); "+
			"kernelext.DiscardKernel(key, build) starts afresh", err)
	}
	if err := os.Rename(path+beforeSuffix, path); err != nil {
		return fmt.Errorf("kernelext: UndoKeep: %w", err)
	}
	return nil
}

// CheckTime returns nil when the kernel is at want ms, else an error that
// says where it is and how to go back: a cell that expects the state it
// kept (a trunk) calls it after OpenKernel, so that a later cell that kept
// the kernel further by mistake is explained instead of failing obscurely.
func (nk *NotebookKernel[T]) CheckTime(want float64) error {
	got := nk.Kernel.Time()
	if got == want {
		return nil
	}
	msg := fmt.Sprintf("kernelext: the kernel of this notebook is at %g ms, not %g ms", got, want)
	if !nk.Loaded || nk.Path == "" {
		return errors.New(msg)
	}
	msg += ": a cell kept it at " + fmt.Sprint(got) + " ms (a cell meant as a branch must not call Keep)"
	if was, err := keptTime(nk.Path+beforeSuffix, nk.head); err == nil {
		msg += fmt.Sprintf(". kernelext.UndoKeep(key, build) goes back to the kernel kept before, at %g ms", was)
	}
	return errors.New(msg + "; kernelext.DiscardKernel(key, build) starts afresh (key and build as given to OpenKernel)")
}

// DiscardKernel removes the kept snapshot for key and build (and the one
// UndoKeep would go back to), so that the
// next OpenKernel builds afresh. A missing snapshot is not an error.
func DiscardKernel[T any](key any, build func() (*astro.Kernel, T, error)) error {
	head, err := newKernelHeader[T]("DiscardKernel", key, build)
	if err != nil {
		return err
	}
	dir := snapshotDir()
	if dir == "" {
		return nil
	}
	for _, p := range []string{filepath.Join(dir, head.file()), filepath.Join(dir, head.file()) + beforeSuffix} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("kernelext: DiscardKernel: %w", err)
		}
	}
	return nil
}

// snapshotDir is the folder of kept kernels inside CacheDir().
func snapshotDir() string {
	if d := CacheDir(); d != "" {
		return filepath.Join(d, "snapshots")
	}
	return ""
}

func newKernelHeader[T any](who string, key any, build any) (kernelHeader, error) {
	k, err := encodeKey(who, key)
	if err != nil {
		return kernelHeader{}, err
	}
	return kernelHeader{Format: kernelFormat, Key: k, Type: typeName(reflect.TypeFor[T]()),
		Build: funcIdentity(build), Engine: astro.EngineVersion}, nil
}

func (h kernelHeader) file() string {
	s := sha256.New()
	// Length prefixes keep the fields unambiguous.
	for _, f := range [][]byte{[]byte(h.Format), h.Key, []byte(h.Type), []byte(h.Build), []byte(h.Engine)} {
		s.Write(binary.AppendUvarint(nil, uint64(len(f))))
		s.Write(f)
	}
	return hex.EncodeToString(s.Sum(nil)) + ".snap"
}

// File layout: kernelFormat and a newline, then records — the header, the
// keptState and Nodes, each gob-encoded — and the astro snapshot (which carries its own
// checksums, see astro.Load). A record is its length (uint32, little
// endian), the SHA-256 of its bytes, and the bytes.
const (
	recordLenSize = 4
	maxRecord     = 1 << 30 // bytes; far above any Nodes a notebook keeps
)

// errKept wraps the astro error kinds, so a damaged kept file is tested like
// a damaged snapshot: errors.Is(err, astro.ErrSnapshotCorrupt) or
// astro.ErrSnapshotTruncated.
func errKept(kind error, format string, a ...any) error {
	return fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, a...))
}

func (nk *NotebookKernel[T]) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(kernelFormat + "\n")
	for _, v := range nk.records() {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(v); err != nil {
			return fmt.Errorf("encoding %T: %w", v, err)
		}
		if buf.Len() > maxRecord {
			return fmt.Errorf("encoding %T: %d bytes, more than the %d a kept kernel allows", v, buf.Len(), maxRecord)
		}
		sum := sha256.Sum256(buf.Bytes())
		bw.Write(binary.LittleEndian.AppendUint32(nil, uint32(buf.Len())))
		bw.Write(sum[:])
		bw.Write(buf.Bytes())
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return nk.Kernel.Save(w)
}

// records are the values stored before the kernel, in file order.
func (nk *NotebookKernel[T]) records() []any { return []any{&nk.head, &nk.state, &nk.Nodes} }

// load reads a kept kernel of size bytes from r. Every record is checked
// against its checksum before it is decoded, and its length against the
// bytes that remain before anything is allocated; a panic while decoding
// is reported as a damaged file.
func (nk *NotebookKernel[T]) load(r io.Reader, size int64) (err error) {
	defer func() {
		if p := recover(); p != nil {
			nk.Kernel = nil
			err = errKept(astro.ErrSnapshotCorrupt, "inconsistent content (%v)", p)
		}
	}()
	br := bufio.NewReader(io.LimitReader(r, size))
	magic := make([]byte, len(kernelFormat)+1)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != kernelFormat+"\n" {
		return fmt.Errorf("%w: not a kept kernel of format %s", astro.ErrNotSnapshot, kernelFormat)
	}
	remaining := size - int64(len(magic))
	if err := readHead(br, &remaining, nk.head, &nk.state); err != nil {
		return err
	}
	if err := readRecord(br, &remaining, &nk.Nodes); err != nil {
		return fmt.Errorf("nodes record: %w", err)
	}
	k, err := astro.Load(br)
	if err != nil {
		return err
	}
	if t := k.Time(); t != nk.state.Time {
		return errKept(astro.ErrSnapshotCorrupt, "the state record says %g ms, the kernel is at %g ms", nk.state.Time, t)
	}
	budget := maxKeyValues
	if err := checkNodeIDs(reflect.ValueOf(&nk.Nodes).Elem(), k.NumNodes(), 0, &budget); err != nil {
		return errKept(astro.ErrSnapshotCorrupt, "nodes record: %v", err)
	}
	nk.Kernel = k
	return nil
}

// checkNodeIDs checks that every astro.NodeCollection in v (through the
// exported fields, elements, map values, pointers and interfaces that gob
// fills) names nodes of a kernel with n nodes, so a kept file never hands a
// cell node IDs its kernel does not have. budget bounds the values visited.
func checkNodeIDs(v reflect.Value, n, depth int, budget *int) error {
	if *budget--; *budget < 0 || depth > maxKeyDepth {
		return errors.New("too deeply nested or too large to check")
	}
	if !v.IsValid() {
		return nil
	}
	if v.Type() == nodeCollectionType {
		for _, id := range v.Interface().(astro.NodeCollection).IDs() {
			if id < 1 || id > n {
				return fmt.Errorf("node ID %d, but the kernel has nodes 1 to %d", id, n)
			}
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkNodeIDs(v.Elem(), n, depth+1, budget)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				if err := checkNodeIDs(v.Field(i), n, depth+1, budget); err != nil {
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() <= reflect.Complex128 || v.Type().Elem().Kind() == reflect.String {
			return nil // plain values hold no nodes
		}
		for i := range v.Len() {
			if err := checkNodeIDs(v.Index(i), n, depth+1, budget); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if err := checkNodeIDs(it.Value(), n, depth+1, budget); err != nil {
				return err
			}
		}
	}
	return nil
}

// readHead reads the header record, checks it against want, and reads the
// keptState record.
func readHead(br io.Reader, remaining *int64, want kernelHeader, state *keptState) error {
	var h kernelHeader
	if err := readRecord(br, remaining, &h); err != nil {
		return fmt.Errorf("header record: %w", err)
	}
	if !h.equal(want) {
		return errKept(astro.ErrSnapshotCorrupt, "it belongs to another key, build or engine (%s)", h.Build)
	}
	if err := readRecord(br, remaining, state); err != nil {
		return fmt.Errorf("state record: %w", err)
	}
	return nil
}

// keptTime reads the time (ms) of the kept kernel at path, checking its
// format and header, without loading the kernel.
func keptTime(path string, want kernelHeader) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	br := bufio.NewReader(io.LimitReader(f, st.Size()))
	magic := make([]byte, len(kernelFormat)+1)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != kernelFormat+"\n" {
		return 0, fmt.Errorf("%w: not a kept kernel of format %s", astro.ErrNotSnapshot, kernelFormat)
	}
	remaining := st.Size() - int64(len(magic))
	var state keptState
	if err := readHead(br, &remaining, want, &state); err != nil {
		return 0, err
	}
	return state.Time, nil
}

// readRecord reads one record into v (gob), checking its length against
// remaining (the bytes left in the file, updated) before allocating, and
// its checksum before decoding.
func readRecord(br io.Reader, remaining *int64, v any) error {
	var head [recordLenSize + sha256.Size]byte
	if *remaining < int64(len(head)) {
		return errKept(astro.ErrSnapshotTruncated, "the file ends before the record's length and checksum")
	}
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return errKept(astro.ErrSnapshotTruncated, "the file ends inside the record's length and checksum")
	}
	*remaining -= int64(len(head))
	n := int64(binary.LittleEndian.Uint32(head[:recordLenSize]))
	if n > *remaining {
		return errKept(astro.ErrSnapshotTruncated, "the record claims %d bytes, %d remain in the file", n, *remaining)
	}
	if n > maxRecord {
		return errKept(astro.ErrSnapshotCorrupt, "the record claims %d bytes, more than %d", n, maxRecord)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(br, buf); err != nil {
		return errKept(astro.ErrSnapshotTruncated, "the file ends inside the record")
	}
	*remaining -= n
	if sum := sha256.Sum256(buf); !bytes.Equal(sum[:], head[recordLenSize:]) {
		return errKept(astro.ErrSnapshotCorrupt, "checksum mismatch")
	}
	dec := gob.NewDecoder(bytes.NewReader(buf))
	if err := dec.Decode(v); err != nil {
		return errKept(astro.ErrSnapshotCorrupt, "%v", err)
	}
	return nil
}

// funcIdentity names a function by its name and a hash of its source text
// (the declaration or literal starting at its first line), or its name
// alone when the source cannot be read.
func funcIdentity(fn any) string {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return "<nil>"
	}
	f := runtime.FuncForPC(v.Pointer())
	if f == nil {
		return "<unknown>"
	}
	file, line := f.FileLine(f.Entry())
	src, ok := funcSource(file, line)
	if !ok {
		return f.Name() + " (source unavailable)"
	}
	sum := sha256.Sum256([]byte(src))
	return f.Name() + " " + hex.EncodeToString(sum[:12])
}

// funcSource returns the text of the function declaration or literal that
// starts on line of file (the innermost one).
func funcSource(file string, line int) (string, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", false
	}
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, file, data, parser.SkipObjectResolution)
	if err != nil {
		return "", false
	}
	var best ast.Node
	ast.Inspect(af, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			s, e := fset.Position(n.Pos()).Line, fset.Position(n.End()).Line
			if s <= line && line <= e {
				best = n // Inspect visits outer nodes first: the last is innermost
			}
		}
		return true
	})
	if best == nil {
		return "", false
	}
	tf := fset.File(best.Pos())
	return string(data[tf.Offset(best.Pos()):tf.Offset(best.End())]), true
}
