#!/usr/bin/python3
"""Writes the parity fixtures and their scikit-image reference features.

Run by hand (CI needs no Python) with Debian's python3-skimage (0.19):
    /usr/bin/python3 tests/parity/make_reference.py
It (re)writes tests/parity/fixtures/*.png and tests/parity/reference.json.
The features are exactly what the original Python tool computed, on the
luma as float (skimage.img_as_float of the 8-bit image, i.e. Y/255).

Source images are scikit-image's bundled data (licences in LICENSES.md
beside this script); synthetic fixtures use a fixed seed.
"""
import json
import os
import warnings

import numpy as np
import skimage
from skimage import data, filters, restoration, transform, util
from skimage.io import imsave
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")


def to_u8(img):
    return np.clip(np.round(img * 255.0), 0, 255).astype(np.uint8)


def luma(rgb):
    # Full-range BT.601, as the element converts RGB (OpenCV 15-bit fixed point).
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    return ((9798 * r + 19235 * g + 3735 * b + 16384) >> 15).astype(np.uint8)


def disk_blur(img_u8, radius):
    y, x = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    k = (x * x + y * y <= radius * radius).astype(np.float64)
    k /= k.sum()
    return to_u8(ndimage.convolve(img_u8 / 255.0, k, mode="reflect"))


def fixtures():
    rng = np.random.default_rng(20261125)
    camera = data.camera()
    astro = luma(data.astronaut())
    yield "camera_512x512", camera
    yield "astronaut_641x479", to_u8(transform.resize(astro, (479, 641), anti_aliasing=True))
    yield "camera_gaussian3_512x512", to_u8(filters.gaussian(camera, sigma=3))
    yield "astronaut_disk4_512x512", disk_blur(astro, 4)
    yield "brick_512x512", data.brick()
    yield "noise_320x240", np.clip(rng.normal(128, 20, (240, 320)).round(), 0, 255).astype(np.uint8)
    yield "flat_64x48", np.full((48, 64), 128, np.uint8)
    yield "black_33x17", np.zeros((17, 33), np.uint8)
    yield "tiny_5x3", rng.integers(0, 256, (3, 5), dtype=np.uint8)
    yield "row_7x1", rng.integers(0, 256, (1, 7), dtype=np.uint8)
    yield "pixel_1x1", np.array([[200]], np.uint8)
    yield "ramp_97x61", np.tile(np.linspace(0, 255, 97).round().astype(np.uint8), (61, 1))
    yield "checker_40x30", (((np.indices((30, 40)) // 5).sum(axis=0) % 2) * 255).astype(np.uint8)


def features(img_u8):
    img = util.img_as_float(img_u8)
    lap = filters.laplace(img)
    sigma = float(restoration.estimate_sigma(img))
    return {
        "laplacian_variance": float(lap.var()),
        "laplacian_max": float(lap.max()),
        # skimage gives NaN (median of an empty array) when every wavelet
        # coefficient is zero; focusmeter defines that case as 0.
        "noise_sigma": 0.0 if np.isnan(sigma) else sigma,
        "scharr_variance": float(filters.scharr(img).var()),
        "brightness": float(img.mean()),
        "contrast": float(img.std()),
    }


def main():
    warnings.simplefilter("ignore")  # empty-slice and 1-pixel-wide warnings of the edge cases
    os.makedirs(FIXTURES, exist_ok=True)
    out = {"generator": "tests/parity/make_reference.py", "skimage": skimage.__version__, "fixtures": {}}
    for name, img in fixtures():
        assert img.dtype == np.uint8 and img.ndim == 2, name
        path = os.path.join(FIXTURES, name + ".png")
        imsave(path, img, check_contrast=False)
        entry = {"file": "fixtures/" + name + ".png", "width": img.shape[1], "height": img.shape[0]}
        entry.update(features(img))
        out["fixtures"][name] = entry
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
