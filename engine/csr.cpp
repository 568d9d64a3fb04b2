#include "engine/csr.hpp"

#include <algorithm>

#include "engine/error.hpp"

namespace knntune::engine {

double CsrMatrix::density() const {
    if (rows == 0 || cols == 0) return 0.0;
    return static_cast<double>(nnz()) / (static_cast<double>(rows) * static_cast<double>(cols));
}

size_t CsrMatrix::memory_bytes() const {
    return indptr.size() * sizeof(Offset) + indices.size() * sizeof(Index) +
           values.size() * sizeof(Score);
}

CsrMatrix csr_from_triplets(Index rows, Index cols, std::span<const Triplet> triplets) {
    CsrMatrix m(rows, cols);
    for (const Triplet& t : triplets) {
        KNNTUNE_ASSERT(t.row >= 0 && t.row < rows && t.col >= 0 && t.col < cols);
        ++m.indptr[t.row + 1];
    }
    for (Index r = 0; r < rows; ++r) m.indptr[r + 1] += m.indptr[r];
    std::vector<Index> cols_tmp(triplets.size());
    std::vector<Score> vals_tmp(triplets.size());
    std::vector<Offset> next(m.indptr.begin(), m.indptr.end() - 1);
    for (const Triplet& t : triplets) {
        const Offset p = next[t.row]++;
        cols_tmp[p] = t.col;
        vals_tmp[p] = t.value;
    }
    // Sort each row by column and sum duplicates.
    m.indices.reserve(triplets.size());
    m.values.reserve(triplets.size());
    std::vector<std::pair<Index, Score>> row;
    Offset out = 0;
    for (Index r = 0; r < rows; ++r) {
        row.clear();
        for (Offset p = m.indptr[r]; p < m.indptr[r + 1]; ++p)
            row.emplace_back(cols_tmp[p], vals_tmp[p]);
        std::stable_sort(row.begin(), row.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        m.indptr[r] = out;
        for (size_t i = 0; i < row.size(); ++i) {
            if (i > 0 && row[i].first == row[i - 1].first) {
                m.values.back() += row[i].second;
                continue;
            }
            m.indices.push_back(row[i].first);
            m.values.push_back(row[i].second);
            ++out;
        }
    }
    m.indptr[rows] = out;
    return m;
}

CsrMatrix transpose(const CsrMatrix& m) {
    CsrMatrix t(m.cols, m.rows);
    for (Index c : m.indices) ++t.indptr[c + 1];
    for (Index c = 0; c < m.cols; ++c) t.indptr[c + 1] += t.indptr[c];
    t.indices.resize(m.indices.size());
    t.values.resize(m.values.size());
    std::vector<Offset> next(t.indptr.begin(), t.indptr.end() - 1);
    // Walking rows in order fills each output row with increasing column (= input row) ids.
    for (Index r = 0; r < m.rows; ++r) {
        for (Offset p = m.indptr[r]; p < m.indptr[r + 1]; ++p) {
            const Offset q = next[m.indices[p]]++;
            t.indices[q] = r;
            t.values[q] = m.values[p];
        }
    }
    return t;
}

std::vector<Offset> column_counts(const CsrMatrix& m) {
    std::vector<Offset> counts(m.cols, 0);
    for (Index c : m.indices) ++counts[c];
    return counts;
}

bool operator==(const CsrMatrix& a, const CsrMatrix& b) {
    return a.rows == b.rows && a.cols == b.cols && a.indptr == b.indptr && a.indices == b.indices &&
           a.values == b.values;
}

}  // namespace knntune::engine
