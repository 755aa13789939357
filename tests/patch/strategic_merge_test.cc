#include "patch/strategic_merge.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "patch/test_schema.h"

namespace cubelet::patch {
namespace {

using ::testing::HasSubstr;
using testing::J;
using testing::kConfigMapType;
using testing::kNodeType;
using testing::kPodType;
using testing::TestSchema;

json::Value Patch(std::string_view type, std::string_view original, std::string_view patch) {
  auto out = ApplyStrategicMergePatch(TestSchema(), type, J(original), J(patch));
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *std::move(out) : json::Value();
}

std::string PatchError(std::string_view type, std::string_view original, std::string_view patch) {
  auto out = ApplyStrategicMergePatch(TestSchema(), type, J(original), J(patch));
  EXPECT_FALSE(out.ok()) << json::Write(*out);
  if (out.ok()) return "";
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(out.status().message());
}

constexpr char kTwoContainers[] =
    R"({"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}})";

TEST(StrategicMergeTest, MergesListItemsByTheirMergeKey) {
  EXPECT_EQ(Patch(kPodType, kTwoContainers, R"({"spec":{"containers":[{"name":"b","image":"b:2"}]}})"),
            J(R"({"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}})"));
}

TEST(StrategicMergeTest, AppendsItemsWithNewKeys) {
  EXPECT_EQ(Patch(kPodType, kTwoContainers, R"({"spec":{"containers":[{"name":"c","image":"c:1"}]}})"),
            J(R"({"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"},
                                        {"name":"c","image":"c:1"}]}})"));
}

TEST(StrategicMergeTest, MergesScalarListsAsSets) {
  EXPECT_EQ(Patch(kPodType, R"({"metadata":{"finalizers":["x","y"]}})", R"({"metadata":{"finalizers":["y","z","z"]}})"),
            J(R"({"metadata":{"finalizers":["x","y","z"]}})"));
}

TEST(StrategicMergeTest, ReplacesListsWithoutMergeStrategy) {
  EXPECT_EQ(Patch(kPodType, R"({"spec":{"tolerations":[{"key":"a"},{"key":"b"}]}})",
                  R"({"spec":{"tolerations":[{"key":"c"}]}})"),
            J(R"({"spec":{"tolerations":[{"key":"c"}]}})"));
  EXPECT_EQ(Patch(kPodType, R"({"spec":{"containers":[{"name":"a","args":["1","2"]}]}})",
                  R"({"spec":{"containers":[{"name":"a","args":["3"]}]}})"),
            J(R"({"spec":{"containers":[{"name":"a","args":["3"]}]}})"));
}

TEST(StrategicMergeTest, MergesMapsByKeyAndNullDeletes) {
  EXPECT_EQ(Patch(kPodType, R"({"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"nodeName":"n1"}})",
                  R"({"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"nodeName":null}})"),
            J(R"({"metadata":{"labels":{"b":"2","c":"3"}},"spec":{}})"));
}

TEST(StrategicMergeTest, CordonSetsOneField) {
  EXPECT_EQ(Patch(kNodeType, R"({"metadata":{"name":"n1"},"spec":{"podCIDR":"10.0.0.0/24"}})",
                  R"({"spec":{"unschedulable":true}})"),
            J(R"({"metadata":{"name":"n1"},"spec":{"podCIDR":"10.0.0.0/24","unschedulable":true}})"));
}

TEST(StrategicMergeTest, PatchReplaceOnAnObjectReplacesIt) {
  EXPECT_EQ(Patch(kPodType, R"({"spec":{"securityContext":{"runAsUser":1,"runAsGroup":2}}})",
                  R"({"spec":{"securityContext":{"$patch":"replace","runAsUser":5}}})"),
            J(R"({"spec":{"securityContext":{"runAsUser":5}}})"));
}

TEST(StrategicMergeTest, PatchDeleteRemovesAListItem) {
  EXPECT_EQ(Patch(kPodType, kTwoContainers, R"({"spec":{"containers":[{"name":"a","$patch":"delete"}]}})"),
            J(R"({"spec":{"containers":[{"name":"b","image":"b:1"}]}})"));
}

TEST(StrategicMergeTest, PatchDeleteOnAMapEmptiesIt) {
  EXPECT_EQ(Patch(kPodType, R"({"metadata":{"labels":{"a":"1"},"name":"p"}})",
                  R"({"metadata":{"labels":{"$patch":"delete"}}})"),
            J(R"({"metadata":{"labels":{},"name":"p"}})"));
}

TEST(StrategicMergeTest, PatchReplaceInsideAListReplacesTheList) {
  EXPECT_EQ(Patch(kPodType, kTwoContainers,
                  R"({"spec":{"containers":[{"$patch":"replace"},{"name":"c","image":"c:1"}]}})"),
            J(R"({"spec":{"containers":[{"name":"c","image":"c:1"}]}})"));
}

TEST(StrategicMergeTest, PatchMergeOnAnObjectMerges) {
  EXPECT_EQ(Patch(kPodType, R"({"spec":{"securityContext":{"runAsUser":1}}})",
                  R"({"spec":{"securityContext":{"$patch":"merge","runAsGroup":2}}})"),
            J(R"({"spec":{"securityContext":{"runAsUser":1,"runAsGroup":2}}})"));
}

TEST(StrategicMergeTest, RetainKeysClearsFieldsNotListed) {
  EXPECT_EQ(Patch(kPodType, R"({"spec":{"volumes":[{"name":"v","emptyDir":{"medium":"Memory"}}]}})",
                  R"({"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"},"$retainKeys":["hostPath","name"]}]}})"),
            J(R"({"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"}}]}})"));
}

TEST(StrategicMergeTest, RetainKeysRejectsAFieldItDoesNotList) {
  EXPECT_THAT(PatchError(kPodType, R"({"spec":{"volumes":[{"name":"v"}]}})",
                         R"({"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"},"$retainKeys":["name"]}]}})"),
              HasSubstr("spec.volumes[0].$retainKeys: the patch sets field \"hostPath\""));
}

TEST(StrategicMergeTest, SetElementOrderReordersMergedList) {
  EXPECT_EQ(Patch(kPodType, kTwoContainers,
                  R"({"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"b"},{"name":"a"}],
                              "containers":[{"name":"c","image":"c:1"}]}})"),
            J(R"({"spec":{"containers":[{"name":"c","image":"c:1"},{"name":"b","image":"b:1"},
                                        {"name":"a","image":"a:1"}]}})"));
}

TEST(StrategicMergeTest, SetElementOrderKeepsUnlistedItemsWhereTheyStood) {
  // Upstream's normalizeElementOrder: "x" (server-only) stays before "b", which followed it.
  EXPECT_EQ(Patch(kPodType, R"({"spec":{"containers":[{"name":"a"},{"name":"x"},{"name":"b"}]}})",
                  R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}})"),
            J(R"({"spec":{"containers":[{"name":"x"},{"name":"b"},{"name":"a"}]}})"));
  // An item injected after the ordered ones stays after them.
  EXPECT_EQ(Patch(kPodType, R"({"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"x"}]}})",
                  R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}})"),
            J(R"({"spec":{"containers":[{"name":"b"},{"name":"a"},{"name":"x"}]}})"));
}

TEST(StrategicMergeTest, SetElementOrderOrdersScalarLists) {
  EXPECT_EQ(Patch(kPodType, R"({"metadata":{"finalizers":["a","b"]}})",
                  R"({"metadata":{"$setElementOrder/finalizers":["c","b","a"],"finalizers":["c"]}})"),
            J(R"({"metadata":{"finalizers":["c","b","a"]}})"));
}

TEST(StrategicMergeTest, DeleteFromPrimitiveListRemovesValues) {
  EXPECT_EQ(Patch(kPodType, R"({"metadata":{"finalizers":["a","b","c"]}})",
                  R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zz"]}})"),
            J(R"({"metadata":{"finalizers":["a","c"]}})"));
}

TEST(StrategicMergeTest, MergesNestedListsByTheirOwnKeys) {
  json::Value out = Patch(kPodType,
                          R"({"spec":{"containers":[{"name":"web","image":"w:1",
                                "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
                                "ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]}]}})",
                          R"({"spec":{"containers":[{"name":"web",
                                "env":[{"name":"B","value":"3"},{"name":"C","value":"4"}],
                                "ports":[{"containerPort":80,"hostPort":8080},{"containerPort":8443}]}]}})");
  EXPECT_EQ(out, J(R"({"spec":{"containers":[{"name":"web","image":"w:1",
                       "env":[{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}],
                       "ports":[{"containerPort":80,"name":"http","hostPort":8080},{"containerPort":443},
                                {"containerPort":8443}]}]}})"));
}

TEST(StrategicMergeTest, AppliesKubectlClientSideApplyPatch) {
  // What `kubectl apply` sends for an existing pod whose image changed in the manifest.
  json::Value live = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx","namespace":"default",
      "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"old\":1}\n"},"resourceVersion":"7"},
      "spec":{"containers":[{"name":"nginx","image":"nginx:1.25","imagePullPolicy":"IfNotPresent"},
                            {"name":"sidecar","image":"busybox"}],"restartPolicy":"Always"}})");
  json::Value patch = J(R"({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"new\":1}\n"}},
      "spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],
              "containers":[{"image":"nginx:1.26","name":"nginx"}]}})");
  auto out = ApplyStrategicMergePatch(TestSchema(), kPodType, live, patch);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx","namespace":"default",
      "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"new\":1}\n"},"resourceVersion":"7"},
      "spec":{"containers":[{"name":"nginx","image":"nginx:1.26","imagePullPolicy":"IfNotPresent"},
                            {"name":"sidecar","image":"busybox"}],"restartPolicy":"Always"}})"));
}

TEST(StrategicMergeTest, DirectivesAreStrippedFromFieldsTheOriginalLacks) {
  EXPECT_EQ(Patch(kPodType, R"({"metadata":{"name":"p"}})",
                  R"({"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"name":"a",
                      "$setElementOrder/env":[{"name":"X"}],"env":[{"name":"X","value":"1"}]}]}})"),
            J(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"}]}]}})"));
}

TEST(StrategicMergeTest, AppliesKubeletNodeStatusPatch) {
  json::Value live = J(R"({"metadata":{"name":"n1"},"status":{
      "conditions":[{"type":"MemoryPressure","status":"False","lastHeartbeatTime":"2024-01-01T00:00:00Z"},
                    {"type":"Ready","status":"False","lastHeartbeatTime":"2024-01-01T00:00:00Z","reason":"Starting"}],
      "addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"type":"Hostname","address":"n1"}],
      "images":[{"names":["a"],"sizeBytes":1}],"capacity":{"cpu":"2","pods":"110"}}})");
  json::Value patch = J(R"({"status":{
      "$setElementOrder/addresses":[{"type":"InternalIP"},{"type":"Hostname"}],
      "$setElementOrder/conditions":[{"type":"MemoryPressure"},{"type":"DiskPressure"},{"type":"Ready"}],
      "addresses":[{"address":"10.0.0.2","type":"InternalIP"}],
      "conditions":[{"lastHeartbeatTime":"2024-01-01T00:00:10Z","type":"MemoryPressure"},
                    {"lastHeartbeatTime":"2024-01-01T00:00:10Z","status":"False","type":"DiskPressure"},
                    {"lastHeartbeatTime":"2024-01-01T00:00:10Z","reason":"KubeletReady","status":"True","type":"Ready"}],
      "images":[{"names":["b"],"sizeBytes":2}],"capacity":{"cpu":"4"}}})");
  auto out = ApplyStrategicMergePatch(TestSchema(), kNodeType, live, patch);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, J(R"({"metadata":{"name":"n1"},"status":{
      "conditions":[{"type":"MemoryPressure","status":"False","lastHeartbeatTime":"2024-01-01T00:00:10Z"},
                    {"lastHeartbeatTime":"2024-01-01T00:00:10Z","status":"False","type":"DiskPressure"},
                    {"type":"Ready","status":"True","lastHeartbeatTime":"2024-01-01T00:00:10Z","reason":"KubeletReady"}],
      "addresses":[{"type":"InternalIP","address":"10.0.0.2"},{"type":"Hostname","address":"n1"}],
      "images":[{"names":["b"],"sizeBytes":2}],"capacity":{"cpu":"4","pods":"110"}}})"));
  // Order matters for conditions: DiskPressure (new) lands where $setElementOrder puts it.
  const json::Array& conditions = out->FindPath({"status", "conditions"})->AsArray();
  ASSERT_EQ(conditions.size(), 3u);
  EXPECT_EQ(conditions[1].GetString({"type"}), "DiskPressure");
}

TEST(StrategicMergeTest, AppliesKubeletPodStatusPatch) {
  json::Value live = J(R"({"metadata":{"name":"p","uid":"u1"},"status":{"phase":"Pending",
      "conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False","reason":"ContainersNotReady"}],
      "containerStatuses":[{"name":"a","ready":false,"restartCount":0},{"name":"b","ready":false,"restartCount":0}]}})");
  json::Value patch = J(R"({"metadata":{"uid":"u1"},"status":{
      "$setElementOrder/conditions":[{"type":"Initialized"},{"type":"Ready"},{"type":"PodScheduled"}],
      "conditions":[{"status":"True","type":"Initialized"},{"reason":null,"status":"True","type":"Ready"}],
      "containerStatuses":[{"name":"a","ready":true,"restartCount":0}],
      "phase":"Running","podIP":"10.1.0.5","podIPs":[{"ip":"10.1.0.5"}]}})");
  auto out = ApplyStrategicMergePatch(TestSchema(), kPodType, live, patch);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, J(R"({"metadata":{"name":"p","uid":"u1"},"status":{"phase":"Running",
      "conditions":[{"status":"True","type":"Initialized"},{"type":"Ready","status":"True"},
                    {"type":"PodScheduled","status":"True"}],
      "containerStatuses":[{"name":"a","ready":true,"restartCount":0}],
      "podIP":"10.1.0.5","podIPs":[{"ip":"10.1.0.5"}]}})"));
  EXPECT_EQ(out->FindPath({"status", "conditions"})->AsArray()[0].GetString({"type"}), "Initialized");
}

TEST(StrategicMergeTest, FreeFormFieldsTakeAJsonMergePatch) {
  EXPECT_EQ(Patch(kConfigMapType, R"({"extra":{"a":{"b":1,"c":[1,2]},"d":1},"settings":{"x":1}})",
                  R"({"extra":{"a":{"b":null,"c":[3]}},"settings":{"y":{"$patch":"literal"}}})"),
            J(R"({"extra":{"a":{"c":[3]},"d":1},"settings":{"x":1,"y":{"$patch":"literal"}}})"));
}

TEST(StrategicMergeTest, RejectsAListItemWithoutItsMergeKey) {
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"spec":{"containers":[{"name":"a"},{"image":"x"}]}})"),
              HasSubstr("spec.containers[1]: map: {\"image\":\"x\"} does not contain declared merge key: name"));
}

TEST(StrategicMergeTest, RejectsMalformedDirectives) {
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"spec":{"securityContext":{"$patch":"explode"}}})"),
              HasSubstr("spec.securityContext: unknown patch type: explode"));
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"spec":{"containers":[{"name":"a","$patch":7}]}})"),
              HasSubstr("spec.containers[0]: invalid value for $patch: 7"));
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"spec":{"$setElementOrder/containers":{"name":"a"}}})"),
              HasSubstr("spec.$setElementOrder/containers: expected a list"));
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"spec":{"$setElementOrder/nothing":[]}})"),
              HasSubstr("unknown field \"nothing\""));
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})"),
              HasSubstr("metadata.$deleteFromPrimitiveList/finalizers: expected a list"));
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"spec":{"volumes":[{"name":"v","$retainKeys":"name"}]}})"),
              HasSubstr("spec.volumes[0].$retainKeys: expected a list of field names"));
  EXPECT_THAT(PatchError(kPodType, kTwoContainers,
                         R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],
                                     "containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}})"),
              HasSubstr("spec.containers: the order of the patch list does not match $setElementOrder/containers"));
}

TEST(StrategicMergeTest, RejectsValuesOfTheWrongType) {
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"spec":{"containers":"web"}})"),
              HasSubstr("spec.containers: expected a list, got string"));
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"spec":{"containers":["web"]}})"),
              HasSubstr("spec.containers[0]: expected an object"));
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"({"spec":[1]})"), HasSubstr("spec: expected an object, got array"));
  EXPECT_THAT(PatchError(kPodType, kTwoContainers, R"([1])"), HasSubstr("must be a JSON object"));
}

TEST(StrategicMergeTest, UnknownFieldsAreMergedForDecodingToReport) {
  EXPECT_EQ(Patch(kPodType, R"({"spec":{"bogus":{"a":1}}})", R"({"spec":{"bogus":{"b":2}}})"),
            J(R"({"spec":{"bogus":{"a":1,"b":2}}})"));
}

TEST(StrategicMergeTest, EmptyPatchChangesNothing) {
  EXPECT_EQ(Patch(kPodType, kTwoContainers, "{}"), J(kTwoContainers));
}

}  // namespace
}  // namespace cubelet::patch
