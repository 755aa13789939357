// Owns: the scheduler's configuration: upstream's KubeSchedulerConfiguration
// (kubescheduler.config.k8s.io/v1, YAML or JSON, read by `cubelet-server --scheduler-config`)
// reduced to what this scheduler does (percentageOfNodesToScore; profiles with schedulerName,
// plugins per extension point (multiPoint, preFilter, filter, preScore, score; enabled with
// weights, disabled, "*" disabling the defaults) and pluginConfig args), resolved into the
// plugins each profile runs. Fields upstream has that do not apply here (clientConnection,
// leaderElection, parallelism, podInitialBackoffSeconds, ...) are accepted when they are
// upstream fields; anything else is an error naming the field, as cubelet's flags are.
// Does not own: building plugin instances (profile.h, plugins.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "json/value.h"

namespace cubelet::scheduler {

inline constexpr std::string_view kDefaultSchedulerName = "default-scheduler";

// The extension points a plugin may be enabled or disabled at.
enum class ExtensionPoint { kPreFilter, kFilter, kPreScore, kScore };

struct ProfileConfig {
  std::string scheduler_name = std::string(kDefaultSchedulerName);
  // Enabled plugins in order (upstream's defaults first, then the configuration's), each at
  // the extension points it implements except those it is disabled at.
  struct Plugin {
    std::string name;
    int32_t weight = 0;  // score weight; 0 when not scoring
    std::set<ExtensionPoint> disabled;
  };
  std::vector<Plugin> plugins;
  // pluginConfig[].args by plugin name (absent: the plugin's defaults).
  std::map<std::string, json::Value, std::less<>> plugin_args;
};

struct SchedulerConfig {
  // 0 = adaptive (max(5, 50 − nodes/125) %, at least 100 nodes); 1..100 = that percentage.
  int32_t percentage_of_nodes_to_score = 0;
  absl::Duration pod_initial_backoff = absl::Seconds(1);
  absl::Duration pod_max_backoff = absl::Seconds(10);
  std::vector<ProfileConfig> profiles;  // at least one
};

// Upstream's defaults: one profile "default-scheduler" with the default plugins and weights
// (TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2,
// NodeResourcesFit 1, NodeResourcesBalancedAllocation 1, ImageLocality 1).
SchedulerConfig DefaultSchedulerConfig();

// Parses a KubeSchedulerConfiguration document. Errors name the file and the field
// ("sched.yaml: profiles[0].plugins.score.enabled[1].name: unknown plugin \"Foo\"").
absl::StatusOr<SchedulerConfig> ParseSchedulerConfig(std::string_view text, std::string_view file);
absl::StatusOr<SchedulerConfig> LoadSchedulerConfig(const std::string& path);

}  // namespace cubelet::scheduler
