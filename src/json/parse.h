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

// The deepest nesting of arrays and objects any JSON text cubelet reads from outside may have:
// upstream's (Go's encoding/json maxNestingDepth, which sigs.k8s.io/json and apimachinery
// inherit). Every parse of outside JSON enforces it while parsing (iteratively, so the text
// itself never recurses), and code that recurses over a parsed value may rely on it.
inline constexpr int kMaxDepth = 10000;

// "JSON nested deeper than 10000 levels at offset 10000": the one wording of a depth refusal.
std::string DepthError(int max_depth, size_t offset);

struct ParseOptions {
  // Deeper nesting is an error.
  int max_depth = kMaxDepth;
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
