// Owns: the pod's directory under root-dir and its volumes: emptyDir (a directory, or a tmpfs
// for medium Memory honouring sizeLimit) and hostPath (with upstream's type checks), set up
// before containers start and torn down when the pod is gone.
// Does not own: mounting volumes into containers (the runtime does, from CRI mounts).
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "common/logger.h"

namespace cubelet::volumes {

class VolumeManager {
 public:
  VolumeManager(std::string root_dir, Logger logger);

  // Idempotent. Returns volume name -> host path. Errors name the volume and the reason
  // ("hostPath type check failed: /x is not a directory").
  absl::StatusOr<std::map<std::string, std::string>> SetUpPod(const api::Pod& pod);
  // Unmounts the pod's subPath bind mounts (CleanSubPaths) and every other mount beneath its
  // directory, then removes the directory without following symlinks or crossing a mount
  // (RemoveAllOneFilesystem). OK when the pod has no directory.
  absl::Status TearDownPod(const std::string& pod_uid);

  // <root-dir>/pods/<uid> (upstream getPodDir). The UID is the pod author's: one that is not a
  // single path element ("../x") is InvalidArgument naming metadata.uid, so no caller can
  // create or remove a directory outside root-dir through it.
  absl::StatusOr<std::string> PodDir(const std::string& pod_uid) const;
  // <pod dir>/containers/<container> (upstream getPodContainerDir), where termination message
  // files live; the container name is checked as the UID is.
  absl::StatusOr<std::string> PodContainerDir(const std::string& pod_uid, const std::string& container_name) const;
  const std::string& root_dir() const { return root_dir_; }

 private:
  std::string root_dir_;
  Logger logger_;
};

// upstream's hostPath type check for one path; creates it for the *OrCreate types.
absl::Status CheckHostPathType(const std::string& path, const std::string& type);

}  // namespace cubelet::volumes
