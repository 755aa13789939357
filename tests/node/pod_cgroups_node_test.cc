// The cgroup hierarchy cubelet builds on the real kernel: kubepods with the node's allocatable,
// the QoS cgroups, a cgroup per pod with upstream's values (made before the sandbox, so the
// runtime puts the containers below it), its removal with the pod, and orphan cleanup.
#include <unistd.h>

#include "node/static_pod_fixture.h"

namespace cubelet::testing {
namespace {

class PodCgroupsNodeTest : public StaticPodNodeTest {
 protected:
  // First line of a cgroup file of `controller` below the test bed's cgroup root.
  std::string Read(const std::string& controller, const std::string& rel) {
    std::ifstream f(StrCat("/sys/fs/cgroup/", controller, tb_->cgroup_parent(), "/", rel));
    std::string s;
    std::getline(f, s);
    return s;
  }
  bool Exists(const std::string& controller, const std::string& rel) {
    return fs::is_directory(StrCat("/sys/fs/cgroup/", controller, tb_->cgroup_parent(), "/", rel));
  }
  bool WaitGone(const std::string& rel, int seconds = 60) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (!Exists("cpu", rel) && !Exists("memory", rel) && !Exists("pids", rel)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

TEST_F(PodCgroupsNodeTest, PodsLiveInTheirQosCgroupWithUpstreamValues) {
  // With in-place resize on, what containerd reports as applied must match what cubelet sent,
  // or every sync would resize: the test checks that none does.
  AppendConfig("podPidsLimit: 64\nfeatureGates: {InPlacePodVerticalScaling: true}\n");
  WriteManifest("guaranteed.yaml", PodYaml("guaranteed", "  containers:\n" + Container1(
      "main", "\"exec sleep 600\"",
      "    resources: {requests: {cpu: 500m, memory: 64Mi}, limits: {cpu: 500m, memory: 64Mi}}\n")));
  WriteManifest("burstable.yaml", PodYaml("burstable", "  containers:\n" + Container1(
      "main", "\"exec sleep 600\"", "    resources: {requests: {cpu: 250m}}\n") + Container1(
      "side", "\"exec sleep 600\"", "    resources: {requests: {cpu: 100m}}\n")));
  WriteManifest("besteffort.yaml", PodYaml("besteffort", "  containers:\n" + Container1("main", "\"exec sleep 600\"")));
  StartCubelet();
  api::Pod g = Wait("guaranteed-", Running);
  api::Pod b = Wait("burstable-", Running);
  api::Pod e = Wait("besteffort-", Running);

  // kubepods carries the node's allocatable (no reservations here: the capacity).
  EXPECT_EQ(Read("cpu", "kubepods/cpu.shares"), std::to_string(::sysconf(_SC_NPROCESSORS_ONLN) * 1024));
  std::ifstream pid_max("/proc/sys/kernel/pid_max");
  std::string pids;
  pid_max >> pids;
  EXPECT_EQ(Read("pids", "kubepods/pids.max"), pids);
  EXPECT_EQ(Read("cpu", "kubepods/burstable/cpu.shares"), "358") << "MilliCpuToShares(250m + 100m)";
  EXPECT_EQ(Read("cpu", "kubepods/besteffort/cpu.shares"), "2");

  const std::string gp = "kubepods/pod" + g.metadata.uid;
  EXPECT_EQ(Read("cpu", gp + "/cpu.shares"), "512");
  EXPECT_EQ(Read("cpu", gp + "/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(Read("memory", gp + "/memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(Read("pids", gp + "/pids.max"), "64");
  const std::string bp = "kubepods/burstable/pod" + b.metadata.uid;
  EXPECT_EQ(Read("cpu", bp + "/cpu.shares"), "358");
  EXPECT_EQ(Read("cpu", bp + "/cpu.cfs_quota_us"), "-1") << "a Burstable pod without cpu limits has no quota";
  const std::string ep = "kubepods/besteffort/pod" + e.metadata.uid;
  EXPECT_EQ(Read("cpu", ep + "/cpu.shares"), "2");

  // The runtime placed the pod's containers below the pod cgroup, so the pod's limits bound them.
  const std::string id = Container(g, "main")->container_id.substr(13);
  EXPECT_TRUE(Exists("memory", gp + "/" + id));
  EXPECT_FALSE(Read("memory", gp + "/" + id + "/cgroup.procs").empty()) << "the container's process is in it";
  // The PLEG's "started" events sync every pod again within a relist or two.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_THAT(cubelet_->Log(), ::testing::Not(::testing::HasSubstr("Resized container")));
}

TEST_F(PodCgroupsNodeTest, ThePodCgroupGoesWithThePodAndOrphansAreCleanedAtStart) {
  // A pod cgroup left by a pod deleted while no agent ran, with nothing in it.
  const std::string orphan = "kubepods/besteffort/pod00000000-dead-beef-0000-000000000000";
  for (const char* c : {"cpu", "cpuacct", "memory", "pids"}) {
    fs::create_directories(StrCat("/sys/fs/cgroup/", c, tb_->cgroup_parent(), "/", orphan));
  }
  WriteManifest("web.yaml", PodYaml("web", "  terminationGracePeriodSeconds: 1\n  containers:\n" + Container1(
      "main", "\"exec sleep 600\"", "    resources: {requests: {cpu: 100m, memory: 16Mi}}\n")));
  StartCubelet();
  api::Pod web = Wait("web-", Running);
  EXPECT_TRUE(WaitGone(orphan)) << cubelet_->Log();
  EXPECT_THAT(cubelet_->Log(), ::testing::HasSubstr("Removed orphaned pod cgroup"));
  const std::string pod = "kubepods/burstable/pod" + web.metadata.uid;
  EXPECT_TRUE(Exists("cpu", pod));
  EXPECT_EQ(Read("cpu", "kubepods/burstable/cpu.shares"), "102");

  fs::remove(manifests_ + "/web.yaml");
  EXPECT_TRUE(WaitGone(pod)) << cubelet_->Log();
  EXPECT_TRUE(Exists("cpu", "kubepods/burstable")) << "QoS cgroups stay";
  // With no Burstable pod left, the QoS cgroup weighs the minimum.
  for (int i = 0; i < 50 && Read("cpu", "kubepods/burstable/cpu.shares") != "2"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Read("cpu", "kubepods/burstable/cpu.shares"), "2");
}

}  // namespace
}  // namespace cubelet::testing
