// The operations both OpenAPI documents publish, named as kube-apiserver names them: kubectl
// finds a kind's PATCH by its x-kubernetes-group-version-kind and decides on server-side field
// validation and on the patch type of client-side apply from it.
#include "openapi/operations.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/schema.h"

namespace cubelet::openapi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

registry::ResourceInfo Pods() {
  registry::ResourceInfo info;
  info.version = "v1";
  info.resource = "pods";
  info.kind = "Pod";
  info.namespaced = true;
  info.verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
  info.schema_type = "io.k8s.api.core.v1.Pod";
  info.subresources = {{"status", "Pod", "", "v1", {"get", "patch", "update"}},
                       {"log", "Pod", "", "v1", {"get"}},
                       {"eviction", "Eviction", "policy", "v1", {"create"}}};
  return info;
}

// A cluster-scoped resource of a dotted group, with only some verbs.
registry::ResourceInfo Things() {
  registry::ResourceInfo info;
  info.group = "rbac.authorization.k8s.io";
  info.version = "v1";
  info.resource = "things";
  info.kind = "Thing";
  info.namespaced = false;
  info.verbs = {"get", "list", "patch"};
  info.schema_type = "io.k8s.api.core.v1.Node";
  return info;
}

std::vector<std::string> Ids(const PathItem& item) {
  std::vector<std::string> out;
  for (const Operation& op : item.operations) out.push_back(std::string(op.method) + " " + op.operation_id);
  return out;
}

std::vector<std::string> Names(const std::vector<Parameter>& parameters) {
  std::vector<std::string> out;
  for (const Parameter& p : parameters) out.emplace_back(p.name);
  return out;
}

const Operation* Find(const DocumentOperations& ops, const std::string& path, std::string_view method) {
  auto it = ops.paths.find(path);
  if (it == ops.paths.end()) return nullptr;
  for (const Operation& op : it->second.operations) {
    if (op.method == method) return &op;
  }
  return nullptr;
}

TEST(BuildOperationsTest, NamespacedResourceHasUpstreamsPathsAndOperationIds) {
  const registry::ResourceInfo pods = Pods();
  std::vector<std::string> problems;
  DocumentOperations ops = BuildOperations(schema::Schema::BuiltIn(), {&pods}, &problems);
  EXPECT_THAT(problems, IsEmpty());

  std::vector<std::string> paths;
  for (const auto& [path, item] : ops.paths) paths.push_back(path);
  EXPECT_THAT(paths, ElementsAre("/api/v1/namespaces/{namespace}/pods", "/api/v1/namespaces/{namespace}/pods/{name}",
                                 "/api/v1/namespaces/{namespace}/pods/{name}/eviction",
                                 "/api/v1/namespaces/{namespace}/pods/{name}/log",
                                 "/api/v1/namespaces/{namespace}/pods/{name}/status", "/api/v1/pods"));
  EXPECT_THAT(Ids(ops.paths["/api/v1/namespaces/{namespace}/pods"]),
              ElementsAre("get listCoreV1NamespacedPod", "post createCoreV1NamespacedPod",
                          "delete deleteCoreV1CollectionNamespacedPod"));
  EXPECT_THAT(Ids(ops.paths["/api/v1/namespaces/{namespace}/pods/{name}"]),
              ElementsAre("get readCoreV1NamespacedPod", "put replaceCoreV1NamespacedPod",
                          "patch patchCoreV1NamespacedPod", "delete deleteCoreV1NamespacedPod"));
  EXPECT_THAT(Ids(ops.paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]),
              ElementsAre("get readCoreV1NamespacedPodStatus", "patch patchCoreV1NamespacedPodStatus",
                          "put replaceCoreV1NamespacedPodStatus"));
  EXPECT_THAT(Ids(ops.paths["/api/v1/pods"]), ElementsAre("get listCoreV1PodForAllNamespaces"));
  EXPECT_THAT(Names(ops.paths["/api/v1/namespaces/{namespace}/pods/{name}"].parameters),
              ElementsAre("name", "namespace", "pretty"));
  EXPECT_THAT(Names(ops.paths["/api/v1/pods"].parameters), ElementsAre("pretty"));
  EXPECT_THAT(ops.kind_schemas, ElementsAre("io.k8s.api.core.v1.Pod", "io.k8s.api.policy.v1.Eviction"));
  ASSERT_EQ(ops.lists.size(), 1u);
  EXPECT_EQ(ops.lists[0], &pods);

  const Operation* list = Find(ops, "/api/v1/pods", "get");
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->action, "list");
  EXPECT_EQ(list->tag, "core_v1");
  EXPECT_EQ(list->response, "io.k8s.api.core.v1.PodList");
  EXPECT_THAT(list->produces, ElementsAre("application/json", "application/json;stream=watch"));
  EXPECT_THAT(Names(list->parameters), testing::Contains("watch"));
}

TEST(BuildOperationsTest, PatchCarriesTheKindAndDeclaresFieldValidationAndStrategicMerge) {
  const registry::ResourceInfo pods = Pods();
  std::vector<std::string> problems;
  DocumentOperations ops = BuildOperations(schema::Schema::BuiltIn(), {&pods}, &problems);
  for (const std::string path : {"/api/v1/namespaces/{namespace}/pods/{name}",
                                 "/api/v1/namespaces/{namespace}/pods/{name}/status"}) {
    const Operation* patch = Find(ops, path, "patch");
    ASSERT_NE(patch, nullptr) << path;
    EXPECT_EQ(patch->gvk, (schema::GroupVersionKind{"", "v1", "Pod"})) << path;
    EXPECT_THAT(Names(patch->parameters), ElementsAre("dryRun", "fieldManager", "fieldValidation", "force"));
    EXPECT_EQ(patch->body, kPatchSchemaName);
    EXPECT_TRUE(patch->body_required);
    EXPECT_THAT(patch->consumes, testing::Contains("application/strategic-merge-patch+json"));
    EXPECT_THAT(patch->codes, ElementsAre(200, 201));
    EXPECT_EQ(patch->response, "io.k8s.api.core.v1.Pod");
  }
}

TEST(BuildOperationsTest, DeletesTakeOptionalDeleteOptionsAndAnswerStatus) {
  const registry::ResourceInfo pods = Pods();
  std::vector<std::string> problems;
  DocumentOperations ops = BuildOperations(schema::Schema::BuiltIn(), {&pods}, &problems);
  const Operation* one = Find(ops, "/api/v1/namespaces/{namespace}/pods/{name}", "delete");
  const Operation* all = Find(ops, "/api/v1/namespaces/{namespace}/pods", "delete");
  ASSERT_NE(one, nullptr);
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(one->action, "delete");
  EXPECT_EQ(all->action, "deletecollection");
  for (const Operation* op : {one, all}) {
    EXPECT_EQ(op->body, kDeleteOptionsSchemaName);
    EXPECT_FALSE(op->body_required);
    EXPECT_THAT(op->consumes, IsEmpty());
    EXPECT_EQ(op->response, kStatusSchemaName);
  }
  EXPECT_THAT(one->codes, ElementsAre(200, 202));
  EXPECT_THAT(all->codes, ElementsAre(200));
}

TEST(BuildOperationsTest, SubresourcesUseTheirOwnKindAndLogsArePlainText) {
  const registry::ResourceInfo pods = Pods();
  std::vector<std::string> problems;
  DocumentOperations ops = BuildOperations(schema::Schema::BuiltIn(), {&pods}, &problems);
  const Operation* eviction = Find(ops, "/api/v1/namespaces/{namespace}/pods/{name}/eviction", "post");
  ASSERT_NE(eviction, nullptr);
  EXPECT_EQ(eviction->operation_id, "createCoreV1NamespacedPodEviction");
  EXPECT_EQ(eviction->gvk, (schema::GroupVersionKind{"policy", "v1", "Eviction"}));
  EXPECT_EQ(eviction->body, "io.k8s.api.policy.v1.Eviction");
  EXPECT_THAT(eviction->codes, ElementsAre(200, 201, 202));

  const Operation* log = Find(ops, "/api/v1/namespaces/{namespace}/pods/{name}/log", "get");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->response, "");
  EXPECT_THAT(log->produces, ElementsAre("text/plain"));
  EXPECT_THAT(Names(log->parameters), testing::Contains("follow"));
  json::Value text = ResponseSchema(*log, schema::OpenApiVersion::kV2);
  EXPECT_EQ(text.GetString({"type"}), "string");
  EXPECT_EQ(ResponseSchema(*eviction, schema::OpenApiVersion::kV2).GetString({"$ref"}),
            "#/definitions/io.k8s.api.policy.v1.Eviction");
  EXPECT_EQ(ResponseSchema(*eviction, schema::OpenApiVersion::kV3).GetString({"$ref"}),
            "#/components/schemas/io.k8s.api.policy.v1.Eviction");
}

TEST(BuildOperationsTest, ClusterScopedResourceOfADottedGroupHasOnlyItsVerbs) {
  const registry::ResourceInfo things = Things();
  std::vector<std::string> problems;
  DocumentOperations ops = BuildOperations(schema::Schema::BuiltIn(), {&things}, &problems);
  EXPECT_THAT(problems, IsEmpty());
  std::vector<std::string> paths;
  for (const auto& [path, item] : ops.paths) paths.push_back(path);
  // A cluster-scoped resource has no all-namespaces path.
  EXPECT_THAT(paths, ElementsAre("/apis/rbac.authorization.k8s.io/v1/things",
                                 "/apis/rbac.authorization.k8s.io/v1/things/{name}"));
  EXPECT_THAT(Ids(ops.paths["/apis/rbac.authorization.k8s.io/v1/things"]),
              ElementsAre("get listRbacAuthorizationV1Thing"));
  EXPECT_THAT(Ids(ops.paths["/apis/rbac.authorization.k8s.io/v1/things/{name}"]),
              ElementsAre("get readRbacAuthorizationV1Thing", "patch patchRbacAuthorizationV1Thing"));
  EXPECT_THAT(Names(ops.paths["/apis/rbac.authorization.k8s.io/v1/things/{name}"].parameters),
              ElementsAre("name", "pretty"));
  EXPECT_EQ(Find(ops, "/apis/rbac.authorization.k8s.io/v1/things/{name}", "get")->tag, "rbacAuthorization_v1");
}

TEST(BuildOperationsTest, WhatTheTableLacksIsNamedAndLeftOut) {
  registry::ResourceInfo pods = Pods();
  pods.subresources.push_back({"scale", "Scale", "autoscaling", "v1", {"get"}});
  registry::ResourceInfo missing = Things();
  missing.schema_type = "io.k8s.api.nope.v1.Thing";
  std::vector<std::string> problems;
  DocumentOperations ops = BuildOperations(schema::Schema::BuiltIn(), {&missing, &pods}, &problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], HasSubstr("things.rbac.authorization.k8s.io/v1: no schema type io.k8s.api.nope.v1.Thing"));
  EXPECT_THAT(problems[1], HasSubstr("pods/scale: no schema type for kind autoscaling/v1, Kind=Scale"));
  EXPECT_FALSE(ops.paths.contains("/apis/rbac.authorization.k8s.io/v1/things"));
  EXPECT_FALSE(ops.paths.contains("/api/v1/namespaces/{namespace}/pods/{name}/scale"));
  EXPECT_TRUE(ops.paths.contains("/api/v1/namespaces/{namespace}/pods/{name}/status"));
  EXPECT_EQ(ops.lists.size(), 1u);

  absl::Status status = IncompleteStatus("OpenAPI documents", problems);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), HasSubstr("OpenAPI documents is incomplete: things."));
  EXPECT_TRUE(IncompleteStatus("OpenAPI documents", {}).ok());
}

TEST(GroupVersionPathTest, CoreIsUnderApiOthersUnderApis) {
  EXPECT_EQ(GroupVersionPath("", "v1"), "api/v1");
  EXPECT_EQ(GroupVersionPath("coordination.k8s.io", "v1"), "apis/coordination.k8s.io/v1");
}

}  // namespace
}  // namespace cubelet::openapi
