// L2-regularised logistic regression fitted by Newton's method (IRLS).
// Deterministic: no random start, no data-order dependence beyond floating
// point summation order.
#pragma once

#include <vector>

namespace focusmeter::train {

struct LogisticFit {
  std::vector<double> coefficients;
  double intercept = 0;
  int iterations = 0;
  bool converged = false;
};

// `x` holds n rows of d standardised features, `y` 0/1, `w` per-sample
// weights (> 0). `l2` penalises the coefficients (not the intercept):
// minimises sum w_i * logloss_i + l2/2 * |beta|^2.
LogisticFit fit_logistic(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                         const std::vector<double>& w, double l2, int max_iterations = 100);

double sigmoid(double z);

}  // namespace focusmeter::train
