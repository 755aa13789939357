// Owns: FileSource, the static pod source: it watches staticPodPath (inotify plus a full
// re-read every fileCheckFrequency) and delivers the complete set of valid pods on each change.
// A bad manifest is logged once per change of that file, with the file, the field and the
// reason, and never affects the other pods.
// Does not own: what happens to the pods (the pod config merge downstream).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "api/types.h"
#include "common/logger.h"
#include "static_pods/directory_watcher.h"

namespace cubelet::static_pods {

struct FileSourceOptions {
  std::string path;  // a directory or a single file
  std::string node_name;
  absl::Duration check_frequency = absl::Seconds(20);
};

class FileSource {
 public:
  // Called with the full set of valid pods (a SET, as upstream's sources send).
  using UpdateFn = std::function<void(std::vector<api::Pod>)>;

  FileSource(FileSourceOptions options, Logger logger, std::unique_ptr<DirectoryWatcher> watcher,
             UpdateFn on_update);

  // Reads everything now, delivers the first SET, then watches until `stop` is requested.
  // Blocking; run it on its own thread.
  void Run(std::stop_token stop);

  // Reads the path once and returns the valid pods; logs bad manifests (once per change).
  std::vector<api::Pod> ReadAll();

 private:
  struct FileState {
    std::string content;  // what was last read
    std::string error;    // empty when valid
  };

  FileSourceOptions options_;
  Logger logger_;
  std::unique_ptr<DirectoryWatcher> watcher_;
  UpdateFn on_update_;
  std::map<std::string, FileState> files_;  // owned by the Run thread
};

}  // namespace cubelet::static_pods
