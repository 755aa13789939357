#include "schema/schema.h"

#include <cstdio>
#include <cstdlib>

#include "common/strings.h"
#include "schema/internal/embedded.h"

namespace cubelet::schema {
namespace {

// "io.k8s.api.core.v1.Container" -> "v1.Container": Go names a type by its package's last
// path element and the type name.
std::string GoStructName(std::string_view qualified) {
  size_t last = qualified.rfind('.');
  if (last == std::string_view::npos) return std::string(qualified);
  size_t package_start = qualified.rfind('.', last - 1);
  return std::string(package_start == std::string_view::npos ? qualified : qualified.substr(package_start + 1));
}

}  // namespace

const Field* StructType::FindField(std::string_view field_name) const {
  // Linear: structs have at most a few dozen fields, and comparing sizes first makes most
  // comparisons one integer compare; a hash map would cost more than it saves at this size.
  for (const Field& f : fields) {
    if (f.name.size() == field_name.size() && f.name == field_name) return &f;
  }
  return nullptr;
}

const StructType* Schema::Find(std::string_view qualified_name) const {
  auto it = types_.find(qualified_name);
  return it == types_.end() ? nullptr : &it->second;
}

const StructType* Schema::FindKind(const GroupVersionKind& gvk) const {
  for (const auto& [name, type] : types_) {
    for (const GroupVersionKind& g : type.gvks) {
      if (g == gvk) return &type;
    }
  }
  return nullptr;
}

const Schema& Schema::BuiltIn() {
  static const Schema* const schema = [] {
    auto parsed = Parse(internal::EmbeddedSchemaTexts());
    if (!parsed.ok()) {
      // The tables are our own data, checked by a unit test: a parse error is a broken build.
      std::fprintf(stderr, "built-in schema does not parse:\n%s\n", std::string(parsed.status().message()).c_str());
      std::abort();
    }
    return new Schema(std::move(*parsed));
  }();
  return *schema;
}

std::string GoTypeName(const TypeRef& type) {
  switch (type.kind) {
    case Kind::kString: return "string";
    case Kind::kInt32: return "int32";
    case Kind::kInt64: return "int64";
    case Kind::kFloat64: return "float64";
    case Kind::kBoolean: return "bool";
    case Kind::kBytes: return "[]uint8";
    case Kind::kTime: return "v1.Time";
    case Kind::kMicroTime: return "v1.MicroTime";
    case Kind::kQuantity: return "resource.Quantity";
    case Kind::kIntOrString: return "intstr.IntOrString";
    case Kind::kObject: return "map[string]interface {}";
    case Kind::kAny: return "interface {}";
    case Kind::kStruct: return GoStructName(type.name);
    case Kind::kList: return StrCat("[]", type.elem ? GoTypeName(*type.elem) : "?");
    case Kind::kMap: return StrCat("map[string]", type.elem ? GoTypeName(*type.elem) : "?");
  }
  return "?";
}

}  // namespace cubelet::schema
