// Owns: DirectoryWatcher, the seam between the static pod source and the filesystem's change
// notifications, and its inotify implementation.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cubelet::static_pods {

// Not thread-safe: one thread waits.
class DirectoryWatcher {
 public:
  virtual ~DirectoryWatcher() = default;
  // Blocks up to `timeout`; true when an entry of the directory (or the directory itself) was
  // created, written, removed or renamed. Events for names starting with a dot are ignored.
  virtual bool WaitForChange(absl::Duration timeout) = 0;
};

// Watches `path` (a directory or one file) with inotify. A path that does not exist yet is
// watched from the moment it appears (checked at each wait).
std::unique_ptr<DirectoryWatcher> NewInotifyWatcher(const std::string& path);

}  // namespace cubelet::static_pods
