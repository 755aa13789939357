// Owns: FileSource, the reading half of the static pod source (upstream config/file.go
// listConfig): one read of staticPodPath gives the complete set of valid pods. A bad manifest is
// logged once per change of that file, with the file, the field and the reason, and never
// affects the other pods.
// Does not own: when to read (config::FilePodSource: inotify and fileCheckFrequency) or what
// happens to the pods (the pod config merge downstream).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "api/types.h"
#include "common/logger.h"

namespace cubelet::static_pods {

struct FileSourceOptions {
  std::string path;  // a directory or a single file
  std::string node_name;
  absl::Duration check_frequency = absl::Seconds(20);
};

// Not thread-safe: one caller at a time (it remembers what each file held).
class FileSource {
 public:
  FileSource(FileSourceOptions options, Logger logger);

  // Reads the path once and returns the valid pods; logs bad manifests (once per change).
  std::vector<api::Pod> ReadAll();

  const FileSourceOptions& options() const { return options_; }

 private:
  struct FileState {
    std::string content;  // what was last read
    std::string error;    // empty when valid
  };

  FileSourceOptions options_;
  Logger logger_;
  std::map<std::string, FileState> files_;
};

}  // namespace cubelet::static_pods
