#!/usr/bin/env bash
# `make demo`: the main job on built-in sample input. Starts six fake RTSP
# cameras on loopback (sharp, blurred, another brand's path, a wrong
# password, one answering garbage), scans them with `focusmeter scan`, prints
# the table and writes an HTML report with snapshots to demo-out/.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
exec "$root/tools/scripts/demo-cameras.sh" "$build" "$root/demo-out"
