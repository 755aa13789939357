// Owns: building host paths from names a pod's author chose (UIDs, namespaces, pod, container
// and volume names). Each such name must be exactly one plain path element, so a path built
// from them stays under the root it was built from: no "/", no "." or "..", not empty, no NUL,
// at most NAME_MAX bytes (upstream's CVE class of log and pod-directory traversals).
// Does not own: symlinks already on disk (see volumes/ for walks that refuse them).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cubelet {

// One element of a host path and what it is, for the error ("metadata.uid").
struct PathComponent {
  std::string_view what;
  std::string_view value;
};

// OK when `c.value` is one plain path element; otherwise InvalidArgument naming `c.what`.
absl::Status CheckPathComponent(const PathComponent& c);

// `root` + "/" + each component; refuses any component CheckPathComponent refuses. `root` is
// cubelet's own (a flag or a constant) and is taken as is.
absl::StatusOr<std::string> HostPathUnder(std::string_view root, std::initializer_list<PathComponent> components);

}  // namespace cubelet
