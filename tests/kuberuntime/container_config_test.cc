#include "kuberuntime/container_config.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "kuberuntime/etc_hosts.h"

namespace cubelet::kuberuntime {
namespace {

TEST(ExpandVarsTest, KubernetesExpansionRules) {
  std::map<std::string, std::string> vars{{"FOO", "foo-value"}, {"BAR", "bar-value"}};
  EXPECT_EQ(ExpandVars("$(FOO);;$(BAR)", vars), "foo-value;;bar-value");
  EXPECT_EQ(ExpandVars("$(MISSING)", vars), "$(MISSING)");
  EXPECT_EQ(ExpandVars("$$(FOO)", vars), "$(FOO)");
  EXPECT_EQ(ExpandVars("a$b$", vars), "a$b$");
  EXPECT_EQ(ExpandVars("$(FOO", vars), "$(FOO");
}

TEST(OomScoreAdjustTest, ByQosClass) {
  api::Pod pod;
  api::Container c{.name = "c", .image = "i"};
  pod.spec.containers = {c};
  EXPECT_EQ(OomScoreAdjust(pod, c, 1 << 30), 1000) << "BestEffort";
  c.resources.limits = {{"cpu", api::Quantity::FromMilli(100)}, {"memory", api::Quantity::FromInt(1 << 20)}};
  c.resources.requests = c.resources.limits;
  pod.spec.containers = {c};
  EXPECT_EQ(OomScoreAdjust(pod, c, 1 << 30), -997) << "Guaranteed";
  c.resources.limits.clear();
  c.resources.requests = {{"memory", api::Quantity::FromInt(512 << 20)}};
  pod.spec.containers = {c};
  EXPECT_EQ(OomScoreAdjust(pod, c, 1 << 30), 500) << "Burstable: 1000 - 1000*request/capacity";
  c.resources.requests = {{"memory", api::Quantity::FromInt(1 << 30)}};
  pod.spec.containers = {c};
  EXPECT_EQ(OomScoreAdjust(pod, c, 1 << 30), 3) << "clamped to 3";
  // 1000 * request would overflow int64 (a request validation allows): still the lowest score.
  c.resources.requests = {{"memory", api::Quantity::FromInt(int64_t{1} << 60)}};
  pod.spec.containers = {c};
  EXPECT_EQ(OomScoreAdjust(pod, c, 1 << 30), 3) << "overflowed instead of clamping";
}

TEST(ContainerResourcesTest, UpstreamFormulasAndAHugetlbLimitPerHostPageSize) {
  api::Pod pod;
  api::Container c{.name = "c", .image = "i"};
  c.resources.requests = {{"cpu", api::Quantity::FromMilli(250)}};
  c.resources.limits = {{"cpu", api::Quantity::FromMilli(500)},
                        {"memory", api::Quantity::FromInt(64 << 20)},
                        {"hugepages-2Mi", api::Quantity::FromInt(4 << 20)}};
  pod.spec.containers = {c};
  RuntimeOptions options;
  options.huge_page_sizes = {2 << 20, 1 << 30};
  cri::LinuxContainerResources r = ContainerResources(pod, c, options);
  EXPECT_EQ(r.cpu_shares, 256);
  EXPECT_EQ(r.cpu_period, 100000);
  EXPECT_EQ(r.cpu_quota, 50000);
  EXPECT_EQ(r.memory_limit_in_bytes, 64 << 20);
  ASSERT_EQ(r.hugepage_limits.size(), 2u);
  EXPECT_EQ(r.hugepage_limits[0].page_size, "2MB");
  EXPECT_EQ(r.hugepage_limits[0].limit, 4u << 20);
  EXPECT_EQ(r.hugepage_limits[1].page_size, "1GB");
  EXPECT_EQ(r.hugepage_limits[1].limit, 0u) << "a size the container did not ask for is closed";

  options.cpu_cfs_quota = false;
  r = ContainerResources(pod, c, options);
  EXPECT_EQ(r.cpu_quota, 0) << "cpuCFSQuota: false sends no quota";
}

TEST(GenerateContainerConfigTest, ASubPathMountsThePreparedTargetNeverVolumePlusSubPath) {
  api::Pod pod;
  api::Container c{.name = "c", .image = "i"};
  c.volume_mounts = {{.name = "v", .mount_path = "/all"}, {.name = "v", .mount_path = "/etc-ish", .sub_path = "link"}};
  pod.spec.containers = {c};
  ContainerContext ctx;
  ctx.volumes = {{"v", "/pods/u/volumes/kubernetes.io~empty-dir/v"}};
  ctx.sub_paths = {{1, "/pods/u/volume-subpaths/v/c/1"}};
  auto config = GenerateContainerConfig(pod, c, ctx, RuntimeOptions{});
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_GE(config->mounts.size(), 2u);
  EXPECT_EQ(config->mounts[0].host_path, "/pods/u/volumes/kubernetes.io~empty-dir/v");
  EXPECT_EQ(config->mounts[1].host_path, "/pods/u/volume-subpaths/v/c/1");

  // Without a prepared target there is no fallback to the volume path joined with the subPath.
  ctx.sub_paths.clear();
  auto unprepared = GenerateContainerConfig(pod, c, ctx, RuntimeOptions{});
  ASSERT_FALSE(unprepared.ok());
  EXPECT_NE(std::string(unprepared.status().message()).find("volumeMounts[1].subPath \"link\""), std::string::npos)
      << unprepared.status();
}

TEST(ContainerSecurityContextTest, ContainerOverPodAndUpstreamDefaults) {
  api::Pod pod;
  pod.spec.security_context = api::PodSecurityContext{.run_as_user = 1000, .run_as_group = 2000,
                                                      .supplemental_groups = {5}, .fs_group = 6};
  api::Container c{.name = "c", .image = "i"};
  c.security_context = api::SecurityContext{.capabilities = api::Capabilities{{"NET_ADMIN"}, {"ALL"}},
                                            .run_as_user = 65534, .read_only_root_filesystem = true,
                                            .allow_privilege_escalation = false};
  RuntimeOptions o;
  o.root_dir = "/var/lib/kubelet";
  cri::LinuxContainerSecurityContext sc = ContainerSecurityContext(pod, c, o);
  EXPECT_EQ(sc.run_as_user, 65534) << "the container's wins";
  EXPECT_EQ(sc.run_as_group, 2000) << "the pod's applies";
  EXPECT_EQ(sc.supplemental_groups, (std::vector<int64_t>{5, 6}));
  EXPECT_TRUE(sc.readonly_rootfs);
  EXPECT_TRUE(sc.no_new_privs);
  EXPECT_EQ(sc.capabilities->add, std::vector<std::string>{"NET_ADMIN"});
  EXPECT_FALSE(sc.masked_paths.empty());
  EXPECT_FALSE(sc.readonly_paths.empty());
  c.security_context->proc_mount = "Unmasked";
  EXPECT_TRUE(ContainerSecurityContext(pod, c, o).masked_paths.empty()) << "procMount: Unmasked";
  EXPECT_TRUE(ContainerSecurityContext(pod, c, o).readonly_paths.empty()) << "procMount: Unmasked";
  c.security_context->proc_mount = "Default";
  EXPECT_EQ(sc.seccomp->type, cri::SecurityProfile::Type::kUnconfined);
  o.seccomp_default = true;
  EXPECT_EQ(ContainerSecurityContext(pod, c, o).seccomp->type, cri::SecurityProfile::Type::kRuntimeDefault);
  c.security_context->privileged = true;
  c.security_context->seccomp_profile = api::SeccompProfile{"Localhost", "profiles/deny-mkdir.json"};
  sc = ContainerSecurityContext(pod, c, o);
  EXPECT_TRUE(sc.masked_paths.empty()) << "privileged containers see /proc unmasked";
  EXPECT_EQ(sc.seccomp->localhost_ref, "/var/lib/kubelet/seccomp/profiles/deny-mkdir.json");
  c.security_context->seccomp_profile = api::SeccompProfile{"Localhost", "../../etc/evil.json"};
  auto refused = GenerateContainerConfig(pod, c, {}, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(std::string(refused.status().message()).find("must be a relative path inside /var/lib/kubelet/seccomp"),
            std::string::npos);
}

TEST(EtcHostsTest, UpstreamLayoutWithHostAliases) {
  api::Pod pod;
  pod.spec.host_aliases = {{"123.45.67.89", {"foo", "bar"}}};
  const std::string hosts = MakeEtcHostsContent(pod, {"10.0.0.5"}, "web", "");
  EXPECT_EQ(hosts,
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
            "10.0.0.5\tweb\n\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\n");
}

}  // namespace
}  // namespace cubelet::kuberuntime
