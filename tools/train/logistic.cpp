#include "train/logistic.h"

#include <cmath>
#include <stdexcept>

namespace focusmeter::train {

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

namespace {

// Solves A x = b for symmetric positive definite A (Cholesky, in place).
std::vector<double> solve_spd(std::vector<std::vector<double>> a, std::vector<double> b) {
  const std::size_t n = b.size();
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j][j];
    for (std::size_t k = 0; k < j; ++k) d -= a[j][k] * a[j][k];
    if (d <= 0) throw std::runtime_error("logistic regression: singular Hessian");
    a[j][j] = std::sqrt(d);
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i][j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i][k] * a[j][k];
      a[i][j] = s / a[j][j];
    }
  }
  for (std::size_t i = 0; i < n; ++i) {  // L z = b
    for (std::size_t k = 0; k < i; ++k) b[i] -= a[i][k] * b[k];
    b[i] /= a[i][i];
  }
  for (std::size_t i = n; i-- > 0;) {  // L^T x = z
    for (std::size_t k = i + 1; k < n; ++k) b[i] -= a[k][i] * b[k];
    b[i] /= a[i][i];
  }
  return b;
}

}  // namespace

LogisticFit fit_logistic(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                         const std::vector<double>& w, double l2, int max_iterations) {
  const std::size_t n = x.size();
  if (n == 0) throw std::invalid_argument("logistic regression: no samples");
  const std::size_t d = x[0].size();
  const std::size_t p = d + 1;  // last parameter is the intercept
  std::vector<double> beta(p, 0.0);
  LogisticFit fit;
  for (int it = 1; it <= max_iterations; ++it) {
    std::vector<std::vector<double>> h(p, std::vector<double>(p, 0.0));
    std::vector<double> g(p, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      double z = beta[d];
      for (std::size_t j = 0; j < d; ++j) z += beta[j] * x[i][j];
      const double mu = sigmoid(z);
      const double r = w[i] * (mu - y[i]);
      const double v = w[i] * std::max(mu * (1 - mu), 1e-12);
      for (std::size_t j = 0; j < p; ++j) {
        const double xj = j < d ? x[i][j] : 1.0;
        g[j] += r * xj;
        for (std::size_t k = 0; k <= j; ++k) h[j][k] += v * xj * (k < d ? x[i][k] : 1.0);
      }
    }
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t k = j + 1; k < p; ++k) h[j][k] = h[k][j];
    for (std::size_t j = 0; j < d; ++j) {
      g[j] += l2 * beta[j];
      h[j][j] += l2;
    }
    h[d][d] += 1e-9;  // keeps a separable set solvable
    const std::vector<double> step = solve_spd(h, g);
    double change = 0;
    for (std::size_t j = 0; j < p; ++j) {
      beta[j] -= step[j];
      change = std::max(change, std::fabs(step[j]));
    }
    fit.iterations = it;
    if (change < 1e-9) {
      fit.converged = true;
      break;
    }
  }
  fit.coefficients.assign(beta.begin(), beta.begin() + static_cast<std::ptrdiff_t>(d));
  fit.intercept = beta[d];
  return fit;
}

}  // namespace focusmeter::train
