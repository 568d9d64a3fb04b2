#pragma once
/// Reader for the interaction CSV of the `similarity` / `recommend` command-line contract.
///
/// Format: a header `user,item` or `user,item,value`, then one line per interaction. Ids are
/// arbitrary strings (RFC-4180 quoting, as in the log reader: `engine/data/csv_reader.hpp`);
/// an absent or empty value means 1. A `.gz` file is decompressed transparently. A UTF-8 byte
/// order mark is skipped; an id holding a NUL byte or bytes that are not UTF-8 is an error
/// (docs/prepared-data.md, "Text in the input").
/// Rows and columns follow the distinct ids sorted lexicographically as byte strings, so "10"
/// comes before "2".

#include <string>
#include <vector>

#include "engine/csr.hpp"

namespace knntune::engine {

/// An interaction matrix with the original ids of its rows and columns.
struct Interactions {
    CsrMatrix matrix;                   ///< CSR, users × items, sorted column indices
    std::vector<std::string> user_ids;  ///< id of each row, in byte order
    std::vector<std::string> item_ids;  ///< id of each column, in byte order
};

/// Reads `path`. Throws InputError naming the file and line on a bad header, a missing field,
/// an id that is not UTF-8 text, an unparsable value, or a repeated (user, item) pair.
[[nodiscard]] Interactions read_interactions_csv(const std::string& path);

}  // namespace knntune::engine
