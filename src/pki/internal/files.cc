#include "pki/internal/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "absl/strings/str_format.h"
#include "common/strings.h"
#include "pki/pki.h"

namespace cubelet::pki {
namespace internal {
namespace {

// Certificates and kubeconfigs are a few KiB; anything far larger is not ours.
constexpr off_t kMaxFileBytes = 1 << 20;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close(2) may carry for a written file.
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

absl::Status ErrnoError(std::string_view what, const std::string& path, int err) {
  std::string message = StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
  return absl::InternalError(message);
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::StatusOr<std::string> ReadFd(const Fd& fd, const std::string& path, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return absl::FailedPreconditionError(StrCat(path, " is not a regular file"));
  if (st.st_size > kMaxFileBytes) {
    return absl::FailedPreconditionError(StrCat(path, " is too large (", static_cast<long long>(st.st_size),
                                                " bytes)"));
  }
  std::string contents;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read", path, errno);
    if (n == 0) break;
    contents.append(buf, static_cast<size_t>(n));
    if (contents.size() > static_cast<size_t>(kMaxFileBytes)) {
      return absl::FailedPreconditionError(StrCat(path, " is too large"));
    }
  }
  return contents;
}

absl::StatusOr<std::string> Read(const std::string& path, bool private_file) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("stat", path, errno);
  // fstat on the open descriptor: the mode checked is the mode of the file read.
  if (private_file && (st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s is accessible by group or others (mode %04o); it holds a private key and must be 0600 "
        "(chmod 600 %s)",
        path, st.st_mode & 07777, path));
  }
  return ReadFd(fd, path, st);
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents, mode_t mode) {
  std::random_device random;
  const std::string temp = StrCat(path, ".tmp-", static_cast<long>(::getpid()), "-", random());
  {
    // Created with `mode` (never wider), so a private file is never briefly readable by others.
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 0600));
    if (fd.get() < 0) return ErrnoError("create", temp, errno);
    auto fail = [&](std::string_view what, int err) {
      ::unlink(temp.c_str());
      return ErrnoError(what, temp, err);
    };
    if (::fchmod(fd.get(), mode) != 0) return fail("chmod", errno);
    const char* p = contents.data();
    size_t left = contents.size();
    while (left > 0) {
      ssize_t n = ::write(fd.get(), p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail("write", errno);
      p += n;
      left -= static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return fail("fsync", errno);
    if (fd.Close() != 0) return fail("close", errno);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return ErrnoError(StrCat("rename ", temp, " to"), path, err);
  }
  // The rename is durable only once the directory entry is.
  const std::string dir = DirectoryOf(path);
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) return ErrnoError("open directory", dir, errno);
  if (::fsync(dir_fd.get()) != 0) return ErrnoError("fsync directory", dir, errno);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) { return Read(path, false); }

absl::StatusOr<std::string> ReadPrivateFile(const std::string& path) { return Read(path, true); }

bool FileExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

absl::Status MakeDirectories(const std::string& path, mode_t mode) {
  if (path.empty()) return absl::InvalidArgumentError("empty directory name");
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return absl::FailedPreconditionError(StrCat(path, " is not a directory"));
    return absl::OkStatus();
  }
  const std::string parent = DirectoryOf(path);
  if (parent != path && parent != "." && parent != "/") {
    absl::Status status = MakeDirectories(parent, mode);
    if (!status.ok()) return status;
  }
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return ErrnoError("create directory", path, errno);
  return absl::OkStatus();
}

}  // namespace internal

absl::Status WritePrivateFile(const std::string& path, const std::string& contents) {
  return internal::WriteFileAtomically(path, contents, 0600);
}

}  // namespace cubelet::pki
