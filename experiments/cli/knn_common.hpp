#pragma once
/// Helpers shared by `knntune similarity` and `knntune recommend`: input loading (CSV or
/// prepared data) and CSV output.

#include <string>
#include <vector>

#include "engine/csr.hpp"
#include "engine/similarity/params.hpp"

namespace knntune::cli {

/// A user × item matrix with the original ids.
struct KnnInput {
    engine::CsrMatrix matrix;           ///< CSR, users × items
    std::vector<std::string> user_ids;  ///< per row
    std::vector<std::string> item_ids;  ///< per column
};

/// Loads `path`: a prepared-data file (`.h5`, written by `knntune prepare`; `period` selects
/// the matrix) or an interaction CSV `user,item[,value]` (optionally `.gz`).
[[nodiscard]] KnnInput load_knn_input(const std::string& path, const std::string& period);

/// Row indices ordered by their id as byte strings.
[[nodiscard]] std::vector<engine::Index> order_by_id(const std::vector<std::string>& ids);

/// Appends `id` to `out`, quoted as in RFC 4180 when it contains a comma, quote or newline.
void append_csv_field(std::string& out, const std::string& id);

/// Appends a float with 9 significant digits (round-trips a float32 exactly).
void append_score(std::string& out, engine::Score score);

/// A similarity matrix as CSV `row,col,score` with the ids of its rows and columns, rows by
/// id, each row by score descending then column id.
[[nodiscard]] std::string similarity_csv(const engine::CsrMatrix& s,
                                         const std::vector<std::string>& ids);

/// Recommendation lists as CSV `user,item,score,rank` (rank from 1), users by id.
[[nodiscard]] std::string recommendations_csv(const engine::CsrMatrix& recs, const KnnInput& data);

/// Writes `text` to `path` ("-" for standard output), atomically through a temporary in the
/// same folder (`write_file_atomic`); throws IoError naming `path` on failure.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace knntune::cli
