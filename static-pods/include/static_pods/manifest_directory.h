// Owns: cubelet_static_pods, the static pod source. This header: which files of a manifest
// directory are candidates, by upstream's rules (every regular file whose name does not start
// with a dot, no recursion, at most 10 MiB each).
// Does not own: parsing manifests into pods.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cubelet::static_pods {

inline constexpr uint64_t kMaxManifestBytes = 10 * 1024 * 1024;

struct SkippedEntry {
  std::string path;
  std::string reason;  // "is a directory (not recursing)", "larger than 10 MiB", ...
  bool too_large = false;  // a manifest refused for its size: an error, not a mere skip
};

struct ManifestListing {
  std::vector<std::string> files;  // absolute paths, sorted by name
  std::vector<SkippedEntry> skipped;
};

// A missing directory is an empty listing (upstream treats it as "no static pods yet").
absl::StatusOr<ManifestListing> ListManifestFiles(const std::string& dir);

}  // namespace cubelet::static_pods
