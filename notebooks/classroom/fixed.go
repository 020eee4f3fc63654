package classroom

import (
	"fmt"
	"math"
)

// DeafTolerance is the relative margin of astrocyte_brunel_fixed_indegree's
// Exercise 1. The deaf astrocyte is deterministic; the estimate comes from
// the crossing times of astrocyte_single's constant-IP₃ runs (at 0.4 µM),
// which ignore the slow decay of IP₃ and so land somewhat early; 15 %
// allows for that.
const DeafTolerance = 0.15

// FixedDeafOnset is astrocyte_brunel_fixed_indegree's Exercise 1: when
// (ms) a 3.9 astrocyte without input crosses the SIC threshold; Never if it
// does not. deaf is that time from a simulation (+Inf if never), network
// the first SIC in the 3.9 fixed in-degree network (ms).
func FixedDeafOnset(deaf, network float64) Check {
	lo, hi := math.Floor((1-DeafTolerance)*deaf), math.Ceil((1+DeafTolerance)*deaf)
	c := Check{
		Variable: "myDeafOnset", Unit: "ms, or classroom.Never",
		Expected: deaf, Lo: lo, Hi: hi,
		Misconceptions: []Misconception{
			{Name: "never", Lo: math.Inf(1), Hi: math.Inf(1),
				Hint: "Even without input Ca2+ crosses the threshold within the second. What is IP3 at the start, compared with the critical level of astrocyte_single.ipynb?"},
			{Name: "immediately", Lo: 0, Hi: 50,
				Hint: "Not at once: even well above the critical IP3 level Ca2+ needs a few hundred ms to climb (astrocyte_single.ipynb, Exercise 2)."},
			{Name: "network onset", Lo: network - 20, Hi: network + 20,
				Hint: "That is when the network's first SIC arrives, with the neurons' input. Without input, is it earlier or later?"},
			{Name: "tau_IP3", Lo: 7000, Hi: 7300,
				Hint: "tau_IP3 is how slowly IP3 decays, not how fast Ca2+ rises. Within a second IP3 hardly changes: how long does Ca2+ take at that level?"},
		},
		TooLow:  "Too early: without input IP3 only decays from its initial level. How long does Ca2+ take to climb at that level?",
		TooHigh: "Too late: IP3 decays slowly (tau_IP3 = 7 s), so within one second it stays near its initial level.",
		Reveal: fmt.Sprintf("Simulated: a deaf astrocyte crosses the threshold at %.0f ms (accepted %.0f–%.0f ms); in the network the first SIC arrives at %.0f ms. "+
			"So the neurons' input only advances the SIC by %.0f ms: the 3.9 astrocytes are driven mostly by their initial IP3.",
			deaf, lo, hi, network, deaf-network),
	}
	if math.IsInf(deaf, 1) {
		c.Lo, c.Hi = math.Inf(1), math.Inf(1)
		c.Misconceptions = c.Misconceptions[1:]
		c.Reveal = fmt.Sprintf("Simulated: a deaf astrocyte never crosses the threshold; in the network the first SIC arrives at %.0f ms.", network)
	}
	return c
}

// BinomialSD returns the standard deviation sqrt(n·p·(1−p)) of Binomial(n, p).
func BinomialSD(n int, p float64) float64 { return math.Sqrt(float64(n) * p * (1 - p)) }

// SpreadTolerance is the margin of astrocyte_brunel_fixed_indegree's
// Exercise 2: the answer is a formula, 0.05 allows for rounding (and keeps
// the ratio of variances, 0.53, outside).
const SpreadTolerance = 0.05

// FixedSICSpread is astrocyte_brunel_fixed_indegree's Exercise 2: the
// ratio SD(SIC connections per neuron, fixed in-degree) / SD(…, Bernoulli)
// when each of ce inputs (fixed) or each of nEx neurons with probability
// pConn (Bernoulli) gets an astrocyte with probability pThird. sdFixed and
// sdBernoulli are the measured SDs of the late SIC across neurons (pA),
// shown after judging.
func FixedSICSpread(ce, nEx int, pConn, pThird, sdFixed, sdBernoulli float64) Check {
	fixed, bern := BinomialSD(ce, pThird), BinomialSD(nEx, pConn*pThird)
	want := fixed / bern
	lo, hi := roundWindow(want-SpreadTolerance, want+SpreadTolerance, 100)
	c := Check{
		Variable: "myRatio",
		Expected: want, Lo: lo, Hi: hi,
		Misconceptions: []Misconception{
			{Name: "no spread", Lo: 0, Hi: 0.05,
				Hint: "Fixed in-degree fixes the number of excitatory inputs, not how many of them get an astrocyte: that number is still random."},
			{Name: "equal", Lo: 0.97, Hi: 1.03,
				Hint: "Both have the same mean number of SIC connections, but not the same spread: mind the (1 − p) factor of each binomial."},
		},
		TooLow:  "Too small. The SD of Binomial(n, p) is sqrt(n·p·(1−p)); what are n and p in each case?",
		TooHigh: "Too large. The SD of Binomial(n, p) is sqrt(n·p·(1−p)); what are n and p in each case?",
		Reveal: fmt.Sprintf("Formula: sqrt(%d·%g·%g) / sqrt(%d·%g·%g) = %.3f (accepted %.2f–%.2f). Measured SDs of the SIC across neurons in 900–1000 ms: "+
			"%.2f pA (fixed) and %.2f pA (Bernoulli), ratio %.2f. The rest of the spread comes from the astrocytes: "+
			"each neuron's pool of 10 has its own Ca2+ levels.",
			ce, pThird, 1-pThird, nEx, pConn*pThird, 1-pConn*pThird, want, lo, hi, sdFixed, sdBernoulli, sdFixed/sdBernoulli),
	}
	for _, m := range []struct {
		name  string
		value float64
		hint  string
	}{
		{"variances", want * want, "That is the ratio of the variances (or of n·p·(1−p)). The SD is their square root."},
		{"Bernoulli p without ½", fixed / BinomialSD(nEx, pConn), "With Bernoulli wiring a partner needs two coin flips: connected (0.1) and given an astrocyte (½)."},
		{"inverted", 1 / want, "The ratio is the other way round: SD with fixed in-degree divided by SD with Bernoulli wiring."},
	} {
		mLo, mHi := m.value-0.015, m.value+0.015
		if mHi < lo || mLo > hi {
			c.Misconceptions = append(c.Misconceptions, Misconception{Name: m.name, Lo: mLo, Hi: mHi, Hint: m.hint})
		}
	}
	return c
}

// FixedInputsPerAstrocyte is astrocyte_brunel_fixed_indegree's Exercise 3:
// the mean number of inputs per astrocyte with nNeurons neurons of
// excitatory in-degree ce (inhibitory ci), each excitatory input paired with an astrocyte with
// probability pThird, shared by nAstro astrocytes. measured is the count
// from building the network (sic_connections / nAstro). The binomial
// spread of the count is about 0.1 %; 5 % allows for rounding.
func FixedInputsPerAstrocyte(nNeurons, nEx, ce, ci int, pThird float64, nAstro int, measured float64) Check {
	want := float64(nNeurons*ce) * pThird / float64(nAstro)
	excLo, excHi := around(float64(nEx*ce)*pThird/float64(nAstro), 0.02)
	halfLo, halfHi := around(float64(nNeurons*ce)/float64(nAstro), 0.02)
	incLo, incHi := around(float64(nNeurons*(ce+ci))*pThird/float64(nAstro), 0.02)
	return Check{
		Variable: "myInputsPerAstrocyte",
		Expected: want, Lo: 0.95 * want, Hi: 1.05 * want,
		Misconceptions: []Misconception{
			{Name: "CE = 80", Lo: want/10 - 10, Hi: want/10 + 10,
				Hint: "That is what the astrocytes get with CE = 80. How does it change with ten times the in-degree?"},
			{Name: "excitatory targets only", Lo: excLo, Hi: excHi,
				Hint: "The inhibitory neurons receive excitatory inputs too, and those get astrocytes as well: count all neurons as targets."},
			{Name: "every input", Lo: halfLo, Hi: halfHi,
				Hint: "Only a fraction of the excitatory connections gets an astrocyte (p_third_if_primary)."},
			{Name: "not shared", Lo: want * float64(nAstro) * 0.95, Hi: want * float64(nAstro) * 1.05,
				Hint: "That is the number of inputs of all astrocytes together. Share it among them."},
			{Name: "inhibitory inputs too", Lo: incLo, Hi: incHi,
				Hint: "Only excitatory connections get an astrocyte; the CI = 200 inhibitory inputs do not."},
		},
		TooLow:  "Too few. Count the excitatory connections (neurons × CE), the fraction that gets an astrocyte, and share them among the astrocytes.",
		TooHigh: "Too many. Count the excitatory connections (neurons × CE), the fraction that gets an astrocyte, and share them among the astrocytes.",
		Praise:  "Ten times the input per astrocyte, and ten times the synaptic input per neuron: a different network.",
		Reveal:  fmt.Sprintf("Built with CE = %d: %.0f inputs per astrocyte on average (formula %.0f; accepted ± 5 %%).", ce, measured, want),
	}
}
