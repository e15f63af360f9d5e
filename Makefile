# Front door. `make demo` and `make test` each do all set-up on a fresh
# Debian 12 machine: install missing packages, configure, build, then run.
BUILD ?= build
MESON_TEST_ARGS ?=

.PHONY: all deps build test test-unit test-element test-integration demo bench fuzz devenv install clean

all: build

deps:
	@tools/scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

test: build
	meson test -C $(BUILD) --print-errorlogs $(MESON_TEST_ARGS)

test-unit test-element test-integration: build
	meson test -C $(BUILD) --print-errorlogs --suite $(@:test-%=%)

demo: build
	@tools/scripts/demo.sh $(BUILD)

bench: build
	@tools/scripts/bench.sh $(BUILD)

# libFuzzer targets with clang + ASan in build-fuzz, FUZZ_SECONDS (30) each.
fuzz: deps
	@tools/scripts/fuzz.sh build-fuzz

devenv: build
	meson devenv -C $(BUILD) -w $(CURDIR)

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD)
