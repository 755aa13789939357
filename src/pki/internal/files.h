// Owns: how pki/ touches the disk: atomic, durable writes (temp file, fsync, rename, fsync of the
// directory) with an exact mode, reads that refuse a private file others can read, and
// directory creation.
// Does not own: what the files contain.
// Internal to pki/.
#pragma once

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cubelet::pki::internal {

// Replaces `path` with `contents` so that a reader (or a crash) sees the old file or the new one,
// never a mix; the file has exactly `mode` whatever the umask.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents, mode_t mode);

// The contents of `path`; NotFound when it does not exist. Errors name the file.
absl::StatusOr<std::string> ReadFile(const std::string& path);
// As ReadFile, but FailedPrecondition when the file is readable or writable by group or others
// (keys and kubeconfigs with keys): the error names the file and its mode.
absl::StatusOr<std::string> ReadPrivateFile(const std::string& path);

bool FileExists(const std::string& path);
// Creates `path` and its missing parents with `mode` (existing directories are left as they are).
absl::Status MakeDirectories(const std::string& path, mode_t mode);

}  // namespace cubelet::pki::internal
