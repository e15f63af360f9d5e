# Front door. `make demo` and `make test` each do all set-up on a fresh
# Debian 12 machine: install missing packages, configure, build, then run.
BUILD ?= build
MESON_TEST_ARGS ?=
# The ASan/UBSan build (docs/development.md): its own directory. -Db_lundef=false
# because the plugin leaves the sanitizer runtime's symbols to the process
# that loads it; -Dwerror=false because GCC's -Wmaybe-uninitialized is not
# reliable under instrumentation (the normal build keeps -Werror).
SANITIZE_BUILD ?= build-asan

.PHONY: all deps build test test-unit test-element test-integration test-sanitize test-valgrind demo demo-watch bench eval fuzz devenv install clean

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

$(SANITIZE_BUILD)/build.ninja:
	meson setup $(SANITIZE_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false

# The unit and element suites under AddressSanitizer + UndefinedBehaviorSanitizer
# (LSan suppressions: tests/setups/lsan.supp).
test-sanitize: deps $(SANITIZE_BUILD)/build.ninja
	meson compile -C $(SANITIZE_BUILD)
	meson test -C $(SANITIZE_BUILD) --print-errorlogs --suite unit --suite element

# The unit suite under valgrind memcheck (slow; `meson test --setup valgrind`).
test-valgrind: build
	meson test -C $(BUILD) --print-errorlogs --setup valgrind --suite unit

demo: build
	@tools/scripts/demo.sh $(BUILD)

# `focusmeter watch` on three fake cameras that change while running.
demo-watch: build
	@tools/scripts/demo-watch.sh $(BUILD)

bench: build
	@tools/scripts/bench.sh $(BUILD)

# The camera set and the leave-one-package-out evaluation (issue 13): every
# number of models/camera-evaluation.md, then the classifiers compared on the
# exported feature tables (models/classifier-comparison.md; needs Debian's
# python3-sklearn, an optional training dependency, skipped without it).
# Minutes on 2 cores.
eval: build
	nice -n 10 $(BUILD)/tools/focusmeter train dataset --recipe camera --output $(BUILD)/camera-set
	nice -n 10 $(BUILD)/tools/focusmeter train eval --data $(BUILD)/camera-set --model models/default.json \
		--report models/camera-evaluation.md --candidate $(BUILD)/camera-logistic.json \
		--predictions $(BUILD)/camera-predictions.csv \
		--export-features $(BUILD)/camera-frames.csv --export-tiles $(BUILD)/camera-tiles.csv
	@if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then \
		nice -n 10 /usr/bin/python3 tools/train/compare_classifiers.py --frames $(BUILD)/camera-frames.csv \
			--tiles $(BUILD)/camera-tiles.csv --report models/classifier-comparison.md \
			--decisions $(BUILD)/camera-classifier-decisions.csv; \
	else echo "make eval: python3-sklearn not installed, classifier comparison skipped"; fi

# libFuzzer targets with clang + ASan in build-fuzz, FUZZ_SECONDS (30) each.
fuzz: deps
	@tools/scripts/fuzz.sh build-fuzz

devenv: build
	meson devenv -C $(BUILD) -w $(CURDIR)

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD)
