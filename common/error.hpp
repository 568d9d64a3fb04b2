#pragma once
/// The root of every user-facing error in knntune.
///
/// Each library derives its own hierarchy from `UserError` (engine::Error, tuner::Error,
/// exp::Error): a bad file, row, key, range or option, a damaged or mismatched file, a
/// condition of the user's machine (a full disk, a folder that cannot be written). The message
/// names the file and line, the key or the object. The command-line tool maps every
/// `UserError` to exit status 2 and anything else to 1 (an internal error); programmer
/// invariants use KNNTUNE_ASSERT (common/assert.hpp), which aborts.

#include <stdexcept>

namespace knntune {

/// A problem the user can fix; see the file comment.
class UserError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// A file or folder that cannot be created, written, synced or renamed.
class IoError : public UserError {
  public:
    using UserError::UserError;
};

}  // namespace knntune
