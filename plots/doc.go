// Package plots draws the two figures of NEST 3.8's astrocyte_brunel.py
// example from plain data, without depending on the simulation engine:
//
//   - Raster: nest.raster_plot.from_device(sr, hist=True, title=...), a spike
//     raster above a population-rate histogram;
//   - Dynamics: the example's plot_dynamics figure, the population mean ± SD
//     of IP3 and Ca²⁺ (twin y axes) in astrocytes and of the slow inward
//     current (SIC) in neurons.
//
// The arithmetic behind the figures lives in package analysis, where it is
// checked against NEST: RateHistogram (NEST's histogram, in Hz), MeanSD
// (population mean and SD per sample time) and DistinctSenders.
//
// Figures follow matplotlib's default style (6.4 × 4.8 in, 10 pt text,
// outward ticks, framed axes, 5 % autoscale margins) and render to PNG
// (gonum/plot's vgimg) and SVG (vgsvg). Times are in ms throughout.
package plots
