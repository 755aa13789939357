// Owns: label and field selectors as the API understands them (upstream
// apimachinery/pkg/labels and pkg/fields): parsing the query-string syntax with upstream's
// error messages, building a selector from a metav1.LabelSelector object, and matching.
// Does not own: which fields a kind can be selected by (each registry strategy says).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"

namespace cubelet::selectors {

using Labels = std::map<std::string, std::string, std::less<>>;
// Selectable field values of one object ("metadata.name" → "web", "spec.nodeName" → "n1").
using Fields = std::map<std::string, std::string, std::less<>>;

enum class Operator { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist, kGreaterThan, kLessThan };

struct Requirement {
  std::string key;
  Operator op = Operator::kEquals;
  std::vector<std::string> values;  // sorted; one for = and !=
};

// Immutable; the empty selector matches everything.
class LabelSelector {
 public:
  LabelSelector() = default;
  // "app=web,tier!=db,env in (a,b),!legacy,version". InvalidArgument with upstream's wording
  // ("unable to parse requirement: ...", "found 'x', expected: ...") for anything else.
  static absl::StatusOr<LabelSelector> Parse(std::string_view text);
  // A metav1.LabelSelector object ({matchLabels, matchExpressions}); a null value selects
  // everything. Errors name the field ("matchExpressions[0].operator: Unsupported value: ...").
  static absl::StatusOr<LabelSelector> FromLabelSelectorObject(const json::Value& selector);

  bool Matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  std::string String() const;  // canonical text form

 private:
  std::vector<Requirement> requirements_;
};

// Field selectors allow only =, == and != (comma means AND); the empty selector matches
// everything.
class FieldSelector {
 public:
  FieldSelector() = default;
  static absl::StatusOr<FieldSelector> Parse(std::string_view text);

  bool Matches(const Fields& fields) const;  // a field missing from `fields` is ""
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  // The value `field` must equal for a match, when the selector pins it ("spec.nodeName=n1"),
  // for index lookups.
  std::optional<std::string> RequiresExactMatch(std::string_view field) const;
  // InvalidArgument 'field label not supported: <name>' for the first field not in `supported`.
  absl::Status CheckSupported(const std::vector<std::string>& supported) const;
  std::string String() const;

 private:
  std::vector<Requirement> requirements_;
};

// The labels of an object's metadata.labels (empty when absent).
Labels LabelsOf(const json::Value& object);

}  // namespace cubelet::selectors
