#!/usr/bin/env bash
# `make bench`: the core's speed on one thread, and the ratio against the
# original scikit-image path on the same 1080p image.
set -euo pipefail
build=${1:-build}
exec taskset -c 0 "$build/tests/bench/focusmeter-bench"
