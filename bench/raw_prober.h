// The probe benchmark's baseline: the same exec (CRI ExecSync) and HTTP GET probes, at the same
// period, with the same ticker semantics and the same pool of 16 threads, issued by a bare loop
// with none of cubelet's bookkeeping. Its CPU and lateness, measured in the same run on the same
// containers, are what the runtime and the machine cost on their own.
#pragma once

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cri/runtime_service.h"

namespace cubelet::bench {

struct ProbeTarget {
  std::string container_id;
  std::string pod_ip;
};

struct RawProbeStats {
  std::vector<double> exec_lateness_s, http_lateness_s;
  int64_t runs = 0;
};

class RawProber {
 public:
  using Clock = std::chrono::steady_clock;

  RawProber(cri::RuntimeService* runtime, std::vector<ProbeTarget> targets, int http_port)
      : runtime_(runtime), targets_(std::move(targets)), http_port_(http_port) {}

  // Probes every target's exec and HTTP endpoint once a second for `warmup + measure`; the
  // lateness of runs started during `measure` is returned.
  RawProbeStats Run(std::chrono::seconds warmup, std::chrono::seconds measure) {
    const auto start = Clock::now();
    measure_from_ = start + warmup;
    const auto end = measure_from_ + measure;
    {
      std::lock_guard<std::mutex> l(mu_);
      for (size_t i = 0; i < targets_.size(); ++i) {
        const auto spread = std::chrono::milliseconds(1000 * i / targets_.size());
        timers_.emplace(start + spread, Job{i, true});
        timers_.emplace(start + spread, Job{i, false});
      }
    }
    std::vector<std::jthread> pool;
    for (int i = 0; i < 16; ++i) pool.emplace_back([this] { PoolLoop(); });
    std::unique_lock<std::mutex> l(mu_);
    while (Clock::now() < end) {
      const auto now = Clock::now();
      while (!timers_.empty() && timers_.begin()->first <= now) {
        ready_.emplace_back(timers_.begin()->first, timers_.begin()->second);
        timers_.erase(timers_.begin());
        pool_cv_.notify_one();
      }
      const auto wake = timers_.empty() ? now + std::chrono::seconds(1) : timers_.begin()->first;
      earlier_ = false;
      cv_.wait_until(l, std::min(wake, end), [this] { return earlier_; });
    }
    stopping_ = true;
    pool_cv_.notify_all();
    idle_cv_.wait(l, [this] { return in_flight_ == 0; });
    l.unlock();
    pool.clear();
    return stats_;
  }

 private:
  struct Job {
    size_t target;
    bool exec;
  };

  void PoolLoop() {
    while (true) {
      std::pair<Clock::time_point, Job> job;
      {
        std::unique_lock<std::mutex> l(mu_);
        pool_cv_.wait(l, [this] { return stopping_ || !ready_.empty(); });
        if (stopping_) return;
        job = ready_.front();
        ready_.pop_front();
        const auto now = Clock::now();
        if (now >= measure_from_) {
          const double late = std::chrono::duration<double>(now - job.first).count();
          (job.second.exec ? stats_.exec_lateness_s : stats_.http_lateness_s).push_back(late);
          ++stats_.runs;
        }
        ++in_flight_;
      }
      const ProbeTarget& t = targets_[job.second.target];
      if (job.second.exec) {
        runtime_->ExecSyncAsync(t.container_id, {"true"}, absl::Seconds(1),
                                [this, job](absl::StatusOr<cri::ExecSyncResult>) { Done(job); });
      } else {
        httplib::Client client(t.pod_ip, http_port_);
        client.set_connection_timeout(1);
        client.set_read_timeout(1);
        (void)client.Get("/");
        Done(job);
      }
    }
  }

  // Ticker semantics, as cubelet's: one period after the scheduled time, missed ticks dropped.
  void Done(const std::pair<Clock::time_point, Job>& job) {
    std::lock_guard<std::mutex> l(mu_);
    const auto period = std::chrono::seconds(1);
    auto next = job.first + period;
    const auto now = Clock::now();
    while (next < now) next += period;
    if (!stopping_ && timers_.emplace(next, job.second) == timers_.begin()) {
      earlier_ = true;
      cv_.notify_all();
    }
    --in_flight_;
    idle_cv_.notify_all();
  }

  cri::RuntimeService* runtime_;
  std::vector<ProbeTarget> targets_;
  int http_port_;
  Clock::time_point measure_from_;
  std::mutex mu_;
  std::condition_variable cv_, pool_cv_, idle_cv_;
  std::multimap<Clock::time_point, Job> timers_;
  std::deque<std::pair<Clock::time_point, Job>> ready_;
  bool earlier_ = false, stopping_ = false;
  int in_flight_ = 0;
  RawProbeStats stats_;
};

inline double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

}  // namespace cubelet::bench
