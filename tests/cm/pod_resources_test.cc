#include "cm/pod_resources.h"

#include <gtest/gtest.h>

namespace cubelet::cm {
namespace {

api::Container Ctr(std::string name, api::ResourceList requests, api::ResourceList limits = {}) {
  api::Container c{.name = std::move(name), .image = "i"};
  c.resources.requests = std::move(requests);
  c.resources.limits = std::move(limits);
  return c;
}
api::Quantity Milli(int64_t m) { return api::Quantity::FromMilli(m); }
api::Quantity Bytes(int64_t b) { return api::Quantity::FromInt(b, api::Quantity::Format::kBinarySI); }

TEST(PodResourcesTest, RequestsAddUpAndTheLargestInitContainerWins) {
  api::Pod pod;
  pod.spec.containers = {Ctr("a", {{"cpu", Milli(100)}}), Ctr("b", {{"cpu", Milli(200)}})};
  pod.spec.init_containers = {Ctr("init", {{"cpu", Milli(250)}, {"memory", Bytes(1 << 20)}})};
  api::ResourceList r = PodRequests(pod);
  EXPECT_EQ(r.at("cpu").MilliValue(), 300);
  EXPECT_EQ(r.at("memory").Value(), 1 << 20) << "only the init container asks for memory";
  pod.spec.init_containers[0].resources.requests["cpu"] = Milli(500);
  EXPECT_EQ(PodRequests(pod).at("cpu").MilliValue(), 500);
}

TEST(PodResourcesTest, SidecarsRunBesideEverythingStartedAfterThem) {
  api::Pod pod;
  pod.spec.containers = {Ctr("app", {{"cpu", Milli(100)}})};
  api::Container sidecar = Ctr("proxy", {{"cpu", Milli(50)}});
  sidecar.restart_policy = "Always";
  pod.spec.init_containers = {sidecar, Ctr("migrate", {{"cpu", Milli(400)}})};
  // migrate runs beside the proxy (450); the app runs beside it too (150): the pod needs 450.
  EXPECT_EQ(PodRequests(pod).at("cpu").MilliValue(), 450);
}

TEST(ResourceConfigForPodTest, GuaranteedGetsEverything) {
  api::Pod pod;
  api::ResourceList both = {{"cpu", Milli(500)}, {"memory", Bytes(128 << 20)}};
  pod.spec.containers = {Ctr("a", both, both), Ctr("b", both, both)};
  cgroups::ResourceConfig c = ResourceConfigForPod(pod, {.pod_pids_limit = 256});
  EXPECT_EQ(c.cpu_shares, 1024);
  EXPECT_EQ(c.cpu_quota_us, 100000);
  EXPECT_EQ(c.cpu_period_us, 100000);
  EXPECT_EQ(c.memory_limit_bytes, 256 << 20);
  EXPECT_EQ(c.pids_limit, 256);
}

TEST(ResourceConfigForPodTest, BurstableGetsLimitsOnlyWhenEveryContainerDeclaresThem) {
  api::Pod pod;
  pod.spec.containers = {Ctr("a", {{"cpu", Milli(100)}}, {{"cpu", Milli(200)}, {"memory", Bytes(64 << 20)}}),
                         Ctr("b", {{"cpu", Milli(100)}})};
  cgroups::ResourceConfig c = ResourceConfigForPod(pod, {});
  EXPECT_EQ(c.cpu_shares, 204);
  EXPECT_FALSE(c.cpu_quota_us) << "b declares no cpu limit";
  EXPECT_FALSE(c.memory_limit_bytes) << "b declares no memory limit";
  EXPECT_FALSE(c.pids_limit) << "podPidsLimit -1 leaves pids alone";

  pod.spec.containers[1].resources.limits = {{"cpu", Milli(300)}, {"memory", Bytes(32 << 20)}};
  c = ResourceConfigForPod(pod, {.enforce_cpu_limits = false});
  EXPECT_EQ(c.cpu_quota_us, -1) << "cpuCFSQuota: false lifts the quota";
  EXPECT_EQ(c.memory_limit_bytes, 96 << 20);
}

TEST(ResourceConfigForPodTest, BestEffortGetsTwoSharesAndHugePagesComeFromRequests) {
  api::Pod pod;
  pod.spec.containers = {Ctr("a", {})};
  cgroups::ResourceConfig c = ResourceConfigForPod(pod, {});
  EXPECT_EQ(c.cpu_shares, 2);
  EXPECT_FALSE(c.cpu_quota_us);
  EXPECT_FALSE(c.memory_limit_bytes);

  pod.spec.containers = {Ctr("a", {{"hugepages-2Mi", Bytes(8 << 20)}, {"cpu", Milli(100)}})};
  c = ResourceConfigForPod(pod, {});
  EXPECT_EQ(c.hugepage_limits, (std::map<int64_t, int64_t>{{2 << 20, 8 << 20}}));
}

}  // namespace
}  // namespace cubelet::cm
