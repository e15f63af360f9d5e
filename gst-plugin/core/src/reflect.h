// Border extension by mirroring with the edge sample repeated
// (d c b a | a b c d): scipy.ndimage's 'reflect' and pywt's 'symmetric' are
// this same rule. Private to the core; every filter that reaches several
// pixels past a border reads its pads through it (the db2 wavelet of the
// noise sigma, blur_effect's re-blur, the map's per-tile blur sums).
#pragma once

namespace focusmeter::detail {

// Any index, however far outside [0, n).
inline int symmetric(int i, int n) {
  const int period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

// symmetric() without the division for the usual index inside the range.
inline int reflect(int i, int n) { return i >= 0 && i < n ? i : symmetric(i, n); }

}  // namespace focusmeter::detail
