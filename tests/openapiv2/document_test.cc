// The OpenAPI v2 protobuf decoded with the generated parser and read the way kubectl 1.27 and
// 1.28 read it: kinds found by their x-kubernetes-group-version-kind (kubectl/pkg/util/openapi),
// the first PATCH operation of a kind deciding server-side field validation
// (cli-runtime query_param_verifier.go), every schema parseable by kube-openapi's util/proto
// rules and every $ref resolving, merge keys for strategic merge, and vendor extensions as YAML.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "openapiv2/document.h"
#include "openapiv2/proto/openapiv2.pb.h"
#include "openapiv2/protobuf.h"
#include "openapiv2/service.h"
#include "registry/resources.h"
#include "schema/schema.h"

namespace cubelet::openapiv2 {
namespace {

namespace pb = ::openapi::v2;
using ::testing::HasSubstr;

std::vector<registry::ResourceInfo> ServedResources() {
  std::vector<registry::ResourceInfo> out;
  for (auto& def : registry::BuiltInResources(absl::Hours(1))) out.push_back(def.info);
  return out;
}

// yaml-cpp throws on malformed input; the test reports it as an undefined node.
YAML::Node ParseYaml(const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "YAML does not parse: " << e.what() << "\n" << text;
    return YAML::Node();
  }
}

const pb::NamedAny* FindExtension(const google::protobuf::RepeatedPtrField<pb::NamedAny>& extensions,
                                  const std::string& name) {
  for (const pb::NamedAny& e : extensions) {
    if (e.name() == name) return &e;
  }
  return nullptr;
}

std::string YamlString(const google::protobuf::RepeatedPtrField<pb::NamedAny>& extensions, const std::string& name) {
  const pb::NamedAny* e = FindExtension(extensions, name);
  if (e == nullptr) return "";
  YAML::Node node = ParseYaml(e->value().yaml());
  return node.IsScalar() ? node.as<std::string>() : "";
}

bool GvkMatches(const YAML::Node& node, const registry::ResourceInfo& info) {
  return node.IsMap() && node["group"] && node["group"].as<std::string>() == info.group && node["version"] &&
         node["version"].as<std::string>() == info.version && node["kind"] &&
         node["kind"].as<std::string>() == info.kind;
}

class OpenApiV2DocumentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    service_ = new OpenApiV2Service(schema::Schema::BuiltIn(), ServedResources(), "v1.32.4");
    document_ = new pb::Document();
    ASSERT_TRUE(document_->ParseFromString(service_->protobuf()));
    for (const pb::NamedSchema& d : document_->definitions().additional_properties()) {
      (*definitions_)[d.name()] = &d.value();
    }
  }
  static void TearDownTestSuite() {
    delete service_;
    delete document_;
    definitions_->clear();
  }

  const pb::Schema* Definition(const std::string& name) const {
    auto it = definitions_->find(name);
    return it == definitions_->end() ? nullptr : it->second;
  }

  static OpenApiV2Service* service_;
  static pb::Document* document_;
  static std::map<std::string, const pb::Schema*>* definitions_;
};

OpenApiV2Service* OpenApiV2DocumentTest::service_ = nullptr;
pb::Document* OpenApiV2DocumentTest::document_ = nullptr;
std::map<std::string, const pb::Schema*>* OpenApiV2DocumentTest::definitions_ =
    new std::map<std::string, const pb::Schema*>();

TEST_F(OpenApiV2DocumentTest, BuildsCompletelyFromTheBuiltInTables) {
  EXPECT_TRUE(service_->build_status().ok()) << service_->build_status();
  EXPECT_FALSE(service_->protobuf().empty());
  EXPECT_EQ(document_->swagger(), "2.0");
  EXPECT_EQ(document_->info().title(), "Kubernetes");
  EXPECT_EQ(document_->info().version(), "v1.32.4");
}

// kubectl/pkg/util/openapi NewOpenAPIData: a kind is found by the list of GVKs on its definition.
TEST_F(OpenApiV2DocumentTest, EveryServedKindHasADefinitionCarryingItsGvk) {
  for (const registry::ResourceInfo& info : ServedResources()) {
    for (const std::string& name : {info.schema_type, info.schema_type + "List"}) {
      const pb::Schema* def = Definition(name);
      ASSERT_NE(def, nullptr) << name;
      const pb::NamedAny* gvk = FindExtension(def->vendor_extension(), "x-kubernetes-group-version-kind");
      ASSERT_NE(gvk, nullptr) << name;
      YAML::Node list = ParseYaml(gvk->value().yaml());
      ASSERT_TRUE(list.IsSequence()) << gvk->value().yaml();
      registry::ResourceInfo expected = info;
      if (name != info.schema_type) expected.kind += "List";
      bool found = false;
      for (const YAML::Node& entry : list) found = found || GvkMatches(entry, expected);
      EXPECT_TRUE(found) << name << ": " << gvk->value().yaml();
      EXPECT_EQ(def->type().value_size(), 1) << name;
      EXPECT_GT(def->properties().additional_properties_size(), 0) << name;
    }
  }
  EXPECT_EQ(Definition("io.k8s.api.core.v1.Pod")->type().value(0), "object");
}

// query_param_verifier.go supportsQueryParam: the first path whose PATCH carries the kind's GVK
// decides, by listing fieldValidation among that operation's parameters.
TEST_F(OpenApiV2DocumentTest, FirstPatchOperationOfEveryKindListsFieldValidation) {
  for (const registry::ResourceInfo& info : ServedResources()) {
    if (!info.HasVerb("patch")) continue;
    const pb::Operation* patch = nullptr;
    std::string path_name;
    for (const pb::NamedPathItem& path : document_->paths().path()) {
      if (!path.value().has_patch()) continue;
      const pb::NamedAny* gvk =
          FindExtension(path.value().patch().vendor_extension(), "x-kubernetes-group-version-kind");
      if (gvk != nullptr && GvkMatches(ParseYaml(gvk->value().yaml()), info)) {
        patch = &path.value().patch();
        path_name = path.name();
        break;
      }
    }
    ASSERT_NE(patch, nullptr) << info.resource << "." << info.GroupVersion();
    std::set<std::string> query;
    bool body = false;
    for (const pb::ParametersItem& p : patch->parameters()) {
      const pb::Parameter& param = p.parameter();
      if (param.has_body_parameter()) body = true;
      if (param.non_body_parameter().has_query_parameter_sub_schema()) {
        query.insert(param.non_body_parameter().query_parameter_sub_schema().name());
      }
    }
    EXPECT_TRUE(query.count("fieldValidation")) << path_name;
    EXPECT_TRUE(query.count("fieldManager")) << path_name;
    EXPECT_TRUE(body) << path_name;
    // Client-side apply sends a strategic merge patch only when the operation consumes it.
    EXPECT_THAT(std::vector<std::string>(patch->consumes().begin(), patch->consumes().end()),
                ::testing::Contains("application/strategic-merge-patch+json"))
        << path_name;
  }
}

// The rules kube-openapi's util/proto ParseSchema applies to every schema of the document;
// a violation makes kubectl fail to load the whole document.
void CheckParseable(const pb::Schema& s, const std::string& where, const std::set<std::string>& names,
                    int* refs) {
  if (!s._ref().empty()) {
    ++*refs;
    EXPECT_EQ(s._ref().rfind("#/definitions/", 0), 0u) << where << ": " << s._ref();
    EXPECT_TRUE(names.count(s._ref().substr(14))) << where << ": dangling " << s._ref();
    EXPECT_EQ(s.type().value_size(), 0) << where << ": a reference can't have a type";
    EXPECT_EQ(s.properties().additional_properties_size(), 0) << where;
    return;
  }
  ASSERT_LE(s.type().value_size(), 1) << where << ": multiple types";
  const std::string type = s.type().value_size() == 1 ? s.type().value(0) : "";
  if (type == "array") {
    ASSERT_EQ(s.items().schema_size(), 1) << where << ": array should have exactly one sub-item";
    CheckParseable(s.items().schema(0), where + "[]", names, refs);
  } else if (type == "object" || (type.empty() && s.has_properties())) {
    for (const pb::NamedSchema& field : s.properties().additional_properties()) {
      CheckParseable(field.value(), where + "." + field.name(), names, refs);
    }
    if (s.additional_properties().has_schema()) {
      CheckParseable(s.additional_properties().schema(), where + "{}", names, refs);
    }
  } else if (!type.empty()) {
    EXPECT_TRUE(type == "string" || type == "integer" || type == "number" || type == "boolean")
        << where << ": unknown primitive type " << type;
  }
  for (const pb::NamedAny& e : s.vendor_extension()) {
    EXPECT_TRUE(ParseYaml(e.value().yaml()).IsDefined()) << where << "." << e.name();
  }
}

TEST_F(OpenApiV2DocumentTest, EverySchemaParsesAsKubectlReadsItAndEveryRefResolves) {
  std::set<std::string> names;
  for (const auto& [name, schema] : *definitions_) names.insert(name);
  int refs = 0;
  for (const auto& [name, schema] : *definitions_) CheckParseable(*schema, name, names, &refs);
  for (const pb::NamedPathItem& path : document_->paths().path()) {
    for (const pb::Operation* op : {&path.value().get(), &path.value().put(), &path.value().post(),
                                    &path.value().delete_(), &path.value().patch()}) {
      for (const pb::ParametersItem& p : op->parameters()) {
        if (p.parameter().has_body_parameter()) {
          CheckParseable(p.parameter().body_parameter().schema(), path.name() + " body", names, &refs);
        }
      }
      for (const pb::NamedResponseValue& r : op->responses().response_code()) {
        if (r.value().response().has_schema()) {
          CheckParseable(r.value().response().schema().schema(), path.name() + " " + r.name(), names, &refs);
        }
      }
    }
  }
  EXPECT_GT(refs, 500);  // the walk did reach the references
  // Referenced from fields and operations, as named upstream.
  for (const char* name : {"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
                           "io.k8s.apimachinery.pkg.api.resource.Quantity",
                           "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", "io.k8s.api.core.v1.Binding",
                           "io.k8s.api.policy.v1.Eviction"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
}

// Client-side apply computes strategic merge patches from these (strategicpatch.PatchMetaFromOpenAPI).
TEST_F(OpenApiV2DocumentTest, ContainersCarryTheirMergeKeyBesideTheReference) {
  const pb::Schema* spec = Definition("io.k8s.api.core.v1.PodSpec");
  ASSERT_NE(spec, nullptr);
  const pb::Schema* containers = nullptr;
  for (const pb::NamedSchema& f : spec->properties().additional_properties()) {
    if (f.name() == "containers") containers = &f.value();
  }
  ASSERT_NE(containers, nullptr);
  EXPECT_EQ(containers->type().value(0), "array");
  EXPECT_EQ(containers->items().schema(0)._ref(), "#/definitions/io.k8s.api.core.v1.Container");
  EXPECT_EQ(YamlString(containers->vendor_extension(), "x-kubernetes-patch-merge-key"), "name");
  EXPECT_EQ(YamlString(containers->vendor_extension(), "x-kubernetes-patch-strategy"), "merge");
  EXPECT_FALSE(containers->description().empty());

  const pb::Schema* pod = Definition("io.k8s.api.core.v1.Pod");
  for (const pb::NamedSchema& f : pod->properties().additional_properties()) {
    if (f.name() != "metadata") continue;
    EXPECT_EQ(f.value()._ref(), "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    EXPECT_FALSE(f.value().description().empty()) << "v2 keeps a field's description beside its $ref";
  }
  const pb::Schema* int_or_string = Definition("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  ASSERT_NE(int_or_string, nullptr);
  EXPECT_EQ(int_or_string->type().value(0), "string");
  EXPECT_EQ(int_or_string->format(), "int-or-string");
}

TEST_F(OpenApiV2DocumentTest, JsonAndProtobufDescribeTheSameDocument) {
  absl::StatusOr<json::Value> json = json::Parse(service_->json());
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->GetString({"swagger"}), "2.0");
  ASSERT_NE(json->Find("definitions"), nullptr);
  EXPECT_EQ(json->Find("definitions")->size(), static_cast<size_t>(document_->definitions().additional_properties_size()));
  EXPECT_EQ(json->Find("paths")->size(), static_cast<size_t>(document_->paths().path_size()));
  absl::StatusOr<std::string> again = EncodeProtobuf(*json);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, service_->protobuf());
  EXPECT_NE(json->FindPath({"paths", "/api/v1/namespaces/{namespace}/pods/{name}", "patch"}), nullptr);
  EXPECT_NE(json->FindPath({"paths", "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}", "patch"}),
            nullptr);
  EXPECT_NE(json->FindPath({"paths", "/api/v1/nodes/{name}/status", "patch"}), nullptr);
  EXPECT_NE(json->FindPath({"securityDefinitions", "BearerToken"}), nullptr);
}

TEST(OpenApiV2ProtobufTest, ExtensionsAreYamlThatBothYamlVersionsRead) {
  absl::StatusOr<json::Value> gvk = json::Parse(R"({"group":"","kind":"Pod","version":"v1"})");
  ASSERT_TRUE(gvk.ok());
  EXPECT_EQ(ExtensionYaml(*gvk), "{\"group\": \"\", \"kind\": \"Pod\", \"version\": \"v1\"}\n");
  EXPECT_EQ(ExtensionYaml(json::Value("merge")), "\"merge\"\n");
  absl::StatusOr<json::Value> keys = json::Parse(R"(["containerPort","protocol"])");
  ASSERT_TRUE(keys.ok());
  YAML::Node node = ParseYaml(ExtensionYaml(*keys));
  ASSERT_TRUE(node.IsSequence());
  EXPECT_EQ(node[1].as<std::string>(), "protocol");
  YAML::Node quoted = ParseYaml(ExtensionYaml(json::Value("say \"hi\"\n\\")));
  EXPECT_EQ(quoted.as<std::string>(), "say \"hi\"\n\\");
}

TEST(OpenApiV2ProtobufTest, RefusesWhatTheProtobufCannotCarry) {
  absl::StatusOr<json::Value> doc = json::Parse(
      R"({"swagger":"2.0","definitions":{"a.B":{"type":"object","properties":{"x":{"type":"string","oneOf":[]}}}}})");
  ASSERT_TRUE(doc.ok());
  absl::StatusOr<std::string> bytes = EncodeProtobuf(*doc);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("definitions.a.B.properties.x.oneOf"));

  absl::StatusOr<json::Value> header = json::Parse(
      R"({"paths":{"/x":{"get":{"parameters":[{"in":"header","name":"h","type":"string"}]}}}})");
  ASSERT_TRUE(header.ok());
  EXPECT_FALSE(EncodeProtobuf(*header).ok());
  absl::StatusOr<json::Value> wrong_type = json::Parse(R"({"swagger":2})");
  ASSERT_TRUE(wrong_type.ok());
  EXPECT_THAT(std::string(EncodeProtobuf(*wrong_type).status().message()), HasSubstr("swagger: must be a string"));
}

TEST(OpenApiV2ProtobufTest, EncodesReferencesParametersAndExtensions) {
  absl::StatusOr<json::Value> doc = json::Parse(R"({
    "swagger": "2.0",
    "paths": {"/api/v1/things/{name}": {
      "parameters": [{"$ref": "#/parameters/pretty"}, {"in": "path", "name": "name", "required": true, "type": "string"}],
      "patch": {"operationId": "patchThing", "consumes": ["application/merge-patch+json"],
                "parameters": [{"in": "body", "name": "body", "required": true,
                                "schema": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"}},
                               {"in": "query", "name": "fieldValidation", "type": "string", "uniqueItems": true}],
                "responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/x.Thing"}},
                              "401": {"description": "Unauthorized"}},
                "x-kubernetes-group-version-kind": {"group": "", "kind": "Thing", "version": "v1"}}}},
    "definitions": {"x.Thing": {"type": "object", "additionalProperties": {"type": "string"},
                                "enum": ["A"], "x-kubernetes-map-type": "atomic"}}
  })");
  ASSERT_TRUE(doc.ok()) << doc.status();
  absl::StatusOr<std::string> bytes = EncodeProtobuf(*doc);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  pb::Document d;
  ASSERT_TRUE(d.ParseFromString(*bytes));
  ASSERT_EQ(d.paths().path_size(), 1);
  const pb::PathItem& item = d.paths().path(0).value();
  EXPECT_EQ(item.parameters(0).json_reference()._ref(), "#/parameters/pretty");
  EXPECT_TRUE(item.parameters(1).parameter().non_body_parameter().path_parameter_sub_schema().required());
  const pb::Operation& patch = item.patch();
  EXPECT_EQ(patch.parameters(0).parameter().body_parameter().schema()._ref(),
            "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
  EXPECT_EQ(patch.parameters(1).parameter().non_body_parameter().query_parameter_sub_schema().name(),
            "fieldValidation");
  EXPECT_EQ(patch.responses().response_code(0).name(), "200");
  EXPECT_EQ(patch.responses().response_code(0).value().response().schema().schema()._ref(),
            "#/definitions/x.Thing");
  EXPECT_EQ(patch.vendor_extension(0).value().yaml(), "{\"group\": \"\", \"kind\": \"Thing\", \"version\": \"v1\"}\n");
  const pb::Schema& thing = d.definitions().additional_properties(0).value();
  EXPECT_EQ(thing.additional_properties().schema().type().value(0), "string");
  EXPECT_EQ(thing.enum__size(), 1);
  EXPECT_EQ(thing.vendor_extension(0).name(), "x-kubernetes-map-type");
}

}  // namespace
}  // namespace cubelet::openapiv2
