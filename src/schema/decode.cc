// Decode: one walk of the document along its schema type, in the order Go's encoding/json (as
// forked by sigs.k8s.io/json, which the apiserver uses) would visit it, so error messages and
// unknown-field paths read like upstream's:
//  - type errors: 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of
//    type []v1.Container' (the innermost struct's Go name, then the JSON field names from the
//    root without list indices or map keys);
//  - unknown fields: 'spec.containers[0].foo' (indices as [i], map keys as .key).
// The walk recurses along the schema's nesting, which bounds the depth for our (non-recursive)
// types; kMaxDepth guards a recursive type against hostile nesting.
#include "schema/decode.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/strings.h"
#include "schema/scalars.h"

namespace cubelet::schema {
namespace {

// sigs.k8s.io/json keeps at most 100 strict errors; type errors are capped alike (Go itself
// reports only the first).
constexpr size_t kMaxReported = 100;
constexpr int kMaxDepth = 512;

// Go's description of a JSON value in UnmarshalTypeError ("number" without its literal).
std::string_view GoValueKind(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kNull: return "null";
    case json::Type::kBool: return "bool";
    case json::Type::kNumber: return "number";
    case json::Type::kString: return "string";
    case json::Type::kArray: return "array";
    case json::Type::kObject: return "object";
  }
  return "value";
}

// "number 1.5" for numbers (what Go says when a number does not fit an integer type), else the
// value's kind.
std::string GoNumberValue(const json::Value& v) {
  if (v.is_number()) return StrCat("number ", v.number_literal());
  return std::string(GoValueKind(v));
}

// The value Go leaves in a list item or map value decoded from null (or skipped after a type
// error), as it is written back.
json::Value ZeroValue(const TypeRef& type) {
  switch (type.kind) {
    case Kind::kString: return json::Value("");
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kFloat64:
    case Kind::kIntOrString: return json::Value(0);
    case Kind::kBoolean: return json::Value(false);
    case Kind::kQuantity: return json::Value("0");
    case Kind::kStruct: return json::Value::EmptyObject();
    default: return json::Value();
  }
}

std::string_view ShortName(std::string_view qualified) {
  size_t dot = qualified.rfind('.');
  return dot == std::string_view::npos ? qualified : qualified.substr(dot + 1);
}

class Decoder {
 public:
  Decoder(const Schema& schema, DecodeReport* report) : schema_(schema), report_(report) {}

  void DecodeRoot(std::string_view type_name, json::Value* value) {
    const StructType* type = schema_.Find(type_name);
    TypeRef ref;
    ref.kind = Kind::kStruct;
    ref.name = std::string(type_name);
    if (type == nullptr) {
      AddTypeError(StrCat("no schema for type ", type_name));
      return;
    }
    if (value->is_null()) return;
    if (!value->is_object()) {
      TypeError(GoValueKind(*value), GoTypeName(ref));
      return;
    }
    DecodeStruct(*type, value, 0);
  }

 private:
  void AddTypeError(std::string message) {
    if (report_->type_errors.size() < kMaxReported) report_->type_errors.push_back(std::move(message));
  }

  // Go's UnmarshalTypeError with the current context.
  void TypeError(std::string_view value_desc, std::string_view go_type) {
    if (go_fields_.empty()) {
      AddTypeError(StrCat("json: cannot unmarshal ", value_desc, " into Go value of type ", go_type));
      return;
    }
    std::string message = StrCat("json: cannot unmarshal ", value_desc, " into Go struct field ", go_struct_);
    for (std::string_view f : go_fields_) StrAppend(&message, ".", f);
    StrAppend(&message, " of type ", go_type);
    AddTypeError(std::move(message));
  }

  void UnknownField(std::string_view key) {
    if (report_->unknown_fields.size() >= kMaxReported) return;
    report_->unknown_fields.push_back(strict_path_.empty() ? std::string(key) : StrCat(strict_path_, ".", key));
  }

  // Checks the members of `object` against `type`; drops unknown fields, nulls and values of
  // the wrong type.
  void DecodeStruct(const StructType& type, json::Value* object, int depth) {
    if (depth > kMaxDepth) {
      AddTypeError("json: exceeded max depth");
      *object = json::Value::EmptyObject();
      return;
    }
    json::Object& members = object->AsObject();
    const std::string_view struct_name = ShortName(type.name);
    size_t kept = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      auto& [key, member] = members[i];
      const Field* field = type.FindField(key);
      bool keep = false;
      if (field == nullptr) {
        UnknownField(key);
      } else if (!member.is_null()) {
        const std::string_view saved_struct = go_struct_;
        const size_t saved_path = strict_path_.size();
        go_struct_ = struct_name;
        go_fields_.push_back(field->name);
        if (!strict_path_.empty()) strict_path_.push_back('.');
        strict_path_.append(key);
        keep = DecodeValue(field->type, &member, depth + 1);
        strict_path_.resize(saved_path);
        go_fields_.pop_back();
        go_struct_ = saved_struct;
      }
      if (keep) {
        if (kept != i) members[kept] = std::move(members[i]);
        ++kept;
      }
    }
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(kept), members.end());
  }

  // Checks one non-null value; false when it is of the wrong type and must be dropped.
  bool DecodeValue(const TypeRef& type, json::Value* value, int depth) {
    switch (type.kind) {
      case Kind::kString:
        if (value->is_string()) return true;
        TypeError(GoValueKind(*value), "string");
        return false;
      case Kind::kInt32:
      case Kind::kInt64: {
        if (!value->is_number()) {
          TypeError(GoValueKind(*value), GoTypeName(type));
          return false;
        }
        std::optional<int64_t> n = value->AsInt64();
        if (!n || (type.kind == Kind::kInt32 && (*n < std::numeric_limits<int32_t>::min() ||
                                                 *n > std::numeric_limits<int32_t>::max()))) {
          TypeError(GoNumberValue(*value), GoTypeName(type));
          return false;
        }
        return true;
      }
      case Kind::kFloat64:
        if (value->is_number() && value->AsDouble()) return true;
        TypeError(GoNumberValue(*value), "float64");
        return false;
      case Kind::kBoolean:
        if (value->is_bool()) return true;
        TypeError(GoValueKind(*value), "bool");
        return false;
      case Kind::kBytes:
        if (!value->is_string()) {
          TypeError(GoValueKind(*value), "[]uint8");
          return false;
        }
        if (auto error = CheckBase64(value->AsString())) {
          AddTypeError(std::move(*error));
          return false;
        }
        return true;
      case Kind::kTime:
      case Kind::kMicroTime: {
        // metav1.Time's UnmarshalJSON reads a string first; Go adds the field context.
        if (!value->is_string()) {
          TypeError(GoValueKind(*value), "string");
          return false;
        }
        auto normalized = NormalizeTime(value->AsString(), type.kind == Kind::kMicroTime);
        if (auto* error = std::get_if<TimeError>(&normalized)) {
          AddTypeError(std::move(error->message));
          return false;
        }
        value->AsString() = std::move(std::get<std::string>(normalized));
        return true;
      }
      case Kind::kQuantity: {
        // Quantity's UnmarshalJSON parses the string or the raw JSON text of anything else;
        // only numbers can parse. A number becomes its string form, as upstream writes it.
        std::optional<std::string> error;
        if (value->is_string()) {
          error = CheckQuantity(value->AsString());
        } else if (value->is_number()) {
          error = CheckQuantity(value->number_literal());
          if (!error) *value = json::Value(value->number_literal());
        } else {
          error = CheckQuantity("{");
        }
        if (error) {
          AddTypeError(std::move(*error));
          return false;
        }
        return true;
      }
      case Kind::kIntOrString: {
        // IntOrString's UnmarshalJSON: a string, or else whatever decodes into an int32.
        if (value->is_string()) return true;
        std::optional<int64_t> n = value->AsInt64();
        if (n && *n >= std::numeric_limits<int32_t>::min() && *n <= std::numeric_limits<int32_t>::max()) return true;
        TypeError(GoNumberValue(*value), "int32");
        return false;
      }
      case Kind::kObject:
      case Kind::kAny:
        return true;
      case Kind::kStruct: {
        if (!value->is_object()) {
          TypeError(GoValueKind(*value), GoTypeName(type));
          return false;
        }
        const StructType* st = schema_.Find(type.name);
        if (st == nullptr) return true;  // Parse() checked every reference
        DecodeStruct(*st, value, depth);
        return true;
      }
      case Kind::kList: {
        if (!value->is_array()) {
          TypeError(GoValueKind(*value), GoTypeName(type));
          return false;
        }
        json::Array& items = value->AsArray();
        const size_t saved_path = strict_path_.size();
        for (size_t i = 0; i < items.size(); ++i) {
          StrAppend(&strict_path_, "[", i, "]");
          if (items[i].is_null() || !DecodeValue(*type.elem, &items[i], depth + 1)) {
            items[i] = ZeroValue(*type.elem);
          }
          strict_path_.resize(saved_path);
        }
        return true;
      }
      case Kind::kMap: {
        if (!value->is_object()) {
          TypeError(GoValueKind(*value), GoTypeName(type));
          return false;
        }
        const size_t saved_path = strict_path_.size();
        for (auto& [key, member] : value->AsObject()) {
          if (!strict_path_.empty()) strict_path_.push_back('.');
          strict_path_.append(key);
          if (member.is_null() || !DecodeValue(*type.elem, &member, depth + 1)) member = ZeroValue(*type.elem);
          strict_path_.resize(saved_path);
        }
        return true;
      }
    }
    return true;
  }

  const Schema& schema_;
  DecodeReport* report_;
  // Go's error context: the innermost struct's name and the field names from the root.
  std::string_view go_struct_;
  std::vector<std::string_view> go_fields_;
  // The strict decoder's path of the current value ("spec.containers[0]").
  std::string strict_path_;
};

}  // namespace

DecodeReport Decode(const Schema& schema, std::string_view type_name, json::Value* value) {
  DecodeReport report;
  Decoder(schema, &report).DecodeRoot(type_name, value);
  return report;
}

}  // namespace cubelet::schema
