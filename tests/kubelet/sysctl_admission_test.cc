#include "kubelet/sysctl_admission.h"

#include <gtest/gtest.h>

namespace cubelet::kubelet {
namespace {

api::Pod PodWithSysctls(std::vector<std::string> names, bool host_network = false, bool host_ipc = false) {
  api::Pod pod;
  pod.spec.host_network = host_network;
  pod.spec.host_ipc = host_ipc;
  api::PodSecurityContext sc;
  for (auto& n : names) sc.sysctls.push_back({.name = std::move(n), .value = "1"});
  pod.spec.security_context = sc;
  return pod;
}

std::string Refusal(const api::Pod& pod, const std::vector<std::string>& allowed_unsafe = {}) {
  absl::Status s = AdmitSysctls(pod, allowed_unsafe);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  return std::string(s.message());
}

TEST(SysctlAdmissionTest, SafeSysctlsAreAllowedAndOthersNeedTheAllowlist) {
  EXPECT_TRUE(AdmitSysctls(PodWithSysctls({"kernel.shm_rmid_forced", "net.ipv4.tcp_syncookies"}), {}).ok());
  EXPECT_TRUE(AdmitSysctls(api::Pod{}, {}).ok());
  EXPECT_EQ(Refusal(PodWithSysctls({"kernel.msgmax"})), "forbidden sysctl: \"kernel.msgmax\" not allowlisted");
  EXPECT_TRUE(AdmitSysctls(PodWithSysctls({"kernel.msgmax"}), {"kernel.msg*"}).ok());
  EXPECT_TRUE(AdmitSysctls(PodWithSysctls({"net.core.somaxconn"}), {"net.core.somaxconn"}).ok());
  EXPECT_EQ(Refusal(PodWithSysctls({"net.core.rmem_max"}), {"net.core.somaxconn"}),
            "forbidden sysctl: \"net.core.rmem_max\" not allowlisted");
}

// upstream's namespace rules: a sysctl in a namespace the pod shares with the host would set the
// host's value, so net.* is refused with hostNetwork and the IPC ones with hostIPC, even when safe.
TEST(SysctlAdmissionTest, NamespacedSysctlsAreRefusedWhenThePodSharesThatNamespaceWithTheHost) {
  EXPECT_EQ(Refusal(PodWithSysctls({"net.ipv4.tcp_syncookies"}, /*host_network=*/true)),
            "forbidden sysctl: \"net.ipv4.tcp_syncookies\" not allowed with host net enabled");
  EXPECT_EQ(Refusal(PodWithSysctls({"net.core.somaxconn"}, true), {"net.*"}),
            "forbidden sysctl: \"net.core.somaxconn\" not allowed with host net enabled");
  EXPECT_EQ(Refusal(PodWithSysctls({"kernel.shm_rmid_forced"}, false, /*host_ipc=*/true)),
            "forbidden sysctl: \"kernel.shm_rmid_forced\" not allowed with host ipc enabled");
  for (const char* ipc : {"kernel.msgmax", "kernel.sem", "fs.mqueue.msg_max", "kernel.shmmax"}) {
    EXPECT_EQ(Refusal(PodWithSysctls({ipc}, false, true), {"kernel.msg*", "kernel.sem", "fs.mqueue.*", "kernel.shm*"}),
              std::string("forbidden sysctl: \"") + ipc + "\" not allowed with host ipc enabled");
  }
  // The other namespace is not shared: allowed.
  EXPECT_TRUE(AdmitSysctls(PodWithSysctls({"net.ipv4.tcp_syncookies"}, false, true), {}).ok());
  EXPECT_TRUE(AdmitSysctls(PodWithSysctls({"kernel.shm_rmid_forced"}, true, false), {}).ok());
}

TEST(SysctlAdmissionTest, SlashSeparatedNamesAreNormalizedAsUpstream) {
  EXPECT_EQ(NormalizeSysctlName("net/ipv4/conf/eno2.100/rp_filter"), "net.ipv4.conf.eno2/100.rp_filter");
  EXPECT_EQ(NormalizeSysctlName("net.ipv4.conf.eno2/100.rp_filter"), "net.ipv4.conf.eno2/100.rp_filter");
  EXPECT_TRUE(AdmitSysctls(PodWithSysctls({"net/ipv4/tcp_syncookies"}), {}).ok());
  EXPECT_EQ(Refusal(PodWithSysctls({"net/ipv4/tcp_syncookies"}, true)),
            "forbidden sysctl: \"net.ipv4.tcp_syncookies\" not allowed with host net enabled");
}

TEST(SysctlAdmissionTest, NamespacesAreUpstreams) {
  EXPECT_EQ(NamespacedBy("kernel.sem"), SysctlNamespace::kIpc);
  EXPECT_EQ(NamespacedBy("kernel.shmall"), SysctlNamespace::kIpc);
  EXPECT_EQ(NamespacedBy("kernel.msgmnb"), SysctlNamespace::kIpc);
  EXPECT_EQ(NamespacedBy("fs.mqueue.queues_max"), SysctlNamespace::kIpc);
  EXPECT_EQ(NamespacedBy("net.core.somaxconn"), SysctlNamespace::kNet);
  EXPECT_EQ(NamespacedBy("kernel.semx"), SysctlNamespace::kUnknown);
  EXPECT_EQ(NamespacedBy("vm.swappiness"), SysctlNamespace::kUnknown);
  EXPECT_EQ(NamespacedBy("network.x"), SysctlNamespace::kUnknown);
}

// upstream's NewAllowlist refuses (and the kubelet does not start) an allowed-unsafe pattern that
// is malformed or not known to be namespaced: allowing it would let a pod set a host-wide value.
TEST(SysctlAdmissionTest, AnAllowlistEntryMustBeAValidNamespacedPattern) {
  EXPECT_TRUE(SysctlAllowlist::Create({"kernel.msg*", "net.*", "fs.mqueue.*", "kernel.sem", "net/core/somaxconn"}).ok());
  auto unknown = SysctlAllowlist::Create({"vm.swappiness"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "the sysctl \"vm.swappiness\" are not known to be namespaced");
  auto everything = SysctlAllowlist::Create({"*"});
  ASSERT_FALSE(everything.ok());
  EXPECT_EQ(everything.status().message(), "the sysctls \"*\" are not known to be namespaced");
  const std::string too_long(254, 'a');
  for (const std::string& bad : {std::string(), std::string("net..core"), std::string("Net.core"), std::string("net.*.x"),
                                 std::string("net.core-"), too_long}) {
    auto r = SysctlAllowlist::Create({bad});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(std::string(r.status().message()).rfind(std::string("sysctl \"") + bad + "\" must have at most 253", 0), 0u)
        << r.status();
  }
  // A pod that sets a sysctl on a node with such an allowlist is refused, not admitted.
  EXPECT_EQ(Refusal(PodWithSysctls({"vm.swappiness"}), {"vm.swappiness"}),
            "forbidden sysctl: --allowed-unsafe-sysctls is invalid: the sysctl \"vm.swappiness\" are not known to be "
            "namespaced");
}

}  // namespace
}  // namespace cubelet::kubelet
