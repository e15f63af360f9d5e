#include "train/boosting.h"

#include <algorithm>
#include <cmath>

#include "train/logistic.h"

namespace focusmeter::train {
namespace {

struct FlatTree {
  std::vector<int> feature, left, right;
  std::vector<double> threshold, value;

  int add_leaf(double v) {
    feature.push_back(-1);
    threshold.push_back(0);
    left.push_back(-1);
    right.push_back(-1);
    value.push_back(v);
    return static_cast<int>(feature.size()) - 1;
  }
};

class TreeBuilder {
 public:
  TreeBuilder(const std::vector<std::vector<double>>& x, const std::vector<std::vector<double>>& cuts,
              const std::vector<double>& g, const std::vector<double>& h, const BoostingOptions& opt)
      : x_(x), cuts_(cuts), g_(g), h_(h), opt_(opt) {}

  // Grows the node for `rows` at `depth`; returns its index. A node is
  // added before its children, so children always point forward.
  int grow(const std::vector<int>& rows, int depth, FlatTree& t) {
    double G = 0, H = 0;
    for (int i : rows) G += g_[i], H += h_[i];
    const int node = t.add_leaf(-G / (H + opt_.lambda) * opt_.learning_rate);
    if (depth >= opt_.depth) return node;

    const double parent = G * G / (H + opt_.lambda);
    double best_gain = 1e-9;
    int best_f = -1;
    double best_cut = 0;
    for (std::size_t f = 0; f < cuts_.size(); ++f) {
      const auto& c = cuts_[f];
      std::vector<double> gb(c.size() + 1, 0), hb(c.size() + 1, 0);
      for (int i : rows) {
        const std::size_t b = std::lower_bound(c.begin(), c.end(), x_[i][f]) - c.begin();  // x <= c[b]
        gb[b] += g_[i];
        hb[b] += h_[i];
      }
      double gl = 0, hl = 0;
      for (std::size_t b = 0; b < c.size(); ++b) {
        gl += gb[b];
        hl += hb[b];
        const double gr = G - gl, hr = H - hl;
        if (hl < opt_.min_child_weight || hr < opt_.min_child_weight) continue;
        const double gain = gl * gl / (hl + opt_.lambda) + gr * gr / (hr + opt_.lambda) - parent;
        if (gain > best_gain) best_gain = gain, best_f = static_cast<int>(f), best_cut = c[b];
      }
    }
    if (best_f < 0) return node;

    std::vector<int> lrows, rrows;
    for (int i : rows) (x_[i][best_f] <= best_cut ? lrows : rrows).push_back(i);
    t.feature[node] = best_f;
    t.threshold[node] = best_cut;
    t.value[node] = 0;
    const int l = grow(lrows, depth + 1, t);
    t.left[node] = l;
    const int r = grow(rrows, depth + 1, t);
    t.right[node] = r;
    return node;
  }

 private:
  const std::vector<std::vector<double>>& x_;
  const std::vector<std::vector<double>>& cuts_;
  const std::vector<double>& g_;
  const std::vector<double>& h_;
  const BoostingOptions& opt_;
};

double predict_tree(const FlatTree& t, const std::vector<double>& row) {
  int node = 0;
  while (t.feature[node] >= 0) node = row[t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
  return t.value[node];
}

}  // namespace

TreeEnsemble fit_boosted_trees(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                               const std::vector<double>& w, const BoostingOptions& opt) {
  const std::size_t n = x.size();
  const std::size_t d = n ? x[0].size() : 0;

  // Candidate thresholds: distinct quantiles of each feature.
  std::vector<std::vector<double>> cuts(d);
  for (std::size_t f = 0; f < d; ++f) {
    std::vector<double> col(n);
    for (std::size_t i = 0; i < n; ++i) col[i] = x[i][f];
    std::sort(col.begin(), col.end());
    for (int b = 1; b < opt.bins; ++b) cuts[f].push_back(col[std::min(n - 1, b * n / opt.bins)]);
    cuts[f].erase(std::unique(cuts[f].begin(), cuts[f].end()), cuts[f].end());
  }

  // Start from the weighted log-odds.
  double wy = 0, wall = 0;
  for (std::size_t i = 0; i < n; ++i) wy += w[i] * y[i], wall += w[i];
  const double p0 = std::clamp(wy / wall, 1e-6, 1 - 1e-6);
  const double base = std::log(p0 / (1 - p0));
  std::vector<double> f(n, base), g(n), h(n);
  std::vector<int> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = static_cast<int>(i);

  TreeEnsemble ensemble;
  ensemble.base_score = base;
  for (int m = 0; m < opt.trees; ++m) {
    for (std::size_t i = 0; i < n; ++i) {
      const double p = sigmoid(f[i]);
      g[i] = w[i] * (p - y[i]);
      h[i] = w[i] * std::max(p * (1 - p), 1e-12);
    }
    FlatTree t;
    TreeBuilder(x, cuts, g, h, opt).grow(all, 0, t);
    for (std::size_t i = 0; i < n; ++i) f[i] += predict_tree(t, x[i]);
    ensemble.trees.push_back(RegressionTree{t.feature, t.threshold, t.left, t.right, t.value});
  }
  return ensemble;
}

}  // namespace focusmeter::train
