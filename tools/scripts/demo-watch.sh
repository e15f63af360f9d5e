#!/usr/bin/env bash
# `make demo-watch`: `focusmeter watch` on three fake cameras (loopback,
# 127.0.0.211-213, one port chosen at run time): a steady one, one whose
# lens drifts slightly (caught against its own reference) and one that is
# turned to another scene. Rounds of `watch --once` share one state file:
# two learn the references (--learn 2), then the cameras change (SIGUSR1 to
# fakecam) and two more rounds open the incidents (--confirm 2). Finally
# `watch reference show`. The state file is thrown away at the end.
#
#   tools/scripts/demo-watch.sh [BUILD_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
fakecam=$build/tests/fakecam/focusmeter-fakecam
focusmeter=$build/tools/focusmeter
[[ -x $fakecam && -x $focusmeter ]] || { echo "demo-watch: build first (make build)" >&2; exit 1; }
"$focusmeter" --help | grep -q '^  watch' || { echo "demo-watch: built without watch (-Dwatch)" >&2; exit 1; }
export GST_PLUGIN_PATH=$build/gst-plugin/element
export GST_REGISTRY=$build/registry.bin
export FOCUSMETER_MODEL=${FOCUSMETER_MODEL:-$here/models/default.json}

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

start_camera() {
  local address=$1 port=$2 fifo line
  shift 2
  fifo=$work/ready-$address
  mkfifo "$fifo"
  "$fakecam" --address "$address" --port "$port" "$@" </dev/null >"$fifo" 2>/dev/null &
  pids+=($!)
  read -r line <"$fifo" || { echo "demo-watch: camera $address did not start" >&2; exit 1; }
  bound=${line##* }
}

start_camera 127.0.0.211 0
port=$bound
start_camera 127.0.0.212 "$port" --blur 1.2 --change-to defocus --change-blur 1.2
drifts=${pids[-1]}
start_camera 127.0.0.213 "$port" --change-to scene
turned=${pids[-1]}

cat >"$work/cameras.json" <<JSON
[{"name": "gate", "url": "rtsp://127.0.0.211:$port/Streaming/Channels/101"},
 {"name": "yard", "url": "rtsp://127.0.0.212:$port/Streaming/Channels/101"},
 {"name": "dock", "url": "rtsp://127.0.0.213:$port/Streaming/Channels/101"}]
JSON
watch=("$focusmeter" watch --cameras "$work/cameras.json" --state "$work/watch.db" --learn 2 --confirm 2 --once)
round() {
  echo "\$ focusmeter watch --cameras cameras.json --state watch.db --learn 2 --confirm 2 --once"
  "${watch[@]}" 2>/dev/null || echo "(exit status $?)"
}
round
round
echo "demo-watch: yard's lens drifts a little, dock is turned to another scene" >&2
kill -USR1 "$drifts" "$turned"
sleep 2.5  # the change reaches clients with the encoder's next keyframe
round
round
echo "\$ focusmeter watch reference show --state watch.db"
"$focusmeter" watch reference show --state "$work/watch.db"
