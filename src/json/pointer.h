// Owns: JSON Pointer (RFC 6901) paths: parsing "/a/b~1c/0" into tokens and resolving them.
// Does not own: what an operation does at the path (json_patch.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"

namespace cubelet::json {

// The reference tokens of `pointer`, unescaped (~1 → /, ~0 → ~). "" is the whole document.
absl::StatusOr<std::vector<std::string>> ParsePointer(std::string_view pointer);

// The value at the tokens, or nullptr when a step is missing (array steps must be in-range
// decimal indexes).
const Value* Resolve(const Value& doc, const std::vector<std::string>& tokens);
Value* Resolve(Value& doc, const std::vector<std::string>& tokens);

}  // namespace cubelet::json
