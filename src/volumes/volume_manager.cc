#include "volumes/volume_manager.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/host_path.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "volumes/mountinfo.h"
#include "volumes/remove_all.h"
#include "volumes/subpath.h"

namespace cubelet::volumes {

namespace fs = std::filesystem;

absl::Status CheckHostPathType(const std::string& path, const std::string& type) {
  struct stat st;
  const bool exists = ::stat(path.c_str(), &st) == 0;
  auto fail = [&](const char* what) {
    return absl::FailedPreconditionError(StrCat("hostPath type check failed: ", path, " ", what));
  };
  if (type.empty()) return absl::OkStatus();
  if (type == "DirectoryOrCreate") {
    if (!exists) {
      std::error_code ec;
      fs::create_directories(path, ec);
      if (ec) return absl::FailedPreconditionError(StrCat("hostPath ", path, ": cannot create directory: ", ec.message()));
      ::chmod(path.c_str(), 0755);
      return absl::OkStatus();
    }
    return S_ISDIR(st.st_mode) ? absl::OkStatus() : fail("is not a directory");
  }
  if (type == "FileOrCreate") {
    if (!exists) {
      int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) return absl::FailedPreconditionError(StrCat("hostPath ", path, ": cannot create file: ", std::strerror(errno)));
      ::close(fd);
      return absl::OkStatus();
    }
    return S_ISREG(st.st_mode) ? absl::OkStatus() : fail("is not a file");
  }
  if (type == "Directory") return exists && S_ISDIR(st.st_mode) ? absl::OkStatus() : fail("is not a directory");
  if (type == "File") return exists && S_ISREG(st.st_mode) ? absl::OkStatus() : fail("is not a file");
  if (type == "Socket") return exists && S_ISSOCK(st.st_mode) ? absl::OkStatus() : fail("is not a socket file");
  if (type == "CharDevice") return exists && S_ISCHR(st.st_mode) ? absl::OkStatus() : fail("is not a character device");
  if (type == "BlockDevice") return exists && S_ISBLK(st.st_mode) ? absl::OkStatus() : fail("is not a block device");
  return absl::InvalidArgumentError(StrCat("hostPath ", path, ": unsupported type \"", type, "\""));
}

VolumeManager::VolumeManager(std::string root_dir, Logger logger)
    : root_dir_(std::move(root_dir)), logger_(std::move(logger)) {}

absl::StatusOr<std::string> VolumeManager::PodDir(const std::string& pod_uid) const {
  return HostPathUnder(StrCat(root_dir_, "/pods"), {{"metadata.uid", pod_uid}});
}

absl::StatusOr<std::string> VolumeManager::PodContainerDir(const std::string& pod_uid,
                                                           const std::string& container_name) const {
  ASSIGN_OR_RETURN(const std::string pod_dir, PodDir(pod_uid));
  return HostPathUnder(StrCat(pod_dir, "/containers"), {{"container name", container_name}});
}

absl::StatusOr<std::map<std::string, std::string>> VolumeManager::SetUpPod(const api::Pod& pod) {
  std::map<std::string, std::string> out;
  ASSIGN_OR_RETURN(const std::string pod_dir, PodDir(pod.metadata.uid));
  std::error_code ec;
  fs::create_directories(pod_dir + "/volumes", ec);
  fs::create_directories(pod_dir + "/containers", ec);
  if (ec) return absl::FailedPreconditionError(StrCat("create pod directory ", pod_dir, ": ", ec.message()));
  for (const auto& v : pod.spec.volumes) {
    if (v.host_path) {
      absl::Status s = CheckHostPathType(v.host_path->path, v.host_path->type);
      if (!s.ok()) return absl::Status(s.code(), StrCat("volume \"", v.name, "\": ", s.message()));
      out[v.name] = v.host_path->path;
      continue;
    }
    if (v.empty_dir) {
      ASSIGN_OR_RETURN(const std::string dir,
                       HostPathUnder(StrCat(pod_dir, "/volumes/kubernetes.io~empty-dir"), {{"volume name", v.name}}));
      fs::create_directories(dir, ec);
      if (ec) return absl::FailedPreconditionError(StrCat("volume \"", v.name, "\": create ", dir, ": ", ec.message()));
      if (v.empty_dir->medium == "Memory") {
        // Mounted already by an earlier sync of the pod (mountinfo's escapes handled there).
        auto mounted = IsMountRoot(dir);
        if (!mounted.ok()) return Annotate(mounted.status(), StrCat("volume \"", v.name, "\""));
        std::string opts = "mode=0777";
        if (v.empty_dir->size_limit && !v.empty_dir->size_limit->IsZero()) {
          opts += StrCat(",size=", v.empty_dir->size_limit->Value());
        }
        if (!*mounted && ::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
          return absl::FailedPreconditionError(
              StrCat("volume \"", v.name, "\": mount tmpfs on ", dir, ": ", std::strerror(errno)));
        }
      }
      ::chmod(dir.c_str(), 0777);
      out[v.name] = dir;
      continue;
    }
    return absl::UnimplementedError(StrCat("volume \"", v.name, "\": volume type \"", v.other_source,
                                           "\" is not supported by cubelet"));
  }
  return out;
}

absl::Status VolumeManager::TearDownPod(const std::string& pod_uid) {
  ASSIGN_OR_RETURN(const std::string pod_dir, PodDir(pod_uid));
  // Subpath bind mounts first (they show volume content, possibly a hostPath's), then any
  // other mount beneath the pod directory (tmpfs emptyDirs), deepest first; the removal
  // refuses to cross a mount that is still there rather than empty it.
  RETURN_IF_ERROR(Annotate(CleanSubPaths(pod_dir), StrCat("tear down pod ", pod_uid)));
  ASSIGN_OR_RETURN(const std::vector<MountInfo> mounts, ReadMountInfo());
  for (const std::string& mp : MountPointsUnder(mounts, pod_dir)) {
    if (::umount2(mp.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL && errno != ENOENT) {
      return absl::FailedPreconditionError(StrCat("tear down pod ", pod_uid, ": unmount ", mp, ": ", std::strerror(errno)));
    }
  }
  return RemoveAllOneFilesystem(pod_dir);
}

}  // namespace cubelet::volumes
