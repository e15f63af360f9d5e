#!/usr/bin/env bash
# `make demo`: runs focusmeter on the bundled sample clip (2 s sharp, then
# 2 s out of focus) and prints each analysis message.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
meson devenv -C "$build" gst-launch-1.0 -m filesrc location="$root/tests/data/focus-drift.mp4" \
  ! decodebin ! videoconvert ! focusmeter interval=500000000 ! fakesink 2>&1 \
  | grep -o 'focusmeter, final=.*' | sed 's/(guint64)//g; s/(double)//g; s/(int)//g; s/(boolean)//g; s/(string)//g'
