# Warmlane build entry points. `make help` lists them.
PREFIX   ?= /usr/local
SWIFT    ?= swift
# Static linking: a -static-executable binary starts in ~0.6 ms; dynamic costs 2-5 ms.
RELEASE  := -c release -Xswiftc -static-executable
BINDIR    = $(shell $(SWIFT) build $(RELEASE) --show-bin-path)

.PHONY: help deps build install test test-unit test-integration test-engines test-cgroup2 \
        test-workflow bench demo bundles clean

help:
	@echo "make demo     install deps, build, run a workflow container through warmlane"
	@echo "make test     install deps, build, run every test suite (root)"
	@echo "make build | install | bench | bundles | deps | clean"
	@echo "make test-unit | test-integration | test-engines | test-cgroup2 | test-workflow"

deps:           ## apt/pip packages the build, tests and demo need (idempotent)
	bash scripts/install-deps.sh

build:          ## static release binaries: warmlane, warmlane-shim
	$(SWIFT) build $(RELEASE) --product warmlane
	$(SWIFT) build $(RELEASE) --product warmlane-shim

install: build
	install -D -m 0755 $(BINDIR)/warmlane $(DESTDIR)$(PREFIX)/bin/warmlane
	install -D -m 0755 $(BINDIR)/warmlane-shim $(DESTDIR)$(PREFIX)/bin/warmlane-shim

# Everything, as root: unit tests, the OCI suite (warmlane and runc), the engines
# (podman, containerd, dockerd), cgroup v2 in a QEMU guest, the workflow bundles.
test: deps build bundles test-unit test-integration test-engines test-cgroup2 test-workflow

test-unit:
	$(SWIFT) test

test-integration: build
	WARMLANE=$(BINDIR)/warmlane bash scripts/test-integration.sh

test-engines: build
	WARMLANE=$(BINDIR)/warmlane bash scripts/test-engines.sh

test-cgroup2: build
	WARMLANE=$(BINDIR)/warmlane bash Tests/QEMU/run-guest-tests.sh

test-workflow: build bundles
	SKIP_BUILD=1 RUNTIME=$(BINDIR)/warmlane bash scripts/test-workflow.sh

bench: build
	WARMLANE=$(BINDIR)/warmlane bash scripts/bench-runtime.sh
	$(SWIFT) run -c release keepalive-bench
	$(SWIFT) run -c release workflow-bench

bundles:
	bash scripts/build-bundles.sh

demo: deps build bundles
	WARMLANE=$(BINDIR)/warmlane bash scripts/demo.sh

clean:
	rm -rf .build out
