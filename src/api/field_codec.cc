#include "api/field_codec.h"

#include "api/json_codec.h"
#include "api/yaml.h"
#include "common/strings.h"

namespace cubelet::api::codec {

DecodeContext::Scope DecodeContext::Field(std::string_view name) {
  path_.push_back({Kind::kField, name, 0});
  return Scope(this);
}

DecodeContext::Scope DecodeContext::MapKey(std::string_view key) {
  path_.push_back({Kind::kMapKey, key, 0});
  return Scope(this);
}

DecodeContext::Scope DecodeContext::Index(size_t i) {
  path_.push_back({Kind::kIndex, {}, i});
  return Scope(this);
}

absl::Status DecodeContext::Error(std::string_view what) {
  std::string path;
  error_pointer_.clear();
  for (const Segment& s : path_) {
    switch (s.kind) {
      case Kind::kField:
        if (!path.empty()) path.push_back('.');
        path.append(s.key);
        AppendPointerToken(&error_pointer_, s.key);
        break;
      case Kind::kMapKey:
        StrAppend(&path, "[", s.key, "]");
        AppendPointerToken(&error_pointer_, s.key);
        break;
      case Kind::kIndex:
        StrAppend(&path, "[", s.index, "]");
        StrAppend(&error_pointer_, "/", s.index);
        break;
    }
  }
  return absl::InvalidArgumentError(path.empty() ? std::string(what) : StrCat(path, ": ", what));
}

absl::Status DecodeContext::TypeError(std::string_view want, const JsonValue& got) {
  return Error(StrCat("expected ", want, ", got ", JsonTypeName(got)));
}

const char* JsonTypeName(const JsonValue& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "a list";
  return "an object";
}

std::string JsonText(const JsonValue& v) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

void WriteRaw(const std::string& text, JsonWriter& w) {
  rapidjson::Type type = rapidjson::kNumberType;
  switch (text.empty() ? 'n' : text[0]) {
    case '{': type = rapidjson::kObjectType; break;
    case '[': type = rapidjson::kArrayType; break;
    case '"': type = rapidjson::kStringType; break;
    case 't': type = rapidjson::kTrueType; break;
    case 'f': type = rapidjson::kFalseType; break;
    case 'n': type = rapidjson::kNullType; break;
    default: break;
  }
  if (text.empty()) {
    w.Null();
  } else {
    w.RawValue(text.data(), text.size(), type);
  }
}

absl::Status ValueCodec<Quantity>::Decode(const JsonValue& v, DecodeContext& ctx, Quantity& out) {
  std::string text;
  if (v.IsString()) {
    text.assign(v.GetString(), v.GetStringLength());
  } else if (v.IsInt64()) {
    text = std::to_string(v.GetInt64());
  } else if (v.IsNumber()) {
    text = StrCat(v.GetDouble());
  } else {
    return ctx.TypeError("a quantity", v);
  }
  auto q = Quantity::Parse(text);
  if (!q.ok()) return ctx.Error(StrCat("Invalid value: \"", text, "\": ", q.status().message()));
  out = *q;
  return absl::OkStatus();
}

absl::Status ValueCodec<IntOrString>::Decode(const JsonValue& v, DecodeContext& ctx, IntOrString& out) {
  if (v.IsInt()) {
    out = IntOrString{.is_string = false, .int_value = v.GetInt(), .str_value = ""};
  } else if (v.IsString()) {
    out = IntOrString{.is_string = true, .int_value = 0, .str_value = std::string(v.GetString(), v.GetStringLength())};
  } else {
    return ctx.TypeError("an integer or a string", v);
  }
  return absl::OkStatus();
}

void ValueCodec<IntOrString>::Encode(const IntOrString& v, JsonWriter& w) {
  if (v.is_string) {
    ValueCodec<std::string>::Encode(v.str_value, w);
  } else {
    w.Int(v.int_value);
  }
}

absl::Status ValueCodec<absl::Time>::Decode(const JsonValue& v, DecodeContext& ctx, absl::Time& out) {
  if (!v.IsString()) return ctx.TypeError("an RFC 3339 time", v);
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, v.GetString(), &t, &err)) {
    return ctx.Error(StrCat("invalid time \"", v.GetString(), "\": ", err));
  }
  out = absl::FromUnixSeconds(absl::ToUnixSeconds(t));
  return absl::OkStatus();
}

void ValueCodec<absl::Time>::Encode(absl::Time t, JsonWriter& w) { ValueCodec<std::string>::Encode(FormatRfc3339(t), w); }

}  // namespace cubelet::api::codec
