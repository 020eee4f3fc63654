# astronb — see README.md.
SHELL := /bin/bash
GO ?= go

.PHONY: test check test-short test-full

## test: everything CI runs (vet, gofmt, race short suite, full suite).
test: check test-short test-full

check:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test-short:
	$(GO) test -race -short ./...

test-full:
	$(GO) test ./...
