#include "cgroups/cgroup_v1_manager.h"

#include <gtest/gtest.h>

#include "cgroups/temp_cgroup_tree.h"

namespace cubelet::cgroups {
namespace {

// A v1 host: cpu and cpuacct co-mounted, cpuset, memory and pids on their own hierarchies.
class CgroupV1ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.Seed("cpu,cpuacct/cpu.shares", "1024\n");
    tree_.Seed("cpuset/cpuset.cpus", "0-1\n");
    tree_.Seed("cpuset/cpuset.mems", "0\n");
    tree_.Seed("memory/memory.limit_in_bytes", "9223372036854771712\n");
    tree_.Seed("pids/pids.max", "max\n");
  }
  CgroupV1Manager Manager(CgroupDriver driver = CgroupDriver::kCgroupfs) {
    return CgroupV1Manager({{"cpu", tree_.Path("cpu,cpuacct")},
                            {"cpuacct", tree_.Path("cpu,cpuacct")},
                            {"cpuset", tree_.Path("cpuset")},
                            {"memory", tree_.Path("memory")},
                            {"pids", tree_.Path("pids")}},
                           driver);
  }
  TempCgroupTree tree_;
};

const CgroupName kPod{{"kubepods", "burstable", "pod1234-abcd"}};

TEST_F(CgroupV1ManagerTest, CreateMakesTheCgroupInEveryHierarchyAndWritesTheLimits) {
  auto m = Manager();
  EXPECT_FALSE(m.Exists(kPod));
  ResourceConfig config{.memory_limit_bytes = 128 << 20, .cpu_shares = 256, .cpu_quota_us = 50000,
                        .cpu_period_us = 100000, .pids_limit = 1024};
  ASSERT_TRUE(m.Create(kPod, config).ok());
  EXPECT_TRUE(m.Exists(kPod));
  for (const char* h : {"cpu,cpuacct", "cpuset", "memory", "pids"}) {
    EXPECT_TRUE(tree_.IsDir(std::string(h) + "/kubepods/burstable/pod1234-abcd")) << h;
  }
  const std::string cpu = "cpu,cpuacct/kubepods/burstable/pod1234-abcd/";
  EXPECT_EQ(tree_.Contents(cpu + "cpu.shares"), "256");
  EXPECT_EQ(tree_.Contents(cpu + "cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(tree_.Contents(cpu + "cpu.cfs_period_us"), "100000");
  EXPECT_EQ(tree_.Contents("memory/kubepods/burstable/pod1234-abcd/memory.limit_in_bytes"), "134217728");
  EXPECT_EQ(tree_.Contents("pids/kubepods/burstable/pod1234-abcd/pids.max"), "1024");
  auto read = m.Read(kPod);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->cpu_shares, 256);
  EXPECT_EQ(read->memory_limit_bytes, 128 << 20);
  EXPECT_EQ(read->pids_limit, 1024);
}

TEST_F(CgroupV1ManagerTest, NewCpusetCgroupsInheritTheParentsCpusAndMems) {
  auto m = Manager();
  // The kernel creates cpuset.cpus empty; the seeded empty files stand for that.
  tree_.Seed("cpuset/kubepods/cpuset.cpus", "");
  tree_.Seed("cpuset/kubepods/cpuset.mems", "");
  ASSERT_TRUE(m.Create(CgroupName{{"kubepods"}}, {}).ok());
  EXPECT_EQ(tree_.Contents("cpuset/kubepods/cpuset.cpus"), "0-1");
  EXPECT_EQ(tree_.Contents("cpuset/kubepods/cpuset.mems"), "0");
}

TEST_F(CgroupV1ManagerTest, UnsetFieldsAreLeftAlone) {
  auto m = Manager();
  ASSERT_TRUE(m.Create(kPod, {.cpu_shares = 2}).ok());
  const std::string cpu = "cpu,cpuacct/kubepods/burstable/pod1234-abcd/";
  EXPECT_EQ(tree_.Contents(cpu + "cpu.shares"), "2");
  EXPECT_FALSE(std::filesystem::exists(tree_.Path(cpu + "cpu.cfs_quota_us")));
  EXPECT_FALSE(std::filesystem::exists(tree_.Path("memory/kubepods/burstable/pod1234-abcd/memory.limit_in_bytes")));
  ASSERT_TRUE(m.Update(kPod, {.pids_limit = -1}).ok());
  EXPECT_EQ(tree_.Contents("pids/kubepods/burstable/pod1234-abcd/pids.max"), "max");
}

TEST_F(CgroupV1ManagerTest, HugetlbLimitsAreSkippedWithoutTheController) {
  auto m = Manager();
  ASSERT_TRUE(m.Create(kPod, {.hugepage_limits = {{2 << 20, 4 << 20}}}).ok());
  CgroupV1Manager with_hugetlb({{"cpu", tree_.Path("cpu,cpuacct")}, {"memory", tree_.Path("memory")},
                                {"hugetlb", tree_.Path("hugetlb")}},
                               CgroupDriver::kCgroupfs);
  ASSERT_TRUE(with_hugetlb.Create(kPod, {.hugepage_limits = {{2 << 20, 4 << 20}}}).ok());
  EXPECT_EQ(tree_.Contents("hugetlb/kubepods/burstable/pod1234-abcd/hugetlb.2MB.limit_in_bytes"), "4194304");
}

TEST_F(CgroupV1ManagerTest, ChildrenPidsAndDestroy) {
  auto m = Manager();
  ASSERT_TRUE(m.Create(kPod, {}).ok());
  ASSERT_TRUE(m.Create(CgroupName{{"kubepods", "burstable", "pod5678"}}, {}).ok());
  auto children = m.Children(CgroupName{{"kubepods", "burstable"}});
  ASSERT_TRUE(children.ok()) << children.status();
  ASSERT_EQ(children->size(), 2u);
  // A container cgroup the runtime made below the pod's, with a process in it.
  tree_.Seed("memory/kubepods/burstable/pod1234-abcd/ctr1/cgroup.procs", "4242\n");
  auto pids = m.Pids(kPod);
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_EQ(*pids, std::vector<int>{4242});

  ASSERT_TRUE(m.Destroy(kPod).ok());
  EXPECT_FALSE(m.Exists(kPod));
  EXPECT_FALSE(tree_.IsDir("memory/kubepods/burstable/pod1234-abcd"));
  EXPECT_TRUE(tree_.IsDir("memory/kubepods/burstable/pod5678"));
  EXPECT_TRUE(m.Destroy(kPod).ok()) << "destroying a missing cgroup is not an error";
  EXPECT_FALSE(m.Destroy(CgroupName{}).ok()) << "the root cgroup is never removed";
}

TEST_F(CgroupV1ManagerTest, TheSystemdDriverUsesSliceDirectories) {
  auto m = Manager(CgroupDriver::kSystemd);
  ASSERT_TRUE(m.Create(kPod, {.cpu_shares = 512}).ok());
  EXPECT_EQ(m.Name(kPod), "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_abcd.slice");
  EXPECT_EQ(tree_.Contents("cpu,cpuacct/kubepods.slice/kubepods-burstable.slice/"
                           "kubepods-burstable-pod1234_abcd.slice/cpu.shares"),
            "512");
  auto children = m.Children(CgroupName{{"kubepods", "burstable"}});
  ASSERT_TRUE(children.ok()) << children.status();
  ASSERT_EQ(children->size(), 1u);
  EXPECT_EQ((*children)[0], kPod);
}

TEST_F(CgroupV1ManagerTest, AWriteErrorNamesTheCgroupAndTheFile) {
  CgroupV1Manager m({{"cpu", tree_.Path("cpu,cpuacct")}, {"memory", tree_.Path("memory")}}, CgroupDriver::kCgroupfs);
  ASSERT_TRUE(m.Create(kPod, {}).ok());
  // A directory where the control file should be makes the write fail as EISDIR.
  std::filesystem::create_directories(tree_.Path("memory/kubepods/burstable/pod1234-abcd/memory.limit_in_bytes"));
  absl::Status s = m.Update(kPod, {.memory_limit_bytes = 1 << 20});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/kubepods/burstable/pod1234-abcd"), std::string::npos) << s;
  EXPECT_NE(s.message().find("memory.limit_in_bytes"), std::string::npos) << s;
}

}  // namespace
}  // namespace cubelet::cgroups
