#include "patch/strategic_merge.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/status_macros.h"
#include "common/strings.h"
#include "json/merge_patch.h"
#include "json/write.h"

namespace cubelet::patch {
namespace {

using schema::Kind;

constexpr std::string_view kDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";
// Typed values nest only as deep as the schema; this bounds recursion for hostile patches too.
constexpr int kMaxDepth = 1000;

bool HasPrefix(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool IsDirectiveKey(std::string_view key) {
  return key == kDirective || key == kRetainKeys || HasPrefix(key, kSetElementOrder) ||
         HasPrefix(key, kDeleteFromPrimitiveList);
}

bool Contains(const std::string& strategy, std::string_view word) {
  return strategy.find(word) != std::string::npos;
}

// The keys a patch applies to: a struct's fields, or a map's entries (both null: free-form).
struct ObjectType {
  const schema::StructType* struct_type = nullptr;
  const schema::TypeRef* map_elem = nullptr;
};

// A path for error messages: "spec.containers[1].ports".
class Path {
 public:
  explicit Path(std::string& text) : text_(text), mark_(text.size()) {}
  Path(std::string& text, std::string_view field) : Path(text) {
    StrAppend(&text_, text_.empty() ? "" : ".", field);
  }
  Path(std::string& text, size_t index) : Path(text) { StrAppend(&text_, "[", index, "]"); }
  ~Path() { text_.resize(mark_); }
  Path(const Path&) = delete;
  Path& operator=(const Path&) = delete;

 private:
  std::string& text_;
  size_t mark_;
};

absl::Status Invalid(const std::string& path, std::string_view message) {
  if (path.empty()) return absl::InvalidArgumentError(std::string(message));
  return absl::InvalidArgumentError(StrCat(path, ": ", message));
}

json::Value WithoutMember(const json::Value& object, std::string_view key) {
  json::Value out = json::Value::EmptyObject();
  for (const auto& [k, v] : object.AsObject()) {
    if (k != key) out.AsObject().emplace_back(k, v);
  }
  return out;
}

// A list item's identity for ordering and matching: its merge key's value, or the item itself.
const json::Value* Identity(const json::Value& item, const std::string& merge_key) {
  if (merge_key.empty()) return &item;
  const json::Value* key = item.Find(merge_key);
  return key != nullptr && !key->is_null() ? key : nullptr;
}

// The identity as text, for hashing; "" for an item without its merge key.
std::string IdentityText(const json::Value& item, const std::string& merge_key) {
  const json::Value* id = merge_key.empty() ? &item : (item.is_object() ? Identity(item, merge_key) : nullptr);
  return id != nullptr ? json::Write(*id) : std::string();
}

class Merger {
 public:
  explicit Merger(const schema::Schema& schema) : schema_(schema) {}

  absl::StatusOr<json::Value> MergeObject(json::Value original, const json::Value& patch, ObjectType type,
                                          std::string& path, int depth) const {
    if (depth > kMaxDepth) return Invalid(path, "the patch is nested too deeply");
    if (!original.is_object()) original = json::Value::EmptyObject();
    const json::Value* body = &patch;
    json::Value stripped;
    if (const json::Value* directive = patch.Find(kDirective); directive != nullptr) {
      if (!directive->is_string()) {
        return Invalid(path, StrCat("invalid value for $patch: ", json::Write(*directive)));
      }
      const std::string& d = directive->AsString();
      if (d == "delete") return json::Value::EmptyObject();
      if (d != "replace" && d != "merge") return Invalid(path, StrCat("unknown patch type: ", d, " in map"));
      stripped = WithoutMember(patch, kDirective);
      if (d == "replace") return MergeObject(json::Value::EmptyObject(), stripped, type, path, depth + 1);
      body = &stripped;
    }
    RETURN_IF_ERROR(RetainKeys(&original, *body, path));

    // Lists reordered by $setElementOrder note their order before the merge: items the order
    // does not name keep their places relative to it.
    struct Order {
      std::string field;
      std::string merge_key;
      const json::Value* order;
      std::vector<std::string> before;  // identities, in the original's order
    };
    std::vector<Order> orders;
    for (const auto& [key, value] : body->AsObject()) {
      if (!HasPrefix(key, kSetElementOrder)) continue;
      Order order{.field = key.substr(kSetElementOrder.size()), .merge_key = "", .order = &value, .before = {}};
      Path at(path, key);
      RETURN_IF_ERROR(CheckListDirective(type, order.field, value, path));
      const schema::Field* field = type.struct_type != nullptr ? type.struct_type->FindField(order.field) : nullptr;
      if (field != nullptr) order.merge_key = field->patch_merge_key;
      if (const json::Value* list = original.Find(order.field); list != nullptr && list->is_array()) {
        for (const json::Value& item : list->AsArray()) order.before.push_back(IdentityText(item, order.merge_key));
      }
      orders.push_back(std::move(order));
    }

    for (const auto& [key, value] : body->AsObject()) {
      if (IsDirectiveKey(key)) continue;
      if (value.is_null()) {
        original.Erase(key);
        continue;
      }
      Path at(path, key);
      json::Value* existing = original.Find(key);
      json::Value current = existing != nullptr ? std::move(*existing) : json::Value();
      json::Value merged;
      const schema::Field* field = nullptr;
      const schema::TypeRef* field_type = type.map_elem;
      if (type.struct_type != nullptr) {
        field = type.struct_type->FindField(key);
        field_type = field != nullptr ? &field->type : nullptr;
      }
      if (field_type == nullptr) {
        // Unknown fields (reported by decoding) and free-form objects: a JSON merge patch.
        merged = json::ApplyMergePatch(current, value);
      } else {
        ASSIGN_OR_RETURN(merged, MergeField(std::move(current), value, *field_type, field, path, depth + 1));
      }
      if (existing != nullptr) {
        *existing = std::move(merged);
      } else {
        original.AsObject().emplace_back(key, std::move(merged));
      }
    }

    for (const auto& [key, value] : body->AsObject()) {
      if (!HasPrefix(key, kDeleteFromPrimitiveList)) continue;
      const std::string field = key.substr(kDeleteFromPrimitiveList.size());
      Path at(path, key);
      RETURN_IF_ERROR(CheckListDirective(type, field, value, path));
      json::Value* list = original.Find(field);
      if (list == nullptr || !list->is_array()) continue;
      // A named reference: clang before 16 cannot capture a structured binding.
      const json::Array& removed = value.AsArray();
      std::erase_if(list->AsArray(), [&](const json::Value& item) {
        return std::any_of(removed.begin(), removed.end(), [&](const json::Value& gone) { return gone == item; });
      });
    }

    for (const Order& order : orders) {
      json::Value* list = original.Find(order.field);
      if (list == nullptr || !list->is_array()) continue;
      Path at(path, order.field);
      const json::Value* patch_list = body->Find(order.field);
      static const json::Array kNone;
      RETURN_IF_ERROR(Reorder(&list->AsArray(), order.order->AsArray(), order.before,
                              patch_list != nullptr && patch_list->is_array() ? patch_list->AsArray() : kNone,
                              order.merge_key, order.field, path));
    }
    return original;
  }

 private:
  absl::StatusOr<json::Value> MergeField(json::Value current, const json::Value& patch, const schema::TypeRef& type,
                                         const schema::Field* field, std::string& path, int depth) const {
    const bool replace = field != nullptr && Contains(field->patch_strategy, "replace");
    switch (type.kind) {
      case Kind::kStruct:
      case Kind::kMap: {
        if (!patch.is_object()) {
          return Invalid(path, StrCat("expected an object, got ", json::TypeName(patch.type())));
        }
        ObjectType inner;
        if (type.kind == Kind::kStruct) {
          inner.struct_type = schema_.Find(type.name);
        } else {
          inner.map_elem = type.elem.get();
        }
        if (replace) current = json::Value::EmptyObject();
        return MergeObject(std::move(current), patch, inner, path, depth);
      }
      case Kind::kList: {
        if (!patch.is_array()) return Invalid(path, StrCat("expected a list, got ", json::TypeName(patch.type())));
        if (field == nullptr || !Contains(field->patch_strategy, "merge") || type.elem == nullptr) return patch;
        json::Array items = current.is_array() ? std::move(current.AsArray()) : json::Array();
        return MergeList(std::move(items), patch.AsArray(), *type.elem, field->patch_merge_key, path, depth);
      }
      case Kind::kObject:
      case Kind::kAny:
        return json::ApplyMergePatch(current, patch);
      default:
        return patch;
    }
  }

  absl::StatusOr<json::Value> MergeList(json::Array original, const json::Array& patch, const schema::TypeRef& elem,
                                        const std::string& merge_key, std::string& path, int depth) const {
    if (elem.kind != Kind::kStruct && merge_key.empty()) {
      // A set of scalars: the union, original items first.
      std::unordered_set<std::string> seen;
      json::Array out;
      out.reserve(original.size() + patch.size());
      for (json::Value& item : original) {
        if (seen.insert(json::Write(item)).second) out.push_back(std::move(item));
      }
      for (const json::Value& item : patch) {
        if (seen.insert(json::Write(item)).second) out.push_back(item);
      }
      return json::Value(std::move(out));
    }
    if (merge_key.empty()) return Invalid(path, "cannot merge a list of objects without a merge key");
    const ObjectType item_type{.struct_type = elem.kind == Kind::kStruct ? schema_.Find(elem.name) : nullptr};

    bool replace = false;
    std::vector<const json::Value*> regular;
    for (size_t i = 0; i < patch.size(); ++i) {
      const json::Value& item = patch[i];
      Path at(path, i);
      if (!item.is_object()) {
        return Invalid(path, StrCat("expected an object in a list merged by \"", merge_key, "\", got ",
                                    json::TypeName(item.type())));
      }
      const json::Value* directive = item.Find(kDirective);
      if (directive == nullptr) {
        regular.push_back(&item);
        continue;
      }
      if (!directive->is_string()) return Invalid(path, StrCat("invalid value for $patch: ", json::Write(*directive)));
      const std::string& d = directive->AsString();
      if (d == "replace") {
        replace = true;
      } else if (d == "delete") {
        const json::Value* key = Identity(item, merge_key);
        if (key == nullptr) return Invalid(path, NoMergeKey(item, merge_key));
        std::erase_if(original, [&](const json::Value& o) {
          const json::Value* k = o.is_object() ? Identity(o, merge_key) : nullptr;
          return k != nullptr && *k == *key;
        });
      } else if (d == "merge") {
        return Invalid(path, "merging lists cannot yet be specified in the patch");
      } else {
        return Invalid(path, StrCat("unknown patch type: ", d, " in list"));
      }
    }
    if (replace) {
      json::Array out;
      for (size_t i = 0; i < regular.size(); ++i) {
        Path at(path, i);
        ASSIGN_OR_RETURN(json::Value item, MergeObject(json::Value::EmptyObject(), *regular[i], item_type, path, depth + 1));
        out.push_back(std::move(item));
      }
      return json::Value(std::move(out));
    }

    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < original.size(); ++i) {
      const json::Value* key = original[i].is_object() ? Identity(original[i], merge_key) : nullptr;
      if (key != nullptr) index.emplace(json::Write(*key), i);
    }
    for (size_t i = 0; i < regular.size(); ++i) {
      const json::Value& item = *regular[i];
      const json::Value* key = Identity(item, merge_key);
      if (key == nullptr) {
        Path at(path, i);
        return Invalid(path, NoMergeKey(item, merge_key));
      }
      auto [it, added] = index.emplace(json::Write(*key), original.size());
      Path at(path, it->second);
      if (added) {
        ASSIGN_OR_RETURN(json::Value merged, MergeObject(json::Value::EmptyObject(), item, item_type, path, depth + 1));
        original.push_back(std::move(merged));
      } else {
        ASSIGN_OR_RETURN(original[it->second],
                         MergeObject(std::move(original[it->second]), item, item_type, path, depth + 1));
      }
    }
    return json::Value(std::move(original));
  }

  static std::string NoMergeKey(const json::Value& item, const std::string& merge_key) {
    return StrCat("map: ", json::Write(item), " does not contain declared merge key: ", merge_key);
  }

  // $setElementOrder/<field> and $deleteFromPrimitiveList/<field> name a list field and hold a list.
  static absl::Status CheckListDirective(const ObjectType& type, const std::string& field, const json::Value& value,
                                         const std::string& path) {
    if (type.struct_type != nullptr && type.struct_type->FindField(field) == nullptr) {
      return Invalid(path, StrCat("unknown field \"", field, "\""));
    }
    if (!value.is_array()) return Invalid(path, StrCat("expected a list, got ", json::TypeName(value.type())));
    return absl::OkStatus();
  }

  // $retainKeys: the original keeps only the listed fields; the patch may set no others.
  static absl::Status RetainKeys(json::Value* original, const json::Value& patch, std::string& path) {
    const json::Value* retain = patch.Find(kRetainKeys);
    if (retain == nullptr) return absl::OkStatus();
    Path at(path, kRetainKeys);
    if (!retain->is_array()) return Invalid(path, "expected a list of field names");
    std::unordered_set<std::string_view> keep;
    for (const json::Value& name : retain->AsArray()) {
      if (!name.is_string()) return Invalid(path, "expected a list of field names");
      keep.insert(name.AsString());
    }
    for (const auto& [key, value] : patch.AsObject()) {
      if (value.is_null() || IsDirectiveKey(key)) continue;
      if (keep.count(key) == 0) return Invalid(path, StrCat("the patch sets field \"", key, "\" that is not listed"));
    }
    std::erase_if(original->AsObject(), [&](const json::Member& m) { return keep.count(m.first) == 0; });
    return absl::OkStatus();
  }

  // Orders `list` (after the merge) by $setElementOrder: the items `order` names come in its
  // order; the others keep their places relative to them as they stood in `before` (upstream's
  // normalizeElementOrder). The patch's own items must appear in `order`, in the same order.
  static absl::Status Reorder(json::Array* list, const json::Array& order, const std::vector<std::string>& before,
                              const json::Array& patch_list, const std::string& merge_key, const std::string& field,
                              std::string& path) {
    auto identity_text = [&](const json::Value& item) { return IdentityText(item, merge_key); };
    std::unordered_map<std::string, size_t> order_index;
    for (size_t i = 0; i < order.size(); ++i) {
      std::string id = identity_text(order[i]);
      if (id.empty()) {
        return Invalid(path, StrCat("$setElementOrder/", field, "[", i, "] has no merge key ", merge_key));
      }
      order_index.emplace(std::move(id), i);
    }
    // The patch's items form a subsequence of the order.
    size_t next = 0;
    for (const json::Value& item : patch_list) {
      if (item.is_object() && item.Find(kDirective) != nullptr) continue;
      auto it = order_index.find(identity_text(item));
      if (it == order_index.end() || it->second < next) {
        return Invalid(path, StrCat("the order of the patch list does not match $setElementOrder/", field));
      }
      next = it->second + 1;
    }
    std::unordered_map<std::string_view, size_t> before_index;
    for (size_t i = 0; i < before.size(); ++i) {
      if (!before[i].empty()) before_index.emplace(before[i], i);
    }

    std::vector<std::pair<size_t, json::Value>> named;
    json::Array others;
    for (json::Value& item : *list) {
      auto it = order_index.find(identity_text(item));
      if (it != order_index.end()) {
        named.emplace_back(it->second, std::move(item));
      } else {
        others.push_back(std::move(item));
      }
    }
    std::stable_sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    auto position_before = [&](const json::Value& item) -> long {
      auto it = before_index.find(identity_text(item));
      return it == before_index.end() ? -1 : static_cast<long>(it->second);
    };
    json::Array out;
    out.reserve(named.size() + others.size());
    size_t i = 0, j = 0;
    while (i < others.size() || j < named.size()) {
      bool take_other = j == named.size();
      if (!take_other && i < others.size()) {
        long left = position_before(others[i]);
        long right = position_before(named[j].second);
        take_other = left >= 0 && right >= 0 && left < right;
      }
      if (take_other) {
        out.push_back(std::move(others[i++]));
      } else {
        out.push_back(std::move(named[j++].second));
      }
    }
    *list = std::move(out);
    return absl::OkStatus();
  }

  const schema::Schema& schema_;
};

}  // namespace

absl::StatusOr<json::Value> ApplyStrategicMergePatch(const schema::Schema& schema, std::string_view type_name,
                                                     const json::Value& original, const json::Value& patch) {
  if (!patch.is_object()) {
    return absl::InvalidArgumentError(
        StrCat("a strategic merge patch must be a JSON object, got ", json::TypeName(patch.type())));
  }
  const schema::StructType* type = schema.Find(type_name);
  if (type == nullptr) return absl::InvalidArgumentError(StrCat("no schema for type ", type_name));
  std::string path;
  return Merger(schema).MergeObject(original, patch, ObjectType{.struct_type = type}, path, 0);
}

}  // namespace cubelet::patch
