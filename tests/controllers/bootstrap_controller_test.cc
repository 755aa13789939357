#include "controllers/bootstrap_controller.h"

#include "controllers/controller_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

using testing::Eventually;
using testing::Stack;
using testing::TempDir;

const char* const kSystemNamespaces[] = {"default", "kube-system", "kube-public", "kube-node-lease"};

bool AllDefaultServiceAccounts(Stack& stack) {
  for (const char* ns : kSystemNamespaces) {
    if (stack.Get(stack.Core("serviceaccounts"), ns, "default") == nullptr) return false;
  }
  return true;
}

TEST(BootstrapControllerTest, CreatesTheSystemObjectsAndARestartWritesNothing) {
  TempDir dir;
  RealClock clock;
  {
    Stack stack(dir.path(), &clock);
    stack.StartControllers();
    for (const char* ns : kSystemNamespaces) {
      auto got = stack.Get(stack.Core("namespaces"), "", ns);
      ASSERT_NE(got, nullptr) << ns;
      EXPECT_EQ(got->GetString({"status", "phase"}), "Active");
      EXPECT_EQ(got->GetString({"metadata", "labels", "kubernetes.io/metadata.name"}), ns);
    }
    registry::ResourceStore* pcs = stack.Store("scheduling.k8s.io", "priorityclasses");
    auto node_critical = stack.Get(pcs, "", "system-node-critical");
    ASSERT_NE(node_critical, nullptr);
    EXPECT_EQ(node_critical->Find("value")->AsInt64(), 2000001000);
    EXPECT_EQ(node_critical->GetString({"description"}),
              "Used for system critical pods that must not be moved from their current node.");
    auto cluster_critical = stack.Get(pcs, "", "system-cluster-critical");
    ASSERT_NE(cluster_critical, nullptr);
    EXPECT_EQ(cluster_critical->Find("value")->AsInt64(), 2000000000);

    auto svc = stack.Get(stack.Core("services"), "default", "kubernetes");
    ASSERT_NE(svc, nullptr);
    EXPECT_EQ(svc->GetString({"spec", "type"}), "ClusterIP");
    EXPECT_EQ(svc->GetString({"spec", "clusterIP"}), "10.0.0.1");
    EXPECT_EQ(svc->GetString({"spec", "sessionAffinity"}), "None");
    EXPECT_EQ(svc->GetString({"metadata", "labels", "component"}), "apiserver");
    EXPECT_EQ(svc->GetString({"metadata", "labels", "provider"}), "kubernetes");
    EXPECT_EQ(*svc->FindPath({"spec", "ports"}),
              testing::Parse(R"([{"name":"https","port":443,"protocol":"TCP","targetPort":6443}])"));

    auto ep = stack.Get(stack.Core("endpoints"), "default", "kubernetes");
    ASSERT_NE(ep, nullptr);
    EXPECT_EQ(*ep->Find("subsets"),
              testing::Parse(R"([{"addresses":[{"ip":"192.0.2.10"}],"ports":[{"name":"https","port":6443,"protocol":"TCP"}]}])"));

    EXPECT_TRUE(Eventually([&] { return AllDefaultServiceAccounts(stack); }));
  }
  // The server restarts on the same data: everything exists, so nothing is written.
  Stack again(dir.path(), &clock);
  const int64_t before = again.Revision();
  again.StartControllers();
  absl::SleepFor(absl::Seconds(1));  // let every controller see the initial objects
  EXPECT_EQ(again.Revision(), before);
  EXPECT_TRUE(AllDefaultServiceAccounts(again));
}

TEST(BootstrapControllerTest, ExistingObjectsAreKeptAsTheyAre) {
  TempDir dir;
  RealClock clock;
  Stack stack(dir.path(), &clock);
  json::Value ns = testing::Namespace("kube-public");
  ns["metadata"].Ensure({"labels"}).Set("mine", "yes");
  stack.Create(stack.Core("namespaces"), "", ns);
  stack.StartControllers();
  auto got = stack.Get(stack.Core("namespaces"), "", "kube-public");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->GetString({"metadata", "labels", "mine"}), "yes");
}

TEST(BootstrapControllerTest, TheKubernetesServiceAndEndpointsArePutBackWhenEdited) {
  TempDir dir;
  RealClock clock;
  Stack stack(dir.path(), &clock);
  stack.StartControllers();
  registry::ResourceStore* services = stack.Core("services");
  registry::ResourceStore* endpoints = stack.Core("endpoints");
  const json::Value want_ports = *stack.Get(services, "default", "kubernetes")->FindPath({"spec", "ports"});
  const json::Value want_subsets = *stack.Get(endpoints, "default", "kubernetes")->Find("subsets");

  auto edited = services->GuaranteedUpdate(
      "default", "kubernetes",
      [](const json::Value& cur) -> absl::StatusOr<json::Value> {
        json::Value next = cur;
        next["spec"].Set("ports", testing::Parse(R"([{"name":"http","port":8080,"protocol":"TCP"}])"));
        next["metadata"]["labels"].Set("extra", "kept");
        return next;
      },
      false, false, {});
  ASSERT_TRUE(edited.ok()) << edited.status();
  auto edited_ep = endpoints->GuaranteedUpdate(
      "default", "kubernetes",
      [](const json::Value& cur) -> absl::StatusOr<json::Value> {
        json::Value next = cur;
        next.Set("subsets", testing::Parse(R"([{"addresses":[{"ip":"198.51.100.1"}],"ports":[{"port":1}]}])"));
        return next;
      },
      false, false, {});
  ASSERT_TRUE(edited_ep.ok()) << edited_ep.status();

  EXPECT_TRUE(Eventually([&] {
    auto svc = stack.Get(services, "default", "kubernetes");
    return svc != nullptr && *svc->FindPath({"spec", "ports"}) == want_ports;
  }));
  // Only the type and ports are the controller's (as upstream): the label stays.
  EXPECT_EQ(stack.Get(services, "default", "kubernetes")->GetString({"metadata", "labels", "extra"}), "kept");
  EXPECT_TRUE(Eventually([&] {
    auto ep = stack.Get(endpoints, "default", "kubernetes");
    return ep != nullptr && *ep->Find("subsets") == want_subsets;
  }));

  // Deleted: created again.
  ASSERT_TRUE(services->Delete("default", "kubernetes", registry::DeleteOptions{}).ok());
  EXPECT_TRUE(Eventually([&] {
    auto svc = stack.Get(services, "default", "kubernetes");
    return svc != nullptr && svc->GetString({"spec", "clusterIP"}) == "10.0.0.1";
  }));
}

TEST(BootstrapControllerTest, AnIdleControllerManagerWritesNothingAcrossResyncs) {
  TempDir dir;
  FakeClock clock;
  Stack stack(dir.path(), &clock, /*verbosity=*/4);
  stack.StartControllers();
  ASSERT_TRUE(Eventually([&] { return AllDefaultServiceAccounts(stack); }));
  absl::SleepFor(absl::Milliseconds(500));  // the writes above have been seen by every controller
  const int64_t before = stack.Revision();
  const int64_t requests_before = stack.sqlite()->Stats().requests;
  const int resyncs_before = stack.log().Count("Reconciled the bootstrap objects");
  for (int i = 0; i < 5; ++i) {
    clock.Advance(Stack::Options().resync_interval);
    const int want = resyncs_before + i + 1;
    ASSERT_TRUE(Eventually([&] { return stack.log().Count("Reconciled the bootstrap objects") >= want; }));
  }
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(stack.Revision(), before);
  // Not even a write that failed its comparison (a create of something that exists).
  EXPECT_EQ(stack.sqlite()->Stats().requests, requests_before);
}

}  // namespace
}  // namespace cubelet::controllers
