#include "volumes/subpath.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "common/host_path.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "volumes/mountinfo.h"
#include "common/unique_fd.h"

namespace cubelet::volumes {
namespace {

namespace fs = std::filesystem;

constexpr char kSubPathDirectoryName[] = "volume-subpaths";  // upstream's containerSubPathDirectoryName
constexpr int kMaxStackedMounts = 16;

absl::Status SysError(std::string_view op, std::string_view path) {
  const int err = errno;
  return absl::FailedPreconditionError(StrCat(op, " ", path, ": ", std::strerror(err)));
}

// The subPath's components, after refusing what must never reach the walk. "." and empty
// components (a//b, ./a) are skipped, as upstream's filepath.Join cleans them.
absl::StatusOr<std::vector<std::string>> Components(const SubPath& sp, std::string_view field) {
  auto refuse = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat(field, " \"", sp.path, "\": ", why));
  };
  if (sp.path.empty()) return refuse("must not be empty");
  if (sp.path[0] == '/') return refuse("must be a relative path");
  if (sp.path.find('\0') != std::string::npos) return refuse("must not contain a NUL byte");
  std::vector<std::string> out;
  for (size_t start = 0; start <= sp.path.size();) {
    size_t slash = sp.path.find('/', start);
    if (slash == std::string::npos) slash = sp.path.size();
    std::string part = sp.path.substr(start, slash - start);
    if (part == "..") return refuse("must not contain '..'");
    if (!part.empty() && part != ".") out.push_back(std::move(part));
    start = slash + 1;
  }
  return out;
}

// Opens `name` (one component) in `dir` as an O_PATH descriptor without following a symlink.
// Returns -1 with errno set; ELOOP for a symlink under openat2. kNoFollowWalk returns the
// symlink itself, which the caller's fstat refuses.
int OpenComponent(int dir, const std::string& name, SubPathResolver* resolver) {
  if (*resolver != SubPathResolver::kNoFollowWalk) {
    struct open_how how = {};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, dir, name.c_str(), &how, sizeof(how));
    if (fd >= 0 || errno != ENOSYS || *resolver == SubPathResolver::kOpenat2) return static_cast<int>(fd);
    *resolver = SubPathResolver::kNoFollowWalk;  // kernel before 5.6
  }
  return ::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

// Upstream's doSafeOpen and doSafeMakeDir in one walk: each component is opened relative to the
// descriptor of its parent, so no rename anywhere can move the walk outside of the volume.
absl::StatusOr<UniqueFd> OpenBeneath(int root, const SubPath& sp, const std::vector<std::string>& parts,
                                     mode_t dir_mode, SubPathResolver resolver, std::string_view field) {
  UniqueFd cur(::openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cur.valid()) return SysError("open", sp.volume_path);
  std::string walked = sp.volume_path;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& name = parts[i];
    walked = StrCat(walked, "/", name);
    bool created = false;
    UniqueFd next;
    // Bounded: someone may remove what we just created before we open it.
    for (int attempt = 0; attempt < 3 && !next.valid(); ++attempt) {
      next.Reset(OpenComponent(cur.get(), name, &resolver));
      if (next.valid() || errno != ENOENT) break;
      if (::mkdirat(cur.get(), name.c_str(), dir_mode) == 0) {
        created = true;
      } else if (errno != EEXIST) {
        return SysError("create directory", walked);
      }
    }
    struct stat st;
    if (next.valid() && ::fstat(next.get(), &st) != 0) return SysError("stat", walked);
    if ((!next.valid() && errno == ELOOP) || (next.valid() && S_ISLNK(st.st_mode))) {
      return absl::InvalidArgumentError(
          StrCat(field, " \"", sp.path, "\": \"", name, "\" is a symlink, which could point outside of the volume \"",
                 sp.volume_name, "\"; a subPath never follows symlinks"));
    }
    if (!next.valid()) {
      if (errno == EXDEV) {
        return absl::InvalidArgumentError(
            StrCat(field, " \"", sp.path, "\": resolves outside of the volume \"", sp.volume_name, "\""));
      }
      return SysError("open", walked);
    }
    if (i + 1 < parts.size() && !S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(StrCat(field, " \"", sp.path, "\": ", walked, " is not a directory"));
    }
    if (created && S_ISDIR(st.st_mode)) {
      // mkdirat obeyed the umask; the container gets the volume root's mode, as upstream. An
      // O_PATH descriptor cannot fchmod, its /proc/self/fd link can (it is this very directory).
      const std::string self = StrCat("/proc/self/fd/", next.get());
      if (::chmod(self.c_str(), dir_mode) != 0) return SysError("chmod", walked);
    }
    cur = std::move(next);
  }
  return cur;
}

// The entries of `dir` as full paths; NotFound when it does not exist.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> stream(::opendir(dir.c_str()), ::closedir);
  if (stream == nullptr) {
    if (errno == ENOENT) return absl::NotFoundError(StrCat(dir, " does not exist"));
    return SysError("read", dir);
  }
  std::vector<std::string> out;
  errno = 0;
  while (const dirent* e = ::readdir(stream.get())) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") out.push_back(StrCat(dir, "/", name));
    errno = 0;
  }
  if (errno != 0) return SysError("read", dir);
  return out;
}

// Removes a stale, unmounted staging target (a directory or a file, never descending).
absl::Status RemoveTarget(const std::string& target) {
  struct stat st;
  if (::lstat(target.c_str(), &st) != 0) return errno == ENOENT ? absl::OkStatus() : SysError("stat", target);
  if ((S_ISDIR(st.st_mode) ? ::rmdir(target.c_str()) : ::unlink(target.c_str())) != 0 && errno != ENOENT) {
    return SysError("remove", target);
  }
  return absl::OkStatus();
}

// Unmounts everything stacked on `target`; it is left in place.
absl::Status UnmountTarget(const std::string& target) {
  for (int i = 0; i < kMaxStackedMounts; ++i) {
    absl::StatusOr<bool> mounted = IsMountRoot(target);
    if (!mounted.ok()) return mounted.status().code() == absl::StatusCode::kNotFound ? absl::OkStatus() : mounted.status();
    if (!*mounted) return absl::OkStatus();
    if (::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL) {
      return SysError("unmount", target);
    }
  }
  return absl::FailedPreconditionError(StrCat("unmount ", target, ": still a mount point after ", kMaxStackedMounts,
                                              " unmounts"));
}

// upstream's prepareSubpathTarget: true when `target` is already mounted from `source`.
absl::StatusOr<bool> PrepareTarget(const std::string& target, const struct stat& source) {
  absl::StatusOr<bool> mounted = IsMountRoot(target);
  if (!mounted.ok() && mounted.status().code() != absl::StatusCode::kNotFound) return mounted.status();
  if (mounted.ok() && *mounted) {
    struct stat st;
    if (::lstat(target.c_str(), &st) != 0) return SysError("stat", target);
    if (st.st_dev == source.st_dev && st.st_ino == source.st_ino) return true;
    if (absl::Status s = UnmountTarget(target); !s.ok()) return s;
  }
  std::error_code ec;
  const std::string parent = fs::path(target).parent_path().string();
  fs::create_directories(parent, ec);
  if (ec) return absl::FailedPreconditionError(StrCat("create directory ", parent, ": ", ec.message()));
  // A directory is mounted on a directory; anything else (file, device, socket) on a file.
  const bool want_dir = S_ISDIR(source.st_mode);
  struct stat st;
  if (::lstat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode) != want_dir) {
    if (absl::Status s = RemoveTarget(target); !s.ok()) return s;
  }
  if (want_dir) {
    if (::mkdir(target.c_str(), 0750) != 0 && errno != EEXIST) return SysError("create directory", target);
  } else {
    UniqueFd f(::open(target.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640));
    if (!f.valid()) return SysError("create file", target);
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> PrepareSafeSubpath(const SubPath& sp, SubPathResolver resolver) {
  const std::string field = StrCat("volumeMounts[", sp.volume_mount_index, "].subPath");
  absl::StatusOr<std::vector<std::string>> parts = Components(sp, field);
  if (!parts.ok()) return parts.status();
  const std::string index = std::to_string(sp.volume_mount_index);
  absl::StatusOr<std::string> target =
      HostPathUnder(sp.pod_dir, {{"subpath directory", kSubPathDirectoryName},
                                 {StrCat("volumeMounts[", sp.volume_mount_index, "].name"), sp.volume_name},
                                 {"container name", sp.container_name},
                                 {"volumeMounts index", index}});
  if (!target.ok()) return target.status();

  UniqueFd root(::open(sp.volume_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return Annotate(SysError("open volume", sp.volume_path), field);
  struct stat root_st;
  if (::fstat(root.get(), &root_st) != 0) return Annotate(SysError("stat volume", sp.volume_path), field);
  absl::StatusOr<UniqueFd> fd = OpenBeneath(root.get(), sp, *parts, root_st.st_mode & 07777, resolver, field);
  if (!fd.ok()) return fd.status();
  struct stat source;
  if (::fstat(fd->get(), &source) != 0) return Annotate(SysError("stat", sp.path), field);

  absl::StatusOr<bool> already = PrepareTarget(*target, source);
  if (!already.ok()) return Annotate(already.status(), field);
  if (*already) return target;
  // The kernel resolves this link to the opened file itself, not to a path someone can change.
  const std::string from = StrCat("/proc/self/fd/", fd->get());
  if (::mount(from.c_str(), target->c_str(), nullptr, MS_BIND, nullptr) != 0) {
    absl::Status err = SysError(StrCat("bind-mount ", sp.volume_path, "/", sp.path, " onto"), *target);
    (void)RemoveTarget(*target);
    return Annotate(err, field);
  }
  return target;
}

absl::StatusOr<std::map<size_t, std::string>> PrepareSubPaths(const std::string& pod_dir,
                                                              const api::Container& container,
                                                              const std::map<std::string, std::string>& volumes) {
  std::map<size_t, std::string> out;
  for (size_t i = 0; i < container.volume_mounts.size(); ++i) {
    const api::VolumeMount& m = container.volume_mounts[i];
    if (m.sub_path.empty()) continue;
    auto vol = volumes.find(m.name);
    if (vol == volumes.end()) {
      return absl::InvalidArgumentError(StrCat("volumeMounts[", i, "].name: cannot find volume \"", m.name,
                                               "\" to mount into container \"", container.name, "\""));
    }
    absl::StatusOr<std::string> target = PrepareSafeSubpath(
        {.volume_mount_index = i, .path = m.sub_path, .volume_name = m.name, .volume_path = vol->second,
         .pod_dir = pod_dir, .container_name = container.name});
    if (!target.ok()) return target.status();
    out[i] = *std::move(target);
  }
  return out;
}

absl::Status CleanSubPaths(const std::string& pod_dir) {
  const std::string base = StrCat(pod_dir, "/", kSubPathDirectoryName);
  // Everything down to the targets is cubelet's own; a target is unmounted, then removed
  // without being read.
  absl::StatusOr<std::vector<std::string>> volumes = ListDir(base);
  if (!volumes.ok()) return volumes.status().code() == absl::StatusCode::kNotFound ? absl::OkStatus() : volumes.status();
  for (const std::string& volume : *volumes) {
    absl::StatusOr<std::vector<std::string>> containers = ListDir(volume);
    if (!containers.ok()) return containers.status();
    for (const std::string& container : *containers) {
      absl::StatusOr<std::vector<std::string>> targets = ListDir(container);
      if (!targets.ok()) return targets.status();
      for (const std::string& target : *targets) {
        RETURN_IF_ERROR(UnmountTarget(target));
        RETURN_IF_ERROR(RemoveTarget(target));
      }
      if (::rmdir(container.c_str()) != 0 && errno != ENOENT) return SysError("remove", container);
    }
    if (::rmdir(volume.c_str()) != 0 && errno != ENOENT) return SysError("remove", volume);
  }
  if (::rmdir(base.c_str()) != 0 && errno != ENOENT) return SysError("remove", base);
  return absl::OkStatus();
}

}  // namespace cubelet::volumes
