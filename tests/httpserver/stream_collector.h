// Owns: StreamCollector, the watch-like handler the HTTPS server's stream tests share: it opens a
// stream for every request and keeps it, and counts OnClose calls.
// Does not own: the server under test (server_fixture.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "httpserver/http_server.h"

namespace cubelet::httpserver::testing {

// Opens a stream for every request and keeps it, as a watch handler does; counts OnClose calls.
// Shared with the server's callbacks, so it outlives whatever runs last.
class StreamCollector : public std::enable_shared_from_this<StreamCollector> {
 public:
  static Handler NewHandler(const std::shared_ptr<StreamCollector>& self) {
    return [self](Request request, std::shared_ptr<Responder> responder) {
      if (request.path == "/hold") {  // answered by the test, maybe after Stop
        absl::MutexLock lock(&self->mu_);
        self->held_.push_back(std::move(responder));
        return;
      }
      Headers headers;
      headers.Add("Content-Type", "application/json");
      std::shared_ptr<Stream> stream = responder->StartStream(200, std::move(headers));
      stream->OnClose([self] {
        absl::MutexLock lock(&self->mu_);
        ++self->closed_;
      });
      absl::MutexLock lock(&self->mu_);
      self->streams_.emplace_back(request.path, std::move(stream));
    };
  }

  bool AwaitStreams(size_t n, absl::Duration timeout = absl::Seconds(60)) {
    absl::MutexLock lock(&mu_);
    auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return streams_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  }
  bool AwaitClosed(int n, absl::Duration timeout = absl::Seconds(60)) {
    absl::MutexLock lock(&mu_);
    auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return closed_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  }
  std::shared_ptr<Stream> Find(std::string_view path) {
    absl::MutexLock lock(&mu_);
    for (const auto& [p, s] : streams_) {
      if (p == path) return s;
    }
    return nullptr;
  }
  std::vector<std::shared_ptr<Stream>> All() {
    std::vector<std::shared_ptr<Stream>> out;
    absl::MutexLock lock(&mu_);
    for (const auto& entry : streams_) out.push_back(entry.second);
    return out;
  }
  std::vector<std::shared_ptr<Responder>> TakeHeld() {
    absl::MutexLock lock(&mu_);
    return std::move(held_);
  }
  bool AwaitHeld(size_t n) {
    absl::MutexLock lock(&mu_);
    auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return held_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(60));
  }
  int closed() {
    absl::MutexLock lock(&mu_);
    return closed_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<std::string, std::shared_ptr<Stream>>> streams_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Responder>> held_ ABSL_GUARDED_BY(mu_);
  int closed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace cubelet::httpserver::testing
