// Owns: the label selector query-string grammar (upstream labels.Parse: its lexer, its
// recursive-descent parser and its error texts).
// Does not own: what a requirement means (requirement.h).
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "selectors/selectors.h"

namespace cubelet::selectors {

// The requirements of `text` in the order written (the caller sorts them by key).
// InvalidArgument with upstream's message for malformed text.
absl::StatusOr<std::vector<Requirement>> ParseLabelRequirements(std::string_view text);

}  // namespace cubelet::selectors
