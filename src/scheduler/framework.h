// Owns: the scheduling framework's plugin interfaces and the values that pass between them
// (upstream pkg/scheduler/framework/interface.go, cut to the extension points the default
// profile uses): a plugin Status with upstream's codes and reasons, CycleState for what a
// plugin computes once per pod (PreFilter, PreScore) and reads per node, and the PreFilter,
// Filter, PreScore and Score points. Binding and preemption are not plugins here
// (scheduler.h, preemption.h) because the default profile has one of each.
// Does not own: which plugins run with which weights (profile.h), the plugins themselves.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"

namespace cubelet::scheduler {

enum class Code {
  kSuccess,
  kError,          // an internal error: the pod goes to back-off
  kUnschedulable,  // this node does not fit now, but preemption might make it fit
  kUnschedulableAndUnresolvable,  // preemption on this node cannot help (e.g. node affinity)
  kSkip,  // PreFilter/PreScore: the plugin has nothing to do for this pod; its Filter/Score are skipped
};

class Status {
 public:
  Status() = default;
  Status(Code code, std::vector<std::string> reasons) : code_(code), reasons_(std::move(reasons)) {}
  static Status Unschedulable(std::string reason) { return Status(Code::kUnschedulable, {std::move(reason)}); }
  static Status Unresolvable(std::string reason) {
    return Status(Code::kUnschedulableAndUnresolvable, {std::move(reason)});
  }
  static Status Error(std::string message) { return Status(Code::kError, {std::move(message)}); }
  static Status Skip() { return Status(Code::kSkip, {}); }

  bool ok() const { return code_ == Code::kSuccess; }
  bool IsRejected() const { return code_ == Code::kUnschedulable || code_ == Code::kUnschedulableAndUnresolvable; }
  Code code() const { return code_; }
  // Upstream's reasons, exactly as the "0/N nodes are available" message counts them
  // ("Insufficient cpu", "node(s) didn't match Pod's node affinity/selector").
  const std::vector<std::string>& reasons() const { return reasons_; }
  // The plugin that returned it (set by the framework).
  const std::string& plugin() const { return plugin_; }
  void set_plugin(std::string plugin) { plugin_ = std::move(plugin); }

 private:
  Code code_ = Code::kSuccess;
  std::vector<std::string> reasons_;
  std::string plugin_;
};

// Per-pod, per-cycle data a plugin stores at PreFilter/PreScore and reads at Filter/Score.
class StateData {
 public:
  virtual ~StateData() = default;
};

class CycleState {
 public:
  void Write(std::string key, std::shared_ptr<const StateData> data) { data_[std::move(key)] = std::move(data); }
  // nullptr when nothing was written under `key`.
  template <typename T>
  const T* Read(std::string_view key) const {
    auto it = data_.find(key);
    return it == data_.end() ? nullptr : dynamic_cast<const T*>(it->second.get());
  }

 private:
  std::map<std::string, std::shared_ptr<const StateData>, std::less<>> data_;
};

// The maximum a Score plugin's NormalizeScore leaves (upstream MaxNodeScore).
inline constexpr int64_t kMaxNodeScore = 100;

struct NodeScore {
  std::string name;
  int64_t score = 0;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  // Upstream's plugin name ("NodeResourcesFit"), as configured in KubeSchedulerConfiguration.
  virtual std::string_view Name() const = 0;
};

class PreFilterPlugin : public virtual Plugin {
 public:
  // Computes what Filter needs for this pod over the whole snapshot. A rejection here fails the
  // pod on every node with this status; Skip leaves out this plugin's Filter.
  virtual Status PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) const = 0;
};

class FilterPlugin : public virtual Plugin {
 public:
  // Whether the pod fits `node`. Called concurrently for different nodes: must not write
  // shared state.
  virtual Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const = 0;
};

class PreScorePlugin : public virtual Plugin {
 public:
  // `nodes` are the feasible nodes that will be scored.
  virtual Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                          const std::vector<const NodeInfo*>& nodes) const = 0;
};

class ScorePlugin : public virtual Plugin {
 public:
  // The raw score of `node`; may be on any scale when NormalizeScore rescales it.
  virtual int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const = 0;
  // Rescales the raw scores of all scored nodes to 0..kMaxNodeScore (default: none, for plugins
  // whose Score is already in that range).
  virtual void NormalizeScore(const CycleState& /*state*/, const PodInfo& /*pod*/,
                              std::vector<NodeScore>& /*scores*/) const {}
};

// Upstream's helper.DefaultNormalizeScore: scores scaled so the highest becomes kMaxNodeScore
// (score × 100 / max; all 0 stay 0, or all kMaxNodeScore with `reverse`); with `reverse`, each
// then becomes kMaxNodeScore − score, so lower raw scores rank higher.
void DefaultNormalizeScore(bool reverse, std::vector<NodeScore>& scores);

}  // namespace cubelet::scheduler
