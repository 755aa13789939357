#include "json/pointer.h"

#include <charconv>

#include "common/strings.h"

namespace cubelet::json {
namespace {

// A decimal array index without leading zeros, or nullopt.
std::optional<size_t> ArrayIndex(const std::string& token) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  size_t i = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), i);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return i;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParsePointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') {
    return absl::InvalidArgumentError(StrCat("JSON pointer \"", pointer, "\" does not start with '/'"));
  }
  std::string current;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (pointer[i] == '~') {
      if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        current.push_back(pointer[i + 1] == '0' ? '~' : '/');
        ++i;
        continue;
      }
      return absl::InvalidArgumentError(StrCat("JSON pointer \"", pointer, "\" has an invalid escape"));
    }
    current.push_back(pointer[i]);
  }
  return tokens;
}

const Value* Resolve(const Value& doc, const std::vector<std::string>& tokens) {
  const Value* v = &doc;
  for (const std::string& t : tokens) {
    if (v->is_object()) {
      v = v->Find(t);
    } else if (v->is_array()) {
      auto i = ArrayIndex(t);
      if (!i || *i >= v->AsArray().size()) return nullptr;
      v = &v->AsArray()[*i];
    } else {
      return nullptr;
    }
    if (v == nullptr) return nullptr;
  }
  return v;
}

Value* Resolve(Value& doc, const std::vector<std::string>& tokens) {
  return const_cast<Value*>(Resolve(static_cast<const Value&>(doc), tokens));
}

}  // namespace cubelet::json
