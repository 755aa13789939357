// DecodeMessage: protobuf -> JSON, one schema field at a time (transcode.h says what each kind
// of field looks like on the wire).
#include <bit>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "json/parse.h"
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

absl::Status Expect(const WireField& wire, WireType type, std::string_view path) {
  if (wire.type == type) return absl::OkStatus();
  return PathError(path, StrCat("wire type ", WireTypeName(wire.type), " for field ", wire.number, " where ",
                                WireTypeName(type), " was expected"));
}

// Numbers that may arrive packed: a run of varints (or of 8-byte values for float64) in one
// length-delimited field.
bool IsPackable(Kind kind) {
  return kind == Kind::kInt32 || kind == Kind::kInt64 || kind == Kind::kBoolean || kind == Kind::kFloat64;
}

absl::StatusOr<json::Value> NumberValue(Kind kind, uint64_t raw, std::string_view path) {
  switch (kind) {
    case Kind::kInt32: return json::Value(static_cast<long long>(static_cast<int32_t>(raw)));
    case Kind::kInt64: return json::Value(static_cast<long long>(raw));
    case Kind::kBoolean: return json::Value(raw != 0);
    case Kind::kFloat64: {
      const double d = std::bit_cast<double>(raw);
      if (!std::isfinite(d)) return PathError(path, "a float64 that is not finite has no JSON form");
      return json::Value(d);
    }
    default: return PathError(path, "not a number type");
  }
}

// What Go's omitempty drops: "", 0, false; a quantity of 0 and an int-or-string of 0 or "" are
// what a value field of those types holds when unset.
bool IsZero(Kind kind, const json::Value& v) {
  switch (kind) {
    case Kind::kString:
    case Kind::kBytes: return v.is_string() && v.AsString().empty();
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kFloat64: return v.is_number() && v.AsDouble() == 0.0;
    case Kind::kBoolean: return v.is_bool() && !v.AsBool();
    case Kind::kQuantity: return v.is_string() && (v.AsString() == "0" || v.AsString().empty());
    case Kind::kIntOrString:
      return (v.is_number() && v.AsDouble() == 0.0) || (v.is_string() && v.AsString().empty());
    default: return false;
  }
}

// The value a map entry without a value field stands for (Go's zero value of the element).
json::Value ZeroValue(Kind kind) {
  switch (kind) {
    case Kind::kString:
    case Kind::kBytes: return json::Value("");
    case Kind::kQuantity: return json::Value("0");
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kFloat64:
    case Kind::kIntOrString: return json::Value(0);
    case Kind::kBoolean: return json::Value(false);
    case Kind::kStruct: return json::Value::EmptyObject();
    default: return json::Value();
  }
}

class Decoder {
 public:
  explicit Decoder(const schema::Schema& schema) : schema_(schema) {}

  // Reads into `out` the fields of `type` that travel in `bytes`: the type's own message when
  // `embedded` is 0, else the message upstream embeds at that number.
  absl::Status DecodeFields(const StructType& type, int embedded, std::string_view bytes, int depth,
                            const std::string& path, json::Value* out);

 private:
  absl::Status DecodeField(const Field& field, const WireField& wire, int depth, const std::string& path,
                           json::Value* out);
  absl::Status DecodeListItem(const TypeRef& elem, const WireField& wire, int depth, const std::string& path,
                              json::Value* list);
  absl::Status DecodeMapEntry(const TypeRef& elem, const WireField& wire, int depth, const std::string& path,
                              json::Value* map);
  // A single value (not a list or map) of `type`; `existing` is what an earlier occurrence of
  // the same message field left, which a later one merges into.
  absl::StatusOr<json::Value> DecodeSingle(const TypeRef& type, const WireField& wire, int depth,
                                           const std::string& path, const json::Value* existing);
  absl::StatusOr<json::Value> DecodeTime(const WireField& wire, bool micro, const std::string& path);
  absl::StatusOr<json::Value> DecodeQuantity(const WireField& wire, const std::string& path);
  absl::StatusOr<json::Value> DecodeIntOrString(const WireField& wire, const std::string& path);
  absl::StatusOr<json::Value> DecodeRaw(const WireField& wire, const std::string& path);

  const schema::Schema& schema_;
};

absl::Status Decoder::DecodeFields(const StructType& type, int embedded, std::string_view bytes, int depth,
                                   const std::string& path, json::Value* out) {
  if (depth > kMaxDepth) return PathError(path, StrCat("messages nested deeper than ", kMaxDepth));
  if (!out->is_object()) *out = json::Value::EmptyObject();
  WireReader reader(bytes);
  while (!reader.done()) {
    auto wire = reader.Next();
    if (!wire.ok()) return PathError(path, ToStd(wire.status().message()));
    const Field* field = nullptr;
    bool group = false;
    for (const Field& f : type.fields) {
      if (f.protobuf_tag == 0) continue;
      if (f.protobuf_embedded == embedded && f.protobuf_tag == wire->number) {
        field = &f;
        break;
      }
      if (embedded == 0 && f.protobuf_embedded == wire->number) group = true;
    }
    if (field != nullptr) {
      RETURN_IF_ERROR(DecodeField(*field, *wire, depth, path, out));
    } else if (group) {
      RETURN_IF_ERROR(Expect(*wire, WireType::kLengthDelimited, path));
      RETURN_IF_ERROR(DecodeFields(type, wire->number, wire->bytes, depth + 1, path, out));
    }
    // Any other number is a field this server does not know: skipped, as upstream does.
  }
  return absl::OkStatus();
}

absl::Status Decoder::DecodeField(const Field& field, const WireField& wire, int depth, const std::string& path,
                                  json::Value* out) {
  const std::string field_path = JoinPath(path, field.name);
  if (field.type.kind == Kind::kList || field.type.kind == Kind::kMap) {
    json::Value* container = out->Find(field.name);
    if (container == nullptr) {
      out->Set(field.name, field.type.kind == Kind::kList ? json::Value::EmptyArray() : json::Value::EmptyObject());
      container = out->Find(field.name);
    }
    return field.type.kind == Kind::kList ? DecodeListItem(*field.type.elem, wire, depth, field_path, container)
                                          : DecodeMapEntry(*field.type.elem, wire, depth, field_path, container);
  }
  ASSIGN_OR_RETURN(json::Value value, DecodeSingle(field.type, wire, depth, field_path, out->Find(field.name)));
  // A value field's zero is what Go writes for "unset"; a pointer's zero was set on purpose.
  if (value.is_null() || (IsZero(field.type.kind, value) && !field.protobuf_pointer && !field.required)) {
    out->Erase(field.name);
  } else {
    out->Set(field.name, std::move(value));
  }
  return absl::OkStatus();
}

absl::Status Decoder::DecodeListItem(const TypeRef& elem, const WireField& wire, int depth, const std::string& path,
                                     json::Value* list) {
  if (IsPackable(elem.kind) && wire.type == WireType::kLengthDelimited) {
    std::string_view data = wire.bytes;
    while (!data.empty()) {
      uint64_t raw = 0;
      if (elem.kind == Kind::kFloat64) {
        if (data.size() < 8) return PathError(path, "truncated packed float64");
        for (int i = 0; i < 8; ++i) raw |= static_cast<uint64_t>(static_cast<uint8_t>(data[i])) << (8 * i);
        data.remove_prefix(8);
      } else {
        auto v = ReadVarint(&data);
        if (!v.ok()) return PathError(path, StrCat("packed list: ", v.status().message()));
        raw = *v;
      }
      ASSIGN_OR_RETURN(json::Value item, NumberValue(elem.kind, raw, path));
      list->Append(std::move(item));
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(json::Value item, DecodeSingle(elem, wire, depth, StrCat(path, "[", list->size(), "]"), nullptr));
  list->Append(std::move(item));
  return absl::OkStatus();
}

absl::Status Decoder::DecodeMapEntry(const TypeRef& elem, const WireField& wire, int depth, const std::string& path,
                                     json::Value* map) {
  RETURN_IF_ERROR(Expect(wire, WireType::kLengthDelimited, path));
  std::string key;
  std::optional<WireField> value_field;
  WireReader reader(wire.bytes);
  while (!reader.done()) {
    auto entry = reader.Next();
    if (!entry.ok()) return PathError(path, StrCat("map entry: ", entry.status().message()));
    if (entry->number == 1) {
      RETURN_IF_ERROR(Expect(*entry, WireType::kLengthDelimited, StrCat(path, " (map key)")));
      key = internal::ToValidUtf8(entry->bytes);
    } else if (entry->number == 2) {
      value_field = *entry;
    }
  }
  json::Value value = ZeroValue(elem.kind);
  if (value_field) {
    const std::string value_path = StrCat(path, "[", key, "]");
    const json::Value* existing = map->Find(key);
    ASSIGN_OR_RETURN(value, DecodeSingle(elem, *value_field, depth, value_path, existing));
  }
  map->Set(key, std::move(value));
  return absl::OkStatus();
}

absl::StatusOr<json::Value> Decoder::DecodeSingle(const TypeRef& type, const WireField& wire, int depth,
                                                  const std::string& path, const json::Value* existing) {
  switch (type.kind) {
    case Kind::kString:
      RETURN_IF_ERROR(Expect(wire, WireType::kLengthDelimited, path));
      return json::Value(internal::ToValidUtf8(wire.bytes));
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kBoolean:
      RETURN_IF_ERROR(Expect(wire, WireType::kVarint, path));
      return NumberValue(type.kind, wire.value, path);
    case Kind::kFloat64:
      RETURN_IF_ERROR(Expect(wire, WireType::kFixed64, path));
      return NumberValue(type.kind, wire.value, path);
    case Kind::kBytes: {
      RETURN_IF_ERROR(Expect(wire, WireType::kLengthDelimited, path));
      return json::Value(std::string(ToStd(absl::Base64Escape(absl::string_view(wire.bytes.data(), wire.bytes.size())))));
    }
    case Kind::kTime:
    case Kind::kMicroTime:
      return DecodeTime(wire, type.kind == Kind::kMicroTime, path);
    case Kind::kQuantity:
      return DecodeQuantity(wire, path);
    case Kind::kIntOrString:
      return DecodeIntOrString(wire, path);
    case Kind::kObject:
    case Kind::kAny:
      return DecodeRaw(wire, path);
    case Kind::kStruct: {
      RETURN_IF_ERROR(Expect(wire, WireType::kLengthDelimited, path));
      const StructType* nested = schema_.Find(type.name);
      if (nested == nullptr) return absl::InternalError(StrCat(path, ": type ", type.name, " is not in the schema"));
      json::Value object = existing != nullptr && existing->is_object() ? *existing : json::Value::EmptyObject();
      RETURN_IF_ERROR(DecodeFields(*nested, 0, wire.bytes, depth + 1, path, &object));
      return object;
    }
    case Kind::kList:
    case Kind::kMap:
      break;
  }
  return PathError(path, "lists and maps nested directly in lists or maps have no protobuf form");
}

absl::StatusOr<json::Value> Decoder::DecodeTime(const WireField& wire, bool micro, const std::string& path) {
  RETURN_IF_ERROR(Expect(wire, WireType::kLengthDelimited, path));
  internal::Timestamp t{internal::kZeroTimeSeconds, 0};
  bool any = false;
  WireReader reader(wire.bytes);
  while (!reader.done()) {
    auto f = reader.Next();
    if (!f.ok()) return PathError(path, ToStd(f.status().message()));
    if (f->number == 1) {
      RETURN_IF_ERROR(Expect(*f, WireType::kVarint, path));
      t.seconds = static_cast<int64_t>(f->value);
      any = true;
    } else if (f->number == 2) {
      RETURN_IF_ERROR(Expect(*f, WireType::kVarint, path));
      t.nanos = static_cast<int32_t>(f->value);
    }
  }
  // An empty message is Go's zero time; upstream's Time keeps whole seconds only.
  if (!any) t.seconds = internal::kZeroTimeSeconds;
  if (!micro) t.nanos = 0;
  if (t.seconds == internal::kZeroTimeSeconds && t.nanos == 0) return json::Value();
  std::optional<std::string> text = internal::FormatUtc(t, micro);
  if (!text) return PathError(path, StrCat("time ", t.seconds, "s ", t.nanos, "ns is outside the years 0 to 9999"));
  return json::Value(std::move(*text));
}

absl::StatusOr<json::Value> Decoder::DecodeQuantity(const WireField& wire, const std::string& path) {
  RETURN_IF_ERROR(Expect(wire, WireType::kLengthDelimited, path));
  std::string text = "0";  // an empty message is the zero quantity
  WireReader reader(wire.bytes);
  while (!reader.done()) {
    auto f = reader.Next();
    if (!f.ok()) return PathError(path, ToStd(f.status().message()));
    if (f->number == 1) {
      RETURN_IF_ERROR(Expect(*f, WireType::kLengthDelimited, path));
      text = std::string(f->bytes);
    }
  }
  if (std::optional<std::string> error = schema::CheckQuantity(text)) return PathError(path, *error);
  return json::Value(std::move(text));
}

absl::StatusOr<json::Value> Decoder::DecodeIntOrString(const WireField& wire, const std::string& path) {
  RETURN_IF_ERROR(Expect(wire, WireType::kLengthDelimited, path));
  int64_t kind = 0;
  int32_t int_value = 0;
  std::string string_value;
  WireReader reader(wire.bytes);
  while (!reader.done()) {
    auto f = reader.Next();
    if (!f.ok()) return PathError(path, ToStd(f.status().message()));
    if (f->number == 1 || f->number == 2) {
      RETURN_IF_ERROR(Expect(*f, WireType::kVarint, path));
      if (f->number == 1) kind = static_cast<int64_t>(f->value);
      if (f->number == 2) int_value = static_cast<int32_t>(f->value);
    } else if (f->number == 3) {
      RETURN_IF_ERROR(Expect(*f, WireType::kLengthDelimited, path));
      string_value = internal::ToValidUtf8(f->bytes);
    }
  }
  if (kind == 0) return json::Value(static_cast<long long>(int_value));
  if (kind == 1) return json::Value(std::move(string_value));
  return PathError(path, StrCat("int-or-string of type ", kind, " (0 is int, 1 is string)"));
}

absl::StatusOr<json::Value> Decoder::DecodeRaw(const WireField& wire, const std::string& path) {
  RETURN_IF_ERROR(Expect(wire, WireType::kLengthDelimited, path));
  std::string_view raw;
  WireReader reader(wire.bytes);
  while (!reader.done()) {
    auto f = reader.Next();
    if (!f.ok()) return PathError(path, ToStd(f.status().message()));
    if (f->number == 1) {
      RETURN_IF_ERROR(Expect(*f, WireType::kLengthDelimited, path));
      raw = f->bytes;
    }
  }
  if (raw.empty()) return json::Value();
  json::ParseOptions options;
  options.max_depth = kMaxDepth;
  auto value = json::Parse(raw, options);
  if (!value.ok()) return PathError(path, StrCat("raw JSON: ", value.status().message()));
  return std::move(*value);
}

}  // namespace

absl::StatusOr<json::Value> DecodeMessage(const schema::Schema& schema, std::string_view type_name,
                                          std::string_view bytes) {
  const StructType* type = schema.Find(type_name);
  if (type == nullptr) return absl::InvalidArgumentError(StrCat("no schema type ", type_name));
  json::Value out = json::Value::EmptyObject();
  Decoder decoder(schema);
  RETURN_IF_ERROR(decoder.DecodeFields(*type, 0, bytes, 0, "", &out));
  return out;
}

}  // namespace cubelet::kproto
