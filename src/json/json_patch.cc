#include "json/json_patch.h"

#include <charconv>

#include "common/status_macros.h"
#include "common/strings.h"
#include "json/pointer.h"

namespace cubelet::json {
namespace {

struct Location {
  Value* parent;  // the container holding the target; nullptr for the whole document
  std::string last;
};

// The parent of the pointer's last token, which must exist and be a container.
absl::StatusOr<Location> ParentOf(Value& doc, const std::vector<std::string>& tokens) {
  if (tokens.empty()) return Location{nullptr, ""};
  std::vector<std::string> head(tokens.begin(), tokens.end() - 1);
  Value* parent = Resolve(doc, head);
  if (parent == nullptr || !(parent->is_object() || parent->is_array())) {
    return absl::FailedPreconditionError("the parent of the path does not exist");
  }
  return Location{parent, tokens.back()};
}

// An index into `array` for `token`; `allow_end` admits size() (and "-", which means it).
absl::StatusOr<size_t> IndexIn(const Array& array, const std::string& token, bool allow_end) {
  if (token == "-" && allow_end) return array.size();
  size_t i = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), i);
  if (token.empty() || ec != std::errc() || end != token.data() + token.size() ||
      (token.size() > 1 && token[0] == '0')) {
    return absl::InvalidArgumentError(StrCat("\"", token, "\" is not an array index"));
  }
  if (i > array.size() || (i == array.size() && !allow_end)) {
    return absl::FailedPreconditionError(StrCat("array index ", i, " is out of range"));
  }
  return i;
}

absl::Status Add(Value& doc, const std::vector<std::string>& tokens, Value v) {
  ASSIGN_OR_RETURN(Location loc, ParentOf(doc, tokens));
  if (loc.parent == nullptr) {
    doc = std::move(v);
  } else if (loc.parent->is_object()) {
    loc.parent->Set(loc.last, std::move(v));
  } else {
    Array& a = loc.parent->AsArray();
    ASSIGN_OR_RETURN(size_t i, IndexIn(a, loc.last, true));
    a.insert(a.begin() + static_cast<std::ptrdiff_t>(i), std::move(v));
  }
  return absl::OkStatus();
}

absl::StatusOr<Value> Remove(Value& doc, const std::vector<std::string>& tokens) {
  ASSIGN_OR_RETURN(Location loc, ParentOf(doc, tokens));
  if (loc.parent == nullptr) {
    Value old = std::move(doc);
    doc = Value();
    return old;
  }
  if (loc.parent->is_object()) {
    Value* v = loc.parent->Find(loc.last);
    if (v == nullptr) return absl::FailedPreconditionError("the path does not exist");
    Value old = std::move(*v);
    loc.parent->Erase(loc.last);
    return old;
  }
  Array& a = loc.parent->AsArray();
  ASSIGN_OR_RETURN(size_t i, IndexIn(a, loc.last, false));
  Value old = std::move(a[i]);
  a.erase(a.begin() + static_cast<std::ptrdiff_t>(i));
  return old;
}

absl::Status ApplyOne(Value& doc, const Value& op) {
  if (!op.is_object()) return absl::InvalidArgumentError("an operation must be an object");
  const Value* name = op.Find("op");
  const Value* path = op.Find("path");
  if (name == nullptr || !name->is_string()) return absl::InvalidArgumentError("missing \"op\"");
  if (path == nullptr || !path->is_string()) return absl::InvalidArgumentError("missing \"path\"");
  ASSIGN_OR_RETURN(std::vector<std::string> tokens, ParsePointer(path->AsString()));
  const std::string& o = name->AsString();
  const Value* value = op.Find("value");
  auto need_value = [&]() -> absl::Status {
    return value == nullptr ? absl::InvalidArgumentError(StrCat("\"", o, "\" needs a \"value\"")) : absl::OkStatus();
  };
  auto from_tokens = [&]() -> absl::StatusOr<std::vector<std::string>> {
    const Value* from = op.Find("from");
    if (from == nullptr || !from->is_string()) return absl::InvalidArgumentError(StrCat("\"", o, "\" needs \"from\""));
    return ParsePointer(from->AsString());
  };
  if (o == "add") {
    RETURN_IF_ERROR(need_value());
    return Add(doc, tokens, *value);
  }
  if (o == "remove") return Remove(doc, tokens).status();
  if (o == "replace") {
    RETURN_IF_ERROR(need_value());
    Value* target = Resolve(doc, tokens);
    if (target == nullptr) return absl::FailedPreconditionError("the path does not exist");
    *target = *value;
    return absl::OkStatus();
  }
  if (o == "test") {
    RETURN_IF_ERROR(need_value());
    const Value* target = Resolve(doc, tokens);
    if (target == nullptr) return absl::FailedPreconditionError("the path does not exist");
    if (!(*target == *value)) return absl::FailedPreconditionError("testing value failed");
    return absl::OkStatus();
  }
  if (o == "move") {
    ASSIGN_OR_RETURN(std::vector<std::string> from, from_tokens());
    if (tokens.size() > from.size() && std::equal(from.begin(), from.end(), tokens.begin())) {
      return absl::InvalidArgumentError("cannot move a value into one of its children");
    }
    ASSIGN_OR_RETURN(Value moved, Remove(doc, from));
    return Add(doc, tokens, std::move(moved));
  }
  if (o == "copy") {
    ASSIGN_OR_RETURN(std::vector<std::string> from, from_tokens());
    const Value* source = Resolve(doc, from);
    if (source == nullptr) return absl::FailedPreconditionError("the \"from\" path does not exist");
    Value copy = *source;
    return Add(doc, tokens, std::move(copy));
  }
  return absl::InvalidArgumentError(StrCat("unknown operation \"", o, "\""));
}

}  // namespace

absl::StatusOr<Value> ApplyJsonPatch(const Value& doc, const Value& patch) {
  if (!patch.is_array()) return absl::InvalidArgumentError("a JSON patch must be an array of operations");
  Value result = doc;
  const Array& ops = patch.AsArray();
  for (size_t i = 0; i < ops.size(); ++i) {
    absl::Status s = ApplyOne(result, ops[i]);
    if (!s.ok()) {
      std::string what = StrCat("operation ", i);
      if (const Value* op = ops[i].Find("op"); op != nullptr && op->is_string()) StrAppend(&what, " (", op->AsString(), ")");
      if (const Value* p = ops[i].Find("path"); p != nullptr && p->is_string()) StrAppend(&what, " at ", p->AsString());
      return Annotate(s, what);
    }
  }
  return result;
}

}  // namespace cubelet::json
