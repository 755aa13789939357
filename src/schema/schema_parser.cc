// Schema::Parse: the .schema text format described in schema.h. The parser is strict because
// the tables are our own data: every mistake is an error naming the file and line, and all
// errors of a run are reported together so one schema_check run shows everything to fix.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "schema/schema.h"

namespace cubelet::schema {
namespace {

constexpr size_t kMaxReportedErrors = 100;

constexpr std::string_view kApiVersionDescription =
    "APIVersion defines the versioned schema of this representation of an object. Servers "
    "convert recognized schemas to the latest internal value and may reject unrecognized values.";
constexpr std::string_view kKindDescription =
    "Kind is a string value representing the REST resource this object represents. Servers may "
    "infer this from the endpoint the client submits requests to. In CamelCase.";

struct Location {
  std::string file;
  int line = 0;
  std::string ToString() const { return StrCat(file, ":", line); }
};

// Checks made once every file is read: references and merge keys may point forward or into
// another file.
struct PendingReference {
  Location where;
  std::string type_name;  // qualified
};
struct PendingKeyCheck {
  Location where;
  std::string owner;       // qualified name of the type declaring the field
  std::string field;       // the field with the attribute
  std::string attribute;   // "merge" or "map"
  std::string element;     // qualified element type
  std::vector<std::string> keys;
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool IsIdentifier(std::string_view s) {
  if (s.empty() || !IsIdentStart(s[0])) return false;
  return std::all_of(s.begin(), s.end(), IsIdentChar);
}

// A dotted name: identifiers separated by single dots.
bool IsDottedName(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!IsIdentifier(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// JSON field names in Kubernetes are identifiers; '$' and '-' appear in a few (x-kubernetes-*).
bool IsFieldName(std::string_view s) {
  if (s.empty() || !(IsIdentStart(s[0]) || s[0] == '$')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsIdentChar(c) || c == '$' || c == '-'; });
}

const std::map<std::string_view, Kind>& ScalarKinds() {
  static const auto* kinds = new std::map<std::string_view, Kind>{
      {"string", Kind::kString},       {"int32", Kind::kInt32},
      {"int64", Kind::kInt64},         {"float64", Kind::kFloat64},
      {"boolean", Kind::kBoolean},     {"byte", Kind::kBytes},
      {"date-time", Kind::kTime},      {"micro-time", Kind::kMicroTime},
      {"quantity", Kind::kQuantity},   {"int-or-string", Kind::kIntOrString},
      {"object", Kind::kObject},       {"any", Kind::kAny},
  };
  return *kinds;
}

// One line cut into words: whitespace separates words except inside parentheses; a trailing
// double-quoted description is kept apart.
struct Words {
  std::vector<std::string> words;
  std::optional<std::string> description;
};

absl::StatusOr<Words> SplitLine(std::string_view line) {
  Words out;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    if (c == '"') {
      std::string text;
      size_t j = i + 1;
      bool closed = false;
      for (; j < line.size(); ++j) {
        if (line[j] == '\\') {
          if (j + 1 >= line.size() || (line[j + 1] != '"' && line[j + 1] != '\\')) {
            return absl::InvalidArgumentError(
                "bad quoting: only \\\" and \\\\ may be escaped in a description");
          }
          text.push_back(line[++j]);
        } else if (line[j] == '"') {
          closed = true;
          break;
        } else {
          text.push_back(line[j]);
        }
      }
      if (!closed) return absl::InvalidArgumentError("bad quoting: the description has no closing quote");
      if (line.find_first_not_of(" \t", j + 1) != std::string_view::npos) {
        return absl::InvalidArgumentError("bad quoting: text after the closing quote of the description");
      }
      out.description = std::move(text);
      return out;
    }
    size_t j = i;
    int depth = 0;
    for (; j < line.size(); ++j) {
      char d = line[j];
      if (d == '(') ++depth;
      if (d == ')') --depth;
      if (d == '"') {
        return absl::InvalidArgumentError("bad quoting: a quote inside a word (descriptions come last)");
      }
      if (depth == 0 && (d == ' ' || d == '\t')) break;
    }
    if (depth != 0) return absl::InvalidArgumentError(StrCat("unbalanced parentheses in '", line.substr(i, j - i), "'"));
    out.words.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

// "merge(a, b)" -> name "merge", args {"a","b"}; "set" -> name "set", no args.
struct Attribute {
  std::string name;
  std::optional<std::vector<std::string>> args;
};

absl::StatusOr<Attribute> ParseAttribute(std::string_view word) {
  Attribute a;
  size_t open = word.find('(');
  if (open == std::string_view::npos) {
    a.name = std::string(word);
    return a;
  }
  if (word.back() != ')' || word.find('(', open + 1) != std::string_view::npos) {
    return absl::InvalidArgumentError(StrCat("malformed attribute '", word, "'"));
  }
  a.name = std::string(word.substr(0, open));
  std::string_view inner = word.substr(open + 1, word.size() - open - 2);
  std::vector<std::string> args;
  size_t start = 0;
  while (true) {
    size_t comma = inner.find(',', start);
    std::string_view arg = inner.substr(start, comma == std::string_view::npos ? inner.npos : comma - start);
    size_t b = arg.find_first_not_of(" \t");
    size_t e = arg.find_last_not_of(" \t");
    args.emplace_back(b == std::string_view::npos ? std::string_view() : arg.substr(b, e - b + 1));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  a.args = std::move(args);
  return a;
}

// A protobuf field number: 1 to 2^29-1, as the wire format allows.
std::optional<int> ParseFieldNumber(std::string_view text) {
  constexpr int64_t kMaxFieldNumber = (int64_t{1} << 29) - 1;
  if (text.empty() || text.size() > 9 || text[0] == '0') return std::nullopt;
  int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > kMaxFieldNumber) return std::nullopt;
  return static_cast<int>(n);
}

// pb(N), pb(E.N), optionally with ",ptr".
absl::Status ApplyProtobufAttribute(const Attribute& a, Field* field) {
  const std::string usage = "pb(N), pb(EMBEDDED.N) or pb(N,ptr) with field numbers from 1 to 536870911";
  if (!a.args || a.args->empty() || a.args->size() > 2) return absl::InvalidArgumentError(usage);
  if (a.args->size() == 2) {
    if ((*a.args)[1] != "ptr") return absl::InvalidArgumentError(usage);
    field->protobuf_pointer = true;
  }
  std::string_view number = (*a.args)[0];
  size_t dot = number.find('.');
  if (dot != std::string_view::npos) {
    std::optional<int> embedded = ParseFieldNumber(number.substr(0, dot));
    if (!embedded) return absl::InvalidArgumentError(usage);
    field->protobuf_embedded = *embedded;
    number = number.substr(dot + 1);
  }
  std::optional<int> tag = ParseFieldNumber(number);
  if (!tag) return absl::InvalidArgumentError(usage);
  field->protobuf_tag = *tag;
  return absl::OkStatus();
}

// Whether `field`'s protobuf number collides with one of `type`'s fields: the same number in
// the same message, or a number used both for a field and for an embedded message.
absl::Status CheckProtobufNumber(const StructType& type, const Field& field) {
  if (field.protobuf_tag == 0) return absl::OkStatus();
  for (const Field& other : type.fields) {
    if (other.protobuf_tag == 0) continue;
    if (other.protobuf_embedded == field.protobuf_embedded && other.protobuf_tag == field.protobuf_tag) {
      return absl::InvalidArgumentError(StrCat("duplicate protobuf number ",
                                               field.protobuf_embedded ? StrCat(field.protobuf_embedded, ".") : "",
                                               field.protobuf_tag, " in type ", type.name, " (fields ", other.name,
                                               " and ", field.name, ")"));
    }
    const bool clash = (field.protobuf_embedded != 0 && other.protobuf_embedded == 0 &&
                        other.protobuf_tag == field.protobuf_embedded) ||
                       (other.protobuf_embedded != 0 && field.protobuf_embedded == 0 &&
                        field.protobuf_tag == other.protobuf_embedded);
    if (clash) {
      return absl::InvalidArgumentError(StrCat("protobuf number ",
                                               field.protobuf_embedded ? field.protobuf_embedded : field.protobuf_tag,
                                               " in type ", type.name, " is both a field and an embedded message (fields ",
                                               other.name, " and ", field.name, ")"));
    }
  }
  return absl::OkStatus();
}

class Parser {
 public:
  void ParseFile(const std::string& file, std::string_view text);
  // Resolves references and merge keys; returns the types or every error found.
  absl::StatusOr<std::map<std::string, StructType, std::less<>>> Finish();

 private:
  void Error(const Location& where, std::string_view what) {
    if (errors_.size() < kMaxReportedErrors) errors_.push_back(StrCat(where.ToString(), ": ", what));
  }
  void Error(const Location& where, const absl::Status& status) { Error(where, ToStd(status.message())); }
  void ParseTypeLine(const Location& where, std::string_view line);
  void ParseFieldLine(const Location& where, std::string_view line);
  absl::Status AddField(const Location& where, std::string_view line);
  // Parses TYPE of a field; records struct references for checking in Finish().
  absl::StatusOr<TypeRef> ParseTypeExpr(const Location& where, std::string_view text);
  absl::Status ApplyFieldAttribute(const Location& where, const Attribute& a, Field* field,
                                   std::set<std::string>* seen);

  std::string package_;
  StructType* current_ = nullptr;  // the type whose fields follow
  std::map<std::string, StructType, std::less<>> types_;
  std::map<std::string, Location, std::less<>> declared_at_;
  std::vector<PendingReference> references_;
  std::vector<PendingKeyCheck> key_checks_;
  std::vector<std::string> errors_;
};

void Parser::ParseFile(const std::string& file, std::string_view text) {
  package_.clear();
  current_ = nullptr;
  int line_number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    Location where{file, line_number};
    if (first > 0) {
      ParseFieldLine(where, line.substr(first));
    } else if (line.starts_with("package ") || line.starts_with("package\t")) {
      std::string_view name = line.substr(8);
      name.remove_prefix(std::min(name.find_first_not_of(" \t"), name.size()));
      if (!IsDottedName(name)) {
        Error(where, StrCat("bad package name '", name, "'"));
        continue;
      }
      package_ = std::string(name);
      current_ = nullptr;
    } else if (line.starts_with("type ") || line.starts_with("type\t")) {
      ParseTypeLine(where, line.substr(5));
    } else {
      Error(where, StrCat("expected 'package', 'type' or an indented field, got '", line, "'"));
      current_ = nullptr;
    }
    if (end == text.size()) break;
  }
}

void Parser::ParseTypeLine(const Location& where, std::string_view line) {
  current_ = nullptr;
  auto words = SplitLine(line);
  if (!words.ok()) return Error(where, words.status());
  if (words->words.empty()) return Error(where, "a type needs a name");
  const std::string& name = words->words[0];
  if (!IsIdentifier(name)) return Error(where, StrCat("bad type name '", name, "'"));
  if (ScalarKinds().contains(name)) return Error(where, StrCat("type name '", name, "' is a built-in type"));
  if (package_.empty()) return Error(where, StrCat("type ", name, " before any 'package' line"));
  std::string qualified = StrCat(package_, ".", name);
  if (auto it = declared_at_.find(qualified); it != declared_at_.end()) {
    return Error(where, StrCat("duplicate type ", qualified, " (first declared at ", it->second.ToString(), ")"));
  }
  StructType type;
  type.name = qualified;
  type.description = words->description.value_or("");
  std::set<std::string> seen;
  for (size_t i = 1; i < words->words.size(); ++i) {
    auto attribute = ParseAttribute(words->words[i]);
    if (!attribute.ok()) return Error(where, attribute.status());
    if (attribute->name == "gvk") {
      if (!attribute->args || attribute->args->size() != 3 || (*attribute->args)[1].empty() ||
          (*attribute->args)[2].empty()) {
        return Error(where, StrCat("gvk needs (GROUP,VERSION,KIND) with VERSION and KIND set, got '",
                                   words->words[i], "'"));
      }
      GroupVersionKind gvk{(*attribute->args)[0], (*attribute->args)[1], (*attribute->args)[2]};
      if (std::find(type.gvks.begin(), type.gvks.end(), gvk) != type.gvks.end()) {
        return Error(where, StrCat("duplicate attribute '", words->words[i], "'"));
      }
      type.gvks.push_back(std::move(gvk));
    } else if (attribute->name == "atomic" && !attribute->args) {
      if (!seen.insert("atomic").second) return Error(where, "duplicate attribute 'atomic'");
      type.atomic = true;
    } else {
      return Error(where, StrCat("unknown type attribute '", words->words[i], "'"));
    }
  }
  declared_at_.emplace(qualified, where);
  current_ = &types_.emplace(qualified, std::move(type)).first->second;
}

absl::StatusOr<TypeRef> Parser::ParseTypeExpr(const Location& where, std::string_view text) {
  TypeRef ref;
  if (text.starts_with("[]")) {
    auto elem = ParseTypeExpr(where, text.substr(2));
    if (!elem.ok()) return elem.status();
    ref.kind = Kind::kList;
    ref.elem = std::make_shared<const TypeRef>(std::move(*elem));
    return ref;
  }
  if (text.starts_with("map[")) {
    if (!text.starts_with("map[string]")) {
      return absl::InvalidArgumentError(StrCat("map keys must be strings: '", text, "'"));
    }
    auto elem = ParseTypeExpr(where, text.substr(11));
    if (!elem.ok()) return elem.status();
    ref.kind = Kind::kMap;
    ref.elem = std::make_shared<const TypeRef>(std::move(*elem));
    return ref;
  }
  if (auto it = ScalarKinds().find(text); it != ScalarKinds().end()) {
    ref.kind = it->second;
    return ref;
  }
  if (!IsDottedName(text)) return absl::InvalidArgumentError(StrCat("bad type '", text, "'"));
  ref.kind = Kind::kStruct;
  ref.name = text.find('.') == std::string_view::npos ? StrCat(package_, ".", text) : std::string(text);
  references_.push_back({where, ref.name});
  return ref;
}

bool IsScalar(const TypeRef& t) {
  return t.kind != Kind::kStruct && t.kind != Kind::kList && t.kind != Kind::kMap;
}

absl::Status Parser::ApplyFieldAttribute(const Location& where, const Attribute& a, Field* field,
                                         std::set<std::string>* seen) {
  const TypeRef& type = field->type;
  const bool list = type.kind == Kind::kList;
  const bool list_of_structs = list && type.elem->kind == Kind::kStruct;
  auto no_args = [&]() -> absl::Status {
    if (a.args) return absl::InvalidArgumentError(StrCat("attribute '", a.name, "' takes no arguments"));
    return absl::OkStatus();
  };
  std::string seen_key = a.name;
  if (a.name == "map" || a.name == "set" || a.name == "atomic") seen_key = "list type";
  if (!seen->insert(seen_key).second) {
    if (seen_key == "list type") {
      return absl::InvalidArgumentError(StrCat("more than one of map(...), set and atomic on field ", field->name));
    }
    return absl::InvalidArgumentError(StrCat("duplicate attribute '", a.name, "' on field ", field->name));
  }
  if (a.name == "required") {
    RETURN_IF_ERROR(no_args());
    field->required = true;
  } else if (a.name == "merge") {
    if (a.args) {
      if (a.args->size() != 1 || !IsFieldName((*a.args)[0])) {
        return absl::InvalidArgumentError("merge(KEY) takes one field name");
      }
      if (!list_of_structs) {
        return absl::InvalidArgumentError(StrCat("merge(", (*a.args)[0], ") needs a list of structs; field ",
                                                 field->name, " is ", GoTypeName(type)));
      }
      field->patch_merge_key = (*a.args)[0];
      key_checks_.push_back({where, current_->name, field->name, "merge", type.elem->name, *a.args});
    } else if (!list || type.elem->kind == Kind::kStruct) {
      return absl::InvalidArgumentError(StrCat("merge without a key needs a list of scalars; field ",
                                               field->name, " is ", GoTypeName(type), " (lists of structs need merge(KEY))"));
    }
  } else if (a.name == "retainKeys") {
    RETURN_IF_ERROR(no_args());
    if (type.kind != Kind::kStruct && !list_of_structs) {
      return absl::InvalidArgumentError(StrCat("retainKeys needs a struct or a list of structs; field ",
                                               field->name, " is ", GoTypeName(type)));
    }
  } else if (a.name == "replace") {
    RETURN_IF_ERROR(no_args());
    if (IsScalar(type)) {
      return absl::InvalidArgumentError(StrCat("replace needs a list, map or struct; field ", field->name,
                                               " is ", GoTypeName(type)));
    }
  } else if (a.name == "map") {
    if (!a.args || a.args->empty() ||
        !std::all_of(a.args->begin(), a.args->end(), [](const std::string& k) { return IsFieldName(k); })) {
      return absl::InvalidArgumentError("map(K1,K2,...) takes field names");
    }
    if (!list_of_structs) {
      return absl::InvalidArgumentError(StrCat("map(...) needs a list of structs; field ", field->name, " is ",
                                               GoTypeName(type)));
    }
    field->list_type = ListType::kMap;
    field->list_map_keys = *a.args;
    key_checks_.push_back({where, current_->name, field->name, "map", type.elem->name, *a.args});
  } else if (a.name == "set") {
    RETURN_IF_ERROR(no_args());
    if (!list || !IsScalar(*type.elem)) {
      return absl::InvalidArgumentError(StrCat("set needs a list of scalars; field ", field->name, " is ",
                                               GoTypeName(type)));
    }
    field->list_type = ListType::kSet;
  } else if (a.name == "atomic") {
    RETURN_IF_ERROR(no_args());
    if (IsScalar(type)) {
      return absl::InvalidArgumentError(StrCat("atomic needs a list, map or struct; field ", field->name,
                                               " is ", GoTypeName(type)));
    }
    field->list_type = ListType::kAtomic;
  } else if (a.name == "pb") {
    RETURN_IF_ERROR(ApplyProtobufAttribute(a, field));
  } else if (a.name == "enum") {
    if (!a.args || a.args->empty()) return absl::InvalidArgumentError("enum(A,B,...) takes the allowed values");
    const TypeRef& scalar = list ? *type.elem : type;
    if (scalar.kind != Kind::kString) {
      return absl::InvalidArgumentError(StrCat("enum needs a string (or a list of strings); field ", field->name,
                                               " is ", GoTypeName(type)));
    }
    field->enum_values = *a.args;
  } else {
    return absl::InvalidArgumentError(StrCat("unknown attribute '", a.name, a.args ? "(...)" : "", "'"));
  }
  return absl::OkStatus();
}

void Parser::ParseFieldLine(const Location& where, std::string_view line) {
  // A rejected line leaves no pending checks behind: one error per line.
  const size_t references = references_.size(), key_checks = key_checks_.size();
  if (absl::Status s = AddField(where, line); !s.ok()) {
    references_.resize(references);
    key_checks_.resize(key_checks);
    Error(where, s);
  }
}

absl::Status Parser::AddField(const Location& where, std::string_view line) {
  if (current_ == nullptr) return absl::InvalidArgumentError("an indented field line outside a type");
  auto words = SplitLine(line);
  if (!words.ok()) return words.status();
  if (words->words.size() < 2) return absl::InvalidArgumentError("a field needs a name and a type");
  Field field;
  field.name = words->words[0];
  if (!IsFieldName(field.name)) return absl::InvalidArgumentError(StrCat("bad field name '", field.name, "'"));
  if (current_->FindField(field.name) != nullptr) {
    return absl::InvalidArgumentError(StrCat("duplicate field ", field.name, " in type ", current_->name));
  }
  auto type = ParseTypeExpr(where, words->words[1]);
  if (!type.ok()) return type.status();
  field.type = std::move(*type);
  field.description = words->description.value_or("");
  std::set<std::string> seen;
  bool merge = false, retain = false, replace = false;
  for (size_t i = 2; i < words->words.size(); ++i) {
    auto attribute = ParseAttribute(words->words[i]);
    if (!attribute.ok()) return attribute.status();
    RETURN_IF_ERROR(ApplyFieldAttribute(where, *attribute, &field, &seen));
    merge |= attribute->name == "merge";
    retain |= attribute->name == "retainKeys";
    replace |= attribute->name == "replace";
  }
  if (replace && (merge || retain)) return absl::InvalidArgumentError("replace excludes merge and retainKeys");
  RETURN_IF_ERROR(CheckProtobufNumber(*current_, field));
  if (merge && retain) {
    field.patch_strategy = "merge,retainKeys";
  } else if (merge) {
    field.patch_strategy = "merge";
  } else if (retain) {
    field.patch_strategy = "retainKeys";
  } else if (replace) {
    field.patch_strategy = "replace";
  }
  current_->fields.push_back(std::move(field));
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, StructType, std::less<>>> Parser::Finish() {
  for (const PendingReference& r : references_) {
    if (!types_.contains(r.type_name)) Error(r.where, StrCat("unknown type reference ", r.type_name));
  }
  for (const PendingKeyCheck& c : key_checks_) {
    auto it = types_.find(c.element);
    if (it == types_.end()) continue;  // already reported as an unknown reference
    for (const std::string& key : c.keys) {
      if (it->second.FindField(key) == nullptr) {
        Error(c.where, StrCat(c.attribute, " key '", key, "' of field ", c.field, " is not a field of ", c.element));
      }
    }
  }
  if (!errors_.empty()) {
    std::string message;
    for (const std::string& e : errors_) StrAppend(&message, message.empty() ? "" : "\n", e);
    return absl::InvalidArgumentError(message);
  }
  // Every kind carries TypeMeta's apiVersion and kind; declare them unless the table did.
  for (auto& [name, type] : types_) {
    if (type.gvks.empty()) continue;
    std::vector<Field> meta;
    for (auto [field_name, description] : {std::pair{"apiVersion", kApiVersionDescription},
                                           std::pair{"kind", kKindDescription}}) {
      if (type.FindField(field_name) != nullptr) continue;
      Field f;
      f.name = field_name;
      f.description = std::string(description);
      meta.push_back(std::move(f));
    }
    type.fields.insert(type.fields.begin(), meta.begin(), meta.end());
  }
  return std::move(types_);
}

}  // namespace

absl::StatusOr<Schema> Schema::Parse(const std::vector<std::pair<std::string, std::string>>& named_texts) {
  Parser parser;
  for (const auto& [name, text] : named_texts) parser.ParseFile(name, text);
  auto types = parser.Finish();
  if (!types.ok()) return types.status();
  Schema schema;
  schema.types_ = std::move(*types);
  return schema;
}

}  // namespace cubelet::schema
