#include "engine/model_io.hpp"

#include "engine/error.hpp"
#include "engine/h5.hpp"

namespace knntune::engine {

namespace {

constexpr const char* kFormat = "knntune-model";
constexpr int kFormatVersion = 1;

void write_csr(hid_t parent, const char* name, const CsrMatrix& m) {
    h5::Handle g(H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    h5::write_array(g, "indptr", H5T_STD_I64LE, H5T_NATIVE_INT64, m.indptr);
    h5::write_array(g, "indices", H5T_STD_I32LE, H5T_NATIVE_INT32, m.indices);
    h5::write_array(g, "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, m.values);
    const std::vector<long long> shape = {m.rows, m.cols};
    h5::write_array(g, "shape", H5T_STD_I64LE, H5T_NATIVE_LLONG, shape);
}

CsrMatrix read_csr(hid_t parent, const char* name, const std::string& path) {
    h5::Handle g(H5Gopen2(parent, name, H5P_DEFAULT), H5Gclose);
    if (!g.ok()) throw InputError(path + ": missing group /" + name);
    CsrMatrix m;
    const auto shape = h5::read_array<long long>(g, "shape", H5T_NATIVE_LLONG, path);
    m.rows = static_cast<Index>(shape.at(0));
    m.cols = static_cast<Index>(shape.at(1));
    m.indptr = h5::read_array<Offset>(g, "indptr", H5T_NATIVE_INT64, path);
    m.indices = h5::read_array<Index>(g, "indices", H5T_NATIVE_INT32, path);
    m.values = h5::read_array<Score>(g, "data", H5T_NATIVE_FLOAT, path);
    if (m.indptr.size() != static_cast<std::size_t>(m.rows) + 1 ||
        m.indices.size() != static_cast<std::size_t>(m.nnz()) ||
        m.values.size() != m.indices.size()) {
        throw InputError(path + ": inconsistent CSR arrays in /" + name);
    }
    return m;
}

void write_model(hid_t file, const void* ctx) {
    const auto& m = *static_cast<const SimilarityModel*>(ctx);
    h5::write_string_attr(file, "format", kFormat);
    h5::write_int_attr(file, "format_version", kFormatVersion);
    h5::write_string_attr(file, "model", m.model);
    h5::write_string_attr(file, "measure", m.measure);
    h5::write_string_attr(file, "params", m.params_json);
    h5::write_string_attr(file, "fingerprint", m.fingerprint);
    write_csr(file, "similarity", m.similarity);
    write_csr(file, "train", m.train);
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
    h5::Handle file(h5::open_read_only(path), H5Fclose);
    if (h5::read_string_attr(file, "format") != kFormat) {
        throw InputError(path + ": not a knntune model file (attribute 'format')");
    }
    if (h5::read_int_attr(file, "format_version") != kFormatVersion) {
        throw InputError(path + ": unsupported model format version");
    }
    SimilarityModel m;
    m.model = h5::read_string_attr(file, "model");
    m.measure = h5::read_string_attr(file, "measure");
    m.params_json = h5::read_string_attr(file, "params");
    m.fingerprint = h5::read_string_attr(file, "fingerprint");
    m.similarity = read_csr(file, "similarity", path);
    m.train = read_csr(file, "train", path);
    {
        h5::Handle g(H5Gopen2(file, "users", H5P_DEFAULT), H5Gclose);
        m.user_keys = h5::read_strings(g, "keys", path);
    }
    h5::Handle g(H5Gopen2(file, "items", H5P_DEFAULT), H5Gclose);
    m.item_keys = h5::read_strings(g, "keys", path);
    m.item_names = h5::read_strings(g, "names", path);
    m.item_attributes = h5::read_strings(g, "attributes", path);
    return m;
}

}  // namespace knntune::engine
