#include "cm/container_manager.h"

#include <gtest/gtest.h>

#include "cgroups/cgroup_v1_manager.h"
#include "cgroups/cgroup_v2_manager.h"
#include "cgroups/temp_cgroup_tree.h"
#include "cm/node_allocatable.h"
#include "common/clock.h"

namespace cubelet::cm {
namespace {

using cgroups::TempCgroupTree;

api::Quantity Milli(int64_t m) { return api::Quantity::FromMilli(m); }
api::Quantity Bytes(int64_t b) { return api::Quantity::FromInt(b, api::Quantity::Format::kBinarySI); }

std::shared_ptr<api::Pod> MakePod(std::string uid, api::ResourceList requests, api::ResourceList limits = {}) {
  auto pod = std::make_shared<api::Pod>();
  pod->metadata.name = "p-" + uid;
  pod->metadata.namespace_ = "default";
  pod->metadata.uid = std::move(uid);
  api::Container c{.name = "c", .image = "i"};
  c.resources.requests = std::move(requests);
  c.resources.limits = std::move(limits);
  pod->spec.containers = {c};
  return pod;
}

// The manager as the agent builds it, on a temp-dir tree laid out as cgroup v1.
class ContainerManagerTest : public ::testing::Test {
 protected:
  std::unique_ptr<ContainerManager> Make(std::string cgroup_root = "/cubelet", std::string driver = "cgroupfs") {
    auto layout = ParseCgroupLayout(cgroup_root, driver, true);
    EXPECT_TRUE(layout.ok()) << layout.status();
    ContainerManagerOptions o;
    o.layout = *layout;
    o.pod.pod_pids_limit = 100;
    o.capacity = {{"cpu", api::Quantity::FromInt(2)}, {"memory", Bytes(int64_t{4} << 30)}, {"pid", api::Quantity::FromInt(4096)}};
    auto allocatable = NodeAllocatable(o.capacity, {{"cpu", "500m"}, {"memory", "1Gi"}}, {{"pid", "96"}});
    EXPECT_TRUE(allocatable.ok()) << allocatable.status();
    o.allocatable = *allocatable;
    auto cgroups = std::make_unique<cgroups::CgroupV1Manager>(
        std::map<std::string, std::string>{{"cpu", tree_.Path("cpu")}, {"memory", tree_.Path("memory")},
                                           {"pids", tree_.Path("pids")}},
        layout->driver);
    return std::make_unique<ContainerManager>(std::move(cgroups), o, [this] { return active_; },
                                              Logger(std::make_shared<CapturingLogSink>(), 0, &clock_));
  }
  std::string Cpu(const std::string& rel) { return tree_.Contents("cpu/cubelet/" + rel + "/cpu.shares"); }

  FakeClock clock_;
  TempCgroupTree tree_;
  std::vector<std::shared_ptr<const api::Pod>> active_;
};

TEST_F(ContainerManagerTest, StartAppliesNodeAllocatableToKubepodsAndMakesTheQosCgroups) {
  auto cm = Make();
  ASSERT_TRUE(cm->Start().ok());
  EXPECT_EQ(Cpu("kubepods"), "1536") << "2 cpus - 500m kubeReserved";
  EXPECT_EQ(tree_.Contents("memory/cubelet/kubepods/memory.limit_in_bytes"), std::to_string(int64_t{3} << 30));
  EXPECT_EQ(tree_.Contents("pids/cubelet/kubepods/pids.max"), "4000");
  EXPECT_TRUE(tree_.IsDir("memory/cubelet/kubepods/burstable"));
  EXPECT_EQ(Cpu("kubepods/besteffort"), "2");
}

TEST_F(ContainerManagerTest, PodCgroupsGoUnderTheirQosClassAndBurstableWeighsItsRequests) {
  auto cm = Make();
  ASSERT_TRUE(cm->Start().ok());
  auto guaranteed = MakePod("g1", {{"cpu", Milli(500)}, {"memory", Bytes(64 << 20)}},
                            {{"cpu", Milli(500)}, {"memory", Bytes(64 << 20)}});
  auto burstable1 = MakePod("b1", {{"cpu", Milli(250)}});
  auto burstable2 = MakePod("b2", {{"cpu", Milli(750)}, {"memory", Bytes(1 << 20)}});
  auto besteffort = MakePod("e1", {});
  active_ = {guaranteed, burstable1, burstable2, besteffort};
  for (const auto& p : active_) ASSERT_TRUE(cm->EnsurePodCgroup(*p).ok()) << p->metadata.uid;

  EXPECT_EQ(cm->PodCgroupParent(*guaranteed).value_or(""), "/cubelet/kubepods/podg1");
  EXPECT_EQ(cm->PodCgroupParent(*burstable1).value_or(""), "/cubelet/kubepods/burstable/podb1");
  EXPECT_EQ(cm->PodCgroupParent(*besteffort).value_or(""), "/cubelet/kubepods/besteffort/pode1");
  EXPECT_EQ(Cpu("kubepods/podg1"), "512");
  EXPECT_EQ(tree_.Contents("cpu/cubelet/kubepods/podg1/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(tree_.Contents("memory/cubelet/kubepods/podg1/memory.limit_in_bytes"), std::to_string(64 << 20));
  EXPECT_EQ(tree_.Contents("pids/cubelet/kubepods/burstable/podb1/pids.max"), "100") << "podPidsLimit";
  EXPECT_EQ(Cpu("kubepods/besteffort/pode1"), "2");
  EXPECT_EQ(Cpu("kubepods/burstable"), "1024") << "250m + 750m of Burstable requests";

  active_ = {guaranteed, burstable1, besteffort};
  ASSERT_TRUE(cm->RemovePodCgroup(*burstable2).ok());
  EXPECT_FALSE(tree_.IsDir("cpu/cubelet/kubepods/burstable/podb2"));
  EXPECT_FALSE(tree_.IsDir("memory/cubelet/kubepods/burstable/podb2"));
  EXPECT_EQ(Cpu("kubepods/burstable"), "256") << "the removed pod's request no longer counts";
}

TEST_F(ContainerManagerTest, OrphanedPodCgroupsAreRemovedAndKnownOnesKept) {
  auto cm = Make();
  ASSERT_TRUE(cm->Start().ok());
  auto kept = MakePod("keep", {{"cpu", Milli(100)}});
  auto orphan = MakePod("gone", {});
  ASSERT_TRUE(cm->EnsurePodCgroup(*kept).ok());
  ASSERT_TRUE(cm->EnsurePodCgroup(*orphan).ok());
  cm->CleanupOrphanedPodCgroups([](const std::string& uid) { return uid == "keep"; });
  EXPECT_TRUE(tree_.IsDir("cpu/cubelet/kubepods/burstable/podkeep"));
  EXPECT_FALSE(tree_.IsDir("cpu/cubelet/kubepods/besteffort/podgone"));
  EXPECT_TRUE(tree_.IsDir("cpu/cubelet/kubepods/besteffort")) << "QoS cgroups are never orphans";
}

TEST_F(ContainerManagerTest, TheSystemdDriverNamesSlices) {
  auto cm = Make("/", "systemd");
  ASSERT_TRUE(cm->Start().ok());
  auto pod = MakePod("1234-abcd", {{"cpu", Milli(100)}});
  active_ = {pod};
  ASSERT_TRUE(cm->EnsurePodCgroup(*pod).ok());
  const std::string parent = cm->PodCgroupParent(*pod).value_or("");
  EXPECT_EQ(parent, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_abcd.slice");
  EXPECT_TRUE(tree_.IsDir("cpu" + parent));
  cm->CleanupOrphanedPodCgroups([](const std::string& uid) { return uid == "1234-abcd"; });
  EXPECT_TRUE(tree_.IsDir("cpu" + parent)) << "the UID is read back from the slice name";
  cm->CleanupOrphanedPodCgroups([](const std::string&) { return false; });
  EXPECT_FALSE(tree_.IsDir("cpu" + parent));
}

TEST(CgroupLayoutTest, BadDriverOrSystemdRootNamesTheField) {
  auto bad_driver = ParseCgroupLayout("/", "openrc", true);
  ASSERT_FALSE(bad_driver.ok());
  EXPECT_NE(bad_driver.status().message().find("cgroupDriver"), std::string::npos);
  auto bad_root = ParseCgroupLayout("/cubelet", "systemd", true);
  ASSERT_FALSE(bad_root.ok());
  EXPECT_NE(bad_root.status().message().find("cgroupRoot"), std::string::npos);
}

TEST(CgroupLayoutTest, WithoutCgroupsPerQosPodsRunInTheRoot) {
  auto layout = ParseCgroupLayout("/cubelet", "cgroupfs", false);
  ASSERT_TRUE(layout.ok());
  api::Pod pod;
  pod.metadata.uid = "u";
  EXPECT_EQ(PodCgroupParent(*layout, pod).value_or(""), "/cubelet");
}

TEST(NodeAllocatableTest, ReservationsAreSubtractedAndBadOnesNamed) {
  api::ResourceList capacity = {{"cpu", api::Quantity::FromInt(4)}, {"memory", Bytes(int64_t{8} << 30)}};
  auto a = NodeAllocatable(capacity, {{"cpu", "1"}}, {{"cpu", "500m"}, {"memory", "10Gi"}});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->at("cpu").MilliValue(), 2500);
  EXPECT_EQ(a->at("memory").Value(), 0) << "floored at zero";
  auto bad = NodeAllocatable(capacity, {{"memory", "12 apples"}}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("kubeReserved.memory"), std::string::npos) << bad.status();
}

TEST(NodeAllocatableTest, TheHostHasCpusAndMemory) {
  api::ResourceList cap = HostCapacity();
  EXPECT_GE(cap.at("cpu").Value(), 1);
  EXPECT_GT(cap.at("memory").Value(), 64 << 20);
}

// A UID is the pod author's; "pod" + a UID with '/' would be a path that climbs out of the QoS
// cgroup. The attack needs an existing pod<x> cgroup to climb through: pod "x" makes one.
TEST_F(ContainerManagerTest, ATraversalUidNeitherCreatesNorRemovesACgroupOutsideKubepods) {
  auto cm = Make();
  ASSERT_TRUE(cm->Start().ok());
  auto stepping_stone = MakePod("x", {});
  ASSERT_TRUE(cm->EnsurePodCgroup(*stepping_stone).ok());
  ASSERT_TRUE(tree_.IsDir("cpu/cubelet/kubepods/besteffort/podx"));

  // besteffort/podx/.. x4 is the cpu hierarchy's root.
  auto create = MakePod("x/../../../../escaped", {});
  absl::Status created = cm->EnsurePodCgroup(*create);
  EXPECT_EQ(created.code(), absl::StatusCode::kInvalidArgument) << created;
  EXPECT_NE(created.message().find("metadata.uid"), std::string::npos) << created;
  EXPECT_FALSE(tree_.IsDir("cpu/escaped"));
  EXPECT_FALSE(tree_.IsDir("memory/escaped"));
  EXPECT_FALSE(cm->PodCgroupParent(*create).ok());

  tree_.Seed("cpu/system.slice/cgroup.procs", "");
  auto remove = MakePod("x/../../../../system.slice", {});
  absl::Status removed = cm->RemovePodCgroup(*remove);
  EXPECT_EQ(removed.code(), absl::StatusCode::kInvalidArgument) << removed;
  EXPECT_NE(removed.message().find("metadata.uid"), std::string::npos) << removed;
  EXPECT_TRUE(tree_.IsDir("cpu/system.slice")) << "a cgroup outside kubepods was removed";
}

TEST(CgroupLayoutTest, PodCgroupRefusesAUidThatIsNotOnePathElementUnderEitherDriver) {
  api::Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "default";
  for (const char* driver : {"cgroupfs", "systemd"}) {
    auto layout = ParseCgroupLayout("/", driver, true);
    ASSERT_TRUE(layout.ok()) << layout.status();
    for (const char* uid : {"../../x", "a/b", "..", ""}) {
      pod.metadata.uid = uid;
      auto name = PodCgroup(*layout, pod);
      ASSERT_FALSE(name.ok()) << driver << " accepted uid \"" << uid << "\"";
      EXPECT_EQ(name.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(name.status().message().find("metadata.uid"), std::string::npos) << name.status();
      EXPECT_FALSE(PodCgroupParent(*layout, pod).ok()) << driver << " uid \"" << uid << "\"";
    }
  }
}

}  // namespace
}  // namespace cubelet::cm
