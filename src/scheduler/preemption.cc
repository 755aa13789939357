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

// Upstream's minCandidateNodesPercentage and minCandidateNodesAbsolute: the dry run stops
// once this many nodes could take the pod.
constexpr int kMinCandidateNodesPercentage = 10;
constexpr int kMinCandidateNodesAbsolute = 100;

// Puts `node` in `snapshot` where the node of the same name is (the preemption's working copy;
// the caller puts the original back).
void Replace(Snapshot& snapshot, const std::shared_ptr<const NodeInfo>& node) {
  auto index = snapshot.node_index.find(node->name());
  if (index != snapshot.node_index.end()) snapshot.nodes[static_cast<size_t>(index->second)] = node;
  for (auto* list : {&snapshot.have_pods_with_affinity, &snapshot.have_pods_with_required_anti_affinity}) {
    for (NodeInfoPtr& n : *list) {
      if (n->name() == node->name()) n = node;
    }
  }
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

// Upstream's SelectVictimsOnNode, without PodDisruptionBudgets, on `work` (a copy of the cycle's
// snapshot that it leaves as it found it).
std::optional<Candidate> SelectVictims(const Profile& profile, const PodInfo& pod, Snapshot& work,
                                       const NodeInfoPtr& original, Status* why) {
  std::vector<PodInfoPtr> potential;
  for (const PodInfoPtr& p : original->pods()) {
    if (p->priority < pod.priority) potential.push_back(p);
  }
  if (potential.empty()) {
    *why = Status::Unresolvable(std::string(kNoVictims));
    return std::nullopt;
  }
  auto node = std::make_shared<NodeInfo>(*original);
  for (const PodInfoPtr& p : potential) node->RemovePod(p->uid);
  Replace(work, node);
  Status fits = Fits(profile, pod, work, *node);
  if (!fits.ok()) {
    Replace(work, original);
    *why = std::move(fits);
    return std::nullopt;
  }
  // Give back as many as possible, the most important first.
  std::sort(potential.begin(), potential.end(), [](const PodInfoPtr& a, const PodInfoPtr& b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    return a->creation_time < b->creation_time;
  });
  Candidate candidate;
  candidate.node = original->name();
  for (const PodInfoPtr& p : potential) {
    node->AddPod(p);
    if (Fits(profile, pod, work, *node).ok()) continue;
    node->RemovePod(p->uid);
    candidate.victims.push_back(p);
  }
  Replace(work, original);
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
                         const std::map<std::string, Status, std::less<>>& rejections, size_t offset) {
  PreemptionResult result;
  if (pod.preemption_policy == "Never") {
    result.eligible = false;
    result.message = "preemption: not eligible due to preemptionPolicy=Never.";
    return result;
  }
  // A pod that already preempted waits for its victims rather than choosing more.
  if (const NodeInfo* nominated = pod.nominated_node_name.empty() ? nullptr : snapshot.Get(pod.nominated_node_name)) {
    for (const PodInfoPtr& p : nominated->pods()) {
      if (p->terminating && p->priority < pod.priority) {
        result.eligible = false;
        result.message = "preemption: not eligible due to a terminating pod on the nominated node.";
        return result;
      }
    }
  }
  std::map<std::string, Status, std::less<>> statuses;
  std::optional<Candidate> best;
  const size_t all = snapshot.nodes.size();
  const int wanted = std::max(static_cast<int>(all) * kMinCandidateNodesPercentage / 100, kMinCandidateNodesAbsolute);
  int found = 0;
  Snapshot work = snapshot;
  for (size_t i = 0; i < all && found < wanted; ++i) {
    const NodeInfoPtr& node = snapshot.nodes[(offset + i) % all];
    auto rejection = rejections.find(node->name());
    if (rejection == rejections.end() || rejection->second.code() != Code::kUnschedulable) {
      statuses[node->name()] = Status::Unresolvable(std::string(kNotHelpful));
      continue;
    }
    Status why;
    std::optional<Candidate> candidate = SelectVictims(profile, pod, work, node, &why);
    if (!candidate) {
      statuses[node->name()] = std::move(why);
      continue;
    }
    ++found;
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
