#!/bin/bash
D=build/focus-set
FULL=laplacian_variance,scharr_variance,contrast,laplacian_ratio_2x,laplacian_ratio_4x,edge_sharpness,edge_sharpness_2x,blur_effect
run() { name=$1; shift
  for seed in 1 2 3 4 5; do build/tools/focusmeter train --data $D --output /tmp/abl5.json --seed $seed "$@" 2>&1 | grep -E "target" | awk '{print $6, $9}' | tr -d ','; done | awk -v n="$name" '{ba+=$1; fa+=$2; if(m==""||$1<m)m=$1} END {printf "| %s | %.3f | %.3f | %.3f |\n", n, ba/NR, m, fa/NR}'; }
echo "| model | mean balanced accuracy | worst split | mean false alarms |"
echo "|---|---|---|---|"
run "logistic regression, original 4 features" --features laplacian_variance,laplacian_max,noise_sigma,scharr_variance
run "**shipped**: logistic regression, 8 features" 
for f in ${FULL//,/ }; do run "shipped minus $f" --features $(echo ,$FULL, | sed "s/,$f,/,/; s/^,//; s/,$//"); done
run "shipped plus noise_sigma" --features $FULL,noise_sigma
run "shipped plus laplacian_max" --features $FULL,laplacian_max
run "shipped plus brightness, texture" --features $FULL,brightness,texture
run "boosted trees (150 x depth 3), shipped features" -c trees
run "boosted trees (60 x depth 2), shipped features" -c trees --trees 60 --depth 2
