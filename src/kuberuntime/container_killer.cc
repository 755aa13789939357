#include "kuberuntime/container_killer.h"

#include <algorithm>
#include <future>
#include <memory>
#include <mutex>

#include "common/status_macros.h"
#include "common/strings.h"
#include "kuberuntime/lifecycle_handlers.h"

namespace cubelet::kuberuntime {
namespace {

// The kills of one KillContainersAsync call. `done` runs once: when the last kill finished, or
// with CancelledError when the last task holding the batch was dropped unrun by a stopping pool.
class KillBatch {
 public:
  KillBatch(size_t count, ContainerKiller::Done done) : remaining_(count), done_(std::move(done)) {}
  ~KillBatch() {
    if (done_) std::move(done_)(absl::CancelledError("container kill dropped: the kill pool stopped"));
  }
  KillBatch(const KillBatch&) = delete;
  KillBatch& operator=(const KillBatch&) = delete;

  void Finished(absl::Status s) {
    ContainerKiller::Done done;
    absl::Status result;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!s.ok() && first_error_.ok()) first_error_ = std::move(s);
      if (--remaining_ > 0) return;
      done = std::move(done_);
      done_ = nullptr;
      result = first_error_;
    }
    std::move(done)(std::move(result));  // outside the lock: it may start the next step
  }

 private:
  std::mutex mu_;
  size_t remaining_;                // guarded by mu_
  absl::Status first_error_;        // guarded by mu_
  ContainerKiller::Done done_;      // guarded by mu_; empty once called
};

}  // namespace

ContainerKiller::ContainerKiller(cri::RuntimeService* runtime, Clock* clock, Logger logger, int threads)
    : runtime_(runtime), clock_(clock), logger_(logger), pool_(threads, "container-killer", logger) {}

ContainerKiller::~ContainerKiller() {
  // The pool joins its running tasks when destroyed next: they return at once now.
  shutdown_.request_stop();
}

absl::Status ContainerKiller::KillContainer(const ContainerKill& kill, std::stop_token cancel) {
  // Either the caller's cancel or the killer's shutdown stops the call to the runtime.
  std::stop_source stop;
  std::stop_callback by_caller(cancel, [&stop] { stop.request_stop(); });
  std::stop_callback by_shutdown(shutdown_.get_token(), [&stop] { stop.request_stop(); });
  if (stop.stop_requested()) {
    return absl::CancelledError(StrCat("stop container \"", kill.name, "\" (", kill.container_id, "): cancelled"));
  }
  int64_t grace_seconds = kill.grace_seconds;
  const api::LifecycleHandler* pre_stop = nullptr;
  if (kill.spec && kill.spec->lifecycle && kill.spec->lifecycle->pre_stop) pre_stop = &*kill.spec->lifecycle->pre_stop;
  if (pre_stop != nullptr && grace_seconds > 0) {
    // The hook's time is taken from the grace period (whole seconds, as upstream counts).
    const absl::Time start = clock_->Now();
    absl::Status hook = RunLifecycleHandler(*runtime_, *pre_stop, kill.container_id, *kill.spec, kill.pod_ips,
                                            absl::Seconds(grace_seconds));
    if (!hook.ok()) {
      logger_.Warning("PreStopHook failed", {{"containerName", kill.name}, {"containerID", kill.container_id},
                                             {"event", "FailedPreStopHook"}, {"err", hook}});
    }
    grace_seconds -= absl::ToInt64Seconds(clock_->Now() - start);
  }
  grace_seconds = std::max(grace_seconds, kMinimumGracePeriodSeconds);
  logger_.Info("Killing container with a grace period",
               {{"containerName", kill.name}, {"containerID", kill.container_id}, {"gracePeriod", grace_seconds},
                {"reason", kill.reason}});
  absl::Status s = runtime_->StopContainer(kill.container_id, absl::Seconds(grace_seconds), stop.get_token());
  if (s.code() == absl::StatusCode::kNotFound) return absl::OkStatus();
  if (!s.ok()) return Annotate(s, StrCat("stop container \"", kill.name, "\" (", kill.container_id, ")"));
  return absl::OkStatus();
}

void ContainerKiller::KillContainersAsync(std::vector<ContainerKill> kills, std::stop_token cancel, Done done) {
  if (kills.empty()) {
    std::move(done)(absl::OkStatus());
    return;
  }
  auto batch = std::make_shared<KillBatch>(kills.size(), std::move(done));
  for (auto& kill : kills) {
    pool_.Submit([this, batch, cancel, kill = std::move(kill)]() mutable { batch->Finished(KillContainer(kill, cancel)); });
  }
}

absl::Status ContainerKiller::KillContainers(std::vector<ContainerKill> kills, std::stop_token cancel) {
  std::promise<absl::Status> result;
  std::future<absl::Status> finished = result.get_future();
  KillContainersAsync(std::move(kills), std::move(cancel), [&result](absl::Status s) { result.set_value(std::move(s)); });
  return finished.get();
}

}  // namespace cubelet::kuberuntime
