#!/usr/bin/env bash
# Rebuilds tests/data/focus-drift.mp4 (committed; used by the element test,
# the check tests and `make demo`): 4 s of 320x240 at 10 fps, H.264 in MP4.
# 0-2 s: the astronaut photo (scikit-image data, public domain) sharp;
# 2-4 s: the same scene out of focus (disk PSF, radius 5 px).
# Needs python3-skimage, python3-scipy and GStreamer's x264enc (plugins-ugly).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp" <<'PY'
import sys
import numpy as np
from scipy import ndimage
from skimage import data, transform
from skimage.io import imsave

out = sys.argv[1]
img = transform.resize(data.astronaut(), (240, 320), anti_aliasing=True)  # float RGB in [0,1]
r = 5
y, x = np.mgrid[-r:r + 1, -r:r + 1]
disk = (x * x + y * y <= r * r).astype(float)
disk /= disk.sum()
blurred = np.stack([ndimage.convolve(img[..., c], disk, mode="reflect") for c in range(3)], axis=-1)
for i in range(40):
    frame = img if i < 20 else blurred
    imsave(f"{out}/frame{i:03d}.png", (frame * 255).round().astype(np.uint8), check_contrast=False)
PY
gst-launch-1.0 -q multifilesrc location="$tmp/frame%03d.png" index=0 stop-index=39 \
  caps="image/png,framerate=10/1" ! pngdec ! videoconvert ! video/x-raw,format=I420 \
  ! x264enc speed-preset=veryslow qp-max=18 key-int-max=10 ! video/x-h264,profile=main \
  ! mp4mux ! filesink location="$here/focus-drift.mp4"
