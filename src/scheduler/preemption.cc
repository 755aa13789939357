#include "scheduler/preemption.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "common/strings.h"
#include "scheduler/fit_error.h"

namespace cubelet::scheduler {
namespace {

constexpr std::string_view kNotHelpful = "Preemption is not helpful for scheduling";
constexpr std::string_view kNoVictims = "No preemption victims found for incoming pod";

// `snapshot` with `node` standing in for the node of the same name.
Snapshot WithNode(const Snapshot& snapshot, const std::shared_ptr<const NodeInfo>& node) {
  Snapshot copy = snapshot;
  auto replace = [&](std::vector<NodeInfoPtr>& list) {
    for (NodeInfoPtr& n : list) {
      if (n->name() == node->name()) n = node;
    }
  };
  replace(copy.nodes);
  replace(copy.have_pods_with_affinity);
  replace(copy.have_pods_with_required_anti_affinity);
  return copy;
}

// Whether `pod` fits on `node` in `snapshot` (where `node` already stands for its name).
Status Fits(const Profile& profile, const PodInfo& pod, const Snapshot& snapshot, const NodeInfo& node) {
  CycleState state;
  Profile::Skips skips;
  Status pre = profile.RunPreFilter(state, pod, snapshot, &skips);
  if (!pre.ok()) return pre;
  return profile.RunFilter(state, pod, node, skips);
}

struct Candidate {
  std::string node;
  std::vector<PodInfoPtr> victims;
  int32_t highest = 0;  // the highest victim priority
  int64_t sum = 0;      // of victim priorities
};

// Upstream's SelectVictimsOnNode, without PodDisruptionBudgets.
std::optional<Candidate> SelectVictims(const Profile& profile, const PodInfo& pod, const Snapshot& snapshot,
                                       const NodeInfo& original, Status* why) {
  std::vector<PodInfoPtr> potential;
  for (const PodInfoPtr& p : original.pods()) {
    if (p->priority < pod.priority) potential.push_back(p);
  }
  if (potential.empty()) {
    *why = Status::Unresolvable(std::string(kNoVictims));
    return std::nullopt;
  }
  auto node = std::make_shared<NodeInfo>(original);
  for (const PodInfoPtr& p : potential) node->RemovePod(p->uid);
  Status fits = Fits(profile, pod, WithNode(snapshot, node), *node);
  if (!fits.ok()) {
    *why = std::move(fits);
    return std::nullopt;
  }
  // Give back as many as possible, the most important first.
  std::sort(potential.begin(), potential.end(), [](const PodInfoPtr& a, const PodInfoPtr& b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    return a->creation_time < b->creation_time;
  });
  Candidate candidate;
  candidate.node = original.name();
  for (const PodInfoPtr& p : potential) {
    node->AddPod(p);
    if (Fits(profile, pod, WithNode(snapshot, node), *node).ok()) continue;
    node->RemovePod(p->uid);
    candidate.victims.push_back(p);
  }
  for (const PodInfoPtr& v : candidate.victims) {
    candidate.highest = std::max(candidate.highest, v->priority);
    candidate.sum += v->priority;
  }
  return candidate;
}

bool Better(const Candidate& a, const Candidate& b) {
  if (a.highest != b.highest) return a.highest < b.highest;
  if (a.sum != b.sum) return a.sum < b.sum;
  return a.victims.size() < b.victims.size();
}

}  // namespace

PreemptionResult Preempt(const Profile& profile, const PodInfo& pod, const Snapshot& snapshot,
                         const std::map<std::string, Status, std::less<>>& rejections) {
  PreemptionResult result;
  if (pod.preemption_policy == "Never") {
    result.message = "preemption: not eligible due to preemptionPolicy=Never.";
    return result;
  }
  // A pod that already preempted waits for its victims rather than choosing more.
  if (const NodeInfo* nominated = pod.nominated_node_name.empty() ? nullptr : snapshot.Get(pod.nominated_node_name)) {
    for (const PodInfoPtr& p : nominated->pods()) {
      if (p->terminating && p->priority < pod.priority) {
        result.message = "preemption: not eligible due to a terminating pod on the nominated node.";
        return result;
      }
    }
  }
  std::map<std::string, Status, std::less<>> statuses;
  std::optional<Candidate> best;
  for (const NodeInfoPtr& node : snapshot.nodes) {
    auto rejection = rejections.find(node->name());
    if (rejection == rejections.end() || rejection->second.code() != Code::kUnschedulable) {
      statuses[node->name()] = Status::Unresolvable(std::string(kNotHelpful));
      continue;
    }
    Status why;
    std::optional<Candidate> candidate = SelectVictims(profile, pod, snapshot, *node, &why);
    if (!candidate) {
      statuses[node->name()] = std::move(why);
      continue;
    }
    if (!best || Better(*candidate, *best)) best = std::move(candidate);
  }
  if (!best) {
    result.message =
        StrCat("preemption: ", FitErrorMessage(static_cast<int>(snapshot.nodes.size()), {}, statuses, ""));
    return result;
  }
  result.node = best->node;
  result.victims = std::move(best->victims);
  return result;
}

}  // namespace cubelet::scheduler
