# Warmlane build entry points. `make help` lists them.
PREFIX   ?= /usr/local
SWIFT    ?= swift
# Static linking: a -static-executable binary starts in ~0.6 ms; dynamic costs 2-5 ms.
RELEASE  := -c release -Xswiftc -static-executable
BINDIR    = $(shell $(SWIFT) build $(RELEASE) --show-bin-path)

.PHONY: help deps build install test test-unit test-integration bench demo bundles clean

help:
	@echo "make deps | build | install | test | bench | demo | bundles | clean"

deps:           ## apt packages the build, tests and demo need (idempotent)
	bash scripts/install-deps.sh

build:          ## static release binaries: warmlane, warmlane-shim
	$(SWIFT) build $(RELEASE) --product warmlane
	$(SWIFT) build $(RELEASE) --product warmlane-shim

install: build
	install -D -m 0755 $(BINDIR)/warmlane $(DESTDIR)$(PREFIX)/bin/warmlane
	install -D -m 0755 $(BINDIR)/warmlane-shim $(DESTDIR)$(PREFIX)/bin/warmlane-shim

test: build test-unit test-integration

test-unit:
	$(SWIFT) test

test-integration: build
	WARMLANE=$(BINDIR)/warmlane bash scripts/test-integration.sh

bench: build
	WARMLANE=$(BINDIR)/warmlane bash scripts/bench-runtime.sh
	$(SWIFT) run -c release keepalive-bench
	$(SWIFT) run -c release workflow-bench

bundles:
	bash scripts/build-bundles.sh

demo: build bundles
	WARMLANE=$(BINDIR)/warmlane bash scripts/demo.sh

clean:
	rm -rf .build out
