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

	head kernelHeader
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
			if err := nk.load(f); err != nil {
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
func (nk *NotebookKernel[T]) Keep() error {
	if nk.Path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(nk.Path), 0o755); err != nil {
		return fmt.Errorf("kernelext: Keep: %w", err)
	}
	if err := astro.WriteFileAtomic(nk.Path, nk.write); err != nil {
		return fmt.Errorf("kernelext: Keep: %w", err)
	}
	return nil
}

// DiscardKernel removes the kept snapshot for key and build, so that the
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
	if err := os.Remove(filepath.Join(dir, head.file())); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("kernelext: DiscardKernel: %w", err)
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

// File layout: kernelFormat, a newline, then two length-prefixed (uint32)
// gob records — the header and Nodes — and the astro snapshot.
func (nk *NotebookKernel[T]) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(kernelFormat + "\n")
	for _, v := range []any{nk.head, &nk.Nodes} {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(v); err != nil {
			return fmt.Errorf("encoding %T: %w", v, err)
		}
		binary.Write(bw, binary.LittleEndian, uint32(buf.Len()))
		bw.Write(buf.Bytes())
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return nk.Kernel.Save(w)
}

func (nk *NotebookKernel[T]) load(r io.Reader) error {
	br := bufio.NewReader(r)
	line, err := br.ReadString('\n')
	if err != nil || line != kernelFormat+"\n" {
		return fmt.Errorf("not a kept kernel of format %s", kernelFormat)
	}
	record := func(v any) error {
		var n uint32
		if err := binary.Read(br, binary.LittleEndian, &n); err != nil {
			return fmt.Errorf("truncated")
		}
		if n > 1<<30 {
			return fmt.Errorf("corrupted (a record of %d bytes)", n)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(br, buf); err != nil {
			return fmt.Errorf("truncated")
		}
		return gob.NewDecoder(bytes.NewReader(buf)).Decode(v)
	}
	var h kernelHeader
	if err := record(&h); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if !h.equal(nk.head) {
		return fmt.Errorf("it belongs to another key or build (%s)", h.Build)
	}
	if err := record(&nk.Nodes); err != nil {
		return fmt.Errorf("nodes: %w", err)
	}
	k, err := astro.Load(br)
	if err != nil {
		return err
	}
	nk.Kernel = k
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
