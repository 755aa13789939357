// Owns: one scheduling profile's plugins and running them in order (upstream
// frameworkImpl: RunPreFilterPlugins, RunFilterPlugins, RunPreScorePlugins, RunScorePlugins):
// a plugin that returns Skip at PreFilter/PreScore is left out of that pod's Filter/Score;
// Filter stops at the first rejection; scores are normalised per plugin, multiplied by the
// plugin's weight and summed.
// Does not own: the plugins (plugins.h), choosing nodes and the cycle (scheduler.h).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scheduler/config.h"
#include "scheduler/framework.h"

namespace cubelet::scheduler {

class Profile {
 public:
  static absl::StatusOr<std::unique_ptr<Profile>> Create(const ProfileConfig& config);

  const std::string& scheduler_name() const { return scheduler_name_; }

  // Plugins skipped for this pod: filled by RunPreFilter (Filter) and RunPreScore (Score).
  struct Skips {
    std::set<std::string, std::less<>> filter;
    std::set<std::string, std::less<>> score;
  };

  // The first rejection or error; Success when every PreFilter passed.
  Status RunPreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot, Skips* skips) const;
  // Thread-compatible: may run for several nodes at once.
  Status RunFilter(const CycleState& state, const PodInfo& pod, const NodeInfo& node, const Skips& skips) const;
  Status RunPreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                     const std::vector<const NodeInfo*>& nodes, Skips* skips) const;
  // The weighted total of each node, in the order of `nodes`.
  std::vector<int64_t> RunScore(const CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                                const Skips& skips) const;

  bool HasScorePlugins() const { return !score_.empty(); }

 private:
  struct Weighted {
    const ScorePlugin* plugin;
    int32_t weight;
  };
  std::string scheduler_name_;
  std::vector<std::unique_ptr<Plugin>> plugins_;  // owns every plugin
  std::vector<const PreFilterPlugin*> pre_filter_;
  std::vector<const FilterPlugin*> filter_;
  std::vector<const PreScorePlugin*> pre_score_;
  std::vector<Weighted> score_;
};

}  // namespace cubelet::scheduler
