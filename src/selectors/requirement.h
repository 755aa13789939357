// Owns: one label requirement's construction rules, matching and text form (upstream
// labels.NewRequirement, Requirement.Matches and Requirement.String), shared by the text
// parser and the metav1.LabelSelector conversion.
// Does not own: the selector grammar (label_parser.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "selectors/selectors.h"

namespace cubelet::selectors {

// labels.NewRequirement with no field path: checks the key, the number of values for the
// operator, that Gt/Lt values are integers and that each value is a valid label value.
// InvalidArgument with upstream's aggregated field errors ("values[0][app]: Invalid value:
// ..."). Values are kept in the order given.
absl::StatusOr<Requirement> NewRequirement(std::string key, Operator op, std::vector<std::string> values);

bool RequirementMatches(const Requirement& r, const Labels& labels);

// "app=web", "env in (a,b)", "!legacy", "replicas>3"; values sorted for output.
std::string RequirementString(const Requirement& r);

// Go's strconv.ParseInt(s, 10, 64).
bool ParseInt64(std::string_view s, int64_t* out);

}  // namespace cubelet::selectors
