#!/bin/bash
# Client CPU of one `focusmeter watch` check (keyframes only, --frames 2:
# connect, wait for a keyframe, judge two, disconnect) against a fake camera
# on loopback (tests/fakecam, GOP 1 s), at 1080p and 4K, H.264 and H.265.
#
# Only focusmeter's own CPU counts, never the camera's: user+sys of the
# focusmeter process alone (/proc/self/stat of the shell that waits for it:
# its children's times). What a running watch pays per check is the
# marginal cost: a watch that runs SECONDS with --every 1 (checks back to
# back) made K checks for CPU C_K; a `watch --once` made one for C_1 (both
# pay start-up, GStreamer and plugin loading, the model, the state file
# once); a check costs (C_K - C_1) / (K - 1). Medians of N runs each.
#
# Usage: tests/bench/watch_bench.sh BUILD_DIR [N] [SECONDS]   (default 3 runs of 20 s)
# Environment: FRAMES (keyframes judged per check, default 2), CODECS
# ("h264 h265"), SIZES ("1920x1080 3840x2160").
# Numbers depend on the machine and its load: run it on an idle one.
set -euo pipefail
build=$(realpath "${1:?usage: watch_bench.sh BUILD_DIR [N]}")
runs=${2:-3}
seconds=${3:-20}
frames=${FRAMES:-2}
fakecam="$build/tests/fakecam/focusmeter-fakecam"
focusmeter="$build/tools/focusmeter"
export GST_PLUGIN_PATH="$build/gst-plugin/element" GST_REGISTRY="$build/registry.bin"
export FOCUSMETER_MODEL="${FOCUSMETER_MODEL:-$(dirname "$build")/models/default.json}"
block="127.$((RANDOM % 190 + 64)).$((RANDOM % 256))"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start_camera() {
  local octet=$1 fifo line
  shift
  fifo="$work/fifo"
  mkfifo "$fifo"
  "$fakecam" --address "$block.$octet" --port 0 --gop 1 --fps 5 "$@" >"$fifo" </dev/zero &
  camera=$!
  pids+=("$camera")
  read -r line <"$fifo"
  rm -f "$fifo"
  port=${line##* }
}
stop_camera() { kill "$camera" 2>/dev/null || true; wait "$camera" 2>/dev/null || true; }

cpu_of() {
  local me=$BASHPID t0 t1
  t0=$(awk '{print $16+$17}' "/proc/$me/stat")
  "$@" >/dev/null 2>&1 || true
  t1=$(awk '{print $16+$17}' "/proc/$me/stat")
  awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", (b - a) / hz }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# once_of URL -> the median CPU of N `watch --once` runs.
once_of() {
  for i in $(seq "$runs"); do
    cpu_of "$focusmeter" watch "$1" --once --frames "$frames" --timeout 15 --state "$work/once-$i.db" -q
    echo
  done | median
}

# loop_of URL -> "CPU CHECKS": medians of N watches of SECONDS, checks back
# to back; the checks counted from the watch's own lines.
loop_of() {
  for i in $(seq "$runs"); do
    local out="$work/loop-$i.out" cpu
    cpu=$(cpu_of sh -c "exec timeout -s TERM $seconds '$focusmeter' watch '$1' --every 1 --jitter 0 --frames $frames \
      --timeout 15 --state '$work/loop-$i.db' >'$out'")
    echo "$cpu $(grep -c ' CLEAR .*\[check ' "$out" || true)"
  done | sort -g | awk '{ c[NR] = $1; k[NR] = $2 } END { m = int((NR + 1) / 2); print c[m], k[m] }'
}

printf "%-12s %9s %12s %10s\n" "camera" "once (s)" "loop (s/K)" "check (ms)"
octet=10
for codec in ${CODECS:-h264 h265}; do
  for size in ${SIZES:-1920x1080 3840x2160}; do
    start_camera "$octet" --codec "$codec" --width "${size%x*}" --height "${size#*x}"
    url="rtsp://$block.$octet:$port/Streaming/Channels/101"
    once=$(once_of "$url")
    read -r loop checks < <(loop_of "$url")
    stop_camera
    awk -v n="$codec ${size#*x}p" -v o="$once" -v l="$loop" -v k="$checks" \
      'BEGIN { printf "%-12s %9.3f %8.3f/%-3d %10.0f\n", n, o, l, k, (k > 1 ? (l - o) / (k - 1) * 1000 : -1) }'
    octet=$((octet + 1))
  done
done
