package astro

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Dict is NEST's parameter dictionary: NEST parameter names (e.g.
// "tau_syn_ex", "V_m", "pool_type") mapped to values, in NEST's units (the
// units of the struct field each name tags; see the parameter structs).
//
// Every exported field of the parameter structs (models, synapses, devices,
// connection rules, KernelConfig) carries its NEST name in a struct tag,
// e.g. `nest:"tau_syn_ex"`, so both p.TauSynEx = 2 and
// SetParams(&p, Dict{"tau_syn_ex": 2.0}) work.
type Dict map[string]any

// SetParams sets the fields of the parameter struct dst points to by NEST
// name (NEST's SetDefaults / a params dictionary passed to Create), e.g.
//
//	p := astro.DefaultAeifCondAlphaAstro()
//	err := astro.SetParams(&p, astro.Dict{"tau_syn_ex": 2.0, "tau_syn_in": 4.0})
//
// Accepted values: any Go number for float fields (float64, int, int64, …);
// integers, or floats with an integral value, for int and uint64 fields;
// bool for bool fields; a string naming an allowed value for enums
// ("random" or "block" for pool_type); a slice of numbers for []float64
// and []int fields and of strings for []string fields (the slice is
// copied). An unknown name or a value of the wrong type is an error naming
// the model and the parameter, and dst is then unchanged. Ranges are not
// checked here: Create, Connect and SetStatus do that with NEST's rules.
func SetParams(dst any, d Dict) error {
	if l, ok := dst.(listedDict); ok {
		return l.setDict(d)
	}
	rv := reflect.ValueOf(dst)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("SetParams: dst must be a non-nil pointer to a parameter struct, got %T", dst)
	}
	target := rv.Elem()
	owner := paramsOwner(target)
	fields := nestFields(target.Type())
	if len(d) == 0 {
		return nil
	}
	if len(fields.names) == 0 {
		return fmt.Errorf("%s: has no parameters (got %s)", owner, strings.Join(slices.Sorted(maps.Keys(d)), ", "))
	}
	tmp := reflect.New(target.Type()).Elem()
	tmp.Set(target)
	for _, name := range slices.Sorted(maps.Keys(d)) {
		idx, ok := fields.index[name]
		if !ok {
			return unknownParam(owner, name, fields.names)
		}
		if err := assignParam(tmp.FieldByIndex(idx), d[name]); err != nil {
			return fmt.Errorf("%s: parameter %s: %v", owner, name, err)
		}
	}
	target.Set(tmp)
	return nil
}

// GetParams returns all NEST-named fields of a parameter struct (or a
// pointer to one) by NEST name (NEST's GetDefaults / GetStatus). Floats are
// float64, ints int, rng_seed uint64, enums their NEST string, and slices
// are copies. It returns nil if src is not a struct or a pointer to one.
func GetParams(src any) Dict {
	if l, ok := src.(interface{ dict() Dict }); ok {
		return l.dict()
	}
	rv := reflect.ValueOf(src)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return nil
	}
	fields := nestFields(rv.Type())
	d := make(Dict, len(fields.names))
	for i, name := range fields.names {
		d[name] = exportParam(rv.FieldByIndex(fields.order[i]))
	}
	return d
}

// ParamNames returns the NEST names of a parameter struct's fields (or a
// pointer to one) in field order, the fields of embedded structs (a
// model's parameters and state) included; nil if v is not such a struct.
func ParamNames(v any) []string {
	if l, ok := v.(interface{ paramNames() []string }); ok {
		return l.paramNames()
	}
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	return slices.Clone(nestFields(t).names)
}

// nestEnum is implemented by string types with a fixed set of NEST values.
type nestEnum interface{ nestValues() []string }

func (PoolType) nestValues() []string { return []string{string(PoolRandom), string(PoolBlock)} }

// fieldSet lists the NEST-named fields of a struct type. Fields of
// embedded structs count as the struct's own (a model's parameters and its
// initial state are two embedded structs), in field order.
type fieldSet struct {
	names []string         // in field order
	order [][]int          // field index path of names[i]
	index map[string][]int // NEST name -> field index path
}

var fieldCache sync.Map // reflect.Type -> *fieldSet

func nestFields(t reflect.Type) *fieldSet {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{index: map[string][]int{}}
	var walk func(t reflect.Type, path []int)
	walk = func(t reflect.Type, path []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			at := append(slices.Clone(path), i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("nest") == "" {
				walk(f.Type, at)
				continue
			}
			name := f.Tag.Get("nest")
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			fs.names = append(fs.names, name)
			fs.order = append(fs.order, at)
			fs.index[name] = at
		}
	}
	walk(t, nil)
	fieldCache.Store(t, fs)
	return fs
}

// paramsOwner names the model, synapse, rule or settings a struct holds
// the parameters of, for error messages.
func paramsOwner(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case Model:
		return x.ModelName()
	case Synapse:
		return x.SynapseModel()
	case ConnRule:
		return x.RuleName()
	case KernelConfig:
		return "kernel"
	case TripartiteBernoulliWithPool:
		return x.RuleName()
	case ThirdFactorBernoulliWithPool:
		return "third_factor_bernoulli_with_pool"
	}
	return v.Type().Name()
}

func unknownParam(owner, name string, valid []string) error {
	hint := ""
	for _, v := range valid {
		if strings.EqualFold(v, name) {
			hint = fmt.Sprintf("; did you mean %q?", v)
			break
		}
	}
	return fmt.Errorf("%s: unknown parameter %q%s (valid: %s)", owner, name, hint, strings.Join(valid, ", "))
}

// assignParam stores v in the field dst, converting as SetParams documents.
func assignParam(dst reflect.Value, v any) error {
	x := reflect.ValueOf(v)
	if dst.Kind() != reflect.Slice {
		return assignScalar(dst, x)
	}
	if x.IsValid() && x.Kind() == reflect.Slice && x.IsNil() {
		dst.SetZero()
		return nil
	}
	if !x.IsValid() || (x.Kind() != reflect.Slice && x.Kind() != reflect.Array) {
		return fmt.Errorf("got %s, want %s", describeValue(x), wantOf(dst.Type()))
	}
	out := reflect.MakeSlice(dst.Type(), x.Len(), x.Len())
	for i := range x.Len() {
		if err := assignScalar(out.Index(i), x.Index(i)); err != nil {
			return fmt.Errorf("element %d: %v", i, err)
		}
	}
	dst.Set(out)
	return nil
}

// assignScalar stores x in dst (a float, int, uint, bool or string field).
func assignScalar(dst, x reflect.Value) error {
	for x.IsValid() && x.Kind() == reflect.Interface {
		x = x.Elem()
	}
	bad := func(why string) error {
		if why != "" {
			why = " (" + why + ")"
		}
		return fmt.Errorf("got %s%s, want %s", describeValue(x), why, wantOf(dst.Type()))
	}
	if !x.IsValid() {
		return bad("")
	}
	switch dst.Kind() {
	case reflect.Float64, reflect.Float32:
		switch {
		case isInt(x):
			dst.SetFloat(float64(x.Int()))
		case isUint(x):
			dst.SetFloat(float64(x.Uint()))
		case isFloat(x):
			dst.SetFloat(x.Float())
		default:
			return bad("")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		switch {
		case isInt(x):
			i = x.Int()
		case isUint(x):
			if x.Uint() > math.MaxInt64 {
				return bad("out of range")
			}
			i = int64(x.Uint())
		case isFloat(x):
			f := x.Float()
			if f != math.Trunc(f) || math.IsInf(f, 0) {
				return bad("not an integer")
			}
			if f < math.MinInt64 || f >= math.MaxInt64 {
				return bad("out of range")
			}
			i = int64(f)
		default:
			return bad("")
		}
		if dst.OverflowInt(i) {
			return bad("out of range")
		}
		dst.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var u uint64
		switch {
		case isInt(x):
			if x.Int() < 0 {
				return bad("negative")
			}
			u = uint64(x.Int())
		case isUint(x):
			u = x.Uint()
		case isFloat(x):
			f := x.Float()
			if f != math.Trunc(f) || math.IsInf(f, 0) {
				return bad("not an integer")
			}
			if f < 0 || f >= math.MaxUint64 {
				return bad("out of range")
			}
			u = uint64(f)
		default:
			return bad("")
		}
		if dst.OverflowUint(u) {
			return bad("out of range")
		}
		dst.SetUint(u)
	case reflect.Bool:
		if x.Kind() != reflect.Bool {
			return bad("")
		}
		dst.SetBool(x.Bool())
	case reflect.String:
		if x.Kind() != reflect.String {
			return bad("")
		}
		s := x.String()
		if e, ok := dst.Interface().(nestEnum); ok && !slices.Contains(e.nestValues(), s) {
			return bad("")
		}
		dst.SetString(s)
	default:
		return fmt.Errorf("field type %s is not supported", dst.Type())
	}
	return nil
}

func isInt(x reflect.Value) bool {
	switch x.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

func isUint(x reflect.Value) bool {
	switch x.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

func isFloat(x reflect.Value) bool { return x.Kind() == reflect.Float64 || x.Kind() == reflect.Float32 }

// wantOf describes the values a field of type t accepts.
func wantOf(t reflect.Type) string {
	if e, ok := reflect.Zero(t).Interface().(nestEnum); ok {
		return "one of " + quoteAll(e.nestValues())
	}
	switch t.Kind() {
	case reflect.Float64, reflect.Float32:
		return "a number (" + t.String() + ")"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer (" + t.String() + ")"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer (" + t.String() + ")"
	case reflect.Bool:
		return "a bool"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		switch t.Elem().Kind() {
		case reflect.Float64, reflect.Float32:
			return "a list of numbers (" + t.String() + ")"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return "a list of integers (" + t.String() + ")"
		case reflect.String:
			return "a list of strings (" + t.String() + ")"
		}
	}
	return t.String()
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// describeValue renders a value with its Go type for error messages.
func describeValue(x reflect.Value) string {
	if !x.IsValid() {
		return "nil"
	}
	if x.Kind() == reflect.String {
		return fmt.Sprintf("%s %q", x.Type(), x.String())
	}
	s := fmt.Sprintf("%v", x.Interface())
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return fmt.Sprintf("%s %s", x.Type(), s)
}

// exportParam converts a field to the value GetParams reports.
func exportParam(f reflect.Value) any {
	switch f.Kind() {
	case reflect.Float64, reflect.Float32:
		return f.Float()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(f.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return f.Uint()
	case reflect.Bool:
		return f.Bool()
	case reflect.String:
		return f.String()
	case reflect.Slice:
		if f.IsNil() {
			return f.Interface()
		}
		out := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
		reflect.Copy(out, f)
		return out.Interface()
	}
	return f.Interface()
}

// listedDict is implemented by pointers to models whose parameters are a
// list rather than NEST-tagged struct fields (ODEModel); their values
// have dict() and paramNames() for GetParams and ParamNames.
type listedDict interface {
	setDict(d Dict) error
}

// checkFinite reports a non-finite parameter.
func checkFinite(model, name string, v float64, unit string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: %s = %g%s: must be finite", model, name, v, unit)
	}
	return nil
}
