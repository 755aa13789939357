#include "scheduler/config.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cubelet::scheduler {
namespace {

using ::testing::HasSubstr;

constexpr char kHeader[] = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";

absl::StatusOr<SchedulerConfig> Parse(const std::string& body) {
  return ParseSchedulerConfig(std::string(kHeader) + body, "sched.yaml");
}

// name → weight, in order, for compact expectations.
std::vector<std::pair<std::string, int32_t>> Weights(const ProfileConfig& profile) {
  std::vector<std::pair<std::string, int32_t>> out;
  for (const auto& p : profile.plugins) out.emplace_back(p.name, p.weight);
  return out;
}

const ProfileConfig::Plugin* FindPlugin(const ProfileConfig& profile, std::string_view name) {
  for (const auto& p : profile.plugins) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const std::vector<std::pair<std::string, int32_t>> kUpstreamDefaults = {
    {"SchedulingGates", 0},
    {"NodeUnschedulable", 0},
    {"NodeName", 0},
    {"TaintToleration", 3},
    {"NodeAffinity", 2},
    {"NodePorts", 0},
    {"NodeResourcesFit", 1},
    {"PodTopologySpread", 2},
    {"InterPodAffinity", 2},
    {"NodeResourcesBalancedAllocation", 1},
    {"ImageLocality", 1},
};

TEST(SchedulerConfigTest, DefaultsEqualUpstreamDefaultProfile) {
  SchedulerConfig config = DefaultSchedulerConfig();
  EXPECT_EQ(config.percentage_of_nodes_to_score, 0);
  EXPECT_EQ(config.pod_initial_backoff, absl::Seconds(1));
  EXPECT_EQ(config.pod_max_backoff, absl::Seconds(10));
  ASSERT_EQ(config.profiles.size(), 1u);
  EXPECT_EQ(config.profiles[0].scheduler_name, "default-scheduler");
  EXPECT_EQ(Weights(config.profiles[0]), kUpstreamDefaults);
  for (const auto& p : config.profiles[0].plugins) EXPECT_TRUE(p.disabled.empty()) << p.name;
  EXPECT_TRUE(config.profiles[0].plugin_args.empty());
}

TEST(SchedulerConfigTest, MinimalFileGivesTheDefaults) {
  auto config = Parse("");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->profiles.size(), 1u);
  EXPECT_EQ(config->profiles[0].scheduler_name, "default-scheduler");
  EXPECT_EQ(Weights(config->profiles[0]), kUpstreamDefaults);
  EXPECT_EQ(config->percentage_of_nodes_to_score, 0);
}

TEST(SchedulerConfigTest, JsonIsAcceptedToo) {
  auto config = ParseSchedulerConfig(
      R"({"apiVersion":"kubescheduler.config.k8s.io/v1","kind":"KubeSchedulerConfiguration",)"
      R"("percentageOfNodesToScore":20})",
      "sched.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->percentage_of_nodes_to_score, 20);
}

TEST(SchedulerConfigTest, DisablingAPluginRemovesItOrOneOfItsPoints) {
  auto config = Parse(R"(
profiles:
- plugins:
    multiPoint:
      disabled:
      - name: ImageLocality
    score:
      disabled:
      - name: TaintToleration
)");
  ASSERT_TRUE(config.ok()) << config.status();
  const ProfileConfig& profile = config->profiles[0];
  EXPECT_EQ(FindPlugin(profile, "ImageLocality"), nullptr);
  const auto* taint = FindPlugin(profile, "TaintToleration");
  ASSERT_NE(taint, nullptr) << "its Filter still runs";
  EXPECT_EQ(taint->disabled, std::set<ExtensionPoint>{ExtensionPoint::kScore});
  EXPECT_EQ(taint->weight, 0);
  EXPECT_EQ(FindPlugin(profile, "NodeAffinity")->weight, 2) << "others keep their defaults";
}

TEST(SchedulerConfigTest, WeightsCanBeChangedAtScoreOrMultiPoint) {
  auto config = Parse(R"(
profiles:
- schedulerName: default-scheduler
  plugins:
    multiPoint:
      enabled:
      - name: TaintToleration
        weight: 7
      - name: NodeResourcesFit
    score:
      enabled:
      - name: NodeAffinity
        weight: 5
      - name: ImageLocality
)");
  ASSERT_TRUE(config.ok()) << config.status();
  const ProfileConfig& profile = config->profiles[0];
  EXPECT_EQ(FindPlugin(profile, "TaintToleration")->weight, 7);
  EXPECT_EQ(FindPlugin(profile, "NodeAffinity")->weight, 5) << "a score entry overrides the multiPoint weight";
  EXPECT_EQ(FindPlugin(profile, "NodeResourcesFit")->weight, 1) << "re-listed without weight: upstream's 1";
  EXPECT_EQ(FindPlugin(profile, "ImageLocality")->weight, 1);
  EXPECT_EQ(profile.plugins.size(), kUpstreamDefaults.size()) << "overrides keep the default order";
  EXPECT_EQ(profile.plugins[3].name, "TaintToleration");
}

TEST(SchedulerConfigTest, StarDisablesDefaultsAndSinglePointsEnableOnlyThere) {
  auto config = Parse(R"(
profiles:
- plugins:
    multiPoint:
      disabled:
      - name: "*"
      enabled:
      - name: PrioritySort
      - name: DefaultBinder
      - name: NodeName
    score:
      enabled:
      - name: NodeResourcesFit
        weight: 4
)");
  ASSERT_TRUE(config.ok()) << config.status();
  const ProfileConfig& profile = config->profiles[0];
  ASSERT_EQ(Weights(profile), (std::vector<std::pair<std::string, int32_t>>{{"NodeName", 0}, {"NodeResourcesFit", 4}}));
  EXPECT_EQ(profile.plugins[1].disabled,
            (std::set<ExtensionPoint>{ExtensionPoint::kPreFilter, ExtensionPoint::kFilter, ExtensionPoint::kPreScore}));
}

TEST(SchedulerConfigTest, ProfileWithoutQueueSortOrBinderIsRefused) {
  auto no_sort = Parse(R"(
profiles:
- plugins:
    queueSort:
      disabled:
      - name: "*"
)");
  ASSERT_FALSE(no_sort.ok());
  EXPECT_THAT(no_sort.status().message(), HasSubstr("profiles[0].plugins: no queueSort plugin"));
  auto no_binder = Parse(R"(
profiles:
- plugins:
    multiPoint:
      disabled:
      - name: DefaultBinder
)");
  ASSERT_FALSE(no_binder.ok());
  EXPECT_THAT(no_binder.status().message(), HasSubstr("no bind plugin"));
}

TEST(SchedulerConfigTest, SecondProfileBySchedulerName) {
  auto config = Parse(R"(
profiles:
- schedulerName: default-scheduler
- schedulerName: no-scoring-scheduler
  plugins:
    preScore:
      disabled:
      - name: "*"
    score:
      disabled:
      - name: "*"
  pluginConfig:
  - name: NodeResourcesFit
    args:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: NodeResourcesFitArgs
      scoringStrategy:
        type: MostAllocated
)");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->profiles.size(), 2u);
  EXPECT_EQ(Weights(config->profiles[0]), kUpstreamDefaults);
  const ProfileConfig& second = config->profiles[1];
  EXPECT_EQ(second.scheduler_name, "no-scoring-scheduler");
  for (const auto& p : second.plugins) {
    EXPECT_EQ(p.weight, 0) << p.name;
    EXPECT_TRUE(p.disabled.contains(ExtensionPoint::kScore)) << p.name;
  }
  EXPECT_EQ(FindPlugin(second, "ImageLocality"), nullptr) << "a plugin with nothing left to do is dropped";
  ASSERT_EQ(second.plugin_args.count("NodeResourcesFit"), 1u);
  const json::Value& args = second.plugin_args.find("NodeResourcesFit")->second;
  EXPECT_EQ(args.Find("kind"), nullptr);
  EXPECT_EQ(args.Find("apiVersion"), nullptr);
  EXPECT_EQ(args.GetString({"scoringStrategy", "type"}), "MostAllocated");
  EXPECT_TRUE(config->profiles[0].plugin_args.empty());
}

TEST(SchedulerConfigTest, ProfilesNeedUniqueNames) {
  auto missing = Parse("profiles:\n- schedulerName: a\n- plugins: {}\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("sched.yaml: profiles[1].schedulerName: required"));
  auto duplicate = Parse("profiles:\n- schedulerName: a\n- schedulerName: a\n");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(duplicate.status().message(), HasSubstr("profiles[1].schedulerName: duplicate"));
}

TEST(SchedulerConfigTest, PercentageOfNodesToScoreIsReadAndBounded) {
  auto config = Parse("percentageOfNodesToScore: 30\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->percentage_of_nodes_to_score, 30);

  auto too_big = Parse("percentageOfNodesToScore: 101\n");
  ASSERT_FALSE(too_big.ok());
  EXPECT_THAT(too_big.status().message(), HasSubstr("sched.yaml: percentageOfNodesToScore: invalid value 101"));

  auto not_int = Parse("percentageOfNodesToScore: \"30\"\n");
  ASSERT_FALSE(not_int.ok());
  EXPECT_THAT(not_int.status().message(), HasSubstr("expected an integer, got string"));

  auto per_profile = Parse("profiles:\n- percentageOfNodesToScore: 40\n");
  ASSERT_TRUE(per_profile.ok()) << per_profile.status();
  EXPECT_EQ(per_profile->percentage_of_nodes_to_score, 40);

  auto differing = Parse(
      "percentageOfNodesToScore: 10\nprofiles:\n- schedulerName: a\n- schedulerName: b\n"
      "  percentageOfNodesToScore: 40\n");
  ASSERT_FALSE(differing.ok());
  EXPECT_THAT(differing.status().message(), HasSubstr("profiles[1].percentageOfNodesToScore"));
}

TEST(SchedulerConfigTest, BackoffSecondsAreReadAndChecked) {
  auto config = Parse("podInitialBackoffSeconds: 2\npodMaxBackoffSeconds: 30\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->pod_initial_backoff, absl::Seconds(2));
  EXPECT_EQ(config->pod_max_backoff, absl::Seconds(30));
  auto inverted = Parse("podInitialBackoffSeconds: 20\n");
  ASSERT_FALSE(inverted.ok());
  EXPECT_THAT(inverted.status().message(), HasSubstr("podMaxBackoffSeconds"));
  EXPECT_FALSE(Parse("podInitialBackoffSeconds: 0\n").ok());
}

TEST(SchedulerConfigTest, UnknownFieldErrorNamesTheFileAndFieldPath) {
  auto nested = Parse(R"(
profiles:
- plugins:
    score:
      enabled:
      - name: ImageLocality
        wieght: 2
)");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(nested.status().message(), "sched.yaml: profiles[0].plugins.score.enabled[0].wieght: unknown field");

  auto top = Parse("percentageOfNodeToScore: 10\n");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().message(), "sched.yaml: percentageOfNodeToScore: unknown field");

  auto point = Parse("profiles:\n- plugins:\n    normalizeScore: {}\n");
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().message(), "sched.yaml: profiles[0].plugins.normalizeScore: unknown field");

  auto component = Parse("leaderElection:\n  leaderElect: false\n  leaseDurationSeconds: 15\n");
  ASSERT_FALSE(component.ok());
  EXPECT_EQ(component.status().message(), "sched.yaml: leaderElection.leaseDurationSeconds: unknown field");
}

TEST(SchedulerConfigTest, UpstreamTopLevelFieldsAreTolerated) {
  auto config = Parse(R"(
parallelism: 16
enableProfiling: true
enableContentionProfiling: true
delayCacheUntilActive: false
extenders: []
leaderElection:
  leaderElect: true
  leaseDuration: 15s
  renewDeadline: 10s
  retryPeriod: 2s
  resourceLock: leases
  resourceName: kube-scheduler
  resourceNamespace: kube-system
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
  qps: 50
  burst: 100
  contentType: application/vnd.kubernetes.protobuf
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(Weights(config->profiles[0]), kUpstreamDefaults);
}

TEST(SchedulerConfigTest, ExtendersAreNotSupported) {
  auto config = Parse("extenders:\n- urlPrefix: http://127.0.0.1:8888/\n  filterVerb: filter\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("sched.yaml: extenders: scheduler extenders are not supported"));
}

TEST(SchedulerConfigTest, BadApiVersionOrKindIsRefused) {
  auto old = ParseSchedulerConfig(
      "apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n", "sched.yaml");
  ASSERT_FALSE(old.ok());
  EXPECT_THAT(old.status().message(), HasSubstr("sched.yaml: apiVersion: unsupported version"));
  auto missing = ParseSchedulerConfig("kind: KubeSchedulerConfiguration\n", "sched.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("apiVersion: required"));
  auto kind = ParseSchedulerConfig("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeletConfiguration\n",
                                   "sched.yaml");
  ASSERT_FALSE(kind.ok());
  EXPECT_THAT(kind.status().message(), HasSubstr("sched.yaml: kind: must be \"KubeSchedulerConfiguration\""));
}

TEST(SchedulerConfigTest, UnknownPluginNameIsRefused) {
  auto config = Parse(R"(
profiles:
- plugins:
    score:
      enabled:
      - name: ImageLocality
      - name: Foo
)");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "sched.yaml: profiles[0].plugins.score.enabled[1].name: unknown plugin \"Foo\"");

  auto removed = Parse("profiles:\n- plugins:\n    filter:\n      enabled:\n      - name: EBSLimits\n");
  ASSERT_FALSE(removed.ok());
  EXPECT_THAT(removed.status().message(), HasSubstr("was removed in kubescheduler.config.k8s.io/v1"));

  auto disabled = Parse("profiles:\n- plugins:\n    multiPoint:\n      disabled:\n      - name: Nope\n");
  ASSERT_FALSE(disabled.ok());
  EXPECT_THAT(disabled.status().message(), HasSubstr("multiPoint.disabled[0].name: unknown plugin \"Nope\""));

  auto args = Parse("profiles:\n- pluginConfig:\n  - name: Nope\n    args: {}\n");
  ASSERT_FALSE(args.ok());
  EXPECT_THAT(args.status().message(), HasSubstr("profiles[0].pluginConfig[0].name: unknown plugin"));
}

TEST(SchedulerConfigTest, PluginEnabledWhereItHasNoExtensionIsRefused) {
  auto config = Parse("profiles:\n- plugins:\n    filter:\n      enabled:\n      - name: ImageLocality\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(),
              HasSubstr("profiles[0].plugins.filter.enabled[0].name: plugin \"ImageLocality\" does not implement"));
}

TEST(SchedulerConfigTest, VolumeAndFixedPluginsAreAcceptedButHaveNoPluginObject) {
  auto config = Parse(R"(
profiles:
- plugins:
    filter:
      disabled:
      - name: VolumeZone
    postFilter:
      disabled:
      - name: DefaultPreemption
  pluginConfig:
  - name: VolumeBinding
    args:
      bindTimeoutSeconds: 300
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(Weights(config->profiles[0]), kUpstreamDefaults);
}

TEST(SchedulerConfigTest, PluginConfigMistakesAreNamed) {
  auto kind = Parse("profiles:\n- pluginConfig:\n  - name: NodeAffinity\n    args:\n      kind: InterPodAffinityArgs\n");
  ASSERT_FALSE(kind.ok());
  EXPECT_THAT(kind.status().message(), HasSubstr("profiles[0].pluginConfig[0].args.kind: must be \"NodeAffinityArgs\""));
  auto twice = Parse(
      "profiles:\n- pluginConfig:\n  - name: NodeAffinity\n    args: {}\n  - name: NodeAffinity\n    args: {}\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr("profiles[0].pluginConfig[1].name: duplicate"));
}

TEST(SchedulerConfigTest, DuplicateKeysAndBadYamlAreErrors) {
  auto dup = Parse("percentageOfNodesToScore: 10\npercentageOfNodesToScore: 20\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(dup.status().message(), HasSubstr("percentageOfNodesToScore: duplicate field"));
  auto bad = ParseSchedulerConfig("profiles: [\n", "sched.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("sched.yaml: invalid YAML"));
}

TEST(SchedulerConfigTest, LoadReadsTheFileAndNamesItInErrors) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp != nullptr ? tmp : "/tmp";
  const std::string path = dir + "/scheduler_config_test_" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path);
    out << kHeader << "percentageOfNodesToScore: 70\nprofiles:\n- schedulerName: x\n  bogus: 1\n";
  }
  auto config = LoadSchedulerConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), path + ": profiles[0].bogus: unknown field");
  {
    std::ofstream out(path);
    out << kHeader << "percentageOfNodesToScore: 70\n";
  }
  config = LoadSchedulerConfig(path);
  std::remove(path.c_str());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->percentage_of_nodes_to_score, 70);

  auto missing = LoadSchedulerConfig(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr(path));
}

}  // namespace
}  // namespace cubelet::scheduler
