# astronb — see README.md.
#
#   make run     set up (tools) and execute notebooks/astrocyte_brunel.ipynb
#                headlessly into out/ (executed notebook + figures)
#   make test    everything CI runs (.ci/run), with per-step wall times
#   make bench   engine benchmark (astrobench, 2 threads, median of 3 runs)
#   make nbfmt   rewrite notebooks/*.ipynb in the form Jupyter saves them
#   make classroom  the classroom notebooks to hand out (out/classroom/):
#                a student copy without outputs and answer key, a teacher's copy
#
# Parts: check, test-short, test-full, fuzz, tools, kernelspec, warm, jupyter, notebooks,
# nbconvert, browser.
SHELL := /bin/bash
# A failed recipe must not leave a half-made target (e.g. kernel.json) behind.
.DELETE_ON_ERROR:
GO ?= go

# The engine's AVX2 vector path (results bit-identical, ~2× faster) is
# compiled with GOEXPERIMENT=simd: bench, the kernel (so every notebook) and
# a second test pass use it; the plain test passes cover the scalar path.
# At run time the engine takes it only where a short calibration finds it
# faster (ASTRONB_VECTOR=off|avx2 overrides; see astro/vecpath.go).
SIMD := GOEXPERIMENT=simd

# Project-local tools (see `make tools`); .build/ is git-ignored.
BUILD      := $(CURDIR)/.build
TOOLS_BIN  := $(BUILD)/bin
JUPYTER    := $(BUILD)/jupyter
KERNELSPEC := $(JUPYTER)/kernels/gonb/kernel.json
# Build cache warm-up (see warm).
WARM_DIR   := $(BUILD)/warm
WARM_STAMP := $(WARM_DIR)/stamp
MODULE     := github.com/astronb/astronb
WARM_PKGS  := astro astro/brunel plots kernelext analysis notebooks/classroom
WARM_SRCS  := $(shell find $(WARM_PKGS) -maxdepth 1 -name '*.go' ! -name '*_test.go' 2>/dev/null)
# Recursive (=): only evaluated when the kernelspec is (re)installed.
GOROOT_BIN = $(shell $(GO) env GOROOT)/bin

OUT         := out
MAIN_NB     := notebooks/astrocyte_brunel.ipynb
NOTEBOOKS   ?= $(wildcard notebooks/*.ipynb)
NBRUN_FLAGS ?= -k
NBRUN       := $(GO) run ./nbtools/cmd/nbrun
NBCHECK     := $(GO) run ./nbtools/cmd/nbcheck
NBFMT       := $(GO) run ./nbtools/cmd/nbfmt
# What nbcheck requires of executed notebooks: the main notebook shows two
# figures (raster, dynamics) and finished progress bars; every other notebook
# at least one figure. Figures are PNG+SVG outputs (kernelext.Display).
MAIN_CHECK  ?= -images 2 -progress
NB_CHECK    ?= -images 1
# Per-cell timeout for the nbconvert cross-check (seconds).
NBCONVERT_TIMEOUT ?= 1800

.PHONY: run test check test-short test-full fuzz tools warm jupyter notebooks nbconvert bench bench-nest nbfmt browser classroom

## run: set up and execute the main notebook headlessly into out/.
run: tools
	$(NBRUN) -out $(OUT) $(MAIN_NB)
	@nb=$(OUT)/$(notdir $(MAIN_NB)); echo; \
	  echo "Executed notebook: $(CURDIR)/$$nb"; \
	  echo "Figures:"; ls -1 $(OUT)/$(basename $(notdir $(MAIN_NB)))_*.{png,svg} 2>/dev/null | sed 's|^|  $(CURDIR)/|'; \
	  echo "Open it with: JUPYTER_DATA_DIR=$(JUPYTER) jupyter notebook$$([ "$$(id -u)" = 0 ] && echo ' --allow-root') $$nb  (kernel: gonb; \`make jupyter\` installs Jupyter)"

# step NAME, TARGETS: run `make TARGETS`, print its wall time, record it in
# STEPLOG; on failure print the steps so far and stop.
STEPLOG := $(OUT)/test-steps.txt
TEST_START := $(shell date +%s)
define step
@t=$$(date +%s); echo "== step $(1) ..."; \
  if $(MAKE) --no-print-directory $(2); then rc=0; else rc=$$?; fi; \
  line="== step $(1): $$(( $$(date +%s) - t ))s$$([ $$rc = 0 ] || echo ' FAILED')"; \
  echo "$$line"; echo "$$line" >> $(STEPLOG); \
  if [ $$rc != 0 ]; then echo "== make test FAILED at step $(1); steps:"; cat $(STEPLOG); exit $$rc; fi
endef

## test: everything CI runs, in order: set-up (tools, Debian's Jupyter and
## Chromium), vet+gofmt+notebook form, race short suite, full suite, all
## notebooks with nbrun + nbcheck, main notebook with jupyter nbconvert +
## nbcheck -compare, main notebook in Jupyter Notebook in headless Chromium.
test:
	@mkdir -p $(OUT); rm -f $(STEPLOG)
	$(call step,setup,tools jupyter)
	$(call step,vet+gofmt,check)
	$(call step,test -race -short,test-short)
	$(call step,test full,test-full)
	$(call step,fuzz (a budget of executions per target),fuzz)
	$(call step,notebooks (nbrun+nbcheck),notebooks)
	$(call step,nbconvert cross-check,nbconvert)
	$(call step,browser (jupyter-notebook + chromium),browser)
	@echo "== make test: all steps passed in $$(( $$(date +%s) - $(TEST_START) ))s:"; cat $(STEPLOG)

## check: go vet (both paths), gofmt, and the committed notebooks in the
## exact form Jupyter saves them (fix with `make nbfmt`).
check:
	$(GO) vet ./...
	$(SIMD) $(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(NBCHECK) -committed $(wildcard notebooks/*.ipynb)

## nbfmt: rewrite notebooks/*.ipynb into the form Jupyter saves them with
## this kernel (idempotent; `nbcheck -committed` checks it).
nbfmt:
	$(NBFMT) $(wildcard notebooks/*.ipynb)

test-short:
	$(GO) test -race -short ./...

test-full: tools
	$(GO) test ./...
	$(SIMD) $(GO) test ./astro/...

## fuzz: each fuzz target (Go's native fuzzing) for its budget of
## executions, after its committed seed corpus (testdata/fuzz/...) ran as a
## plain test. A finding is written to that package's testdata/fuzz/ and
## fails the step. The budgets are counts (about 5 s each here), not times:
## Go 1.26's fuzzing can fail a target with a bare "context deadline
## exceeded" when a -fuzztime duration ends while a worker is busy
## (go.dev/issue/75804, fixed in Go 1.27), which a count cannot hit. Longer
## runs: make fuzz FUZZTIME=2m (a duration, or Nx). Targets are
## NAME:PACKAGE:BUDGET.
FUZZTIME ?=
FUZZ_TARGETS := FuzzModelParams:./astro:4000x FuzzConnect:./astro:3000x FuzzSimulate:./astro:1500x \
  FuzzSnapshotLoad:./astro:2500x FuzzExportOptions:./astro/nestio:25000x \
  FuzzCacheDecode:./kernelext:20000x FuzzParseNotebook:./nbtools/nbrun:60000x FuzzCheck:./nbtools/cmd/nbcheck:80000x \
  FuzzKeptKernel:./kernelext:5000x FuzzMessages:./nbtools/nbrun:45000x
fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  budget=$${t##*:}; rest=$${t%:*}; name=$${rest%%:*}; pkg=$${rest#*:}; \
	  if [ -n "$(FUZZTIME)" ]; then budget="$(FUZZTIME)"; fi; \
	  echo "$(GO) test -run='^$$' -fuzz='^$$name$$' -fuzztime=$$budget $$pkg"; \
	  $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime="$$budget" "$$pkg" || exit 1; \
	done

## bench: the engine benchmark (full-scale network, 2 threads, 3 runs and
## their medians), after the CPU model, the path and vector width the
## engine chose (calibration or ASTRONB_VECTOR=off|avx2) and the
## 1→2-thread speed-up of a trivially parallel loop (the machine's limit);
## more flags with e.g. BENCH_FLAGS="-nex 800 -nin 200 -nastro 1000".
BENCH_FLAGS ?=
bench:
	@grep -m3 -E '^(cpu family|model|model name)\s' /proc/cpuinfo 2>/dev/null | tr -s '\t ' ' ' || true
	@echo "CPU vector units: $$(grep -o -E 'avx512f|avx2' /proc/cpuinfo 2>/dev/null | sort -u | tr '\n' ' ')"
	$(SIMD) $(GO) run ./astro/cmd/astrobench -parallel-baseline
	$(SIMD) $(GO) run ./astro/cmd/astrobench -threads 2 -runs 3 $(BENCH_FLAGS)

## bench-nest NEST=PREFIX: the full example side by side with NEST's own
## (a NEST 3.8 install at PREFIX), 1 and 2 threads, astronb's chosen path
## and the scalar one, 3 alternating runs each; medians and ratios end as a
## Markdown table (takes ~25 minutes on 2 cores).
bench-nest:
	@test -n "$(NEST)" || { echo "usage: make bench-nest NEST=/path/to/nest-install"; exit 2; }
	$(SIMD) $(GO) build -o .build/astrobench ./astro/cmd/astrobench
	.build/astrobench -nest "$(NEST)" -nest-threads 1,2 -paths auto,off -runs 3 $(BENCH_FLAGS)

## tools: gonb, goimports and gopls (versions pinned by go.mod's tool
## directives; gopls gives the notebook completion and Shift-Tab docs) in
## .build/bin, the gonb kernelspec in .build/jupyter (use it with
## JUPYTER_DATA_DIR=$(JUPYTER)), and Go's build cache warmed with what the
## notebooks compile (see warm). Fast no-op when up to date.
tools: $(TOOLS_BIN)/gonb $(TOOLS_BIN)/goimports $(TOOLS_BIN)/gopls $(KERNELSPEC) $(WARM_STAMP)

$(TOOLS_BIN)/gonb $(TOOLS_BIN)/goimports $(TOOLS_BIN)/gopls &: go.mod go.sum
	$(GO) build -o $(TOOLS_BIN)/ github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports golang.org/x/tools/gopls
	@touch $(TOOLS_BIN)/gonb $(TOOLS_BIN)/goimports $(TOOLS_BIN)/gopls

## warm: compile the packages the notebooks import the way the kernel
## compiles a cell (a throw-away module with the notebooks' replace
## directive, `go build -o BIN` with GOEXPERIMENT=simd), so that their first
## cells find everything in Go's build cache instead of compiling gonum,
## gonum/plot, GoNB's gonbui and the engine first (about 2 min on a cold
## cache; a first cell then takes ~1 s instead of 40-90 s).
warm: $(WARM_STAMP)
$(WARM_STAMP): $(WARM_SRCS) go.mod go.sum
	@rm -rf $(WARM_DIR) && mkdir -p $(WARM_DIR)
	@t=$$(date +%s); cd $(WARM_DIR) && \
	  $(GO) mod init gonb_warm >/dev/null 2>&1 && \
	  $(GO) mod edit -replace=$(MODULE)=$(CURDIR)/notebooks/.. -require=$(MODULE)@v0.0.0-00010101000000-000000000000 && \
	  { echo 'package main'; echo 'import ('; \
	    for p in $(WARM_PKGS); do echo "	_ \"$(MODULE)/$$p\""; done; \
	    echo '	_ "github.com/janpfeifer/gonb/gonbui"'; echo '	_ "gonum.org/v1/gonum/stat"'; \
	    echo ')'; echo 'func main() {}'; } > main.go && \
	  $(GO) fmt . >/dev/null && \
	  $(GO) mod tidy && \
	  $(SIMD) $(GO) build -o $(WARM_DIR)/warm . && \
	  echo "warm: Go build cache ready for the notebooks ($$(( $$(date +%s) - t ))s)"
	@touch $@

# The kernel needs goimports and go on its PATH, and GOEXPERIMENT=simd for
# the vector path: kernel.json's env sets them
# (jupyter_client expands $${PATH}; so does nbtools/nbrun). GOPRIVATE names
# this module, so that gopls's Shift-Tab docs link only to pages that exist
# (pkg.go.dev for the standard library and published modules; none for this
# checkout, which a replace directive points at). argv[0] is
# .build/bin/gonb, or a copy next to kernel.json: gonb --install copies the
# binary there when it lives under /tmp or ~/.cache (e.g. a CI clone in /tmp).
# kernel.js (kernelext/kernelspec) gives the docs a text/plain form for
# Notebook 6 / nbclassic's tooltip.
#
# GONB_LOG: the kernel's log flags (klog, as gonb accepts them). By default
# only errors reach the Jupyter server's terminal (the rest goes to
# /dev/null); for GoNB's full log reinstall the kernelspec with e.g.
#   make kernelspec GONB_LOG="-logtostderr -v=1"
GONB_LOG ?= -logtostderr=false -alsologtostderr=false -stderrthreshold=ERROR -log_file=/dev/null
GONB_LOG_STAMP := $(BUILD)/gonb-log-flags
KERNEL_JS := kernelext/kernelspec/kernel.js
# The kernel runs under nbtools/kernelguard: every process it starts (GoNB's
# gopls too, which has a process group of its own) ends when the kernel
# ends, however the Jupyter server or nbrun ends it.
KERNELGUARD := $(CURDIR)/nbtools/kernelguard/kernelguard.sh
$(GONB_LOG_STAMP): FORCE
	@mkdir -p $(@D); echo '$(GONB_LOG)' | cmp -s - $@ 2>/dev/null || echo '$(GONB_LOG)' > $@
.PHONY: FORCE kernelspec
FORCE:
## kernelspec: (re)install the gonb kernelspec in .build/jupyter (part of
## tools; GONB_LOG sets the kernel's log flags, see above).
kernelspec: $(KERNELSPEC)
$(KERNELSPEC): $(TOOLS_BIN)/gonb Makefile $(KERNEL_JS) $(KERNELGUARD) $(GONB_LOG_STAMP)
	@log=$$(JUPYTER_DATA_DIR=$(JUPYTER) $(TOOLS_BIN)/gonb --install --force_deps --raw_error $(GONB_LOG) 2>&1) || \
	  { echo "$$log"; exit 1; }
	sed -i 's|"env":{}|"env":{"PATH":"$(TOOLS_BIN):$(GOROOT_BIN):$${PATH}","GOEXPERIMENT":"simd","GOPRIVATE":"$(MODULE)"}|' $@
	@grep -q '"PATH"' $@ || { echo "could not set PATH in $@:"; cat $@; exit 1; }
	@grep -Eq '"argv":\["($(TOOLS_BIN)|$(dir $@))/?gonb"' $@ || { echo "unexpected argv[0] in $@:"; cat $@; exit 1; }
	sed -i 's|"argv":\["|"argv":["/bin/sh","$(KERNELGUARD)","|' $@
	@grep -q '"argv":\["/bin/sh","$(KERNELGUARD)",' $@ || { echo "could not wrap the kernel in kernelguard in $@:"; cat $@; exit 1; }
	cp $(KERNEL_JS) $(dir $@)kernel.js

## jupyter: what the Jupyter checks need from Debian: jupyter-nbconvert
## (the nbconvert cross-check), jupyter-notebook, chromium and
## fonts-liberation (the browser test; the figures' SVG text is set in
## Liberation Sans), installed with apt-get if missing (as root, or with
## sudo).
JUPYTER_PKGS := jupyter-nbconvert jupyter-notebook chromium fonts-liberation
jupyter:
	@missing=; \
	  jupyter nbconvert --version >/dev/null 2>&1 || missing="$$missing jupyter-nbconvert"; \
	  jupyter-notebook --version >/dev/null 2>&1 || missing="$$missing jupyter-notebook"; \
	  chromium --version >/dev/null 2>&1 || missing="$$missing chromium"; \
	  if command -v dpkg-query >/dev/null && ! dpkg-query -W -f='$${Status}' fonts-liberation 2>/dev/null | grep -q 'ok installed'; then \
	    missing="$$missing fonts-liberation"; fi; \
	  if [ -z "$$missing" ]; then \
	    echo "jupyter nbconvert $$(jupyter nbconvert --version), notebook $$(jupyter-notebook --version), $$(chromium --version 2>/dev/null | head -1)"; exit 0; fi; \
	  if ! command -v apt-get >/dev/null; then \
	    echo "missing:$$missing and there is no apt-get: install them (Jupyter's nbconvert and notebook, Chromium, the Liberation fonts) and retry." >&2; exit 1; fi; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; \
	  elif command -v sudo >/dev/null; then sudo=sudo; \
	  else echo "missing:$$missing; installing needs root: run 'apt-get install --no-install-recommends$$missing' as root (or install sudo) and retry." >&2; exit 1; fi; \
	  echo "installing Debian's$$missing ..."; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(JUPYTER_PKGS) >/dev/null && \
	  jupyter nbconvert --version >/dev/null && jupyter-notebook --version >/dev/null && chromium --version >/dev/null || \
	  { echo "installing$$missing failed" >&2; exit 1; }

## browser: the browser test (nbtools/jupytertest): Debian's Jupyter
## Notebook server with the kernelspec of `make tools`, headless Chromium
## driven with chromedp, Run All on the main notebook, checks from the DOM;
## screenshot in out/browser/.
BROWSER_TIMEOUT ?= 30m
browser: tools jupyter
	$(GO) test -tags browser -count=1 -timeout $(BROWSER_TIMEOUT) -v -run TestNotebooksInBrowser ./nbtools/jupytertest/

## notebooks: execute NOTEBOOKS headlessly into out/ (executed .ipynb +
## images), then check the executed notebooks with nbcheck, and that no
## classroom notebook shows an answer before its self-check (the checks
## write their expected values to CLASSROOM_KEY while they run; the test
## scans every markdown cell and every other cell's output for them).
CLASSROOM_KEY := $(abspath $(OUT))/classroom-key.jsonl
notebooks: tools
	$(NBCHECK) -committed $(NOTEBOOKS)
	@mkdir -p $(OUT); rm -f $(CLASSROOM_KEY)
	ASTRONB_CLASSROOM_KEY=$(CLASSROOM_KEY) $(NBRUN) -out $(OUT) $(NBRUN_FLAGS) $(NOTEBOOKS)
	$(if $(filter $(MAIN_NB),$(NOTEBOOKS)),$(NBCHECK) $(MAIN_CHECK) $(OUT)/$(notdir $(MAIN_NB)))
	$(if $(filter-out $(MAIN_NB),$(NOTEBOOKS)),$(NBCHECK) $(NB_CHECK) $(addprefix $(OUT)/,$(notdir $(filter-out $(MAIN_NB),$(NOTEBOOKS)))))
	ASTRONB_CLASSROOM_KEY=$(CLASSROOM_KEY) ASTRONB_EXECUTED=$(abspath $(OUT)) ASTRONB_EXECUTED_ORDER="$(NOTEBOOKS)" \
	  $(GO) test -count=1 -timeout 2m -run TestExecutedNotebooksGiveNothingAway ./notebooks/classroom/

## classroom: the classroom notebooks to hand out, in out/classroom/:
## student/astronb (and astronb-student.tar.gz) — the repository with the
## notebooks stripped of outputs, without notebooks/TEACHING.md and the
## self-checks' tests; teacher/astronb — everything, plus the notebooks
## executed by `make notebooks` if out/ has them (notebooks/executed/).
classroom:
	$(GO) run ./nbtools/cmd/classpack -repo . -out $(OUT)/classroom -executed $(OUT)

## nbconvert: execute the main notebook with Debian's real Jupyter into
## out/nbconvert and compare it with nbrun's out/ (run `make notebooks` or
## `make run` first).
nbconvert: tools jupyter
	@test -f $(OUT)/$(notdir $(MAIN_NB)) || { echo "no $(OUT)/$(notdir $(MAIN_NB)) to compare with: run 'make run' first" >&2; exit 1; }
	rm -rf $(OUT)/nbconvert
	JUPYTER_DATA_DIR=$(JUPYTER) jupyter nbconvert --to notebook --execute \
	  --ExecutePreprocessor.kernel_name=gonb --ExecutePreprocessor.timeout=$(NBCONVERT_TIMEOUT) \
	  --output-dir=$(OUT)/nbconvert $(MAIN_NB)
	$(NBCHECK) $(MAIN_CHECK) -compare $(OUT)/$(notdir $(MAIN_NB)) $(OUT)/nbconvert/$(notdir $(MAIN_NB))
