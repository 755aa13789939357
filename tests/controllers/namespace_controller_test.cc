#include "controllers/namespace_controller.h"

#include "controllers/controller_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

using testing::Eventually;
using testing::Stack;
using testing::TempDir;

const json::Value* Condition(const json::Value& ns, const std::string& type) {
  const json::Value* conditions = ns.FindPath({"status", "conditions"});
  if (conditions == nullptr || !conditions->is_array()) return nullptr;
  for (const json::Value& c : conditions->AsArray()) {
    if (c.GetString({"type"}) == type) return &c;
  }
  return nullptr;
}

std::unique_ptr<storage::cacher::WatchHandle> WatchAll(registry::ResourceStore* store, testing::RecordingSink* sink) {
  auto handle = store->Watch("", registry::ResourceStore::WatchOptions{}, sink);
  EXPECT_TRUE(handle.ok()) << handle.status();
  return handle.ok() ? std::move(*handle) : nullptr;
}

TEST(NamespaceControllerTest, DeletingANamespaceDeletesItsContentThenTheNamespace) {
  TempDir dir;
  RealClock clock;
  Stack stack(dir.path(), &clock);
  registry::ResourceStore* namespaces = stack.Core("namespaces");
  registry::ResourceStore* pods = stack.Core("pods");
  registry::ResourceStore* configmaps = stack.Core("configmaps");
  registry::ResourceStore* secrets = stack.Core("secrets");
  registry::ResourceStore* services = stack.Core("services");
  testing::RecordingSink ns_events, cm_events;
  auto ns_watch = WatchAll(namespaces, &ns_events);
  auto cm_watch = WatchAll(configmaps, &cm_events);
  stack.StartControllers();

  stack.Create(namespaces, "", testing::Namespace("doomed"));
  stack.Create(namespaces, "", testing::Namespace("bystander"));
  stack.Create(pods, "doomed", testing::Pod("p1"));
  stack.Create(pods, "doomed", testing::Pod("p2"));
  stack.Create(configmaps, "doomed", testing::ConfigMap("c1"));
  stack.Create(configmaps, "bystander", testing::ConfigMap("c1"));
  stack.Create(secrets, "doomed",
               testing::Parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s1"},"data":{"a":"Yg=="}})"));
  stack.Create(services, "doomed",
               testing::Parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"ports":[{"port":80}]}})"));
  ASSERT_TRUE(Eventually([&] { return stack.Get(stack.Core("serviceaccounts"), "doomed", "default") != nullptr; }));

  auto deleted = namespaces->Delete("", "doomed", registry::DeleteOptions{});
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_FALSE(deleted->removed);
  EXPECT_EQ(deleted->object->object->GetString({"status", "phase"}), "Terminating");

  ASSERT_TRUE(Eventually([&] { return stack.Get(namespaces, "", "doomed") == nullptr; }));
  for (const char* resource : {"pods", "configmaps", "secrets", "services", "serviceaccounts"}) {
    EXPECT_EQ(stack.Count(stack.Core(resource), "doomed"), 0u) << resource;
  }
  EXPECT_NE(stack.Get(configmaps, "bystander", "c1"), nullptr);
  EXPECT_NE(stack.Get(namespaces, "", "bystander"), nullptr);
  // The namespace went last.
  ASSERT_TRUE(Eventually([&] { return ns_events.DeletedAt("", "doomed") > 0; }));
  EXPECT_GT(ns_events.DeletedAt("", "doomed"), cm_events.DeletedAt("doomed", "c1"));
  EXPECT_GT(cm_events.DeletedAt("doomed", "c1"), 0);
}

TEST(NamespaceControllerTest, ANamespaceWaitsForGracefulPodsAndSaysWhatRemains) {
  TempDir dir;
  FakeClock clock;
  Stack stack(dir.path(), &clock);
  registry::ResourceStore* namespaces = stack.Core("namespaces");
  registry::ResourceStore* pods = stack.Core("pods");
  stack.StartControllers();
  stack.Create(namespaces, "", testing::Namespace("slow"));
  auto pod = stack.Create(pods, "slow", testing::Pod("bound", "node-1"));
  ASSERT_NE(pod, nullptr);
  stack.Create(stack.Core("configmaps"), "slow", testing::ConfigMap("c"));
  ASSERT_TRUE(namespaces->Delete("", "slow", registry::DeleteOptions{}).ok());

  // The pod is deleted gracefully (its kubelet has to stop it); everything else is gone.
  ASSERT_TRUE(Eventually([&] {
    auto ns = stack.Get(namespaces, "", "slow");
    const json::Value* c = ns == nullptr ? nullptr : Condition(*ns, "NamespaceContentRemaining");
    return c != nullptr && c->GetString({"status"}) == "True";
  }));
  auto ns = stack.Get(namespaces, "", "slow");
  EXPECT_EQ(Condition(*ns, "NamespaceContentRemaining")->GetString({"message"}),
            "Some resources are remaining: pods. has 1 resource instances");
  EXPECT_EQ(Condition(*ns, "NamespaceDeletionContentFailure")->GetString({"status"}), "False");
  EXPECT_EQ(stack.Count(stack.Core("configmaps"), "slow"), 0u);
  auto terminating = stack.Get(pods, "slow", "bound");
  ASSERT_NE(terminating, nullptr);
  EXPECT_FALSE(terminating->GetString({"metadata", "deletionTimestamp"}).empty());

  // Nothing changes while the pod is there, however often the controller looks.
  clock.Advance(absl::Seconds(20));
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_NE(stack.Get(namespaces, "", "slow"), nullptr);

  // The kubelet confirms; at the controller's next look the namespace goes.
  registry::DeleteOptions confirm;
  confirm.grace_period_seconds = 0;
  confirm.preconditions.uid = pod->GetString({"metadata", "uid"});
  ASSERT_TRUE(pods->Delete("slow", "bound", confirm).ok());
  ASSERT_TRUE(Eventually([&] {
    clock.Advance(absl::Seconds(5));
    return stack.Get(namespaces, "", "slow") == nullptr;
  }));
}

TEST(NamespaceControllerTest, AForegroundDeletedNamespaceStillWaitsForItsContent) {
  TempDir dir;
  RealClock clock;
  Stack stack(dir.path(), &clock);
  registry::ResourceStore* namespaces = stack.Core("namespaces");
  registry::ResourceStore* configmaps = stack.Core("configmaps");
  testing::RecordingSink ns_events, cm_events;
  auto ns_watch = WatchAll(namespaces, &ns_events);
  auto cm_watch = WatchAll(configmaps, &cm_events);
  stack.StartControllers();
  stack.Create(namespaces, "", testing::Namespace("fg"));
  for (int i = 0; i < 20; ++i) stack.Create(configmaps, "fg", testing::ConfigMap("c" + std::to_string(i)));

  registry::DeleteOptions foreground;
  foreground.propagation_policy = "Foreground";
  ASSERT_TRUE(namespaces->Delete("", "fg", foreground).ok());
  ASSERT_TRUE(Eventually([&] { return ns_events.DeletedAt("", "fg") > 0; }));
  for (int i = 0; i < 20; ++i) {
    const int64_t cm_gone = cm_events.DeletedAt("fg", "c" + std::to_string(i));
    EXPECT_GT(cm_gone, 0) << i;
    EXPECT_LT(cm_gone, ns_events.DeletedAt("", "fg")) << i;
  }
}

}  // namespace
}  // namespace cubelet::controllers
