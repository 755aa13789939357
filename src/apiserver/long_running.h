// Owns: the threads of long-running proxied requests (pods/log with follow, later exec and
// port-forward), kept off the HTTP server's bounded handler pool so that streams waiting on a
// kubelet can never starve ordinary requests: at most `limit` at once (more get 429), each
// cancellable when its client goes away, all cancelled and joined at shutdown.
// Does not own: what a request does (its function), the HTTP stream (httpserver/).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "common/logger.h"

namespace cubelet::apiserver {

// Set by the worker while a blocking call can be interrupted; Cancel() interrupts it.
// Thread-safe.
class Cancellation {
 public:
  void Cancel();
  bool cancelled() const;
  // Runs `interrupt` on Cancel() while set (immediately when already cancelled); Clear() before
  // what it refers to goes away.
  void Set(std::function<void()> interrupt);
  void Clear();

 private:
  mutable std::mutex mu_;
  bool cancelled_ = false;                // guarded by mu_
  std::function<void()> interrupt_;       // guarded by mu_
};

class LongRunningRequests {
 public:
  LongRunningRequests(int limit, Logger logger) : limit_(limit), logger_(std::move(logger)) {}
  ~LongRunningRequests();  // cancels every running request and waits for them

  // Runs `work` on a thread of its own with a fresh Cancellation; false (nothing started) when
  // `limit` requests are running already.
  bool Start(std::function<void(const std::shared_ptr<Cancellation>&)> work);

 private:
  const int limit_;
  const Logger logger_;
  std::mutex mu_;
  std::condition_variable done_;
  std::set<std::shared_ptr<Cancellation>> running_;  // guarded by mu_
};

}  // namespace cubelet::apiserver
