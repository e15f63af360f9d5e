#!/bin/sh
# Runs one test program with a GStreamer registry of its own.
#
#   isolated.sh SCRATCH_DIR PROGRAM [ARGS...]
#
# Every `meson test` run goes through this (the default test setup and the
# valgrind one, tests/meson.build): the registry lives in a fresh directory
# under SCRATCH_DIR, so no two test processes share one, no run sees what an
# earlier one cached, and $HOME's registry is never read or written. The
# processes a test starts (focusmeter, fakecam) inherit it. The rest of the
# isolation (which plugin directories are scanned, the model) is the
# environment set in tests/meson.build.
set -eu
scratch=$1
shift
mkdir -p "$scratch"
dir=$(mktemp -d "$scratch/registry.XXXXXX")
GST_REGISTRY="$dir/registry.bin"
GST_REGISTRY_1_0="$GST_REGISTRY"
export GST_REGISTRY GST_REGISTRY_1_0
rc=0
"$@" || rc=$?
rm -rf "$dir"
exit "$rc"
