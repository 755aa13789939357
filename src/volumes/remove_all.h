// Owns: removing a directory tree that a pod's author could write into (pod directories,
// volumes), as upstream's mount-utils RemoveAllOneFilesystem: symlinks are removed, never
// followed, and a directory on another mount (a tmpfs, a bind mount the teardown failed to
// unmount) is an error instead of being emptied.
// Does not own: unmounting (the caller unmounts first, see mountinfo.h and subpath.h).
#pragma once

#include <string>

#include "absl/status/status.h"

namespace cubelet::volumes {

// Removes `path` and everything beneath it. OK when `path` does not exist. Walks with
// openat/unlinkat relative to opened directories, so renaming a directory into a symlink while
// this runs cannot redirect it. FailedPrecondition naming the directory when it meets a mount
// point (compared by device and, where the kernel reports it, mount id): nothing on that mount
// is touched, and what was already removed stays removed. Blocking; holds at most 64 directory
// descriptors however deep the tree (an ancestor is reopened through ".." and checked to be the
// same directory).
absl::Status RemoveAllOneFilesystem(const std::string& path);

}  // namespace cubelet::volumes
