// Strategic merge patches (kubectl's default PATCH) over the schema table: a live object and a
// patch (the input's two halves, split by a "%%" line), typed by the object's apiVersion/kind
// (a Pod when it names none the schema has). Directives ($patch, $setElementOrder,
// $deleteFromPrimitiveList, $retainKeys) and merge keys in any combination are an error or a
// document that writes back as JSON, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input.h"
#include "json/parse.h"
#include "json/write.h"
#include "patch/strategic_merge.h"
#include "schema/schema.h"

namespace {

std::string TypeOf(const cubelet::schema::Schema& schema, const cubelet::json::Value& object) {
  cubelet::schema::GroupVersionKind gvk;
  std::string api_version = object.is_object() ? object.GetString({"apiVersion"}) : "";
  size_t slash = api_version.find('/');
  gvk.group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  gvk.version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  gvk.kind = object.is_object() ? object.GetString({"kind"}) : "";
  const cubelet::schema::StructType* type = schema.FindKind(gvk);
  return type != nullptr ? type->name : "io.k8s.api.core.v1.Pod";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace json = cubelet::json;
  const cubelet::schema::Schema& schema = cubelet::schema::Schema::BuiltIn();
  auto [original_text, patch_text] = cubelet::fuzz::SplitOnce(cubelet::fuzz::AsText(data, size));
  auto original = json::Parse(original_text);
  auto patch = json::Parse(patch_text);
  if (!original.ok() || !patch.ok()) return 0;
  auto patched = cubelet::patch::ApplyStrategicMergePatch(schema, TypeOf(schema, *original), *original, *patch);
  if (patched.ok()) {
    auto again = json::Parse(json::Write(*patched));
    CUBELET_FUZZ_CHECK(again.ok());
    CUBELET_FUZZ_CHECK(*again == *patched);
  }
  return 0;
}
