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

TEST(ResourceFormulasTest, UpstreamValues) {
  EXPECT_EQ(MilliCpuToShares(0), 2);
  EXPECT_EQ(MilliCpuToShares(1), 2);
  EXPECT_EQ(MilliCpuToShares(100), 102);
  EXPECT_EQ(MilliCpuToShares(1000), 1024);
  EXPECT_EQ(MilliCpuToShares(1000000), 262144);
  EXPECT_EQ(MilliCpuToQuota(0, 100000), 0);
  EXPECT_EQ(MilliCpuToQuota(500, 100000), 50000);
  EXPECT_EQ(MilliCpuToQuota(5, 100000), 1000) << "at least 1 ms";
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
}

TEST(ResolveSubPathTest, RefusesEscapes) {
  namespace fs = std::filesystem;
  const fs::path vol = fs::path(::testing::TempDir()) / ("subpath-" + std::to_string(::getpid()));
  fs::remove_all(vol);
  fs::create_directories(vol / "inside");
  fs::create_symlink("/etc", vol / "out");
  fs::create_symlink("inside", vol / "in");
  EXPECT_EQ(*ResolveSubPath(vol.string(), "inside"), fs::canonical(vol / "inside").string());
  EXPECT_EQ(*ResolveSubPath(vol.string(), "in"), fs::canonical(vol / "inside").string());
  EXPECT_TRUE(ResolveSubPath(vol.string(), "new/dir").ok()) << "created";
  EXPECT_FALSE(ResolveSubPath(vol.string(), "out").ok());
  EXPECT_FALSE(ResolveSubPath(vol.string(), "../x").ok());
  EXPECT_FALSE(ResolveSubPath(vol.string(), "/etc").ok());
  fs::remove_all(vol);
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
