# mfd-repro — build, test and benchmark. Every target installs the system packages it needs first.
SHELL := /bin/bash
SWIFT ?= swift
THREADS ?= 2

# Debian packages the build and the tests need (checked with dpkg, installed only when missing).
SYSTEM_PACKAGES := libopenblas-dev pkg-config zlib1g-dev libturbojpeg0-dev dataset-fashion-mnist

.PHONY: all deps build test bench clean

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

build: deps
	$(SWIFT) build -c release --product mfd

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

bench: build
	.build/release/mfd bench --threads $(THREADS)

clean:
	rm -rf .build
