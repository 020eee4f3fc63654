package kernelext

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/astronb/astronb/astro"
)

// maxKeyDepth bounds the nesting of a key (pointers, slices, maps,
// structs, interfaces); deeper keys, e.g. a slice that contains itself, are
// rejected instead of recursing forever.
const maxKeyDepth = 256

// maxKeyValues bounds the number of values a key's encoding visits: a
// pointer shared n levels deep (a DAG) would otherwise be encoded 2^n times.
const maxKeyValues = 1 << 20

// encodeKey returns the canonical binary encoding of a key (of Cached,
// OpenKernel, anything keyed; who names the caller in errors): every
// value is written with its kind and, where needed, its length, so two keys
// have the same encoding only if they are equal values of the same types.
// Floats are encoded by their bits (so 0 and -0 differ, and an int 1 differs
// from a float64 1), maps are sorted by the encoding of their keys, struct
// fields are written with their names.
//
// A key that cannot be encoded faithfully is an error that names the
// offending type: funcs, channels and unsafe pointers, and structs with
// unexported fields (their state would be invisible to the hash, so two
// different keys would share a cache entry). Values whose type implements
// encoding.BinaryMarshaler or encoding.TextMarshaler (time.Time, big.Int, …)
// are encoded with that method, which such types define to hold their whole
// state. astro.NodeCollection is encoded by its node IDs. fmt.Stringer is
// not used: a String method is a summary (NodeCollection's names only the
// first and last ID), not an encoding. A key nested deeper than maxKeyDepth
// (a cycle) or with more than maxKeyValues values is an error, and so is a
// marshal method that panics.
func encodeKey(who string, key any) (_ []byte, err error) {
	e := keyEncoder{who: who}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kernelext: %s: the key cannot be encoded: %v", who, r)
		}
	}()
	if err := e.value(reflect.ValueOf(key), 0, "key"); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

type keyEncoder struct {
	buf    bytes.Buffer
	who    string // the caller, for errors
	values *int   // values visited so far, shared by the map entries' encoders
}

// Kind tags of the encoding.
const (
	tagInvalid byte = iota // untyped nil
	tagBool
	tagInt
	tagUint
	tagFloat
	tagComplex
	tagString
	tagSlice
	tagArray
	tagMap
	tagStruct
	tagNilPointer
	tagPointer
	tagNilInterface
	tagInterface
	tagBinary
	tagText
	tagNodes
	tagNilSlice
	tagNilMap
	tagBytes
)

var (
	binaryMarshalerType = reflect.TypeFor[encoding.BinaryMarshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	nodeCollectionType  = reflect.TypeFor[astro.NodeCollection]()
	byteType            = reflect.TypeFor[byte]()
)

func (e *keyEncoder) tag(t byte) { e.buf.WriteByte(t) }

func (e *keyEncoder) uvarint(n uint64) { e.buf.Write(binary.AppendUvarint(nil, n)) }

func (e *keyEncoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.buf.Write(b)
}

func (e *keyEncoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.buf.WriteString(s)
}

// keyError names the part of the key (path, e.g. key[2].Field) that cannot be
// encoded and why.
func (e *keyEncoder) keyError(path string, t reflect.Type, why string) error {
	return fmt.Errorf("kernelext: %s: %s (type %s) cannot be used in a key: %s", e.who, path, typeName(t), why)
}

// marshaler returns the encoding method of v's type, if it has one; types
// with pointer-receiver methods are handled through an addressable copy.
func marshaler(v reflect.Value) (any, bool) {
	t := v.Type()
	if t.Implements(binaryMarshalerType) || t.Implements(textMarshalerType) {
		return v.Interface(), true
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(binaryMarshalerType) || pt.Implements(textMarshalerType) {
		p := reflect.New(t)
		p.Elem().Set(v)
		return p.Interface(), true
	}
	return nil, false
}

func (e *keyEncoder) value(v reflect.Value, depth int, path string) error {
	if !v.IsValid() {
		e.tag(tagInvalid)
		return nil
	}
	t := v.Type()
	if e.values == nil {
		e.values = new(int)
	}
	if *e.values++; *e.values > maxKeyValues {
		return e.keyError(path, t, fmt.Sprintf("the key holds more than %d values (a structure shared or repeated many times?); "+
			"key by the parameters themselves", maxKeyValues))
	}
	if depth > maxKeyDepth {
		return e.keyError(path, t, fmt.Sprintf("nested deeper than %d levels (does it contain itself?)", maxKeyDepth))
	}
	if t == nodeCollectionType {
		e.tag(tagNodes)
		ids := v.Interface().(astro.NodeCollection).IDs()
		e.uvarint(uint64(len(ids)))
		for _, id := range ids {
			e.buf.Write(binary.AppendVarint(nil, int64(id)))
		}
		return nil
	}
	// Nil pointers are encoded as such, not through their methods (which may
	// not accept a nil receiver).
	// Interfaces are encoded by their dynamic value below.
	if t.Kind() != reflect.Interface && !(t.Kind() == reflect.Pointer && v.IsNil()) {
		if m, ok := marshaler(v); ok {
			return e.marshaled(m, t, path)
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		e.tag(tagBool)
		e.str(typeName(t))
		if v.Bool() {
			e.buf.WriteByte(1)
		} else {
			e.buf.WriteByte(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.tag(tagInt)
		e.str(typeName(t))
		e.buf.Write(binary.AppendVarint(nil, v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.tag(tagUint)
		e.str(typeName(t))
		e.uvarint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.tag(tagFloat)
		e.str(typeName(t))
		e.uvarint(math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		e.tag(tagComplex)
		e.str(typeName(t))
		c := v.Complex()
		e.uvarint(math.Float64bits(real(c)))
		e.uvarint(math.Float64bits(imag(c)))
	case reflect.String:
		e.tag(tagString)
		e.str(typeName(t))
		e.str(v.String())
	case reflect.Slice:
		if v.IsNil() {
			e.tag(tagNilSlice)
			return nil
		}
		if t.Elem() == byteType {
			// Bytes as one value: a large []byte is data, not structure.
			e.tag(tagBytes)
			e.str(typeName(t))
			e.bytes(v.Bytes())
			return nil
		}
		e.tag(tagSlice)
		return e.elems(v, depth, path)
	case reflect.Array:
		e.tag(tagArray)
		return e.elems(v, depth, path)
	case reflect.Map:
		if v.IsNil() {
			e.tag(tagNilMap)
			return nil
		}
		return e.mapValue(v, depth, path)
	case reflect.Struct:
		e.tag(tagStruct)
		e.str(typeName(t))
		e.uvarint(uint64(t.NumField()))
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				return e.keyError(path, t, fmt.Sprintf("its field %s is unexported, so it would be invisible to the cache "+
					"and different keys would share a result; use a struct with exported fields, the values themselves, "+
					"or a type implementing encoding.BinaryMarshaler", f.Name))
			}
			e.str(f.Name)
			if err := e.value(v.Field(i), depth+1, path+"."+f.Name); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			e.tag(tagNilPointer)
			return nil
		}
		e.tag(tagPointer)
		return e.value(v.Elem(), depth+1, "*"+path)
	case reflect.Interface:
		if v.IsNil() {
			e.tag(tagNilInterface)
			return nil
		}
		e.tag(tagInterface)
		e.str(typeName(v.Elem().Type()))
		return e.value(v.Elem(), depth+1, path)
	default: // Func, Chan, UnsafePointer
		return e.keyError(path, t, "a "+t.Kind().String()+" has no value that could be hashed")
	}
	return nil
}

func (e *keyEncoder) elems(v reflect.Value, depth int, path string) error {
	e.uvarint(uint64(v.Len()))
	for i := range v.Len() {
		if err := e.value(v.Index(i), depth+1, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// mapValue writes the entries sorted by the encoding of their keys, so equal
// maps encode equally whatever their iteration order.
func (e *keyEncoder) mapValue(v reflect.Value, depth int, path string) error {
	type entry struct{ k, v []byte }
	entries := make([]entry, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		ke, ve := keyEncoder{who: e.who, values: e.values}, keyEncoder{who: e.who, values: e.values}
		kp := fmt.Sprintf("%s[%v]", path, it.Key())
		if err := ke.value(it.Key(), depth+1, kp); err != nil {
			return err
		}
		if err := ve.value(it.Value(), depth+1, kp); err != nil {
			return err
		}
		entries = append(entries, entry{ke.buf.Bytes(), ve.buf.Bytes()})
	}
	// Keys that encode alike (NaNs, which a map holds as distinct keys)
	// are ordered by their values, so the order never depends on iteration.
	slices.SortFunc(entries, func(a, b entry) int {
		if c := bytes.Compare(a.k, b.k); c != 0 {
			return c
		}
		return bytes.Compare(a.v, b.v)
	})
	e.tag(tagMap)
	e.uvarint(uint64(len(entries)))
	for _, en := range entries {
		e.bytes(en.k)
		e.bytes(en.v)
	}
	return nil
}

// marshaled encodes a value through its MarshalBinary or MarshalText method.
func (e *keyEncoder) marshaled(m any, t reflect.Type, path string) error {
	if bm, ok := m.(encoding.BinaryMarshaler); ok {
		b, err := bm.MarshalBinary()
		if err != nil {
			return e.keyError(path, t, "MarshalBinary: "+err.Error())
		}
		e.tag(tagBinary)
		e.str(typeName(t))
		e.bytes(b)
		return nil
	}
	b, err := m.(encoding.TextMarshaler).MarshalText()
	if err != nil {
		return e.keyError(path, t, "MarshalText: "+err.Error())
	}
	e.tag(tagText)
	e.str(typeName(t))
	e.bytes(b)
	return nil
}
