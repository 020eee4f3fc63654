package astro

import (
	"math"
	"unsafe"
)

// This file reproduces the adaptive integrator NEST's two ODE models use:
// GSL's old gsl_odeiv API with the rkf45 stepper, the standard step-size
// control (cstd.c) and gsl_odeiv_evolve_apply (gsl/ode-initval/rkf45.c, cstd.c, evolve.c). Coefficients
// are written as the same integer quotients as in GSL and every sum is
// evaluated in GSL's order, so results agree with NEST to the last bits
// (up to 1-ulp differences between Go's and glibc's exp/log/pow).

// RKF45 stage and weight coefficients (GSL ode-initval/rkf45.c).
const (
	rkAh0 = 1.0 / 4.0
	rkAh1 = 3.0 / 8.0
	rkAh2 = 12.0 / 13.0
	rkAh3 = 1.0
	rkAh4 = 1.0 / 2.0

	rkB30 = 3.0 / 32.0
	rkB31 = 9.0 / 32.0

	rkB40 = 1932.0 / 2197.0
	rkB41 = -7200.0 / 2197.0
	rkB42 = 7296.0 / 2197.0

	rkB50 = 8341.0 / 4104.0
	rkB51 = -32832.0 / 4104.0
	rkB52 = 29440.0 / 4104.0
	rkB53 = -845.0 / 4104.0

	rkB60 = -6080.0 / 20520.0
	rkB61 = 41040.0 / 20520.0
	rkB62 = -28352.0 / 20520.0
	rkB63 = 9295.0 / 20520.0
	rkB64 = -5643.0 / 20520.0

	rkC1 = 902880.0 / 7618050.0
	rkC3 = 3953664.0 / 7618050.0
	rkC4 = 3855735.0 / 7618050.0
	rkC5 = -1371249.0 / 7618050.0
	rkC6 = 277020.0 / 7618050.0

	rkEc1 = 1.0 / 360.0
	rkEc3 = -128.0 / 4275.0
	rkEc4 = -2197.0 / 75240.0
	rkEc5 = 1.0 / 50.0
	rkEc6 = 2.0 / 55.0

	rkOrder = 5
)

// vec is the state vector of one node, a fixed-size array of any length
// from 1 to 16 (and 24, 32, 48, 64 for larger systems, which the ODE level
// pads: see ODEModel). Fixed-size arrays let the compiler specialise and
// bounds-check-free compile the stage loops per state length; only the
// lengths a program uses are compiled.
type vec interface {
	[1]float64 | [2]float64 | [3]float64 | [4]float64 | [5]float64 | [6]float64 | [7]float64 | [8]float64 |
		[9]float64 | [10]float64 | [11]float64 | [12]float64 | [13]float64 | [14]float64 | [15]float64 | [16]float64 |
		[24]float64 | [32]float64 | [48]float64 | [64]float64
}

// vecDims are the state lengths vec admits, ascending.
var vecDims = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 32, 48, 64}

// odeRHS evaluates the derivative f(y) of an autonomous system into f.
// NEST's right-hand sides ignore time, so no time argument is passed.
type odeRHS[V vec] interface {
	rhs(y, f *V)
}

// stepControl is GSL's standard control: per component
// D0 = epsRel·(aY·|y| + aDydt·|h·y'|) + epsAbs.
type stepControl struct {
	epsAbs, epsRel, aY, aDydt float64
}

// dblMin is C's DBL_MIN, the smallest normal double, GSL's floor for rmax.
const dblMin = 2.2250738585072014e-308

// rmaxGrowCap: for rmax below it, S/rmax^(1/6) exceeds 5 by a margin far
// larger than pow's rounding error, so the increase factor is exactly the
// cap 5 and pow need not be called (an exact shortcut: the result is
// identical to GSL's).
var rmaxGrowCap = math.Pow(0.9/5.0, 6) * (1 - 1e-9)

// hadjSafety is the safety factor S of GSL's std_control_hadjust.
const hadjSafety = 0.9

// smallErrorBound returns the bound T of controlStep's division-free test and
// q² = (S·hOld/hMax)². The usual outcome — every error ratio so small
// that the step grows by the capped factor 5 or beyond hMax — is decided
// without dividing: |e|/|D0| < T is implied by |e| < T·|D0|·(1−1e-12),
// whose margin dwarfs the rounding of either side; the returned bound
// includes that margin. The vector path applies the same test
// (gsl_rkf45_simd.go, trial).
func smallErrorBound(hOld, hMax float64) (bound, q2 float64) {
	q := hadjSafety * hOld / hMax
	q2 = q * q
	capped := rmaxGrowCap
	if 5*hOld > hMax*(1+1e-9) {
		capped = max(capped, q2*q2*q2*(1-1e-9))
	}
	return min(capped, 0.5) * (1 - 1e-12), q2
}

// controlStep is GSL's step-size control after a trial step of length h
// that ended at time t, towards the end t1 of the resolution step:
// std_control_hadjust (GSL cstd.c) followed by gsl_odeiv_evolve_apply's
// decision (evolve.c). If the control shrinks the step and the shorter step
// still advances t, GSL undoes the step and retries with the returned
// length (retry true); otherwise the step is accepted and the returned
// length is the next suggestion.
//
// t1 is also the longest interval the next evolveApply call can be asked
// to cover. A suggestion longer than that is only ever compared with the
// remaining interval and then replaced by it, so when the increased step
// certainly exceeds it its exact value is never observed: controlStep
// then skips pow and suggests 5·h (the largest increase), which leads to
// exactly the same steps as GSL's value.
func controlStep[V vec](c *stepControl, y, yerr, yp *V, h, t, t1 float64) (next float64, retry bool) {
	capped, q2 := smallErrorBound(h, t1)
	return controlStepBound(c, y, yerr, yp, h, t, t1, capped, q2)
}

// controlStepBound is controlStep given smallErrorBound(h, t1).
func controlStepBound[V vec](c *stepControl, y, yerr, yp *V, h, t, t1, capped, q2 float64) (next float64, retry bool) {
	const S = hadjSafety
	epsRel, aY, aDydt, epsAbs := c.epsRel, c.aY, c.aDydt, c.epsAbs
	ys := flat(unsafe.Slice(y, 1))
	es, ps := flat(unsafe.Slice(yerr, 1))[:len(ys)], flat(unsafe.Slice(yp, 1))[:len(ys)]
	small := true
	for i := range ys {
		d0 := epsRel*(aY*math.Abs(ys[i])+aDydt*math.Abs(h*ps[i])) + epsAbs
		if !(math.Abs(es[i]) < capped*math.Abs(d0)) {
			small = false
			break
		}
	}
	if small {
		return 5 * h, false
	}
	rmax := dblMin
	for i := range ys {
		d0 := epsRel*(aY*math.Abs(ys[i])+aDydt*math.Abs(h*ps[i])) + epsAbs
		r := math.Abs(es[i]) / math.Abs(d0)
		if r > rmax {
			rmax = r
		}
	}
	switch {
	case rmax > 1.1: // decrease, and retry if that still advances t
		r := S / math.Pow(rmax, 1.0/rkOrder)
		if r < 0.2 {
			r = 0.2
		}
		if next = r * h; math.Abs(next) < math.Abs(h) && t+next != t {
			return next, true
		}
		return h, false
	case rmax < 0.5: // increase
		// S/rmax^(1/6)·h > t1  ⇔  rmax < (S·h/t1)^6; the margin covers the
		// rounding of both sides.
		r := 5.0
		if rmax >= rmaxGrowCap && !(rmax < q2*q2*q2*(1-1e-9) && 5*h > t1*(1+1e-9)) {
			r = min(S/math.Pow(rmax, 1.0/(rkOrder+1.0)), 5.0)
		}
		if r < 1.0 {
			r = 1.0
		}
		return r * h, false
	}
	return h, false
}

// rkf45 holds the scratch space of one integrator; one per thread and
// model, reused for every node (no allocation in the step loop).
type rkf45[V vec] struct {
	k2, k3, k4, k5, k6 V
	ytmp, y0, yerr     V
	dydtOut            V
}

// step is GSL's rkf45_apply with dydt_in given (k1) and dydt_out requested:
// it advances y by h in place, filling yerr and dydtOut.
func (r *rkf45[V]) step(sys odeRHS[V], h float64, y, k1 *V) {
	k2, k3, k4, k5, k6, yt, ye := &r.k2, &r.k3, &r.k4, &r.k5, &r.k6, &r.ytmp, &r.yerr
	c := &rkCoef // coefficients in registers (see rkCoef)
	ah0 := c.ah0
	for i := 0; i < len(*y); i++ {
		(*yt)[i] = (*y)[i] + ah0*h*(*k1)[i]
	}
	sys.rhs(yt, k2)
	b30, b31 := c.b30, c.b31
	for i := 0; i < len(*y); i++ {
		(*yt)[i] = (*y)[i] + h*(b30*(*k1)[i]+b31*(*k2)[i])
	}
	sys.rhs(yt, k3)
	b40, b41, b42 := c.b40, c.b41, c.b42
	for i := 0; i < len(*y); i++ {
		(*yt)[i] = (*y)[i] + h*(b40*(*k1)[i]+b41*(*k2)[i]+b42*(*k3)[i])
	}
	sys.rhs(yt, k4)
	b50, b51, b52, b53 := c.b50, c.b51, c.b52, c.b53
	for i := 0; i < len(*y); i++ {
		(*yt)[i] = (*y)[i] + h*(b50*(*k1)[i]+b51*(*k2)[i]+b52*(*k3)[i]+b53*(*k4)[i])
	}
	sys.rhs(yt, k5)
	b60, b61, b62, b63, b64 := c.b60, c.b61, c.b62, c.b63, c.b64
	for i := 0; i < len(*y); i++ {
		(*yt)[i] = (*y)[i] + h*(b60*(*k1)[i]+b61*(*k2)[i]+b62*(*k3)[i]+b63*(*k4)[i]+b64*(*k5)[i])
	}
	sys.rhs(yt, k6)
	// The new state and the error estimate (rkf45_apply computes the error
	// after f(y_new), from the same stages; the order does not matter).
	c1, c3, c4, c5, c6 := c.c1, c.c3, c.c4, c.c5, c.c6
	e1, e3, e4, e5, e6 := c.ec1, c.ec3, c.ec4, c.ec5, c.ec6
	for i := 0; i < len(*y); i++ {
		di := c1*(*k1)[i] + c3*(*k3)[i] + c4*(*k4)[i] + c5*(*k5)[i] + c6*(*k6)[i]
		(*y)[i] += h * di
		(*ye)[i] = h * (e1*(*k1)[i] + e3*(*k3)[i] + e4*(*k4)[i] + e5*(*k5)[i] + e6*(*k6)[i])
	}
	sys.rhs(y, &r.dydtOut)
}

// evolveApply is gsl_odeiv_evolve_apply: it makes ONE accepted step from t
// towards t1, retrying with smaller steps while the control asks for it.
// It returns the new time; *h receives the suggested next step.
//
// dydt holds f(y) on return. GSL evaluates f(y) afresh at every call
// because the caller may change y between calls (spikes, resets); when the
// caller knows that neither y nor the inputs changed since the last call
// returned, it passes dydtValid and the stored value is reused — the same
// number GSL would compute, one evaluation saved ("first same as last").
func (r *rkf45[V]) evolveApply(sys odeRHS[V], c *stepControl, t, t1 float64, h *float64, y, dydt *V, dydtValid bool) float64 {
	t0 := t
	h0 := *h
	dt := t1 - t0
	r.y0 = *y
	if !dydtValid {
		sys.rhs(y, dydt)
	}
	for {
		final := h0 > dt
		if final {
			h0 = dt
		}
		r.step(sys, h0, y, dydt)
		if final {
			t = t1
		} else {
			t = t0 + h0
		}
		next, retry := controlStep(c, y, &r.yerr, &r.dydtOut, h0, t, t1)
		if retry {
			*y = r.y0 // undo and retry with the smaller step
			h0 = next
			continue
		}
		*h = next
		*dydt = r.dydtOut
		return t
	}
}

// lanes is the number of nodes integrated side by side. Each Runge–Kutta
// stage waits for the previous one, and the AdEx stage waits for an exp, so
// a single node keeps the CPU mostly idle; interleaving the stages of
// independent nodes lets it overlap their work. Every lane performs exactly
// the scalar algorithm's operations, so results are bit-identical.
const lanes = 4

// laneRHS evaluates the right-hand side of the lanes of a batch: rhsLane
// that of lane l, rhsLanes those of lanes 0..n-1 (f[l] = f(y[l]), one
// call per stage instead of one per lane).
type laneRHS[V vec] interface {
	rhsLane(l int, y, f *V)
	rhsLanes(n int, y, f *[lanes]V)
}

// batch integrates up to `lanes` nodes through one resolution step. The
// stage loops work on lane-contiguous copies: y0 holds the lanes' start
// states, k1 their f(y0), yn the states after the trial step, and hv each
// lane's step length repeated for every component, so each stage is one
// loop over all lanes' components (no per-lane pointers or set-up) with
// exactly the scalar step's operations per component.
type batch[V vec] struct {
	k1, k2, k3, k4, k5, k6, yt, y0, yn, yerr, out, hv [lanes]V
	h0, t                                             [lanes]float64
	final, retry                                      [lanes]bool
}

// flat returns the components of v as one slice (lane after lane).
func flat[V vec](v []V) []float64 {
	return unsafe.Slice(&v[0][0], len(v)*len(v[0]))
}

// pairs returns the components of all lanes of v, an even number, as
// consecutive pairs.
func pairs[V vec](v *[lanes]V) [][2]float64 {
	return unsafe.Slice((*[2]float64)(unsafe.Pointer(&v[0][0])), lanes*len(v[0])/2)
}

// rkCoef holds the stage coefficients as variables: loaded once before a
// stage loop they stay in registers, where constants would be reloaded
// for every component. The values are the constants'.
var rkCoef = struct {
	ah0, b30, b31, b40, b41, b42, b50, b51, b52, b53, b60, b61, b62, b63, b64 float64
	c1, c3, c4, c5, c6, ec1, ec3, ec4, ec5, ec6                               float64
}{rkAh0, rkB30, rkB31, rkB40, rkB41, rkB42, rkB50, rkB51, rkB52, rkB53, rkB60, rkB61, rkB62, rkB63, rkB64,
	rkC1, rkC3, rkC4, rkC5, rkC6, rkEc1, rkEc3, rkEc4, rkEc5, rkEc6}

// stepLanes is rkf45.step for lanes 0..n-1, stage by stage, from the
// states in y0 with f(y0) in k1 and step lengths h0: the new states go to
// yn, their f(yn) to out, the error estimates to yerr.
func (b *batch[V]) stepLanes(sys laneRHS[V], n int) {
	for l := range n {
		h, hl := b.h0[l], &b.hv[l]
		if math.Float64bits((*hl)[0]) == math.Float64bits(h) {
			continue // usually the same step as last time
		}
		for i := 0; i < len(*hl); i++ {
			(*hl)[i] = h
		}
	}
	// The loops run over all lanes' components, a number that is even
	// (lanes is), two at a time: half the loop overhead. Lanes n and above
	// hold stale values; what is computed from them is never used.
	c := &rkCoef
	y0 := pairs(&b.y0)
	m := len(y0)
	k1, hv, yt := pairs(&b.k1)[:m], pairs(&b.hv)[:m], pairs(&b.yt)[:m]
	k2, k3, k4, k5, k6 := pairs(&b.k2)[:m], pairs(&b.k3)[:m], pairs(&b.k4)[:m], pairs(&b.k5)[:m], pairs(&b.k6)[:m]
	ah0 := c.ah0
	for j := range y0 {
		yt[j][0] = y0[j][0] + ah0*hv[j][0]*k1[j][0]
		yt[j][1] = y0[j][1] + ah0*hv[j][1]*k1[j][1]
	}
	sys.rhsLanes(n, &b.yt, &b.k2)
	b30, b31 := c.b30, c.b31
	for j := range y0 {
		yt[j][0] = y0[j][0] + hv[j][0]*(b30*k1[j][0]+b31*k2[j][0])
		yt[j][1] = y0[j][1] + hv[j][1]*(b30*k1[j][1]+b31*k2[j][1])
	}
	sys.rhsLanes(n, &b.yt, &b.k3)
	b40, b41, b42 := c.b40, c.b41, c.b42
	for j := range y0 {
		yt[j][0] = y0[j][0] + hv[j][0]*(b40*k1[j][0]+b41*k2[j][0]+b42*k3[j][0])
		yt[j][1] = y0[j][1] + hv[j][1]*(b40*k1[j][1]+b41*k2[j][1]+b42*k3[j][1])
	}
	sys.rhsLanes(n, &b.yt, &b.k4)
	b50, b51, b52, b53 := c.b50, c.b51, c.b52, c.b53
	for j := range y0 {
		yt[j][0] = y0[j][0] + hv[j][0]*(b50*k1[j][0]+b51*k2[j][0]+b52*k3[j][0]+b53*k4[j][0])
		yt[j][1] = y0[j][1] + hv[j][1]*(b50*k1[j][1]+b51*k2[j][1]+b52*k3[j][1]+b53*k4[j][1])
	}
	sys.rhsLanes(n, &b.yt, &b.k5)
	b60, b61, b62, b63, b64 := c.b60, c.b61, c.b62, c.b63, c.b64
	for j := range y0 {
		yt[j][0] = y0[j][0] + hv[j][0]*(b60*k1[j][0]+b61*k2[j][0]+b62*k3[j][0]+b63*k4[j][0]+b64*k5[j][0])
		yt[j][1] = y0[j][1] + hv[j][1]*(b60*k1[j][1]+b61*k2[j][1]+b62*k3[j][1]+b63*k4[j][1]+b64*k5[j][1])
	}
	sys.rhsLanes(n, &b.yt, &b.k6)
	// The new state and the error estimate (rkf45_apply computes the error
	// after f(y_new), from the same stages; the order does not matter).
	yn, ye := pairs(&b.yn)[:m], pairs(&b.yerr)[:m]
	c1, c3, c4, c5, c6 := c.c1, c.c3, c.c4, c.c5, c.c6
	e1, e3, e4, e5, e6 := c.ec1, c.ec3, c.ec4, c.ec5, c.ec6
	for j := range y0 {
		h := hv[j][0]
		di := c1*k1[j][0] + c3*k3[j][0] + c4*k4[j][0] + c5*k5[j][0] + c6*k6[j][0]
		yn[j][0] = y0[j][0] + h*di
		ye[j][0] = h * (e1*k1[j][0] + e3*k3[j][0] + e4*k4[j][0] + e5*k5[j][0] + e6*k6[j][0])
		h1 := hv[j][1]
		di1 := c1*k1[j][1] + c3*k3[j][1] + c4*k4[j][1] + c5*k5[j][1] + c6*k6[j][1]
		yn[j][1] = y0[j][1] + h1*di1
		ye[j][1] = h1 * (e1*k1[j][1] + e3*k3[j][1] + e4*k4[j][1] + e5*k5[j][1] + e6*k6[j][1])
	}
	sys.rhsLanes(n, &b.yn, &b.out)
}

// firstSubstep makes the first evolveApply call of a resolution step
// [0, t1] for lanes 0..n-1 together: substep with every lane at t = 0.
func (b *batch[V]) firstSubstep(sys laneRHS[V], c *stepControl, t1 float64, n int, y, dydt *[lanes]*V, hs *[lanes]*float64, valid *[lanes]bool) {
	clear(b.t[:n])
	b.substep(sys, c, t1, n, y, dydt, hs, valid)
}

// substep makes one attempt of an evolveApply call towards t1 for lanes
// 0..n-1 together, each lane from its own time b.t[l] (ms) with its own
// suggestion *hs[l]. For each lane it leaves exactly the state a scalar
// evolveApply call would: either an accepted step (b.t[l] the new time,
// *hs[l] the next suggestion, *dydt[l] = f(y), b.retry[l] false) or, if GSL
// would retry with a smaller step, the unchanged y and b.t[l] with *hs[l]
// set to that smaller step and b.retry[l] true, so that the next attempt
// (substep again, or a scalar evolveApply call) continues exactly as GSL's
// retry loop would.
func (b *batch[V]) substep(sys laneRHS[V], c *stepControl, t1 float64, n int, y, dydt *[lanes]*V, hs *[lanes]*float64, valid *[lanes]bool) {
	for l := range n {
		if !valid[l] {
			sys.rhsLane(l, y[l], dydt[l])
		}
		b.y0[l], b.k1[l] = *y[l], *dydt[l]
		b.h0[l] = *hs[l]
		dt := t1 - b.t[l]
		b.final[l] = b.h0[l] > dt
		if b.final[l] {
			b.h0[l] = dt
		}
	}
	b.stepLanes(sys, n)
	finalBound, finalQ2 := smallErrorBound(t1, t1) // that of every final lane from t = 0
	for l := range n {
		t0 := b.t[l]
		t, capped, q2 := t0+b.h0[l], finalBound, finalQ2
		if b.final[l] {
			t = t1
		}
		if !b.final[l] || t0 != 0 {
			capped, q2 = smallErrorBound(b.h0[l], t1)
		}
		next, retry := controlStepBound(c, &b.yn[l], &b.yerr[l], &b.out[l], b.h0[l], t, t1, capped, q2)
		*hs[l] = next
		valid[l] = true // on a retry, dydt[l] = f(y0) is still exact
		b.retry[l] = retry
		if retry { // GSL retries with the shorter step from the unchanged y
			continue
		}
		*y[l], *dydt[l] = b.yn[l], b.out[l]
		b.t[l] = t
	}
}
