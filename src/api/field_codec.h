// Owns (internal to src/api; includes RapidJSON): the machinery of the declarative field tables.
// A table lists each field of one object type once (JSON name, member, omit rule) and that one
// entry drives decoding from a RapidJSON value and encoding to a RapidJSON writer, so the two
// directions cannot disagree. Members the table does not know are kept in the object's
// UnknownFields and written back there.
// Does not own: the tables themselves (pod_fields.cc, status_fields.cc) or the public entry
// points (json_codec.h).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/quantity.h"
#include "api/types.h"
#include "common/status_macros.h"

namespace cubelet::api::codec {

using JsonValue = rapidjson::Value;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Where decoding is, for errors: the path as upstream writes it in messages
// ("spec.containers[0].resources.limits[memory]") and the same place as a JSON pointer
// ("/spec/containers/0/resources/limits/memory") to find the line of the YAML it came from.
class DecodeContext {
 public:
  // Leaves the path segment it entered when it goes out of scope.
  class [[nodiscard]] Scope {
   public:
    explicit Scope(DecodeContext* ctx) : ctx_(ctx) {}
    ~Scope() { ctx_->path_.pop_back(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    DecodeContext* ctx_;
  };

  // `name` and `key` must outlive the scope (they are table literals or document strings).
  Scope Field(std::string_view name);
  Scope MapKey(std::string_view key);
  Scope Index(size_t i);

  // InvalidArgument "<path>: <what>"; remembers where, as error_pointer().
  absl::Status Error(std::string_view what);
  // "<path>: expected <want>, got a string".
  absl::Status TypeError(std::string_view want, const JsonValue& got);
  // The JSON pointer of the last error.
  const std::string& error_pointer() const { return error_pointer_; }

 private:
  enum class Kind { kField, kMapKey, kIndex };
  struct Segment {
    Kind kind;
    std::string_view key;
    size_t index;
  };

  std::vector<Segment> path_;
  std::string error_pointer_;
};

// "null", "a boolean", "a number", "a string", "a list", "an object".
const char* JsonTypeName(const JsonValue& v);
// `v` as compact JSON text.
std::string JsonText(const JsonValue& v);
// Writes compact JSON text (as UnknownFields keep it) as a value.
void WriteRaw(const std::string& text, JsonWriter& w);

// ---------------------------------------------------------------- value codecs

// The object types with a field table specialize this with a static Get() (pod_fields.h).
template <typename T>
struct FieldsOf;

// How one C++ type is read from and written as JSON. Decode sees non-null values only (null
// means "unset" in the API). IsEmpty is upstream's omitempty test; Sample fills a value with
// something non-empty (for the round-trip property test of every field).
// The primary template: an object type with a field table.
template <typename T>
struct ValueCodec {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, T& out) {
    return FieldsOf<T>::Get().Decode(v, ctx, out);
  }
  static void Encode(const T& t, JsonWriter& w) { FieldsOf<T>::Get().Encode(t, w); }
  static bool IsEmpty(const T& t) { return FieldsOf<T>::Get().IsEmpty(t); }
  static void Sample(T& t) { FieldsOf<T>::Get().Sample(t); }
  static std::string Noun() { return "an object"; }
  static std::string Plural() { return ""; }
};

template <>
struct ValueCodec<std::string> {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, std::string& out) {
    if (!v.IsString()) return ctx.TypeError("a string", v);
    out.assign(v.GetString(), v.GetStringLength());
    return absl::OkStatus();
  }
  static void Encode(const std::string& s, JsonWriter& w) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
  static bool IsEmpty(const std::string& s) { return s.empty(); }
  static void Sample(std::string& s) { s = "x"; }
  static std::string Noun() { return "a string"; }
  static std::string Plural() { return "strings"; }
};

template <>
struct ValueCodec<bool> {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, bool& out) {
    if (!v.IsBool()) return ctx.TypeError("a boolean", v);
    out = v.GetBool();
    return absl::OkStatus();
  }
  static void Encode(bool b, JsonWriter& w) { w.Bool(b); }
  static bool IsEmpty(bool b) { return !b; }
  static void Sample(bool& b) { b = true; }
  static std::string Noun() { return "a boolean"; }
  static std::string Plural() { return "booleans"; }
};

template <typename Int>
struct IntCodec {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, Int& out) {
    if (!v.IsInt64()) return ctx.TypeError("an integer", v);
    const int64_t x = v.GetInt64();
    if (x < std::numeric_limits<Int>::min() || x > std::numeric_limits<Int>::max()) {
      return ctx.Error(StrCat(x, " is out of range"));
    }
    out = static_cast<Int>(x);
    return absl::OkStatus();
  }
  static void Encode(Int i, JsonWriter& w) { w.Int64(i); }
  static bool IsEmpty(Int i) { return i == 0; }
  static void Sample(Int& i) { i = 7; }
  static std::string Noun() { return "an integer"; }
  static std::string Plural() { return "integers"; }
};
template <>
struct ValueCodec<int32_t> : IntCodec<int32_t> {};
template <>
struct ValueCodec<int64_t> : IntCodec<int64_t> {};

// A quantity is written as its canonical string; a JSON number is accepted too, as upstream.
template <>
struct ValueCodec<Quantity> {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, Quantity& out);
  static void Encode(const Quantity& q, JsonWriter& w) { ValueCodec<std::string>::Encode(q.ToString(), w); }
  static bool IsEmpty(const Quantity& q) { return q.IsZero(); }
  static void Sample(Quantity& q) { q = Quantity::FromInt(1 << 30, Quantity::Format::kBinarySI); }
  static std::string Noun() { return "a quantity"; }
  static std::string Plural() { return "resource quantities"; }
};

template <>
struct ValueCodec<IntOrString> {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, IntOrString& out);
  static void Encode(const IntOrString& v, JsonWriter& w);
  static bool IsEmpty(const IntOrString& v) { return !v.is_string && v.int_value == 0; }
  static void Sample(IntOrString& v) { v = IntOrString{.is_string = true, .int_value = 0, .str_value = "http"}; }
  static std::string Noun() { return "an integer or a string"; }
  static std::string Plural() { return "integers or strings"; }
};

// metav1.Time: RFC 3339 at second precision on the wire (a decoded fraction is dropped, so a
// decoded time is exactly what encoding writes).
template <>
struct ValueCodec<absl::Time> {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, absl::Time& out);
  static void Encode(absl::Time t, JsonWriter& w);
  static bool IsEmpty(absl::Time t) { return t == absl::Time(); }
  static void Sample(absl::Time& t) { t = absl::FromUnixSeconds(1764065472); }
  static std::string Noun() { return "an RFC 3339 time"; }
  static std::string Plural() { return "RFC 3339 times"; }
};

// A pointer field upstream: present-with-zero is kept and written; absent is omitted (or null).
template <typename X>
struct ValueCodec<std::optional<X>> {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, std::optional<X>& out) {
    X x{};
    RETURN_IF_ERROR(ValueCodec<X>::Decode(v, ctx, x));
    out = std::move(x);
    return absl::OkStatus();
  }
  static void Encode(const std::optional<X>& o, JsonWriter& w) {
    if (o) {
      ValueCodec<X>::Encode(*o, w);
    } else {
      w.Null();
    }
  }
  static bool IsEmpty(const std::optional<X>& o) { return !o.has_value(); }
  static void Sample(std::optional<X>& o) {
    X x{};
    ValueCodec<X>::Sample(x);
    o = std::move(x);
  }
  static std::string Noun() { return ValueCodec<X>::Noun(); }
  static std::string Plural() { return ValueCodec<X>::Plural(); }
};

template <typename X>
struct ValueCodec<std::vector<X>> {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, std::vector<X>& out) {
    if (!v.IsArray()) return ctx.TypeError(Noun(), v);
    out.clear();
    out.reserve(v.Size());
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      X x{};
      if (!v[i].IsNull()) {
        auto scope = ctx.Index(i);
        RETURN_IF_ERROR(ValueCodec<X>::Decode(v[i], ctx, x));
      }
      out.push_back(std::move(x));
    }
    return absl::OkStatus();
  }
  static void Encode(const std::vector<X>& list, JsonWriter& w) {
    w.StartArray();
    for (const X& x : list) ValueCodec<X>::Encode(x, w);
    w.EndArray();
  }
  static bool IsEmpty(const std::vector<X>& list) { return list.empty(); }
  static void Sample(std::vector<X>& list) {
    list.assign(1, X{});
    ValueCodec<X>::Sample(list[0]);
  }
  static std::string Noun() {
    const std::string of = ValueCodec<X>::Plural();
    return of.empty() ? "a list" : "a list of " + of;
  }
  static std::string Plural() { return "lists"; }
};

template <typename X>
struct ValueCodec<std::map<std::string, X>> {
  static absl::Status Decode(const JsonValue& v, DecodeContext& ctx, std::map<std::string, X>& out) {
    if (!v.IsObject()) return ctx.TypeError(Noun(), v);
    out.clear();
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string key(it->name.GetString(), it->name.GetStringLength());
      X x{};
      if (!it->value.IsNull()) {
        auto scope = ctx.MapKey(std::string_view(it->name.GetString(), it->name.GetStringLength()));
        RETURN_IF_ERROR(ValueCodec<X>::Decode(it->value, ctx, x));
      }
      out.insert_or_assign(std::move(key), std::move(x));
    }
    return absl::OkStatus();
  }
  static void Encode(const std::map<std::string, X>& map, JsonWriter& w) {
    w.StartObject();
    for (const auto& [k, x] : map) {
      w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
      ValueCodec<X>::Encode(x, w);
    }
    w.EndObject();
  }
  static bool IsEmpty(const std::map<std::string, X>& map) { return map.empty(); }
  static void Sample(std::map<std::string, X>& map) {
    map.clear();
    ValueCodec<X>::Sample(map["k"]);
  }
  static std::string Noun() {
    const std::string of = ValueCodec<X>::Plural();
    return of.empty() ? "a map" : "a map of " + of;
  }
  static std::string Plural() { return "maps"; }
};

// ---------------------------------------------------------------- field tables

enum class Omit {
  kWhenEmpty,  // upstream's omitempty: not written when empty (and so empty by default)
  kNever,      // always written (upstream fields without omitempty; fields defaulted to non-empty)
};

// One field of T. Built by Field() or Inline(), never by hand.
template <typename T>
struct FieldSpec {
  std::string_view name;
  Omit omit = Omit::kWhenEmpty;
  std::function<absl::Status(const JsonValue&, DecodeContext&, T&)> decode;
  std::function<void(const T&, JsonWriter&)> encode;
  std::function<bool(const T&)> is_empty;
  std::function<void(T&, const T&)> reset;  // to the value in `blank` (a JSON null)
  std::function<void(T&)> sample;
};

// The field `name` stored in `member`, read and written by ValueCodec<M>.
template <typename T, typename M>
FieldSpec<T> Field(std::string_view name, M T::*member, Omit omit = Omit::kWhenEmpty) {
  return FieldSpec<T>{
      .name = name,
      .omit = omit,
      .decode = [member](const JsonValue& v, DecodeContext& ctx, T& out) -> absl::Status {
        M value{};
        RETURN_IF_ERROR(ValueCodec<M>::Decode(v, ctx, value));
        out.*member = std::move(value);
        return absl::OkStatus();
      },
      .encode = [member](const T& t, JsonWriter& w) { ValueCodec<M>::Encode(t.*member, w); },
      .is_empty = [member](const T& t) { return ValueCodec<M>::IsEmpty(t.*member); },
      .reset = [member](T& out, const T& blank) { out.*member = blank.*member; },
      .sample = [member](T& out) { ValueCodec<M>::Sample(out.*member); },
  };
}

// The fields of the struct in `member`, written inline in T's object (as Go embeds a struct:
// a Probe's exec/httpGet/tcpSocket/grpc are its ProbeHandler's).
template <typename T, typename S>
std::vector<FieldSpec<T>> Inline(S T::*member, const std::vector<FieldSpec<S>>& fields) {
  std::vector<FieldSpec<T>> out;
  for (const FieldSpec<S>& f : fields) {
    out.push_back(FieldSpec<T>{
        .name = f.name,
        .omit = f.omit,
        .decode = [member, d = f.decode](const JsonValue& v, DecodeContext& ctx, T& t) { return d(v, ctx, t.*member); },
        .encode = [member, e = f.encode](const T& t, JsonWriter& w) { e(t.*member, w); },
        .is_empty = [member, e = f.is_empty](const T& t) { return e(t.*member); },
        .reset = [member, r = f.reset](T& t, const T& blank) { r(t.*member, blank.*member); },
        .sample = [member, s = f.sample](T& t) { s(t.*member); },
    });
  }
  return out;
}

// Concatenates field lists (to place inlined fields among the others).
template <typename T>
std::vector<FieldSpec<T>> Fields(std::initializer_list<std::vector<FieldSpec<T>>> groups) {
  std::vector<FieldSpec<T>> out;
  for (const auto& g : groups) out.insert(out.end(), g.begin(), g.end());
  return out;
}

// The table of one object type: its fields in the order they are written (upstream's), and
// what decoding starts from. T has an `unknown` member (UnknownFields).
template <typename T>
class ObjectCodec {
 public:
  // `after_decode` derives members that are not fields (e.g. Volume::other_source) from the
  // decoded ones; `blank` is what decoding starts from (a JSON null resets a field to it).
  explicit ObjectCodec(std::vector<FieldSpec<T>> fields, void (*after_decode)(T&) = nullptr, T blank = T{})
      : fields_(std::move(fields)), after_decode_(after_decode), blank_(std::move(blank)) {}

  absl::Status Decode(const JsonValue& v, DecodeContext& ctx, T& out) const {
    if (!v.IsObject()) return ctx.TypeError("an object", v);
    out = blank_;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string_view name(it->name.GetString(), it->name.GetStringLength());
      const FieldSpec<T>* f = Find(name);
      if (f == nullptr) {
        Keep(name, it->value, out.unknown);
      } else if (it->value.IsNull()) {
        f->reset(out, blank_);
      } else {
        auto scope = ctx.Field(f->name);
        RETURN_IF_ERROR(f->decode(it->value, ctx, out));
      }
    }
    if (after_decode_ != nullptr) after_decode_(out);
    return absl::OkStatus();
  }

  void Encode(const T& t, JsonWriter& w) const {
    w.StartObject();
    for (const FieldSpec<T>& f : fields_) {
      if (f.omit == Omit::kWhenEmpty && f.is_empty(t)) continue;
      w.Key(f.name.data(), static_cast<rapidjson::SizeType>(f.name.size()));
      f.encode(t, w);
    }
    for (const auto& [key, text] : t.unknown.members) {
      if (Find(key) != nullptr) continue;  // a known field is written from the model only
      w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
      WriteRaw(text, w);
    }
    w.EndObject();
  }

  bool IsEmpty(const T& t) const { return t == blank_; }
  // How many JSON fields the table has (for a test that every model member has one).
  size_t field_count() const { return fields_.size(); }

  // Every field set to a non-empty value, and one unknown member.
  void Sample(T& t) const {
    t = blank_;
    for (const FieldSpec<T>& f : fields_) f.sample(t);
    t.unknown.members = {{"zzUnknownField", R"({"kept":[1,true,null,"s"]})"}};
    if (after_decode_ != nullptr) after_decode_(t);
  }

  // A field omitted when empty must be empty in `blank`: otherwise an explicit empty value
  // (timeoutSeconds: 0) would be dropped by encoding and come back as the default.
  absl::Status CheckOmitRules(std::string_view type) const {
    for (const FieldSpec<T>& f : fields_) {
      if (f.omit == Omit::kWhenEmpty && !f.is_empty(blank_)) {
        return absl::InternalError(StrCat(type, ".", f.name,
                                          ": omitted when empty, but its default is not empty (make it Omit::kNever)"));
      }
    }
    return absl::OkStatus();
  }

 private:
  const FieldSpec<T>* Find(std::string_view name) const {
    for (const FieldSpec<T>& f : fields_) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  // The last of duplicate members wins, as Go's decoder does.
  static void Keep(std::string_view name, const JsonValue& v, UnknownFields& unknown) {
    std::string text = JsonText(v);
    for (auto& [key, value] : unknown.members) {
      if (key == name) {
        value = std::move(text);
        return;
      }
    }
    unknown.members.emplace_back(std::string(name), std::move(text));
  }

  std::vector<FieldSpec<T>> fields_;
  void (*after_decode_)(T&);
  T blank_;
};

}  // namespace cubelet::api::codec
