#include "patch/field_set.h"

#include <charconv>
#include <cstdint>

#include "common/status_macros.h"
#include "common/strings.h"
#include "json/parse.h"
#include "json/write.h"

namespace cubelet::patch {
namespace {

int KindRank(std::string_view element) {
  if (element.size() < 2 || element[1] != ':') return 4;
  switch (element[0]) {
    case 'f': return 0;
    case 'k': return 1;
    case 'v': return 2;
    case 'i': return 3;
    default: return 4;
  }
}

// A scalar as upstream's value.ToString prints it: strings quoted, the rest as JSON.
void AppendValue(const json::Value& v, std::string* out) {
  if (v.is_string()) {
    json::WriteString(v.AsString(), out);
  } else {
    json::WriteTo(v, out);
  }
}

void ForEachMemberImpl(const FieldSet& set, FieldPath& path,
                       const std::function<void(const FieldPath&)>& fn) {
  for (const auto& [element, child] : set.children()) {
    path.push_back(element);
    if (child.member()) fn(path);
    ForEachMemberImpl(child, path, fn);
    path.pop_back();
  }
}

void WriteFieldsV1(const FieldSet& set, json::Value* out) {
  json::Object& object = out->AsObject();
  for (const auto& [element, child] : set.children()) {
    json::Value value = json::Value::EmptyObject();
    if (!child.children().empty()) {
      WriteFieldsV1(child, &value);
      if (child.member()) value.AsObject().emplace_back(".", json::Value::EmptyObject());
    }
    object.emplace_back(element, std::move(value));
  }
}

absl::Status CheckPathElement(std::string_view element) {
  if (KindRank(element) > 3) {
    return absl::InvalidArgumentError(StrCat("unknown path element \"", element, "\""));
  }
  std::string_view rest = element.substr(2);
  switch (element[0]) {
    case 'f':
      return absl::OkStatus();
    case 'i': {
      int64_t index = 0;
      auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
      if (rest.empty() || ec != std::errc() || end != rest.data() + rest.size() || index < 0) {
        return absl::InvalidArgumentError(StrCat("bad index in path element \"", element, "\""));
      }
      return absl::OkStatus();
    }
    default: {
      auto parsed = json::Parse(rest);
      if (!parsed.ok() || (element[0] == 'k' && !parsed->is_object())) {
        return absl::InvalidArgumentError(StrCat("bad value in path element \"", element, "\""));
      }
      return absl::OkStatus();
    }
  }
}

}  // namespace

bool PathElementLess::operator()(std::string_view a, std::string_view b) const {
  int ra = KindRank(a), rb = KindRank(b);
  if (ra != rb) return ra < rb;
  if (ra == 3) {
    int64_t ia = 0, ib = 0;
    std::from_chars(a.data() + 2, a.data() + a.size(), ia);
    std::from_chars(b.data() + 2, b.data() + b.size(), ib);
    if (ia != ib) return ia < ib;
  }
  return a < b;
}

std::string FieldPathString(const FieldPath& path) {
  std::string out;
  for (const PathElement& element : path) {
    std::string_view rest = std::string_view(element).substr(element.size() >= 2 ? 2 : 0);
    switch (KindRank(element)) {
      case 0:
        StrAppend(&out, ".", rest);
        break;
      case 1: {
        auto keys = json::Parse(rest);
        out.push_back('[');
        if (keys.ok() && keys->is_object()) {
          bool first = true;
          for (const auto& [name, value] : keys->AsObject()) {
            if (!first) out.push_back(',');
            first = false;
            StrAppend(&out, name, "=");
            AppendValue(value, &out);
          }
        }
        out.push_back(']');
        break;
      }
      case 2: {
        auto value = json::Parse(rest);
        out.append("[=");
        if (value.ok()) AppendValue(*value, &out);
        out.push_back(']');
        break;
      }
      case 3:
        StrAppend(&out, "[", rest, "]");
        break;
      default:
        StrAppend(&out, ".", element);
    }
  }
  return out;
}

void FieldSet::Insert(const FieldPath& path) {
  FieldSet* node = this;
  for (const PathElement& element : path) node = &node->children_[element];
  if (!path.empty()) node->member_ = true;
}

bool FieldSet::Has(const FieldPath& path) const {
  const FieldSet* node = this;
  for (const PathElement& element : path) {
    node = node->Child(element);
    if (node == nullptr) return false;
  }
  return !path.empty() && node->member_;
}

const FieldSet* FieldSet::Child(std::string_view element) const {
  auto it = children_.find(element);
  return it == children_.end() ? nullptr : &it->second;
}

void FieldSet::UnionWith(const FieldSet& other) {
  member_ = member_ || other.member_;
  for (const auto& [element, child] : other.children_) children_[element].UnionWith(child);
}

void FieldSet::Subtract(const FieldSet& other) {
  if (other.member_) member_ = false;
  for (auto it = children_.begin(); it != children_.end();) {
    const FieldSet* theirs = other.Child(it->first);
    if (theirs != nullptr) it->second.Subtract(*theirs);
    if (!it->second.member_ && it->second.children_.empty()) {
      it = children_.erase(it);
    } else {
      ++it;
    }
  }
}

FieldSet FieldSet::Intersection(const FieldSet& other) const {
  FieldSet out;
  out.member_ = member_ && other.member_;
  for (const auto& [element, child] : children_) {
    const FieldSet* theirs = other.Child(element);
    if (theirs == nullptr) continue;
    FieldSet both = child.Intersection(*theirs);
    if (both.member_ || !both.children_.empty()) out.children_.emplace(element, std::move(both));
  }
  return out;
}

void FieldSet::RemoveTree(const FieldPath& path) {
  if (path.empty()) return;
  std::vector<FieldSet*> nodes{this};
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    auto it = nodes.back()->children_.find(path[i]);
    if (it == nodes.back()->children_.end()) return;
    nodes.push_back(&it->second);
  }
  nodes.back()->children_.erase(path.back());
  // Drop the nodes left with no member below them.
  for (size_t i = nodes.size() - 1; i > 0; --i) {
    FieldSet* node = nodes[i];
    if (node->member_ || !node->children_.empty()) break;
    nodes[i - 1]->children_.erase(path[i - 1]);
  }
}

void FieldSet::RemoveMember(const FieldPath& path) {
  if (path.empty()) return;
  std::vector<FieldSet*> nodes{this};
  for (const PathElement& element : path) {
    auto it = nodes.back()->children_.find(element);
    if (it == nodes.back()->children_.end()) return;
    nodes.push_back(&it->second);
  }
  nodes.back()->member_ = false;
  for (size_t i = nodes.size() - 1; i > 0; --i) {
    FieldSet* node = nodes[i];
    if (node->member_ || !node->children_.empty()) break;
    nodes[i - 1]->children_.erase(path[i - 1]);
  }
}

void FieldSet::ForEachMember(const std::function<void(const FieldPath&)>& fn) const {
  FieldPath path;
  ForEachMemberImpl(*this, path, fn);
}

bool FieldSet::operator==(const FieldSet& other) const {
  if (member_ != other.member_ || children_.size() != other.children_.size()) return false;
  auto a = children_.begin();
  auto b = other.children_.begin();
  for (; a != children_.end(); ++a, ++b) {
    if (a->first != b->first || !(a->second == b->second)) return false;
  }
  return true;
}

absl::Status FieldSet::Read(const json::Value& fields, FieldSet* out, std::string& where) {
  if (!fields.is_object()) {
    return absl::InvalidArgumentError(StrCat("fieldsV1", where, ": expected an object"));
  }
  if (fields.AsObject().empty()) out->member_ = true;
  for (const auto& [key, value] : fields.AsObject()) {
    if (key == ".") {
      out->member_ = true;
      continue;
    }
    size_t mark = where.size();
    StrAppend(&where, "[", key, "]");
    absl::Status checked = CheckPathElement(key);
    if (!checked.ok()) return Annotate(checked, StrCat("fieldsV1", where));
    FieldSet child;
    RETURN_IF_ERROR(Read(value, &child, where));
    where.resize(mark);
    if (child.member_ || !child.children_.empty()) out->children_[key].UnionWith(child);
  }
  return absl::OkStatus();
}

absl::StatusOr<FieldSet> FieldSet::FromFieldsV1(const json::Value& fields) {
  FieldSet out;
  std::string where;
  RETURN_IF_ERROR(Read(fields, &out, where));
  out.member_ = false;
  return out;
}

json::Value FieldSet::ToFieldsV1() const {
  json::Value out = json::Value::EmptyObject();
  WriteFieldsV1(*this, &out);
  return out;
}

}  // namespace cubelet::patch
