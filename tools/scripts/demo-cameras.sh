#!/usr/bin/env bash
# The scan demo: starts a few fake cameras on loopback (127.0.0.201-206, one
# port chosen at run time), scans the range with `focusmeter scan`, prints
# the table and writes an HTML report, then stops the cameras.
#
#   tools/scripts/demo-cameras.sh [BUILD_DIR] [OUT_DIR]
#
# BUILD_DIR defaults to build, OUT_DIR to BUILD_DIR/demo. Uses
# $FOCUSMETER_MODEL or models/default.json; without either, the test model
# tests/models/scan-blur-model.json (said so on stderr). Nothing leaves 127.0.0.0/8.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
out=${2:-$build/demo}
fakecam=$build/tests/fakecam/focusmeter-fakecam
focusmeter=$build/tools/focusmeter
[[ -x $fakecam && -x $focusmeter ]] || { echo "demo-cameras: build first (make build)" >&2; exit 1; }
mkdir -p "$out"

export GST_PLUGIN_PATH=$build/gst-plugin/element
export GST_REGISTRY=$build/registry.bin
model=${FOCUSMETER_MODEL:-$here/models/default.json}
if [[ ! -f $model ]]; then
  model=$here/tests/models/scan-blur-model.json
  echo "demo-cameras: no models/default.json yet: using the test model $model" >&2
fi

# Demo credentials: a throwaway password in a private file, never on argv.
secrets=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$secrets"
}
trap cleanup EXIT INT TERM
printf 'demo-%s\n' "$RANDOM$RANDOM" >"$secrets/camera.pw"
printf 'other-%s\n' "$RANDOM$RANDOM" >"$secrets/other.pw"

photo=/usr/lib/python3/dist-packages/skimage/data/astronaut.png  # public domain (NASA)
image=()
[[ -f $photo ]] && image=(--image "$photo")

# start_camera ADDRESS PORT ARGS...: starts one camera, waits for its READY
# line and sets $bound to the port it listens on.
start_camera() {
  local address=$1 port=$2 fifo line
  shift 2
  fifo=$secrets/ready-$address
  mkfifo "$fifo"
  "$fakecam" --address "$address" --port "$port" "$@" </dev/null >"$fifo" 2>/dev/null &
  pids+=($!)
  read -r line <"$fifo" || { echo "demo-cameras: camera $address did not start" >&2; exit 1; }
  bound=${line##* }
}

auth=(--user admin --password-file "$secrets/camera.pw")
start_camera 127.0.0.201 0 "${image[@]}" "${auth[@]}"
port=$bound
start_camera 127.0.0.202 "$port" "${image[@]}" --blur 3 "${auth[@]}" --path /cam/realmonitor
start_camera 127.0.0.203 "$port" --path /axis-media/media.amp "${auth[@]}"
start_camera 127.0.0.204 "$port" "${image[@]}" --blur 5 --path /h264Preview_01_main "${auth[@]}"
start_camera 127.0.0.205 "$port" --user admin --password-file "$secrets/other.pw"
start_camera 127.0.0.206 "$port" --mode garbage

echo "demo-cameras: 6 fake cameras on 127.0.0.201-206 port $port; scanning 127.0.0.200-207" >&2
export FOCUSMETER_PASSWORD
FOCUSMETER_PASSWORD=$(head -n1 "$secrets/camera.pw")
scan=("$focusmeter" scan 127.0.0.200-207 --user admin --port "$port" --model "$model")
set +e
"${scan[@]}" --format table --color never
status=$?
"${scan[@]}" --format html --output "$out/scan-report.html" --snapshots "$out/snapshots" 2>/dev/null
set -e
echo "demo-cameras: exit status $status; HTML report: $out/scan-report.html" >&2
