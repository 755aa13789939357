#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "static_pods/directory_watcher.h"

namespace cubelet::static_pods {
namespace {

class InotifyWatcher final : public DirectoryWatcher {
 public:
  explicit InotifyWatcher(std::string path) : path_(std::move(path)) {
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  }
  ~InotifyWatcher() override {
    if (fd_ >= 0) ::close(fd_);
  }

  bool WaitForChange(absl::Duration timeout) override {
    bool changed = EnsureWatch();
    if (fd_ < 0 || wd_ < 0) {
      // Nothing to watch (yet): the caller's periodic re-read covers it.
      absl::SleepFor(std::min(timeout, absl::Milliseconds(500)));
      return changed;
    }
    struct pollfd pfd = {fd_, POLLIN, 0};
    const int ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
    if (::poll(&pfd, 1, ms) <= 0) return changed;
    alignas(struct inotify_event) char buf[16384];
    for (;;) {
      ssize_t n = ::read(fd_, buf, sizeof(buf));
      if (n <= 0) break;
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<struct inotify_event*>(p);
        if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
          wd_ = -1;  // the directory went away; re-added when it comes back
          changed = true;
        } else if (ev->len == 0 || ev->name[0] != '.') {
          changed = true;
        }
        p += sizeof(struct inotify_event) + ev->len;
      }
    }
    return changed;
  }

 private:
  // Adds the watch when the path exists; true when it was just (re)added.
  bool EnsureWatch() {
    if (fd_ < 0 || wd_ >= 0) return false;
    wd_ = ::inotify_add_watch(fd_, path_.c_str(),
                              IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_DELETE | IN_MOVED_FROM |
                                  IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF);
    return wd_ >= 0;
  }

  std::string path_;
  int fd_ = -1;
  int wd_ = -1;
};

}  // namespace

std::unique_ptr<DirectoryWatcher> NewInotifyWatcher(const std::string& path) {
  return std::make_unique<InotifyWatcher>(path);
}

}  // namespace cubelet::static_pods
