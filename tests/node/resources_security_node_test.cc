// Container resources and security settings reach the real runtime: the cgroup files of running
// containers, an OOM kill, and the user, root filesystem, privileges and sysctls a container sees.
#include "node/static_pod_fixture.h"

namespace cubelet::testing {
namespace {

using ::testing::HasSubstr;

class ResourcesSecurityNodeTest : public StaticPodNodeTest {
 protected:
  std::string Read(const std::string& path) {
    std::ifstream f(path);
    std::string s;
    std::getline(f, s);
    return s;
  }
  cri::ExecSyncResult Exec(const api::Pod& pod, std::vector<std::string> cmd) {
    auto r = runtime_->ExecSync(Container(pod, "main")->container_id.substr(13), cmd, absl::Seconds(10));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : cri::ExecSyncResult{};
  }
};

TEST_F(ResourcesSecurityNodeTest, CgroupFilesOfARunningContainerAndThePodCgroupsPlace) {
  WriteManifest("limits.yaml", PodYaml("limits", "  containers:\n" + Container1(
      "main", "\"exec sleep 600\"",
      "    resources: {requests: {cpu: 250m, memory: 32Mi}, limits: {cpu: 500m, memory: 64Mi}}\n")));
  StartCubelet();
  api::Pod pod = Wait("limits-", Running);
  EXPECT_EQ(pod.status.qos_class, "Burstable");
  const std::string id = Container(pod, "main")->container_id.substr(13);
  const std::string cgroup = StrCat(tb_->cgroup_parent(), "/kubepods/burstable/pod", pod.metadata.uid, "/", id);
  EXPECT_EQ(Read("/sys/fs/cgroup/cpu" + cgroup + "/cpu.shares"), "256");
  EXPECT_EQ(Read("/sys/fs/cgroup/cpu" + cgroup + "/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(Read("/sys/fs/cgroup/cpu" + cgroup + "/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(Read("/sys/fs/cgroup/memory" + cgroup + "/memory.limit_in_bytes"), "67108864");
}

TEST_F(ResourcesSecurityNodeTest, AContainerBeyondItsMemoryLimitIsOOMKilled) {
  WriteManifest("oom.yaml", PodYaml("oom", "  restartPolicy: Never\n  containers:\n" + Container1(
      "main", "\"dd if=/dev/zero of=/dev/null bs=128M count=1\"",
      "    resources: {limits: {memory: 16Mi}}\n")));
  StartCubelet();
  api::Pod pod = Wait("oom-", [](const api::Pod& p) { return p.status.phase == "Failed"; });
  const auto* c = Container(pod, "main");
  ASSERT_TRUE(c->state.terminated.has_value());
  EXPECT_EQ(c->state.terminated->reason, "OOMKilled");
  EXPECT_EQ(c->state.terminated->exit_code, 137);
}

TEST_F(ResourcesSecurityNodeTest, UserReadOnlyRootPrivilegesAndSysctls) {
  WriteManifest("sec.yaml", PodYaml("sec", StrCat(
      "  securityContext:\n    sysctls: [{name: kernel.shm_rmid_forced, value: '1'}]\n  containers:\n",
      Container1("main", "\"exec sleep 600\"",
                 "    securityContext: {runAsUser: 65534, readOnlyRootFilesystem: true, privileged: false}\n"))));
  WriteManifest("root.yaml", PodYaml("root", "  containers:\n" + Container1("main", "\"exec sleep 600\"")));
  StartCubelet();
  api::Pod sec = Wait("sec-", Running);
  EXPECT_EQ(Exec(sec, {"id", "-u"}).stdout_data, "65534\n");
  auto touch = Exec(sec, {"touch", "/x"});
  EXPECT_NE(touch.exit_code, 0);
  EXPECT_THAT(touch.stderr_data, HasSubstr("Read-only file system"));
  EXPECT_EQ(Exec(sec, {"cat", "/proc/sys/kernel/shm_rmid_forced"}).stdout_data, "1\n");
  api::Pod root = Wait("root-", Running);
  auto link = Exec(root, {"ip", "link", "add", "dummy0", "type", "dummy"});
  EXPECT_NE(link.exit_code, 0);
  EXPECT_THAT(link.stdout_data + link.stderr_data, HasSubstr("Operation not permitted"));
  EXPECT_NE(Exec(root, {"cat", "/proc/kcore"}).exit_code, 0) << "/proc/kcore is masked";
}

TEST_F(ResourcesSecurityNodeTest, ForbiddenSysctlRejectsThePodAndRunAsNonRootChecksTheImage) {
  WriteManifest("sysctl.yaml", PodYaml("unsafe-sysctl", StrCat(
      "  securityContext:\n    sysctls: [{name: kernel.shm_rmid_forced, value: '1'}, {name: kernel.msgmax, value: '65536'}]\n"
      "  containers:\n", Container1("main", "\"exec sleep 600\""))));
  WriteManifest("nonroot.yaml", PodYaml("nonroot", "  containers:\n" + Container1(
      "main", "\"exec sleep 600\"", "    securityContext: {runAsNonRoot: true}\n")));
  WriteManifest("nonroot-uid.yaml", PodYaml("nonroot-uid", "  containers:\n" + Container1(
      "main", "\"exec sleep 600\"", "    securityContext: {runAsNonRoot: true, runAsUser: 1000}\n")));
  StartCubelet();
  api::Pod rejected = Wait("unsafe-sysctl-", [](const api::Pod& p) { return p.status.phase == "Failed"; });
  EXPECT_EQ(rejected.status.reason, "SysctlForbidden");
  EXPECT_EQ(rejected.status.message, "Pod was rejected: forbidden sysctl: \"kernel.msgmax\" not allowlisted");
  api::Pod nonroot = Wait("nonroot-node", [](const api::Pod& p) {
    const auto* c = Container(p, "main");
    return c != nullptr && c->state.waiting && c->state.waiting->reason == "CreateContainerConfigError";
  });
  EXPECT_THAT(Container(nonroot, "main")->state.waiting->message,
              HasSubstr("container has runAsNonRoot and image will run as root (pod: \"nonroot-node-test_default("));
  api::Pod uid = Wait("nonroot-uid-", Running);
  EXPECT_EQ(Exec(uid, {"id", "-u"}).stdout_data, "1000\n");
  // The rejected pod never ran anything.
  auto containers = runtime_->ListContainers({});
  ASSERT_TRUE(containers.ok());
  for (const auto& c : *containers) {
    EXPECT_NE(c.labels.at("io.kubernetes.pod.uid"), rejected.metadata.uid);
  }
}

TEST_F(ResourcesSecurityNodeTest, HostNamespacesAreTheNodesAndOthersThePods) {
  WriteManifest("host.yaml", PodYaml("host", "  hostNetwork: true\n  hostPID: true\n  hostIPC: true\n  containers:\n" +
                                                 Container1("main", "\"exec sleep 600\"")));
  WriteManifest("isolated.yaml", PodYaml("isolated", "  containers:\n" + Container1("main", "\"exec sleep 600\"")));
  StartCubelet();
  api::Pod host = Wait("host-", Running);
  api::Pod isolated = Wait("isolated-", Running);
  char hostname[256] = {};
  ::gethostname(hostname, sizeof(hostname) - 1);
  const std::string host_ipc = fs::read_symlink("/proc/self/ns/ipc").string();
  const std::string host_net = fs::read_symlink("/proc/self/ns/net").string();
  const std::string cubelet_proc = StrCat("/proc/", cubelet_->pid());

  EXPECT_EQ(Exec(host, {"hostname"}).stdout_data, StrCat(hostname, "\n"));
  EXPECT_EQ(Exec(host, {"readlink", "/proc/self/ns/net"}).stdout_data, host_net + "\n");
  EXPECT_EQ(Exec(host, {"readlink", "/proc/self/ns/ipc"}).stdout_data, host_ipc + "\n");
  EXPECT_EQ(Exec(host, {"test", "-d", cubelet_proc}).exit_code, 0) << "hostPID sees the node's processes";

  EXPECT_EQ(Exec(isolated, {"hostname"}).stdout_data, "isolated-node-test\n");
  EXPECT_NE(Exec(isolated, {"readlink", "/proc/self/ns/net"}).stdout_data, host_net + "\n");
  EXPECT_NE(Exec(isolated, {"readlink", "/proc/self/ns/ipc"}).stdout_data, host_ipc + "\n");
  EXPECT_NE(Exec(isolated, {"test", "-d", cubelet_proc}).exit_code, 0);
  EXPECT_NE(isolated.status.pod_ip, host.status.pod_ip);
}

TEST_F(ResourcesSecurityNodeTest, LocalhostSeccompProfileThatDeniesMkdir) {
  fs::create_directories(dir_ + "/root/seccomp/profiles");
  std::ofstream(dir_ + "/root/seccomp/profiles/deny-mkdir.json")
      << R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]})";
  WriteManifest("seccomp.yaml", PodYaml("seccomp", "  containers:\n" + Container1(
      "main", "\"exec sleep 600\"",
      "    securityContext: {seccompProfile: {type: Localhost, localhostProfile: profiles/deny-mkdir.json}}\n")));
  // A typo in a profile is caught by libseccomp before any container of the pod is created.
  std::ofstream(dir_ + "/root/seccomp/profiles/typo.json")
      << R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirz"], "action": "SCMP_ACT_ERRNO"}]})";
  WriteManifest("typo.yaml", PodYaml("seccomp-typo", "  containers:\n" + Container1(
      "main", "\"exec sleep 600\"",
      "    securityContext: {seccompProfile: {type: Localhost, localhostProfile: profiles/typo.json}}\n")));
  WriteManifest("escape.yaml", PodYaml("seccomp-escape", "  containers:\n" + Container1(
      "main", "\"exec sleep 600\"",
      "    securityContext: {seccompProfile: {type: Localhost, localhostProfile: ../../etc/passwd}}\n")));
  StartCubelet();
  api::Pod pod = Wait("seccomp-node", Running);
  auto mkdir = Exec(pod, {"mkdir", "/tmp/x"});
  EXPECT_NE(mkdir.exit_code, 0);
  EXPECT_THAT(mkdir.stderr_data, HasSubstr("Operation not permitted"));
  EXPECT_EQ(Exec(pod, {"touch", "/tmp/y"}).exit_code, 0) << "everything else is allowed";
  api::Pod escape = Wait("seccomp-escape-", [](const api::Pod& p) {
    const auto* c = Container(p, "main");
    return c != nullptr && c->state.waiting && c->state.waiting->reason == "CreateContainerConfigError";
  });
  EXPECT_THAT(Container(escape, "main")->state.waiting->message, HasSubstr("must be a relative path inside"));
  api::Pod typo = Wait("seccomp-typo-", [](const api::Pod& p) {
    const auto* c = Container(p, "main");
    return c != nullptr && c->state.waiting && c->state.waiting->reason == "CreateContainerConfigError";
  });
  EXPECT_THAT(Container(typo, "main")->state.waiting->message,
              HasSubstr("profiles/typo.json: syscalls[0].names[1]: unknown syscall \"mkdirz\""));
  auto containers = runtime_->ListContainers({});
  ASSERT_TRUE(containers.ok());
  for (const auto& c : *containers) {
    EXPECT_NE(c.labels.at("io.kubernetes.pod.uid"), typo.metadata.uid) << "nothing of the pod was created";
  }
}

}  // namespace
}  // namespace cubelet::testing
