#include "schema/openapi.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/write.h"
#include "schema/test_schema.h"

namespace cubelet::schema {
namespace {

using ::testing::ElementsAre;
using testing::TestSchema;

json::Value Json(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << " in " << text;
  return v.ok() ? std::move(*v) : json::Value();
}

json::Value PodComponents() {
  auto schemas = ComponentSchemas(TestSchema(), {"io.k8s.api.core.v1.Pod"});
  EXPECT_TRUE(schemas.ok()) << schemas.status();
  return schemas.ok() ? std::move(*schemas) : json::Value();
}

std::vector<std::string> Keys(const json::Value& object) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : object.AsObject()) keys.push_back(k);
  return keys;
}

TEST(OpenApiTest, IncludesEveryReferencedTypeSortedAndNothingElse) {
  json::Value schemas = PodComponents();
  EXPECT_THAT(Keys(schemas),
              ElementsAre("io.k8s.api.core.v1.Container", "io.k8s.api.core.v1.ContainerPort", "io.k8s.api.core.v1.Pod",
                          "io.k8s.api.core.v1.PodSpec", "io.k8s.api.core.v1.Probe",
                          "io.k8s.apimachinery.pkg.api.resource.Quantity",
                          "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
                          "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                          "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
                          "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
                          "io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
}

TEST(OpenApiTest, KindCarriesGroupVersionKindAndTypeMeta) {
  json::Value pod = *PodComponents().Find("io.k8s.api.core.v1.Pod");
  EXPECT_EQ(pod, Json(R"({
    "description": "Pod is a collection of containers.",
    "type": "object",
    "properties": {
      "apiVersion": {"type": "string", "description": ")" +
                      TestSchema().Find("io.k8s.api.core.v1.Pod")->fields[0].description + R"("},
      "kind": {"type": "string", "description": ")" +
                      TestSchema().Find("io.k8s.api.core.v1.Pod")->fields[1].description + R"("},
      "metadata": {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}],
                   "description": "Standard object's metadata."},
      "spec": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}],
               "description": "Specification of the pod."}
    },
    "x-kubernetes-group-version-kind": [{"group": "", "kind": "Pod", "version": "v1"}]
  })"));
}

TEST(OpenApiTest, FieldsCarryListPatchAndTypeDetails) {
  json::Value schemas = PodComponents();
  const json::Value& spec = *schemas.Find("io.k8s.api.core.v1.PodSpec");
  EXPECT_EQ(*spec.Find("required"), Json(R"(["containers"])"));
  const json::Value& props = *spec.Find("properties");
  EXPECT_EQ(*props.Find("containers"), Json(R"({
    "type": "array",
    "items": {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"},
    "description": "Containers.",
    "x-kubernetes-patch-strategy": "merge",
    "x-kubernetes-patch-merge-key": "name",
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["name"]
  })"));
  EXPECT_EQ(*props.Find("nodeSelector"), Json(R"({"type": "object", "additionalProperties": {"type": "string"},
    "description": "Node selector.", "x-kubernetes-map-type": "atomic"})"));
  EXPECT_EQ(*props.Find("overhead"), Json(R"({"type": "object",
    "additionalProperties": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"},
    "description": "Overhead."})"));
  EXPECT_EQ(*props.Find("restartPolicy"),
            Json(R"({"type": "string", "description": "Restart policy.", "enum": ["Always", "OnFailure", "Never"]})"));
  EXPECT_EQ(*props.Find("priority"), Json(R"({"type": "integer", "format": "int32", "description": "Priority."})"));
  EXPECT_EQ(*props.Find("activeDeadlineSeconds"),
            Json(R"({"type": "integer", "format": "int64", "description": "Deadline."})"));
  EXPECT_EQ(*props.Find("weight"), Json(R"({"type": "number", "format": "double", "description": "Weight."})"));
  EXPECT_EQ(*props.Find("hostNetwork"), Json(R"({"type": "boolean", "description": "Host network."})"));
  EXPECT_EQ(*props.Find("extra"),
            Json(R"({"type": "object", "x-kubernetes-preserve-unknown-fields": true, "description": "Free-form."})"));
  EXPECT_EQ(*props.Find("raw"), Json(R"({"x-kubernetes-preserve-unknown-fields": true, "description": "Anything."})"));

  const json::Value& meta = *schemas.Find("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")->Find("properties");
  EXPECT_EQ(*meta.Find("finalizers"), Json(R"({"type": "array", "items": {"type": "string"}, "description": "Finalizers.",
    "x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-type": "set"})"));
  EXPECT_EQ(*meta.Find("creationTimestamp"),
            Json(R"({"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}],
                     "description": "Created."})"));
  EXPECT_EQ(*meta.Find("managedFields")->Find("x-kubernetes-list-type"), json::Value("atomic"));
  const json::Value& owner = *schemas.Find("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference");
  EXPECT_EQ(*owner.Find("x-kubernetes-map-type"), json::Value("atomic"));
  EXPECT_EQ(*owner.Find("required"), Json(R"(["uid"])"));
}

TEST(OpenApiTest, ScalarWrappersAreUpstreamsNamedSchemas) {
  json::Value schemas = PodComponents();
  const json::Value& quantity = *schemas.Find("io.k8s.apimachinery.pkg.api.resource.Quantity");
  EXPECT_EQ(*quantity.Find("oneOf"), Json(R"([{"type": "string"}, {"type": "number"}])"));
  const json::Value& int_or_string = *schemas.Find("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  EXPECT_EQ(*int_or_string.Find("format"), json::Value("int-or-string"));
  EXPECT_EQ(*int_or_string.Find("oneOf"), Json(R"([{"type": "integer"}, {"type": "string"}])"));
  const json::Value& time = *schemas.Find("io.k8s.apimachinery.pkg.apis.meta.v1.Time");
  EXPECT_EQ(*time.Find("type"), json::Value("string"));
  EXPECT_EQ(*time.Find("format"), json::Value("date-time"));

  auto lease = ComponentSchemas(TestSchema(), {"io.k8s.api.core.v1.Lease"});
  ASSERT_TRUE(lease.ok());
  EXPECT_NE(lease->Find("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"), nullptr);
  auto secret = ComponentSchemas(TestSchema(), {"io.k8s.api.core.v1.Secret"});
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(*secret->FindPath({"io.k8s.api.core.v1.Secret", "properties", "key"}),
            Json(R"({"type": "string", "format": "byte", "description": "One key."})"));
}

TEST(OpenApiTest, RecursiveTypesTerminate) {
  auto node = ComponentSchemas(TestSchema(), {"io.k8s.api.core.v1.Node", "io.k8s.api.core.v1.Node"});
  ASSERT_TRUE(node.ok());
  EXPECT_THAT(Keys(*node), ElementsAre("io.k8s.api.core.v1.Node"));
}

TEST(OpenApiTest, UnknownRootIsNotFound) {
  auto schemas = ComponentSchemas(TestSchema(), {"io.k8s.api.core.v1.Nope"});
  EXPECT_EQ(schemas.status().code(), absl::StatusCode::kNotFound);
}

TEST(OpenApiTest, KindNamesAndGroupVersionKindJson) {
  EXPECT_EQ(KindSchemaName(TestSchema(), {"coordination.k8s.io", "v1", "Lease"}), "io.k8s.api.core.v1.Lease");
  EXPECT_EQ(KindSchemaName(TestSchema(), {"", "v1", "Lease"}), std::nullopt);
  EXPECT_EQ(SchemaRef("a.B"), "#/components/schemas/a.B");
  EXPECT_EQ(json::Write(GroupVersionKindJson({"", "v1", "Pod"})), R"({"group":"","kind":"Pod","version":"v1"})");
}

}  // namespace
}  // namespace cubelet::schema
