#include "volumes/mountinfo.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace cubelet::volumes {
namespace {

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

absl::StatusOr<MountInfo> ParseLine(std::string_view line, size_t number) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat("mountinfo line ", number, ": ", why, ": \"", line, "\""));
  };
  // id parent major:minor root mount-point options [optional...] - fstype source super-options
  std::vector<std::string_view> f;
  for (absl::string_view s : absl::StrSplit(absl::string_view(line.data(), line.size()), ' ')) {
    f.emplace_back(s.data(), s.size());
  }
  if (f.size() < 10) return bad("expected at least 10 fields");
  MountInfo m;
  if (!ParseNumber(f[0], &m.id)) return bad("mount id is not a number");
  if (!ParseNumber(f[1], &m.parent_id)) return bad("parent id is not a number");
  const size_t colon = f[2].find(':');
  if (colon == std::string_view::npos || !ParseNumber(f[2].substr(0, colon), &m.major) ||
      !ParseNumber(f[2].substr(colon + 1), &m.minor)) {
    return bad("device is not major:minor");
  }
  m.root = UnescapeMountInfoField(f[3]);
  m.mount_point = UnescapeMountInfoField(f[4]);
  m.mount_options = std::string(f[5]);
  size_t i = 6;
  for (; i < f.size() && f[i] != "-"; ++i) m.optional_fields.emplace_back(f[i]);
  if (i == f.size()) return bad("no \"-\" separator");
  if (f.size() - i < 4) return bad("expected fstype, source and super options after \"-\"");
  m.fs_type = UnescapeMountInfoField(f[i + 1]);
  m.source = UnescapeMountInfoField(f[i + 2]);
  m.super_options = std::string(f[i + 3]);
  return m;
}

absl::StatusOr<struct statx> Statx(int dirfd, const char* name, int flags) {
  struct statx stx;
  if (::statx(dirfd, name, flags | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_MNT_ID, &stx) != 0) {
    const int err = errno;
    return absl::Status(err == ENOENT ? absl::StatusCode::kNotFound : absl::StatusCode::kFailedPrecondition,
                        StrCat("statx: ", std::strerror(err)));
  }
  return stx;
}

MountIdentity IdentityOf(const struct statx& stx) {
  MountIdentity id;
  id.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
  id.ino = stx.stx_ino;
  id.has_mnt_id = (stx.stx_mask & STATX_MNT_ID) != 0;
  id.mnt_id = id.has_mnt_id ? stx.stx_mnt_id : 0;
  return id;
}

}  // namespace

std::string UnescapeMountInfoField(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) &&
        IsOctal(field[i + 3])) {
      out.push_back(static_cast<char>(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
      i += 3;
      continue;
    }
    out.push_back(field[i]);
  }
  return out;
}

absl::StatusOr<std::vector<MountInfo>> ParseMountInfo(std::string_view content) {
  std::vector<MountInfo> out;
  size_t number = 0;
  for (absl::string_view line : absl::StrSplit(absl::string_view(content.data(), content.size()), '\n')) {
    ++number;
    if (line.empty()) continue;
    absl::StatusOr<MountInfo> m = ParseLine(std::string_view(line.data(), line.size()), number);
    if (!m.ok()) return m.status();
    out.push_back(*std::move(m));
  }
  return out;
}

absl::StatusOr<std::vector<MountInfo>> ReadMountInfo(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::FailedPreconditionError(StrCat("read ", path, ": ", std::strerror(errno)));
  std::stringstream content;
  content << in.rdbuf();
  absl::StatusOr<std::vector<MountInfo>> mounts = ParseMountInfo(content.str());
  if (!mounts.ok()) return absl::Status(mounts.status().code(), StrCat(path, ": ", mounts.status().message()));
  return mounts;
}

std::vector<std::string> MountPointsUnder(const std::vector<MountInfo>& mounts, std::string_view dir) {
  std::string prefix(dir);
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  prefix += '/';
  std::vector<std::string> out;
  for (const MountInfo& m : mounts) {
    if (m.mount_point.size() > prefix.size() && m.mount_point.compare(0, prefix.size(), prefix) == 0) {
      out.push_back(m.mount_point);
    }
  }
  // A mount point is longer than every mount point it lies beneath: longest first is deepest first.
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a > b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool MountIdentity::SameMount(const MountIdentity& other) const {
  if (dev != other.dev) return false;
  return !has_mnt_id || !other.has_mnt_id || mnt_id == other.mnt_id;
}

absl::StatusOr<MountIdentity> MountIdentityAt(int dirfd, const char* name) {
  absl::StatusOr<struct statx> stx = Statx(dirfd, name, name[0] == '\0' ? AT_EMPTY_PATH : 0);
  if (!stx.ok()) return stx.status();
  return IdentityOf(*stx);
}

absl::StatusOr<bool> IsMountRoot(const std::string& path) {
  absl::StatusOr<struct statx> self = Statx(AT_FDCWD, path.c_str(), 0);
  if (!self.ok()) return absl::Status(self.status().code(), StrCat(path, ": ", self.status().message()));
  if ((self->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0) {
    return (self->stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  }
  // Kernels before 5.8: on another mount than the parent directory.
  const size_t slash = path.find_last_of('/');
  const std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  absl::StatusOr<struct statx> up = Statx(AT_FDCWD, parent.c_str(), 0);
  if (!up.ok()) return absl::Status(up.status().code(), StrCat(parent, ": ", up.status().message()));
  return !IdentityOf(*self).SameMount(IdentityOf(*up));
}

}  // namespace cubelet::volumes
