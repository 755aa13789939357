// Owns: subPath mounts, as upstream's pkg/volume/util/subpath (subpath_linux.go): the subPath is
// opened beneath the volume one component at a time without following any symlink, missing
// directories are created relative to the opened parent (mkdirat), and the opened descriptor
// itself is bind-mounted (/proc/self/fd/N) onto a staging target under the pod directory,
// <podDir>/volume-subpaths/<volume>/<container>/<volumeMount index>, which is what the CRI
// mount names. What the container sees is what was opened, whatever the volume's owner renames
// meanwhile (CVE-2017-1002101, CVE-2021-25741). CleanSubPaths undoes it at pod teardown.
// Does not own: the volumes themselves (volume_manager.h), the CRI mount list (kuberuntime).
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/types.h"

namespace cubelet::volumes {

// One volumeMount with a subPath (upstream's subpath.Subpath).
struct SubPath {
  size_t volume_mount_index = 0;  // in the container's volumeMounts: names the field and the target
  std::string path;               // the subPath as written (subPathExpr already expanded)
  std::string volume_name;
  std::string volume_path;        // the volume's host path; symlinks in it are cubelet's or the admin's
  std::string pod_dir;            // cubelet's own
  std::string container_name;
};

// How each component of the subPath is opened.
enum class SubPathResolver {
  kAuto,          // openat2 when the kernel has it (Linux 5.6), else kNoFollowWalk
  kOpenat2,       // openat2(O_PATH, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
  kNoFollowWalk,  // openat(O_PATH | O_NOFOLLOW), then fstat refuses a symlink
};

// Opens the subPath safely, creating missing directories (with the volume root's mode), and
// bind-mounts it onto its staging target; returns the target, the host path for the CRI mount.
// Idempotent: a target already mounted from the same file is returned as is; one mounted from
// something else is unmounted and mounted again. InvalidArgument, naming
// "volumeMounts[i].subPath", for an absolute path, a ".." component, a NUL byte or a symlink
// anywhere in the subPath (refused rather than followed: it could point outside of the
// volume); FailedPrecondition for system errors, naming the path. Blocking; needs
// CAP_SYS_ADMIN for the mount.
absl::StatusOr<std::string> PrepareSafeSubpath(const SubPath& sub_path,
                                               SubPathResolver resolver = SubPathResolver::kAuto);

// PrepareSafeSubpath for each volumeMount of `container` that has a subPath: volumeMounts
// index -> staging target, for kuberuntime's ContainerContext::sub_paths. `volumes` is volume
// name -> host path (VolumeManager::SetUpPod). Errors are the container's
// CreateContainerConfigError, as upstream's makeMounts.
absl::StatusOr<std::map<size_t, std::string>> PrepareSubPaths(const std::string& pod_dir,
                                                              const api::Container& container,
                                                              const std::map<std::string, std::string>& volumes);

// Unmounts and removes every staging target under <podDir>/volume-subpaths, then the directory
// itself (upstream's doCleanSubPaths, for all volumes at once). OK when there is none. Never
// descends into a target, mounted or not. Call before removing the pod directory.
absl::Status CleanSubPaths(const std::string& pod_dir);

}  // namespace cubelet::volumes
