#pragma once
/// RAII over HDF5 identifiers, shared by the engine's files (prepared data, model files) and
/// the tuner's trial log.
///
/// NOTE: header-only, so that the common library itself depends on nothing; a target that
/// includes this header links HDF5 itself.

#include <hdf5.h>

#include <string>
#include <vector>

#include "common/file_checksum.hpp"

namespace knntune::h5 {

/// Owns one HDF5 identifier and closes it with the matching function on scope exit.
class Handle {
  public:
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~Handle() {
        if (id_ >= 0) close_(id_);
    }
    Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle& operator=(Handle&&) = delete;
    [[nodiscard]] hid_t get() const { return id_; }
    operator hid_t() const { return id_; }  // NOLINT: implicit by design, used as hid_t
    [[nodiscard]] bool ok() const { return id_ >= 0; }
    /// Closes now and returns the close function's status (negative on failure; 0 when
    /// nothing is open); the destructor then does nothing.
    herr_t close() {
        const herr_t status = id_ >= 0 ? close_(id_) : 0;
        id_ = -1;
        return status;
    }

  private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

/// Silences HDF5's automatic error printing on this thread while in scope: knntune's own
/// exceptions say what failed.
class QuietErrors {
  public:
    QuietErrors() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
    QuietErrors(const QuietErrors&) = delete;
    QuietErrors& operator=(const QuietErrors&) = delete;

  private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

/// A file-creation property list that reserves the 512-byte checksum block
/// (common/file_checksum.hpp) as HDF5's user block; invalid (negative) when HDF5 fails.
inline Handle checksum_block_creation() {
    Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
    if (fcpl.ok() && H5Pset_userblock(fcpl, kChecksumBlockSize) < 0) fcpl.close();
    return fcpl;
}

/// A file-access property list for a file built in memory: the core driver without a backing
/// store, the oldest HDF5 format, and a close that closes every object of the file. Invalid
/// when HDF5 fails.
///
/// NOTE: knntune writes the finished image itself (`file_image`, then common/atomic_file.hpp),
/// so that no I/O error (a full disk, a file size limit) reaches libhdf5: a file whose flush
/// fails can never be closed, and libhdf5 then crashed at exit. The oldest format, because
/// HDF5 1.10.8's image of an open file of the 1.8 or 1.10 format has a superblock whose
/// checksum does not match (it cannot be opened).
inline Handle in_memory_access() {
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (fapl.ok() && (H5Pset_fapl_core(fapl, std::size_t{1} << 20, false) < 0 ||
                      H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0)) {
        fapl.close();
    }
    return fapl;
}

/// The bytes of the open file `file` (created with `checksum_block_creation`), flushed first,
/// after 512 zero bytes for the checksum block; empty when HDF5 fails.
///
/// NOTE: HDF5 gives the image from its superblock on, without the user block; prefixed by the
/// block, the superblock is at offset 512, where HDF5 looks for it in a file with a user block.
inline std::vector<unsigned char> file_image(hid_t file) {
    if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0) return {};
    const ssize_t size = H5Fget_file_image(file, nullptr, 0);
    if (size <= 0) return {};
    std::vector<unsigned char> image(kChecksumBlockSize + static_cast<std::size_t>(size), 0);
    if (H5Fget_file_image(file, image.data() + kChecksumBlockSize,
                          static_cast<std::size_t>(size)) != size) {
        return {};
    }
    return image;
}

/// "/GROUP/NAME": the path of `name` below the open object `loc` (`loc`'s own path for an
/// empty name), for messages.
inline std::string object_path(hid_t loc, const char* name) {
    std::string base;
    const ssize_t len = H5Iget_name(loc, nullptr, 0);
    if (len > 0) {
        base.resize(static_cast<std::size_t>(len));
        H5Iget_name(loc, base.data(), base.size() + 1);
    }
    if (*name == '\0') return base.empty() ? "/" : base;
    if (base.empty() || base.back() != '/') base += '/';
    return base + name;
}

/// People's name of a type class and element size (0: any): "64-bit integers", "integers".
inline std::string type_name(H5T_class_t c, std::size_t size) {
    const std::string bits = size != 0 ? std::to_string(size * 8) + "-bit " : "";
    switch (c) {
        case H5T_INTEGER:
            return bits + "integers";
        case H5T_FLOAT:
            return bits + "floating-point numbers";
        case H5T_STRING:
            return "fixed-length strings";
        default:
            return "values of HDF5 type class " + std::to_string(static_cast<int>(c));
    }
}

/// What an attribute or dataset must be: a scalar or a 1-D array of `type_class` elements of
/// `type_size` bytes (any size when 0; strings are always variable-length).
struct Layout {
    bool scalar = false;
    H5T_class_t type_class = H5T_INTEGER;
    std::size_t type_size = 0;
};

/// Why `space` and `type` (of an attribute or a dataset) do not match `want`; empty when they
/// do. Reads nothing but the object's header.
inline std::string layout_problem(hid_t space, hid_t type, const Layout& want) {
    if (space < 0 || type < 0) return "cannot read its shape or type (damaged?)";
    const H5S_class_t kind = H5Sget_simple_extent_type(space);
    const int rank = H5Sget_simple_extent_ndims(space);
    if (want.scalar && kind != H5S_SCALAR) {
        return "expected a single value, found " +
               (kind == H5S_SIMPLE ? "a " + std::to_string(rank) + "-D array of " +
                                         std::to_string(H5Sget_simple_extent_npoints(space))
                                   : std::string("an empty dataspace"));
    }
    if (!want.scalar && (kind != H5S_SIMPLE || rank != 1)) {
        return "expected a 1-D array, found " + (kind == H5S_SIMPLE   ? std::to_string(rank) + "-D"
                                                 : kind == H5S_SCALAR ? std::string("a scalar")
                                                                      : std::string("no data"));
    }
    const H5T_class_t c = H5Tget_class(type);
    const std::size_t size = H5Tget_size(type);
    if (want.type_class == H5T_STRING) {
        if (c == H5T_STRING && H5Tis_variable_str(type) > 0) return {};
        return "expected variable-length strings, found " +
               (c == H5T_STRING ? std::string("fixed-length strings") : type_name(c, size));
    }
    if (c != want.type_class || (want.type_size != 0 && size != want.type_size)) {
        return "expected " + type_name(want.type_class, want.type_size) + ", found " +
               type_name(c, size);
    }
    return {};
}

}  // namespace knntune::h5
