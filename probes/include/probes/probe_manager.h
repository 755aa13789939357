// Owns: ProbeManager, upstream's prober manager and workers: one worker per (pod, container,
// probe kind), scheduled on the agent's timer queue; exec probes run asynchronously on the
// runtime's channel, network probes on a bounded pool of threads (no thread per probe);
// upstream's defaults and rules (thresholds, initial delay, startup gating, on-hold
// after a liveness/startup failure, no liveness kills while a pod terminates); the results by
// container ID; prober_probe_total counts.
// Does not own: what a result does to the pod (the pod sync kills, status generation reads).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "api/types.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/timer_queue.h"
#include "cri/runtime_service.h"
#include "probes/handlers.h"
#include "probes/probe_types.h"

namespace cubelet::probes {

struct ProbeKill {
  std::string message;  // "Container web failed liveness probe"
  std::optional<int64_t> grace_period_seconds;
};

class ProbeManager {
 public:
  using StatusFn = std::function<std::optional<api::PodStatus>(const std::string& pod_uid)>;
  // Called (outside any lock) when a container's result changes.
  using ChangeFn = std::function<void(const std::string& pod_uid, ProbeType type, ProbeResult result)>;

  // Probes are due on `timers`, whose AwaitIdle() also waits for the probes they started. Network
  // probes (HTTP, TCP, gRPC) hold a pool thread while they wait on the server; the pool grows
  // while due probes find no idle thread, up to `max_threads`. Exec probes run asynchronously on
  // the runtime's gRPC channel and hold no thread. `timers` outlives the manager.
  ProbeManager(cri::RuntimeService* runtime, TimerQueue* timers, Clock* clock, Logger logger, StatusFn status,
               ChangeFn on_change, int max_threads = 64);
  // Cancels the schedule and waits for the probes in progress.
  ~ProbeManager();

  // Adds workers for the probes the pod's containers define (idempotent).
  void AddPod(std::shared_ptr<const api::Pod> pod);
  void RemovePod(const std::string& pod_uid);

  // Results by container ID (std::nullopt: no result yet).
  std::optional<bool> Readiness(const std::string& container_id) const;
  std::optional<bool> Startup(const std::string& container_id) const;
  // Containers of the pod whose liveness or startup probe failed, by container ID.
  std::map<std::string, ProbeKill> FailedContainers(const api::Pod& pod) const;

  // prober_probe_total{probe_type,result,container,pod,namespace}, the probe duration summary
  // and how late probes ran against their schedule, in Prometheus text format.
  // Also cubelet_prober_lateness_seconds, a histogram of how late runs started against their
  // scheduled tick, by handler (exec, httpGet, tcpSocket, grpc).
  std::string MetricsText() const;


 private:
  struct Worker;
  // A network probe waiting for a pool thread; `token` keeps the timer queue busy until it ran.
  struct Job {
    absl::Time scheduled;
    std::shared_ptr<Worker> worker;
    TimerQueue::WorkToken token;
  };
  // What the checks before a probe run decided: stop the worker, keep it without running, or
  // run the handler against `container_id` / `target`.
  struct Prepared {
    bool keep;
    bool run;
    std::string container_id;
    ProbeTarget target;
  };
  Prepared Prepare(Worker& w);
  HandlerResult RunNetworkHandler(const Worker& w, const ProbeTarget& target);
  // Counts the result, logs it, and applies the thresholds.
  void Finish(Worker& w, const HandlerResult& r, absl::Time run_start);
  // Arms the worker's timer at `when` (replacing its previous one); not once stopped.
  void Schedule(const std::shared_ptr<Worker>& w, absl::Time when);
  void Reschedule(const std::shared_ptr<Worker>& w, absl::Time scheduled);
  // The timer task: exec probes start here, network probes go to the pool.
  void OnDue(const std::shared_ptr<Worker>& w, absl::Time scheduled);
  void Execute(const std::shared_ptr<Worker>& w, absl::Time scheduled);
  void SetResult(Worker& w, ProbeResult result, bool notify);

  cri::RuntimeService* runtime_;
  TimerQueue* timers_;
  Clock* clock_;
  Logger logger_;
  StatusFn status_;
  ChangeFn on_change_;

  // Lock order: mu_, then the timer queue's lock (scheduling); never cancel a timer under mu_.
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::shared_ptr<Worker>>> workers_;   // by pod uid
  bool shutting_down_ = false;                                             // guarded by mu_
  std::deque<Job> ready_;                                                  // due, waiting for a pool thread
  std::map<std::string, std::map<ProbeType, ProbeResult>> results_;      // by container id
  std::map<std::string, int64_t> metrics_;                                // label set -> count
  std::map<std::string, std::pair<double, int64_t>> durations_;           // probe_type -> (sum s, count)
  struct LatenessHistogram {
    std::vector<int64_t> buckets;  // runs no later than each bound of kLatenessBounds
    int64_t count = 0;
    double sum_seconds = 0;
    void Add(absl::Duration d);
  };
  std::map<std::string, LatenessHistogram> lateness_;  // by handler
  std::vector<std::jthread> pool_;  // guarded by mu_
  std::condition_variable_any pool_cv_;
  std::condition_variable idle_cv_;
  int in_flight_ = 0;  // asynchronous exec probes on the wire; guarded by mu_
  void PoolLoop(std::stop_token st);

  int max_threads_;
  int idle_threads_ = 0;  // pool threads waiting for a job; guarded by mu_
};

}  // namespace cubelet::probes
