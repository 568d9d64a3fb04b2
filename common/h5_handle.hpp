#pragma once
/// RAII over HDF5 identifiers, shared by the engine's files (prepared data, model files) and
/// the tuner's trial log.
///
/// NOTE: header-only, so that the common library itself depends on nothing; a target that
/// includes this header links HDF5 itself.

#include <hdf5.h>

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

}  // namespace knntune::h5
