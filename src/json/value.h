// Owns: cubelet's JSON document model (json::Value), the form in which cubelet-server keeps,
// transforms and serves API objects.
// Does not own: parsing and writing text (parse.h, write.h) or Kubernetes meaning of fields.
//
// Objects keep their members in insertion order (so what a user wrote comes back in the same
// order) and numbers keep their literal text, so nothing is rounded or overflows on a round
// trip; integer reads are checked (AsInt64 refuses 1.5, 1e3 and out-of-range values as Go's
// decoder into an int64 does).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace cubelet::json {

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
// Members in insertion order; keys are unique (the parser keeps the last of duplicates).
using Object = std::vector<Member>;

enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

// A number as its JSON literal ("12", "-3.5e7").
struct Number {
  std::string literal;
  bool operator==(const Number&) const = default;
};

// A value type: copies are deep. Not thread-safe for concurrent mutation; share immutable
// values between threads as std::shared_ptr<const Value>.
class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int v) : v_(Number{std::to_string(v)}) {}
  Value(long v) : v_(Number{std::to_string(v)}) {}
  Value(long long v) : v_(Number{std::to_string(v)}) {}
  Value(unsigned v) : v_(Number{std::to_string(v)}) {}
  Value(unsigned long v) : v_(Number{std::to_string(v)}) {}
  Value(unsigned long long v) : v_(Number{std::to_string(v)}) {}
  Value(double v);
  Value(Number n) : v_(std::move(n)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Object o) : v_(std::move(o)) {}

  static Value EmptyObject() { return Value(Object{}); }
  static Value EmptyArray() { return Value(Array{}); }

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_number() const { return type() == Type::kNumber; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Typed reads. The plain accessors require the type (a broken invariant otherwise); the
  // optional ones answer nullopt for another type.
  bool AsBool() const { return std::get<bool>(v_); }
  const std::string& AsString() const { return std::get<std::string>(v_); }
  std::string& AsString() { return std::get<std::string>(v_); }
  const std::string& number_literal() const { return std::get<Number>(v_).literal; }
  const Array& AsArray() const { return std::get<Array>(v_); }
  Array& AsArray() { return std::get<Array>(v_); }
  const Object& AsObject() const { return std::get<Object>(v_); }
  Object& AsObject() { return std::get<Object>(v_); }

  // An integer literal (no fraction or exponent) that fits int64.
  std::optional<int64_t> AsInt64() const;
  // Any number that is finite as a double.
  std::optional<double> AsDouble() const;
  // The string, or nullopt when this is not a string.
  std::optional<std::string_view> StringOrNull() const;

  // ---- objects ----
  // The member's value, or nullptr when this is not an object or has no such member.
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  // Follows object members; nullptr when any step is missing or not an object.
  const Value* FindPath(std::initializer_list<std::string_view> path) const;
  Value* FindPath(std::initializer_list<std::string_view> path);
  // The string at `path`, or `fallback` when it is missing or not a string.
  std::string GetString(std::initializer_list<std::string_view> path, std::string_view fallback = "") const;
  // The member, created (null) at the end when missing; a null value becomes an empty object
  // first. Requires an object or null.
  Value& operator[](std::string_view key);
  // Creates every object along `path` (nulls become objects) and returns the last member.
  Value& Ensure(std::initializer_list<std::string_view> path);
  // Sets the member (replacing it in place, or appending). Requires an object or null.
  void Set(std::string_view key, Value v);
  // Removes the member; false when there was none.
  bool Erase(std::string_view key);

  // ---- arrays ----
  void Append(Value v);  // requires an array or null (null becomes an empty array)
  size_t size() const;   // members or items; 0 for scalars

  // Deep equality: object members compare regardless of order, numbers by value when both are
  // integers or both finite doubles, else by literal.
  bool operator==(const Value& other) const;

 private:
  std::variant<std::nullptr_t, bool, Number, std::string, Array, Object> v_;
};

// "null", "boolean", "number", "string", "array" or "object" (for error messages).
std::string_view TypeName(Type t);

}  // namespace cubelet::json
