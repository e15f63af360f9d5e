#!/usr/bin/env bash
# Feature ablation for the model card: trains the shipped recipe on five
# different held-out splits (by source photo) with one feature removed or
# added at a time, and prints a Markdown table of held-out target balanced
# accuracy (mean and worst split) and mean false-alarm rate.
# Usage: tools/scripts/ablation.sh [BUILD_DIR] [DATA_DIR]   (about 1 min with a warm feature cache)
set -euo pipefail
BUILD=${1:-build}
D=${2:-$BUILD/focus-set}
FM="$BUILD/tools/focusmeter"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
FULL=laplacian_variance,scharr_variance,contrast,laplacian_ratio_2x,laplacian_ratio_4x,edge_sharpness,edge_sharpness_2x,blur_effect
run() {
  local name=$1
  shift
  for seed in 1 2 3 4 5; do
    "$FM" train --data "$D" --output "$OUT/m.json" --seed "$seed" "$@" 2>&1 | grep "held-out target" |
      sed -E 's/.*balanced accuracy ([0-9.]+), false alarms ([0-9.]+).*/\1 \2/'
  done | awk -v n="$name" '{ba+=$1; fa+=$2; if(m==""||$1<m)m=$1} END {printf "| %s | %.3f | %.3f | %.3f |\n", n, ba/NR, m, fa/NR}'
}
echo "| model | mean balanced accuracy | worst split | mean false alarms |"
echo "|---|---|---|---|"
run "logistic regression, original 4 features" --features laplacian_variance,laplacian_max,noise_sigma,scharr_variance
run "**shipped**: logistic regression, 8 features"
for f in ${FULL//,/ }; do
  run "shipped minus $f" --features "$(echo ",$FULL," | sed "s/,$f,/,/; s/^,//; s/,$//")"
done
run "shipped plus noise_sigma" --features "$FULL,noise_sigma"
run "shipped plus laplacian_max" --features "$FULL,laplacian_max"
run "shipped plus brightness, texture" --features "$FULL,brightness,texture"
run "boosted trees (150 x depth 3), shipped features" -c trees
run "boosted trees (60 x depth 2), shipped features" -c trees --trees 60 --depth 2
