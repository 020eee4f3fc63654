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

// TestVecLoadStore moves states of every length the vector path admits,
// odd and even, into the component-major batch and back: every lane gets
// its node's components, and the store writes exactly the batch's nodes.
func TestVecLoadStore(t *testing.T) {
	testVecLoadStore[[2]float64, [vgroups * 2]f64x4](t)
	testVecLoadStore[[3]float64, [vgroups * 3]f64x4](t)
	testVecLoadStore[[5]float64, [vgroups * 5]f64x4](t)
	testVecLoadStore[[6]float64, [vgroups * 6]f64x4](t)
	testVecLoadStore[[16]float64, [vgroups * 16]f64x4](t)
}

func testVecLoadStore[V vec, S vecState](t *testing.T) {
	if !simdAvailable {
		t.Skip("no AVX2")
	}
	const i0, n = 3, vlanes + 5
	y, f := make([]V, n), make([]V, n)
	for i := range n {
		for c := range len(y[i]) {
			y[i][c], f[i][c] = float64(1000*i+c), -float64(1000*i+c)-0.5
		}
	}
	r := alignedNew[vecRKF45[S]]()
	vecLoad(r, y, f, i0)
	dim := len(y[0])
	var lanes [4]float64
	for g := range vgroups {
		for c := range dim {
			r.y[g*dim+c].Store(&lanes)
			for l := range 4 {
				if want := y[i0+4*g+l][c]; lanes[l] != want {
					t.Fatalf("dim %d: y lane %d of group %d, component %d = %g, want %g", dim, l, g, c, lanes[l], want)
				}
			}
			r.k1[g*dim+c].Store(&lanes)
			for l := range 4 {
				if want := f[i0+4*g+l][c]; lanes[l] != want {
					t.Fatalf("dim %d: f lane %d of group %d, component %d = %g, want %g", dim, l, g, c, lanes[l], want)
				}
			}
		}
	}
	y2, f2 := make([]V, n), make([]V, n)
	vecStore(r, y2, f2, i0)
	clearUpper()
	for i := range n {
		inBatch := i >= i0 && i < i0+vlanes
		for c := range dim {
			wantY, wantF := 0.0, 0.0
			if inBatch {
				wantY, wantF = y[i][c], f[i][c]
			}
			if y2[i][c] != wantY || f2[i][c] != wantF {
				t.Fatalf("dim %d: node %d component %d stored as (%g, %g), want (%g, %g)", dim, i, c, y2[i][c], f2[i][c], wantY, wantF)
			}
		}
	}
}

// TestVecColumnRows: a column's rows are the vecRKF45 arrays in field
// order, so the stage loops read and write the components they name.
func TestVecColumnRows(t *testing.T) {
	testVecColumnRows[[vgroups * 2]f64x4](t)
	testVecColumnRows[[vgroups * 3]f64x4](t)
	testVecColumnRows[[vgroups * 6]f64x4](t)
}

func testVecColumnRows[S vecState](t *testing.T) {
	r := alignedNew[vecRKF45[S]]()
	rows := []*S{&r.y, &r.k1, &r.k2, &r.k3, &r.k4, &r.k5, &r.k6, &r.yt, &r.out}
	names := []string{"y", "k1", "k2", "k3", "k4", "k5", "k6", "yt", "out"}
	if len(rows) != int(rowOut)+1 {
		t.Fatalf("%d rows named, %d arrays", rowOut+1, len(rows))
	}
	c := r.first()
	for i := range len(r.y) {
		for n, a := range rows {
			if got, want := c.row(uintptr(n)), &(*a)[i]; got != want {
				t.Fatalf("len %d: row %d of column %d is at %p, want %s[%d] at %p", len(r.y), n, i, got, names[n], i, want)
			}
		}
		c = c.next()
	}
}

// TestMarkValid: markValid sets exactly the lanes of done and keeps the
// others.
func TestMarkValid(t *testing.T) {
	for done := range 1 << vlanes {
		for _, before := range []uint16{0, 0x5A5A, 0xFFFF, uint16(done) ^ 0x8181} {
			var valid [vlanes]bool
			for l := range vlanes {
				valid[l] = before&(1<<l) != 0
			}
			markValid(&valid, uint16(done))
			for l := range vlanes {
				if want := (before|uint16(done))&(1<<l) != 0; valid[l] != want {
					t.Fatalf("done %016b, before %016b: lane %d = %v, want %v", done, before, l, valid[l], want)
				}
			}
		}
	}
}

// TestInvalidate: invalidate clears exactly the lanes set in the low 4 bits,
// in the group at off, and leaves every other lane as it was.
func TestInvalidate(t *testing.T) {
	for bits := range 1 << 8 { // the high 4 bits must be ignored
		for _, before := range []uint16{0xFFFF, 0x5A5A, 0x0F0F} {
			for off := 0; off < vlanes; off += 4 {
				var valid [vlanes]bool
				for l := range vlanes {
					valid[l] = before&(1<<l) != 0
				}
				invalidate(&valid, off, uint8(bits))
				for l := range vlanes {
					want := before&(1<<l) != 0
					if l >= off && l < off+4 && bits&(1<<(l-off)) != 0 {
						want = false
					}
					if valid[l] != want {
						t.Fatalf("bits %08b, before %016b, off %d: lane %d = %v, want %v", bits, before, off, l, valid[l], want)
					}
				}
			}
		}
	}
}
