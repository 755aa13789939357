#include "cgroups/cgroup_v2_manager.h"

#include <gtest/gtest.h>

#include "cgroups/temp_cgroup_tree.h"

namespace cubelet::cgroups {
namespace {

class CgroupV2ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { tree_.Seed("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n"); }
  TempCgroupTree tree_;
};

const CgroupName kPod{{"kubepods", "burstable", "pod1234-abcd"}};

TEST_F(CgroupV2ManagerTest, CreateDelegatesControllersDownTheTreeAndWritesV2Files) {
  CgroupV2Manager m(tree_.root(), CgroupDriver::kCgroupfs);
  ResourceConfig config{.memory_limit_bytes = 64 << 20, .cpu_shares = 1024, .cpu_quota_us = 50000,
                        .cpu_period_us = 100000, .pids_limit = 100, .hugepage_limits = {{2 << 20, 0}}};
  ASSERT_TRUE(m.Create(kPod, config).ok());
  EXPECT_TRUE(m.Exists(kPod));
  // Every ancestor delegates the controllers; the pod's own cgroup does not (runtime's leaves).
  for (const char* dir : {"", "kubepods/", "kubepods/burstable/"}) {
    EXPECT_EQ(tree_.Contents(std::string(dir) + "cgroup.subtree_control"), "+cpu +memory +pids +cpuset +io +hugetlb")
        << dir;
  }
  const std::string pod = "kubepods/burstable/pod1234-abcd/";
  EXPECT_FALSE(std::filesystem::exists(tree_.Path(pod + "cgroup.subtree_control")));
  EXPECT_EQ(tree_.Contents(pod + "cpu.weight"), "39");  // from 1024 shares
  EXPECT_EQ(tree_.Contents(pod + "cpu.max"), "50000 100000");
  EXPECT_EQ(tree_.Contents(pod + "memory.max"), "67108864");
  EXPECT_EQ(tree_.Contents(pod + "pids.max"), "100");
  EXPECT_EQ(tree_.Contents(pod + "hugetlb.2MB.max"), "0");
  auto read = m.Read(kPod);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->cpu_weight, 39);
  EXPECT_EQ(read->cpu_quota_us, 50000);
  EXPECT_EQ(read->cpu_period_us, 100000);
  EXPECT_EQ(read->memory_limit_bytes, 64 << 20);
}

TEST_F(CgroupV2ManagerTest, NoLimitIsSpelledMax) {
  CgroupV2Manager m(tree_.root(), CgroupDriver::kCgroupfs);
  ASSERT_TRUE(m.Create(kPod, {.memory_limit_bytes = -1, .cpu_quota_us = -1, .cpu_period_us = 100000,
                              .pids_limit = -1}).ok());
  const std::string pod = "kubepods/burstable/pod1234-abcd/";
  EXPECT_EQ(tree_.Contents(pod + "cpu.max"), "max 100000");
  EXPECT_EQ(tree_.Contents(pod + "memory.max"), "max");
  EXPECT_EQ(tree_.Contents(pod + "pids.max"), "max");
  auto read = m.Read(kPod);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->memory_limit_bytes, -1);
  EXPECT_EQ(read->cpu_quota_us, -1);
}

TEST_F(CgroupV2ManagerTest, AMissingRequiredControllerIsAClearError) {
  tree_.Seed("cgroup.controllers", "cpu memory\n");
  CgroupV2Manager m(tree_.root(), CgroupDriver::kCgroupfs);
  absl::Status s = m.Create(kPod, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("pids controller is not available"), std::string::npos) << s;
  EXPECT_FALSE(m.Exists(kPod)) << "nothing is created when the controllers are missing";
}

TEST_F(CgroupV2ManagerTest, DestroyRemovesThePodAndWhatTheRuntimeMadeBelowIt) {
  CgroupV2Manager m(tree_.root(), CgroupDriver::kSystemd);
  ASSERT_TRUE(m.Create(kPod, {}).ok());
  const std::string pod = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_abcd.slice";
  EXPECT_TRUE(tree_.IsDir(pod));
  tree_.Seed(pod + "/cri-containerd-abc.scope/cgroup.procs", "77\n");
  auto pids = m.Pids(kPod);
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_EQ(*pids, std::vector<int>{77});
  auto children = m.Children(CgroupName{{"kubepods", "burstable"}});
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->size(), 1u);
  EXPECT_EQ((*children)[0], kPod);
  ASSERT_TRUE(m.Destroy(kPod).ok());
  EXPECT_FALSE(tree_.IsDir(pod));
  EXPECT_TRUE(tree_.IsDir("kubepods.slice/kubepods-burstable.slice"));
}

}  // namespace
}  // namespace cubelet::cgroups
