// Owns: how the transcoder names the place of a problem in either direction: a dotted field path
// ("spec.containers.ports") in front of the message, as the errors of the JSON decoder read.
// Does not own: the messages themselves (decode.cc, encode.cc).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/strings.h"

namespace cubelet::kproto::internal {

// InvalidArgument "<path>: <what>", or just `what` at the top level.
inline absl::Status PathError(std::string_view path, std::string_view what) {
  if (path.empty()) return absl::InvalidArgumentError(std::string(what));
  return absl::InvalidArgumentError(StrCat(path, ": ", what));
}

// `path` extended by the field `name`.
inline std::string JoinPath(std::string_view path, std::string_view name) {
  return path.empty() ? std::string(name) : StrCat(path, ".", name);
}

}  // namespace cubelet::kproto::internal
