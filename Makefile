# mfd-repro — build, test and benchmark. Every target installs the system packages it needs first.
SHELL := /bin/bash
SWIFT ?= swift
THREADS ?= $(shell nproc)

# Debian packages the build and the tests need (checked with dpkg, installed only when missing).
SYSTEM_PACKAGES := libopenblas-dev libopenblas0-openmp libdnnl-dev pkg-config zlib1g-dev libturbojpeg0-dev libpng-dev dataset-fashion-mnist

PYTHON ?= python3
VENV := .venv
# Extra arguments for scripts/bench_vs_pytorch.py, e.g. ARGS="--models resnet50 --rounds 5".
ARGS ?=

# Extra flags for swift build, e.g. BUILD_FLAGS="-j 1" on a shared machine.
BUILD_FLAGS ?=
# The private single-node Slurm cluster for test-slurm (state in $$SLURM_CI_DIR, default /tmp/mfd-slurm).
SLURM_CLUSTER := scripts/slurm/cluster.sh

# Pipeline runs: make reproduce-table5 [PROFILE=paper|quick|smoke] [JOBS=n]; make demo.
PROFILE ?=
JOBS ?= 1
# The binary sweeps run with; MFD_CONFIG=debug reuses the test build (CI's smoke sweeps).
MFD_CONFIG ?= release
MFD := .build/$(MFD_CONFIG)/mfd
MANIFESTS := $(filter-out profiles,$(basename $(notdir $(wildcard manifests/*.yaml))))

.PHONY: all deps build test test-slurm bench bench-vs-pytorch clean demo reproduce-all $(addprefix reproduce-,$(MANIFESTS))

all: build

deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; }; \
	fi

# The release binary is rebuilt only when a source changed, so a sweep that has nothing to do
# returns at once (`swift build` alone takes about a second to find nothing to do).
SOURCES := Package.swift $(shell find Sources -type f 2>/dev/null)
build: $(MFD)
$(MFD): $(SOURCES)
	@$(MAKE) --no-print-directory deps
	$(SWIFT) build -c $(MFD_CONFIG) --product mfd $(BUILD_FLAGS)
	@touch $@

# OPENBLAS_THREAD_TIMEOUT from the environment: OpenBLAS then starts its pool with our idle-spin
# limit instead of `OpenBLASIdleSpin` restarting it at the first `setThreadCount`, which can
# deadlock inside OpenBLAS when another test is in a BLAS call at that moment.
test: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	OPENBLAS_THREAD_TIMEOUT=20 $(SWIFT) test --skip-build --no-parallel

# The Slurm executor against a real Slurm: starts a private cluster (installing slurmctld, slurmd,
# slurm-client and munge when missing), runs the Slurm tests, stops the cluster even when they fail.
# Fails when the cluster cannot start (MFD_REQUIRE_SLURM turns the tests' skip into a failure).
test-slurm: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	@trap '$(SLURM_CLUSTER) down' EXIT; \
	$(SLURM_CLUSTER) up && eval "$$($(SLURM_CLUSTER) env)" && \
	MFD_REQUIRE_SLURM=1 OPENBLAS_THREAD_TIMEOUT=20 $(SWIFT) test --skip-build --no-parallel --filter SlurmClusterTests

bench: build
	.build/release/mfd bench --threads $(THREADS)

# Ours against PyTorch, alternating in one run. PyTorch (and tcmalloc, its best allocator) are
# developer tools: installed into .venv / from Debian here only when missing.
bench-vs-pytorch: build
	@dpkg -s libtcmalloc-minimal4 >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -qq libtcmalloc-minimal4 >/dev/null 2>&1 || echo "tcmalloc not installed: PyTorch runs with its default allocator"; }
	@if $(PYTHON) -c "import torch, torchvision" 2>/dev/null; then py=$(PYTHON); \
	else \
	  if ! $(VENV)/bin/python -c "import torch, torchvision" 2>/dev/null; then \
	    echo "installing PyTorch into $(VENV) (a developer tool, not a dependency of mfd)"; \
	    $(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install -q torch torchvision || exit 1; \
	  fi; py=$(VENV)/bin/python; \
	fi; \
	$$py scripts/bench_vs_pytorch.py --threads $(THREADS) $(ARGS)

# The offline real-data run: Table V's shape on Fashion-MNIST (Debian package) with small
# networks, softmax vs softmax + MFD, 3 seeds; writes results/demo.md. Rerunning reuses every
# finished step; a killed run resumes where it stopped. One step per core: networks at 1/8
# width gain nothing from a second thread (densenet121: 7.3 s on one thread, 10.3 s on two).
DEMO_JOBS ?= $(THREADS)
demo: build
	$(MFD) run demo --jobs $(DEMO_JOBS) --threads $(THREADS) $(if $(PROFILE),--profile $(PROFILE))

# The whole paper: every table and figure manifest, at PROFILE (shared steps run once).
PAPER_MANIFESTS := $(sort $(filter table% fig%,$(MANIFESTS)))
reproduce-all: $(addprefix reproduce-,$(PAPER_MANIFESTS))

# One target per manifest: make reproduce-table5 PROFILE=quick JOBS=2.
$(addprefix reproduce-,$(MANIFESTS)): reproduce-%: build
	$(MFD) run $* --jobs $(JOBS) --threads $(THREADS) $(if $(PROFILE),--profile $(PROFILE))

clean:
	rm -rf .build
