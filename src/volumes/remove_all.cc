#include "volumes/remove_all.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "common/status_macros.h"
#include "common/strings.h"
#include "volumes/mountinfo.h"
#include "common/unique_fd.h"

namespace cubelet::volumes {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

// One directory being emptied. Entries removed during readdir may hide others on some
// filesystems, so a directory is read again until a pass finds nothing (bounded).
struct Frame {
  std::unique_ptr<DIR, DirCloser> stream;
  MountIdentity mount;
  std::string path;
  std::string name;  // in the parent frame's directory
  bool found = false;
  int passes = 1;
};
constexpr int kMaxPasses = 4;
constexpr size_t kMaxOpenDirs = 64;

class Remover {
 public:
  explicit Remover(const std::string& root) : root_(root) {}

  absl::Status Run() {
    std::string path = root_;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    const size_t slash = path.find_last_of('/');
    const std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base.empty() || base == "." || base == ".." || base == "/") {
      return absl::InvalidArgumentError(StrCat("remove \"", root_, "\": not a removable path"));
    }
    // The parent is the caller's own directory; everything from `base` down is walked by fd.
    top_parent_ = UniqueFd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!top_parent_.valid()) return errno == ENOENT ? absl::OkStatus() : Fail("open", parent);
    absl::StatusOr<MountIdentity> parent_mount = MountIdentityAt(top_parent_.get(), "");
    if (!parent_mount.ok()) return WithPath(parent_mount.status(), parent);
    if (absl::Status s = RemoveEntry(top_parent_.get(), *parent_mount, base, path); !s.ok()) return s;
    while (!stack_.empty()) {
      if (absl::Status s = Step(); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Fail(std::string_view op, const std::string& path) const {
    const int err = errno;
    return absl::FailedPreconditionError(StrCat("remove ", root_, ": ", op, " ", path, ": ", std::strerror(err)));
  }
  absl::Status WithPath(const absl::Status& s, const std::string& path) const {
    return absl::Status(s.code(), StrCat("remove ", root_, ": ", path, ": ", s.message()));
  }

  // Removes a non-directory at once; pushes a directory to be emptied first.
  absl::Status RemoveEntry(int dirfd, const MountIdentity& dir_mount, const std::string& name, std::string path) {
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return errno == ENOENT ? absl::OkStatus() : Fail("stat", path);
    }
    if (!S_ISDIR(st.st_mode)) {
      if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) return Fail("unlink", path);
      return absl::OkStatus();
    }
    // O_NOFOLLOW: if the name became a symlink since the stat, this fails instead of following.
    UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno == ENOENT) return absl::OkStatus();
      if (errno == ELOOP || errno == ENOTDIR) {  // swapped for a symlink or a file meanwhile
        if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) return Fail("unlink", path);
        return absl::OkStatus();
      }
      return Fail("open", path);
    }
    // Checked on the opened directory, so what is checked is what gets emptied.
    absl::StatusOr<MountIdentity> mount = MountIdentityAt(fd.get(), "");
    if (!mount.ok()) return WithPath(mount.status(), path);
    if (!mount->SameMount(dir_mount)) {
      return absl::FailedPreconditionError(
          StrCat("remove ", root_, ": ", path, " is a mount point (another filesystem or a bind mount); "
                 "refusing to remove across it"));
    }
    DIR* stream = ::fdopendir(fd.get());
    if (stream == nullptr) return Fail("read", path);
    fd.Release();  // the stream owns it now
    stack_.push_back(Frame{std::unique_ptr<DIR, DirCloser>(stream), *mount, std::move(path), name});
    // A tree deeper than the descriptor limit (anyone can mkdir in a loop) must still go: keep
    // only the deepest directories open and reopen an ancestor through ".." when back to it.
    if (stack_.size() > kMaxOpenDirs) stack_[stack_.size() - kMaxOpenDirs - 1].stream.reset();
    return absl::OkStatus();
  }

  // Reopens the closed top of the stack as the parent of `child`, checking it is the same
  // directory (device and inode) as when it was opened: if it was moved meanwhile, fail rather
  // than empty something else.
  absl::Status ReopenParent(DIR* child) {
    Frame& parent = stack_.back();
    UniqueFd fd(::openat(::dirfd(child), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return Fail("reopen", parent.path);
    absl::StatusOr<MountIdentity> again = MountIdentityAt(fd.get(), "");
    if (!again.ok()) return WithPath(again.status(), parent.path);
    if (again->ino != parent.mount.ino || !again->SameMount(parent.mount)) {
      return absl::FailedPreconditionError(StrCat("remove ", root_, ": ", parent.path, " was moved during removal"));
    }
    DIR* stream = ::fdopendir(fd.get());
    if (stream == nullptr) return Fail("read", parent.path);
    fd.Release();
    parent.stream.reset(stream);
    return absl::OkStatus();
  }

  absl::Status Step() {
    Frame& top = stack_.back();
    errno = 0;
    if (const dirent* e = ::readdir(top.stream.get())) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") return absl::OkStatus();
      top.found = true;
      return RemoveEntry(::dirfd(top.stream.get()), top.mount, name, StrCat(top.path, "/", name));
    }
    if (errno != 0) return Fail("read", top.path);
    if (top.found && top.passes < kMaxPasses) {
      ::rewinddir(top.stream.get());
      top.found = false;
      ++top.passes;
      return absl::OkStatus();
    }
    Frame done = std::move(stack_.back());
    stack_.pop_back();
    if (!stack_.empty() && stack_.back().stream == nullptr) RETURN_IF_ERROR(ReopenParent(done.stream.get()));
    done.stream.reset();
    const int parent_fd = stack_.empty() ? top_parent_.get() : ::dirfd(stack_.back().stream.get());
    if (::unlinkat(parent_fd, done.name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
      return Fail("rmdir", done.path);
    }
    return absl::OkStatus();
  }

  const std::string& root_;
  UniqueFd top_parent_;  // the caller's own directory holding the tree's top
  std::vector<Frame> stack_;
};

}  // namespace

absl::Status RemoveAllOneFilesystem(const std::string& path) { return Remover(path).Run(); }

}  // namespace cubelet::volumes
