#include "selectors/requirement.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "selectors/label_validation.h"

namespace cubelet::selectors {
namespace {

// Go's %#v of a []string, as field.Invalid prints a value list: []string{"a", "b"}.
std::string GoStringSlice(const std::vector<std::string>& values) {
  std::string out = "[]string{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += GoQuote(values[i]);
  }
  out += "}";
  return out;
}

}  // namespace

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  // Go accepts a leading '+' that from_chars does not.
  std::string_view digits = s;
  bool negative = false;
  if (digits.front() == '+' || digits.front() == '-') {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.front() == '+' || digits.front() == '-') return false;
  std::string text = StrCat(negative ? "-" : "", digits);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

absl::StatusOr<Requirement> NewRequirement(std::string key, Operator op, std::vector<std::string> values) {
  std::vector<std::string> errs;
  if (std::vector<std::string> msgs = IsQualifiedName(key); !msgs.empty()) {
    errs.push_back(FieldInvalid("key", GoQuote(key), absl::StrJoin(msgs, "; ")));
  }
  switch (op) {
    case Operator::kIn:
    case Operator::kNotIn:
      if (values.empty()) {
        errs.push_back(
            FieldInvalid("values", GoStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case Operator::kEquals:
    case Operator::kNotEquals:
      if (values.size() != 1) {
        errs.push_back(FieldInvalid("values", GoStringSlice(values), "exact-match compatibility requires one single value"));
      }
      break;
    case Operator::kExists:
    case Operator::kDoesNotExist:
      if (!values.empty()) {
        errs.push_back(
            FieldInvalid("values", GoStringSlice(values), "values set must be empty for exists and does not exist"));
      }
      break;
    case Operator::kGreaterThan:
    case Operator::kLessThan:
      if (values.size() != 1) {
        errs.push_back(
            FieldInvalid("values", GoStringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (size_t i = 0; i < values.size(); ++i) {
        int64_t ignored = 0;
        if (!ParseInt64(values[i], &ignored)) {
          errs.push_back(FieldInvalid(StrCat("values[", i, "]"), GoQuote(values[i]),
                                      "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::vector<std::string> msgs = IsValidLabelValue(values[i]); !msgs.empty()) {
      errs.push_back(FieldInvalid(StrCat("values[", i, "][", key, "]"), GoQuote(values[i]), absl::StrJoin(msgs, "; ")));
    }
  }
  if (!errs.empty()) return absl::InvalidArgumentError(AggregateMessages(errs));
  return Requirement{.key = std::move(key), .op = op, .values = std::move(values)};
}

bool RequirementMatches(const Requirement& r, const Labels& labels) {
  auto it = labels.find(r.key);
  const bool has = it != labels.end();
  auto has_value = [&](const std::string& v) { return std::find(r.values.begin(), r.values.end(), v) != r.values.end(); };
  switch (r.op) {
    case Operator::kIn:
    case Operator::kEquals:
      return has && has_value(it->second);
    case Operator::kNotIn:
    case Operator::kNotEquals:
      return !has || !has_value(it->second);
    case Operator::kExists:
      return has;
    case Operator::kDoesNotExist:
      return !has;
    case Operator::kGreaterThan:
    case Operator::kLessThan: {
      if (!has || r.values.size() != 1) return false;
      int64_t label_value = 0;
      int64_t bound = 0;
      if (!ParseInt64(it->second, &label_value) || !ParseInt64(r.values[0], &bound)) return false;
      return r.op == Operator::kGreaterThan ? label_value > bound : label_value < bound;
    }
  }
  return false;
}

std::string RequirementString(const Requirement& r) {
  std::string out;
  if (r.op == Operator::kDoesNotExist) out += "!";
  out += r.key;
  switch (r.op) {
    case Operator::kEquals: out += "="; break;
    case Operator::kNotEquals: out += "!="; break;
    case Operator::kIn: out += " in "; break;
    case Operator::kNotIn: out += " notin "; break;
    case Operator::kGreaterThan: out += ">"; break;
    case Operator::kLessThan: out += "<"; break;
    case Operator::kExists:
    case Operator::kDoesNotExist:
      return out;
  }
  const bool set_based = r.op == Operator::kIn || r.op == Operator::kNotIn;
  if (set_based) out += "(";
  std::vector<std::string> sorted = r.values;
  std::sort(sorted.begin(), sorted.end());
  out += absl::StrJoin(sorted, ",");
  if (set_based) out += ")";
  return out;
}

}  // namespace cubelet::selectors
