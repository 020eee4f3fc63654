package astro

import "math"

// This file reproduces the adaptive integrator NEST's two ODE models use:
// GSL's old gsl_odeiv API with the rkf45 stepper, the standard step-size
// control (cstd.c) and gsl_odeiv_evolve_apply (spec section 12). Coefficients
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

// odeRHS evaluates the derivative f(y) of an autonomous system into f.
// NEST's right-hand sides ignore time, so no time argument is passed.
type odeRHS interface {
	rhs(y, f []float64)
}

// stepControl is GSL's standard control: per component
// D0 = epsRel·(aY·|y| + aDydt·|h·y'|) + epsAbs.
type stepControl struct {
	epsAbs, epsRel, aY, aDydt float64
}

// Step-size adjustment results of GSL's hadjust.
const (
	hadjNil = 0
	hadjDec = -1
	hadjInc = 1
)

// hadjust implements std_control_hadjust (GSL cstd.c). It may change *h.
func (c *stepControl) hadjust(y, yerr, yp []float64, h *float64) int {
	const S = 0.9
	hOld := *h
	rmax := dblMin
	for i := range y {
		d0 := c.epsRel*(c.aY*math.Abs(y[i])+c.aDydt*math.Abs(hOld*yp[i])) + c.epsAbs
		r := math.Abs(yerr[i]) / math.Abs(d0)
		if r > rmax {
			rmax = r
		}
	}
	switch {
	case rmax > 1.1:
		r := S / math.Pow(rmax, 1.0/rkOrder)
		if r < 0.2 {
			r = 0.2
		}
		*h = r * hOld
		return hadjDec
	case rmax < 0.5:
		r := S / math.Pow(rmax, 1.0/(rkOrder+1.0))
		if r > 5.0 {
			r = 5.0
		}
		if r < 1.0 {
			r = 1.0
		}
		*h = r * hOld
		return hadjInc
	}
	return hadjNil
}

// dblMin is C's DBL_MIN, the smallest normal double, GSL's floor for rmax.
const dblMin = 2.2250738585072014e-308

// rkf45 holds the scratch space of one integrator; one per thread and model
// dimension, reused for every node (no allocation in the step loop).
type rkf45 struct {
	k1, k2, k3, k4, k5, k6 []float64
	ytmp, y0, yerr, dydtIn []float64
	dydtOut                []float64
}

func newRKF45(dim int) *rkf45 {
	buf := make([]float64, 11*dim)
	s := func(i int) []float64 { return buf[i*dim : (i+1)*dim : (i+1)*dim] }
	return &rkf45{k1: s(0), k2: s(1), k3: s(2), k4: s(3), k5: s(4), k6: s(5),
		ytmp: s(6), y0: s(7), yerr: s(8), dydtIn: s(9), dydtOut: s(10)}
}

// step is gsl rkf45_apply with dydt_in given (k1 = dydtIn) and dydt_out
// requested: it advances y by h in place, fills yerr and dydtOut.
func (r *rkf45) step(sys odeRHS, h float64, y []float64) {
	k1, k2, k3, k4, k5, k6, yt := r.k1, r.k2, r.k3, r.k4, r.k5, r.k6, r.ytmp
	copy(k1, r.dydtIn)
	for i := range y {
		yt[i] = y[i] + rkAh0*h*k1[i]
	}
	sys.rhs(yt, k2)
	for i := range y {
		yt[i] = y[i] + h*(rkB30*k1[i]+rkB31*k2[i])
	}
	sys.rhs(yt, k3)
	for i := range y {
		yt[i] = y[i] + h*(rkB40*k1[i]+rkB41*k2[i]+rkB42*k3[i])
	}
	sys.rhs(yt, k4)
	for i := range y {
		yt[i] = y[i] + h*(rkB50*k1[i]+rkB51*k2[i]+rkB52*k3[i]+rkB53*k4[i])
	}
	sys.rhs(yt, k5)
	for i := range y {
		yt[i] = y[i] + h*(rkB60*k1[i]+rkB61*k2[i]+rkB62*k3[i]+rkB63*k4[i]+rkB64*k5[i])
	}
	sys.rhs(yt, k6)
	for i := range y {
		di := rkC1*k1[i] + rkC3*k3[i] + rkC4*k4[i] + rkC5*k5[i] + rkC6*k6[i]
		y[i] += h * di
	}
	sys.rhs(y, r.dydtOut)
	for i := range y {
		r.yerr[i] = h * (rkEc1*k1[i] + rkEc3*k3[i] + rkEc4*k4[i] + rkEc5*k5[i] + rkEc6*k6[i])
	}
}

// evolveApply is gsl_odeiv_evolve_apply: it makes ONE accepted step from t
// towards t1, retrying with smaller steps while the control asks for it.
// It returns the new time; *h receives the suggested next step.
// The derivative at the start is recomputed on every call, because the
// caller may change y between calls (spikes, resets).
func (r *rkf45) evolveApply(sys odeRHS, c *stepControl, t, t1 float64, h *float64, y []float64) float64 {
	t0 := t
	h0 := *h
	dt := t1 - t0
	copy(r.y0, y)
	sys.rhs(y, r.dydtIn)
	for {
		final := h0 > dt
		if final {
			h0 = dt
		}
		r.step(sys, h0, y)
		if final {
			t = t1
		} else {
			t = t0 + h0
		}
		hOld := h0
		if c.hadjust(y, r.yerr, r.dydtOut, &h0) == hadjDec {
			if math.Abs(h0) < math.Abs(hOld) && t+h0 != t {
				copy(y, r.y0) // undo and retry with the smaller step
				continue
			}
			h0 = hOld
		}
		*h = h0
		return t
	}
}
