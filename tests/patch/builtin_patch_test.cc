// Strategic merge patch and server-side apply against the built-in core/v1 tables, with the
// objects and patches kubectl and a kubelet send.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "patch/conflict_message.h"
#include "patch/field_manager.h"
#include "patch/strategic_merge.h"
#include "patch/test_schema.h"

namespace cubelet::patch {
namespace {

using testing::J;

constexpr char kPod[] = "io.k8s.api.core.v1.Pod";
constexpr char kNode[] = "io.k8s.api.core.v1.Node";

const schema::Schema& BuiltIn() { return schema::Schema::BuiltIn(); }

// A pod as `kubectl apply --server-side -f pod.yaml` sends it.
constexpr char kWebPod[] = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default",
  "labels":{"app":"web"},"annotations":{"team":"a"}},
  "spec":{"containers":[{"name":"nginx","image":"nginx:1.25",
      "ports":[{"containerPort":80,"name":"http"},{"containerPort":53,"protocol":"UDP"}],
      "env":[{"name":"A","value":"1"},{"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
      "resources":{"limits":{"cpu":"500m","memory":"128Mi"}},
      "volumeMounts":[{"name":"data","mountPath":"/data"}],
      "args":["--port","80"]}],
    "volumes":[{"name":"data","emptyDir":{}}],
    "tolerations":[{"key":"k","operator":"Exists"}],
    "restartPolicy":"Always"}})";

absl::Time T(int seconds) { return absl::FromUnixSeconds(1700000000 + seconds); }

json::Value MustApply(const json::Value* live, const json::Value& config, std::string manager, int at,
                      bool force = false) {
  auto result = Apply(BuiltIn(), kPod, live, config,
                      ApplyRequest{.manager = std::move(manager), .api_version = "v1", .force = force, .now = T(at)});
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return json::Value();
  EXPECT_TRUE(result->conflicts.empty()) << ConflictMessage(result->conflicts);
  return result->object;
}

TEST(BuiltInPatchTest, ServerSideApplyOfARealPodConverges) {
  json::Value config = J(kWebPod);
  json::Value created = MustApply(nullptr, config, "kubectl", 0);
  const json::Value* fields = created.FindPath({"metadata", "managedFields"});
  ASSERT_NE(fields, nullptr);
  ASSERT_EQ(fields->size(), 1u);
  EXPECT_EQ(fields->AsArray()[0].GetString({"time"}), "2023-11-14T22:13:20Z");
  const json::Value* container =
      fields->AsArray()[0].FindPath({"fieldsV1", "f:spec", "f:containers", R"(k:{"name":"nginx"})"});
  ASSERT_NE(container, nullptr);
  EXPECT_NE(container->FindPath({"f:ports", R"(k:{"containerPort":80,"protocol":"TCP"})", "f:name"}), nullptr);
  EXPECT_NE(container->FindPath({"f:env", R"(k:{"name":"POD"})", "f:valueFrom", "f:fieldRef"}), nullptr);
  EXPECT_NE(container->FindPath({"f:resources", "f:limits", "f:cpu"}), nullptr);
  EXPECT_NE(container->Find("f:args"), nullptr);

  json::Value again = MustApply(&created, config, "kubectl", 60);
  EXPECT_EQ(json::Write(again), json::Write(created));
}

TEST(BuiltInPatchTest, ServerSideApplyConflictsWithClientSideApply) {
  json::Value created = J(kWebPod);
  RecordUpdate(BuiltIn(), kPod, nullptr, &created, "kubectl-client-side-apply", "v1", T(0));
  json::Value config = J(kWebPod);
  config.FindPath({"spec", "containers"})->AsArray()[0].Set("image", "nginx:1.26");
  auto result = Apply(BuiltIn(), kPod, &created, config,
                      ApplyRequest{.manager = "kubectl", .api_version = "v1", .now = T(60)});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(ConflictMessage(result->conflicts),
            R"(Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: )"
            R"(.spec.containers[name="nginx"].image)");
  json::Value forced = MustApply(&created, config, "kubectl", 60, /*force=*/true);
  EXPECT_EQ(forced.FindPath({"spec", "containers"})->AsArray()[0].GetString({"image"}), "nginx:1.26");
}

TEST(BuiltInPatchTest, ClientSideApplyPatchOnARealPod) {
  json::Value live = J(kWebPod);
  json::Value patch = J(R"({"metadata":{"labels":{"tier":"fe"}},"spec":{
      "$setElementOrder/containers":[{"name":"nginx"}],
      "containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"},{"name":"POD"}],
                     "$setElementOrder/ports":[{"containerPort":80},{"containerPort":53}],
                     "env":[{"name":"B","value":"2"}],"ports":[{"containerPort":80,"hostPort":8080}],
                     "name":"nginx"}],
      "volumes":[{"$retainKeys":["hostPath","name"],"hostPath":{"path":"/srv"},"name":"data"}]}})");
  auto out = ApplyStrategicMergePatch(BuiltIn(), kPod, live, patch);
  ASSERT_TRUE(out.ok()) << out.status();
  const json::Value& c = out->FindPath({"spec", "containers"})->AsArray()[0];
  EXPECT_EQ(*c.Find("env"), J(R"([{"name":"A","value":"1"},{"name":"B","value":"2"},
                                   {"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}])"));
  EXPECT_EQ(*c.Find("ports"), J(R"([{"containerPort":80,"name":"http","hostPort":8080},
                                     {"containerPort":53,"protocol":"UDP"}])"));
  EXPECT_EQ(*out->FindPath({"spec", "volumes"}), J(R"([{"name":"data","hostPath":{"path":"/srv"}}])"));
  EXPECT_EQ(*out->FindPath({"metadata", "labels"}), J(R"({"app":"web","tier":"fe"})"));
}

TEST(BuiltInPatchTest, KubeletNodeStatusPatchOnARealNode) {
  json::Value live = J(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"spec":{},
      "status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady",
                               "lastHeartbeatTime":"2024-01-01T00:00:00Z","lastTransitionTime":"2024-01-01T00:00:00Z"}],
                "addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"type":"Hostname","address":"n1"}],
                "nodeInfo":{"kubeletVersion":"v1.32.0"}}})");
  json::Value patch = J(R"({"status":{"$setElementOrder/conditions":[{"type":"MemoryPressure"},{"type":"Ready"}],
      "conditions":[{"lastHeartbeatTime":"2024-01-01T00:00:10Z","lastTransitionTime":"2024-01-01T00:00:10Z",
                     "message":"ok","reason":"KubeletHasSufficientMemory","status":"False","type":"MemoryPressure"},
                    {"lastHeartbeatTime":"2024-01-01T00:00:10Z","reason":"KubeletReady","status":"True","type":"Ready"}]}})");
  auto out = ApplyStrategicMergePatch(BuiltIn(), kNode, live, patch);
  ASSERT_TRUE(out.ok()) << out.status();
  const json::Array& conditions = out->FindPath({"status", "conditions"})->AsArray();
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_EQ(conditions[0].GetString({"type"}), "MemoryPressure");
  EXPECT_EQ(conditions[1], J(R"({"type":"Ready","status":"True","reason":"KubeletReady",
      "lastHeartbeatTime":"2024-01-01T00:00:10Z","lastTransitionTime":"2024-01-01T00:00:00Z"})"));
  EXPECT_EQ(out->GetString({"status", "nodeInfo", "kubeletVersion"}), "v1.32.0");

  auto cordoned = ApplyStrategicMergePatch(BuiltIn(), kNode, *out, J(R"({"spec":{"unschedulable":true}})"));
  ASSERT_TRUE(cordoned.ok()) << cordoned.status();
  EXPECT_EQ(*cordoned->Find("spec"), J(R"({"unschedulable":true})"));
}

TEST(BuiltInPatchTest, KubeletPodStatusPatchOnARealPod) {
  json::Value live = J(kWebPod);
  live.FindPath({"metadata"})->Set("uid", "u1");
  live.Set("status", J(R"({"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"}],
      "containerStatuses":[{"name":"nginx","ready":false,"restartCount":0,"image":"nginx:1.25","imageID":"",
                            "state":{"waiting":{"reason":"ContainerCreating"}}}]})"));
  json::Value patch = J(R"({"metadata":{"uid":"u1"},"status":{
      "$setElementOrder/conditions":[{"type":"Initialized"},{"type":"Ready"},{"type":"PodScheduled"}],
      "conditions":[{"lastProbeTime":null,"lastTransitionTime":"2024-01-01T00:00:05Z","status":"True","type":"Initialized"},
                    {"lastProbeTime":null,"lastTransitionTime":"2024-01-01T00:00:06Z","status":"True","type":"Ready"}],
      "containerStatuses":[{"name":"nginx","ready":true,"restartCount":0,"image":"nginx:1.25","imageID":"sha",
                            "state":{"running":{"startedAt":"2024-01-01T00:00:06Z"}}}],
      "hostIP":"10.0.0.1","phase":"Running","podIP":"10.1.0.5","podIPs":[{"ip":"10.1.0.5"}]}})");
  auto out = ApplyStrategicMergePatch(BuiltIn(), kPod, live, patch);
  ASSERT_TRUE(out.ok()) << out.status();
  // containerStatuses has no merge key: the kubelet's list replaces the old one whole.
  EXPECT_EQ(*out->FindPath({"status", "containerStatuses"}),
            J(R"([{"name":"nginx","ready":true,"restartCount":0,"image":"nginx:1.25","imageID":"sha",
                   "state":{"running":{"startedAt":"2024-01-01T00:00:06Z"}}}])"));
  std::vector<std::string> types;
  for (const json::Value& c : out->FindPath({"status", "conditions"})->AsArray()) types.push_back(c.GetString({"type"}));
  EXPECT_THAT(types, ::testing::ElementsAre("Initialized", "Ready", "PodScheduled"));
  EXPECT_EQ(out->GetString({"status", "phase"}), "Running");
}

}  // namespace
}  // namespace cubelet::patch
