// LabelSelector: the query-string form, the metav1.LabelSelector object form, matching and
// the canonical text (requirements sorted by key, as upstream's internalSelector keeps them).
#include <algorithm>

#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "json/write.h"
#include "selectors/label_parser.h"
#include "selectors/label_validation.h"
#include "selectors/requirement.h"
#include "selectors/selectors.h"

namespace cubelet::selectors {
namespace {

void SortByKey(std::vector<Requirement>& requirements) {
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
}

// A JSON value that is not a string, as it appears in a type error.
std::string Shown(const json::Value& v) { return json::Write(v); }

// metav1 validation.ValidateLabelName / ValidateLabels wording: one error per message.
void ValidateLabelName(std::string_view name, std::string_view path, std::vector<std::string>* errs) {
  for (const std::string& msg : IsQualifiedName(name)) errs->push_back(FieldInvalid(path, GoQuote(name), msg));
}

// One matchExpressions entry checked as upstream's ValidateLabelSelectorRequirement does
// (operator, then key, then values), and converted when valid.
std::optional<Requirement> ConvertExpression(const json::Value& expr, const std::string& path,
                                             std::vector<std::string>* errs) {
  const size_t errs_before = errs->size();
  if (!expr.is_object()) {
    errs->push_back(FieldInvalid(path, Shown(expr), "must be an object"));
    return std::nullopt;
  }
  std::string key;
  if (const json::Value* k = expr.Find("key"); k != nullptr && !k->is_null()) {
    if (!k->is_string()) {
      errs->push_back(FieldInvalid(StrCat(path, ".key"), Shown(*k), "must be a string"));
    } else {
      key = k->AsString();
    }
  }
  std::string op_text;
  if (const json::Value* o = expr.Find("operator"); o != nullptr && o->is_string()) op_text = o->AsString();
  std::vector<std::string> values;
  if (const json::Value* vs = expr.Find("values"); vs != nullptr && !vs->is_null()) {
    if (!vs->is_array()) {
      errs->push_back(FieldInvalid(StrCat(path, ".values"), Shown(*vs), "must be an array of strings"));
    } else {
      for (size_t i = 0; i < vs->AsArray().size(); ++i) {
        const json::Value& v = vs->AsArray()[i];
        if (!v.is_string()) {
          errs->push_back(FieldInvalid(StrCat(path, ".values[", i, "]"), Shown(v), "must be a string"));
          continue;
        }
        values.push_back(v.AsString());
      }
    }
  }

  Operator op = Operator::kIn;
  if (op_text == "In" || op_text == "NotIn") {
    op = op_text == "In" ? Operator::kIn : Operator::kNotIn;
    if (values.empty()) {
      errs->push_back(FieldRequired(StrCat(path, ".values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    }
  } else if (op_text == "Exists" || op_text == "DoesNotExist") {
    op = op_text == "Exists" ? Operator::kExists : Operator::kDoesNotExist;
    if (!values.empty()) {
      errs->push_back(
          FieldForbidden(StrCat(path, ".values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
  } else {
    errs->push_back(FieldInvalid(StrCat(path, ".operator"), GoQuote(op_text), "not a valid selector operator"));
  }
  ValidateLabelName(key, StrCat(path, ".key"), errs);
  for (size_t i = 0; i < values.size(); ++i) {
    for (const std::string& msg : IsValidLabelValue(values[i])) {
      errs->push_back(FieldInvalid(StrCat(path, ".values[", i, "]"), GoQuote(values[i]), msg));
    }
  }
  if (errs->size() != errs_before) return std::nullopt;
  std::sort(values.begin(), values.end());
  return Requirement{.key = std::move(key), .op = op, .values = std::move(values)};
}

}  // namespace

absl::StatusOr<LabelSelector> LabelSelector::Parse(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Requirement> requirements, ParseLabelRequirements(text));
  SortByKey(requirements);
  LabelSelector selector;
  selector.requirements_ = std::move(requirements);
  return selector;
}

absl::StatusOr<LabelSelector> LabelSelector::FromLabelSelectorObject(const json::Value& object) {
  LabelSelector selector;
  if (object.is_null()) return selector;
  if (!object.is_object()) return absl::InvalidArgumentError(FieldInvalid("<nil>", Shown(object), "must be an object"));

  std::vector<std::string> errs;
  if (const json::Value* match_labels = object.Find("matchLabels"); match_labels != nullptr && !match_labels->is_null()) {
    if (!match_labels->is_object()) {
      errs.push_back(FieldInvalid("matchLabels", Shown(*match_labels), "must be an object of strings"));
    } else {
      for (const auto& [key, value] : match_labels->AsObject()) {
        if (!value.is_string() && !value.is_null()) {
          errs.push_back(FieldInvalid(StrCat("matchLabels[", key, "]"), Shown(value), "must be a string"));
          continue;
        }
        const std::string text = value.is_string() ? value.AsString() : "";
        const size_t errs_before = errs.size();
        ValidateLabelName(key, "matchLabels", &errs);
        for (const std::string& msg : IsValidLabelValue(text)) {
          errs.push_back(FieldInvalid("matchLabels", GoQuote(text), msg));
        }
        if (errs.size() == errs_before) {
          selector.requirements_.push_back(Requirement{.key = key, .op = Operator::kEquals, .values = {text}});
        }
      }
    }
  }
  if (const json::Value* exprs = object.Find("matchExpressions"); exprs != nullptr && !exprs->is_null()) {
    if (!exprs->is_array()) {
      errs.push_back(FieldInvalid("matchExpressions", Shown(*exprs), "must be an array"));
    } else {
      for (size_t i = 0; i < exprs->AsArray().size(); ++i) {
        std::optional<Requirement> r = ConvertExpression(exprs->AsArray()[i], StrCat("matchExpressions[", i, "]"), &errs);
        if (r.has_value()) selector.requirements_.push_back(*std::move(r));
      }
    }
  }
  if (!errs.empty()) return absl::InvalidArgumentError(AggregateMessages(errs));
  SortByKey(selector.requirements_);
  return selector;
}

bool LabelSelector::Matches(const Labels& labels) const {
  for (const Requirement& r : requirements_) {
    if (!RequirementMatches(r, labels)) return false;
  }
  return true;
}

std::string LabelSelector::String() const {
  std::vector<std::string> parts;
  parts.reserve(requirements_.size());
  for (const Requirement& r : requirements_) parts.push_back(RequirementString(r));
  return absl::StrJoin(parts, ",");
}

Labels LabelsOf(const json::Value& object) {
  Labels labels;
  const json::Value* l = object.FindPath({"metadata", "labels"});
  if (l == nullptr || !l->is_object()) return labels;
  for (const auto& [key, value] : l->AsObject()) {
    if (value.is_string()) labels[key] = value.AsString();
  }
  return labels;
}

}  // namespace cubelet::selectors
