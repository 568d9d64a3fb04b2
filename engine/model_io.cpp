#include "engine/model_io.hpp"

#include "engine/error.hpp"
#include "engine/h5.hpp"
#include "engine/similarity/params.hpp"

namespace knntune::engine {

namespace {

constexpr const char* kFormat = "knntune-model";
constexpr int kFormatVersion = 1;
constexpr const char* kRegenerate = "run `knntune test` on the run folder again to rewrite it";

/// Throws InputError naming `path` and the object unless the arrays agree: train is users ×
/// items, the similarity items × items, names (and attributes, when present) one per item.
void check_model_shapes(const SimilarityModel& m, const std::string& path) {
    const auto n_users = static_cast<long long>(m.user_keys.size());
    const auto n_items = static_cast<long long>(m.item_keys.size());
    const auto count = [](const std::vector<std::string>& v) { return std::to_string(v.size()); };
    const auto shape = [](const CsrMatrix& s) {
        return "[" + std::to_string(s.rows) + ", " + std::to_string(s.cols) + "]";
    };
    if (m.train.rows != n_users || m.train.cols != n_items) {
        throw InputError(path + ": /train/shape is " + shape(m.train) + " but /users/keys has " +
                         count(m.user_keys) + " entries and /items/keys " + count(m.item_keys));
    }
    if (m.similarity.rows != n_items || m.similarity.cols != n_items) {
        throw InputError(path + ": /similarity/shape is " + shape(m.similarity) +
                         ", expected items x items with " + count(m.item_keys) +
                         " items (/items/keys)");
    }
    if (m.item_names.size() != m.item_keys.size()) {
        throw InputError(path + ": /items/names has " + count(m.item_names) +
                         " entries, /items/keys " + count(m.item_keys));
    }
    if (!m.item_attributes.empty() && m.item_attributes.size() != m.item_keys.size()) {
        throw InputError(path + ": /items/attributes has " + count(m.item_attributes) +
                         " entries, /items/keys " + count(m.item_keys));
    }
}

void write_model(hid_t file, const void* ctx) {
    const auto& m = *static_cast<const SimilarityModel*>(ctx);
    h5::write_string_attr(file, "format", kFormat);
    h5::write_int_attr(file, "format_version", kFormatVersion);
    h5::write_string_attr(file, "model", m.model);
    h5::write_string_attr(file, "measure", m.measure);
    h5::write_string_attr(file, "params", m.params_json);
    h5::write_string_attr(file, "fingerprint", m.fingerprint);
    h5::write_csr(file, "similarity", m.similarity);
    h5::write_csr(file, "train", m.train);
    {
        h5::Handle g(H5Gcreate2(file, "users", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        h5::write_strings(g, "keys", m.user_keys);
    }
    h5::Handle g(H5Gcreate2(file, "items", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    h5::write_strings(g, "keys", m.item_keys);
    h5::write_strings(g, "names", m.item_names);
    if (!m.item_attributes.empty()) h5::write_strings(g, "attributes", m.item_attributes);
}

}  // namespace

void save_model(const SimilarityModel& model, const std::string& path) {
    h5::write_atomically(path, write_model, &model);
}

SimilarityModel load_model(const std::string& path) {
    h5::Handle file(h5::open_read_only(path, kRegenerate), H5Fclose);
    if (h5::read_string_attr(file, "format") != kFormat) {
        throw InputError(path + ": not a knntune model file (attribute 'format')");
    }
    if (h5::read_int_attr(file, "format_version") != kFormatVersion) {
        throw InputError(path + ": unsupported model format version");
    }
    SimilarityModel m;
    m.model = h5::read_string_attr(file, "model");
    if (m.model != "item_knn") {
        throw InputError(path + ": / attribute 'model' is '" + m.model + "', expected item_knn");
    }
    m.measure = h5::read_string_attr(file, "measure");
    try {
        (void)similarity::measure_from_name(m.measure);
    } catch (const ParamError& e) {
        throw InputError(path + ": / attribute 'measure': " + e.what());
    }
    m.params_json = h5::read_string_attr(file, "params");
    m.fingerprint = h5::read_string_attr(file, "fingerprint");
    m.similarity = h5::read_csr(file, "similarity", false);
    m.train = h5::read_csr(file, "train", true);
    m.user_keys = h5::read_strings(h5::open_group(file, "users"), "keys", path);
    const h5::Handle g = h5::open_group(file, "items");
    m.item_keys = h5::read_strings(g, "keys", path);
    m.item_names = h5::read_strings(g, "names", path);
    m.item_attributes = h5::read_strings(g, "attributes", path);
    check_model_shapes(m, path);
    return m;
}

}  // namespace knntune::engine
