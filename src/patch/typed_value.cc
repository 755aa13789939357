#include "patch/typed_value.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/status_macros.h"
#include "common/strings.h"
#include "json/write.h"

namespace cubelet::patch {
namespace {

using schema::Kind;

constexpr int kMaxDepth = 1000;
// Objects with more members than this are indexed before they are zipped with another.
constexpr size_t kIndexThreshold = 16;

bool IsScalarKind(Kind kind) {
  return kind != Kind::kStruct && kind != Kind::kList && kind != Kind::kMap && kind != Kind::kObject &&
         kind != Kind::kAny;
}

bool IsContainer(const json::Value& v, const Position& p) {
  switch (p.shape) {
    case Shape::kStruct:
    case Shape::kMap:
    case Shape::kDeduced:
      return v.is_object();
    case Shape::kAssociativeList:
    case Shape::kSet:
      return v.is_array();
    case Shape::kLeaf:
      return false;
  }
  return false;
}

Position Deduced() {
  Position p;
  p.shape = Shape::kDeduced;
  return p;
}

std::string FieldElement(std::string_view name) { return StrCat("f:", name); }

std::string WithPath(const FieldPath& path, std::string_view message) {
  if (path.empty()) return std::string(message);
  return StrCat(FieldPathString(path), ": ", message);
}

// Looks members of one object up by key: linearly for small objects, by a hash index else.
class ObjectIndex {
 public:
  explicit ObjectIndex(const json::Value* object) : object_(object) {
    if (object_ != nullptr && object_->AsObject().size() > kIndexThreshold) {
      for (const auto& [key, value] : object_->AsObject()) index_.emplace(key, &value);
    }
  }
  const json::Value* Find(std::string_view key) const {
    if (object_ == nullptr) return nullptr;
    if (index_.empty()) return object_->Find(key);
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : it->second;
  }

 private:
  const json::Value* object_;
  std::unordered_map<std::string_view, const json::Value*> index_;
};

// The items of a list as path elements; "" for an item that has none (no keys) or repeats an
// earlier one, so such items are carried along untouched.
struct ListIndex {
  ListIndex() = default;
  ListIndex(ListIndex&&) = default;
  ListIndex(const ListIndex&) = delete;  // `first` views the strings `elements` holds

  std::vector<std::string> elements;
  std::unordered_map<std::string_view, size_t> first;
};

ListIndex IndexList(const json::Array& items, const Position& p) {
  ListIndex out;
  out.elements.reserve(items.size());
  for (const json::Value& item : items) {
    std::string element;
    if (p.shape == Shape::kSet) {
      element = ValueElement(item);
    } else if (auto keyed = KeyElement(item, p.keys); keyed.ok()) {
      element = *std::move(keyed);
    }
    out.elements.push_back(std::move(element));
  }
  for (size_t i = 0; i < out.elements.size(); ++i) {
    if (out.elements[i].empty()) continue;
    if (!out.first.emplace(out.elements[i], i).second) out.elements[i].clear();
  }
  // `first` holds views of `elements`' strings; moving the vector keeps them in place.
  return out;
}

class Walker {
 public:
  explicit Walker(const schema::Schema& schema) : schema_(schema) {}

  Position Child(const Position& p, std::string_view key) const {
    switch (p.shape) {
      case Shape::kStruct: {
        const schema::Field* field = p.struct_type->FindField(key);
        if (field == nullptr) return Deduced();
        return Describe(schema_, &field->type, field);
      }
      case Shape::kMap:
      case Shape::kAssociativeList:
      case Shape::kSet:
        return Describe(schema_, p.elem, nullptr);
      case Shape::kDeduced:
      case Shape::kLeaf:
        return Deduced();
    }
    return Position{};
  }

  absl::Status Collect(const json::Value& v, const Position& p, FieldPath& path, FieldSet* out, int depth) const {
    if (v.is_null()) return absl::OkStatus();
    if (depth > kMaxDepth) return absl::InvalidArgumentError(WithPath(path, "nested too deeply"));
    if (!IsContainer(v, p)) {
      out->Insert(path);
      return absl::OkStatus();
    }
    if (v.is_object()) {
      for (const auto& [key, child] : v.AsObject()) {
        if (child.is_null()) continue;
        path.push_back(FieldElement(key));
        RETURN_IF_ERROR(Collect(child, Child(p, key), path, out, depth + 1));
        // Map keys are members; struct fields are not (only what they hold).
        if (p.shape != Shape::kStruct) out->Insert(path);
        path.pop_back();
      }
      return absl::OkStatus();
    }
    const Position item_position = Child(p, "");
    std::unordered_set<std::string> seen;
    for (const json::Value& item : v.AsArray()) {
      std::string element;
      if (p.shape == Shape::kSet) {
        element = ValueElement(item);
      } else {
        auto keyed = KeyElement(item, p.keys);
        if (!keyed.ok()) return absl::InvalidArgumentError(WithPath(path, ToStd(keyed.status().message())));
        element = *std::move(keyed);
      }
      if (!seen.insert(element).second) {
        return absl::InvalidArgumentError(
            WithPath(path, StrCat("duplicate entries for key ", FieldPathString({element}))));
      }
      path.push_back(std::move(element));
      if (p.shape == Shape::kAssociativeList) RETURN_IF_ERROR(Collect(item, item_position, path, out, depth + 1));
      out->Insert(path);
      path.pop_back();
    }
    return absl::OkStatus();
  }

  json::Value Merge(json::Value live, const json::Value& config, const Position& p, int depth) const {
    if (config.is_null()) return live;
    if (live.is_null() || !IsContainer(live, p) || !IsContainer(config, p) || depth > kMaxDepth) return config;
    if (live.size() == 0 && config.size() == 0) return config;
    if (live.is_object()) {
      for (const auto& [key, child] : config.AsObject()) {
        if (child.is_null()) continue;
        json::Value* existing = live.Find(key);
        if (existing != nullptr) {
          *existing = Merge(std::move(*existing), child, Child(p, key), depth + 1);
        } else {
          live.AsObject().emplace_back(key, child);
        }
      }
      return live;
    }
    return MergeList(std::move(live.AsArray()), config.AsArray(), p, depth);
  }

  // Upstream's order: live's items that config does not name stay where they are; the items
  // config names follow config's order, each new one placed after the config item before it.
  json::Value MergeList(json::Array lhs, const json::Array& rhs, const Position& p, int depth) const {
    const Position item_position = Child(p, "");
    ListIndex left = IndexList(lhs, p);
    ListIndex right = IndexList(rhs, p);
    auto in_right = [&](size_t l) {
      return !left.elements[l].empty() && right.first.count(left.elements[l]) > 0;
    };
    std::vector<std::string_view> shared;
    for (const std::string& element : right.elements) {
      if (!element.empty() && left.first.count(element) > 0) shared.push_back(element);
    }
    size_t next_shared = 0;
    auto advance_shared = [&](std::string_view element) {
      if (next_shared < shared.size() && shared[next_shared] == element) ++next_shared;
    };
    json::Array out;
    out.reserve(std::max(lhs.size(), rhs.size()));
    size_t l = 0, r = 0;
    while (l < lhs.size() || r < rhs.size()) {
      if (l < lhs.size() && r < rhs.size()) {
        if (!left.elements[l].empty() && left.elements[l] == right.elements[r]) {
          out.push_back(Merge(std::move(lhs[l]), rhs[r], item_position, depth + 1));
          advance_shared(right.elements[r]);
          ++l;
          ++r;
          continue;
        }
        if (in_right(l) && next_shared < shared.size() && shared[next_shared] != left.elements[l]) {
          ++l;  // merged when config reaches it
          continue;
        }
      }
      if (l < lhs.size() && !in_right(l)) {
        out.push_back(std::move(lhs[l]));
        ++l;
        continue;
      }
      if (r < rhs.size()) {
        const std::string& element = right.elements[r];
        auto match = element.empty() ? left.first.end() : left.first.find(element);
        if (match != left.first.end()) {
          out.push_back(Merge(std::move(lhs[match->second]), rhs[r], item_position, depth + 1));
        } else {
          out.push_back(rhs[r]);
        }
        advance_shared(element);
        ++r;
        continue;
      }
      ++l;  // a live item config names, already merged
    }
    return json::Value(std::move(out));
  }

  void Compare(const json::Value* l, const json::Value* r, const Position& p, FieldPath& path, Comparison* c,
               int depth) const {
    if (l != nullptr && l->is_null()) l = nullptr;
    if (r != nullptr && r->is_null()) r = nullptr;
    if (l == nullptr && r == nullptr) return;
    const bool container = (l == nullptr || IsContainer(*l, p)) && (r == nullptr || IsContainer(*r, p));
    const bool empty = (l == nullptr || l->size() == 0) && (r == nullptr || r->size() == 0);
    if (!container || empty || depth > kMaxDepth) {
      if (l == nullptr) {
        c->added.Insert(path);
      } else if (r == nullptr) {
        c->removed.Insert(path);
      } else if (!(*l == *r)) {
        c->modified.Insert(path);
      }
      return;
    }
    if ((l != nullptr ? l : r)->is_object()) {
      ObjectIndex left(l), right(r);
      if (l != nullptr) {
        for (const auto& [key, child] : l->AsObject()) {
          path.push_back(FieldElement(key));
          Compare(&child, right.Find(key), Child(p, key), path, c, depth + 1);
          path.pop_back();
        }
      }
      if (r != nullptr) {
        for (const auto& [key, child] : r->AsObject()) {
          if (left.Find(key) != nullptr) continue;
          path.push_back(FieldElement(key));
          Compare(nullptr, &child, Child(p, key), path, c, depth + 1);
          path.pop_back();
        }
      }
    } else {
      const Position item_position = Child(p, "");
      static const json::Array kNone;
      const json::Array& la = l != nullptr ? l->AsArray() : kNone;
      const json::Array& ra = r != nullptr ? r->AsArray() : kNone;
      ListIndex left = IndexList(la, p);
      ListIndex right = IndexList(ra, p);
      for (size_t i = 0; i < la.size(); ++i) {
        if (left.elements[i].empty()) continue;
        auto match = right.first.find(left.elements[i]);
        path.push_back(left.elements[i]);
        Compare(&la[i], match == right.first.end() ? nullptr : &ra[match->second], item_position, path, c,
                depth + 1);
        path.pop_back();
      }
      for (size_t i = 0; i < ra.size(); ++i) {
        if (right.elements[i].empty() || left.first.count(right.elements[i]) > 0) continue;
        path.push_back(right.elements[i]);
        Compare(nullptr, &ra[i], item_position, path, c, depth + 1);
        path.pop_back();
      }
    }
    if (!path.empty()) {
      if (l == nullptr) c->added.Insert(path);
      if (r == nullptr) c->removed.Insert(path);
    }
  }

  // True when `v` is a map or list that lost its last member here.
  // `item_keys`: the key fields of the associative list item `v` is, which stay while it does.
  bool Prune(json::Value* v, const FieldSet& remove, const FieldSet* keep, const Position& p, int depth,
             std::span<const std::string> item_keys = {}) const {
    if (!IsContainer(*v, p) || depth > kMaxDepth) return false;
    bool removed_any = false;
    auto should_drop = [&](std::string_view element, json::Value* child, const Position& child_position,
                           std::span<const std::string> child_keys) {
      const FieldSet* rc = remove.Child(element);
      if (rc == nullptr) return false;
      const FieldSet* kc = keep != nullptr ? keep->Child(element) : nullptr;
      // Kept sets hold no empty nodes: a node in `keep` means someone owns it or a path below it.
      if (rc->member() && kc == nullptr) return true;
      return Prune(child, *rc, kc, child_position, depth + 1, child_keys);
    };
    if (v->is_object()) {
      json::Object& object = v->AsObject();
      for (auto it = object.begin(); it != object.end();) {
        const bool is_key = std::find(item_keys.begin(), item_keys.end(), it->first) != item_keys.end();
        if (!is_key && should_drop(FieldElement(it->first), &it->second, Child(p, it->first), {})) {
          it = object.erase(it);
          removed_any = true;
        } else {
          ++it;
        }
      }
      return removed_any && object.empty() && p.shape != Shape::kStruct;
    }
    const Position item_position = Child(p, "");
    json::Array& items = v->AsArray();
    ListIndex index = IndexList(items, p);
    json::Array kept;
    kept.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      if (!index.elements[i].empty() && should_drop(index.elements[i], &items[i], item_position, p.keys)) {
        removed_any = true;
      } else {
        kept.push_back(std::move(items[i]));
      }
    }
    items = std::move(kept);
    return removed_any && items.empty();
  }

 private:
  const schema::Schema& schema_;
};

}  // namespace

Position Describe(const schema::Schema& schema, const schema::TypeRef* type, const schema::Field* field) {
  Position p;
  if (type == nullptr) {
    p.shape = Shape::kDeduced;
    return p;
  }
  const bool atomic = field != nullptr && field->list_type == schema::ListType::kAtomic;
  switch (type->kind) {
    case Kind::kStruct: {
      const schema::StructType* st = schema.Find(type->name);
      if (st == nullptr) {
        p.shape = Shape::kDeduced;
      } else if (!st->atomic && !atomic) {
        p.shape = Shape::kStruct;
        p.struct_type = st;
      }
      return p;
    }
    case Kind::kMap:
      if (!atomic) {
        p.shape = Shape::kMap;
        p.elem = type->elem.get();
      }
      return p;
    case Kind::kList: {
      p.elem = type->elem.get();
      if (field == nullptr || p.elem == nullptr) return p;
      const bool merge = field->patch_strategy.find("merge") != std::string::npos;
      const bool struct_items = p.elem->kind == Kind::kStruct;
      switch (field->list_type) {
        case schema::ListType::kAtomic:
          return p;
        case schema::ListType::kSet:
          p.shape = Shape::kSet;
          return p;
        case schema::ListType::kMap:
          if (!field->list_map_keys.empty()) {
            p.keys = field->list_map_keys;
          } else if (!field->patch_merge_key.empty()) {
            p.keys = std::span<const std::string>(&field->patch_merge_key, 1);
          } else {
            return p;
          }
          p.shape = Shape::kAssociativeList;
          return p;
        case schema::ListType::kUnset:
          if (merge && struct_items && !field->patch_merge_key.empty()) {
            p.shape = Shape::kAssociativeList;
            p.keys = std::span<const std::string>(&field->patch_merge_key, 1);
          } else if (merge && IsScalarKind(p.elem->kind)) {
            p.shape = Shape::kSet;
          }
          return p;
      }
      return p;
    }
    case Kind::kObject:
    case Kind::kAny:
      p.shape = Shape::kDeduced;
      return p;
    default:
      return p;
  }
}

Position DescribeRoot(const schema::Schema& schema, std::string_view type_name) {
  const schema::StructType* st = schema.Find(type_name);
  if (st == nullptr) return Deduced();
  Position p;
  p.shape = Shape::kStruct;
  p.struct_type = st;
  return p;
}

absl::StatusOr<PathElement> KeyElement(const json::Value& item, std::span<const std::string> keys) {
  if (!item.is_object()) {
    return absl::InvalidArgumentError(
        StrCat("expected an object as an item of an associative list, got ", json::TypeName(item.type())));
  }
  std::vector<const std::string*> sorted;
  for (const std::string& key : keys) sorted.push_back(&key);
  std::sort(sorted.begin(), sorted.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  json::Value object = json::Value::EmptyObject();
  for (const std::string* key : sorted) {
    const json::Value* value = item.Find(*key);
    if (value == nullptr || value->is_null()) {
      if (*key != "protocol") {
        return absl::InvalidArgumentError(StrCat("associative list with keys has an element that omits key field \"",
                                                 *key, "\" (and doesn't have default value)"));
      }
      object.AsObject().emplace_back(*key, json::Value("TCP"));
      continue;
    }
    object.AsObject().emplace_back(*key, *value);
  }
  return StrCat("k:", json::Write(object));
}

PathElement ValueElement(const json::Value& item) { return StrCat("v:", json::Write(item)); }

absl::StatusOr<FieldSet> TypedValues::ToFieldSet(const json::Value& config) const {
  FieldSet out;
  FieldPath path;
  RETURN_IF_ERROR(Walker(schema_).Collect(config, root_, path, &out, 0));
  return out;
}

json::Value TypedValues::Merge(json::Value live, const json::Value& config) const {
  return Walker(schema_).Merge(std::move(live), config, root_, 0);
}

Comparison TypedValues::Compare(const json::Value& before, const json::Value& after) const {
  Comparison out;
  FieldPath path;
  Walker(schema_).Compare(&before, &after, root_, path, &out, 0);
  return out;
}

void TypedValues::Prune(json::Value* value, const FieldSet& remove, const FieldSet& keep) const {
  Walker(schema_).Prune(value, remove, &keep, root_, 0);
}

}  // namespace cubelet::patch
