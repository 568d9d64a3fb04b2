#include "experiments/report/embedding.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/random.hpp"
#include "experiments/report/error.hpp"

namespace knntune::exp::report {
namespace {

void validate(const CsrView& m, const EmbeddingParams& p) {
    const std::string where = "embed_columns: ";
    if (m.rows < 1 || m.cols < 2) {
        throw ReportError(where + "matrix must have >= 1 row and >= 2 columns, got " +
                          std::to_string(m.rows) + " x " + std::to_string(m.cols));
    }
    if (m.indptr.size() != static_cast<std::size_t>(m.rows) + 1) {
        throw ReportError(where + "indptr has " + std::to_string(m.indptr.size()) +
                          " entries, expected rows + 1 = " + std::to_string(m.rows + 1));
    }
    if (m.indices.size() != m.values.size()) {
        throw ReportError(where + "indices has " + std::to_string(m.indices.size()) +
                          " entries but values has " + std::to_string(m.values.size()));
    }
    if (m.indptr.front() != 0 || m.indptr.back() != static_cast<std::int64_t>(m.indices.size())) {
        throw ReportError(where +
                          "indptr must run from 0 to nnz = " + std::to_string(m.indices.size()));
    }
    for (std::int64_t r = 0; r < m.rows; ++r) {
        if (m.indptr[r + 1] < m.indptr[r]) {
            throw ReportError(where + "indptr decreases at row " + std::to_string(r));
        }
    }
    for (std::size_t e = 0; e < m.indices.size(); ++e) {
        if (m.indices[e] < 0 || m.indices[e] >= m.cols) {
            throw ReportError(where + "indices[" + std::to_string(e) +
                              "] = " + std::to_string(m.indices[e]) + " is outside [0, " +
                              std::to_string(m.cols) + ")");
        }
        if (!std::isfinite(m.values[e])) {
            throw ReportError(where + "values[" + std::to_string(e) + "] is not finite");
        }
    }
    const std::int64_t max_k = std::min(m.rows, m.cols);
    if (p.n_components < 1 || p.n_components > max_k) {
        throw ReportError(where + "n_components must be in [1, " + std::to_string(max_k) +
                          "], got " + std::to_string(p.n_components));
    }
    if (p.oversampling < 0 || p.power_iterations < 0) {
        throw ReportError(where + "oversampling and power_iterations must be >= 0");
    }
}

/// The column-centred matrix C = A − μ·1ᵀ (μ = mean column), applied without forming it.
class CentredOperator {
  public:
    explicit CentredOperator(const CsrView& m) : m_(m), mean_col_(m.rows) {
        for (std::int64_t r = 0; r < m_.rows; ++r) {
            double s = 0.0;
            for (std::int64_t e = m_.indptr[r]; e < m_.indptr[r + 1]; ++e) s += m_.values[e];
            mean_col_[r] = s / static_cast<double>(m_.cols);
        }
    }

    /// C·X for X of shape cols × l; result rows × l.
    Eigen::MatrixXd times(const Eigen::MatrixXd& x) const {
        Eigen::MatrixXd y(m_.rows, x.cols());
        const Eigen::RowVectorXd col_sums = x.colwise().sum();
        for (std::int64_t r = 0; r < m_.rows; ++r) {
            Eigen::RowVectorXd acc = -mean_col_[r] * col_sums;
            for (std::int64_t e = m_.indptr[r]; e < m_.indptr[r + 1]; ++e) {
                acc += static_cast<double>(m_.values[e]) * x.row(m_.indices[e]);
            }
            y.row(r) = acc;
        }
        return y;
    }

    /// Cᵀ·Y for Y of shape rows × l; result cols × l.
    Eigen::MatrixXd transpose_times(const Eigen::MatrixXd& y) const {
        const Eigen::RowVectorXd mean_t_y = mean_col_.transpose() * y;
        Eigen::MatrixXd z = -Eigen::MatrixXd::Ones(m_.cols, 1) * mean_t_y;
        for (std::int64_t r = 0; r < m_.rows; ++r) {
            for (std::int64_t e = m_.indptr[r]; e < m_.indptr[r + 1]; ++e) {
                z.row(m_.indices[e]) += static_cast<double>(m_.values[e]) * y.row(r);
            }
        }
        return z;
    }

    /// Squared Frobenius norm of C: ‖A‖² − cols·‖μ‖².
    double squared_norm() const {
        double s = 0.0;
        for (const float v : m_.values) s += static_cast<double>(v) * v;
        return std::max(0.0, s - static_cast<double>(m_.cols) * mean_col_.squaredNorm());
    }

  private:
    const CsrView& m_;
    Eigen::VectorXd mean_col_;  // rows
};

/// Orthonormal basis of the column space of `y` (thin Q of a Householder QR).
Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& y) {
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(y);
    return qr.householderQ() * Eigen::MatrixXd::Identity(y.rows(), y.cols());
}

}  // namespace

Embedding embed_columns(const CsrView& m, const EmbeddingParams& params) {
    validate(m, params);
    const CentredOperator c(m);
    const std::int64_t l =
        std::min<std::int64_t>(params.n_components + params.oversampling, std::min(m.rows, m.cols));

    knntune::Rng rng(params.seed);
    Eigen::MatrixXd omega(m.cols, l);
    // Filled column by column so the sketch does not depend on Eigen's storage order.
    for (std::int64_t j = 0; j < l; ++j) {
        for (std::int64_t i = 0; i < m.cols; ++i) omega(i, j) = rng.normal();
    }
    Eigen::MatrixXd q = orthonormal_basis(c.times(omega));
    for (int it = 0; it < params.power_iterations; ++it) {
        const Eigen::MatrixXd qt = orthonormal_basis(c.transpose_times(q));
        q = orthonormal_basis(c.times(qt));
    }
    // Bᵀ = Cᵀ·Q (cols × l); C ≈ Q·B, and the left singular vectors of Bᵀ are the right
    // singular vectors of C, i.e. the principal coordinates of the columns.
    const Eigen::MatrixXd bt = c.transpose_times(q);
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(bt, Eigen::ComputeThinU);

    const int k = params.n_components;
    Embedding out;
    out.singular_values = svd.singularValues().head(k);
    out.coords = svd.matrixU().leftCols(k) * out.singular_values.asDiagonal();
    for (int a = 0; a < k; ++a) {
        Eigen::Index arg = 0;
        out.coords.col(a).cwiseAbs().maxCoeff(&arg);
        if (out.coords(arg, a) < 0.0) out.coords.col(a) *= -1.0;
    }
    const double total = c.squared_norm();
    out.explained_variance_ratio =
        total > 0.0 ? Eigen::VectorXd(out.singular_values.array().square() / total)
                    : Eigen::VectorXd::Zero(k);
    return out;
}

}  // namespace knntune::exp::report
