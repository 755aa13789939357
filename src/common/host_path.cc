#include "common/host_path.h"

#include <climits>

#include "common/strings.h"

namespace cubelet {

absl::Status CheckPathComponent(const PathComponent& c) {
  auto refuse = [&c](std::string_view why) {
    return absl::InvalidArgumentError(StrCat(c.what, " \"", c.value, "\" ", why));
  };
  if (c.value.empty()) return refuse("must not be empty");
  if (c.value == "." || c.value == "..") return refuse("must not be '.' or '..'");
  if (c.value.find('/') != std::string_view::npos) return refuse("must not contain '/'");
  if (c.value.find('\0') != std::string_view::npos) return refuse("must not contain a NUL byte");
  if (c.value.size() > NAME_MAX) return refuse(StrCat("must be at most ", NAME_MAX, " bytes"));
  return absl::OkStatus();
}

absl::StatusOr<std::string> HostPathUnder(std::string_view root, std::initializer_list<PathComponent> components) {
  std::string path(root);
  for (const PathComponent& c : components) {
    if (absl::Status s = CheckPathComponent(c); !s.ok()) return s;
    StrAppend(&path, "/", c.value);
  }
  return path;
}

}  // namespace cubelet
