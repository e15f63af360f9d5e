#!/usr/bin/python3
"""The original tool's feature path, timed: prints milliseconds of CPU time per frame
(the thread's, like focusmeter-bench).

    skimage_reference.py IMAGE.png [REPEATS]

The four features exactly as the original Python tool computed them with
scikit-image (0.19, Debian's python3-skimage), on the 8-bit luma image.
Used by focusmeter-bench for its speed ratio; not part of the product.
"""
import sys
import time

import numpy as np
from skimage import filters, io, restoration, util


def features(img):
    lap = filters.laplace(img)
    return lap.var(), lap.max(), restoration.estimate_sigma(img), filters.scharr(img).var()


def main():
    img = util.img_as_float(io.imread(sys.argv[1]))
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    features(img)  # warm up imports and caches
    times = []
    for _ in range(repeats):
        t0 = time.thread_time()
        features(img)
        times.append((time.thread_time() - t0) * 1000.0)
    print(f"{float(np.median(times)):.3f}")


if __name__ == "__main__":
    main()
