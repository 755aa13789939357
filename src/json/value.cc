#include "json/value.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace cubelet::json {
namespace {

bool IsIntegerLiteral(std::string_view s) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// Index of `key` in `object`, or object.size().
size_t IndexOf(const Object& object, std::string_view key) {
  for (size_t i = 0; i < object.size(); ++i) {
    if (object[i].first == key) return i;
  }
  return object.size();
}

}  // namespace

Value::Value(double v) {
  if (!std::isfinite(v)) {
    v_ = nullptr;  // JSON has no NaN or infinity
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  std::string literal(buf, ec == std::errc() ? end : buf);
  v_ = Number{literal.empty() ? "0" : literal};
}

std::optional<int64_t> Value::AsInt64() const {
  if (!is_number()) return std::nullopt;
  const std::string& s = number_literal();
  if (!IsIntegerLiteral(s)) return std::nullopt;
  int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return out;
}

std::optional<double> Value::AsDouble() const {
  if (!is_number()) return std::nullopt;
  const std::string& s = number_literal();
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<std::string_view> Value::StringOrNull() const {
  if (!is_string()) return std::nullopt;
  return std::string_view(AsString());
}

const Value* Value::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  const Object& o = AsObject();
  size_t i = IndexOf(o, key);
  return i == o.size() ? nullptr : &o[i].second;
}

Value* Value::Find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->Find(key));
}

const Value* Value::FindPath(std::initializer_list<std::string_view> path) const {
  const Value* v = this;
  for (std::string_view step : path) {
    v = v->Find(step);
    if (v == nullptr) return nullptr;
  }
  return v;
}

Value* Value::FindPath(std::initializer_list<std::string_view> path) {
  return const_cast<Value*>(static_cast<const Value*>(this)->FindPath(path));
}

std::string Value::GetString(std::initializer_list<std::string_view> path, std::string_view fallback) const {
  const Value* v = FindPath(path);
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return v->AsString();
}

Value& Value::operator[](std::string_view key) {
  if (is_null()) v_ = Object{};
  Object& o = AsObject();
  size_t i = IndexOf(o, key);
  if (i == o.size()) o.emplace_back(std::string(key), Value());
  return o[i].second;
}

Value& Value::Ensure(std::initializer_list<std::string_view> path) {
  Value* v = this;
  for (std::string_view step : path) {
    if (!v->is_object()) *v = EmptyObject();
    v = &(*v)[step];
  }
  return *v;
}

void Value::Set(std::string_view key, Value v) { (*this)[key] = std::move(v); }

bool Value::Erase(std::string_view key) {
  if (!is_object()) return false;
  Object& o = AsObject();
  size_t i = IndexOf(o, key);
  if (i == o.size()) return false;
  o.erase(o.begin() + static_cast<std::ptrdiff_t>(i));
  return true;
}

void Value::Append(Value v) {
  if (is_null()) v_ = Array{};
  AsArray().push_back(std::move(v));
}

size_t Value::size() const {
  if (is_array()) return AsArray().size();
  if (is_object()) return AsObject().size();
  return 0;
}

bool Value::operator==(const Value& other) const {
  if (type() != other.type()) return false;
  switch (type()) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return AsBool() == other.AsBool();
    case Type::kString:
      return AsString() == other.AsString();
    case Type::kNumber: {
      if (number_literal() == other.number_literal()) return true;
      auto a = AsInt64(), b = other.AsInt64();
      if (a && b) return *a == *b;
      if (IsIntegerLiteral(number_literal()) != IsIntegerLiteral(other.number_literal())) {
        // 1 and 1.0 are the same number.
        auto x = AsDouble(), y = other.AsDouble();
        return x && y && *x == *y;
      }
      auto x = AsDouble(), y = other.AsDouble();
      return x && y && *x == *y;
    }
    case Type::kArray:
      return AsArray() == other.AsArray();
    case Type::kObject: {
      const Object& a = AsObject();
      const Object& b = other.AsObject();
      if (a.size() != b.size()) return false;
      for (const auto& [k, v] : a) {
        const Value* w = other.Find(k);
        if (w == nullptr || !(v == *w)) return false;
      }
      return true;
    }
  }
  return false;
}

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBool: return "boolean";
    case Type::kNumber: return "number";
    case Type::kString: return "string";
    case Type::kArray: return "array";
    case Type::kObject: return "object";
  }
  return "unknown";
}

}  // namespace cubelet::json
