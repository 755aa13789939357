// A document's named schemas in the shape of either OpenAPI version: the same types, lists and
// meta schemas, told apart only where the versions differ (where references point, how a
// referring field keeps its description, how Quantity and IntOrString are typed).
#include "openapi/schemas.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/write.h"
#include "schema/schema.h"

namespace cubelet::openapi {
namespace {

using ::testing::IsEmpty;
using schema::OpenApiVersion;

registry::ResourceInfo Leases() {
  registry::ResourceInfo info;
  info.group = "coordination.k8s.io";
  info.version = "v1";
  info.resource = "leases";
  info.kind = "Lease";
  info.verbs = {"get", "list", "patch", "delete"};
  info.schema_type = "io.k8s.api.coordination.v1.Lease";
  return info;
}

json::Value Schemas(OpenApiVersion version, std::vector<std::string>* problems) {
  static const registry::ResourceInfo leases = Leases();
  DocumentOperations ops = BuildOperations(schema::Schema::BuiltIn(), {&leases}, problems);
  return DocumentSchemas(schema::Schema::BuiltIn(), ops, version, problems);
}

std::vector<std::string> Names(const json::Value& schemas) {
  std::vector<std::string> out;
  for (const auto& [name, schema] : schemas.AsObject()) out.push_back(name);
  return out;
}

TEST(DocumentSchemasTest, BothVersionsNameTheSameSchemasSorted) {
  std::vector<std::string> problems;
  json::Value v2 = Schemas(OpenApiVersion::kV2, &problems);
  json::Value v3 = Schemas(OpenApiVersion::kV3, &problems);
  EXPECT_THAT(problems, IsEmpty());
  std::vector<std::string> names = Names(v3);
  EXPECT_EQ(Names(v2), names);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  const std::string_view kWanted[] = {"io.k8s.api.coordination.v1.Lease",
                                      "io.k8s.api.coordination.v1.LeaseList",
                                      "io.k8s.api.coordination.v1.LeaseSpec",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
                                      kStatusSchemaName,
                                      kDeleteOptionsSchemaName,
                                      kListMetaSchemaName,
                                      kPatchSchemaName};
  for (std::string_view name : kWanted) {
    EXPECT_NE(v3.Find(name), nullptr) << name;
  }
  EXPECT_EQ(v3.Find("io.k8s.api.core.v1.Pod"), nullptr);
}

TEST(DocumentSchemasTest, ListSchemaRefersToItsKindAndListMetaInEachVersionsShape) {
  std::vector<std::string> problems;
  json::Value v2 = Schemas(OpenApiVersion::kV2, &problems);
  json::Value v3 = Schemas(OpenApiVersion::kV3, &problems);
  const json::Value* list2 = v2.Find("io.k8s.api.coordination.v1.LeaseList");
  const json::Value* list3 = v3.Find("io.k8s.api.coordination.v1.LeaseList");
  ASSERT_NE(list2, nullptr);
  ASSERT_NE(list3, nullptr);
  EXPECT_EQ(list2->GetString({"properties", "items", "items", "$ref"}),
            "#/definitions/io.k8s.api.coordination.v1.Lease");
  EXPECT_EQ(list3->GetString({"properties", "items", "items", "$ref"}),
            "#/components/schemas/io.k8s.api.coordination.v1.Lease");
  // v2 keeps the field's description beside its $ref; v3 ignores siblings of a $ref, so wraps it.
  EXPECT_EQ(list2->GetString({"properties", "metadata", "$ref"}),
            "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta");
  EXPECT_NE(list2->GetString({"properties", "metadata", "description"}), "");
  const json::Value* all_of = list3->FindPath({"properties", "metadata", "allOf"});
  ASSERT_NE(all_of, nullptr);
  EXPECT_EQ(json::Write(*all_of), R"([{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"}])");
  EXPECT_EQ(list3->GetString({"properties", "metadata", "description"}),
            list2->GetString({"properties", "metadata", "description"}));
  EXPECT_EQ(json::Write(*list3->Find("x-kubernetes-group-version-kind")),
            R"([{"group":"coordination.k8s.io","kind":"LeaseList","version":"v1"}])");
  EXPECT_EQ(json::Write(*list2->Find("x-kubernetes-group-version-kind")),
            json::Write(*list3->Find("x-kubernetes-group-version-kind")));
}

TEST(DocumentSchemasTest, ScalarWrappersAreTypedForEachVersion) {
  std::vector<std::string> problems;
  json::Value v2 = Schemas(OpenApiVersion::kV2, &problems);
  json::Value v3 = Schemas(OpenApiVersion::kV3, &problems);
  const json::Value* micro2 = v2.Find("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime");
  const json::Value* micro3 = v3.Find("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime");
  ASSERT_NE(micro2, nullptr);
  ASSERT_NE(micro3, nullptr);
  EXPECT_EQ(json::Write(*micro2), json::Write(*micro3));
  EXPECT_EQ(micro2->GetString({"format"}), "date-time");

  // Quantity and IntOrString are reached from Pod's resources and probes.
  static const registry::ResourceInfo pods = [] {
    registry::ResourceInfo info;
    info.version = "v1";
    info.resource = "pods";
    info.kind = "Pod";
    info.verbs = {"get"};
    info.schema_type = "io.k8s.api.core.v1.Pod";
    return info;
  }();
  DocumentOperations ops = BuildOperations(schema::Schema::BuiltIn(), {&pods}, &problems);
  json::Value pod2 = DocumentSchemas(schema::Schema::BuiltIn(), ops, OpenApiVersion::kV2, &problems);
  json::Value pod3 = DocumentSchemas(schema::Schema::BuiltIn(), ops, OpenApiVersion::kV3, &problems);
  EXPECT_THAT(problems, IsEmpty());
  const json::Value* quantity2 = pod2.Find(schema::kQuantitySchemaName);
  const json::Value* quantity3 = pod3.Find(schema::kQuantitySchemaName);
  ASSERT_NE(quantity2, nullptr);
  ASSERT_NE(quantity3, nullptr);
  EXPECT_EQ(quantity2->GetString({"type"}), "string");  // the v2 parser has no oneOf
  EXPECT_EQ(quantity2->Find("oneOf"), nullptr);
  EXPECT_EQ(json::Write(*quantity3->Find("oneOf")), R"([{"type":"string"},{"type":"number"}])");
  const json::Value* int_or_string2 = pod2.Find(schema::kIntOrStringSchemaName);
  ASSERT_NE(int_or_string2, nullptr);
  EXPECT_EQ(int_or_string2->GetString({"type"}), "string");
  EXPECT_EQ(int_or_string2->GetString({"format"}), "int-or-string");
  EXPECT_NE(pod3.FindPath({schema::kIntOrStringSchemaName, "oneOf"}), nullptr);

  // A field referring to a struct: beside the $ref in v2, wrapped in allOf in v3.
  const json::Value* metadata2 = pod2.FindPath({"io.k8s.api.core.v1.Pod", "properties", "metadata"});
  const json::Value* metadata3 = pod3.FindPath({"io.k8s.api.core.v1.Pod", "properties", "metadata"});
  ASSERT_NE(metadata2, nullptr);
  ASSERT_NE(metadata3, nullptr);
  EXPECT_EQ(metadata2->GetString({"$ref"}), "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_EQ(metadata3->Find("$ref"), nullptr);
  EXPECT_NE(metadata3->Find("allOf"), nullptr);
  EXPECT_EQ(metadata2->GetString({"description"}), metadata3->GetString({"description"}));
}

}  // namespace
}  // namespace cubelet::openapi
