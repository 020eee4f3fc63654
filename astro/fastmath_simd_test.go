//go:build goexperiment.simd && amd64

package astro

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"simd/archsimd"
	"testing"
	"unsafe"
)

// TestVecMath: the vector exp and log give, lane by lane, exactly the
// scalar expFast and math.Log (the functions the scalar path calls), over
// the ranges the models use and beyond.
func TestVecMath(t *testing.T) {
	if !simdAvailable {
		t.Skip("no AVX2")
	}
	var m vecMath
	m.set()
	rng := rand.New(rand.NewPCG(1, 2))
	var x, got [4]float64
	for n := 0; n < 400000; n++ {
		for l := range 4 {
			switch n % 4 {
			case 0:
				x[l] = rng.Float64()*1398 - 699 // expFast's whole table range
			case 1:
				x[l] = rng.NormFloat64() * 3 // AdEx's usual arguments
			case 2:
				x[l] = 1 + rng.Float64()*1000 // SIC arguments, > 1
			default:
				x[l] = math.Exp(rng.Float64()*1400 - 700) // every exponent
			}
		}
		v := archsimd.LoadFloat64x4(&x)
		if n%4 < 2 {
			e, ok := m.exp(v)
			if !ok {
				t.Fatalf("exp refused %v", x)
			}
			e.Store(&got)
			for l := range 4 {
				if want := expFast(x[l]); math.Float64bits(got[l]) != math.Float64bits(want) {
					t.Fatalf("exp(%v): vector %v, scalar %v", x[l], got[l], want)
				}
			}
		} else {
			m.log(v).Store(&got)
			for l := range 4 {
				if want := math.Log(x[l]); math.Float64bits(got[l]) != math.Float64bits(want) {
					t.Fatalf("log(%v): vector %v, math.Log %v", x[l], got[l], want)
				}
			}
		}
	}
	x = [4]float64{-800, 0, 1, 2}
	if _, ok := m.exp(archsimd.LoadFloat64x4(&x)); ok {
		t.Error("exp accepted -800 (outside the table range)")
	}
}

// TestAlignedNew: the vector states alignedNew places hold no pointers
// (its memory is not scanned by the garbage collector), every vector in
// them sits at a multiple of 32 bytes, and the states start at 64-byte
// boundaries — so no vector straddles two cache lines.
func TestAlignedNew(t *testing.T) {
	vec := reflect.TypeFor[archsimd.Float64x4]()
	var walk func(tp reflect.Type, off uintptr, path string)
	walk = func(tp reflect.Type, off uintptr, path string) {
		switch tp.Kind() {
		case reflect.Struct:
			if tp == vec && off%32 != 0 {
				t.Errorf("%s: vector at offset %d, not a multiple of 32", path, off)
			}
			for i := range tp.NumField() {
				f := tp.Field(i)
				walk(f.Type, off+f.Offset, path+"."+f.Name)
			}
		case reflect.Array:
			for i := range tp.Len() {
				walk(tp.Elem(), off+uintptr(i)*tp.Elem().Size(), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface,
			reflect.Func, reflect.Chan, reflect.UnsafePointer:
			t.Errorf("%s: %s holds a pointer", path, tp)
		}
	}
	walk(reflect.TypeFor[aeifVecSys](), 0, "aeifVecSys")
	walk(reflect.TypeFor[astroVecSys](), 0, "astroVecSys")
	for range 20 {
		a, s := alignedNew[aeifVecSys](), alignedNew[astroVecSys]()
		if p := uintptr(unsafe.Pointer(a)); p%64 != 0 {
			t.Fatalf("aeifVecSys at %#x", p)
		}
		if p := uintptr(unsafe.Pointer(s)); p%64 != 0 {
			t.Fatalf("astroVecSys at %#x", p)
		}
	}
}
