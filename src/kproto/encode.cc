// EncodeMessage: JSON -> protobuf, the mirror of decode.cc. Objects kept by cubelet-server have
// passed the schema decoder, so a JSON type that does not match the schema is an error rather
// than something to guess at.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "json/write.h"
#include "kproto/internal/scalars.h"
#include "kproto/internal/field_path.h"
#include "kproto/transcode.h"
#include "kproto/wire.h"
#include "schema/scalars.h"

namespace cubelet::kproto {
namespace {

using schema::Field;
using schema::Kind;
using schema::StructType;
using schema::TypeRef;

using internal::JoinPath;
using internal::PathError;

absl::Status WrongType(std::string_view path, std::string_view expected, const json::Value& v) {
  return PathError(path, StrCat("expected ", expected, ", got ", json::TypeName(v.type())));
}

// A null list item is the element's zero value, as Go decodes it: 0, false, or an empty message
// or string (an empty Quantity, Time or IntOrString message is that type's zero too).
void EncodeZero(Kind kind, int number, WireWriter* out) {
  switch (kind) {
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kBoolean:
      out->VarintField(number, 0);
      break;
    case Kind::kFloat64:
      out->Fixed64Field(number, 0);
      break;
    default:
      out->BytesField(number, "");
      break;
  }
}

class Encoder {
 public:
  explicit Encoder(const schema::Schema& schema) : schema_(schema) {}

  // Writes the fields of `type` that travel in its own message (`embedded` 0) or in the message
  // upstream embeds at `embedded`, taking their values from the JSON object `object`.
  absl::Status EncodeFields(const StructType& type, int embedded, const json::Value& object, int depth,
                            const std::string& path, WireWriter* out);

 private:
  absl::Status EncodeValue(const TypeRef& type, int number, const json::Value& value, int depth,
                           const std::string& path, WireWriter* out);
  absl::Status EncodeScalar(const TypeRef& type, int number, const json::Value& value, const std::string& path,
                            WireWriter* out);

  const schema::Schema& schema_;
};

absl::Status Encoder::EncodeFields(const StructType& type, int embedded, const json::Value& object, int depth,
                                   const std::string& path, WireWriter* out) {
  if (depth > kMaxDepth) return PathError(path, StrCat("objects nested deeper than ", kMaxDepth));
  if (!object.is_object()) return WrongType(path, "an object", object);
  // (number, field); a null field stands for the message embedded at that number.
  std::vector<std::pair<int, const Field*>> entries;
  std::set<int> groups;
  for (const Field& f : type.fields) {
    if (f.protobuf_tag == 0) continue;
    if (f.protobuf_embedded == embedded) {
      entries.emplace_back(f.protobuf_tag, &f);
    } else if (embedded == 0) {
      groups.insert(f.protobuf_embedded);
    }
  }
  for (int group : groups) entries.emplace_back(group, nullptr);
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [number, field] : entries) {
    if (field == nullptr) {
      // Upstream writes an embedded value struct even when it is empty (EphemeralContainer
      // marks its embedded message required).
      WireWriter group;
      RETURN_IF_ERROR(EncodeFields(type, number, object, depth + 1, path, &group));
      out->BytesField(number, group.data());
      continue;
    }
    const json::Value* value = object.Find(field->name);
    if (value == nullptr || value->is_null()) continue;
    RETURN_IF_ERROR(EncodeValue(field->type, number, *value, depth, JoinPath(path, field->name), out));
  }
  return absl::OkStatus();
}

absl::Status Encoder::EncodeValue(const TypeRef& type, int number, const json::Value& value, int depth,
                                  const std::string& path, WireWriter* out) {
  switch (type.kind) {
    case Kind::kList: {
      if (!value.is_array()) return WrongType(path, "an array", value);
      const json::Array& items = value.AsArray();
      for (size_t i = 0; i < items.size(); ++i) {
        const TypeRef& elem = *type.elem;
        if (elem.kind == Kind::kList || elem.kind == Kind::kMap) {
          return PathError(path, "lists and maps nested directly in lists have no protobuf form");
        }
        const json::Value& item = items[i];
        if (item.is_null()) {
          EncodeZero(elem.kind, number, out);
          continue;
        }
        RETURN_IF_ERROR(EncodeValue(elem, number, item, depth, StrCat(path, "[", i, "]"), out));
      }
      return absl::OkStatus();
    }
    case Kind::kMap: {
      if (!value.is_object()) return WrongType(path, "an object", value);
      const TypeRef& elem = *type.elem;
      if (elem.kind == Kind::kList || elem.kind == Kind::kMap) {
        return PathError(path, "lists and maps nested directly in maps have no protobuf form");
      }
      // Entries by key, as upstream writes them, so equal maps encode to equal bytes.
      std::vector<const json::Member*> members;
      for (const json::Member& m : value.AsObject()) members.push_back(&m);
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
      for (const json::Member* m : members) {
        WireWriter entry;
        entry.BytesField(1, m->first);
        if (!m->second.is_null()) {
          RETURN_IF_ERROR(EncodeValue(elem, 2, m->second, depth, StrCat(path, "[", m->first, "]"), &entry));
        }
        out->BytesField(number, entry.data());
      }
      return absl::OkStatus();
    }
    case Kind::kStruct: {
      const StructType* nested = schema_.Find(type.name);
      if (nested == nullptr) return absl::InternalError(StrCat(path, ": type ", type.name, " is not in the schema"));
      WireWriter message;
      RETURN_IF_ERROR(EncodeFields(*nested, 0, value, depth + 1, path, &message));
      out->BytesField(number, message.data());
      return absl::OkStatus();
    }
    default:
      return EncodeScalar(type, number, value, path, out);
  }
}

absl::Status Encoder::EncodeScalar(const TypeRef& type, int number, const json::Value& value, const std::string& path,
                                   WireWriter* out) {
  switch (type.kind) {
    case Kind::kString:
      if (!value.is_string()) return WrongType(path, "a string", value);
      out->BytesField(number, value.AsString());
      return absl::OkStatus();
    case Kind::kInt32:
    case Kind::kInt64: {
      std::optional<int64_t> n = value.AsInt64();
      if (!n) return WrongType(path, "an integer", value);
      if (type.kind == Kind::kInt32 &&
          (*n < std::numeric_limits<int32_t>::min() || *n > std::numeric_limits<int32_t>::max())) {
        return PathError(path, StrCat(*n, " does not fit int32"));
      }
      // Negative numbers are sign-extended to ten bytes, as protobuf's int32 and int64 are.
      out->VarintField(number, static_cast<uint64_t>(*n));
      return absl::OkStatus();
    }
    case Kind::kBoolean:
      if (!value.is_bool()) return WrongType(path, "a boolean", value);
      out->VarintField(number, value.AsBool() ? 1 : 0);
      return absl::OkStatus();
    case Kind::kFloat64: {
      std::optional<double> d = value.AsDouble();
      if (!d) return WrongType(path, "a number", value);
      out->Fixed64Field(number, std::bit_cast<uint64_t>(*d));
      return absl::OkStatus();
    }
    case Kind::kBytes: {
      if (!value.is_string()) return WrongType(path, "a base64 string", value);
      std::string bytes;
      if (!absl::Base64Unescape(value.AsString(), &bytes)) return PathError(path, "invalid base64");
      out->BytesField(number, bytes);
      return absl::OkStatus();
    }
    case Kind::kTime:
    case Kind::kMicroTime: {
      const bool micro = type.kind == Kind::kMicroTime;
      if (!value.is_string()) return WrongType(path, "an RFC 3339 time string", value);
      auto normalized = schema::NormalizeTime(value.AsString(), micro);
      if (const auto* error = std::get_if<schema::TimeError>(&normalized)) return PathError(path, error->message);
      std::optional<internal::Timestamp> t = internal::ParseUtc(std::get<std::string>(normalized));
      if (!t) return PathError(path, StrCat("cannot encode time ", value.AsString()));
      WireWriter message;
      message.VarintField(1, static_cast<uint64_t>(t->seconds));
      message.VarintField(2, static_cast<uint64_t>(static_cast<int64_t>(micro ? t->nanos : 0)));
      out->BytesField(number, message.data());
      return absl::OkStatus();
    }
    case Kind::kQuantity: {
      std::string text;
      if (value.is_string()) {
        text = value.AsString();
      } else if (value.is_number()) {
        text = value.number_literal();
      } else {
        return WrongType(path, "a quantity string", value);
      }
      WireWriter message;
      message.BytesField(1, text);
      out->BytesField(number, message.data());
      return absl::OkStatus();
    }
    case Kind::kIntOrString: {
      WireWriter message;
      if (value.is_string()) {
        message.VarintField(1, 1);
        message.VarintField(2, 0);
        message.BytesField(3, value.AsString());
      } else {
        std::optional<int64_t> n = value.AsInt64();
        if (!n) return WrongType(path, "an integer or a string", value);
        if (*n < std::numeric_limits<int32_t>::min() || *n > std::numeric_limits<int32_t>::max()) {
          return PathError(path, StrCat(*n, " does not fit int32"));
        }
        message.VarintField(1, 0);
        message.VarintField(2, static_cast<uint64_t>(*n));
        message.BytesField(3, "");
      }
      out->BytesField(number, message.data());
      return absl::OkStatus();
    }
    case Kind::kObject:
    case Kind::kAny: {
      WireWriter message;
      message.BytesField(1, json::Write(value));
      out->BytesField(number, message.data());
      return absl::OkStatus();
    }
    default:
      return PathError(path, "not a scalar type");
  }
}

}  // namespace

absl::StatusOr<std::string> EncodeMessage(const schema::Schema& schema, std::string_view type_name,
                                          const json::Value& object) {
  const StructType* type = schema.Find(type_name);
  if (type == nullptr) return absl::InvalidArgumentError(StrCat("no schema type ", type_name));
  WireWriter out;
  Encoder encoder(schema);
  RETURN_IF_ERROR(encoder.EncodeFields(*type, 0, object, 0, "", &out));
  return out.Take();
}

}  // namespace cubelet::kproto
