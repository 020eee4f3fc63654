// Package markup holds the names that the notebook side (kernelext, in a
// GoNB kernel) writes into notebook outputs and that the notebook tools
// (nbrun, nbcheck) read back. It imports nothing, so the tools stay free
// of GoNB and the engine.
package markup

// ProgressClass is the CSS class of the element that holds a progress bar
// in the notebook (text/html outputs); nbcheck finds the bars by it.
const ProgressClass = "astronb-progress"

// FigureMetadata is the output-metadata key under which kernelext.Display
// records a figure's name ("astronb/figure": NAME); nbrun names the
// figure files after it.
const FigureMetadata = "astronb/figure"
