// Owns: the file operations both cgroup managers share, each error carrying the path and errno.
// Private to cubelet_cgroups.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cgroups/cgroup_name.h"

namespace cubelet::cgroups::files {

// Whole content without the trailing newline.
absl::StatusOr<std::string> Read(const std::string& path);
absl::StatusOr<int64_t> ReadInt(const std::string& path);
// One write(2) of `value`, as the kernel wants for control files.
absl::Status Write(const std::string& path, const std::string& value);
bool IsDir(const std::string& path);
// mkdir -p; returns the directories it created, outermost first.
absl::StatusOr<std::vector<std::string>> MakeDirs(const std::string& path);
// Removes `path` and the directories below it, deepest first; missing is fine.
absl::Status RemoveTree(const std::string& path);
// Names of the subdirectories of `path` (none when it does not exist).
absl::StatusOr<std::vector<std::string>> SubDirs(const std::string& path);
// The cgroups below `dir` (whose driver path is `path`), named back from their directory
// names; directories that are no cgroup name of the driver (a runtime's .scope) are skipped.
absl::StatusOr<std::vector<CgroupName>> ChildCgroups(const std::string& dir, const std::string& path,
                                                     CgroupDriver driver);
// The pids in cgroup.procs of `path` and of every cgroup below it.
absl::StatusOr<std::vector<int>> PidsBelow(const std::string& path);

}  // namespace cubelet::cgroups::files
