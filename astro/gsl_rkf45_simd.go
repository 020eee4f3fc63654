//go:build goexperiment.simd && amd64

package astro

import (
	"math"
	"simd/archsimd"
	"unsafe"
)

// The vector path (GOEXPERIMENT=simd builds on amd64 CPUs with AVX2):
// rkf45 steps for sixteen nodes of one model at a time, four groups of four
// vector lanes, with the state held component-major (one vector per state
// variable and group).
//
// A node's step takes the vector route in the common case: a step
// suggestion covering the whole resolution step, and every error ratio in
// GSL's "grow by 5" range (controlStep's division-free test). Everything else
// (shorter or rejected steps, spikes, refractoriness, NaN) goes to the
// scalar code, which handles all cases: a neuron leaves its batch for the
// rest of the slice (aeifBlock.updateVector, runScalar), astrocytes (where
// it is rare) go for one step per batch.
//
// Each lane performs exactly the scalar code's operations (rkf45.step,
// controlStep, the models' right-hand sides) in the same order, without fused
// multiply-adds, so the results are bit-identical to the scalar path:
// which path a node takes (it depends on its batch, so on the thread
// partition, and on the build) never changes a number. TestSIMDMatchesScalar
// checks this on the example network.
//
// After vector code the upper halves of the AVX registers are cleared
// (VZEROUPPER): the scalar SSE code that follows would otherwise carry a
// false dependency on them, which made the whole simulation 1.4× slower.
// The Go runtime dirties them too, behind the program's back: in a
// GOEXPERIMENT=simd build an asynchronous preemption (the scheduler's, every
// 10 ms of a long-running goroutine, and the garbage collector's) saves and
// restores the full vector registers and returns without VZEROUPPER. The
// scalar code after it then ran dirty until the next clear: math.Exp (in
// math.Pow of the step control) took 440 instead of 60 ns a call, and the
// scalar path of such a build took 14.1–15.6 s for 400 ms of the example
// where a plain build took 13.1–14.0 s. So the kernel and the models'
// scalar batch loops call clearUpper once per batch (a few µs of work;
// VZEROUPPER costs about a cycle), bounding what a preemption can cost;
// TestScalarLoopsClearUpper checks that they do.
//
// For the same reason the vector stretch itself (updateVector's loop while
// the batch is in vector registers: step, trial, the right-hand sides, exp,
// accept, endOfStep, vecLoad/vecStore) must contain no legacy-SSE
// instruction that writes an XMM register: Go compiles every scalar float64
// operation (a load into X0, a multiplication, a compare) and some vector
// helpers (the count of ShiftAllRight, 16-byte array copies) to legacy SSE,
// and each such instruction, with the upper halves dirty, costs far more
// than the vector work around it (measured on an Intel Xeon family 6 model
// 207 and an AMD Zen 3: the vector path ran 3.3× and 1.7× slower than the
// scalar one). So the step's scalars (t1, the error bound, 5·t1) are
// broadcast once before the stretch (setStep), step sizes are compared and
// stored as vectors, state is copied in 16-byte pairs, as 64-bit words or
// as whole vectors, and shifts are written with constant left shifts.
// TestVectorStretchVEXOnly checks the compiled code.

type f64x4 = archsimd.Float64x4

// simdAvailable tells whether this build and CPU run the vector path.
var simdAvailable = archsimd.X86.AVX2()

// simdDisabled turns the vector path off (tests compare both paths).
var simdDisabled bool

func bc(x float64) f64x4 { return archsimd.BroadcastFloat64x4(x) }

// vecState is the state of a vector batch: vgroups groups of four nodes,
// one vector per component, group after group; at least two components
// (vecLoad moves them in pairs). A flat array keeps every
// access a constant offset from one index.
type vecState interface {
	[vgroups * 2]f64x4 | [vgroups * 3]f64x4 | [vgroups * 4]f64x4 | [vgroups * 5]f64x4 | [vgroups * 6]f64x4 |
		[vgroups * 7]f64x4 | [vgroups * 8]f64x4 | [vgroups * 9]f64x4 | [vgroups * 10]f64x4 | [vgroups * 11]f64x4 | [vgroups * 12]f64x4 |
		[vgroups * 13]f64x4 | [vgroups * 14]f64x4 | [vgroups * 15]f64x4 | [vgroups * 16]f64x4
}

// vecRHS evaluates the right-hand side f = f(y) of the vector groups
// g0 … g1−1 of a batch (group g: components g·dim … g·dim+dim−1 of y and f,
// four nodes). It reports false if a lane needs the scalar path (e.g. exp
// outside its fast range). One call covers all the groups of a stage, so
// the integrator pays one indirect call per stage.
type vecRHS[S vecState] interface {
	rhs(y, f *S, g0, g1 int) bool
}

// groupAt returns group g of v, one of a batch's arrays, as an array A
// of the group's components (e.g. [aeifDim]f64x4), and nextGroup the group
// after the group p. A right-hand side's loop over groups moves its y and
// f on with nextGroup: a pointer moved along gives every access a constant
// offset from a register (see column), while indexing the arrays by the
// group costs two more instructions per access.
func groupAt[A any, S vecState](v *S, g int) *A {
	return (*A)(unsafe.Add(unsafe.Pointer(v), uintptr(g)*unsafe.Sizeof(*new(A))))
}

func nextGroup[A any](p *A) *A { return (*A)(unsafe.Add(unsafe.Pointer(p), unsafe.Sizeof(*p))) }

// A vector batch is vgroups groups of four nodes. The groups' operations
// are independent, so interleaving them gives the CPU independent work
// while one group waits for a result (a single group leaves most of the
// vector units idle). Four groups ran the full example's simulation phase
// 4 % faster than two with one thread and 2 % with two (an Intel Xeon
// family 6 model 207, alternating runs), with the same numbers. A lane
// set (done, small, cover) has bit 4g+l for lane l of group g, so vlanes
// is at most 16, and a multiple of 8 (markValid).
const (
	vgroups = 4
	vlanes  = 4 * vgroups
)

var (
	_ [16 - vlanes]struct{}     // a lane set is a uint16
	_ = [1]struct{}{}[vlanes%8] // markValid's 8-byte stores
)

// rkVec holds the broadcast rkf45 coefficients and step-control constants.
type rkVec struct {
	b30, b31, b40, b41, b42, b50, b51, b52, b53 f64x4
	b60, b61, b62, b63, b64, c1, c3, c4, c5, c6 f64x4
	e1, e3, e4, e5, e6                          f64x4
	epsRel, aY, aDydt, epsAbs, absMask          f64x4

	// The resolution step's constants (setStep): t1 and rkAh0·t1 (ms),
	// controlStep's small-error bound for hOld = hMax = t1, and the next
	// suggestion 5·t1 (ms) of a grown step.
	h, ah, bound, fiveH f64x4
	words               [4]uint64 // scratch of laneMask and the models' single-value copies
}

func (r *rkVec) set(c *stepControl) {
	r.b30, r.b31, r.b40, r.b41, r.b42 = bc(rkB30), bc(rkB31), bc(rkB40), bc(rkB41), bc(rkB42)
	r.b50, r.b51, r.b52, r.b53 = bc(rkB50), bc(rkB51), bc(rkB52), bc(rkB53)
	r.b60, r.b61, r.b62, r.b63, r.b64 = bc(rkB60), bc(rkB61), bc(rkB62), bc(rkB63), bc(rkB64)
	r.c1, r.c3, r.c4, r.c5, r.c6 = bc(rkC1), bc(rkC3), bc(rkC4), bc(rkC5), bc(rkC6)
	r.e1, r.e3, r.e4, r.e5, r.e6 = bc(rkEc1), bc(rkEc3), bc(rkEc4), bc(rkEc5), bc(rkEc6)
	r.epsRel, r.aY, r.aDydt, r.epsAbs = bc(c.epsRel), bc(c.aY), bc(c.aDydt), bc(c.epsAbs)
	r.absMask = archsimd.BroadcastUint64x4(1<<63 - 1).AsFloat64x4()
}

// setStep broadcasts the constants of a resolution step of t1 ms; it runs
// before a vector stretch, where scalar float code costs nothing extra.
func (r *rkVec) setStep(t1 float64) {
	bound, _ := smallErrorBound(t1, t1)
	r.h, r.ah, r.bound, r.fiveH = bc(t1), bc(rkAh0*t1), bc(bound), bc(5*t1)
}

// abs is math.Abs lane-wise (clears the sign bits).
func (r *rkVec) abs(x f64x4) f64x4 {
	return x.AsUint64x4().And(r.absMask.AsUint64x4()).AsFloat64x4()
}

// vecRKF45 is the vector integrator of one thread: y and k1 = f(y) are the
// batch's state, the rest scratch. The nine arrays are consecutive fields
// of one type, in the order of the row constants (column relies on it;
// TestVecColumnRows checks it).
type vecRKF45[S vecState] struct {
	rkVec
	y, k1, k2, k3, k4, k5, k6, yt, out S
}

// The rows of a column: the arrays of vecRKF45 in field order.
const (
	rowY uintptr = iota
	rowK1
	rowK2
	rowK3
	rowK4
	rowK5
	rowK6
	rowYT
	rowOut
)

// column is one component of the batch in all nine arrays: row(n) is
// component i of the n-th array, a constant offset from component i of y.
// The stage loops move a column along the components instead of indexing
// each array by the component: Go 1.26 computes an indexed vector address
// with two extra instructions per access, which made up a third of the
// stage loops' instructions, while a pointer plus a constant offset is
// part of the load itself.
type column[S vecState] struct{ p unsafe.Pointer }

// first returns the column of component 0.
func (r *vecRKF45[S]) first() column[S] { return column[S]{unsafe.Pointer(&r.y[0])} }

func (c column[S]) row(n uintptr) *f64x4 {
	return (*f64x4)(unsafe.Add(c.p, n*unsafe.Sizeof(*new(S))))
}

func (c column[S]) next() column[S] { return column[S]{unsafe.Add(c.p, unsafe.Sizeof(f64x4{}))} }

// refresh recomputes k1 = f(y) for the lanes whose stored derivative is
// not valid (firstSubstep does the same per lane).
func (r *vecRKF45[S]) refresh(sys vecRHS[S], valid *[vlanes]bool) bool {
	dim := len(r.y) / vgroups
	for g := range vgroups {
		v := (*[4]bool)(valid[4*g : 4*g+4])
		if v[0] && v[1] && v[2] && v[3] {
			continue
		}
		if !sys.rhs(&r.y, &r.out, g, g+1) {
			return false
		}
		m := r.laneMask(v)
		for i := g * dim; i < (g+1)*dim; i++ {
			r.k1[i] = r.k1[i].Merge(r.out[i], m)
		}
	}
	return true
}

// laneMask is true for the lanes with valid[l].
func (r *rkVec) laneMask(valid *[4]bool) archsimd.Mask64x4 {
	t := &r.words // not a local array: zeroing one takes legacy-SSE stores
	for l := range 4 {
		t[l] = 0
		if valid[l] {
			t[l] = 1
		}
	}
	return archsimd.LoadUint64x4(t).AsInt64x4().Greater(archsimd.Int64x4{}) // AVX2 (FromBits needs AVX-512)
}

// trial is rkf45.step of length t1 (ms, setStep) for all lanes from (y, k1): the
// new state goes to yt and f(yt) to out, y and k1 are kept. Bit 4g+l of
// small is set if lane l of group g passed controlStep's division-free "small"
// test with hOld = hMax = t1, i.e. if GSL accepts that lane's step and
// suggests 5·t1 next. ok is false if a right-hand side refused.
func (r *vecRKF45[S]) trial(sys vecRHS[S]) (small uint16, ok bool) {
	dim := len(r.y) / vgroups
	rhs := func(k *S) bool { return sys.rhs(&r.yt, k, 0, vgroups) }
	// Each stage is one loop over the columns, with its coefficients in
	// registers; each lane computes rkf45.step's expressions.
	h, ah := r.h, r.ah
	c := r.first()
	for range len(r.y) {
		*c.row(rowYT) = c.row(rowY).Add(ah.Mul(*c.row(rowK1)))
		c = c.next()
	}
	if !rhs(&r.k2) {
		return 0, false
	}
	b30, b31 := r.b30, r.b31
	c = r.first()
	for range len(r.y) {
		*c.row(rowYT) = c.row(rowY).Add(h.Mul(b30.Mul(*c.row(rowK1)).Add(b31.Mul(*c.row(rowK2)))))
		c = c.next()
	}
	if !rhs(&r.k3) {
		return 0, false
	}
	b40, b41, b42 := r.b40, r.b41, r.b42
	c = r.first()
	for range len(r.y) {
		*c.row(rowYT) = c.row(rowY).Add(h.Mul(b40.Mul(*c.row(rowK1)).Add(b41.Mul(*c.row(rowK2))).Add(b42.Mul(*c.row(rowK3)))))
		c = c.next()
	}
	if !rhs(&r.k4) {
		return 0, false
	}
	b50, b51, b52, b53 := r.b50, r.b51, r.b52, r.b53
	c = r.first()
	for range len(r.y) {
		*c.row(rowYT) = c.row(rowY).Add(h.Mul(b50.Mul(*c.row(rowK1)).Add(b51.Mul(*c.row(rowK2))).Add(b52.Mul(*c.row(rowK3))).Add(b53.Mul(*c.row(rowK4)))))
		c = c.next()
	}
	if !rhs(&r.k5) {
		return 0, false
	}
	b60, b61, b62, b63, b64 := r.b60, r.b61, r.b62, r.b63, r.b64
	c = r.first()
	for range len(r.y) {
		*c.row(rowYT) = c.row(rowY).Add(h.Mul(b60.Mul(*c.row(rowK1)).Add(b61.Mul(*c.row(rowK2))).Add(b62.Mul(*c.row(rowK3))).Add(b63.Mul(*c.row(rowK4))).Add(b64.Mul(*c.row(rowK5)))))
		c = c.next()
	}
	if !rhs(&r.k6) {
		return 0, false
	}
	c1, c3, c4, c5, c6 := r.c1, r.c3, r.c4, r.c5, r.c6
	c = r.first()
	for range len(r.y) {
		di := c1.Mul(*c.row(rowK1)).Add(c3.Mul(*c.row(rowK3))).Add(c4.Mul(*c.row(rowK4))).Add(c5.Mul(*c.row(rowK5))).Add(c6.Mul(*c.row(rowK6)))
		*c.row(rowYT) = c.row(rowY).Add(h.Mul(di))
		c = c.next()
	}
	if !rhs(&r.out) {
		return 0, false
	}

	// controlStep's division-free test, with h = t1.
	e1, e3, e4, e5, e6 := r.e1, r.e3, r.e4, r.e5, r.e6
	c = r.first()
	for g := range vgroups {
		var m archsimd.Mask64x4
		for i := range dim {
			yerr := h.Mul(e1.Mul(*c.row(rowK1)).Add(e3.Mul(*c.row(rowK3))).Add(e4.Mul(*c.row(rowK4))).Add(e5.Mul(*c.row(rowK5))).Add(e6.Mul(*c.row(rowK6))))
			d0 := r.epsRel.Mul(r.aY.Mul(r.abs(*c.row(rowYT))).Add(r.aDydt.Mul(r.abs(h.Mul(*c.row(rowOut)))))).Add(r.epsAbs)
			mi := r.abs(yerr).Less(r.bound.Mul(r.abs(d0)))
			if i == 0 {
				m = mi
			} else {
				m = m.And(mi)
			}
			c = c.next()
		}
		small |= uint16(m.ToBits()) << (4 * g)
	}
	return small, true
}

// accept makes the trial step the batch's state, for the lanes whose bit
// is set in done (bit 4g+l: lane l of group g).
func (r *vecRKF45[S]) accept(done uint16) {
	if done == 1<<vlanes-1 {
		c := r.first()
		for range len(r.y) { // not r.y = r.yt: Go copies arrays with legacy-SSE MOVUPS
			*c.row(rowY), *c.row(rowK1) = *c.row(rowYT), *c.row(rowOut)
			c = c.next()
		}
		return
	}
	dim := len(r.y) / vgroups
	c := r.first()
	for g := range vgroups {
		m := bitsMask(uint8(done >> (4 * g)))
		for range dim {
			*c.row(rowY) = c.row(rowYT).Merge(*c.row(rowY), m)
			*c.row(rowK1) = c.row(rowOut).Merge(*c.row(rowK1), m)
			c = c.next()
		}
	}
}

// markValid sets valid[l] for the lanes l whose bit is set in done, one
// 8-byte store per eight lanes.
func markValid(valid *[vlanes]bool, done uint16) {
	w := (*[vlanes / 8]uint64)(unsafe.Pointer(valid))
	for i := range w {
		w[i] |= laneTrue[uint8(done>>(8*i))]
	}
}

// laneTrue[b] holds, as the bytes of an [8]bool, true for each bit set in
// b.
var laneTrue = func() (t [1 << 8]uint64) {
	for b := range t {
		for l := range 8 {
			if b&(1<<l) != 0 {
				t[b] |= 1 << (8 * l)
			}
		}
	}
	return t
}()

// laneBits are the four lanes' bits, for bitsMask.
var laneBits = [4]uint64{1, 2, 4, 8}

// bitsMask is the mask of the lanes whose bit is set in the low 4 bits of
// b (AVX2; Mask64x4FromBits needs AVX-512).
func bitsMask(b uint8) archsimd.Mask64x4 {
	lb := archsimd.LoadUint64x4(&laneBits)
	return archsimd.BroadcastUint64x4(uint64(b)).And(lb).Equal(lb)
}

// f64Words is v as 64-bit words: the vector stretch copies single values
// through integer registers (see the file comment).
func f64Words(v []float64) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}

// The state moves between the nodes (node-major: component c of node l at
// xs[l·dim+c]) and the vector batch (component-major) two components at a
// time: one 16-byte load or store per node and two shuffles per pair of
// components, all VEX-encoded (see the file comment). A state of odd
// length takes its last component with the pair (dim−2, dim−1), so the
// state has at least two components (vecState).

// pairIn returns components c and c+1 of the four nodes starting at xs.
func pairIn(xs []float64, dim, c int) (f64x4, f64x4) {
	p := func(l int) archsimd.Float64x2 {
		return archsimd.LoadFloat64x2((*[2]float64)(xs[l*dim+c : l*dim+c+2]))
	}
	return unzipPairs(p(0), p(1), p(2), p(3))
}

// unzipPairs returns the first and the second elements of four pairs as
// two vectors: (x0[0], x1[0], x2[0], x3[0]) and (x0[1], x1[1], x2[1], x3[1]).
func unzipPairs(x0, x1, x2, x3 archsimd.Float64x2) (first, second f64x4) {
	a := f64x4{}.SetLo(x0).SetHi(x2)
	b := f64x4{}.SetLo(x1).SetHi(x3)
	return a.SelectFromPairGrouped(0, 2, b), a.SelectFromPairGrouped(1, 3, b)
}

// pairOut stores components c (u) and c+1 (v) of the four nodes starting
// at xs.
func pairOut(xs []float64, dim, c int, u, v f64x4) {
	a := u.SelectFromPairGrouped(0, 2, v) // (node 0: c, c+1; node 2: c, c+1)
	b := u.SelectFromPairGrouped(1, 3, v) // (node 1: c, c+1; node 3: c, c+1)
	a.GetLo().Store((*[2]float64)(xs[c : c+2]))
	b.GetLo().Store((*[2]float64)(xs[dim+c : dim+c+2]))
	a.GetHi().Store((*[2]float64)(xs[2*dim+c : 2*dim+c+2]))
	b.GetHi().Store((*[2]float64)(xs[3*dim+c : 3*dim+c+2]))
}

// vecLoad copies y and f(y) of nodes i0..i0+vlanes-1 into the vector
// state.
func vecLoad[V vec, S vecState](r *vecRKF45[S], y, dydt []V, i0 int) {
	dim := len(r.y) / vgroups
	ys, fs := flat(y[i0:i0+vlanes]), flat(dydt[i0:i0+vlanes])
	for g := range vgroups {
		yg, fg, o := ys[4*g*dim:], fs[4*g*dim:], g*dim
		for c := 0; c < dim; c += 2 {
			c = min(c, dim-2) // odd dim: the last pair overlaps the one before
			r.y[o+c], r.y[o+c+1] = pairIn(yg, dim, c)
			r.k1[o+c], r.k1[o+c+1] = pairIn(fg, dim, c)
		}
	}
}

// vecStore copies the vector state back to nodes i0..i0+vlanes-1.
func vecStore[V vec, S vecState](r *vecRKF45[S], y, dydt []V, i0 int) {
	dim := len(r.y) / vgroups
	ys, fs := flat(y[i0:i0+vlanes]), flat(dydt[i0:i0+vlanes])
	for g := range vgroups {
		yg, fg, o := ys[4*g*dim:], fs[4*g*dim:], g*dim
		for c := 0; c < dim; c += 2 {
			c = min(c, dim-2)
			pairOut(yg, dim, c, r.y[o+c], r.y[o+c+1])
			pairOut(fg, dim, c, r.k1[o+c], r.k1[o+c+1])
		}
	}
}

// takeVec is RingBuffer.take for nodes i0..i0+3 (adjacent in a slot) of
// the slot starting at base (RingBuffer.base), or for the lanes in m only
// if all is false: the other lanes read 0 and keep their value.
func takeVec(r *RingBuffer, base int64, i0 int, all bool, m archsimd.Mask64x4) f64x4 {
	j := base + int64(i0)
	v := (*[4]float64)(r.v[j : j+4])
	if all {
		x := archsimd.LoadFloat64x4(v)
		archsimd.Float64x4{}.Store(v)
		return x
	}
	x := archsimd.LoadFloat64x4(v).Masked(m)
	archsimd.Float64x4{}.StoreMasked(v, m)
	return x
}

// touchSlots reads the ring buffer words of nodes i0 and i0+vlanes−1 at the
// steps origin+from … origin+to−1 and returns them combined. A batch's
// update takes those slots one step after another, each step behind a long
// chain of arithmetic, and the slots lie one ring row apart, so each take
// would wait for memory; reading them all first, independently, overlaps
// those waits. The result only keeps the reads from being dropped.
func touchSlots(r *RingBuffer, origin int64, from, to, i0 int) (x uint64) {
	for lag := from; lag < to; lag++ {
		j := r.base(origin+int64(lag)) + int64(i0)
		x |= math.Float64bits(r.v[j]) | math.Float64bits(r.v[j+vlanes-1])
	}
	return x
}

// hStepsCover returns the lanes (bit l: node i0+l) whose step suggestion
// covers the resolution step (hs[i] >= t1, setStep).
func (r *rkVec) hStepsCover(hs []float64, i0 int) (cover uint16) {
	for g := range vgroups {
		j := i0 + 4*g
		cover |= uint16(archsimd.LoadFloat64x4((*[4]float64)(hs[j:j+4])).GreaterEqual(r.h).ToBits()) << (4 * g)
	}
	return cover
}

// grown sets the step suggestion of the lanes in done (bit l: node i0+l)
// to 5·t1, as controlStep does for a grown step.
func (r *rkVec) grown(hs []float64, i0 int, done uint16) {
	for g := range vgroups {
		j := i0 + 4*g
		r.fiveH.StoreMasked((*[4]float64)(hs[j:j+4]), bitsMask(uint8(done>>(4*g))))
	}
}

// scalarLanes returns, for the vector batch starting at i0, the pointer
// arrays the scalar batch code takes, for each group of four.
func scalarLanes[V vec](y, dydt []V, hs []float64, i0 int) (ys, dydts [vgroups][lanes]*V, hss [vgroups][lanes]*float64) {
	for g := range vgroups {
		for l := range lanes {
			i := i0 + 4*g + l
			ys[g][l], dydts[g][l], hss[g][l] = &y[i], &dydt[i], &hs[i]
		}
	}
	return
}

// clearUpper ends a stretch of vector code, and starts a batch of scalar
// work in a clean state whatever ran before (see the file comment).
func clearUpper() { archsimd.ClearAVXUpperBits() }
