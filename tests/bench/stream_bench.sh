#!/bin/bash
# Stream benchmarks against fake cameras on loopback (tests/fakecam):
#
#   keyframes  CPU (user+sys) of N `focusmeter check rtsp://` runs watching a
#              1080p camera (GOP 1 s) for 4 s, one picture a second, with and
#              without --keyframes-only; prints both and their ratio.
#   first      time from connect to the first judged picture (`scan --frames 1`,
#              the camera's elapsed_ms) at 1080p and 4K, GOP 1, 2 and 4 s:
#              min / median / max of N runs.
#
# Usage: tests/bench/stream_bench.sh BUILD_DIR [keyframes|first|all] [N]
# Numbers depend on the machine and its load: run it on an idle one.
set -euo pipefail
build=$(realpath "${1:?usage: stream_bench.sh BUILD_DIR [keyframes|first|all] [N]}")
what=${2:-all}
runs=${3:-5}
fakecam="$build/tests/fakecam/focusmeter-fakecam"
focusmeter="$build/tools/focusmeter"
export GST_PLUGIN_PATH="$build/gst-plugin/element" GST_REGISTRY="$build/registry.bin"
block="127.$((RANDOM % 190 + 64)).$((RANDOM % 256))"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start_camera OCTET ARGS... -> sets $port and $camera (its pid); not in a
# subshell, so that the exit trap knows every camera.
start_camera() {
  local octet=$1
  shift
  local fifo line
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  "$fakecam" --address "$block.$octet" --port 0 "$@" >"$fifo" </dev/zero &
  camera=$!
  pids+=("$camera")
  read -r line <"$fifo"
  rm -f "$fifo"
  port=${line##* }
}
stop_camera() { kill "$camera" 2>/dev/null || true; wait "$camera" 2>/dev/null || true; }

# cpu_of CMD... -> user+sys seconds of the command (and its children), from
# the children's times of the shell that waited for it (/proc/PID/stat).
cpu_of() {
  local me=$BASHPID t0 t1  # this (sub)shell: it waits for the command
  t0=$(awk '{print $16+$17}' "/proc/$me/stat")
  "$@" >/dev/null 2>&1 || true
  t1=$(awk '{print $16+$17}' "/proc/$me/stat")
  awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'
}
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }

if [[ $what == keyframes || $what == all ]]; then
  start_camera 10 --width 1920 --height 1080 --gop 1
  url="rtsp://$block.10:$port/Streaming/Channels/101"
  args=(check --stream-seconds 4 --every 1 -f json "$url")
  full=0 kf=0
  for _ in $(seq "$runs"); do
    full=$(add "$full" "$(cpu_of "$focusmeter" "${args[@]}")")
    kf=$(add "$kf" "$(cpu_of "$focusmeter" "${args[@]}" --keyframes-only)")
  done
  echo "keyframes: $runs checks of a 1080p GOP-1s camera, 4 s watched, 1 picture/s"
  echo "  full decode:     $full s CPU (user+sys)"
  echo "  keyframes only:  $kf s CPU (user+sys)"
  echo "  ratio full/keyframes-only: $(awk -v a="$full" -v b="$kf" 'BEGIN { printf "%.2f", a / b }')"
  stop_camera
fi

if [[ $what == first || $what == all ]]; then
  echo "first: connect -> first judged picture (scan --frames 1 elapsed_ms), $runs runs each"
  octet=20
  for size in 1920x1080 3840x2160; do
    for gop in 1 2 4; do
      start_camera $octet --width "${size%x*}" --height "${size#*x}" --gop "$gop" --fps 10
      times=()
      for _ in $(seq "$runs"); do
        ms=$("$focusmeter" scan --no-model --frames 1 --timeout 15 --port "$port" --format jsonl "$block.$octet" 2>/dev/null |
          sed -n 's/.*"elapsed_ms":\([0-9.]*\).*/\1/p')
        times+=("${ms:-NaN}")
      done
      sorted=$(printf '%s\n' "${times[@]}" | sort -g | tr '\n' ' ')
      read -r -a s <<<"$sorted"
      echo "  $size GOP ${gop}s: min ${s[0]} ms, median ${s[$((runs / 2))]} ms, max ${s[$((runs - 1))]} ms"
      stop_camera
      octet=$((octet + 1))
    done
  done
fi
