#include "cgroup_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace cubelet::cgroups::files {
namespace {

absl::Status ErrnoError(int err, std::string_view what, const std::string& path) {
  const std::string msg = StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT: return absl::NotFoundError(msg);
    case EBUSY: return absl::FailedPreconditionError(msg);
    case EACCES:
    case EPERM: return absl::PermissionDeniedError(msg);
    case EINVAL: return absl::InvalidArgumentError(msg);
    default: return absl::InternalError(msg);
  }
}

}  // namespace

absl::StatusOr<std::string> Read(const std::string& path) {
  std::ifstream f(path);
  if (!f) return ErrnoError(errno, "read", path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

absl::StatusOr<int64_t> ReadInt(const std::string& path) {
  auto s = Read(path);
  if (!s.ok()) return s.status();
  int64_t v = 0;
  if (!absl::SimpleAtoi(*s, &v)) return absl::InvalidArgumentError(StrCat("read ", path, ": \"", *s, "\" is no integer"));
  return v;
}

absl::Status Write(const std::string& path, const std::string& value) {
  // O_CREAT only matters for a plain directory standing in for cgroupfs (tests); cgroupfs
  // has every control file already and refuses to create others.
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, "open", path);
  ssize_t n = ::write(fd, value.data(), value.size());
  const int err = errno;
  ::close(fd);
  if (n < 0) return ErrnoError(err, StrCat("write \"", value, "\" to"), path);
  return absl::OkStatus();
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

absl::StatusOr<std::vector<std::string>> MakeDirs(const std::string& path) {
  std::vector<std::string> created;
  std::string cur;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    StrAppend(&cur, "/", part);
    if (::mkdir(cur.c_str(), 0755) == 0) {
      created.push_back(cur);
    } else if (errno != EEXIST) {
      return ErrnoError(errno, "mkdir", cur);
    }
  }
  return created;
}

absl::StatusOr<std::vector<std::string>> SubDirs(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return out;
    return ErrnoError(errno, "list", path);
  }
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && IsDir(StrCat(path, "/", name)))) out.push_back(name);
  }
  ::closedir(d);
  return out;
}

absl::Status RemoveTree(const std::string& path) {
  auto children = SubDirs(path);
  if (!children.ok()) return children.status();
  for (const auto& c : *children) {
    if (absl::Status s = RemoveTree(StrCat(path, "/", c)); !s.ok()) return s;
  }
  if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return absl::OkStatus();
  if (errno != ENOTEMPTY) return ErrnoError(errno, "remove cgroup", path);
  // cgroupfs removes a cgroup with its control files; ENOTEMPTY means a plain directory
  // standing in for one (tests), whose files go first.
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return ErrnoError(errno, "list", path);
  while (dirent* e = ::readdir(d)) {
    if (e->d_type != DT_DIR) ::unlink(StrCat(path, "/", e->d_name).c_str());
  }
  ::closedir(d);
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return ErrnoError(errno, "remove cgroup", path);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CgroupName>> ChildCgroups(const std::string& dir, const std::string& path,
                                                     CgroupDriver driver) {
  auto subdirs = SubDirs(dir);
  if (!subdirs.ok()) return subdirs.status();
  std::vector<CgroupName> out;
  for (const auto& d : *subdirs) {
    auto child = ParseDriverPath(StrCat(path == "/" ? "" : path, "/", d), driver);
    if (child.ok()) out.push_back(*std::move(child));
  }
  return out;
}

absl::StatusOr<std::vector<int>> PidsBelow(const std::string& path) {
  std::vector<int> pids;
  if (!IsDir(path)) return pids;
  auto procs = Read(StrCat(path, "/cgroup.procs"));
  if (procs.ok()) {
    for (absl::string_view line : absl::StrSplit(*procs, '\n', absl::SkipWhitespace())) {
      int pid = 0;
      if (absl::SimpleAtoi(line, &pid)) pids.push_back(pid);
    }
  } else if (!absl::IsNotFound(procs.status())) {
    return procs.status();
  }
  auto children = SubDirs(path);
  if (!children.ok()) return children.status();
  for (const auto& c : *children) {
    auto below = PidsBelow(StrCat(path, "/", c));
    if (!below.ok()) return below.status();
    pids.insert(pids.end(), below->begin(), below->end());
  }
  return pids;
}

}  // namespace cubelet::cgroups::files
