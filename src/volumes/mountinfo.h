// Owns: reading the mount table (/proc/self/mountinfo, with its octal escapes: "\040" is a
// space, "\011" a tab, "\012" a newline, "\134" a backslash) and telling which mount an open
// file lives on, as upstream's mount-utils ParseMountInfo / IsLikelyNotMountPoint do.
// Does not own: mounting or unmounting (subpath.h, volume_manager.h do that).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cubelet::volumes {

// One line of mountinfo (proc(5)); paths are unescaped.
struct MountInfo {
  int id = 0;
  int parent_id = 0;
  unsigned major = 0;
  unsigned minor = 0;
  std::string root;         // the path inside the source filesystem that is mounted here
  std::string mount_point;  // where, in this mount namespace
  std::string mount_options;
  std::vector<std::string> optional_fields;  // "shared:1", "master:2", ...
  std::string fs_type;
  std::string source;
  std::string super_options;
};

// Parses mountinfo text. InvalidArgument names the line and what is wrong with it.
absl::StatusOr<std::vector<MountInfo>> ParseMountInfo(std::string_view content);

// Reads and parses `path` (by default this process's mount table).
absl::StatusOr<std::vector<MountInfo>> ReadMountInfo(const std::string& path = "/proc/self/mountinfo");

// Mount points strictly beneath `dir` (not `dir` itself), deepest first, so that unmounting them
// in order never leaves a mount hidden under another.
std::vector<std::string> MountPointsUnder(const std::vector<MountInfo>& mounts, std::string_view dir);

// "\040" -> " " and the other octal escapes the kernel writes; anything else is kept as is.
std::string UnescapeMountInfoField(std::string_view field);

// The mount a file lives on: its device, and the mount id (mountinfo's first field) when the
// kernel reports it (statx STATX_MNT_ID, Linux 5.8). Two bind mounts of one filesystem share
// `dev`, so `dev` alone cannot tell a bind mount from a plain directory; the mount id can.
struct MountIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  uint64_t mnt_id = 0;
  bool has_mnt_id = false;
  // True when both are on the same mount (by id when both have one, by device otherwise).
  bool SameMount(const MountIdentity& other) const;
};

// Of `name` relative to `dirfd`, never following a final symlink; name "" means `dirfd` itself.
// Errors carry errno's text; callers add the path.
absl::StatusOr<MountIdentity> MountIdentityAt(int dirfd, const char* name);

// True when `path` (a final symlink is not followed) is the root of a mount, i.e. it is on a
// different mount than its parent directory. NotFound when it does not exist.
absl::StatusOr<bool> IsMountRoot(const std::string& path);

}  // namespace cubelet::volumes
