#!/bin/bash
# `make fuzz`: builds the libFuzzer targets of tests/fuzz with clang and
# AddressSanitizer in their own build folder, then runs each for a bounded
# time from its seed corpus. New inputs go to BUILD/corpus/NAME (the seeds in
# the repository are read only); a crash leaves crash-* in BUILD and fails.
#   FUZZ_SECONDS  time per target (default 30)
set -euo pipefail
build=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-30}
src=$(cd "$(dirname "$0")/../.." && pwd)
# clang and libFuzzer only for this target, not for `make test`.
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
fi
if [[ ! -f $build/build.ninja ]]; then
  # Coverage instrumentation everywhere (fuzzer-no-link), the fuzzer's main
  # only in the targets (tests/fuzz/meson.build): otherwise libFuzzer sees
  # only the harness and mutates blind.
  CC=clang CXX=clang++ meson setup "$build" "$src" -Dfuzzing=true -Db_sanitize=address -Db_lundef=false \
    -Dwerror=false -Dbuildtype=debugoptimized -Dc_args=-fsanitize=fuzzer-no-link -Dcpp_args=-fsanitize=fuzzer-no-link
fi
names=(image_decode model targets cameras serve_request)
targets=()
for n in "${names[@]}"; do targets+=("tests/fuzz/fuzz-${n//_/-}"); done
meson compile -C "$build" "${targets[@]}"
status=0
for n in "${names[@]}"; do
  exe=$build/tests/fuzz/fuzz-${n//_/-}
  mkdir -p "$build/corpus/$n" "$build/crashes/$n"
  echo "== fuzz-${n//_/-}: ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -max_len=65536 -timeout=10 -print_final_stats=1 -artifact_prefix="$build/crashes/$n/" \
      "$build/corpus/$n" "$src/tests/fuzz/corpus/$n" 2>"$build/fuzz-$n.log"; then
    echo "   FOUND A CRASH: see $build/fuzz-$n.log and $build/crashes/$n/" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz-$n.log" | sed 's/^/   /' || true
done
exit $status
