// FieldSelector: upstream fields.ParseSelector (terms split on unescaped commas, sorted as
// raw text, each split at its first !=, == or =), matching and the canonical text.
#include <algorithm>

#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "selectors/field_escape.h"
#include "selectors/selectors.h"

namespace cubelet::selectors {
namespace {

// The byte length of the UTF-8 sequence that starts with `lead` (1 for stray bytes).
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xf0 && lead < 0xf8) return 4;
  if (lead >= 0xe0) return lead < 0xf0 ? 3 : 1;
  if (lead >= 0xc0) return 2;
  return 1;
}

// Terms separated by commas not escaped by a backslash; the backslashes stay in the terms.
std::vector<std::string_view> SplitTerms(std::string_view selector) {
  std::vector<std::string_view> terms;
  if (selector.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < selector.size(); ++i) {
    const char c = selector[i];
    if (in_slash) {
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',') {
      terms.push_back(selector.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(selector.substr(start));
  return terms;
}

// Splits at the first position where "!=", "==" or "=" starts (checked in that order), so
// "a==b" is a == b and never a = "=b". No escaping is possible on the left.
bool SplitTerm(std::string_view term, std::string_view* lhs, std::string_view* op, std::string_view* rhs) {
  static constexpr std::string_view kOperators[] = {"!=", "==", "="};
  for (size_t i = 0; i < term.size(); ++i) {
    for (std::string_view candidate : kOperators) {
      if (term.substr(i).starts_with(candidate)) {
        *lhs = term.substr(0, i);
        *op = candidate;
        *rhs = term.substr(i + candidate.size());
        return true;
      }
    }
  }
  return false;
}

std::string TermString(const Requirement& r) {
  return StrCat(r.key, r.op == Operator::kNotEquals ? "!=" : "=", EscapeValue(r.values.empty() ? "" : r.values[0]));
}

}  // namespace

std::string EscapeValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

absl::StatusOr<std::string> UnescapeValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool in_slash = false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        std::string_view rune = value.substr(i, Utf8Length(static_cast<unsigned char>(c)));
        return absl::InvalidArgumentError(StrCat("invalid field selector: invalid escape sequence: \\", rune));
      }
      out += c;
      in_slash = false;
      continue;
    }
    if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      return absl::InvalidArgumentError(
          StrCat("invalid field selector: unescaped character in value: ", static_cast<int>(c)));
    } else {
      out += c;
    }
  }
  if (in_slash) return absl::InvalidArgumentError("invalid field selector: invalid escape sequence: \\");
  return out;
}

absl::StatusOr<FieldSelector> FieldSelector::Parse(std::string_view text) {
  std::vector<std::string_view> parts = SplitTerms(text);
  std::sort(parts.begin(), parts.end());
  FieldSelector selector;
  for (std::string_view part : parts) {
    if (part.empty()) continue;
    std::string_view lhs, op, rhs;
    if (!SplitTerm(part, &lhs, &op, &rhs)) {
      return absl::InvalidArgumentError(StrCat("invalid selector: '", text, "'; can't understand '", part, "'"));
    }
    absl::StatusOr<std::string> value = UnescapeValue(rhs);
    if (!value.ok()) return value.status();
    // Upstream's identity transform turns a term with neither field nor value into
    // "everything", which then drops out of the conjunction.
    if (lhs.empty() && value->empty()) continue;
    selector.requirements_.push_back(Requirement{
        .key = std::string(lhs), .op = op == "!=" ? Operator::kNotEquals : Operator::kEquals, .values = {*value}});
  }
  return selector;
}

bool FieldSelector::Matches(const Fields& fields) const {
  for (const Requirement& r : requirements_) {
    auto it = fields.find(r.key);
    std::string_view actual = it == fields.end() ? std::string_view() : std::string_view(it->second);
    const bool equal = actual == r.values[0];
    if (equal != (r.op == Operator::kEquals)) return false;
  }
  return true;
}

std::optional<std::string> FieldSelector::RequiresExactMatch(std::string_view field) const {
  for (const Requirement& r : requirements_) {
    if (r.op == Operator::kEquals && r.key == field) return r.values[0];
  }
  return std::nullopt;
}

absl::Status FieldSelector::CheckSupported(const std::vector<std::string>& supported) const {
  for (const Requirement& r : requirements_) {
    if (std::find(supported.begin(), supported.end(), r.key) == supported.end()) {
      return absl::InvalidArgumentError(StrCat("field label not supported: ", r.key));
    }
  }
  return absl::OkStatus();
}

std::string FieldSelector::String() const {
  std::vector<std::string> terms;
  terms.reserve(requirements_.size());
  for (const Requirement& r : requirements_) terms.push_back(TermString(r));
  return absl::StrJoin(terms, ",");
}

}  // namespace cubelet::selectors
