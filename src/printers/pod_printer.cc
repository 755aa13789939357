// Pods: NAME READY STATUS RESTARTS AGE, and with -o wide IP NODE NOMINATED-NODE READINESS-GATES,
// as upstream printPod computes them (Kubernetes 1.32), including sidecar (restartable init)
// containers, the "Init:" states, Completed/NotReady and Terminating.
#include <map>

#include "common/strings.h"
#include "printers/cells.h"
#include "printers/descriptions.h"
#include "printers/kinds.h"

namespace cubelet::printers {
namespace {

// node.NodeUnreachablePodReason: the node controller's reason for pods on a lost node.
constexpr std::string_view kNodeUnreachablePodReason = "NodeLost";

bool HasCondition(const json::Value& pod, std::string_view type) {
  for (const json::Value& c : Arr(pod, {"status", "conditions"})) {
    if (Str(c, {"type"}) == type && Str(c, {"status"}) == "True") return true;
  }
  return false;
}

// isPodInitializedConditionTrue: the first Initialized condition decides.
bool InitializedConditionTrue(const json::Value& pod) {
  for (const json::Value& c : Arr(pod, {"status", "conditions"})) {
    if (Str(c, {"type"}) != "Initialized") continue;
    return Str(c, {"status"}) == "True";
  }
  return false;
}

// Keeps the latest finishedAt of a container's previous termination; metav1.Time.Before with
// the zero time as "unset".
void NoteRestart(const json::Value& status, std::optional<absl::Time>* latest) {
  if (!Present(status, {"lastState", "terminated"})) return;
  std::optional<absl::Time> finished = Timestamp(status, {"lastState", "terminated", "finishedAt"});
  if (finished.has_value() && (!latest->has_value() || **latest < *finished)) *latest = finished;
}

// "Signal:9", "ExitCode:1" or the terminated reason, for a terminated container.
std::string TerminatedReason(const json::Value& terminated, std::string_view prefix) {
  const std::string reason = Str(terminated, {"reason"});
  if (!reason.empty()) return StrCat(prefix, reason);
  const int64_t signal = Int(terminated, {"signal"});
  if (signal != 0) return StrCat(prefix, "Signal:", signal);
  return StrCat(prefix, "ExitCode:", Int(terminated, {"exitCode"}));
}

std::vector<json::Value> PodCells(const json::Value& pod, absl::Time now) {
  int64_t restarts = 0;
  int64_t restartable_init_restarts = 0;
  int64_t total_containers = static_cast<int64_t>(Arr(pod, {"spec", "containers"}).size());
  int64_t ready_containers = 0;
  std::optional<absl::Time> last_restart;
  std::optional<absl::Time> last_restartable_init_restart;

  const std::string phase = Str(pod, {"status", "phase"});
  std::string reason = phase;
  if (const std::string r = Str(pod, {"status", "reason"}); !r.empty()) reason = r;
  for (const json::Value& c : Arr(pod, {"status", "conditions"})) {
    if (Str(c, {"type"}) == "PodScheduled" && Str(c, {"reason"}) == "SchedulingGated") reason = "SchedulingGated";
  }

  // Sidecars (init containers with restartPolicy Always) count toward READY's total.
  const json::Array& init_specs = Arr(pod, {"spec", "initContainers"});
  std::map<std::string, bool, std::less<>> restartable_init;
  for (const json::Value& c : init_specs) {
    const bool restartable = Str(c, {"restartPolicy"}) == "Always";
    restartable_init[Str(c, {"name"})] = restartable;
    if (restartable) ++total_containers;
  }
  auto is_restartable = [&](const std::string& name) {
    auto it = restartable_init.find(name);
    return it != restartable_init.end() && it->second;
  };

  bool initializing = false;
  const json::Array& init_statuses = Arr(pod, {"status", "initContainerStatuses"});
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const json::Value& container = init_statuses[i];
    const std::string name = Str(container, {"name"});
    restarts += Int(container, {"restartCount"});
    NoteRestart(container, &last_restart);
    if (is_restartable(name)) {
      restartable_init_restarts += Int(container, {"restartCount"});
      NoteRestart(container, &last_restartable_init_restart);
    }
    const bool terminated = Present(container, {"state", "terminated"});
    const bool waiting = Present(container, {"state", "waiting"});
    const std::string waiting_reason = Str(container, {"state", "waiting", "reason"});
    if (terminated && Int(container, {"state", "terminated", "exitCode"}) == 0) continue;
    if (is_restartable(name) && Bool(container, {"started"})) {
      if (Bool(container, {"ready"})) ++ready_containers;
      continue;
    }
    if (terminated) {
      reason = TerminatedReason(*container.FindPath({"state", "terminated"}), "Init:");
    } else if (waiting && !waiting_reason.empty() && waiting_reason != "PodInitializing") {
      reason = StrCat("Init:", waiting_reason);
    } else {
      reason = StrCat("Init:", i, "/", init_specs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || InitializedConditionTrue(pod)) {
    restarts = restartable_init_restarts;
    last_restart = last_restartable_init_restart;
    bool has_running = false;
    const json::Array& statuses = Arr(pod, {"status", "containerStatuses"});
    // Backwards, so the first container's state wins, as upstream does.
    for (size_t i = statuses.size(); i-- > 0;) {
      const json::Value& container = statuses[i];
      restarts += Int(container, {"restartCount"});
      NoteRestart(container, &last_restart);
      const std::string waiting_reason = Str(container, {"state", "waiting", "reason"});
      const bool terminated = Present(container, {"state", "terminated"});
      if (Present(container, {"state", "waiting"}) && !waiting_reason.empty()) {
        reason = waiting_reason;
      } else if (terminated) {
        reason = TerminatedReason(*container.FindPath({"state", "terminated"}), "");
      } else if (Bool(container, {"ready"}) && Present(container, {"state", "running"})) {
        has_running = true;
        ++ready_containers;
      }
    }
    // A pod whose last state reads Completed but still has a running container is not done.
    if (reason == "Completed" && has_running) reason = HasCondition(pod, "Ready") ? "Running" : "NotReady";
  }

  const bool deleting = pod.FindPath({"metadata", "deletionTimestamp"}) != nullptr &&
                        !pod.FindPath({"metadata", "deletionTimestamp"})->is_null();
  if (deleting && Str(pod, {"status", "reason"}) == kNodeUnreachablePodReason) {
    reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  std::string restarts_text = StrCat(restarts);
  if (restarts != 0 && last_restart.has_value()) {
    restarts_text = StrCat(restarts, " (", Since(last_restart, now), " ago)");
  }

  // The first pod IP as the v1 to internal conversion leaves it: podIP wins over podIPs[0].
  std::string pod_ip = Str(pod, {"status", "podIP"});
  if (const json::Array& ips = Arr(pod, {"status", "podIPs"}); pod_ip.empty() && !ips.empty()) {
    pod_ip = Str(ips[0], {"ip"});
  }
  std::string node_name = Str(pod, {"spec", "nodeName"});
  std::string nominated = Str(pod, {"status", "nominatedNodeName"});
  if (pod_ip.empty()) pod_ip = "<none>";
  if (node_name.empty()) node_name = "<none>";
  if (nominated.empty()) nominated = "<none>";

  std::string readiness_gates = "<none>";
  if (const json::Array& gates = Arr(pod, {"spec", "readinessGates"}); !gates.empty()) {
    int true_conditions = 0;
    for (const json::Value& gate : gates) {
      const std::string type = Str(gate, {"conditionType"});
      for (const json::Value& c : Arr(pod, {"status", "conditions"})) {
        if (Str(c, {"type"}) != type) continue;
        if (Str(c, {"status"}) == "True") ++true_conditions;
        break;
      }
    }
    readiness_gates = StrCat(true_conditions, "/", gates.size());
  }

  return {Str(pod, {"metadata", "name"}),
          StrCat(ready_containers, "/", total_containers),
          reason,
          restarts_text,
          Age(pod, now),
          pod_ip,
          node_name,
          nominated,
          readiness_gates};
}

json::Value CompletedCondition(std::string_view reason, std::string_view message) {
  json::Value c = json::Value::EmptyObject();
  c.Set("type", "Completed");
  c.Set("status", "True");
  c.Set("reason", reason);
  c.Set("message", message);
  return c;
}

std::vector<json::Value> PodConditions(const json::Value& pod) {
  const std::string phase = Str(pod, {"status", "phase"});
  if (phase == "Succeeded") return {CompletedCondition("Succeeded", "The pod has completed successfully.")};
  if (phase == "Failed") return {CompletedCondition("Failed", "The pod failed.")};
  return {};
}

}  // namespace

const TablePrinter& PodPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {
          NameColumn(),
          MakeColumn("Ready", "string", descriptions::kPodReady),
          MakeColumn("Status", "string", descriptions::kPodStatus),
          MakeColumn("Restarts", "string", descriptions::kPodRestarts),
          AgeColumn(),
          MakeColumn("IP", "string", descriptions::kPodIP, 1),
          MakeColumn("Node", "string", descriptions::kPodNodeName, 1),
          MakeColumn("Nominated Node", "string", descriptions::kPodNominatedNodeName, 1),
          MakeColumn("Readiness Gates", "string", descriptions::kPodReadinessGates, 1),
      },
      PodCells, PodConditions);
  return *printer;
}

}  // namespace cubelet::printers
