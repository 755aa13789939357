#include "probes/probe_manager.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>

#include "common/strings.h"
#include "common/thread_entry.h"

namespace cubelet::probes {
namespace {

// Upper bounds of the lateness histogram, in seconds (100 ms is the benchmark's goal).
constexpr double kLatenessBounds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

}  // namespace

struct ProbeManager::Worker {
  std::shared_ptr<const api::Pod> pod;
  const api::Container* container = nullptr;  // inside *pod
  ProbeType type;
  const api::Probe* probe = nullptr;  // inside *pod
  std::string container_id;
  ProbeResult last_result = ProbeResult::kUnknown;
  int result_run = 0;
  bool on_hold = false;
  std::atomic<bool> stopped{false};  // set under mu_; read by runs without it
  TimerQueue::Handle timer;          // the next run; guarded by mu_
};

namespace {

ProbeResult InitialResult(ProbeType t) {
  switch (t) {
    case ProbeType::kReadiness: return ProbeResult::kFailure;
    case ProbeType::kLiveness: return ProbeResult::kSuccess;
    case ProbeType::kStartup: return ProbeResult::kUnknown;
  }
  return ProbeResult::kUnknown;
}

const char* LowerName(ProbeType t) {
  switch (t) {
    case ProbeType::kLiveness: return "Liveness";
    case ProbeType::kReadiness: return "Readiness";
    case ProbeType::kStartup: return "Startup";
  }
  return "";
}

}  // namespace

ProbeManager::ProbeManager(cri::RuntimeService* runtime, TimerQueue* timers, Clock* clock, Logger logger,
                           StatusFn status, ChangeFn on_change, int max_threads)
    : runtime_(runtime),
      timers_(timers),
      clock_(clock),
      logger_(std::move(logger)),
      status_(std::move(status)),
      on_change_(std::move(on_change)),
      max_threads_(max_threads) {}

ProbeManager::~ProbeManager() {
  std::vector<TimerQueue::Handle> timers;
  std::vector<std::jthread> pool;
  {
    std::lock_guard<std::mutex> l(mu_);
    shutting_down_ = true;  // runs in progress reschedule nothing from here on
    for (auto& [uid, list] : workers_) {
      for (auto& w : list) {
        w->stopped = true;
        timers.push_back(std::move(w->timer));
      }
    }
    pool = std::move(pool_);
  }
  timers.clear();  // cancels; a run in progress on the queue returns first
  for (auto& t : pool) t.request_stop();
  pool_cv_.notify_all();
  pool.clear();  // joins; a network probe in progress ends within its timeout
  // Exec probes still on the wire call back into this object: wait for them (their deadlines
  // bound the wait).
  std::unique_lock<std::mutex> l(mu_);
  idle_cv_.wait(l, [this] { return in_flight_ == 0; });
}

void ProbeManager::AddPod(std::shared_ptr<const api::Pod> pod) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string uid = pod->metadata.uid;
  if (shutting_down_ || workers_.contains(uid)) return;
  auto& list = workers_[uid];
  static thread_local std::mt19937 rng{std::random_device{}()};
  for (const auto& c : pod->spec.containers) {
    for (auto [type, probe] : {std::pair{ProbeType::kLiveness, &c.liveness_probe},
                               std::pair{ProbeType::kReadiness, &c.readiness_probe},
                               std::pair{ProbeType::kStartup, &c.startup_probe}}) {
      if (!*probe) continue;
      auto w = std::make_shared<Worker>();
      w->pod = pod;
      w->container = &c;
      w->type = type;
      w->probe = &**probe;
      list.push_back(w);
      // The first run is spread over one period, so that many pods do not probe in step.
      std::uniform_int_distribution<int64_t> jitter(0, absl::ToInt64Milliseconds(absl::Seconds(w->probe->period_seconds)));
      const absl::Time when = clock_->Now() + absl::Milliseconds(jitter(rng));
      w->timer = timers_->At(when, [this, w, when] { OnDue(w, when); });
    }
  }
}

void ProbeManager::RemovePod(const std::string& pod_uid) {
  std::vector<TimerQueue::Handle> timers;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = workers_.find(pod_uid);
    if (it == workers_.end()) return;
    for (auto& w : it->second) {
      w->stopped = true;
      results_.erase(w->container_id);
      timers.push_back(std::move(w->timer));
    }
    workers_.erase(it);
  }
  // `timers` cancels here, outside mu_: a run in progress may be waiting for it.
}

std::optional<bool> ProbeManager::Readiness(const std::string& container_id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = results_.find(container_id);
  if (it == results_.end()) return std::nullopt;
  auto r = it->second.find(ProbeType::kReadiness);
  if (r == it->second.end()) return std::nullopt;
  return IsSuccess(r->second);
}

std::optional<bool> ProbeManager::Startup(const std::string& container_id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = results_.find(container_id);
  if (it == results_.end()) return std::nullopt;
  auto r = it->second.find(ProbeType::kStartup);
  if (r == it->second.end() || r->second == ProbeResult::kUnknown) return std::nullopt;
  return IsSuccess(r->second);
}

std::map<std::string, ProbeKill> ProbeManager::FailedContainers(const api::Pod& pod) const {
  std::lock_guard<std::mutex> l(mu_);
  std::map<std::string, ProbeKill> out;
  auto it = workers_.find(pod.metadata.uid);
  if (it == workers_.end()) return out;
  for (const auto& w : it->second) {
    if (w->type == ProbeType::kReadiness || w->container_id.empty()) continue;
    auto r = results_.find(w->container_id);
    if (r == results_.end()) continue;
    auto t = r->second.find(w->type);
    if (t == r->second.end() || t->second != ProbeResult::kFailure) continue;
    out[w->container_id] = {StrCat("Container ", w->container->name, " failed ", w->type == ProbeType::kLiveness ? "liveness" : "startup",
                      " probe"),
               w->probe->termination_grace_period_seconds};
  }
  return out;
}

std::string ProbeManager::MetricsText() const {
  std::lock_guard<std::mutex> l(mu_);
  std::string out = "# HELP prober_probe_total Cumulative number of a liveness, readiness or startup probe for a container by result.\n"
                    "# TYPE prober_probe_total counter\n";
  for (const auto& [labels, n] : metrics_) StrAppend(&out, "prober_probe_total{", labels, "} ", n, "\n");
  out += "# HELP prober_probe_duration_seconds Duration in seconds for a probe response.\n"
         "# TYPE prober_probe_duration_seconds summary\n";
  for (const auto& [type, d] : durations_) {
    StrAppend(&out, "prober_probe_duration_seconds_sum{probe_type=\"", type, "\"} ", d.first, "\n");
    StrAppend(&out, "prober_probe_duration_seconds_count{probe_type=\"", type, "\"} ", d.second, "\n");
  }
  out += "# HELP cubelet_prober_lateness_seconds How late probe runs started against their scheduled tick.\n"
         "# TYPE cubelet_prober_lateness_seconds histogram\n";
  for (const auto& [handler, h] : lateness_) {
    const std::string label = StrCat("handler=\"", handler, "\"");
    for (size_t i = 0; i < std::size(kLatenessBounds); ++i) {
      StrAppend(&out, "cubelet_prober_lateness_seconds_bucket{", label, ",le=\"", kLatenessBounds[i], "\"} ",
                h.buckets[i], "\n");
    }
    StrAppend(&out, "cubelet_prober_lateness_seconds_bucket{", label, ",le=\"+Inf\"} ", h.count, "\n");
    StrAppend(&out, "cubelet_prober_lateness_seconds_sum{", label, "} ", h.sum_seconds, "\n");
    StrAppend(&out, "cubelet_prober_lateness_seconds_count{", label, "} ", h.count, "\n");
  }
  return out;
}

void ProbeManager::LatenessHistogram::Add(absl::Duration d) {
  if (buckets.empty()) buckets.resize(std::size(kLatenessBounds));
  const double s = absl::ToDoubleSeconds(d);
  for (size_t i = 0; i < std::size(kLatenessBounds); ++i) {
    if (s <= kLatenessBounds[i]) ++buckets[i];
  }
  ++count;
  sum_seconds += s;
}

void ProbeManager::SetResult(Worker& w, ProbeResult result, bool notify) {
  bool changed;
  {
    std::lock_guard<std::mutex> l(mu_);
    // The pod's workers were removed while this run was in flight (an exec completing after
    // RemovePod): its result would re-create the entry RemovePod erased, leak it, and trigger a
    // sync of a pod that is gone.
    if (w.stopped) return;
    auto& slot = results_[w.container_id];
    auto it = slot.find(w.type);
    changed = it == slot.end() || it->second != result;
    slot[w.type] = result;
  }
  if (changed && notify) on_change_(w.pod->metadata.uid, w.type, result);
}

ProbeManager::Prepared ProbeManager::Prepare(Worker& w) {
  Prepared keep{true, false, "", {}};
  auto status = status_(w.pod->metadata.uid);
  if (!status) return keep;  // no status yet: wait
  if (status->phase == "Failed" || status->phase == "Succeeded") return {false, false, "", {}};
  const api::ContainerStatus* c = nullptr;
  for (const auto& s : status->container_statuses) {
    if (s.name == w.container->name) c = &s;
  }
  if (c == nullptr || c->container_id.empty()) return keep;
  // Results are keyed by the runtime's own ID ("containerd://<id>" without the scheme).
  const std::string id = c->container_id.substr(c->container_id.find("://") + 3);
  if (id != w.container_id) {
    if (!w.container_id.empty()) {
      std::lock_guard<std::mutex> l(mu_);
      results_.erase(w.container_id);
    }
    w.container_id = id;
    SetResult(w, InitialResult(w.type), false);
    w.on_hold = false;
    w.result_run = 0;
  }
  if (w.on_hold) return keep;
  if (!c->state.running) {
    SetResult(w, ProbeResult::kFailure, true);
    return {!(c->state.terminated && w.pod->spec.restart_policy == "Never"), false, "", {}};
  }
  if (w.pod->metadata.deletion_timestamp && w.type != ProbeType::kReadiness) {
    SetResult(w, ProbeResult::kSuccess, true);
    return {false, false, "", {}};
  }
  if (clock_->Now() - c->state.running->started_at < absl::Seconds(w.probe->initial_delay_seconds)) return keep;
  const bool started = c->started.value_or(false);
  if (w.type != ProbeType::kStartup && w.container->startup_probe && !started) return keep;
  if (w.type == ProbeType::kStartup && started) return keep;

  return {true, true, id, ProbeTarget{status->pod_ip, w.container}};
}

HandlerResult ProbeManager::RunNetworkHandler(const Worker& w, const ProbeTarget& target) {
  // Errors (Unknown) are retried, as upstream's runProbeWithRetries.
  const absl::Duration timeout = absl::Seconds(w.probe->timeout_seconds);
  HandlerResult r;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto& h = w.probe->handler;
    if (h.http_get) r = RunHttpGet(*h.http_get, target, timeout);
    else if (h.tcp_socket) r = RunTcpSocket(*h.tcp_socket, target, timeout);
    else if (h.grpc) r = RunGrpc(*h.grpc, target, timeout);
    if (r.result != ProbeResult::kUnknown) break;
  }
  return r;
}

void ProbeManager::Finish(Worker& w, const HandlerResult& r, absl::Time run_start) {
  {
    std::lock_guard<std::mutex> l(mu_);
    auto& d = durations_[LowerName(w.type)];
    d.first += absl::ToDoubleSeconds(clock_->Now() - run_start);
    ++d.second;
    ++metrics_[StrCat("probe_type=\"", LowerName(w.type), "\",result=\"", MetricLabel(r.result), "\",container=\"",
                      w.container->name, "\",pod=\"", w.pod->metadata.name, "\",namespace=\"",
                      w.pod->metadata.namespace_, "\"")];
  }
  if (r.result == ProbeResult::kFailure || r.result == ProbeResult::kUnknown) {
    logger_.Warning("Probe failed", {{"probeType", ToString(w.type)}, {"pod", api::PodKey(*w.pod)},
                                     {"podUID", w.pod->metadata.uid}, {"containerName", w.container->name},
                                     {"event", "Unhealthy"},
                                     {"message", StrCat(ToString(w.type), " probe failed: ", r.output)}});
  } else if (r.result == ProbeResult::kWarning) {
    logger_.Warning("Probe warning", {{"probeType", ToString(w.type)}, {"pod", api::PodKey(*w.pod)},
                                      {"event", "ProbeWarning"},
                                      {"message", StrCat(ToString(w.type), " probe warning: ", r.output)}});
  }
  const ProbeResult result = IsSuccess(r.result) ? ProbeResult::kSuccess : ProbeResult::kFailure;
  if (result == w.last_result) {
    ++w.result_run;
  } else {
    w.last_result = result;
    w.result_run = 1;
  }
  if ((result == ProbeResult::kFailure && w.result_run < w.probe->failure_threshold) ||
      (result == ProbeResult::kSuccess && w.result_run < w.probe->success_threshold)) {
    return;
  }
  SetResult(w, result, true);
  if (result == ProbeResult::kFailure && w.type != ProbeType::kReadiness) {
    // The container is about to be killed: no more probing until a new one runs.
    w.on_hold = true;
    w.result_run = 0;
  }
}

void ProbeManager::Schedule(const std::shared_ptr<Worker>& w, absl::Time when) {
  TimerQueue::Handle previous;  // its run is the one rescheduling (or has returned): no wait
  std::lock_guard<std::mutex> l(mu_);
  if (w->stopped || shutting_down_) return;
  previous = std::exchange(w->timer, timers_->At(when, [this, w, when] { OnDue(w, when); }));
}

void ProbeManager::OnDue(const std::shared_ptr<Worker>& w, absl::Time scheduled) {
  if (w->stopped) return;
  if (w->probe->handler.exec) {
    Execute(w, scheduled);
    return;
  }
  // Network probes hold a thread while they wait on the server: they run on the pool, which
  // grows while due probes find every thread busy (waiting on slow servers, typically).
  std::lock_guard<std::mutex> l(mu_);
  if (shutting_down_) return;
  ready_.push_back(Job{scheduled, w, timers_->TrackWork()});
  if (ready_.size() > static_cast<size_t>(idle_threads_) && pool_.size() < static_cast<size_t>(max_threads_)) {
    pool_.push_back(StartThread(logger_, "prober", [this](std::stop_token st) { PoolLoop(st); }));
  }
  pool_cv_.notify_one();
}

void ProbeManager::Execute(const std::shared_ptr<Worker>& w, absl::Time scheduled) {
  const absl::Time started = clock_->Now();
  {
    const auto& h = w->probe->handler;
    const char* handler = h.exec ? "exec" : h.http_get ? "httpGet" : h.tcp_socket ? "tcpSocket" : "grpc";
    const absl::Duration late = std::max(started - scheduled, absl::ZeroDuration());
    std::lock_guard<std::mutex> l(mu_);
    lateness_[handler].Add(late);
  }
  Prepared p = Prepare(*w);
  if (!p.run) {
    if (p.keep) Reschedule(w, scheduled);
    return;
  }
  if (w->probe->handler.exec) {
    // Exec probes wait on the runtime for tens to hundreds of milliseconds: they run
    // asynchronously, so that no pool thread is held and no other probe waits behind them.
    {
      std::lock_guard<std::mutex> l(mu_);
      ++in_flight_;
    }
    auto token = std::make_shared<TimerQueue::WorkToken>(timers_->TrackWork());
    runtime_->ExecSyncAsync(
        p.container_id, w->probe->handler.exec->command, absl::Seconds(w->probe->timeout_seconds),
        [this, w, scheduled, started, token](absl::StatusOr<cri::ExecSyncResult> result) {
          // On the runtime's callback thread: a throw must neither escape into gRPC nor skip the
          // in-flight count the destructor waits on.
          (void)RunGuarded(logger_, "prober", StrCat("exec probe of pod ", api::PodKey(*w->pod)), [&] {
            Finish(*w, ExecResult(result), started);
            Reschedule(w, scheduled);
          });
          std::lock_guard<std::mutex> l(mu_);
          --in_flight_;
          idle_cv_.notify_all();
        });
    return;
  }
  Finish(*w, RunNetworkHandler(*w, p.target), started);
  Reschedule(w, scheduled);
}

void ProbeManager::Reschedule(const std::shared_ptr<Worker>& w, absl::Time scheduled) {
  // Like a ticker: the next run is due one period after this one was, and ticks missed while a
  // slow probe ran are dropped rather than run in a burst.
  const absl::Duration period = absl::Seconds(w->probe->period_seconds);
  absl::Time next = scheduled + period;
  const absl::Time now = clock_->Now();
  // FDivDuration: Duration / Duration is integer division in Abseil, which left `next` in the
  // past (a run at once, counted as up to a period late) instead of on the next tick.
  if (next < now) next += period * std::ceil(absl::FDivDuration(now - next, period));
  Schedule(w, next);
}

void ProbeManager::PoolLoop(std::stop_token st) {
  while (true) {
    std::optional<Job> job;
    {
      std::unique_lock<std::mutex> l(mu_);
      ++idle_threads_;
      pool_cv_.wait(l, st, [this] { return !ready_.empty(); });
      --idle_threads_;
      if (st.stop_requested()) return;
      job.emplace(std::move(ready_.front()));
      ready_.pop_front();
    }
    if (job->worker->stopped) continue;
    // A handler (an HTTP or gRPC library) that throws fails this probe run only; the worker is
    // rescheduled as after any other failed run.
    if (!RunGuarded(logger_, "prober", StrCat("probe of pod ", api::PodKey(*job->worker->pod)),
                    [&] { Execute(job->worker, job->scheduled); }).ok()) {
      Reschedule(job->worker, job->scheduled);
    }
  }
}

}  // namespace cubelet::probes
