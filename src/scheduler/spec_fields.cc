#include "scheduler/spec_fields.h"

#include "absl/time/time.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "selectors/requirement.h"

namespace cubelet::scheduler::spec {
namespace {

std::string_view WithArticle(json::Type type) {
  switch (type) {
    case json::Type::kNull:
      return "null";
    case json::Type::kBool:
      return "a boolean";
    case json::Type::kNumber:
      return "a number";
    case json::Type::kString:
      return "a string";
    case json::Type::kArray:
      return "an array";
    case json::Type::kObject:
      return "an object";
  }
  return "a value";
}

absl::Status WrongType(std::string_view path, std::string_view expected, const json::Value& got) {
  return absl::InvalidArgumentError(StrCat(path, ": expected ", expected, ", got ", json::TypeName(got.type())));
}

// The objects of an array at `path` (null or missing: none); an error names the first item that
// is not an object.
absl::StatusOr<std::vector<const json::Value*>> ObjectItems(const json::Value* list, std::string_view path) {
  std::vector<const json::Value*> out;
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_array()) return WrongType(path, "an array", *list);
  for (size_t i = 0; i < list->AsArray().size(); ++i) {
    const json::Value& item = list->AsArray()[i];
    if (!item.is_object()) return WrongType(IndexPath(path, i), "an object", item);
    out.push_back(&item);
  }
  return out;
}

std::optional<selectors::Operator> LabelOperator(std::string_view op) {
  if (op == "In") return selectors::Operator::kIn;
  if (op == "NotIn") return selectors::Operator::kNotIn;
  if (op == "Exists") return selectors::Operator::kExists;
  if (op == "DoesNotExist") return selectors::Operator::kDoesNotExist;
  if (op == "Gt") return selectors::Operator::kGreaterThan;
  if (op == "Lt") return selectors::Operator::kLessThan;
  return std::nullopt;
}

absl::StatusOr<std::vector<NodeSelectorRequirement>> ParseRequirements(const json::Value& term, std::string_view key,
                                                                       std::string_view term_path) {
  std::vector<NodeSelectorRequirement> out;
  const std::string path = FieldPath(term_path, key);
  ASSIGN_OR_RETURN(std::vector<const json::Value*> items, ObjectListMember(term, key, term_path));
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = IndexPath(path, i);
    NodeSelectorRequirement r;
    ASSIGN_OR_RETURN(r.key, StringMember(*items[i], "key", item_path));
    ASSIGN_OR_RETURN(r.op, StringMember(*items[i], "operator", item_path));
    ASSIGN_OR_RETURN(r.values, StringListMember(*items[i], "values", item_path));
    out.push_back(std::move(r));
  }
  return out;
}

// Why upstream's selector construction would refuse `r` ("" when it would not).
std::string LabelRequirementProblem(const NodeSelectorRequirement& r, std::string_view path) {
  std::optional<selectors::Operator> op = LabelOperator(r.op);
  if (!op.has_value()) {
    return StrCat(path, ".operator: Unsupported value: \"", r.op,
                  "\": supported values: \"DoesNotExist\", \"Exists\", \"Gt\", \"In\", \"Lt\", \"NotIn\"");
  }
  absl::StatusOr<selectors::Requirement> parsed = selectors::NewRequirement(r.key, *op, r.values);
  if (!parsed.ok()) return StrCat(path, ": ", parsed.status().message());
  return "";
}

std::string FieldRequirementProblem(const NodeSelectorRequirement& r, std::string_view path) {
  if (r.op != "In" && r.op != "NotIn") {
    return StrCat(path, ".operator: Unsupported value: \"", r.op, "\": supported values: \"In\", \"NotIn\"");
  }
  if (r.values.size() != 1) return StrCat(path, ".values: Invalid value: must have one element");
  return "";
}

}  // namespace

std::string FieldPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return StrCat(parent, ".", key);
}

std::string IndexPath(std::string_view parent, size_t index) { return StrCat(parent, "[", index, "]"); }

absl::StatusOr<const json::Value*> Member(const json::Value& object, std::string_view key, json::Type type,
                                          std::string_view path) {
  const json::Value* v = object.Find(key);
  if (v == nullptr || v->is_null()) return nullptr;
  if (v->type() != type) return WrongType(FieldPath(path, key), WithArticle(type), *v);
  return v;
}

absl::StatusOr<std::string> StringMember(const json::Value& object, std::string_view key, std::string_view path,
                                         std::string_view fallback) {
  ASSIGN_OR_RETURN(const json::Value* v, Member(object, key, json::Type::kString, path));
  return v == nullptr ? std::string(fallback) : v->AsString();
}

absl::StatusOr<std::optional<int64_t>> IntMember(const json::Value& object, std::string_view key,
                                                 std::string_view path) {
  const json::Value* v = object.Find(key);
  if (v == nullptr || v->is_null()) return std::optional<int64_t>();
  std::optional<int64_t> n = v->is_number() ? v->AsInt64() : std::nullopt;
  if (!n.has_value()) return WrongType(FieldPath(path, key), "an integer", *v);
  return n;
}

absl::StatusOr<bool> BoolMember(const json::Value& object, std::string_view key, std::string_view path) {
  ASSIGN_OR_RETURN(const json::Value* v, Member(object, key, json::Type::kBool, path));
  return v != nullptr && v->AsBool();
}

absl::StatusOr<std::vector<std::string>> StringListMember(const json::Value& object, std::string_view key,
                                                          std::string_view path) {
  std::vector<std::string> out;
  ASSIGN_OR_RETURN(const json::Value* list, Member(object, key, json::Type::kArray, path));
  if (list == nullptr) return out;
  const std::string list_path = FieldPath(path, key);
  for (size_t i = 0; i < list->AsArray().size(); ++i) {
    const json::Value& item = list->AsArray()[i];
    if (!item.is_string()) return WrongType(IndexPath(list_path, i), "a string", item);
    out.push_back(item.AsString());
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string, std::less<>>> StringMapMember(const json::Value& object,
                                                                                std::string_view key,
                                                                                std::string_view path) {
  std::map<std::string, std::string, std::less<>> out;
  ASSIGN_OR_RETURN(const json::Value* map, Member(object, key, json::Type::kObject, path));
  if (map == nullptr) return out;
  const std::string map_path = FieldPath(path, key);
  for (const auto& [k, v] : map->AsObject()) {
    if (v.is_null()) {
      out[k] = "";
      continue;
    }
    if (!v.is_string()) return WrongType(FieldPath(map_path, k), "a string", v);
    out[k] = v.AsString();
  }
  return out;
}

absl::StatusOr<std::vector<const json::Value*>> ObjectListMember(const json::Value& object, std::string_view key,
                                                                 std::string_view path) {
  ASSIGN_OR_RETURN(const json::Value* list, Member(object, key, json::Type::kArray, path));
  return ObjectItems(list, FieldPath(path, key));
}

absl::StatusOr<NodeSelectorTerm> ParseNodeSelectorTerm(const json::Value& term, std::string_view path,
                                                       std::string* invalid) {
  if (!term.is_object()) return WrongType(path, "an object", term);
  NodeSelectorTerm out;
  ASSIGN_OR_RETURN(out.match_expressions, ParseRequirements(term, "matchExpressions", path));
  ASSIGN_OR_RETURN(out.match_fields, ParseRequirements(term, "matchFields", path));
  std::string problem;
  for (size_t i = 0; i < out.match_expressions.size() && problem.empty(); ++i) {
    problem = LabelRequirementProblem(out.match_expressions[i], IndexPath(FieldPath(path, "matchExpressions"), i));
  }
  for (size_t i = 0; i < out.match_fields.size() && problem.empty(); ++i) {
    problem = FieldRequirementProblem(out.match_fields[i], IndexPath(FieldPath(path, "matchFields"), i));
  }
  if (!problem.empty()) {
    if (invalid != nullptr) *invalid = std::move(problem);
    return NodeSelectorTerm{};
  }
  return out;
}

absl::StatusOr<std::vector<NodeSelectorTerm>> ParseNodeSelector(const json::Value& selector, std::string_view path,
                                                                bool strict) {
  if (!selector.is_object()) return WrongType(path, "an object", selector);
  std::vector<NodeSelectorTerm> out;
  ASSIGN_OR_RETURN(std::vector<const json::Value*> terms, ObjectListMember(selector, "nodeSelectorTerms", path));
  const std::string terms_path = FieldPath(path, "nodeSelectorTerms");
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string invalid;
    ASSIGN_OR_RETURN(NodeSelectorTerm term, ParseNodeSelectorTerm(*terms[i], IndexPath(terms_path, i), &invalid));
    if (strict && !invalid.empty()) return absl::InvalidArgumentError(invalid);
    out.push_back(std::move(term));
  }
  return out;
}

absl::StatusOr<std::vector<PreferredSchedulingTerm>> ParsePreferredSchedulingTerms(const json::Value* list,
                                                                                   std::string_view path) {
  std::vector<PreferredSchedulingTerm> out;
  ASSIGN_OR_RETURN(std::vector<const json::Value*> items, ObjectItems(list, path));
  for (size_t i = 0; i < items.size(); ++i) {
    const json::Value& item = *items[i];
    const std::string item_path = IndexPath(path, i);
    ASSIGN_OR_RETURN(std::optional<int64_t> weight, IntMember(item, "weight", item_path));
    PreferredSchedulingTerm term;
    term.weight = static_cast<int32_t>(weight.value_or(0));
    const json::Value* preference = item.Find("preference");
    if (preference == nullptr || preference->is_null()) continue;  // an empty preference: skipped
    std::string invalid;
    ASSIGN_OR_RETURN(term.preference, ParseNodeSelectorTerm(*preference, FieldPath(item_path, "preference"), &invalid));
    auto empty_list = [&](std::string_view key) {
      const json::Value* v = preference->Find(key);
      return v == nullptr || v->size() == 0;
    };
    const bool empty_preference = empty_list("matchExpressions") && empty_list("matchFields");
    if (term.weight == 0 || empty_preference) continue;
    if (!invalid.empty()) return absl::InvalidArgumentError(invalid);
    out.push_back(std::move(term));
  }
  return out;
}

absl::StatusOr<std::vector<Taint>> ParseTaints(const json::Value* list, std::string_view path) {
  std::vector<Taint> out;
  ASSIGN_OR_RETURN(std::vector<const json::Value*> items, ObjectItems(list, path));
  for (size_t i = 0; i < items.size(); ++i) {
    const json::Value& item = *items[i];
    const std::string item_path = IndexPath(path, i);
    Taint t;
    ASSIGN_OR_RETURN(t.key, StringMember(item, "key", item_path));
    ASSIGN_OR_RETURN(t.value, StringMember(item, "value", item_path));
    ASSIGN_OR_RETURN(t.effect, StringMember(item, "effect", item_path));
    ASSIGN_OR_RETURN(std::string time_added, StringMember(item, "timeAdded", item_path));
    if (!time_added.empty()) {
      absl::Time when;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, time_added, &when, &err)) {
        return absl::InvalidArgumentError(StrCat(FieldPath(item_path, "timeAdded"), ": ", err));
      }
      t.time_added = when;
    }
    out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<std::vector<Toleration>> ParseTolerations(const json::Value* list, std::string_view path) {
  std::vector<Toleration> out;
  ASSIGN_OR_RETURN(std::vector<const json::Value*> items, ObjectItems(list, path));
  for (size_t i = 0; i < items.size(); ++i) {
    const json::Value& item = *items[i];
    const std::string item_path = IndexPath(path, i);
    Toleration t;
    ASSIGN_OR_RETURN(t.key, StringMember(item, "key", item_path));
    ASSIGN_OR_RETURN(t.op, StringMember(item, "operator", item_path, "Equal"));
    ASSIGN_OR_RETURN(t.value, StringMember(item, "value", item_path));
    ASSIGN_OR_RETURN(t.effect, StringMember(item, "effect", item_path));
    ASSIGN_OR_RETURN(t.toleration_seconds, IntMember(item, "tolerationSeconds", item_path));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace cubelet::scheduler::spec
