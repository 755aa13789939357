#include "scheduler/profile.h"

#include <utility>

#include "common/strings.h"
#include "scheduler/plugins.h"

namespace cubelet::scheduler {
namespace {

PluginFactory FindFactory(std::string_view name) {
  for (const PluginEntry& entry : InTreePlugins()) {
    if (entry.name == name) return entry.factory;
  }
  return nullptr;
}

Status Tagged(Status status, std::string_view plugin) {
  status.set_plugin(std::string(plugin));
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Profile>> Profile::Create(const ProfileConfig& config) {
  auto profile = std::unique_ptr<Profile>(new Profile());
  profile->scheduler_name_ = config.scheduler_name;
  for (const ProfileConfig::Plugin& setting : config.plugins) {
    PluginFactory factory = FindFactory(setting.name);
    if (factory == nullptr) {
      return absl::InvalidArgumentError(
          StrCat("profile ", config.scheduler_name, ": plugin ", setting.name, " is not known"));
    }
    auto args = config.plugin_args.find(setting.name);
    auto plugin = factory(args == config.plugin_args.end() ? nullptr : &args->second);
    if (!plugin.ok()) {
      return absl::InvalidArgumentError(StrCat("profile ", config.scheduler_name, ": pluginConfig ", setting.name,
                                               ": ", plugin.status().message()));
    }
    const Plugin* p = plugin->get();
    auto enabled = [&](ExtensionPoint point) { return !setting.disabled.contains(point); };
    if (auto* f = dynamic_cast<const PreFilterPlugin*>(p); f && enabled(ExtensionPoint::kPreFilter)) {
      profile->pre_filter_.push_back(f);
    }
    if (auto* f = dynamic_cast<const FilterPlugin*>(p); f && enabled(ExtensionPoint::kFilter)) {
      profile->filter_.push_back(f);
    }
    if (auto* f = dynamic_cast<const PreScorePlugin*>(p); f && enabled(ExtensionPoint::kPreScore)) {
      profile->pre_score_.push_back(f);
    }
    if (auto* f = dynamic_cast<const ScorePlugin*>(p); f && enabled(ExtensionPoint::kScore) && setting.weight > 0) {
      profile->score_.push_back({f, setting.weight});
    }
    profile->plugins_.push_back(std::move(*plugin));
  }
  return profile;
}

Status Profile::RunPreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot, Skips* skips) const {
  for (const PreFilterPlugin* plugin : pre_filter_) {
    Status s = plugin->PreFilter(state, pod, snapshot);
    if (s.code() == Code::kSkip) {
      skips->filter.insert(std::string(plugin->Name()));
      continue;
    }
    if (!s.ok()) return Tagged(std::move(s), plugin->Name());
  }
  return Status();
}

Status Profile::RunFilter(const CycleState& state, const PodInfo& pod, const NodeInfo& node, const Skips& skips) const {
  for (const FilterPlugin* plugin : filter_) {
    if (skips.filter.contains(plugin->Name())) continue;
    Status s = plugin->Filter(state, pod, node);
    if (!s.ok()) return Tagged(std::move(s), plugin->Name());
  }
  return Status();
}

Status Profile::RunPreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                            const std::vector<const NodeInfo*>& nodes, Skips* skips) const {
  for (const PreScorePlugin* plugin : pre_score_) {
    Status s = plugin->PreScore(state, pod, snapshot, nodes);
    if (s.code() == Code::kSkip) {
      skips->score.insert(std::string(plugin->Name()));
      continue;
    }
    if (!s.ok()) return Tagged(std::move(s), plugin->Name());
  }
  return Status();
}

std::vector<int64_t> Profile::RunScore(const CycleState& state, const PodInfo& pod,
                                       const std::vector<const NodeInfo*>& nodes, const Skips& skips) const {
  std::vector<int64_t> totals(nodes.size(), 0);
  std::vector<NodeScore> scores(nodes.size());
  for (const Weighted& w : score_) {
    if (skips.score.contains(w.plugin->Name())) continue;
    for (size_t i = 0; i < nodes.size(); ++i) {
      scores[i] = NodeScore{nodes[i]->name(), w.plugin->Score(state, pod, *nodes[i])};
    }
    w.plugin->NormalizeScore(state, pod, scores);
    for (size_t i = 0; i < nodes.size(); ++i) totals[i] += scores[i].score * w.weight;
  }
  return totals;
}

}  // namespace cubelet::scheduler
