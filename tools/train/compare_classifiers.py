#!/usr/bin/python3
"""Classifiers compared on the worst held-out package (issue 13).

Reads the feature tables `focusmeter train eval --export-features F.csv
--export-tiles T.csv` writes (tools/train/feature_table.h: the same images,
labels, packages and inner cross-validation folds as the C++ evaluation) and
runs, for each classifier, the C++ recipe's protocol:

  leave one package out; inside the training packages, 5-fold
  cross-validation by source photo (the table's cv_fold) gives out-of-fold
  scores; a Platt scaling is fitted on their logits, and the threshold is the
  one in 0.30..0.95 with the best out-of-fold balanced accuracy on the main
  task whose out-of-fold false-alarm rate stays <= 2 %; then the classifier is
  refitted on every training package and the held-out package is judged.

Two ways of judging a frame:
  whole frame -- the classifier on the frame's features;
  focus map   -- the classifier on each tile's features, tiles voting as in
                 gst-plugin/core/include/focusmeter/focus_map.h (textured, not
                 an overlay unless more than a third of the textured tiles look
                 like one), the frame's score the median of the voting tiles'
                 (no voting tile: UNKNOWN, not BLURRY). A classifier is trained
                 either on whole frames (as the shipped model) or on tiles: every
                 textured, non-overlay tile of a CLEAR or BLURRY frame with a
                 uniform blur (tilted defocus left out), labelled by its frame.

Figures: balanced accuracy of the main task (evaluation.h's in_target) and of
every CLEAR/BLURRY frame, per held-out package (mean, worst) and pooled; false
alarms and detection of disk r >= 4 under OSD, sharpening and IR night.

Needs Debian's python3-sklearn (an optional training dependency; `make test`
does not need it). Usage:
  /usr/bin/python3 tools/train/compare_classifiers.py --frames F.csv --tiles T.csv [--report OUT.md]
"""

import argparse
import math
import sys
import time

import numpy as np

try:
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
except ImportError:
    sys.exit("compare_classifiers.py: needs python3-sklearn (apt-get install python3-sklearn)")

# features.h order is not needed: columns are read by name.
SHIPPED = ["laplacian_variance", "scharr_variance", "contrast", "laplacian_ratio_2x",
           "laplacian_ratio_4x", "edge_sharpness", "edge_sharpness_2x", "blur_effect"]
ALL = ["laplacian_variance", "laplacian_max", "noise_sigma", "scharr_variance", "brightness",
       "contrast", "laplacian_ratio_2x", "laplacian_ratio_4x", "edge_sharpness", "blur_effect",
       "texture", "edge_sharpness_2x"]
# trainer.cpp's transform_for(): scale-like features on a log scale.
LOG_OFFSET = {"laplacian_variance": 1e-8, "laplacian_max": 1e-4, "noise_sigma": 1e-3,
              "scharr_variance": 1e-8, "laplacian_ratio_2x": 1e-3, "laplacian_ratio_4x": 1e-3,
              "edge_sharpness": 1e-3, "edge_sharpness_2x": 1e-3, "texture": 1e-4}
MAX_OVERLAY_SHARE = 1.0 / 3  # focus_map.h's kMaxOverlayShare
MAX_FALSE_ALARMS = 0.02
TILE_CAP = 16  # training tiles drawn per frame (seeded), to bound the fit time
LARGE = 10  # main-task frames of each class a package needs for the "large packages" column


def read_table(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split(",")
        rows = [line.rstrip("\n").split(",") for line in f]
    cols = {name: [r[i] for r in rows] for i, name in enumerate(head)}
    return cols, len(rows)


def matrix(cols, names):
    x = np.empty((len(cols["path"]), len(names)))
    for j, name in enumerate(names):
        v = np.asarray(cols[name], dtype=float)
        if name in LOG_OFFSET:
            v = np.log(np.maximum(v, 0.0) + LOG_OFFSET[name])
        x[:, j] = v
    return x


def num(cols, name):
    return np.asarray([float(v) if v else 0.0 for v in cols[name]])


class Frames:
    """Every image: labels, kinds, frame features, and its tiles' rows."""

    def __init__(self, frames_csv, tiles_csv):
        c, n = read_table(frames_csv)
        self.n = n
        self.path = np.asarray(c["path"])
        self.package = np.asarray(c["package"])
        self.label = np.asarray(c["label"])
        self.labelled = self.label != "ambiguous"
        self.y = (self.label == "blurry").astype(int)
        self.target = np.asarray(c["in_target"]) == "1"
        self.fold = np.asarray(c["cv_fold"], dtype=int)
        self.blur = np.asarray(c["blur"])
        self.size = num(c, "blur_size_1080")
        self.osd = num(c, "osd") > 0
        self.sharpen = num(c, "sharpen") > 0
        self.irnight = np.asarray(c["lighting"]) == "irnight"
        self.disk4 = (self.label == "blurry") & (self.blur == "disk") & (self.size >= 4)
        self.cols = c
        self.tiles = None
        if tiles_csv:
            t, _ = read_table(tiles_csv)
            index = {p: i for i, p in enumerate(self.path)}
            self.tile_frame = np.asarray([index[p] for p in t["path"]])
            textured = np.asarray(t["textured"]) == "1"
            overlay = np.asarray(t["overlay"]) == "1"
            # focus_map.h step 4: overlays leave the vote unless they are
            # more than a third of the textured tiles (then it is the scene).
            voting = textured & ~overlay
            for i in range(n):
                sel = self.tile_frame == i
                nt = np.count_nonzero(textured[sel])
                if nt and np.count_nonzero(textured[sel] & overlay[sel]) > MAX_OVERLAY_SHARE * nt:
                    voting[sel] = textured[sel]
            self.voting = voting
            self.tiles = t
            self.tile_index = np.asarray(t["tile"], dtype=int)


def make_classifier(kind, seed):
    if kind == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, class_weight="balanced", max_iter=500))
    if kind == "boosted":
        return HistGradientBoostingClassifier(max_iter=150, max_depth=3, learning_rate=0.1, l2_regularization=1.0,
                                              class_weight="balanced", random_state=seed)
    if kind == "forest":
        return RandomForestClassifier(n_estimators=150, min_samples_leaf=5, max_features="sqrt",
                                      class_weight="balanced", n_jobs=2, random_state=seed)
    if kind == "mlp":
        return make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(32, 16), alpha=1e-3, max_iter=400,
                                                             early_stopping=True, random_state=seed))
    raise ValueError(kind)


def logit(p):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def median_by_frame(frames, frame_ids, scores, n):
    """Median of the voting tiles' scores per frame (NaN: no voting tile)."""
    out = np.full(n, np.nan)
    order = np.argsort(frame_ids, kind="stable")
    ids, starts = np.unique(frame_ids[order], return_index=True)
    ends = list(starts[1:]) + [len(order)]
    for i, a, b in zip(ids, starts, ends):
        out[i] = np.median(scores[order[a:b]])
    return out


class Recipe:
    """One classifier on one feature set, trained on frames or tiles, judged on frames or through the map."""

    def __init__(self, kind, features, train_on, judge_by):
        self.kind, self.features, self.train_on, self.judge_by = kind, features, train_on, judge_by

    def name(self):
        fs = "8 shipped features" if self.features is SHIPPED else "12 features"
        return f"{self.kind}, {fs}, trained on {self.train_on}s, judged by {self.judge_by}"

    def _fit(self, fr, frames_mask):
        """Fits on the labelled frames (or their tiles) of frames_mask."""
        if self.train_on == "frame":
            sel = frames_mask & fr.labelled
            x, y = matrix_cache(fr, "frame", self.features)[sel], fr.y[sel]
        else:
            tf = fr.tile_frame
            keep = frames_mask[tf] & fr.labelled[tf] & (fr.blur[tf] != "tilt") & fr.voting
            # At most TILE_CAP tiles per frame, those of the smallest hash of
            # (frame, tile): the same tiles in every split.
            idx = np.flatnonzero(keep)
            rank = (fr.tile_index[idx] * 2654435761 + tf[idx] * 40503) % 1000003
            idx = idx[np.lexsort((rank, tf[idx]))]
            _, first, counts = np.unique(tf[idx], return_index=True, return_counts=True)
            pos = np.arange(len(idx)) - np.repeat(first, counts)
            idx = idx[pos < TILE_CAP]
            x, y = matrix_cache(fr, "tile", self.features)[idx], fr.y[tf[idx]]
        clf = make_classifier(self.kind, 1)
        clf.fit(x, y)
        return clf

    def _score(self, clf, fr, frames_mask):
        """Raw probability of BLURRY per frame of frames_mask (NaN: UNKNOWN)."""
        out = np.full(fr.n, np.nan)
        if self.judge_by == "frame":
            sel = np.flatnonzero(frames_mask)
            out[sel] = clf.predict_proba(matrix_cache(fr, "frame", self.features)[sel])[:, 1]
            return out
        tsel = np.flatnonzero(frames_mask[fr.tile_frame] & fr.voting)
        p = clf.predict_proba(matrix_cache(fr, "tile", self.features)[tsel])[:, 1]
        med = median_by_frame(fr, fr.tile_frame[tsel], p, fr.n)
        out[frames_mask] = med[frames_mask]
        return out

    def run(self, fr, train_mask, test_mask):
        """Calibrated, thresholded decisions on test_mask: (score, blurry) arrays."""
        oof = np.full(fr.n, np.nan)
        for k in range(5):
            fit_part = train_mask & (fr.fold != k)
            test_part = train_mask & (fr.fold == k)
            if not test_part.any():
                continue
            if len(set(fr.y[fit_part & fr.labelled])) < 2:
                continue
            clf = self._fit(fr, fit_part)
            s = self._score(clf, fr, test_part)
            oof[test_part] = s[test_part]
        have = train_mask & fr.labelled & ~np.isnan(oof)
        a, b = 1.0, 0.0  # as trainer.cpp: no Platt scaling without both classes out of fold
        if len(set(fr.y[have])) == 2:
            platt = LogisticRegression(C=1e6).fit(logit(oof[have]).reshape(-1, 1), fr.y[have])
            a, b = platt.coef_[0][0], platt.intercept_[0]
        cal = lambda s: 1 / (1 + np.exp(-(a * logit(s) + b)))
        tsel = have & fr.target
        best = (False, 0, 2, 0.5)
        if len(set(fr.y[tsel])) < 2:
            tsel = np.zeros_like(tsel)
        for t in range(30, 96) if tsel.any() else []:
            thr = t / 100
            said = cal(oof[tsel]) >= thr
            yc = fr.y[tsel]
            far = np.mean(said[yc == 0])
            det = np.mean(said[yc == 1])
            ba = 0.5 * (1 - far + det)
            ok = far <= MAX_FALSE_ALARMS
            bok, bba, bfar, _ = best
            if (ok and (not bok or ba > bba)) or (not ok and not bok and far < bfar):
                best = (ok, ba, far, thr)
        thr = best[3]
        clf = self._fit(fr, train_mask)
        raw = self._score(clf, fr, test_mask)
        score = np.where(np.isnan(raw), 0.5, cal(np.nan_to_num(raw, nan=0.5)))
        blurry = ~np.isnan(raw) & (score >= thr)
        return score, blurry, thr


_cache = {}


def matrix_cache(fr, what, names):
    key = (what, tuple(names))
    if key not in _cache:
        _cache[key] = matrix(fr.cols if what == "frame" else fr.tiles, names)
    return _cache[key]


def rates(fr, blurry, mask):
    c = mask & fr.labelled & (fr.y == 0)
    d = mask & fr.labelled & (fr.y == 1)
    if not c.any() or not d.any():
        return None
    far, det = blurry[c].mean(), blurry[d].mean()
    return 0.5 * (1 - far + det), far, det, c.sum(), d.sum()


def fmt(v, n=None):
    return "-" if v is None else (f"{v:.3f}" if n is None else f"{v:.3f} ({n})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", required=True)
    ap.add_argument("--tiles")
    ap.add_argument("--report")
    ap.add_argument("--decisions", help="also write every image's out-of-package decision per classifier (CSV)")
    ap.add_argument("--only", help="comma-separated classifier kinds (logistic,boosted,forest,mlp)")
    args = ap.parse_args()
    fr = Frames(args.frames, args.tiles)
    packages = sorted(set(fr.package))
    kinds = (args.only or "logistic,boosted,forest,mlp").split(",")
    recipes = []
    for kind in kinds:
        recipes.append(Recipe(kind, SHIPPED, "frame", "frame"))
        if fr.tiles is not None:
            recipes.append(Recipe(kind, SHIPPED, "frame", "map"))
            recipes.append(Recipe(kind, SHIPPED, "tile", "map"))
            recipes.append(Recipe(kind, ALL, "tile", "map"))
    # Packages whose main task has at least LARGE frames of each class: with
    # fewer (python3-sklearn's one photo gives 2 CLEAR and 1 BLURRY) one
    # frame moves the balanced accuracy by 0.25-0.5.
    large = [p for p in packages if (r := rates(fr, fr.y == 1, fr.target & (fr.package == p))) and min(r[3:]) >= LARGE]
    rows, package_rows, decisions = [], [], {}
    for rec in recipes:
        t0 = time.time()
        blurry = np.zeros(fr.n, dtype=bool)
        scores = np.zeros(fr.n)
        thresholds = []
        for p in packages:
            test = fr.package == p
            sc, b, thr = rec.run(fr, ~test, test)
            blurry[test] = b[test]
            scores[test] = sc[test]
            thresholds.append(thr)
        # Ranking without a threshold: ROC AUC of the held-out package's
        # scores over every CLEAR and BLURRY frame, worst large package.
        auc = {p: roc_auc_score(fr.y[m], scores[m]) for p in large
               for m in [fr.labelled & (fr.package == p)]}
        worst_auc = min(auc, key=auc.get) if auc else None
        per = {p: rates(fr, blurry, fr.target & (fr.package == p)) for p in packages}
        per_all = {p: rates(fr, blurry, fr.package == p) for p in packages}
        main_ba = [v[0] for v in per.values() if v]
        all_ba = [v[0] for v in per_all.values() if v]
        worst_p = min((p for p in packages if per[p]), key=lambda p: per[p][0])
        worst_all = min((p for p in packages if per_all[p]), key=lambda p: per_all[p][0])
        worst_large = min(large, key=lambda p: per[p][0]) if large else None
        decisions[rec.name()] = blurry
        package_rows.append([rec.name()] + [
            (fmt(per[p][0]) if per[p] else "-") + " / " + (fmt(per_all[p][0]) if per_all[p] else "-")
            for p in packages])
        pooled = rates(fr, blurry, fr.target)
        pooled_all = rates(fr, blurry, np.ones(fr.n, dtype=bool))

        def det(mask):
            m = mask & fr.disk4
            return fmt(blurry[m].mean(), m.sum()) if m.any() else "-"

        def fa(mask):
            m = mask & fr.labelled & (fr.y == 0)
            return fmt(blurry[m].mean(), m.sum()) if m.any() else "-"

        rows.append([rec.name(), fmt(np.mean(main_ba)), f"{per[worst_p][0]:.3f} ({worst_p})",
                     f"{per[worst_large][0]:.3f} ({worst_large})" if worst_large else "-",
                     f"{pooled[0]:.3f} ({pooled[1]:.3f}, {pooled[2]:.3f})", fmt(np.mean(all_ba)),
                     f"{per_all[worst_all][0]:.3f} ({worst_all})",
                     f"{pooled_all[0]:.3f} ({pooled_all[1]:.3f}, {pooled_all[2]:.3f})",
                     f"{auc[worst_auc]:.3f} ({worst_auc})" if worst_auc else "-",
                     det(fr.osd), det(fr.sharpen), det(fr.irnight), fa(fr.irnight)])
        print(f"{rec.name()}: worst main {per[worst_p][0]:.3f} ({worst_p}), worst all {per_all[worst_all][0]:.3f}"
              f" thresholds {thresholds} [{time.time() - t0:.0f} s]", file=sys.stderr)
    head = ["classifier", "main task: mean of packages", "main task: worst package",
            f"main task: worst package with >= {LARGE} of each class",
            "main task pooled (false alarms, detection)", "all labelled: mean", "all labelled: worst package",
            "all labelled pooled (false alarms, detection)",
            f"all labelled: worst ROC AUC of packages with >= {LARGE} of each class", "OSD: detection r >= 4", "sharpening: detection r >= 4",
            "IR night: detection r >= 4", "IR night: false alarms"]
    n_tiles = 0 if fr.tiles is None else len(fr.tile_frame)
    lines = [
        "# Classifiers compared, leave one package out (`compare_classifiers.py`)",
        "",
        "Written by:",
        "",
        "```sh",
        "/usr/bin/python3 " + " ".join(sys.argv),
        "```",
        "",
        f"{fr.n} images ({int(fr.labelled.sum())} CLEAR or BLURRY) of {len(packages)} packages"
        + (f", {n_tiles} focus-map tiles" if n_tiles else "")
        + ", from the tables `focusmeter train eval --export-features/--export-tiles` wrote. Each classifier: "
        "trained on every package but one, tested on the one held out, in turn; inside the training packages, "
        "5-fold cross-validation by source photo (the C++ recipe's folds) gives out-of-fold scores for a Platt "
        "scaling and the threshold (best out-of-fold main-task balanced accuracy with <= 2 % false alarms). "
        "\"judged by map\": tile scores of the voting tiles (textured, overlays left out as in focus_map.h), "
        "median per frame; no voting tile = UNKNOWN, not BLURRY. Tile-trained: every voting tile of a CLEAR or "
        f"BLURRY frame with a uniform blur (tilted defocus left out), labelled by its frame, at most {TILE_CAP} per "
        "frame. logistic = sklearn's, C = 1, balanced classes (not the C++ IRLS with lambda 0.1: close, not "
        "identical); boosted = HistGradientBoosting 150 x depth 3; forest = 150 trees, leaves >= 5; mlp = 32-16 "
        "ReLU, early stopping. Main task: sharp against disk r >= 3 / Gaussian sigma >= 2.5 at 1080p, noise <= 6, "
        "JPEG 75-92 (no video frames). Balanced accuracy; detection and false alarms: rate (images).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "Per held-out package, balanced accuracy: main task / every CLEAR and BLURRY frame "
              "(frames of each class, main task / all):", ""]
    counts = {p: (rates(fr, fr.y == 1, fr.target & (fr.package == p)), rates(fr, fr.y == 1, fr.package == p))
              for p in packages}
    lines.append("| classifier | " + " | ".join(
        f"{p} ({c[0][3] if c[0] else 0}+{c[0][4] if c[0] else 0} / {c[1][3]}+{c[1][4]})"
        for p, c in counts.items()) + " |")
    lines.append("|" + "---|" * (len(packages) + 1))
    lines += ["| " + " | ".join(r) + " |" for r in package_rows]
    text = "\n".join(lines) + "\n"
    if args.decisions:
        with open(args.decisions, "w") as f:
            names = list(decisions)
            f.write("path,package,label," + ",".join(f'"{n}"' for n in names) + "\n")
            for i in range(fr.n):
                f.write(f"{fr.path[i]},{fr.package[i]},{fr.label[i]}," +
                        ",".join(str(int(decisions[n][i])) for n in names) + "\n")
    if args.report:
        with open(args.report, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
