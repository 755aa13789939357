// SchedulingGates (upstream schedulinggates): a pod with scheduling gates is not scheduled.
// Upstream checks at PreEnqueue; here the queue keeps gated pods out and this PreFilter is the
// safety net for a pod whose gates arrived after it was queued.
#include "common/status_macros.h"
#include "common/strings.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"

namespace cubelet::scheduler {
namespace {

class SchedulingGates final : public PreFilterPlugin {
 public:
  std::string_view Name() const override { return "SchedulingGates"; }

  Status PreFilter(CycleState& /*state*/, const PodInfo& pod, const Snapshot& /*snapshot*/) const override {
    if (pod.scheduling_gates.empty()) return Status();
    // Go's %v of a []string: "[a b]".
    std::string gates = "[";
    for (size_t i = 0; i < pod.scheduling_gates.size(); ++i) {
      if (i > 0) gates += " ";
      gates += pod.scheduling_gates[i];
    }
    gates += "]";
    return Status::Unresolvable(StrCat("waiting for scheduling gates: ", gates));
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewSchedulingGates(const json::Value* args) {
  RETURN_IF_ERROR(args::CheckNoArgs(args, "SchedulingGates"));
  return std::unique_ptr<Plugin>(new SchedulingGates());
}

}  // namespace cubelet::scheduler
