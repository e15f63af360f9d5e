#!/usr/bin/env bash
# Regenerates the blackbox ratchet's frames (tests/blackbox/, issue 13):
# a camera-recipe set made with its own seed (not the training set's),
# then per degradation kind up to 8 CLEAR/BLURRY frames (half each when
# there are enough), small ones only (at most 640x480 pixels) so that the committed
# set stays a few MB. Deterministic: the generator is seeded and the choice
# follows the manifest's order.
#
#   tools/scripts/make-blackbox.sh [build/tools/focusmeter]
#
# Then run `meson test -C build blackbox`: it prints how many frames pass
# per kind; the committed minimum is tests/blackbox/ratchet.csv.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
focusmeter=${1:-$root/build/tools/focusmeter}
out=$root/tests/blackbox
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

nice -n 10 "$focusmeter" train dataset --recipe camera --seed 101 --per-source 8 --output "$work/set" -j 2

rm -rf "$out/frames"
mkdir -p "$out/frames"
# Manifest columns: 1 path, 2 label, 4 package, 5 blur, 6 blur_size_1080,
# 8 lighting, 9 haze, 12 sharpen, 13 osd, 14 width, 15 height, 16 stream,
# 17 codec.
awk -F, -v per_kind=8 '
  NR == 1 { next }
  $2 == "ambiguous" || $14 * $15 > 640 * 480 { next }
  {
    k = 0
    kinds[++k] = ($13 == 1) ? "osd" : ""
    kinds[++k] = ($12 > 0) ? "sharpening" : ""
    kinds[++k] = ($17 == "h264") ? "h264" : ""
    kinds[++k] = ($17 == "h265") ? "h265" : ""
    kinds[++k] = ($17 == "jpeg") ? "jpeg" : ""
    kinds[++k] = ($8 == "irnight") ? "irnight" : ""
    kinds[++k] = ($9 > 0) ? "haze" : ""
    kinds[++k] = ($8 == "lowlight") ? "lowlight" : ""
    kinds[++k] = ($16 == "sub") ? "substream" : ""
    kinds[++k] = ($5 == "tilt") ? "tilt" : ""
    for (i = 1; i <= k; ++i) {
      kind = kinds[i]
      if (kind == "" || taken[kind, $2] >= per_kind / 2) continue
      taken[kind, $2]++
      print kind "," $1 "," $2 "," $4 "," $5 "," $6 "," $14 "x" $15 "," $17
      break
    }
  }' "$work/set/manifest.csv" > "$work/chosen.csv"

{
  echo "kind,path,expected,package,blur,blur_size_1080,size,codec"
  while IFS=, read -r kind path label rest; do
    dest="frames/${kind}_$(basename "$path")"
    cp "$work/set/$path" "$out/$dest"
    echo "$kind,$dest,$label,$rest"
  done < "$work/chosen.csv"
} > "$out/expected.csv"
echo "blackbox: $(($(wc -l < "$out/expected.csv") - 1)) frames, $(du -sh "$out/frames" | cut -f1)" >&2
