# astronb — see README.md.
SHELL := /bin/bash
GO ?= go

# Project-local tools (see `make tools`); .build/ is git-ignored.
BUILD      := $(CURDIR)/.build
TOOLS_BIN  := $(BUILD)/bin
JUPYTER    := $(BUILD)/jupyter
KERNELSPEC := $(JUPYTER)/kernels/gonb/kernel.json
# Recursive (=): only evaluated when the kernelspec is (re)installed.
GOROOT_BIN = $(shell $(GO) env GOROOT)/bin
NOTEBOOKS  ?= $(wildcard notebooks/*.ipynb)
NBRUN_FLAGS ?=

.PHONY: test check test-short test-full tools notebooks

## test: everything CI runs (vet, gofmt, race short suite, full suite).
test: check test-short test-full

check:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test-short:
	$(GO) test -race -short ./...

test-full: tools
	$(GO) test ./...

## tools: gonb + goimports (versions pinned by go.mod's tool directives) in
## .build/bin, and the gonb kernelspec in .build/jupyter (use it with
## JUPYTER_DATA_DIR=$(JUPYTER)). Fast no-op when up to date.
tools: $(TOOLS_BIN)/gonb $(TOOLS_BIN)/goimports $(KERNELSPEC)

$(TOOLS_BIN)/gonb $(TOOLS_BIN)/goimports &: go.mod go.sum
	$(GO) build -o $(TOOLS_BIN)/ github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports
	@touch $(TOOLS_BIN)/gonb $(TOOLS_BIN)/goimports

# The kernel needs goimports and go on its PATH: kernel.json's env sets it
# (jupyter_client expands $${PATH}; so does kernelext/nbrun).
$(KERNELSPEC): $(TOOLS_BIN)/gonb
	@log=$$(JUPYTER_DATA_DIR=$(JUPYTER) $(TOOLS_BIN)/gonb --install --force_deps --raw_error 2>&1) || \
	  { echo "$$log"; exit 1; }
	sed -i 's|"env":{}|"env":{"PATH":"$(TOOLS_BIN):$(GOROOT_BIN):$${PATH}"}|' $@
	@grep -q '"PATH"' $@ || { echo "could not set PATH in $@:"; cat $@; exit 1; }
	@grep -q '"$(TOOLS_BIN)/gonb"' $@ || { echo "unexpected argv[0] in $@:"; cat $@; exit 1; }

## notebooks: execute NOTEBOOKS headlessly into out/ (executed .ipynb + images).
notebooks: tools
	$(GO) run ./kernelext/cmd/nbrun -out out $(NBRUN_FLAGS) $(NOTEBOOKS)
