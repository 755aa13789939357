#include "scheduler/scheduler.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"
#include "common/thread_entry.h"
#include "scheduler/fit_error.h"
#include "scheduler/preemption.h"

namespace cubelet::scheduler {
namespace {

// Upstream's minFeasibleNodesToFind and minFeasibleNodesPercentageToFind.
constexpr int kMinFeasibleNodesToFind = 100;
constexpr int kMinFeasibleNodesPercentageToFind = 5;
constexpr int kBasePercentageOfNodesToScore = 50;

constexpr std::string_view kNoNodesAvailable = "no nodes available to schedule pods";

bool IsTerminal(const PodInfo& pod) { return pod.phase == "Succeeded" || pod.phase == "Failed"; }

}  // namespace

Scheduler::Scheduler(SchedulerClient* client, SchedulerOptions options, const Clock* clock, Logger logger)
    : client_(client),
      options_(std::move(options)),
      clock_(clock),
      logger_(std::move(logger)),
      rand_(options_.seed != 0 ? options_.seed : std::random_device{}()) {}

absl::StatusOr<std::unique_ptr<Scheduler>> Scheduler::Create(SchedulerClient* client, SchedulerOptions options,
                                                             const Clock* clock, Logger logger) {
  auto scheduler = std::unique_ptr<Scheduler>(new Scheduler(client, std::move(options), clock, std::move(logger)));
  for (const ProfileConfig& config : scheduler->options_.config.profiles) {
    auto profile = Profile::Create(config);
    if (!profile.ok()) return profile.status();
    scheduler->profiles_.push_back(std::move(*profile));
  }
  scheduler->cache_ = std::make_unique<Cache>(clock);
  QueueOptions queue_options;
  queue_options.initial_backoff = scheduler->options_.config.pod_initial_backoff;
  queue_options.max_backoff = scheduler->options_.config.pod_max_backoff;
  scheduler->queue_ = std::make_unique<SchedulingQueue>(clock, queue_options);
  return scheduler;
}

Scheduler::~Scheduler() { Stop(); }

absl::Status Scheduler::Start() {
  if (absl::Status s = client_->Start(this); !s.ok()) return s;
  loop_ = StartThread(logger_, "scheduler", [this] { Run(); });
  for (int i = 0; i < std::max(1, options_.binder_threads); ++i) {
    binders_.push_back(StartThread(logger_, "sched-binder", [this] { BinderLoop(); }));
  }
  housekeeping_ = StartThread(logger_, "sched-housekeep", [this] { Housekeeping(); });
  return absl::OkStatus();
}

void Scheduler::Stop() {
  if (stopped_.exchange(true)) return;
  client_->Stop();
  queue_->Close();
  {
    absl::MutexLock lock(&bind_mu_);
    stopping_ = true;
  }
  if (loop_.joinable()) loop_.join();
  for (std::jthread& t : binders_) t.join();
  if (housekeeping_.joinable()) housekeeping_.join();
}

const Profile* Scheduler::ProfileFor(const PodInfo& pod) const {
  const std::string_view name = pod.scheduler_name.empty() ? kDefaultSchedulerName : pod.scheduler_name;
  for (const auto& profile : profiles_) {
    if (profile->scheduler_name() == name) return profile.get();
  }
  return nullptr;
}

void Scheduler::OnPod(EventType type, const ObjectRef& object) {
  auto parsed = PodInfo::FromObject(object);
  if (!parsed.ok()) {
    // What can be read still counts: a deleted pod leaves the queue and the cache; a changed
    // one keeps its last good version there.
    const std::string uid = object->GetString({"metadata", "uid"});
    if (type == EventType::kDeleted) {
      queue_->Delete(uid);
      cache_->RemovePod(uid);
      return;
    }
    logger_.Warning(StrCat("Cannot read pod ", object->GetString({"metadata", "namespace"}), "/",
                           object->GetString({"metadata", "name"}), ": ", parsed.status().message()));
    return;
  }
  PodInfoPtr pod = std::move(*parsed);
  if (type == EventType::kDeleted || !pod->node_name.empty()) nominator_.Remove(pod->uid);
  if (type == EventType::kDeleted || (!pod->node_name.empty() && IsTerminal(*pod))) {
    queue_->Delete(pod->uid);
    if (!pod->node_name.empty() || cache_->IsAssumed(pod->uid)) {
      cache_->RemovePod(pod->uid);
      queue_->MoveAllToActiveOrBackoff(ClusterEvent::kPodDeleted);
    }
    return;
  }
  if (!pod->node_name.empty()) {
    // Bound (by us or anyone else): it counts on its node and no longer waits.
    queue_->Delete(pod->uid);
    Cache::Previous previous = cache_->AddPod(pod);
    if (previous.pod == nullptr) {
      // New on a node (created bound, or bound by another scheduler): it may be what a pod
      // with required affinity or spread waits for.
      queue_->MoveAllToActiveOrBackoff(ClusterEvent::kAssignedPodAdded);
    } else if (previous.assumed) {
      // Our own bind confirmed: the cycle that assumed it already counted it.
      if (previous.pod->node_name != pod->node_name) queue_->MoveAllToActiveOrBackoff(ClusterEvent::kAssignedPodUpdated);
    } else if (previous.pod->labels != pod->labels || previous.pod->node_name != pod->node_name ||
               !(previous.pod->requests == pod->requests)) {
      // Kubelets update their pods' status often; only what plugins read matters.
      queue_->MoveAllToActiveOrBackoff(ClusterEvent::kAssignedPodUpdated);
    }
    return;
  }
  if (!Responsible(*pod) || pod->terminating) {
    queue_->Delete(pod->uid);
    nominator_.Remove(pod->uid);
    return;
  }
  // A nomination written by this scheduler (or another) before a restart counts too.
  if (!pod->nominated_node_name.empty()) nominator_.Nominate(pod, pod->nominated_node_name);
  if (type == EventType::kAdded) {
    queue_->Add(std::move(pod));
  } else {
    queue_->Update(std::move(pod));
  }
}

void Scheduler::OnNode(EventType type, const ObjectRef& object) {
  const std::string name = object->GetString({"metadata", "name"});
  if (type == EventType::kDeleted) {
    cache_->RemoveNode(name);
    return;
  }
  auto node = NodeSpecInfo::FromObject(*object);
  if (!node.ok()) {
    logger_.Warning(StrCat("Cannot read node ", name, ": ", node.status().message()));
    return;
  }
  if (cache_->AddOrUpdateNode(std::make_shared<const NodeSpecInfo>(std::move(*node)))) {
    queue_->MoveAllToActiveOrBackoff(type == EventType::kAdded ? ClusterEvent::kNodeAdded : ClusterEvent::kNodeUpdated);
  }
}

void Scheduler::OnNamespace(EventType type, const ObjectRef& object) {
  const std::string name = object->GetString({"metadata", "name"});
  if (type == EventType::kDeleted) {
    cache_->RemoveNamespace(name);
  } else {
    cache_->SetNamespaceLabels(name, selectors::LabelsOf(*object));
  }
}

void Scheduler::OnService(EventType type, const ObjectRef& object) {
  const std::string ns = object->GetString({"metadata", "namespace"});
  const std::string name = object->GetString({"metadata", "name"});
  if (type == EventType::kDeleted) {
    cache_->RemoveService(ns, name);
    return;
  }
  selectors::Labels selector;
  if (const json::Value* s = object->FindPath({"spec", "selector"}); s != nullptr && s->is_object()) {
    for (const auto& [key, value] : s->AsObject()) {
      if (value.is_string()) selector[key] = value.AsString();
    }
  }
  cache_->SetService(ns, name, std::move(selector));
}

void Scheduler::Run() {
  while (true) {
    std::optional<QueuedPodInfo> queued = queue_->Pop();
    if (!queued) return;
    // An attempt that throws fails like a scheduler error: the pod goes back with its back-off.
    QueuedPodInfo retry = *queued;
    absl::Status thrown = RunGuarded(logger_, "scheduler", StrCat("schedule pod ", retry.pod->Key()),
                                     [&] { ScheduleOne(std::move(*queued)); });
    if (!thrown.ok()) HandleFailure(std::move(retry), std::string(thrown.message()), true, std::nullopt);
  }
}

int Scheduler::NumFeasibleNodesToFind(int all_nodes) const {
  if (all_nodes < kMinFeasibleNodesToFind) return all_nodes;
  int percentage = options_.config.percentage_of_nodes_to_score;
  if (percentage <= 0) {
    percentage = std::max(kBasePercentageOfNodesToScore - all_nodes / 125, kMinFeasibleNodesPercentageToFind);
  }
  const int n = static_cast<int>(static_cast<int64_t>(all_nodes) * percentage / 100);
  return std::max(n, kMinFeasibleNodesToFind);
}

ScheduleResult Scheduler::Schedule(const Profile& profile, const PodInfo& pod, const Snapshot& snapshot,
                                   std::map<std::string, Status, std::less<>>* rejections) {
  ScheduleResult result;
  const int all = static_cast<int>(snapshot.nodes.size());
  if (all == 0) {
    result.message = std::string(kNoNodesAvailable);
    return result;
  }
  CycleState state;
  Profile::Skips skips;
  Status pre = profile.RunPreFilter(state, pod, snapshot, &skips);
  if (!pre.ok()) {
    // Every node fails with it (preemption reads the codes); the message names it once.
    for (const NodeInfoPtr& node : snapshot.nodes) (*rejections)[node->name()] = pre;
    result.pre_filter_reasons = pre.reasons();
    result.message = FitErrorMessage(all, pre.reasons(), {}, "");
    return result;
  }

  std::vector<const NodeInfo*> feasible;
  // A pod that preempted: its nominated node first (upstream's evaluateNominatedNode).
  if (!pod.nominated_node_name.empty()) {
    if (const NodeInfo* nominated = snapshot.Get(pod.nominated_node_name); nominated != nullptr) {
      ++result.evaluated_nodes;
      if (nominator_.RunFilterWithNominatedPods(profile, state, pod, *nominated, skips).ok()) {
        feasible.push_back(nominated);
      }
    }
  }
  if (feasible.empty()) {
    const int wanted = NumFeasibleNodesToFind(all);
    int processed = 0;
    for (; processed < all && static_cast<int>(feasible.size()) < wanted; ++processed) {
      const NodeInfo& node = *snapshot.nodes[(next_start_node_index_ + static_cast<size_t>(processed)) %
                                             static_cast<size_t>(all)];
      Status s = nominator_.RunFilterWithNominatedPods(profile, state, pod, node, skips);
      if (s.ok()) {
        feasible.push_back(&node);
      } else {
        (*rejections)[node.name()] = std::move(s);
      }
    }
    result.evaluated_nodes += processed;
    next_start_node_index_ = (next_start_node_index_ + static_cast<size_t>(processed)) % static_cast<size_t>(all);
  }
  result.feasible_nodes = static_cast<int>(feasible.size());
  if (feasible.empty()) {
    result.message = FitErrorMessage(all, {}, *rejections, "");
    return result;
  }
  if (feasible.size() == 1 || !profile.HasScorePlugins()) {
    result.node = feasible.front()->name();
    return result;
  }
  Status prescore = profile.RunPreScore(state, pod, snapshot, feasible, &skips);
  if (!prescore.ok()) {
    result.message = StrCat("running PreScore plugin ", prescore.plugin(), ": ",
                            prescore.reasons().empty() ? "" : prescore.reasons().front());
    return result;
  }
  std::vector<int64_t> scores = profile.RunScore(state, pod, feasible, skips);
  // The highest score; ties broken uniformly at random (reservoir sampling, as upstream).
  size_t best = 0;
  int ties = 1;
  absl::MutexLock lock(&rand_mu_);
  for (size_t i = 1; i < scores.size(); ++i) {
    if (scores[i] > scores[best]) {
      best = i;
      ties = 1;
    } else if (scores[i] == scores[best]) {
      ++ties;
      if (std::uniform_int_distribution<int>(0, ties - 1)(rand_) == 0) best = i;
    }
  }
  result.node = feasible[best]->name();
  return result;
}

Scheduler::Stats Scheduler::stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

void Scheduler::ScheduleOne(QueuedPodInfo queued) {
  const PodInfo& pod = *queued.pod;
  const Profile* profile = ProfileFor(pod);
  if (profile == nullptr || pod.terminating || cache_->IsAssumed(pod.uid)) {
    queue_->Done(pod.uid);
    return;
  }
  const absl::Time start = absl::Now();
  cache_->UpdateSnapshot(&snapshot_);
  std::map<std::string, Status, std::less<>> rejections;
  ScheduleResult result = Schedule(*profile, pod, snapshot_, &rejections);
  auto count = [&] {
    absl::MutexLock lock(&stats_mu_);
    ++stats_.attempts;
    if (!result.node.empty()) ++stats_.scheduled;
    stats_.algorithm += absl::Now() - start;
  };
  if (result.node.empty()) {
    std::optional<std::string> nominated;  // nullopt: leave status.nominatedNodeName as it is
    std::string message = result.message;
    for (const auto& [node, status] : rejections) {
      if (!status.plugin().empty()) queued.unschedulable_plugins.push_back(status.plugin());
    }
    std::sort(queued.unschedulable_plugins.begin(), queued.unschedulable_plugins.end());
    queued.unschedulable_plugins.erase(
        std::unique(queued.unschedulable_plugins.begin(), queued.unschedulable_plugins.end()),
        queued.unschedulable_plugins.end());
    if (!rejections.empty()) {
      size_t offset = 0;
      {
        absl::MutexLock lock(&rand_mu_);
        offset = static_cast<size_t>(rand_());
      }
      PreemptionResult preemption = Preempt(*profile, pod, snapshot_, rejections, offset);
      message = FitErrorMessage(static_cast<int>(snapshot_.nodes.size()), result.pre_filter_reasons, rejections,
                                preemption.message);
      if (preemption.eligible) {
        nominated = preemption.node;  // "" clears an earlier nomination
        nominator_.Nominate(queued.pod, preemption.node);
      }
      for (const PodInfoPtr& victim : preemption.victims) {
        PodInfoPtr v = victim;
        const std::string why = StrCat("Preempted by pod ", pod.uid, " on node ", preemption.node);
        Enqueue([this, v, why] {
          if (absl::Status s = client_->DeletePod(*v); !s.ok() && !absl::IsNotFound(s)) {
            logger_.Warning(StrCat("Preempting ", v->Key(), ": ", s.message()));
            return;
          }
          client_->RecordEvent(*v, "Normal", "Preempted", why);
        });
      }
    }
    count();
    HandleFailure(std::move(queued), message, false, nominated);
    return;
  }
  count();
  auto assumed = std::make_shared<PodInfo>(pod);
  assumed->node_name = result.node;
  if (absl::Status s = cache_->AssumePod(assumed); !s.ok()) {
    HandleFailure(std::move(queued), std::string(s.message()), true, std::nullopt);
    return;
  }
  Bind(std::move(queued), std::move(assumed), result.node);
}

void Scheduler::Bind(QueuedPodInfo queued, PodInfoPtr assumed, std::string node) {
  auto shared = std::make_shared<QueuedPodInfo>(std::move(queued));
  Enqueue([this, shared, assumed, node] {
    absl::Status s = client_->Bind(*assumed, node);
    if (s.ok()) {
      cache_->FinishBinding(assumed->uid);
      queue_->Done(assumed->uid);
      client_->RecordEvent(*assumed, "Normal", "Scheduled",
                           StrCat("Successfully assigned ", assumed->Key(), " to ", node));
      return;
    }
    cache_->ForgetPod(assumed->uid);
    if (absl::IsNotFound(s)) {  // deleted meanwhile
      queue_->Done(assumed->uid);
      return;
    }
    logger_.Warning(StrCat("Binding ", assumed->Key(), " to ", node, ": ", s.message()));
    HandleFailure(std::move(*shared), StrCat("binding rejected: ", s.message()), true, std::nullopt);
  });
}

void Scheduler::HandleFailure(QueuedPodInfo queued, const std::string& message, bool error,
                              std::optional<std::string> nominated) {
  PodInfoPtr pod = queued.pod;
  queue_->AddUnschedulable(std::move(queued), error);
  PodCondition condition{"False", error ? "SchedulerError" : "Unschedulable", message};
  Enqueue([this, pod, condition, nominated] {
    client_->RecordEvent(*pod, "Warning", "FailedScheduling", condition.message);
    if (absl::Status s = client_->UpdatePodCondition(*pod, condition, nominated); !s.ok() && !absl::IsNotFound(s)) {
      logger_.Warning(StrCat("Updating the PodScheduled condition of ", pod->Key(), ": ", s.message()));
    }
  });
}

void Scheduler::Housekeeping() {
  // Ticks in real time (the decisions inside read the injected clock), so Stop never waits
  // on a fake clock.
  absl::MutexLock lock(&bind_mu_);
  while (!bind_mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Seconds(1))) {
    bind_mu_.Unlock();
    (void)RunGuarded(logger_, "sched-housekeep", "flush the queue and expire assumed pods", [this] {
      queue_->FlushBackoffAndUnschedulable();
      cache_->CleanupExpiredAssumedPods();
    });
    bind_mu_.Lock();
  }
}

void Scheduler::Enqueue(std::function<void()> task) {
  absl::MutexLock lock(&bind_mu_);
  tasks_.push_back(std::move(task));
}

void Scheduler::BinderLoop() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&bind_mu_);
      bind_mu_.Await(absl::Condition(
          +[](Scheduler* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->bind_mu_) { return s->stopping_ || !s->tasks_.empty(); },
          this));
      if (tasks_.empty()) return;  // stopping, and nothing left to write
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    (void)RunGuarded(logger_, "sched-binder", "bind or write a pod's status", task);
  }
}

}  // namespace cubelet::scheduler
