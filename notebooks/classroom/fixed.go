package classroom

import (
	"fmt"
	"math"
)

// DeafTolerance is the relative margin of astrocyte_brunel_fixed_indegree's
// Exercise 1. The deaf astrocyte is deterministic; the estimate comes from
// the crossing times of astrocyte_single's constant-IP₃ runs (at 0.4 µM,
// 660 ms), which ignore the slow decay of IP₃, so 15 % is allowed.
const DeafTolerance = 0.15

// FixedDeafOnset is astrocyte_brunel_fixed_indegree's Exercise 1: when
// (ms) a 3.9 astrocyte without input crosses the SIC threshold; Never if it
// does not. deaf is that time from a simulation (+Inf if never), network
// the first SIC in the 3.9 fixed in-degree network (ms).
func FixedDeafOnset(deaf, network float64) Check {
	c := Check{
		Variable: "myDeafOnset", Unit: "ms, or classroom.Never",
		Expected: deaf, Lo: (1 - DeafTolerance) * deaf, Hi: (1 + DeafTolerance) * deaf,
		Misconceptions: []Misconception{
			{Name: "never", Lo: math.Inf(1), Hi: math.Inf(1),
				Hint: "Even without input Ca2+ crosses the threshold within the second. What is IP3 at the start, compared with the critical level of astrocyte_single.ipynb?"},
			{Name: "immediately", Lo: 0, Hi: 50,
				Hint: "Not at once: even well above the critical IP3 level Ca2+ needs a few hundred ms to climb (astrocyte_single.ipynb, Exercise 2)."},
			{Name: "network onset", Lo: network - 20, Hi: network + 20,
				Hint: "That is when the network's first SIC arrives, with the neurons' input. Without input, is it earlier or later?"},
		},
		TooLow:  "Too early: without input IP3 only decays from its initial level. How long does Ca2+ take to climb at that level?",
		TooHigh: "Too late: IP3 decays slowly (tau_IP3 = 7 s), so within one second it stays near its initial level.",
		Reveal: fmt.Sprintf("Simulated: a deaf astrocyte crosses the threshold at %.0f ms; in the network the first SIC arrives at %.0f ms. "+
			"So the neurons' input only advances the SIC by %.0f ms: the 3.9 astrocytes are driven mostly by their initial IP3.",
			deaf, network, deaf-network),
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
// Exercise 2: the answer is a formula, 0.05 allows for rounding.
const SpreadTolerance = 0.05

// FixedSICSpread is astrocyte_brunel_fixed_indegree's Exercise 2: the
// ratio SD(SIC connections per neuron, fixed in-degree) / SD(…, Bernoulli)
// when each of ce inputs (fixed) or each of nEx neurons with probability
// pConn (Bernoulli) gets an astrocyte with probability pThird. sdFixed and
// sdBernoulli are the measured SDs of the late SIC across neurons (pA),
// shown after judging.
func FixedSICSpread(ce, nEx int, pConn, pThird, sdFixed, sdBernoulli float64) Check {
	want := BinomialSD(ce, pThird) / BinomialSD(nEx, pConn*pThird)
	return Check{
		Variable: "myRatio",
		Expected: want, Lo: want - SpreadTolerance, Hi: want + SpreadTolerance,
		Misconceptions: []Misconception{
			{Name: "no spread", Lo: 0, Hi: 0.05,
				Hint: "Fixed in-degree fixes the number of excitatory inputs, not how many of them get an astrocyte: that number is still random."},
			{Name: "equal", Lo: 0.97, Hi: 1.03,
				Hint: "Both have the same mean number of SIC connections, but not the same spread: mind the (1 − p) factor of each binomial."},
		},
		TooLow:  "Too small. The SD of Binomial(n, p) is sqrt(n·p·(1−p)); what are n and p in each case?",
		TooHigh: "Too large. The SD of Binomial(n, p) is sqrt(n·p·(1−p)); what are n and p in each case?",
		Reveal: fmt.Sprintf("Formula: sqrt(%d·%g·%g) / sqrt(%d·%g·%g) = %.3f. Measured SDs of the SIC across neurons in 900–1000 ms: "+
			"%.2f pA (fixed) and %.2f pA (Bernoulli), ratio %.2f. The rest of the spread comes from the astrocytes: "+
			"each neuron's pool of 10 has its own Ca2+ levels.",
			ce, pThird, 1-pThird, nEx, pConn*pThird, 1-pConn*pThird, want, sdFixed, sdBernoulli, sdFixed/sdBernoulli),
	}
}

// FixedInputsPerAstrocyte is astrocyte_brunel_fixed_indegree's Exercise 3:
// the mean number of inputs per astrocyte with nNeurons neurons of
// excitatory in-degree ce, each input paired with an astrocyte with
// probability pThird, shared by nAstro astrocytes. measured is the count
// from building the network (sic_connections / nAstro). The binomial
// spread of the count is about 0.1 %; 5 % allows for rounding.
func FixedInputsPerAstrocyte(nNeurons, nEx, ce int, pThird float64, nAstro int, measured float64) Check {
	want := float64(nNeurons*ce) * pThird / float64(nAstro)
	excLo, excHi := around(float64(nEx*ce)*pThird/float64(nAstro), 0.02)
	halfLo, halfHi := around(float64(nNeurons*ce)/float64(nAstro), 0.02)
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
		},
		TooLow:  "Too few. Count the excitatory connections (neurons × CE), the fraction that gets an astrocyte, and share them among the astrocytes.",
		TooHigh: "Too many. Count the excitatory connections (neurons × CE), the fraction that gets an astrocyte, and share them among the astrocytes.",
		Praise:  "Ten times the input per astrocyte, and ten times the synaptic input per neuron: a different network.",
		Reveal:  fmt.Sprintf("Built with CE = %d: %.0f inputs per astrocyte on average (formula %.0f).", ce, measured, want),
	}
}
