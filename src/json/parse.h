// Owns: turning JSON text into json::Value with bounds: nesting depth, total size, and an
// iterative parser (RapidJSON's kParseIterativeFlag) so hostile input cannot exhaust the stack.
// Does not own: YAML (api::YamlToJson turns YAML into JSON text first).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"

namespace cubelet::json {

struct ParseOptions {
  // Deeper nesting is an error (Go's encoding/json allows 10,000; no Kubernetes object comes
  // near 100).
  int max_depth = 1000;
  // Longer text is an error before anything is parsed.
  size_t max_bytes = 64 << 20;
  // When set, receives the path of each member that appeared more than once in its object
  // ("spec.containers[0].name"); the last occurrence is kept, as Go's decoder does.
  std::vector<std::string>* duplicate_fields = nullptr;
};

// InvalidArgument with the byte offset and what is wrong ("invalid JSON at offset 17: Missing a
// comma or '}' after an object member") when the text is not one JSON value.
absl::StatusOr<Value> Parse(std::string_view text, const ParseOptions& options = {});

}  // namespace cubelet::json
